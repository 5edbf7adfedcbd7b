/**
 * The lifecycle's half of a certificate the customer validates: ACM is asked before every
 * update (the configuration names what is issued), a pending tenant ends `pending` (exit 14)
 * with the records its customer creates, a certificate issued meanwhile is attached by a second
 * update, and `--certificate-wait` / `--verify-timeout` reach the commands. Through the real
 * tenant program on the offline engine, and with fakes where the sequence matters.
 */
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { defaultPorts } from "../../../cli/lifecycle";
import { OfflineState } from "../../../offline/state";
import { TENANT_CONFIG } from "../../../tenants/stackConfig";
import { StackTarget, UpOutcome } from "../../../tenants/lifecycle/backend";
import {
  assertKeepsServing,
  awaitIssued,
  issuedCertificateHosts,
  issuedHostsOf,
} from "../../../tenants/lifecycle/certificates";
import { servesNothing } from "../../../config/tenantOutputs";
import { deployTenant } from "../../../tenants/lifecycle/deploy";
import { CertificateStatus, CertificateStatusCheck } from "../../../tenants/lifecycle/ports";
import { combineKinds, exitCodeOf } from "../../../lib/exitCodes";
import { BbwsError } from "../../../lib/errors";
import { ACMClient, DescribeCertificateCommand } from "@aws-sdk/client-acm";
import { mockClient } from "aws-sdk-client-mock";
import { acmCertificateStatus } from "../../../ops/certificateStatus";
import { FakeBackend, cliDeps, contextFor, main, settingsOf, tempDir, tempRegistry } from "./fakes";

const HOST = "blog.umbrella-corp.co.za";
const ARN = "arn:aws:acm:af-south-1:123456789012:certificate/umbrella";

/** ACM answering from a list, one answer per call (the last one repeats). */
function acmAnswering(...answers: string[]): CertificateStatusCheck & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    status(_tenantId, arn): Promise<CertificateStatus> {
      calls.push(arn);
      return Promise.resolve({ status: answers[Math.min(calls.length - 1, answers.length - 1)] });
    },
  };
}

/** A backend whose tenant program serves the host only when the configuration says it is issued. */
class CertificateBackend extends FakeBackend {
  readonly issuedConfigs: string[][] = [];
  override async up(target: StackTarget): Promise<UpOutcome> {
    const outcome = await super.up(target);
    const issued = JSON.parse(target.config[TENANT_CONFIG.issuedCertificateHosts].value) as string[];
    this.issuedConfigs.push(issued);
    const serving = issued.includes(HOST);
    // Attaching the certificate creates the rule, redirect and service: 5 more resources.
    return serving
      ? {
          changes: { ...outcome.changes, create: 5 },
          outputs: this.outputsFor(true),
          warnings: ["a warning of the attaching update"],
        }
      : { ...outcome, outputs: this.outputsFor(false) };
  }
  outputsFor(serving: boolean): Record<string, unknown> {
    return {
      hosts: [HOST],
      certificateState: serving ? "issued" : "pending",
      certificateArn: ARN,
      certificateHosts: [HOST],
      servingHosts: serving ? [HOST] : [],
      servingCertificateHosts: serving ? [HOST] : [],
      customerRecords: [
        {
          name: `_x.${HOST}`,
          type: "CNAME",
          target: "_y.acm-validations.aws",
          purpose: "certificate validation",
        },
      ],
    };
  }
  override outputs(): Promise<Record<string, unknown>> {
    return Promise.resolve(this.outputsFor(false));
  }
}

const umbrella = () => ({
  entry: { id: "umbrella", hosts: [HOST], listener: { shard: 0, priority: 4 } },
  settings: settingsOf("dev"),
  platformStack: "organization/bbws/dev",
});

