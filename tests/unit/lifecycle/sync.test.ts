import * as fs from "fs";
import { expect } from "chai";
import { parseDocument } from "yaml";
import { main } from "./fakes";
import { syncTenants } from "../../../tenants/lifecycle/commands/sync";
import { EXIT } from "../../../lib/exitCodes";
import { loadRegistry } from "../../../tenants/registry/load";
import { tenantStackConfig } from "../../../tenants/stackConfig";
import { FakeBackend, FakeBackup, cliDeps, contextFor, settingsOf, tempRegistry } from "./fakes";

const PLATFORM = "organization/bbws/dev";

describe("tenants sync", () => {
  it("sets, on every run, exactly tenantStackConfig(...) of each entry before its update", async () => {
    const file = tempRegistry();
    const backend = new FakeBackend();
    for (let run = 0; run < 2; run++) {
      const report = await syncTenants(contextFor(backend, file));
      expect(report.exitCode).to.equal(0);
    }
    for (const entry of loadRegistry("dev", file).tenants) {
      const expected = tenantStackConfig(settingsOf("dev"), entry, PLATFORM, { dropDataOnDestroy: false });
      expect(backend.upConfigs(entry.id)).to.deep.equal([expected, expected]);
    }
  });

  it("writes missing listener slots into the registry first, keeping comments and order", async () => {
    const original = fs.readFileSync(tempRegistry(), "utf8");
    // Drop the slots of globex and umbrella, as if they had been added by hand.
    const document = parseDocument(original);
    document.deleteIn(["tenants", 1, "listener"]);
    document.deleteIn(["tenants", 3, "listener"]);
    const file = tempRegistry(document.toString({ lineWidth: 0 }));
    const backend = new FakeBackend();
    const context = contextFor(backend, file);

    const report = await syncTenants(context);

    expect(report.exitCode).to.equal(0);
    // The lowest free priorities are the ones removed: the file is the committed one again.
    expect(fs.readFileSync(file, "utf8")).to.equal(original);
    expect(report.json.allocated).to.deep.equal([
      { tenantId: "globex", slot: { shard: 0, priority: 2 } },
      { tenantId: "umbrella", slot: { shard: 0, priority: 4 } },
    ]);
    expect(backend.upConfigs("umbrella")[0]["bbws-tenant:tenant"].value).to.contain(
      '"listener":{"shard":0,"priority":4}',
    );
    expect(context.notes.join("\n")).to.match(
      /allocated listener slots .*globex \(shard 0, priority 2\), umbrella/,
    );
  });

  it("keeps going when some tenants fail: the others are updated, the summary and exit code say so", async () => {
    const file = tempRegistry();
    const backend = new FakeBackend();
    backend.failures.set("up:globex", new Error("error: creating ECS Service: AccessDeniedException"));
    backend.failures.set("up:umbrella", new Error("error: timeout waiting for steady state"));

    const report = await syncTenants(contextFor(backend, file));

    expect(report.exitCode).to.equal(EXIT.failed.code);
    expect([...backend.stacks.keys()].sort()).to.deep.equal(["acme", "initech"]);
    const results = report.json.results as { tenantId: string; result: string; message: string }[];
    expect(results.map((r) => `${r.tenantId}:${r.result}`)).to.deep.equal([
      "acme:ok",
      "globex:failed",
      "initech:ok",
      "umbrella:failed",
    ]);
    expect(report.text).to.match(/dev\.globex .*failed.*AccessDeniedException/);
    expect(report.text).to.match(/4 tenant stack\(s\): 2 ok, 2 failed\./);
  });

  it("never runs more updates at once than --concurrency", async () => {
    const text = ["tenants:"].concat(
      Array.from({ length: 9 }, (_, i) => `  - id: site${i}\n    hosts: [site${i}.example.com]`),
    );
    const file = tempRegistry(`${text.join("\n")}\n`);
    const backend = new FakeBackend();
    backend.delayMs = 10;
    const deps = cliDeps(() => ({ backend, finalBackup: new FakeBackup() }));

    const code = await main(["sync", "dev", "--tenants", file, "--concurrency", "2"], deps);

    expect(code).to.equal(0);
    expect(backend.maxInFlight).to.equal(2);
    expect(backend.stacks.size).to.equal(9);
  });

  it("reports orphan stacks and keeps them without --prune", async () => {
    const file = tempRegistry();
    const backend = new FakeBackend().withStack("oldco", {});
    const backup = new FakeBackup();

    const report = await syncTenants(contextFor(backend, file, { finalBackup: backup }));

    expect(report.exitCode).to.equal(0);
    expect(backend.stacks.has("oldco")).to.equal(true);
    expect(backup.requests).to.have.length(0);
    expect(report.text).to.match(/dev\.oldco .*orphan .*skipped/);
  });

  it("--prune removes an orphan after its final backup, in that order", async () => {
    const file = tempRegistry();
    const journal: string[] = [];
    const backend = new FakeBackend(journal).withStack("oldco", {});
    const report = await syncTenants(contextFor(backend, file, { finalBackup: new FakeBackup(journal) }), {
      prune: true,
    });
    expect(report.exitCode).to.equal(0);
    expect(journal.filter((j) => j.endsWith(":oldco"))).to.deep.equal([
      "backup:oldco",
      "destroy:oldco",
      "remove:oldco",
    ]);
    expect(backend.stacks.has("oldco")).to.equal(false);
  });

  it("--prune refuses (exit 4) to remove an orphan whose final backup fails, and leaves it alone", async () => {
    const file = tempRegistry();
    const backend = new FakeBackend().withStack("oldco", {});
    const backup = new FakeBackup();
    backup.failure = new Error(
      "AlreadyRunningError: backup job 1234 of the EFS file system is already RUNNING",
    );
    const deps = cliDeps(() => ({ backend, finalBackup: backup }));

    const code = await main(["sync", "dev", "--prune", "--tenants", file], deps);

    expect(code).to.equal(EXIT.refused.code);
    expect(backend.stacks.has("oldco")).to.equal(true);
    expect(backend.calls.filter((c) => c.tenantId === "oldco" && c.op !== "deployed")).to.deep.equal([]);
    expect(deps.out()).to.match(/dev\.oldco .*prune .*refused .*final backup could not be taken/);
    // The registry's tenants were still updated.
    expect(backend.stacks.size).to.equal(5);
  });

  it("--prune refuses to remove every stack when the registry lists no tenants", async () => {
    const file = tempRegistry("tenants: []\n");
    const backend = new FakeBackend().withStack("acme", {}).withStack("globex", {});
    const deps = cliDeps(() => ({ backend, finalBackup: new FakeBackup() }));
    const code = await main(["sync", "dev", "--prune", "--tenants", file], deps);
    expect(code).to.equal(EXIT.refused.code);
    expect(backend.stacks.size).to.equal(2);
    expect(deps.err()).to.match(/lists no tenants, so --prune would remove all 2/);
  });

  it("stops before any stack is touched when the registry is invalid (exit 3)", async () => {
    const file = tempRegistry("tenants:\n  - id: Bad_Id\n    hosts: [a.example.com]\n");
    const backend = new FakeBackend();
    const deps = cliDeps(() => ({ backend, finalBackup: new FakeBackup() }));
    const code = await main(["sync", "dev", "--tenants", file, "--json"], deps);
    expect(code).to.equal(EXIT.invalidInput.code);
    expect(backend.calls).to.deep.equal([]);
    expect(JSON.parse(deps.out())).to.include({ command: "sync", exitCode: 3 });
    expect(deps.err()).to.match(/tenants\[0\] \(id "Bad_Id"\): id: must be 3-21 characters/);
  });

  it("a purge configuration differs from the normal one only in dropDataOnDestroy", () => {
    const entry = loadRegistry("dev").tenants[0];
    const normal = tenantStackConfig(settingsOf("dev"), entry, PLATFORM);
    const purge = tenantStackConfig(settingsOf("dev"), entry, PLATFORM, { dropDataOnDestroy: true });
    const differing = Object.keys(purge).filter(
      (key) => JSON.stringify(purge[key]) !== JSON.stringify(normal[key]),
    );
    expect(differing).to.deep.equal(["bbws-tenant:dropDataOnDestroy"]);
    expect(normal["bbws-tenant:dropDataOnDestroy"].value).to.equal("false");
  });
});
