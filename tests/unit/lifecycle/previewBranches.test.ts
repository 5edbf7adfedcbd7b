/**
 * `tenants preview`: what it previews (every entry, or the ids given), with which configuration,
 * what it says about unallocated slots and orphan stacks, and how it ends.
 */
import * as fs from "fs";
import { expect } from "chai";
import { parseDocument } from "yaml";
import { previewTenants } from "../../../tenants/lifecycle/commands/preview";
import { loadRegistry } from "../../../tenants/registry/load";
import { tenantStackConfig } from "../../../tenants/stackConfig";
import { BbwsError } from "../../../lib/errors";
import { EXIT } from "../../../lib/exitCodes";
import { FakeBackend, contextFor, settingsOf, tempRegistry } from "./fakes";

const PLATFORM = "organization/bbws/dev";

interface ResultJson {
  tenantId: string;
  stack: string;
  operation: string;
  result: string;
  message: string;
  changes?: Record<string, number>;
  exitCode: number;
}
const resultsOf = (json: Record<string, unknown>) => json.results as ResultJson[];

describe("tenants preview", () => {
  it("previews every entry with the configuration sync would set, and lists orphans as skipped", async () => {
    const file = tempRegistry();
    const backend = new FakeBackend().withStack("ghost");

    const context = contextFor(backend, file);
    const report = await previewTenants(context);

    expect(report.exitCode).to.equal(EXIT.ok.code);
    const previewed = backend.calls.filter((c) => c.op === "preview");
    expect(previewed.map((c) => c.tenantId)).to.deep.equal(["acme", "globex", "initech", "umbrella"]);
    for (const entry of loadRegistry("dev", file).tenants) {
      const call = previewed.find((c) => c.tenantId === entry.id)!;
      expect(call.config).to.deep.equal(tenantStackConfig(settingsOf("dev"), entry, PLATFORM));
    }
    // Nothing is deployed, nothing written.
    expect(backend.calls.filter((c) => c.op === "up")).to.deep.equal([]);
    expect(fs.readFileSync(file, "utf8")).to.equal(fs.readFileSync(tempRegistry(), "utf8"));

    const results = resultsOf(report.json);
    expect(results.map((r) => `${r.stack}:${r.operation}:${r.result}`)).to.deep.equal([
      "dev.acme:preview:ok",
      "dev.globex:preview:ok",
      "dev.initech:preview:ok",
      "dev.umbrella:preview:ok",
      "dev.ghost:orphan:skipped",
    ]);
    expect(results[0].message).to.equal("+27 ~0 ±0 -0 =0");
    expect(results[0].changes).to.deep.equal({ create: 27, update: 0, replace: 0, delete: 0, same: 0 });
    expect(results[4].message).to.equal("orphan stack (no registry entry): `sync --prune` would remove it");
    expect(report.json).to.deep.include({
      command: "preview",
      environment: "dev",
      backend: "fake",
      registry: file,
      platformStack: PLATFORM,
      exitCode: 0,
    });
    expect(report.text).to.match(/dev\.acme\s.*27\s.*ok/);
    expect(report.text).to.include("dev.ghost");
    expect(context.notes).to.deep.equal([]);
  });

  it("previews only the ids given, and then lists no orphans", async () => {
    const file = tempRegistry();
    const backend = new FakeBackend().withStack("ghost");
    const report = await previewTenants(contextFor(backend, file), { tenantIds: ["initech", "acme"] });
    // File order, not argument order.
    expect(resultsOf(report.json).map((r) => r.tenantId)).to.deep.equal(["acme", "initech"]);
    expect(backend.calls.filter((c) => c.op === "preview").map((c) => c.tenantId)).to.deep.equal([
      "acme",
      "initech",
    ]);
  });

  it("an empty id list previews everything", async () => {
    const report = await previewTenants(contextFor(new FakeBackend(), tempRegistry()), { tenantIds: [] });
    expect(resultsOf(report.json)).to.have.length(4);
  });

  it("refuses an unknown id before previewing anything, suggesting the closest one", async () => {
    const backend = new FakeBackend();
    let error: unknown;
    try {
      await previewTenants(contextFor(backend, tempRegistry()), { tenantIds: ["acme", "globx"] });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(BbwsError);
    expect((error as BbwsError).message).to.match(
      /^tenant "globx" is not in .*dev\.yaml; did you mean "globex"\?/,
    );
    expect((error as BbwsError).kind).to.equal("notFound");
    expect(backend.calls.filter((c) => c.op === "preview")).to.deep.equal([]);
  });

  it("notes entries whose listener slot is allocated in memory only, and previews them with it", async () => {
    const document = parseDocument(fs.readFileSync(tempRegistry(), "utf8"));
    document.deleteIn(["tenants", 1, "listener"]);
    const file = tempRegistry(document.toString({ lineWidth: 0 }));
    const before = fs.readFileSync(file, "utf8");
    const backend = new FakeBackend();
    const context = contextFor(backend, file);

    await previewTenants(context);

    expect(context.notes).to.have.length(1);
    expect(context.notes[0]).to.equal(
      `listener slots of globex are not in ${file} yet: previewed with the slots \`sync\` would write`,
    );
    const globex = backend.calls.find((c) => c.op === "preview" && c.tenantId === "globex")!;
    expect(globex.config!["bbws-tenant:tenant"].value).to.contain('"listener":{"shard":0,"priority":2}');
    expect(fs.readFileSync(file, "utf8")).to.equal(before);
  });

  it("a failing preview fails that tenant only, and the run exits 1", async () => {
    const file = tempRegistry();
    const backend = new FakeBackend();
    backend.failures.set("preview:globex", new Error("error: preview failed: AccessDenied\nsecond line"));
    const report = await previewTenants(contextFor(backend, file));
    expect(report.exitCode).to.equal(EXIT.failed.code);
    const results = resultsOf(report.json);
    expect(results.map((r) => `${r.tenantId}:${r.result}`)).to.deep.equal([
      "acme:ok",
      "globex:failed",
      "initech:ok",
      "umbrella:ok",
    ]);
    expect(results[1].exitCode).to.equal(EXIT.failed.code);
    expect(report.text).to.match(/dev\.globex\s.*failed: error: preview failed: AccessDenied/);
  });
});
