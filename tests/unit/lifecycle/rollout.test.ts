/**
 * `tenants rollout`: waves through the lifecycle's stack backend (an in-memory fake), the ECS
 * deployment check after every tenant (aws-sdk-client-mock), what the rollout records hold
 * (the registry; the offline state offline), and the command line. Fake timers: no test waits
 * for real.
 */
import * as fs from "fs";
import { expect } from "chai";
import * as sinon from "sinon";
import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  ListServiceDeploymentsCommand,
  ServiceDeployment,
} from "@aws-sdk/client-ecs";
import { BbwsError, RollbackDetectedError } from "../../../lib/errors";
import { ecsDeployments } from "../../../ops/lifecyclePorts";
import { offlineRolloutRecords, simulatedDeployments } from "../../../offline/services";
import { OfflineStateStore } from "../../../offline/state";
import { RolloutDeps, planWaves, rolloutImage } from "../../../tenants/lifecycle/commands/rollout";
import { StackTarget, UpOutcome } from "../../../tenants/lifecycle/backend";
import { registryRolloutRecords } from "../../../tenants/lifecycle/rolloutRecords";
import { loadRegistry } from "../../../tenants/registry/load";
import { TENANT_CONFIG } from "../../../tenants/stackConfig";
import { FakeBackend, cliDeps, main, settingsOf, tempDir, tempRegistry } from "./fakes";
import {
  ACCOUNT,
  Mocks,
  REGION,
  callLog,
  fakeClock,
  mockedClients,
  restoreMocks,
  settle,
} from "../ops/fixtures";

const IMAGE = "6.9.0-php8.3-apache";
const td = (tenant: string, revision: number) =>
  `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/dev-${tenant}-wordpress:${revision}`;

/** The lifecycle's fake backend, with the outputs a tenant stack has after an update. */
class RolloutBackend extends FakeBackend {
  /** Revision of each tenant's task definition: 1 before the rollout, +1 per update. */
  readonly revisions = new Map<string, number>();

  override async up(target: StackTarget): Promise<UpOutcome> {
    const outcome = await super.up(target);
    const revision = (this.revisions.get(target.tenantId) ?? 1) + 1;
    this.revisions.set(target.tenantId, revision);
    return {
      ...outcome,
      outputs: {
        clusterName: "bbws-dev",
        serviceName: `${target.tenantId}-wordpress`,
        taskDefinitionArn: td(target.tenantId, revision),
      },
    };
  }
}

const serviceArn = (tenant: string) =>
  `arn:aws:ecs:${REGION}:${ACCOUNT}:service/bbws-dev/${tenant}-wordpress`;
const revisionArn = (tenant: string, revision: number) =>
  `arn:aws:ecs:${REGION}:${ACCOUNT}:service-revision/bbws-dev/${tenant}-wordpress/${revision}00`;
const deploymentArn = (tenant: string) =>
  `arn:aws:ecs:${REGION}:${ACCOUNT}:service-deployment/bbws-dev/${tenant}-wordpress/dep-${tenant}`;
const tenantOfArn = (arn: string) => /bbws-dev\/([a-z0-9-]+)-wordpress/.exec(arn)![1];

/** A deployment of revision 2 (the update's task definition) in `status`. */
const deployment = (
  tenant: string,
  status: ServiceDeployment["status"],
  extra: Partial<ServiceDeployment> = {},
): ServiceDeployment => ({
  serviceDeploymentArn: deploymentArn(tenant),
  serviceArn: serviceArn(tenant),
  status,
  targetServiceRevision: {
    arn: revisionArn(tenant, 2),
    requestedTaskCount: 1,
    runningTaskCount: status === "SUCCESSFUL" ? 1 : 0,
  },
  ...extra,
});