describe("pending certificates in the lifecycle", function () {
  this.timeout(120000);

  describe("deployTenant", () => {
    it("still pending after the update: result pending with the customer's records, one update only", async () => {
      const backend = new CertificateBackend();
      const certificates = acmAnswering("PENDING_VALIDATION");
      const context = contextFor(backend, tempRegistry(), { certificates });
      const outcome = await deployTenant(context, { ...umbrella(), stackExists: false }, () => undefined);
      expect(outcome.pending).to.equal(true);
      expect(backend.issuedConfigs).to.deep.equal([[]]);
      expect(outcome.details!.join("\n")).to.contain(`for ${HOST} is not issued (ACM: PENDING_VALIDATION)`);
      expect(outcome.details!.join("\n")).to.contain("nothing is served yet");
      expect(outcome.details!.join("\n")).to.match(
        /customer DNS: CNAME _x\.blog\.umbrella-corp\.co\.za -> .*certificate validation/,
      );
    });

    it("issued meanwhile: a second update attaches it and serves the host", async () => {
      const backend = new CertificateBackend();
      const certificates = acmAnswering("ISSUED");
      const context = contextFor(backend, tempRegistry(), { certificates });
      const outcome = await deployTenant(context, { ...umbrella(), stackExists: false }, () => undefined);
      expect(outcome.pending).to.equal(false);
      expect(backend.issuedConfigs).to.deep.equal([[], [HOST]]);
      expect(outcome.details!.join("\n")).to.contain(
        `certificate for ${HOST} issued: attached, hosts served`,
      );
      // Both updates' work is reported: 27 resources created, then 5 more; and its warnings.
      expect(outcome.changes).to.include({ create: 32 });
      expect(outcome.details).to.include("a warning of the attaching update");
    });

    it("an existing stack whose certificate ACM has issued is updated with it in the configuration", async () => {
      const backend = new CertificateBackend().withStack("umbrella");
      const certificates = acmAnswering("ISSUED");
      const context = contextFor(backend, tempRegistry(), { certificates });
      await deployTenant(context, { ...umbrella(), stackExists: true }, () => undefined);
      expect(backend.issuedConfigs).to.deep.equal([[HOST]]);
      expect(certificates.calls).to.deep.equal([ARN]);
    });
  });

  describe("updates that would stop serving", () => {
    it("a new primary host without an issued certificate is refused before anything changes", async () => {
      const backend = new (class extends CertificateBackend {
        override outputs(): Promise<Record<string, unknown>> {
          return Promise.resolve({ ...this.outputsFor(true), servingHosts: [HOST] });
        }
      })().withStack("umbrella");
      const context = contextFor(backend, tempRegistry(), { certificates: acmAnswering("ISSUED") });
      const entry = {
        ...umbrella().entry,
        hosts: ["www.umbrella-corp.co.za", HOST],
        primaryHost: "www.umbrella-corp.co.za",
      };
      try {
        await deployTenant(context, { ...umbrella(), entry, stackExists: true }, () => undefined);
        expect.fail("resolved");
      } catch (error) {
        expect(error).to.be.instanceOf(BbwsError);
        expect((error as BbwsError).kind).to.equal("refused");
        expect((error as BbwsError).message).to.match(
          /primary host www\.umbrella-corp\.co\.za has no issued certificate yet.*nothing was changed/,
        );
      }
      expect(backend.calls.filter((c) => c.op === "up")).to.deep.equal([]);
    });

    it("a tenant that serves nothing yet may change its primary host (nothing would go dark)", async () => {
      const backend = new CertificateBackend().withStack("umbrella");
      const context = contextFor(backend, tempRegistry(), {
        certificates: acmAnswering("PENDING_VALIDATION"),
      });
      const entry = { ...umbrella().entry, hosts: ["www.umbrella-corp.co.za", HOST] };
      const outcome = await deployTenant(
        context,
        { ...umbrella(), entry, stackExists: true },
        () => undefined,
      );
      expect(outcome.pending).to.equal(true);
      expect(backend.calls.filter((c) => c.op === "up")).to.have.length(1);
    });

    it("the refusal names the registry's first host when the entry sets no primary host", () => {
      const current = { servingHosts: [HOST], hosts: [HOST] };
      const next = { state: "pending" as const, wanted: ["new.co.za"], servingHosts: [] };
      expect(() =>
        assertKeepsServing("dev", { id: "umbrella", hosts: ["new.co.za", HOST] }, current, next),
      ).to.throw(
        /primary host new\.co\.za has no issued certificate yet.*today it serves blog\.umbrella-corp\.co\.za/,
      );
    });

    it("a host removed, every remaining host still served by the old certificate: ok, not pending", async () => {
      const backend = new (class extends CertificateBackend {
        override async up(target: StackTarget): Promise<UpOutcome> {
          const outcome = await super.up(target);
          return {
            ...outcome,
            outputs: {
              ...outcome.outputs,
              certificateState: "pending",
              servingHosts: [HOST],
              servingCertificateHosts: [HOST, "old.umbrella-corp.co.za"],
            },
          };
        }
      })();
      const context = contextFor(backend, tempRegistry(), {
        certificates: acmAnswering("PENDING_VALIDATION"),
      });
      const outcome = await deployTenant(context, { ...umbrella(), stackExists: false }, () => undefined);
      expect(outcome.pending).to.equal(false);
      expect(outcome.details!.join("\n")).to.contain(
        "every host is still served by the certificate issued before",
      );
    });
  });

  describe("what ACM is asked", () => {
    it("issued hosts: the certificate's when ACM says ISSUED, else what is attached; nothing asked when no customer validates", async () => {
      const pending = {
        certificateState: "pending",
        certificateArn: ARN,
        certificateHosts: ["a.co.za", "b.co.za"],
        servingCertificateHosts: ["a.co.za"],
      };
      expect(await issuedHostsOf(acmAnswering("ISSUED"), "t", pending)).to.deep.equal(["a.co.za", "b.co.za"]);
      expect(await issuedHostsOf(acmAnswering("PENDING_VALIDATION"), "t", pending)).to.deep.equal([
        "a.co.za",
      ]);
      expect(await issuedHostsOf(undefined, "t", pending)).to.deep.equal(["a.co.za"]);
      // A tenant whose zone is no longer managed keeps the certificate the platform validated.
      const managed = { ...pending, certificateState: "managed" };
      expect(await issuedHostsOf(acmAnswering("ISSUED"), "t", managed)).to.deep.equal(["a.co.za", "b.co.za"]);
      expect(await issuedHostsOf(acmAnswering("PENDING_VALIDATION"), "t", managed)).to.deep.equal([]);
      expect(
        await issuedCertificateHosts({ backend: new FakeBackend() }, "dev", "t", false, true),
      ).to.deep.equal([]);
      // A certificate the customer does not validate: nothing to ask, whatever the stack has.
      const notAsked = acmAnswering("ISSUED");
      const backend = new CertificateBackend();
      expect(
        await issuedCertificateHosts({ backend, certificates: notAsked }, "dev", "t", true, false),
      ).to.deep.equal([]);
      expect(notAsked.calls).to.deep.equal([]);
    });

    it("an existing stack whose certificate the customer validates is asked about; a new one or a managed one is not", async () => {
      const backend = new CertificateBackend();
      const asked = acmAnswering("ISSUED");
      expect(
        await issuedCertificateHosts({ backend, certificates: asked }, "dev", "t", true, true),
      ).to.deep.equal([HOST]);
      expect(
        await issuedCertificateHosts({ backend, certificates: asked }, "dev", "t", false, true),
      ).to.deep.equal([]);
      expect(
        await issuedCertificateHosts({ backend, certificates: asked }, "dev", "t", true, false),
      ).to.deep.equal([]);
      expect(asked.calls).to.have.length(1);
      // Issued and attached, ACM not answering ISSUED (expired...): what is attached stays.
      const issued = {
        certificateState: "issued",
        certificateArn: ARN,
        certificateHosts: [HOST],
        servingCertificateHosts: [HOST],
      };
      expect(await issuedHostsOf(acmAnswering("EXPIRED"), "t", issued)).to.deep.equal([HOST]);
    });

    it("awaitIssued stops asking once another interval would pass the deadline", async () => {
      const never = acmAnswering("PENDING_VALIDATION");
      const verdict = await awaitIssued(never, "t", ARN, { timeoutSeconds: 1.5, intervalSeconds: 1 });
      expect(verdict.issued).to.equal(false);
      // At 0 s and 1 s; a third ask at 2 s would be past the 1.5 s deadline.
      expect(never.calls).to.have.length(2);
    });

    it("awaitIssued asks until ISSUED within the wait, and stops at a status that will not change", async () => {
      const later = acmAnswering("PENDING_VALIDATION", "PENDING_VALIDATION", "ISSUED");
      const verdict = await awaitIssued(later, "t", ARN, { timeoutSeconds: 5, intervalSeconds: 0.01 });
      expect(verdict.issued).to.equal(true);
      expect(later.calls).to.have.length(3);
      const once = acmAnswering("PENDING_VALIDATION", "ISSUED");
      expect((await awaitIssued(once, "t", ARN, { timeoutSeconds: 0, intervalSeconds: 15 })).issued).to.equal(
        false,
      );
      expect(once.calls).to.have.length(1);
      const failed = acmAnswering("FAILED", "ISSUED");
      const verdictFailed = await awaitIssued(failed, "t", ARN, { timeoutSeconds: 5, intervalSeconds: 0.01 });
      expect(verdictFailed).to.deep.include({ issued: false });
      expect(verdictFailed.status!.status).to.equal("FAILED");
      expect(failed.calls).to.have.length(1);
    });

    it("ACM's answer (DescribeCertificate): ISSUED, or the status with the names still waiting and the failure reason", async () => {
      const acm = mockClient(ACMClient);
      try {
        acm
          .on(DescribeCertificateCommand, { CertificateArn: ARN })
          .resolvesOnce({ Certificate: { Status: "ISSUED" } })
          .resolvesOnce({
            Certificate: {
              Status: "PENDING_VALIDATION",
              DomainValidationOptions: [
                { DomainName: "a.co.za", ValidationStatus: "SUCCESS" },
                { DomainName: "b.co.za", ValidationStatus: "PENDING_VALIDATION" },
              ],
            },
          })
          .resolvesOnce({ Certificate: { Status: "FAILED", FailureReason: "CAA_ERROR" } })
          .rejectsOnce(
            Object.assign(new Error("Could not find certificate"), { name: "ResourceNotFoundException" }),
          )
          .rejectsOnce(Object.assign(new Error("not authorized"), { name: "AccessDeniedException" }));
        const check = acmCertificateStatus(() => new ACMClient({ region: "af-south-1" }));
        expect(await check.status("t", ARN)).to.deep.equal({ status: "ISSUED" });
        expect(await check.status("t", ARN)).to.deep.equal({
          status: "PENDING_VALIDATION",
          detail: "b.co.za: PENDING_VALIDATION",
        });
        expect(await check.status("t", ARN)).to.deep.equal({ status: "FAILED", detail: "CAA_ERROR" });
        expect((await check.status("t", ARN)).status).to.equal("NOT_FOUND");
        // Anything else is the operator's to fix (a missing permission): it is not hidden.
        try {
          await check.status("t", ARN);
          expect.fail("resolved");
        } catch (error) {
          expect((error as Error).name).to.equal("AccessDeniedException");
        }
      } finally {
        acm.restore();
      }
    });

    it("servesNothing only for a pending certificate with nothing attached", () => {
      expect(servesNothing({ certificateState: "pending", servingHosts: [] })).to.equal(true);
      expect(servesNothing({ certificateState: "pending", servingHosts: ["a.co.za"] })).to.equal(false);
      expect(servesNothing({ certificateState: "issued", servingHosts: [] })).to.equal(false);
    });

    it("a pending tenant exits 14, and any failure of another tenant wins over it", () => {
      expect(exitCodeOf("pending")).to.equal(14);
      expect(combineKinds(["ok", "pending"])).to.equal("pending");
      expect(combineKinds(["pending", "failed", "ok"])).to.equal("failed");
      expect(combineKinds(["unverified", "pending"])).to.equal("unverified");
    });
  });

  describe("end to end through the CLI (offline engine)", () => {
    const stateDir = tempDir("bbws-offline-pending-");
    const file = tempRegistry();
    const common = ["--offline", "--tenants", file, "--offline-state", stateDir];
    async function run(...args: string[]) {
      const deps = cliDeps((request) => defaultPorts(request));
      const code = await main([...args, ...common], deps);
      return { code, out: deps.out(), err: deps.err() };
    }
    const resources = () => {
      const state = JSON.parse(fs.readFileSync(path.join(stateDir, "state.json"), "utf8")) as OfflineState;
      return Object.values(state.stacks["dev.umbrella"].resources).map((r) => r.type);
    };

    it("ACM never issuing: exit 14, the records printed, no rule and no service in the stack", async () => {
      const { code, out } = await run(
        "sync",
        "dev",
        "umbrella",
        "--offline-fault",
        "umbrella:certificate:hang",
      );
      expect(code).to.equal(14);
      expect(out).to.match(/dev\.umbrella +│ create +│ pending/);
      expect(out).to.contain("(certificate validation)");
      const types = resources();
      expect(types).to.include("aws:acm/certificate:Certificate");
      expect(types).to.not.include("aws:lb/listenerRule:ListenerRule");
      expect(types).to.not.include("aws:ecs/service:Service");
    });

    it("list names the pending certificate and prints the customer's records under the table", async () => {
      const { code, out } = await run("list", "dev", "--offline-fault", "umbrella:certificate:hang");
      expect(code).to.equal(0);
      expect(out).to.match(/umbrella .*certificate pending/);
      expect(out).to.contain("pending validation");
      expect(out).to.match(
        /dev\.umbrella:\n {2}customer DNS: CNAME blog\.umbrella-corp\.co\.za -> .*\(traffic, once the certificate is issued\): not checked \(offline\)/,
      );
      const json = await run("list", "dev", "--json", "--offline-fault", "umbrella:certificate:hang");
      const row = (JSON.parse(json.out) as { tenants: { tenantId: string; edge?: string[] }[] }).tenants.find(
        (t) => t.tenantId === "umbrella",
      )!;
      expect(row.edge!.some((line) => line.includes("(certificate validation)"))).to.equal(true);
    });

    it("once ACM has issued it, sync attaches it and creates the rule and the service", async () => {
      const { code, out } = await run("sync", "dev", "umbrella");
      expect(code, out).to.equal(0);
      const types = resources();
      expect(types).to.include("aws:lb/listenerCertificate:ListenerCertificate");
      expect(types).to.include("aws:lb/listenerRule:ListenerRule");
      expect(types).to.include("aws:ecs/service:Service");
    });

    it("a FAILED certificate fails the tenant (exit 1), saying ACM will not issue it any more", async () => {
      const fresh = tempDir("bbws-offline-failed-");
      const deps = cliDeps((request) => defaultPorts(request));
      const code = await main(
        [
          "sync",
          "dev",
          "umbrella",
          "--offline",
          "--tenants",
          file,
          "--offline-state",
          fresh,
          "--offline-fault",
          "umbrella:certificate:error",
        ],
        deps,
      );
      expect(code).to.equal(1);
      expect(deps.out()).to.contain("ACM will not issue it any more");
    });

    it("--verify-timeout bounds the verification: a service that never settles fails within it (exit 13)", async () => {
      const deps = cliDeps(async (request) => ({
        ...(await defaultPorts(request)),
        siteProbe: {
          simulated: true,
          serviceState: () => Promise.resolve({ stable: false, detail: "0/1 tasks running" }),
          targetHealth: () => Promise.resolve([]),
          https: () => Promise.resolve({ kind: "timeout" as const, seconds: 1 }),
        },
      }));
      const code = await main(["sync", "dev", "acme", "--verify-timeout", "1", ...common], deps);
      expect(code).to.equal(13);
      expect(deps.out()).to.contain("ECS service not stable");
    });

    it("--certificate-wait and --verify-timeout take whole seconds (0 allowed); other values are usage errors", async () => {
      const ok = await run("sync", "dev", "umbrella", "--certificate-wait", "0", "--verify-timeout", "0");
      expect(ok.code, ok.err).to.equal(0);
      const bad = await run("sync", "dev", "umbrella", "--certificate-wait", "soon");
      expect(bad.code).to.equal(2);
      expect(bad.err).to.contain("expected a whole number of seconds >= 0");
      const negative = await run(
        "add",
        "dev",
        "--id",
        "zeta",
        "--domain",
        "zeta.wpdev.example.com",
        "--verify-timeout",
        "-5",
      );
      expect(negative.code).to.equal(2);
    });
  });
});
