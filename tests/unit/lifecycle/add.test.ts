import * as fs from "fs";
import { expect } from "chai";
import { main } from "./fakes";
import { EXIT } from "../../../lib/exitCodes";
import { loadRegistry } from "../../../tenants/registry/load";
import { tenantStackConfig } from "../../../tenants/stackConfig";
import { FakeBackend, FakeBackup, cliDeps, settingsOf, tempRegistry } from "./fakes";

async function add(file: string, args: string[], backend = new FakeBackend()) {
  const deps = cliDeps(() => ({ backend, finalBackup: new FakeBackup() }));
  const code = await main(["add", "dev", "--tenants", file, ...args], deps);
  return { code, backend, out: deps.out(), err: deps.err() };
}

describe("tenants add", () => {
  describe("leaves the registry byte for byte untouched and deploys nothing when the result is invalid (exit 3)", () => {
    const cases: [string, string[], RegExp][] = [
      [
        "a bad id",
        ["--id", "Bad_Id", "--domain", "bad.example.com"],
        /id \(--id\): must be 3-\d+ characters/,
      ],
      ["a reserved id", ["--id", "admin", "--domain", "admin.example.com"], /"admin" is reserved/],
      [
        "an existing id",
        ["--id", "acme", "--domain", "acme2.example.com"],
        /duplicate id; tenants\[0\] already uses "acme"/,
      ],
      [
        "a host another tenant serves",
        ["--id", "newco", "--domain", "shop.globex.wpdev.example.com"],
        /host "shop\.globex\.wpdev\.example\.com" is already served by tenant "globex"/,
      ],
      [
        "an invalid size",
        ["--id", "newco", "--domain", "newco.example.com", "--size", "huge"],
        /size \(--size\): /,
      ],
      [
        "min above max",
        ["--id", "newco", "--domain", "n.example.com", "--min", "3", "--max", "2"],
        /min \(3\) is greater than max \(2\)/,
      ],
      [
        "six host names",
        ["--id", "newco", ...[1, 2, 3, 4, 5, 6].flatMap((i) => ["--domain", `h${i}.example.com`])],
        /takes at most 5 host names/,
      ],
    ];
    for (const [what, args, message] of cases) {
      it(what, async () => {
        const file = tempRegistry();
        const before = fs.readFileSync(file);
        const { code, backend, err } = await add(file, args);
        expect(code).to.equal(EXIT.invalidInput.code);
        expect(err).to.match(message);
        expect(err).to.match(/nothing was changed/);
        expect(fs.readFileSync(file).equals(before)).to.equal(true);
        expect(backend.calls).to.deep.equal([]);
      });
    }
  });

  it("rejects a malformed command line as usage (exit 2) without touching anything", async () => {
    const file = tempRegistry();
    const before = fs.readFileSync(file);
    expect((await add(file, ["--id", "newco"])).code).to.equal(EXIT.usage.code);
    expect(
      (await add(file, ["--id", "newco", "--domain", "n.example.com", "--desired", "two"])).code,
    ).to.equal(EXIT.usage.code);
    expect(fs.readFileSync(file).equals(before)).to.equal(true);
  });

  it("appends the entry with its allocated slot, keeping the file's comments and order, then deploys only it", async () => {
    const file = tempRegistry();
    const before = fs.readFileSync(file, "utf8");
    const { code, backend } = await add(file, [
      "--id",
      "newco",
      "--domain",
      "newco.example.com",
      "--domain",
      "www.newco.example.com",
      "--size",
      "small",
      "--desired",
      "1",
      "--min",
      "1",
      "--max",
      "3",
      "--image",
      "6.8.3-php8.3-apache",
      "--ha",
    ]);

    expect(code).to.equal(0);
    expect(fs.readFileSync(file, "utf8")).to.equal(
      before +
        [
          "",
          "  - id: newco",
          "    hosts:",
          "      - newco.example.com",
          "      - www.newco.example.com",
          "    size: small",
          "    highAvailability: true",
          "    tasks:",
          "      desired: 1",
          "      min: 1",
          "      max: 3",
          "    image: 6.8.3-php8.3-apache",
          "    listener:",
          "      shard: 0",
          "      priority: 5",
          "",
        ].join("\n"),
    );
    const entry = loadRegistry("dev", file).tenants.find((t) => t.id === "newco")!;
    expect(backend.calls.filter((c) => c.op === "up").map((c) => c.tenantId)).to.deep.equal(["newco"]);
    expect(backend.upConfigs("newco")).to.deep.equal([
      tenantStackConfig(settingsOf("dev"), entry, "organization/bbws/dev"),
    ]);
  });

  it("fills the first free priority when other tenants left gaps", async () => {
    const file = tempRegistry(
      "tenants:\n  - id: acme\n    hosts: [a.example.com]\n    listener: {shard: 0, priority: 2}\n",
    );
    const { code } = await add(file, ["--id", "newco", "--domain", "n.example.com"]);
    expect(code).to.equal(0);
    expect(loadRegistry("dev", file).tenants[1].listener).to.deep.equal({ shard: 0, priority: 1 });
  });

  it("keeps the entry and exits 1 when the deploy fails", async () => {
    const file = tempRegistry();
    const backend = new FakeBackend();
    backend.failures.set("up:newco", new Error("error: ResourceInitializationError: unable to pull secrets"));
    const { code, out } = await add(file, ["--id", "newco", "--domain", "newco.example.com"], backend);

    expect(code).to.equal(EXIT.failed.code);
    expect(loadRegistry("dev", file).tenants.map((t) => t.id)).to.include("newco");
    expect(out).to.match(/dev\.newco .*create .*failed .*ResourceInitializationError/);
    expect(out).to.match(/The entry of "newco" stays in .*sync dev newco/);
  });

  it("adds to an empty flow-style list in block style", async () => {
    const file = tempRegistry("# no tenants yet\ntenants: []\n");
    const { code } = await add(file, ["--id", "newco", "--domain", "newco.example.com"]);
    expect(code).to.equal(0);
    expect(fs.readFileSync(file, "utf8")).to.equal(
      "# no tenants yet\ntenants:\n  - id: newco\n    hosts:\n      - newco.example.com\n    listener:\n      shard: 0\n      priority: 1\n",
    );
  });
});

describe("tenants add against the account's quotas", () => {
  it("refuses a tenant that would cross a quota (exit 12), naming it, before anything changes", async () => {
    const file = tempRegistry();
    const before = fs.readFileSync(file, "utf8");
    const backend = new FakeBackend();
    const deps = {
      ...cliDeps(() => ({ backend, finalBackup: new FakeBackup() })),
      // An account whose services-per-cluster quota the four dev tenants already fill.
      settings: () => ({ ...settingsOf("dev"), quotas: { servicesPerCluster: 4 } }),
    };
    let err = "";
    const code = await main(
      ["add", "dev", "--tenants", file, "--id", "newco", "--domain", "newco.example.com"],
      {
        ...deps,
        stderr: (text) => (err += text),
      },
    );
    expect(code).to.equal(EXIT.quotaExceeded.code);
    expect(err).to.match(/crosses 1 quota/);
    expect(err).to.match(/services per cluster[^\n]*: 5 > 4/i);
    expect(fs.readFileSync(file, "utf8")).to.equal(before);
    expect(backend.calls.filter((c) => c.op === "up")).to.deep.equal([]);
  });
});
