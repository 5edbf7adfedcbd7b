/**
 * A rollout wave's deployments through ECS's service-deployments API (aws-sdk-client-mock):
 * every state ECS reports is classified (SUCCESSFUL, rollbacks, a triggered circuit breaker,
 * stopped, still running at the deadline), the deployment is the one of the update's task
 * definition, and a wave is described 20 ARNs per call. Fake timers: nothing waits for real.
 */
import { expect } from "chai";
import * as sinon from "sinon";
import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  ListServiceDeploymentsCommand,
  ServiceDeployment,
} from "@aws-sdk/client-ecs";
import { BbwsError, RollbackDetectedError } from "../../../lib/errors";
import { classifyDeployment, confirmServiceDeployments } from "../../../ops/serviceDeployments";
import { DeploymentTarget } from "../../../tenants/lifecycle/ports";
import { ACCOUNT, Mocks, REGION, callLog, fakeClock, mockedClients, restoreMocks, settle } from "./fixtures";

const td = (tenant: string, revision: number) =>
  `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/dev-${tenant}-wordpress:${revision}`;
const revisionArn = (tenant: string, revision: number) =>
  `arn:aws:ecs:${REGION}:${ACCOUNT}:service-revision/bbws-dev/${tenant}-wordpress/${revision}00`;
const deploymentArn = (tenant: string, revision: number) =>
  `arn:aws:ecs:${REGION}:${ACCOUNT}:service-deployment/bbws-dev/${tenant}-wordpress/d${revision}`;
const tenantOf = (arn: string) => /bbws-dev\/([a-z0-9-]+)-wordpress/.exec(arn)![1];
const target = (tenant: string): DeploymentTarget => ({
  tenantId: tenant,
  clusterName: "bbws-dev",
  serviceName: `${tenant}-wordpress`,
  taskDefinitionArn: td(tenant, 2),
  updateStartedAt: Date.now(),
});
const WAIT = { timeoutSeconds: 60, intervalSeconds: 15 };

