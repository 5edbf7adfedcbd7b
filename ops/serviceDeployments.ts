/**
 * A rollout wave's deployments, confirmed together through ECS's service-deployments API:
 * ListServiceDeployments finds each service's deployment created since its stack update (and
 * DescribeServiceRevisions ties it to the task definition the update produced), then every
 * poll describes all the wave's deployments at once with DescribeServiceDeployments (20 ARNs a
 * call). That API reports a rollback and the circuit breaker's state directly, where
 * DescribeServices only shows which deployment is PRIMARY.
 *
 *  - SUCCESSFUL: confirmed;
 *  - ROLLBACK_REQUESTED, ROLLBACK_IN_PROGRESS, ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED, or the
 *    circuit breaker TRIGGERED: RollbackDetectedError (with ECS's reason and the failure count);
 *  - STOPPED, STOP_REQUESTED: failed (another deployment replaced it, or someone stopped it);
 *  - PENDING, IN_PROGRESS (or not created yet) at the deadline: a "timeout" error.
 */
import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ServiceDeployment,
  ServiceDeploymentStatus,
} from "@aws-sdk/client-ecs";
import pLimit from "p-limit";
import { BbwsError, RollbackDetectedError } from "../lib/errors";
import { done, pending, pollUntil } from "../lib/wait";
import { DeploymentTarget, DeploymentVerdict, DeploymentWait } from "../tenants/lifecycle/ports";
import { taskDefinitionName } from "./service";

/** DescribeServiceDeployments and DescribeServiceRevisions take at most 20 ARNs per call. */
const ARNS_PER_CALL = 20;
/** Services listed at once (ListServiceDeployments is one call per service). */
const LIST_CONCURRENCY = 5;
/** Clock skew allowed between this machine and ECS when filtering deployments by creation time. */
const CLOCK_SKEW_MS = 60_000;

const ROLLBACK: ReadonlySet<string> = new Set<ServiceDeploymentStatus>([
  "ROLLBACK_REQUESTED",
  "ROLLBACK_IN_PROGRESS",
  "ROLLBACK_SUCCESSFUL",
  "ROLLBACK_FAILED",
]);
const STOPPED: ReadonlySet<string> = new Set<ServiceDeploymentStatus>(["STOPPED", "STOP_REQUESTED"]);

/** What a deployment's state means for the rollout: settled (confirmed or an error) or still running. */
export function classifyDeployment(
  target: DeploymentTarget,
  deployment: ServiceDeployment,
): { readonly settled: DeploymentVerdict } | { readonly status: string } {
  const wanted = taskDefinitionName(target.taskDefinitionArn);
  const status = deployment.status ?? "PENDING";
  const breaker = deployment.deploymentCircuitBreaker;
  const breakerNote =
    breaker?.status === "TRIGGERED"
      ? `; circuit breaker TRIGGERED after ${breaker.failureCount ?? "?"} failed task(s) (threshold ${breaker.threshold ?? "?"})`
      : "";
  const reason = deployment.rollback?.reason ?? deployment.statusReason ?? "no reason given";
  const id = deployment.serviceDeploymentArn ?? "(unknown)";
  if (ROLLBACK.has(status) || breaker?.status === "TRIGGERED") {
    return {
      settled: {
        tenantId: target.tenantId,
        error: new RollbackDetectedError(
          `service ${target.serviceName} rolled back: deployment ${id} of ${wanted} is ${status}: ${reason}${breakerNote}`,
        ),
      },
    };
  }
  if (STOPPED.has(status)) {
    return {
      settled: {
        tenantId: target.tenantId,
        error: new BbwsError(
          "failed",
          `deployment ${id} of ${wanted} was ${status}: ${deployment.statusReason ?? "no reason given"}`,
        ),
      },
    };
  }
  if (status === "SUCCESSFUL") {
    const revision = deployment.targetServiceRevision;
    return {
      settled: {
        tenantId: target.tenantId,
        confirmed: {
          result: "completed",
          message: `deployment SUCCESSFUL, ${revision?.runningTaskCount ?? "?"}/${revision?.requestedTaskCount ?? "?"} tasks on ${wanted}`,
        },
      },
    };
  }
  const revision = deployment.targetServiceRevision;
  return {
    status: `${status}, ${revision?.runningTaskCount ?? 0}/${revision?.requestedTaskCount ?? "?"} running`,
  };
}

/**
 * Waits for every target's deployment; resolves with one verdict per target, in order. Only
 * an interruption (or AWS refusing the calls themselves) rejects.
 */