describe("tenants rollout", () => {
  let clock: sinon.SinonFakeTimers;
  let mocks: Mocks;
  let clients: ReturnType<typeof mockedClients>["clients"];
  let registryFile: string;
  let backend: RolloutBackend;
  let log: string[];

  beforeEach(() => {
    clock = fakeClock();
    ({ mocks, clients } = mockedClients());
    registryFile = tempRegistry();
    backend = new RolloutBackend();
    log = [];
  });
  afterEach(() => {
    clock.restore();
    restoreMocks(mocks);
  });

  const deps = (overrides: Partial<RolloutDeps> = {}): RolloutDeps => ({
    backend,
    settings: settingsOf("dev"),
    deployments: ecsDeployments(() => clients.ecs),
    records: registryRolloutRecords(registryFile),
    entries: loadRegistry("dev", registryFile).tenants,
    registryFile,
    platformStack: "organization/bbws/dev",
    log: (line) => log.push(line),
    ...overrides,
  });
  /** What DescribeServiceDeployments answers for each tenant, call after call (the last one repeats). */
  let answers: Map<string, ServiceDeployment[]>;
  beforeEach(() => {
    answers = new Map();
    // Every service lists one deployment, towards revision 2 (the update's task definition).
    mocks.ecs.on(ListServiceDeploymentsCommand).callsFake((input: { service: string }) => {
      const tenant = input.service.replace(/-wordpress$/, "");
      return {
        serviceDeployments: [
          {
            serviceDeploymentArn: deploymentArn(tenant),
            serviceArn: serviceArn(tenant),
            targetServiceRevisionArn: revisionArn(tenant, 2),
            createdAt: new Date(),
            status: "PENDING",
          },
        ],
      };
    });
    mocks.ecs.on(DescribeServiceRevisionsCommand).callsFake((input: { serviceRevisionArns: string[] }) => ({
      serviceRevisions: input.serviceRevisionArns.map((arn) => ({
        serviceRevisionArn: arn,
        taskDefinition: td(tenantOfArn(arn), Number(/\/(\d+)00$/.exec(arn)![1])),
      })),
    }));
    mocks.ecs
      .on(DescribeServiceDeploymentsCommand)
      .callsFake((input: { serviceDeploymentArns: string[] }) => ({
        serviceDeployments: input.serviceDeploymentArns.map((arn) => {
          const queue = answers.get(tenantOfArn(arn)) ?? [];
          return queue.length > 1 ? queue.shift()! : queue[0];
        }),
      }));
  });
  /** IN_PROGRESS once, then SUCCESSFUL. */
  const healthy = (tenant: string) =>
    answers.set(tenant, [deployment(tenant, "IN_PROGRESS"), deployment(tenant, "SUCCESSFUL")]);
  /** The circuit breaker rolled the deployment back to revision 1. */
  const rolledBack = (tenant: string) =>
    answers.set(tenant, [
      deployment(tenant, "ROLLBACK_SUCCESSFUL", {
        rollback: {
          reason: "ECS deployment circuit breaker: tasks failed to start.",
          serviceRevisionArn: revisionArn(tenant, 1),
        },
        deploymentCircuitBreaker: { status: "TRIGGERED", failureCount: 3, threshold: 3 },
      }),
    ]);
  /** The tenants of each DescribeServiceDeployments call. */
  const deploymentChecks = () =>
    callLog(mocks)
      .filter((c) => c.call === "ecs:DescribeServiceDeployments")
      .map((c) =>
        (c.input as { serviceDeploymentArns: string[] }).serviceDeploymentArns.map(tenantOfArn).sort(),
      );
  const servicesChecked = () => deploymentChecks().flat();
  const waitsOf = (config: StackTarget["config"]) => config[TENANT_CONFIG.skipSteadyStateWait].value;
  const entries = () => Object.fromEntries(loadRegistry("dev", registryFile).tenants.map((t) => [t.id, t]));
  const imageOf = (config: StackTarget["config"]) =>
    (JSON.parse(config[TENANT_CONFIG.tenant].value) as { image?: string }).image;

  it("plans canaries one at a time, then waves of the given size", () => {
    expect(planWaves(["a", "b", "c", "d", "e"], 2, 2)).to.deep.equal([
      { label: "canary 1", canary: true, tenantIds: ["a"] },
      { label: "canary 2", canary: true, tenantIds: ["b"] },
      { label: "wave 1", canary: false, tenantIds: ["c", "d"] },
      { label: "wave 2", canary: false, tenantIds: ["e"] },
    ]);
    expect(planWaves(["a", "b"], 0, 5).map((w) => w.tenantIds)).to.deep.equal([["a", "b"]]);
    expect(() => planWaves(["a"], 1, 0)).to.throw(/--wave-size must be a whole number >= 1/);
    expect(() => planWaves(["a"], -1, 1)).to.throw(/--canary must be a whole number >= 0/);
  });

  it("updates the canary without waiting for ECS, confirms it, then updates each wave and confirms its deployments together", async () => {
    for (const tenant of ["acme", "globex", "initech", "umbrella"]) healthy(tenant);
    const report = await settle(
      clock,
      rolloutImage({ environment: "dev", image: IMAGE, canary: 1, waveSize: 2 }, deps()),
    );

    expect(report.failure).to.equal(undefined);
    expect(report.tenants.map((t) => [t.tenantId, t.wave, t.result])).to.deep.equal([
      ["acme", "canary 1", "completed"],
      ["globex", "wave 1", "completed"],
      ["initech", "wave 1", "completed"],
      ["umbrella", "wave 2", "completed"],
    ]);
    // The canary is checked (twice: IN_PROGRESS, SUCCESSFUL) before any other stack is touched;
    // then each wave's deployments are described together, in one call per poll.
    expect(backend.journal.slice(0, 1)).to.deep.equal(["up:acme"]);
    expect(deploymentChecks()).to.deep.equal([
      ["acme"],
      ["acme"],
      ["globex", "initech"],
      ["globex", "initech"],
      ["umbrella"],
      ["umbrella"],
    ]);
    // No stack update waits for steady state: the wave check does.
    for (const tenant of ["acme", "globex", "initech", "umbrella"])
      expect(waitsOf(backend.upConfigs(tenant)[0]), tenant).to.equal("true");
    expect(backend.journal.indexOf("up:umbrella")).to.be.greaterThan(backend.journal.indexOf("up:initech"));
    expect(backend.maxInFlight).to.equal(2);
    expect(imageOf(backend.upConfigs("acme")[0])).to.include(IMAGE);

    const after = entries();
    for (const tenant of ["acme", "globex", "initech", "umbrella"]) {
      expect(after[tenant].image, tenant).to.equal(IMAGE);
      expect(after[tenant].lastRollout).to.include({
        image: IMAGE,
        result: "completed",
        taskDefinitionArn: td(tenant, 2),
      });
    }
    const text = fs.readFileSync(registryFile, "utf8");
    expect(text).to.contain("# Marketing site of the Acme demo customer");
    // A new `image` goes where the field belongs: before acme's schedule, not after its lastRollout.
    const acme = text.indexOf("- id: acme");
    expect(text.indexOf(`image: ${IMAGE}`, acme)).to.be.lessThan(text.indexOf("schedule:", acme));
  });

  it("halts everything when the circuit breaker rolled the canary back, and puts its stack back", async () => {
    rolledBack("acme");
    const before = entries();
    const report = await settle(clock, rolloutImage({ environment: "dev", image: IMAGE }, deps()));

    expect(report.tenants.map((t) => [t.tenantId, t.result])).to.deep.equal([
      ["acme", "rolled-back"],
      ["globex", "skipped"],
      ["initech", "skipped"],
      ["umbrella", "skipped"],
    ]);
    expect(report.halted).to.equal("acme (canary 1) rolled-back");
    expect(report.failure).to.be.instanceOf(RollbackDetectedError);
    expect(report.failure!.message).to.match(
      /service acme-wordpress rolled back: deployment \S+dep-acme of dev-acme-wordpress:2 is ROLLBACK_SUCCESSFUL: ECS deployment circuit breaker: tasks failed to start\.; circuit breaker TRIGGERED after 3 failed task\(s\) \(threshold 3\)/,
    );
    // Updated to the new image, then back to the entry's own (none: the environment's default),
    // that revert waiting for steady state as a sync does.
    const [forward, back] = backend.upConfigs("acme");
    expect(imageOf(forward)).to.include(IMAGE);
    expect(imageOf(back)).to.equal(before.acme.image);
    expect([waitsOf(forward), waitsOf(back)]).to.deep.equal(["true", "false"]);
    expect(backend.journal).to.deep.equal(["up:acme", "up:acme"]);
    expect(servicesChecked()).to.deep.equal(["acme"]);

    const after = entries();
    expect(after.acme.image).to.equal(before.acme.image);
    expect(after.acme.lastRollout).to.include({
      image: IMAGE,
      result: "rolled-back",
      taskDefinitionArn: td("acme", 2),
    });
    expect(after.globex).to.deep.equal(before.globex);
  });

  it("lets a failing wave finish, then halts the next waves", async () => {
    const before = entries();
    healthy("acme");
    healthy("initech");
    answers.set("globex", [
      deployment("globex", "STOPPED", { statusReason: "stopped by a newer deployment" }),
    ]);

    const report = await settle(
      clock,
      rolloutImage({ environment: "dev", image: IMAGE, canary: 1, waveSize: 2 }, deps()),
    );

    expect(report.tenants.map((t) => [t.tenantId, t.result])).to.deep.equal([
      ["acme", "completed"],
      ["globex", "failed"],
      ["initech", "completed"],
      ["umbrella", "skipped"],
    ]);
    expect(report.failure).to.be.instanceOf(BbwsError);
    expect(report.failure!.message).to.match(
      /deployment \S+dep-globex of dev-globex-wordpress:2 was STOPPED: stopped by a newer deployment/,
    );
    expect(backend.calls.some((c) => c.op === "up" && c.tenantId === "umbrella")).to.equal(false);
    const after = entries();
    expect(after.initech.image).to.equal(IMAGE);
    expect(after.globex.image).to.equal(before.globex.image);
    expect(after.globex.lastRollout?.result).to.equal("failed");
  });

  it("fails a tenant whose deployment does not complete in time, without waiting for real", async () => {
    answers.set("acme", [deployment("acme", "IN_PROGRESS")]);
    const started = Date.now();
    const report = await settle(
      clock,
      rolloutImage({ environment: "dev", image: IMAGE, timeoutSeconds: 60, intervalSeconds: 15 }, deps()),
    );
    expect(report.failure).to.be.instanceOf(BbwsError);
    expect(report.failure!.message).to.match(
      /acme-wordpress to roll out dev-acme-wordpress:2 did not finish within 60 s \(still IN_PROGRESS, 0\/1 running\)/,
    );
    // Checks at 0, 15, 30, 45 and the deadline, on the fake clock.
    expect(servicesChecked()).to.have.length(5);
    expect(Date.now() - started).to.equal(60_000);
    expect(report.tenants.slice(1).every((t) => t.result === "skipped")).to.equal(true);
  });

  it("a failing update (Pulumi error) fails the tenant without a check or a revert", async () => {
    backend.failures.set("up:acme", new Error("error: creating ECS Task Definition: AccessDeniedException"));
    const report = await settle(clock, rolloutImage({ environment: "dev", image: IMAGE }, deps()));
    expect(report.tenants[0]).to.include({ tenantId: "acme", result: "failed" });
    expect(report.failure!.message).to.match(/AccessDeniedException/);
    expect(servicesChecked()).to.deep.equal([]);
    expect(backend.upConfigs("acme")).to.have.length(1);
    expect(entries().acme.lastRollout).to.include({ result: "failed" });
  });

  it("a registry that cannot be written never reverts a completed deployment", async () => {
    healthy("acme");
    // Someone breaks the registry file while the canary deploys.
    const original = backend.up.bind(backend);
    backend.up = async (target) => {
      const outcome = await original(target);
      fs.writeFileSync(registryFile, "tenants: [ {id: acme\n");
      return outcome;
    };
    const report = await settle(
      clock,
      rolloutImage({ environment: "dev", image: IMAGE, tenants: ["acme", "globex"] }, deps()),
    );
    expect(report.tenants.map((t) => t.result)).to.deep.equal(["completed", "skipped"]);
    expect(backend.upConfigs("acme")).to.have.length(1);
    expect(report.failure!.exitCode).to.equal(1);
    expect(report.failure!.notes.join("\n")).to.match(
      /acme: not recorded in \S+dev\.yaml[\s\S]*: set its image to 6\.9\.0-php8\.3-apache by hand/,
    );
  });

  it("skips a tenant that serves nothing yet (certificate pending, no service) and keeps an issued certificate in the update", async () => {
    backend.withStack("acme").withStack("umbrella");
    const HOST = "blog.umbrella-corp.co.za";
    sinon.stub(backend, "outputs").callsFake((_environment: string, tenantId: string) =>
      Promise.resolve(
        tenantId === "acme"
          ? {
              certificateState: "pending",
              certificateArn: "arn:acme",
              certificateHosts: ["www.acme.co.za"],
              servingHosts: [],
            }
          : {
              certificateState: "issued",
              certificateArn: "arn:umbrella",
              certificateHosts: [HOST],
              servingHosts: [HOST],
              servingCertificateHosts: [HOST],
            },
      ),
    );
    healthy("umbrella");
    const report = await settle(
      clock,
      rolloutImage(
        { environment: "dev", image: IMAGE, tenants: ["umbrella", "acme"] },
        deps({ certificates: { status: () => Promise.resolve({ status: "ISSUED" }) } }),
      ),
    );
    expect(report.tenants.map((t) => [t.tenantId, t.result])).to.deep.equal([
      ["umbrella", "completed"],
      ["acme", "skipped"],
    ]);
    const ups = backend.calls.filter((c) => c.op === "up");
    expect(ups.map((c) => c.tenantId)).to.deep.equal(["umbrella"]);
    expect(JSON.parse(ups[0].config![TENANT_CONFIG.issuedCertificateHosts].value)).to.deep.equal([HOST]);
    expect([...new Set(servicesChecked())]).to.deep.equal(["umbrella"]);
  });

  it("a canary that serves nothing yet proves nothing: the next tenant becomes the canary", async () => {
    backend.withStack("acme").withStack("globex").withStack("initech");
    sinon
      .stub(backend, "outputs")
      .callsFake((_environment: string, tenantId: string) =>
        Promise.resolve(tenantId === "acme" ? { certificateState: "pending", servingHosts: [] } : {}),
      );
    healthy("globex");
    healthy("initech");
    const report = await settle(
      clock,
      rolloutImage({ environment: "dev", image: IMAGE, tenants: ["acme", "globex", "initech"] }, deps()),
    );
    expect(report.tenants.map((t) => [t.tenantId, t.wave, t.result])).to.deep.equal([
      ["acme", "canary 1", "skipped"],
      ["globex", "canary 1 (globex instead)", "completed"],
      ["initech", "wave 1", "completed"],
    ]);
    // The new canary was confirmed on its own before the wave.
    expect(deploymentChecks()[0]).to.deep.equal(["globex"]);
  });

  it("offline, updates the simulated stacks, checks nothing in ECS and records in the offline state, never in the registry", async () => {
    const before = fs.readFileSync(registryFile, "utf8");
    const store = new OfflineStateStore(tempDir("bbws-rollout-state-"), "dev");
    const report = await settle(
      clock,
      rolloutImage(
        { environment: "dev", image: IMAGE, tenants: ["globex"] },
        deps({ deployments: simulatedDeployments, records: offlineRolloutRecords(store) }),
      ),
    );
    expect(report.tenants.map((t) => [t.tenantId, t.result])).to.deep.equal([["globex", "simulated"]]);
    expect(report.recordedIn).to.equal(store.file);
    expect(callLog(mocks)).to.deep.equal([]);
    expect(fs.readFileSync(registryFile, "utf8")).to.equal(before);
    expect(store.read().rollouts?.globex).to.deep.include({ image: IMAGE });
    expect(store.read().rollouts?.globex.lastRollout).to.include({ image: IMAGE, result: "completed" });
  });

  describe("command line", () => {
    let out: string;
    let err: string;
    const run = (...argv: string[]) => {
      const runtime = cliDeps(() => ({ backend, deployments: ecsDeployments(() => clients.ecs) }));
      return settle(clock, main(["rollout", ...argv, "--tenants", registryFile], runtime)).then((code) => {
        out += runtime.out();
        err += runtime.err();
        return code;
      });
    };
    beforeEach(() => {
      out = "";
      err = "";
    });

    it("prints the summary table and exits 0", async () => {
      healthy("acme");
      healthy("globex");
      expect(await run("dev", "globex", "acme", "--image", IMAGE)).to.equal(0);
      // The ids give the order: globex is the canary.
      expect(out).to.match(/globex\s+│ canary 1 │ completed/);
      expect(out).to.match(/acme\s+│ wave 1\s+│ completed/);
      expect(out).to.contain("2 tenant(s): 2 completed.");
      expect(err).to.contain("globex (canary 1): updating the stack to 6.9.0-php8.3-apache");
    });

    it("exits 1 naming the halt when a canary rolls back; 8 on a timeout", async () => {
      rolledBack("acme");
      expect(await run("dev", "--image", IMAGE, "--json")).to.equal(1);
      const json = JSON.parse(out) as { halted: string; tenants: { result: string }[] };
      expect(json.halted).to.equal("acme (canary 1) rolled-back");
      expect(err).to.match(
        /error: rollout halted: acme \(canary 1\) rolled-back: service acme-wordpress rolled back/,
      );
      expect(err).to.contain("acme: stack updated back to the environment's default image");

      out = "";
      answers.set("globex", [deployment("globex", "IN_PROGRESS")]);
      expect(await run("dev", "globex", "--image", IMAGE, "--timeout", "30")).to.equal(8);
    });

    it("refuses a bad image, an unknown tenant and bad numbers before touching any stack", async () => {
      const before = fs.readFileSync(registryFile, "utf8");
      expect(await run("dev", "--image", "latest tag!")).to.equal(2);
      expect(err).to.match(/--image <image>' argument 'latest tag!' is invalid\. must be an image tag/);
      expect(await run("dev", "acme", "globx", "--image", IMAGE)).to.equal(6);
      expect(err).to.match(/tenant "globx" is not in the dev registry .* did you mean "globex"\?/);
      expect(await run("dev", "acme", "acme", "--image", IMAGE)).to.equal(2);
      expect(await run("dev", "--image", IMAGE, "--wave-size", "0")).to.equal(2);
      expect(await run("dev", "--image", IMAGE, "--canary", "-1")).to.equal(2);
      expect(await run("dev")).to.equal(2);
      expect(err).to.match(/required option '--image <image>' not specified/);
      expect(backend.calls).to.deep.equal([]);
      expect(callLog(mocks)).to.deep.equal([]);
      expect(fs.readFileSync(registryFile, "utf8")).to.equal(before);
    });
  });
});
