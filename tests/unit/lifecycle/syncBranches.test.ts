/**
 * `tenants sync` branches the main tests leave open: a subset of ids, an unknown id, orphans
 * kept or pruned (with their messages), nothing to allocate, and the report's fields.
 */
import * as fs from "fs";
import { expect } from "chai";
import { syncTenants } from "../../../tenants/lifecycle/commands/sync";
import { BbwsError } from "../../../lib/errors";
import { FakeBackend, contextFor, tempRegistry } from "./fakes";

interface ResultJson {
  tenantId: string;
  stack: string;
  operation: string;
  result: string;
  message: string;
  details?: string[];
  changes?: Record<string, number>;
}
const resultsOf = (json: Record<string, unknown>) => json.results as ResultJson[];

describe("tenants sync, branch by branch", () => {
  it("syncs only the ids given (entries and orphans), and notes nothing when every slot is written", async () => {
    const file = tempRegistry();
    const before = fs.readFileSync(file, "utf8");
    const backend = new FakeBackend().withStack("ghost").withStack("other");
    const context = contextFor(backend, file);

    const report = await syncTenants(context, { tenantIds: ["globex", "ghost"] });

    expect(backend.calls.filter((c) => c.op === "up").map((c) => c.tenantId)).to.deep.equal(["globex"]);
    const results = resultsOf(report.json);
    expect(results.map((r) => `${r.tenantId}:${r.operation}:${r.result}`)).to.deep.equal([
      "globex:create:ok",
      "ghost:orphan:skipped",
    ]);
    expect(results[0].message).to.equal("+27 ~0 ±0 -0 =0");
    expect(results[0].changes).to.deep.equal({ create: 27, update: 0, replace: 0, delete: 0, same: 0 });
    expect(results[1].message).to.equal(
      "no registry entry: kept; `sync --prune` removes it after a final backup",
    );
    expect(report.json).to.deep.include({
      command: "sync",
      environment: "dev",
      backend: "fake",
      registry: file,
      platformStack: "organization/bbws/dev",
      allocated: [],
      exitCode: 0,
    });
    expect(context.notes).to.deep.equal([]);
    expect(context.changes).to.deep.equal([]);
    expect(fs.readFileSync(file, "utf8")).to.equal(before);
  });

  it("an existing stack is updated, a new one created", async () => {
    const backend = new FakeBackend().withStack("acme");
    const report = await syncTenants(contextFor(backend, tempRegistry()), { tenantIds: ["acme", "initech"] });
    expect(resultsOf(report.json).map((r) => `${r.tenantId}:${r.operation}`)).to.deep.equal([
      "acme:update",
      "initech:create",
    ]);
  });

  it("refuses an unknown id before anything changes, naming the registry", async () => {
    const backend = new FakeBackend();
    let error: unknown;
    try {
      await syncTenants(contextFor(backend, tempRegistry()), { tenantIds: ["acme", "acne2"] });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(BbwsError);
    expect((error as Error).message).to.match(
      /^tenant "acne2" is not in .*dev\.yaml and has no stack; did you mean/,
    );
    expect(backend.calls.filter((c) => c.op === "up")).to.deep.equal([]);
  });

  it("--prune of one orphan by id is allowed even when the registry lists no tenants", async () => {
    const file = tempRegistry("tenants: []\n");
    const backend = new FakeBackend().withStack("ghost").withStack("spook");
    const context = contextFor(backend, file);

    const report = await syncTenants(context, { prune: true, tenantIds: ["ghost"] });

    expect(report.exitCode).to.equal(0);
    const [ghost] = resultsOf(report.json);
    expect(ghost.operation).to.equal("prune");
    expect(ghost.result).to.equal("ok");
    expect(ghost.message).to.equal("stack removed (0 resources destroyed), data kept");
    expect(ghost.details![0]).to.equal("final backup of ghost");
    expect(ghost.details!.length).to.be.greaterThan(1);
    expect([...backend.stacks.keys()]).to.deep.equal(["spook"]);
  });

  it("--prune with no orphans and an empty registry does nothing and succeeds", async () => {
    const backend = new FakeBackend();
    const report = await syncTenants(contextFor(backend, tempRegistry("tenants: []\n")), { prune: true });
    expect(report.exitCode).to.equal(0);
    expect(resultsOf(report.json)).to.deep.equal([]);
  });

  it("--prune refusal names the file and the number of stacks", async () => {
    const file = tempRegistry("tenants: []\n");
    const backend = new FakeBackend().withStack("ghost").withStack("spook");
    let error: unknown;
    try {
      await syncTenants(contextFor(backend, file), { prune: true });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(BbwsError);
    expect((error as BbwsError).kind).to.equal("refused");
    expect((error as Error).message).to.equal(
      `refused to prune: ${file} lists no tenants, so --prune would remove all 2 tenant stacks of dev; ` +
        "check the file, or remove tenants one by one with `remove`; nothing was changed",
    );
  });
});