export async function confirmServiceDeployments(
  ecs: ECSClient,
  targets: readonly DeploymentTarget[],
  wait: DeploymentWait,
): Promise<DeploymentVerdict[]> {
  const arns = new Map<string, string>();
  const verdicts = new Map<string, DeploymentVerdict>();
  const statuses = new Map<string, string>();
  const open = () => targets.filter((t) => !verdicts.has(t.tenantId));
  const list = pLimit(LIST_CONCURRENCY);

  const discover = async (undiscovered: readonly DeploymentTarget[]) => {
    const found = await Promise.all(
      undiscovered.map((target) =>
        list(async () => {
          const listed = await ecs.send(
            new ListServiceDeploymentsCommand({
              cluster: target.clusterName,
              service: target.serviceName,
              createdAt: { after: new Date(target.updateStartedAt - CLOCK_SKEW_MS) },
            }),
          );
          return { target, briefs: listed.serviceDeployments ?? [] };
        }),
      ),
    );
    const revisionArns = [
      ...new Set(found.flatMap((f) => f.briefs.map((b) => b.targetServiceRevisionArn ?? ""))),
    ].filter(Boolean);
    const taskDefinitionOf = new Map<string, string>();
    for (let i = 0; i < revisionArns.length; i += ARNS_PER_CALL) {
      const described = await ecs.send(
        new DescribeServiceRevisionsCommand({
          serviceRevisionArns: revisionArns.slice(i, i + ARNS_PER_CALL),
        }),
      );
      for (const r of described.serviceRevisions ?? [])
        if (r.serviceRevisionArn && r.taskDefinition)
          taskDefinitionOf.set(r.serviceRevisionArn, r.taskDefinition);
    }
    for (const { target, briefs } of found) {
      // The newest deployment towards the update's task definition.
      const newestFirst = [...briefs].sort(
        (a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0),
      );
      const ours = newestFirst.find(
        (b) => taskDefinitionOf.get(b.targetServiceRevisionArn ?? "") === target.taskDefinitionArn,
      );
      if (ours?.serviceDeploymentArn) arns.set(target.tenantId, ours.serviceDeploymentArn);
      else statuses.set(target.tenantId, "no deployment of the new task definition yet");
    }
  };

  const poll = async () => {
    const undiscovered = open().filter((t) => !arns.has(t.tenantId));
    if (undiscovered.length > 0) await discover(undiscovered);
    const known = open().filter((t) => arns.has(t.tenantId));
    const byArn = new Map(known.map((t) => [arns.get(t.tenantId)!, t]));
    const wanted = [...byArn.keys()];
    for (let i = 0; i < wanted.length; i += ARNS_PER_CALL) {
      const described = await ecs.send(
        new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: wanted.slice(i, i + ARNS_PER_CALL) }),
      );
      for (const deployment of described.serviceDeployments ?? []) {
        const target = byArn.get(deployment.serviceDeploymentArn ?? "");
        if (!target) continue;
        const outcome = classifyDeployment(target, deployment);
        if ("settled" in outcome) verdicts.set(target.tenantId, outcome.settled);
        else statuses.set(target.tenantId, outcome.status);
      }
      for (const failure of described.failures ?? []) {
        const target = byArn.get(failure.arn ?? "");
        if (!target) continue;
        verdicts.set(target.tenantId, {
          tenantId: target.tenantId,
          error: new BbwsError(
            "failed",
            `deployment ${failure.arn} of ${target.serviceName}: ${failure.reason ?? "unknown"} ${failure.detail ?? ""}`.trim(),
          ),
        });
      }
    }
    const left = open();
    return left.length === 0
      ? done(undefined)
      : pending(`${left.length} of ${targets.length} deployment(s) running`);
  };

  try {
    await pollUntil({ what: `${targets.length} deployment(s)`, ...wait, check: poll });
  } catch (error) {
    if (!(error instanceof BbwsError) || error.kind !== "timeout") throw error;
    for (const target of open()) {
      const still = statuses.get(target.tenantId);
      verdicts.set(target.tenantId, {
        tenantId: target.tenantId,
        error: new BbwsError(
          "timeout",
          `service ${target.serviceName} to roll out ${taskDefinitionName(target.taskDefinitionArn)} did not finish within ${wait.timeoutSeconds} s` +
            `${still ? ` (still ${still})` : ""}; the deployment may still finish or roll back: check \`npm run ops -- status\``,
        ),
      });
    }
  }
  return targets.map((t) => verdicts.get(t.tenantId)!);
}