describe("ECS service deployments (a wave's check)", () => {
  let clock: sinon.SinonFakeTimers;
  let mocks: Mocks;
  let clients: ReturnType<typeof mockedClients>["clients"];
  /** Each tenant's deployment states, poll after poll (the last one repeats). */
  let states: Map<string, Partial<ServiceDeployment>[]>;

  beforeEach(() => {
    clock = fakeClock();
    ({ mocks, clients } = mockedClients());
    states = new Map();
    // Each service lists an older deployment (revision 1) and the update's (revision 2).
    mocks.ecs.on(ListServiceDeploymentsCommand).callsFake((input: { service: string }) => {
      const tenant = input.service.replace(/-wordpress$/, "");
      return {
        serviceDeployments: [1, 2].map((revision) => ({
          serviceDeploymentArn: deploymentArn(tenant, revision),
          targetServiceRevisionArn: revisionArn(tenant, revision),
          createdAt: new Date(Date.now() - (3 - revision) * 1000),
        })),
      };
    });
    mocks.ecs.on(DescribeServiceRevisionsCommand).callsFake((input: { serviceRevisionArns: string[] }) => ({
      serviceRevisions: input.serviceRevisionArns.map((arn) => ({
        serviceRevisionArn: arn,
        taskDefinition: td(tenantOf(arn), Number(/\/(\d)00$/.exec(arn)![1])),
      })),
    }));
    mocks.ecs
      .on(DescribeServiceDeploymentsCommand)
      .callsFake((input: { serviceDeploymentArns: string[] }) => ({
        serviceDeployments: input.serviceDeploymentArns.map((arn) => {
          const queue = states.get(tenantOf(arn)) ?? [{ status: "IN_PROGRESS" }];
          const state = queue.length > 1 ? queue.shift()! : queue[0];
          return { serviceDeploymentArn: arn, ...state };
        }),
      }));
  });
  afterEach(() => {
    clock.restore();
    restoreMocks(mocks);
  });

  const described = () =>
    callLog(mocks)
      .filter((c) => c.call === "ecs:DescribeServiceDeployments")
      .map((c) => (c.input as { serviceDeploymentArns: string[] }).serviceDeploymentArns);

  it("confirms SUCCESSFUL deployments of the update's task definition, never an older one", async () => {
    states.set("acme", [
      { status: "IN_PROGRESS" },
      { status: "SUCCESSFUL", targetServiceRevision: { runningTaskCount: 2, requestedTaskCount: 2 } },
    ]);
    const [verdict] = await settle(clock, confirmServiceDeployments(clients.ecs, [target("acme")], WAIT));
    expect(verdict.confirmed).to.deep.equal({
      result: "completed",
      message: "deployment SUCCESSFUL, 2/2 tasks on dev-acme-wordpress:2",
    });
    // The revision-2 deployment was checked, twice (IN_PROGRESS, then SUCCESSFUL).
    expect(described()).to.deep.equal([[deploymentArn("acme", 2)], [deploymentArn("acme", 2)]]);
  });

  it("reports a rollback, a rollback in progress, a failed rollback and a triggered circuit breaker as RollbackDetectedError", async () => {
    states.set("a", [
      { status: "ROLLBACK_SUCCESSFUL", rollback: { reason: "circuit breaker: tasks failed" } },
    ]);
    states.set("b", [{ status: "ROLLBACK_IN_PROGRESS", statusReason: "rolling back" }]);
    states.set("c", [{ status: "ROLLBACK_FAILED", statusReason: "could not roll back" }]);
    states.set("d", [
      {
        status: "IN_PROGRESS",
        deploymentCircuitBreaker: { status: "MONITORING", failureCount: 1, threshold: 3 },
      },
      {
        status: "IN_PROGRESS",
        deploymentCircuitBreaker: { status: "TRIGGERED", failureCount: 3, threshold: 3 },
      },
    ]);
    const verdicts = await settle(
      clock,
      confirmServiceDeployments(clients.ecs, ["a", "b", "c", "d"].map(target), WAIT),
    );
    for (const verdict of verdicts)
      expect(verdict.error, verdict.tenantId).to.be.instanceOf(RollbackDetectedError);
    const messages = verdicts.map((v) => (v.error as Error).message);
    expect(messages[0]).to.match(
      /service a-wordpress rolled back: deployment \S+\/d2 of dev-a-wordpress:2 is ROLLBACK_SUCCESSFUL: circuit breaker: tasks failed$/,
    );
    expect(messages[1]).to.match(/is ROLLBACK_IN_PROGRESS: rolling back$/);
    expect(messages[2]).to.match(/is ROLLBACK_FAILED: could not roll back$/);
    expect(messages[3]).to.match(
      /is IN_PROGRESS: no reason given; circuit breaker TRIGGERED after 3 failed task\(s\) \(threshold 3\)$/,
    );
    // All four in one call per poll; d's second poll found the breaker triggered.
    expect(described().map((arns) => arns.length)).to.deep.equal([4, 1]);
  });

  it("fails a stopped deployment, and one ECS cannot describe", async () => {
    states.set("a", [{ status: "STOPPED", statusReason: "replaced by a newer deployment" }]);
    mocks.ecs
      .on(DescribeServiceDeploymentsCommand, { serviceDeploymentArns: [deploymentArn("b", 2)] })
      .resolves({
        failures: [{ arn: deploymentArn("b", 2), reason: "MISSING" }],
      });
    const [a] = await settle(clock, confirmServiceDeployments(clients.ecs, [target("a")], WAIT));
    expect(a.error).to.be.instanceOf(BbwsError).and.not.instanceOf(RollbackDetectedError);
    expect((a.error as BbwsError).message).to.match(
      /d2 of dev-a-wordpress:2 was STOPPED: replaced by a newer deployment/,
    );
    const [b] = await settle(clock, confirmServiceDeployments(clients.ecs, [target("b")], WAIT));
    expect((b.error as BbwsError).message).to.match(/deployment \S+\/d2 of b-wordpress: MISSING/);
  });

  it("times out what is still in progress at the deadline, keeping the others' verdicts", async () => {
    states.set("done", [{ status: "SUCCESSFUL" }]);
    states.set("slow", [
      { status: "IN_PROGRESS", targetServiceRevision: { runningTaskCount: 1, requestedTaskCount: 2 } },
    ]);
    const started = Date.now();
    const [finished, slow] = await settle(
      clock,
      confirmServiceDeployments(clients.ecs, [target("done"), target("slow")], WAIT),
    );
    expect(finished.confirmed?.result).to.equal("completed");
    expect(slow.error).to.be.instanceOf(BbwsError);
    expect((slow.error as BbwsError).kind).to.equal("timeout");
    expect((slow.error as BbwsError).message).to.match(
      /slow-wordpress to roll out dev-slow-wordpress:2 did not finish within 60 s \(still IN_PROGRESS, 1\/2 running\)/,
    );
    expect(Date.now() - started).to.equal(60_000);
    // Polls at 0, 15, 30, 45 and 60 s; after the first, only the unsettled deployment.
    expect(described().map((arns) => arns.map(tenantOf))).to.deep.equal([
      ["done", "slow"],
      ["slow"],
      ["slow"],
      ["slow"],
      ["slow"],
    ]);
  });

  it("waits while the service has no deployment of the new task definition yet", async () => {
    mocks.ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] });
    const [verdict] = await settle(clock, confirmServiceDeployments(clients.ecs, [target("acme")], WAIT));
    expect((verdict.error as BbwsError).message).to.match(
      /still no deployment of the new task definition yet/,
    );
    expect(described()).to.deep.equal([]);
  });

  it("describes a wave of 45 deployments 20 ARNs per call", async () => {
    const tenants = Array.from({ length: 45 }, (_, i) => `t${i}`);
    for (const t of tenants) states.set(t, [{ status: "SUCCESSFUL" }]);
    const verdicts = await settle(clock, confirmServiceDeployments(clients.ecs, tenants.map(target), WAIT));
    expect(verdicts.every((v) => v.confirmed?.result === "completed")).to.equal(true);
    expect(verdicts.map((v) => v.tenantId)).to.deep.equal(tenants);
    expect(described().map((arns) => arns.length)).to.deep.equal([20, 20, 5]);
  });

  it("classifies PENDING and IN_PROGRESS as still running", () => {
    for (const status of ["PENDING", "IN_PROGRESS"] as const)
      expect(classifyDeployment(target("a"), { status }))
        .to.have.property("status")
        .that.matches(new RegExp(`^${status}`));
  });
});
