/**
 * A tenant's autoscaling: min/max from its registry entry, target tracking on CPU (70%) and
 * memory (80%), and the optional scale-to-zero schedule.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { TenantSchedule } from "../../config/tenantEntry";
import { Tags, withComponent } from "../tags";
import { scheduleCrons } from "./schedule";

export interface TenantScalingArgs {
  readonly clusterName: pulumi.Input<string>;
  readonly serviceName: pulumi.Input<string>;
  readonly minTasks: number;
  readonly maxTasks: number;
  readonly schedule?: TenantSchedule;
  readonly tags: Tags;
}

/** Target-tracking settings: scale out fast, scale in slowly to avoid flapping (seed 000). */
export const TARGETS = [
  { metric: "ECSServiceAverageCPUUtilization", suffix: "cpu", target: 70 },
  { metric: "ECSServiceAverageMemoryUtilization", suffix: "memory", target: 80 },
] as const;
export const SCALE_IN_COOLDOWN_SECONDS = 300;
export const SCALE_OUT_COOLDOWN_SECONDS = 60;

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
      resourceId: pulumi.interpolate`service/${args.clusterName}/${args.serviceName}`,
      minCapacity: args.minTasks,
      maxCapacity: args.maxTasks,
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
  if (args.schedule) {
    const crons = scheduleCrons(args.schedule);
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
    action("wake", crons.wake, args.minTasks, args.maxTasks);
  }
  return target;
}
