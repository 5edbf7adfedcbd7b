/**
 * A tenant's autoscaling: min/max from its registry entry, target tracking on CPU (70%) and
 * memory (80%), and the optional scale-to-zero schedule.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { TenantSpec } from "../../config/tenantSpec";
import { Tags, withComponent } from "../tags";
import { TenantPlatform } from "./platformInputs";
import { scheduleCrons } from "./schedule";

/** What the autoscaling reads. */
export interface TenantScalingArgs {
  /** Bounds of the task count, and the scale-to-zero schedule (none: no scheduled actions). */
  readonly spec: Pick<TenantSpec, "minTasks" | "maxTasks" | "schedule">;
  /** The cluster of the service. */
  readonly platform: Pick<TenantPlatform, "cluster">;
  /** The service to scale. */
  readonly serviceName: pulumi.Input<string>;
  /** Tags of the tenant; `bbws:component` is added. */
  readonly tags: Tags;
}

/** Target-tracking settings: scale out fast, scale in slowly to avoid flapping (seed 000). */
export const TARGETS = [
  { metric: "ECSServiceAverageCPUUtilization", suffix: "cpu", target: 70 },
  { metric: "ECSServiceAverageMemoryUtilization", suffix: "memory", target: 80 },
] as const;
/** Seconds between scale-in steps: slow, so a short lull does not drop capacity a peak needs again. */
export const SCALE_IN_COOLDOWN_SECONDS = 300;
/** Seconds between scale-out steps: fast, WordPress under load needs tasks now. */
export const SCALE_OUT_COOLDOWN_SECONDS = 60;

/** The scalable target, its two target-tracking policies and the optional schedule. */
export function createTenantScaling(
  name: string,
  args: TenantScalingArgs,
  parent: pulumi.Resource,
): aws.appautoscaling.Target {
  const target = new aws.appautoscaling.Target(
    `${name}-scaling`,
    {
      serviceNamespace: "ecs",
      scalableDimension: "ecs:service:DesiredCount",
      resourceId: pulumi.interpolate`service/${args.platform.cluster.name}/${args.serviceName}`,
      minCapacity: args.spec.minTasks,
      maxCapacity: args.spec.maxTasks,
      tags: withComponent(args.tags, "autoscaling"),
    },
    { parent },
  );
  for (const t of TARGETS) {
    new aws.appautoscaling.Policy(
      `${name}-${t.suffix}-scaling`,
      {
        policyType: "TargetTrackingScaling",
        serviceNamespace: target.serviceNamespace,
        scalableDimension: target.scalableDimension,
        resourceId: target.resourceId,
        targetTrackingScalingPolicyConfiguration: {
          predefinedMetricSpecification: { predefinedMetricType: t.metric },
          targetValue: t.target,
          scaleInCooldown: SCALE_IN_COOLDOWN_SECONDS,
          scaleOutCooldown: SCALE_OUT_COOLDOWN_SECONDS,
        },
      },
      { parent },
    );
  }
  if (args.spec.schedule) {
    const crons = scheduleCrons(args.spec.schedule);
    const action = (suffix: string, schedule: string, min: number, max: number) =>
      new aws.appautoscaling.ScheduledAction(
        `${name}-${suffix}`,
        {
          serviceNamespace: target.serviceNamespace,
          scalableDimension: target.scalableDimension,
          resourceId: target.resourceId,
          schedule,
          timezone: crons.timezone,
          scalableTargetAction: { minCapacity: min, maxCapacity: max },
        },
        { parent },
      );
    action("sleep", crons.sleep, 0, 0);
    action("wake", crons.wake, args.spec.minTasks, args.spec.maxTasks);
  }
  return target;
}
