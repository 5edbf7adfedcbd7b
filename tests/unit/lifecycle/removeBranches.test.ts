/**
 * `tenants remove`, branch by branch: what an id with nothing left, a retained tombstone and a
 * purge without a known configuration each answer, and what a purge of a customer-validated
 * tenant keeps attached until its destroy.
 */
import { expect } from "chai";
import { removeTenant } from "../../../tenants/lifecycle/commands/remove";
import { TENANT_CONFIG, tenantStackConfig } from "../../../tenants/stackConfig";
import { loadRegistry } from "../../../tenants/registry/load";
import { BbwsError } from "../../../lib/errors";
import { FakeBackend, contextFor, settingsOf, tempRegistry } from "./fakes";

const PLATFORM = "organization/bbws/dev";

async function rejection(promise: Promise<unknown>): Promise<BbwsError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(BbwsError);
    return error as BbwsError;
  }
  expect.fail("resolved");
}

describe("tenants remove, branch by branch", () => {
  it("an id with no entry, no stack and nothing retained: not found, nothing done", async () => {
    const backend = new FakeBackend();
    const error = await rejection(removeTenant(contextFor(backend, tempRegistry()), { tenantId: "nobody" }));
    expect(error.kind).to.equal("notFound");
    expect(error.message).to.match(
      /tenant "nobody" is not in .*dev\.yaml and has no stack; did you mean "\w+"\?; nothing was changed/,
    );
    expect(backend.calls.filter((c) => c.op !== "list")).to.deep.equal([]);
  });

  it("a removed tenant whose data is retained: not found, naming what is kept and the purge that deletes it", async () => {
    const file = tempRegistry();
    const entry = loadRegistry("dev", file).tenants.find((t) => t.id === "globex")!;
    const backend = new FakeBackend().withStack("globex", tenantStackConfig(settingsOf(), entry, PLATFORM));
    const context = contextFor(backend, file);
    expect((await removeTenant(context, { tenantId: "globex" })).exitCode).to.equal(0);
    const error = await rejection(removeTenant(context, { tenantId: "globex" }));
    expect(error.kind).to.equal("notFound");
    expect(error.message).to.match(
      /its data is retained .*`npm run tenants -- remove dev globex --purge` deletes it/,
    );
    expect(error.notes.length).to.be.greaterThan(0);
    expect(error.notes.every((note) => note.startsWith("retained: "))).to.equal(true);
    expect(error.notes.join("\n")).to.contain("wp_globex");
  });

  it("--purge of an orphan stack whose last configuration this machine lacks: refused, nothing changed", async () => {
    const backend = new FakeBackend().withStack("ghost");
    const error = await rejection(
      removeTenant(contextFor(backend, tempRegistry()), { tenantId: "ghost", purge: true }),
    );
    expect(error.kind).to.equal("refused");
    expect(error.message).to.match(
      /refused to purge dev\.ghost: it has no registry entry .*nothing was changed/,
    );
    expect(backend.calls.map((c) => c.op)).to.not.include.members(["up", "destroy", "remove"]);
  });

  it("--purge keeps an issued customer certificate attached in the purge update (ACM asked)", async () => {
    const host = "blog.umbrella-corp.co.za";
    const backend = new (class extends FakeBackend {
      override outputs(): Promise<Record<string, unknown>> {
        return Promise.resolve({
          certificateState: "issued",
          certificateArn: "arn:aws:acm:af-south-1:123456789012:certificate/u",
          certificateHosts: [host],
          servingCertificateHosts: [host],
        });
      }
    })().withStack("umbrella", {});
    const context = contextFor(backend, tempRegistry(), {
      certificates: { status: () => Promise.resolve({ status: "ISSUED" }) },
    });
    const report = await removeTenant(context, { tenantId: "umbrella", purge: true });
    expect(report.exitCode).to.equal(0);
    const [purge] = backend.upConfigs("umbrella");
    expect(JSON.parse(purge[TENANT_CONFIG.issuedCertificateHosts].value)).to.deep.equal([host]);
    expect(purge[TENANT_CONFIG.dropDataOnDestroy].value).to.equal("true");
  });
});
