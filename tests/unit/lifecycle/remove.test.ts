import * as fs from "fs";
import { expect } from "chai";
import { main } from "./fakes";
import { removeTenant } from "../../../tenants/lifecycle/commands/remove";
import { tenantStackConfig } from "../../../tenants/stackConfig";
import { EXIT } from "../../../lib/exitCodes";
import { loadRegistry } from "../../../tenants/registry/load";
import { TENANT_CONFIG } from "../../../tenants/stackConfig";
import {
  FakeBackend,
  FakeBackup,
  FakeTenantFiles,
  cliDeps,
  contextFor,
  settingsOf,
  tempRegistry,
} from "./fakes";

const PLATFORM = "organization/bbws/dev";

function deployedFleet(file: string, journal: string[]): FakeBackend {
  const backend = new FakeBackend(journal);
  for (const entry of loadRegistry("dev", file).tenants)
    backend.withStack(entry.id, tenantStackConfig(settingsOf(), entry, PLATFORM));
  return backend;
}

describe("tenants remove", () => {
  it("backs up, destroys, removes the stack, then edits the registry, in that order", async () => {
    const file = tempRegistry();
    const journal: string[] = [];
    const backend = deployedFleet(file, journal);
    const backup = new FakeBackup(journal);
    const context = contextFor(backend, file, { finalBackup: backup });
    // The registry must still hold the entry when the stack is removed: its edit comes last.
    const originalRemove = backend.remove.bind(backend);
    backend.remove = async (environment, tenantId) => {
      expect(loadRegistry("dev", file).tenants.map((t) => t.id)).to.include("globex");
      await originalRemove(environment, tenantId);
    };

    const report = await removeTenant(context, { tenantId: "globex" });

    expect(report.exitCode).to.equal(0);
    expect(journal).to.deep.equal(["backup:globex", "destroy:globex", "remove:globex"]);
    expect(backup.requests.map((r) => [r.tenantId, r.purge])).to.deep.equal([["globex", false]]);
    expect(loadRegistry("dev", file).tenants.map((t) => t.id)).to.deep.equal(["acme", "initech", "umbrella"]);
    expect(fs.readFileSync(file, "utf8")).not.to.contain("Globex shop");
    expect(fs.readFileSync(file, "utf8")).to.contain("# Initech intranet");
    expect(report.text).to.match(/kept: database wp_globex \(user wp_globex locked/);
    expect(report.text).to.match(/kept: EFS directory \/tenants\/globex/);
  });

  it("refuses (exit 4) and changes nothing when the final backup cannot be taken: fail closed", async () => {
    const file = tempRegistry();
    const before = fs.readFileSync(file);
    const backend = deployedFleet(file, []);
    const backup = new FakeBackup();
    backup.failure = new Error("ConfigurationError: the dev platform stack has no output backupVaultName");
    const deps = cliDeps(() => ({ backend, finalBackup: backup }));

    const code = await main(["remove", "dev", "globex", "--tenants", file], deps);

    expect(code).to.equal(EXIT.refused.code);
    expect(fs.readFileSync(file).equals(before)).to.equal(true);
    expect(backend.stacks.has("globex")).to.equal(true);
    expect(backend.calls.filter((c) => ["up", "destroy", "remove"].includes(c.op))).to.deep.equal([]);
    expect(deps.out()).to.match(/refused to remove dev\.globex: the final backup could not be taken/);
  });

  it("--purge updates with dropDataOnDestroy true before the destroy, after a backup that waits for the DR copies, and deletes the files last", async () => {
    const file = tempRegistry();
    const journal: string[] = [];
    const backend = deployedFleet(file, journal);
    const backup = new FakeBackup(journal);
    const files = new FakeTenantFiles(journal);

    const report = await removeTenant(
      contextFor(backend, file, { finalBackup: backup, tenantFiles: files }),
      {
        tenantId: "acme",
        purge: true,
      },
    );

    expect(report.exitCode).to.equal(0);
    expect(journal).to.deep.equal(["backup:acme", "up:acme", "destroy:acme", "remove:acme", "files:acme"]);
    expect(backup.requests[0].purge).to.equal(true);
    const [purge] = backend.upConfigs("acme");
    const entry = loadRegistry("dev").tenants.find((t) => t.id === "acme")!;
    expect(purge).to.deep.equal({
      ...tenantStackConfig(settingsOf(), entry, PLATFORM),
      [TENANT_CONFIG.dropDataOnDestroy]: { value: "true", secret: false },
    });
    expect(report.text).to.match(/dropped: database wp_acme and user wp_acme/);
    expect(report.text).to.match(/deleted: \/tenants\/acme/);
    expect(report.text).not.to.match(/kept: EFS directory/);
    expect(loadRegistry("dev", file).tenants.map((t) => t.id)).not.to.include("acme");
  });

  it("without --purge, no file is deleted", async () => {
    const file = tempRegistry();
    const files = new FakeTenantFiles();
    await removeTenant(contextFor(deployedFleet(file, []), file, { tenantFiles: files }), {
      tenantId: "acme",
    });
    expect(files.requests).to.deep.equal([]);
  });

  it("keeps the entry when the files cannot be deleted (exit 1); the re-run backs up again and finishes", async () => {
    const file = tempRegistry();
    const journal: string[] = [];
    const backend = deployedFleet(file, journal);
    const files = new FakeTenantFiles(journal);
    files.failure = new Error("deleting acme's files failed: the task exited 1");
    const context = contextFor(backend, file, { finalBackup: new FakeBackup(journal), tenantFiles: files });

    const failed = await removeTenant(context, { tenantId: "acme", purge: true });
    expect(failed.exitCode).to.equal(EXIT.failed.code);
    const [result] = (failed.json as { results: { message: string }[] }).results;
    expect(result.message).to.match(
      /dev\.acme is gone but \/tenants\/acme could not be deleted.*re-run `remove acme --purge`/,
    );
    expect(loadRegistry("dev", file).tenants.map((t) => t.id)).to.include("acme");
    expect(backend.stacks.has("acme")).to.equal(false);

    files.failure = undefined;
    journal.length = 0;
    const again = await removeTenant(context, { tenantId: "acme", purge: true });
    expect(again.exitCode).to.equal(0);
    expect(journal).to.deep.equal(["backup:acme", "files:acme"]);
    expect(loadRegistry("dev", file).tenants.map((t) => t.id)).not.to.include("acme");
  });

  it("removes an orphan stack (no entry) without touching the registry", async () => {
    const file = tempRegistry();
    const before = fs.readFileSync(file);
    const journal: string[] = [];
    const backend = new FakeBackend(journal).withStack("oldco", {});
    const report = await removeTenant(contextFor(backend, file, { finalBackup: new FakeBackup(journal) }), {
      tenantId: "oldco",
    });
    expect(report.exitCode).to.equal(0);
    expect(journal).to.deep.equal(["backup:oldco", "destroy:oldco", "remove:oldco"]);
    expect(fs.readFileSync(file).equals(before)).to.equal(true);
  });

  it("finishes an interrupted removal: only the entry is left, it goes after a new final backup", async () => {
    const file = tempRegistry();
    const journal: string[] = [];
    const backend = new FakeBackend(journal);
    const report = await removeTenant(contextFor(backend, file, { finalBackup: new FakeBackup(journal) }), {
      tenantId: "umbrella",
    });
    expect(report.exitCode).to.equal(0);
    expect(journal).to.deep.equal(["backup:umbrella"]);
    expect(loadRegistry("dev", file).tenants.map((t) => t.id)).not.to.include("umbrella");
  });

  it("keeps the entry when the destroy fails (exit 1), so a re-run can finish", async () => {
    const file = tempRegistry();
    const backend = deployedFleet(file, []);
    backend.failures.set("destroy:initech", new Error("error: deleting ECS Service: timeout"));
    const report = await removeTenant(contextFor(backend, file), { tenantId: "initech" });
    expect(report.exitCode).to.equal(EXIT.failed.code);
    expect(loadRegistry("dev", file).tenants.map((t) => t.id)).to.include("initech");
    expect(backend.stacks.has("initech")).to.equal(true);
  });

  it("exits 6 (not found) for a tenant with neither an entry nor a stack, suggesting the closest id", async () => {
    const file = tempRegistry();
    const deps = cliDeps(() => ({ backend: new FakeBackend(), finalBackup: new FakeBackup() }));
    const code = await main(["remove", "dev", "globx", "--tenants", file], deps);
    expect(code).to.equal(EXIT.notFound.code);
    expect(deps.err()).to.match(/tenant "globx" is not in .* and has no stack; did you mean "globex"\?/);
  });
});
