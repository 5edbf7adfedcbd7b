/**
 * A tenant's alarms, all notifying the environment's alarm topic: CPU above 90%, fewer tasks
 * running than desired, unhealthy targets, and target 5xx responses.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { TenantSpec } from "../../config/tenantSpec";
import { Tags, withComponent } from "../tags";
import { TenantPlatform } from "./platformInputs";

/** What the alarms read. */
export interface TenantAlarmsArgs {
  /**
   * The tenant id (in descriptions) and `containerInsights`: with Container Insights the
   * task-count alarm compares running and desired tasks exactly; without it (dev), it fires
   * when requests arrive and no healthy target serves them.
   */
  readonly spec: Pick<TenantSpec, "id" | "containerInsights">;
  /** The cluster, the shard's ALB (CloudWatch dimension) and the alarm topic. */
  readonly platform: Pick<TenantPlatform, "cluster" | "shard" | "observability">;
  readonly serviceName: pulumi.Input<string>;
  readonly targetGroupArnSuffix: pulumi.Input<string>;
  /** Tags of the tenant; `bbws:component` is added. */
  readonly tags: Tags;
}

/** The tenant's four alarms, all notifying the environment's alarm topic. */
export function createTenantAlarms(
  name: string,
  a: TenantAlarmsArgs,
  parent: pulumi.Resource,
): aws.cloudwatch.MetricAlarm[] {
  const topic = a.platform.observability.alarmTopicArn;
  const common = {
    alarmActions: [topic],
    okActions: [topic],
    actionsEnabled: true,
    tags: withComponent(a.tags, "alarms"),
  };
  const tenantId = a.spec.id;
  const service = { ClusterName: a.platform.cluster.name, ServiceName: a.serviceName };
  const target = {
    TargetGroup: a.targetGroupArnSuffix,
    LoadBalancer: a.platform.shard.loadBalancerArnSuffix,
  };

  const alarms = [
    new aws.cloudwatch.MetricAlarm(
      `${name}-cpu-high`,
      {
        ...common,
        alarmDescription: `${tenantId}: average CPU above 90% for 10 minutes`,
        namespace: "AWS/ECS",
        metricName: "CPUUtilization",
        dimensions: service,
        statistic: "Average",
        period: 300,
        evaluationPeriods: 2,
        threshold: 90,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
      },
      { parent },
    ),
    a.spec.containerInsights
      ? tasksBelowDesired(name, a, common, service, parent)
      : noHealthyTargetWhileRequested(name, a, common, target, parent),
    new aws.cloudwatch.MetricAlarm(
      `${name}-unhealthy-targets`,
      {
        ...common,
        alarmDescription: `${tenantId}: at least one unhealthy target for 3 minutes`,
        namespace: "AWS/ApplicationELB",
        metricName: "UnHealthyHostCount",
        dimensions: target,
        statistic: "Maximum",
        period: 60,
        evaluationPeriods: 3,
        threshold: 0,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
      },
      { parent },
    ),
    new aws.cloudwatch.MetricAlarm(
      `${name}-target-5xx`,
      {
        ...common,
        alarmDescription: `${tenantId}: WordPress answered more than 10 5xx responses in 5 minutes`,
        namespace: "AWS/ApplicationELB",
        metricName: "HTTPCode_Target_5XX_Count",
        dimensions: target,
        statistic: "Sum",
        period: 300,
        evaluationPeriods: 1,
        threshold: 10,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
      },
      { parent },
    ),
  ];
  return alarms;
}

type Common = {
  alarmActions: pulumi.Input<string>[];
  okActions: pulumi.Input<string>[];
  actionsEnabled: boolean;
  tags: Tags;
};

function tasksBelowDesired(
  name: string,
  a: TenantAlarmsArgs,
  common: Common,
  service: Record<string, pulumi.Input<string>>,
  parent: pulumi.Resource,
): aws.cloudwatch.MetricAlarm {
  const metric = (id: string, metricName: string) => ({
    id,
    returnData: false,
    metric: {
      namespace: "ECS/ContainerInsights",
      metricName,
      dimensions: service,
      period: 60,
      stat: "Average",
    },
  });
  return new aws.cloudwatch.MetricAlarm(
    `${name}-tasks-below-desired`,
    {
      ...common,
      alarmDescription: `${a.spec.id}: fewer tasks running than desired for 5 minutes`,
      metricQueries: [
        metric("running", "RunningTaskCount"),
        metric("desired", "DesiredTaskCount"),
        { id: "missing", expression: "desired - running", label: "Tasks missing", returnData: true },
      ],
      evaluationPeriods: 5,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
    },
    { parent },
  );
}

function noHealthyTargetWhileRequested(
  name: string,
  a: TenantAlarmsArgs,
  common: Common,
  target: Record<string, pulumi.Input<string>>,
  parent: pulumi.Resource,
): aws.cloudwatch.MetricAlarm {
  const metric = (id: string, metricName: string, stat: string) => ({
    id,
    returnData: false,
    metric: { namespace: "AWS/ApplicationELB", metricName, dimensions: target, period: 60, stat },
  });
  return new aws.cloudwatch.MetricAlarm(
    `${name}-tasks-below-desired`,
    {
      ...common,
      alarmDescription: `${a.spec.id}: requests arrive but no task is healthy (Container Insights is off, so desired tasks are not measured)`,
      metricQueries: [
        metric("healthy", "HealthyHostCount", "Minimum"),
        metric("requests", "RequestCount", "Sum"),
        {
          id: "down",
          expression: "IF(FILL(healthy, 0) < 1 AND FILL(requests, 0) > 0, 1, 0)",
          label: "Requested while down",
          returnData: true,
        },
      ],
      evaluationPeriods: 3,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
    },
    { parent },
  );
}
