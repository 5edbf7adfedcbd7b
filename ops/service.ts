/**
 * A tenant's ECS service during an operation: read it, scale it (with Application Auto Scaling
 * suspended so neither target tracking nor a scale-to-zero schedule undoes the change), wait
 * until it is drained or stable, and put autoscaling back as it was.
 *
 * "Stable" is checked from DescribeServices, not trusted from a deployment call: the PRIMARY
 * deployment must be COMPLETED and run the desired number of tasks (a circuit-breaker rollback
 * otherwise looks like success, pulumi-aws#4487).
 */
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  RegisterScalableTargetCommand,
  SuspendedState,
} from "@aws-sdk/client-application-auto-scaling";
import { DescribeServicesCommand, ECSClient, Service, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { BbwsError, RollbackDetectedError } from "../lib/errors";
import { done, pending, pollUntil } from "../lib/wait";

/** Cluster and service names. */
export interface ServiceRef {
  readonly cluster: string;
  readonly service: string;
}

/** Waiting parameters. */
export interface WaitParams {
  readonly timeoutSeconds: number;
  readonly intervalSeconds: number;
  readonly signal?: AbortSignal;
}

/** Application Auto Scaling settings of a service, as found before an operation. */
export interface ScalingState {
  readonly resourceId: string;
  readonly suspendedState: SuspendedState;
}

const SCALABLE = { ServiceNamespace: "ecs", ScalableDimension: "ecs:service:DesiredCount" } as const;
const ALL_SUSPENDED: SuspendedState = {
  DynamicScalingInSuspended: true,
  DynamicScalingOutSuspended: true,
  ScheduledScalingSuspended: true,
};

/** The service, or UnexpectedError when the cluster has no active service of that name. */
export async function describeService(ecs: ECSClient, ref: ServiceRef): Promise<Service> {
  const found = await ecs.send(
    new DescribeServicesCommand({ cluster: ref.cluster, services: [ref.service] }),
  );
  const service = found.services?.[0];
  if (!service || service.status !== "ACTIVE") {
    const reason = found.failures?.[0]?.reason ?? service?.status ?? "not found";
    throw new BbwsError("failed", `service ${ref.service} in cluster ${ref.cluster}: ${reason}`);
  }
  return service;
}

/** The PRIMARY deployment of a service. */
export function primaryDeployment(service: Service) {
  return service.deployments?.find((d) => d.status === "PRIMARY");
}

/** Application Auto Scaling resource id of a service. */
export function scalableResourceId(ref: ServiceRef): string {
  return `service/${ref.cluster}/${ref.service}`;
}

/** Reads the service's scalable target; undefined when the service has none. */
export async function readScaling(
  autoScaling: ApplicationAutoScalingClient,
  ref: ServiceRef,
): Promise<ScalingState | undefined> {
  const resourceId = scalableResourceId(ref);
  const found = await autoScaling.send(
    new DescribeScalableTargetsCommand({ ...SCALABLE, ResourceIds: [resourceId] }),
  );
  const target = found.ScalableTargets?.[0];
  if (!target) return undefined;
  return {
    resourceId,
    suspendedState: {
      DynamicScalingInSuspended: target.SuspendedState?.DynamicScalingInSuspended ?? false,
      DynamicScalingOutSuspended: target.SuspendedState?.DynamicScalingOutSuspended ?? false,
      ScheduledScalingSuspended: target.SuspendedState?.ScheduledScalingSuspended ?? false,
    },
  };
}

/** Suspends scaling in, scaling out and scheduled actions (min/max stay as they are). */
export async function suspendScaling(
  autoScaling: ApplicationAutoScalingClient,
  state: ScalingState,
): Promise<void> {
  await autoScaling.send(
    new RegisterScalableTargetCommand({
      ...SCALABLE,
      ResourceId: state.resourceId,
      SuspendedState: ALL_SUSPENDED,
    }),
  );
}

/** Puts the suspended state back to what it was before the operation. */
export async function restoreScaling(
  autoScaling: ApplicationAutoScalingClient,
  state: ScalingState,
): Promise<void> {
  await autoScaling.send(
    new RegisterScalableTargetCommand({
      ...SCALABLE,
      ResourceId: state.resourceId,
      SuspendedState: state.suspendedState,
    }),
  );
}

/** Sets the desired count (and forces a new deployment when asked); returns the new PRIMARY deployment id. */
export async function scaleService(
  ecs: ECSClient,
  ref: ServiceRef,
  desiredCount: number,
  forceNewDeployment = false,
): Promise<string | undefined> {
  const updated = await ecs.send(
    new UpdateServiceCommand({
      cluster: ref.cluster,
      service: ref.service,
      desiredCount,
      ...(forceNewDeployment ? { forceNewDeployment: true } : {}),
    }),
  );
  return updated.service ? primaryDeployment(updated.service)?.id : undefined;
}

/** Waits until no task of the service runs or starts. */
export function waitDrained(ecs: ECSClient, ref: ServiceRef, wait: WaitParams): Promise<void> {
  return pollUntil({
    what: `service ${ref.service} to stop its tasks`,
    ...wait,
    check: async () => {
      const service = await describeService(ecs, ref);
      const running = service.runningCount ?? 0;
      const pendingCount = service.pendingCount ?? 0;
      return running === 0 && pendingCount === 0
        ? done(undefined)
        : pending(`${running} running, ${pendingCount} pending`);
    },
  });
}

/**
 * Waits until the PRIMARY deployment (the one `deploymentId` names, when known) is COMPLETED
 * and runs the desired count. A FAILED rollout (circuit breaker) ends the wait with an error.
 */
export function waitStable(
  ecs: ECSClient,
  ref: ServiceRef,
  wait: WaitParams,
  deploymentId?: string,
): Promise<Service> {
  return pollUntil({
    what: `service ${ref.service} to become stable`,
    ...wait,
    check: async () => {
      const service = await describeService(ecs, ref);
      const primary = primaryDeployment(service);
      if (primary?.rolloutState === "FAILED") {
        throw new BbwsError(
          "failed",
          `deployment ${primary.id} of service ${ref.service} failed: ${primary.rolloutStateReason ?? "no reason given"}`,
        );
      }
      const current = deploymentId === undefined || primary?.id === deploymentId;
      const stable =
        current && primary?.rolloutState === "COMPLETED" && service.runningCount === service.desiredCount;
      return stable
        ? done(service)
        : pending(
            `${primary?.rolloutState ?? "no PRIMARY deployment"}, ${service.runningCount ?? 0}/${service.desiredCount ?? 0} running`,
          );
    },
  });
}

/** `family:revision` of a task definition ARN (what the console shows). */
export function taskDefinitionName(arn: string | undefined): string {
  return arn?.split("/").pop() ?? "none";
}

/**
 * Waits until the service runs `taskDefinitionArn` for good: its PRIMARY deployment runs that
 * task definition, is COMPLETED and runs the desired count. Pulumi's update returns before (or
 * regardless of) that, and reports success even when the circuit breaker rolled the deployment
 * back (pulumi-aws#4487, pulumi-awsx#1848), so this is the check that a rollout worked:
 *
 *  - PRIMARY on another task definition: the circuit breaker rolled back (RollbackDetectedError,
 *    naming the failed deployment and its reason when ECS still lists it);
 *  - PRIMARY FAILED: the deployment failed without a rollback (UnexpectedError);
 *  - still IN_PROGRESS at the deadline: OperationTimeoutError.
 */
export function waitRolledOut(
  ecs: ECSClient,
  ref: ServiceRef,
  taskDefinitionArn: string,
  wait: WaitParams,
): Promise<Service> {
  const wanted = taskDefinitionName(taskDefinitionArn);
  return pollUntil({
    what: `service ${ref.service} to roll out ${wanted}`,
    ...wait,
    onTimeout: "the deployment may still finish or roll back: check `npm run ops -- status`",
    check: async () => {
      const service = await describeService(ecs, ref);
      const primary = primaryDeployment(service);
      if (!primary) return pending("no PRIMARY deployment");
      if (primary.taskDefinition !== taskDefinitionArn) {
        const failed = service.deployments?.find((d) => d.taskDefinition === taskDefinitionArn);
        const why = failed
          ? `; deployment ${failed.id} of ${wanted} is ${failed.rolloutState ?? "unknown"}: ${failed.rolloutStateReason ?? "no reason given"}`
          : "";
        throw new RollbackDetectedError(
          `service ${ref.service} rolled back: its PRIMARY deployment runs ${taskDefinitionName(primary.taskDefinition)}, not ${wanted}${why}`,
        );
      }
      if (primary.rolloutState === "FAILED") {
        throw new BbwsError(
          "failed",
          `deployment ${primary.id} of ${wanted} failed: ${primary.rolloutStateReason ?? "no reason given"}`,
        );
      }
      const running = service.runningCount ?? 0;
      const desired = service.desiredCount ?? 0;
      if (primary.rolloutState === "COMPLETED" && running === desired) return done(service);
      return pending(`${primary.rolloutState ?? "no rollout state"}, ${running}/${desired} running`);
    },
  });
}
