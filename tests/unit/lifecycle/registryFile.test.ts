import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { RegistryError } from "../../../tenants/registry/load";
import { BbwsError } from "../../../lib/errors";
import {
  commitRegistry,
  readRegistry,
  withEntry,
  withListenerSlots,
  withoutEntry,
} from "../../../tenants/registry/edits";
import { tempRegistry } from "./fakes";

describe("registry edits", () => {
  it("removing the first entry takes its comment with it and keeps the file header", () => {
    const snapshot = readRegistry("dev", tempRegistry());
    const text = withoutEntry(snapshot, "acme");
    expect(text).to.contain("# Tenants of the dev environment");
    expect(text).not.to.contain("Marketing site of the Acme");
    expect(text).to.contain(
      "tenants:\n  # Globex shop: two host names, a bigger task for WooCommerce.\n  - id: globex\n",
    );
  });

  it("removing a middle entry keeps every other line as it was", () => {
    const snapshot = readRegistry("dev", tempRegistry());
    const text = withoutEntry(snapshot, "initech");
    const start = snapshot.text.indexOf("\n  # Initech intranet");
    const end = snapshot.text.indexOf("\n  # Umbrella blog");
    expect(text).to.equal(snapshot.text.slice(0, start) + snapshot.text.slice(end));
  });

  it("keeps comments about the list itself when the first entry goes", () => {
    const snapshot = readRegistry(
      "dev",
      tempRegistry(
        "tenants:\n  # all our sites\n\n  # acme's site\n  - id: acme\n    hosts: [a.example.com]\n  - id: beta\n    hosts: [b.example.com]\n",
      ),
    );
    expect(withoutEntry(snapshot, "acme")).to.equal(
      "tenants:\n  # all our sites\n  - id: beta\n    hosts: [b.example.com]\n",
    );
  });

  it("writes listener slots into the named entries only", () => {
    const snapshot = readRegistry(
      "dev",
      tempRegistry(
        "tenants:\n  - id: acme # the first\n    hosts: [a.example.com]\n  - id: beta\n    hosts: [b.example.com]\n",
      ),
    );
    const text = withListenerSlots(snapshot, new Map([["beta", { shard: 1, priority: 7 }]]));
    expect(text).to.equal(
      "tenants:\n  - id: acme # the first\n    hosts: [a.example.com]\n  - id: beta\n    hosts: [b.example.com]\n    listener:\n      shard: 1\n      priority: 7\n",
    );
  });

  it("commits atomically (no temp file left) and only text that validates", () => {
    const file = tempRegistry();
    const snapshot = readRegistry("dev", file);
    const invalid = withEntry(snapshot, { id: "umbrella", hosts: ["x.example.com"] });
    expect(() => commitRegistry(snapshot, invalid)).to.throw(RegistryError, /duplicate id/);
    expect(fs.readFileSync(file, "utf8")).to.equal(snapshot.text);

    commitRegistry(snapshot, withoutEntry(snapshot, "umbrella"));
    expect(fs.readFileSync(file, "utf8")).not.to.contain("umbrella");
    expect(fs.readdirSync(path.dirname(file))).to.deep.equal(["dev.yaml"]);
  });

  it("refuses to overwrite a registry that changed since it was read", () => {
    const file = tempRegistry();
    const snapshot = readRegistry("dev", file);
    fs.appendFileSync(file, "# someone else's edit\n");
    expect(() => commitRegistry(snapshot, withoutEntry(snapshot, "acme"))).to.throw(
      BbwsError,
      /changed while this command ran/,
    );
    expect(fs.readFileSync(file, "utf8")).to.contain("someone else's edit");
  });
});
