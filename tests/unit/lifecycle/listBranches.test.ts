/**
 * `tenants list`, one test per status it can report (in sync, missing stack, orphan stack, each
 * reason for pending changes, error), against the in-memory backend.
 */
import { expect } from "chai";
import { parseDocument } from "yaml";
import * as fs from "fs";
import { listTenants, ListRow } from "../../../tenants/lifecycle/commands/list";
import { loadRegistry } from "../../../tenants/registry/load";
import { tenantStackConfig, TenantStackConfig } from "../../../tenants/stackConfig";
import { DeployedState } from "../../../tenants/lifecycle/backend";
import { EXIT } from "../../../lib/exitCodes";
import { FakeBackend, RecordingProgress, contextFor, settingsOf, tempRegistry } from "./fakes";

const PLATFORM = "organization/bbws/dev";

/** The configuration `sync` would set for a committed dev entry. */
function desiredOf(file: string, id: string): TenantStackConfig {
  const entry = loadRegistry("dev", file).tenants.find((t) => t.id === id)!;
  return tenantStackConfig(settingsOf("dev"), entry, PLATFORM);
}

const rowsOf = (json: Record<string, unknown>) => json.tenants as ListRow[];

describe("tenants list, status by status", () => {
  it("in sync: every entry deployed with the configuration it implies (exit 0)", async () => {
    const file = tempRegistry();
    const backend = new FakeBackend();
    for (const t of loadRegistry("dev", file).tenants) backend.withStack(t.id, desiredOf(file, t.id));

    const report = await listTenants(contextFor(backend, file));

    expect(report.exitCode).to.equal(EXIT.ok.code);
    expect(rowsOf(report.json)).to.deep.equal(
      ["acme", "globex", "initech", "umbrella"].map((id) => ({
        tenantId: id,
        stack: `dev.${id}`,
        status: "in sync",
        detail: "",
      })),
    );
    expect(report.text).to.include(`4 in sync (fake backend, registry ${file}).`);
    expect(report.json).to.deep.include({
      command: "list",
      environment: "dev",
      backend: "fake",
      registry: file,
      platformStack: PLATFORM,
      exitCode: 0,
    });
    // Without --preview nothing is previewed.
    expect(backend.calls.filter((c) => c.op === "preview")).to.deep.equal([]);
  });

  it("missing stack and orphan stack, counted per status in the summary", async () => {
    const file = tempRegistry();
    const backend = new FakeBackend()
      .withStack("acme", desiredOf(file, "acme"))
      .withStack("zeta", undefined)
      .withStack("beta", undefined);

    const report = await listTenants(contextFor(backend, file));

    expect(report.exitCode).to.equal(0);
    const rows = rowsOf(report.json);
    expect(rows.map((r) => `${r.tenantId}:${r.status}:${r.detail}`)).to.deep.equal([
      "acme:in sync:",
      "globex:missing stack:`sync` creates it",
      "initech:missing stack:`sync` creates it",
      "umbrella:missing stack:`sync` creates it",
      // Orphans after the entries, sorted.
      "beta:orphan stack:no registry entry; `sync --prune` destroys it after a final backup",
      "zeta:orphan stack:no registry entry; `sync --prune` destroys it after a final backup",
    ]);
    expect(rows.find((r) => r.tenantId === "zeta")!.stack).to.equal("dev.zeta");
    expect(report.text).to.include("1 in sync, 3 missing stack, 2 orphan stack (fake backend");
    // A missing stack is never asked for its deployed state.
    expect(backend.calls.filter((c) => c.op === "deployed").map((c) => c.tenantId)).to.deep.equal(["acme"]);
  });

  it("pending changes: a stack never updated by the lifecycle", async () => {
    const file = tempRegistry();
    const backend = new FakeBackend().withStack("acme");
    const [acme] = rowsOf((await listTenants(contextFor(backend, file))).json);
    expect(acme).to.deep.equal({
      tenantId: "acme",
      stack: "dev.acme",
      status: "pending changes",
      detail: "never updated by the lifecycle",
    });
  });

  it("pending changes: names the fields of the configuration that differ", async () => {
    const file = tempRegistry();
    const desired = desiredOf(file, "acme");
    const tenant = JSON.parse(desired["bbws-tenant:tenant"].value) as Record<string, unknown>;
    const changed: TenantStackConfig = {
      ...desired,
      "bbws-tenant:tenant": {
        ...desired["bbws-tenant:tenant"],
        value: JSON.stringify({ ...tenant, size: "large" }),
      },
    };
    const backend = new FakeBackend().withStack("acme", changed);
    const [acme] = rowsOf((await listTenants(contextFor(backend, file))).json);
    expect(acme.status).to.equal("pending changes");
    expect(acme.detail).to.equal("configuration differs: tenant.size");
  });

  it("pending changes: a differing hash without the configuration says so without fields", async () => {
    const file = tempRegistry();
    const backend = new FakeBackend().withStack("acme", desiredOf(file, "acme"));
    backend.deployed = (): Promise<DeployedState | undefined> =>
      Promise.resolve({ configHash: "0".repeat(64) });
    const [acme] = rowsOf((await listTenants(contextFor(backend, file))).json);
    expect(acme.status).to.equal("pending changes");
    expect(acme.detail).to.equal("configuration differs from the last update");
  });

  it("pending changes: an entry without a listener slot, joined with the other reasons", async () => {
    const document = parseDocument(fs.readFileSync(tempRegistry(), "utf8"));
    document.deleteIn(["tenants", 0, "listener"]);
    const file = tempRegistry(document.toString({ lineWidth: 0 }));
    const backend = new FakeBackend().withStack("acme");
    const [acme] = rowsOf((await listTenants(contextFor(backend, file))).json);
    expect(acme.status).to.equal("pending changes");
    expect(acme.detail).to.equal("no listener slot in the registry yet; never updated by the lifecycle");
  });

  it("--preview: a preview with changes is a pending change, one without keeps the stack in sync", async () => {
    const file = tempRegistry();
    const backend = new FakeBackend()
      .withStack("acme", desiredOf(file, "acme"))
      .withStack("globex", desiredOf(file, "globex"));
    backend.preview = (target) =>
      Promise.resolve(
        target.tenantId === "acme"
          ? { create: 0, update: 0, replace: 0, delete: 0, same: 27 }
          : { create: 0, update: 2, replace: 0, delete: 0, same: 25 },
      );
    const progress = new RecordingProgress();

    const report = await listTenants(contextFor(backend, file, { progress }), { preview: true });

    const [acme, globex] = rowsOf(report.json);
    expect(acme).to.deep.equal({
      tenantId: "acme",
      stack: "dev.acme",
      status: "in sync",
      detail: "",
      changes: { create: 0, update: 0, replace: 0, delete: 0, same: 27 },
    });
    expect(globex.status).to.equal("pending changes");
    expect(globex.detail).to.equal("preview: +0 ~2 ±0 -0 =25");
    expect(globex.changes).to.deep.equal({ create: 0, update: 2, replace: 0, delete: 0, same: 25 });
    expect(progress.changes.filter((c) => c.key === "dev.acme").map((c) => c.state)).to.deep.equal([
      "previewing",
      "done",
    ]);
  });

  it("error: a stack that cannot be read is reported with its message, and the exit code is 1", async () => {
    const file = tempRegistry();
    const backend = new FakeBackend().withStack("acme", desiredOf(file, "acme")).withStack("globex");
    backend.deployed = (_env, id) =>
      id === "globex"
        ? Promise.reject(new Error("error: could not read the stack's state"))
        : FakeBackend.prototype.deployed.call(backend, "dev", id);
    const progress = new RecordingProgress();

    const report = await listTenants(contextFor(backend, file, { progress, concurrency: 0 }));

    expect(report.exitCode).to.equal(EXIT.failed.code);
    const rows = rowsOf(report.json);
    expect(rows[1]).to.deep.equal({
      tenantId: "globex",
      stack: "dev.globex",
      status: "error",
      detail: "error: could not read the stack's state",
    });
    expect(rows[0].status).to.equal("in sync");
    expect(report.json.exitCode).to.equal(EXIT.failed.code);
    expect(progress.changes).to.deep.include({ key: "dev.globex", state: "failed" });
    expect(report.text).to.match(/dev\.globex\s+.*error/);
  });
});
