import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { main } from "./fakes";
import { defaultPorts } from "../../../cli/lifecycle";
import { compareResources } from "../../../offline/stackBackend";
import { OfflineState } from "../../../offline/state";
import { cliDeps, tempDir, tempRegistry } from "./fakes";

interface Row {
  tenantId: string;
  status: string;
  detail: string;
  changes?: { create: number; update: number; delete: number; same: number };
}

describe("offline backend, end to end through the CLI (offline engine, temp registry)", function () {
  this.timeout(120000);
  const stateDir = tempDir("bbws-offline-state-");
  const file = tempRegistry();
  const common = ["--offline", "--tenants", file, "--offline-state", stateDir];

  async function run(...args: string[]) {
    const deps = cliDeps((request) => defaultPorts(request));
    const code = await main([...args, ...common], deps);
    return { code, out: deps.out(), err: deps.err() };
  }
  async function listed(...extra: string[]): Promise<Record<string, Row>> {
    const { code, out } = await run("list", "dev", "--json", ...extra);
    expect(code).to.equal(0);
    const rows = (JSON.parse(out) as { tenants: Row[] }).tenants;
    return Object.fromEntries(rows.map((r) => [r.tenantId, r]));
  }
  const state = () => JSON.parse(fs.readFileSync(path.join(stateDir, "state.json"), "utf8")) as OfflineState;

  it("list before anything: every entry is a missing stack", async () => {
    const rows = await listed();
    expect(Object.values(rows).map((r) => r.status)).to.deep.equal(Array(4).fill("missing stack"));
  });

  it("sync creates every stack and records its configuration and resources", async () => {
    const { code, out, err } = await run("sync", "dev");
    expect(code).to.equal(0);
    expect(out).to.match(/dev\.acme +│ create +│ ok/);
    expect(err).to.contain("offline: tenant stacks are simulated");
    const stacks = state().stacks;
    expect(Object.keys(stacks).sort()).to.deep.equal([
      "dev.acme",
      "dev.globex",
      "dev.initech",
      "dev.umbrella",
    ]);
    expect(Object.keys(stacks["dev.globex"].resources).length).to.be.greaterThan(20);
    expect(stacks["dev.globex"].config!["bbws-tenant:platformStack"].value).to.equal("organization/bbws/dev");
  });

  it("list then shows every tenant in sync, and a second sync changes nothing", async () => {
    const rows = await listed();
    expect(Object.values(rows).map((r) => r.status)).to.deep.equal(Array(4).fill("in sync"));
    const { code, out } = await run("sync", "dev", "--json");
    expect(code).to.equal(0);
    const results = (JSON.parse(out) as { results: { changes: { create: number; update: number } }[] })
      .results;
    expect(results.every((r) => r.changes.create === 0 && r.changes.update === 0)).to.equal(true);
  });

  it("an edited entry shows as pending, naming the field, and preview counts the update", async () => {
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("size: medium", "size: large"));

    const rows = await listed();
    expect(rows.globex.status).to.equal("pending changes");
    expect(rows.globex.detail).to.match(/configuration differs: tenant\.size/);
    expect(rows.acme.status).to.equal("in sync");

    const { code, out } = await run("preview", "dev", "--json");
    expect(code).to.equal(0);
    const changes = Object.fromEntries(
      (JSON.parse(out) as { results: { tenantId: string; changes: Row["changes"] }[] }).results.map((r) => [
        r.tenantId,
        r.changes!,
      ]),
    );
    expect(changes.globex.update).to.be.greaterThan(0);
    expect(changes.globex).to.include({ create: 0, delete: 0 });
    expect(changes.acme).to.include({ create: 0, update: 0, delete: 0 });

    const previewed = await listed("--preview");
    expect(previewed.globex.detail).to.match(/preview: \+0 ~[1-9]/);
  });

  it("an entry deleted by hand leaves an orphan stack; remove takes a simulated final backup and it is gone", async () => {
    const text = fs.readFileSync(file, "utf8");
    fs.writeFileSync(file, text.slice(0, text.indexOf("  # Umbrella blog")).trimEnd() + "\n");
    expect((await listed()).umbrella.status).to.equal("orphan stack");

    const { code, out } = await run("remove", "dev", "umbrella");
    expect(code).to.equal(0);
    expect(out).to.contain("offline: no AWS backup was taken");
    expect(await listed()).not.to.have.property("umbrella");
    expect(state().stacks).not.to.have.property("dev.umbrella");
    expect(state().backups.map((b) => [b.tenantId, b.reason, b.note])).to.deep.equal([
      ["umbrella", "final", "offline: no AWS backup was taken (simulated final backup)"],
    ]);
  });

  it("add deploys the new tenant, remove deletes its stack and entry, sync brings the rest in sync", async () => {
    expect((await run("add", "dev", "--id", "newco", "--domain", "newco.example.com")).code).to.equal(0);
    expect((await listed()).newco.status).to.equal("in sync");
    const removed = await run("remove", "dev", "newco", "--purge");
    expect(removed.code).to.equal(0);
    expect(removed.out).to.contain("offline: no files were deleted");
    expect(state().purges?.map((p) => p.tenantId)).to.deep.equal(["newco"]);
    expect(fs.readFileSync(file, "utf8")).not.to.contain("newco");
    expect((await run("sync", "dev")).code).to.equal(0);
    const rows = await listed();
    expect(Object.keys(rows).sort()).to.deep.equal(["acme", "globex", "initech"]);
    expect(Object.values(rows).map((r) => r.status)).to.deep.equal(Array(3).fill("in sync"));
  });

  it("counts creates, updates, replaces, deletes and sames between two resource sets", () => {
    const r = (type: string, inputsHash: string) => ({ type, inputsHash });
    expect(
      compareResources(
        { a: r("t", "1"), b: r("t", "1"), c: r("t", "1"), d: r("t", "1") },
        { a: r("t", "1"), b: r("t", "2"), c: r("u", "1"), e: r("t", "1") },
      ),
    ).to.deep.equal({ create: 1, update: 1, replace: 1, delete: 1, same: 1 });
  });
});
