/**
 * The deep check's alarm: PHP and the tenant's database, watched without replacing tasks.
 *
 * The cron timer of every task (runtime/bin/bbws-cron-loop) calls the deep check on the task's
 * loopback listener each run and prints the result as a CloudWatch embedded-metric line; its
 * log group extracts the metrics `DeepCheckFailed` and `CronFailed` (namespace BBWS/WordPress,
 * dimensions Environment and Tenant). The alarm fires when either is 1 in three consecutive
 * minutes. Missing data (a sleeping tenant, no tasks) is not a failure: the task-count and
 * target alarms watch the tasks.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { TenantSpec } from "../../config/tenantSpec";
import { Tags, withComponent } from "../tags";
import { TenantPlatform } from "./platformInputs";

/** Namespace of the runtime's metrics (the embedded-metric lines of bbws-cron-loop). */
export const RUNTIME_METRIC_NAMESPACE = "BBWS/WordPress";
/** Minutes of failed deep checks before the alarm fires: a failover takes about a minute. */
export const DEEP_CHECK_EVALUATION_MINUTES = 3;

/** What the alarm reads. */
export interface DeepCheckAlarmArgs {
  readonly spec: Pick<TenantSpec, "id" | "environment" | "runtime">;
  readonly platform: Pick<TenantPlatform, "observability">;
  readonly tags: Tags;
}

/** The alarm, or undefined for the stock image (it has no deep check). */
export function createDeepCheckAlarm(
  name: string,
  a: DeepCheckAlarmArgs,
  parent: pulumi.Resource,
): aws.cloudwatch.MetricAlarm | undefined {
  if (a.spec.runtime.flavour !== "bbws") return undefined;
  const topic = a.platform.observability.alarmTopicArn;
  const dimensions = { Environment: a.spec.environment, Tenant: a.spec.id };
  // One period per cron run (the metric's resolution), whole minutes as CloudWatch requires.
  const periodSeconds = Math.max(60, Math.ceil(a.spec.runtime.cronIntervalSeconds / 60) * 60);
  const failed = (id: string, metricName: string) => ({
    id,
    returnData: false,
    metric: {
      namespace: RUNTIME_METRIC_NAMESPACE,
      metricName,
      dimensions,
      period: periodSeconds,
      stat: "Maximum",
    },
  });
  return new aws.cloudwatch.MetricAlarm(
    `${name}-deep-check`,
    {
      alarmDescription:
        `${a.spec.id}: the deep check (PHP and the database) or the cron run failed for ` +
        `${DEEP_CHECK_EVALUATION_MINUTES} periods; tasks are not replaced for it`,
      metricQueries: [
        // Either failure counts: the cron run loads all of WordPress, the deep check only its core.
        failed("deep", "DeepCheckFailed"),
        failed("cron", "CronFailed"),
        {
          id: "failed",
          expression: "MAX([deep, cron])",
          label: "deep check or cron failed",
          returnData: true,
        },
      ],
      evaluationPeriods: DEEP_CHECK_EVALUATION_MINUTES,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
      alarmActions: [topic],
      okActions: [topic],
      actionsEnabled: true,
      tags: withComponent(a.tags, "alarms"),
    },
    { parent },
  );
}
