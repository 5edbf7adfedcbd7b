/**
 * What the tenant component's parts derive, field by field: the four alarms (with and without
 * Container Insights), the autoscaling target, policies and schedule, and the routing, each
 * checked against the platform values it must use.
 */
import { expect } from "chai";
import { StackRun } from "../../../offline/stackRun";
import { RecordedResource } from "../../../offline/stackRun";
import { ofType, single } from "../../helpers/resources";
import { platformOf, registryEntry, runTenantEntry } from "../../helpers/tenants";
import { contractOf } from "../../helpers/platform";
import { PlatformContract } from "../../../config/platformContract";
import { resolveTenantSpec } from "../../../config/tenantSpec";
import { loadStackSettings } from "../../../config/readStackConfig";

const alarm = (run: StackRun, suffix: string): RecordedResource =>
  single(run, "aws:cloudwatch/metricAlarm:MetricAlarm", new RegExp(`-${suffix}$`));

describe("tenant parts, field by field", () => {
  let dev: StackRun; // acme: Container Insights off, scheduled, shard 0
  let prod: StackRun; // acme: Container Insights on
  let devPlatform: PlatformContract;
  let prodPlatform: PlatformContract;
  before(async () => {
    dev = await runTenantEntry("dev", registryEntry("dev", "acme"));
    prod = await runTenantEntry("prod", registryEntry("prod", "acme"));
    devPlatform = contractOf(await platformOf("dev"));
    prodPlatform = contractOf(await platformOf("prod"));
  });

  describe("alarms", () => {
    it("five alarms, all notifying the environment's topic on alarm and on recovery", () => {
      for (const [run, platform] of [
        [dev, devPlatform],
        [prod, prodPlatform],
      ] as const) {
        const alarms = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm");
        expect(alarms.map((a) => a.name).sort()).to.deep.equal([
          "acme-cpu-high",
          "acme-deep-check",
          "acme-target-5xx",
          "acme-tasks-below-desired",
          "acme-unhealthy-targets",
        ]);
        for (const a of alarms) {
          expect(a.inputs.alarmActions, a.name).to.deep.equal([platform.observability.alarmTopicArn]);
          expect(a.inputs.okActions, a.name).to.deep.equal([platform.observability.alarmTopicArn]);
          expect(a.inputs.actionsEnabled, a.name).to.equal(true);
          // The deep check alarms on one failed check or more; the others above a threshold.
          expect(a.inputs.comparisonOperator, a.name).to.equal(
            a.name === "acme-deep-check" ? "GreaterThanOrEqualToThreshold" : "GreaterThanThreshold",
          );
          expect(a.inputs.treatMissingData, a.name).to.equal("notBreaching");
          expect(a.inputs.tags, a.name).to.deep.include({
            "bbws:component": "alarms",
            "bbws:tenant-id": "acme",
          });
        }
      }
    });

    it("CPU above 90% for two 5-minute periods, on the tenant's service", () => {
      const { inputs } = alarm(prod, "cpu-high");
      expect(inputs).to.deep.include({
        alarmDescription: "acme: average CPU above 90% for 10 minutes",
        namespace: "AWS/ECS",
        metricName: "CPUUtilization",
        statistic: "Average",
        period: 300,
        evaluationPeriods: 2,
        threshold: 90,
      });
      const service = single(prod, "aws:ecs/service:Service");
      expect(inputs.dimensions).to.deep.equal({
        ClusterName: prodPlatform.cluster.name,
        ServiceName: service.inputs.name,
      });
    });

    it("unhealthy targets for 3 minutes and more than 10 target 5xx in 5 minutes, on the tenant's target group", () => {
      const targetGroup = single(prod, "aws:lb/targetGroup:TargetGroup");
      const dimensions = {
        LoadBalancer: prodPlatform.ingress.shards[0].loadBalancerArnSuffix,
        TargetGroup: targetGroup.id.split(":").pop()!,
      };
      expect(alarm(prod, "unhealthy-targets").inputs).to.deep.include({
        alarmDescription: "acme: at least one unhealthy target for 3 minutes",
        namespace: "AWS/ApplicationELB",
        metricName: "UnHealthyHostCount",
        statistic: "Maximum",
        period: 60,
        evaluationPeriods: 3,
        threshold: 0,
      });
      expect(alarm(prod, "unhealthy-targets").inputs.dimensions).to.deep.equal(dimensions);
      expect(alarm(prod, "target-5xx").inputs).to.deep.include({
        alarmDescription: "acme: WordPress answered more than 10 5xx responses in 5 minutes",
        namespace: "AWS/ApplicationELB",
        metricName: "HTTPCode_Target_5XX_Count",
        statistic: "Sum",
        period: 300,
        evaluationPeriods: 1,
        threshold: 10,
      });
      expect(alarm(prod, "target-5xx").inputs.dimensions).to.deep.equal(dimensions);
    });

    it("with Container Insights: desired minus running tasks above 0 for 5 minutes", () => {
      const { inputs } = alarm(prod, "tasks-below-desired");
      const service = { ClusterName: prodPlatform.cluster.name, ServiceName: "acme-wordpress" };
      expect(inputs.alarmDescription).to.equal("acme: fewer tasks running than desired for 5 minutes");
      expect(inputs.evaluationPeriods).to.equal(5);
      expect(inputs.threshold).to.equal(0);
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
      expect(inputs.metricQueries).to.deep.equal([
        metric("running", "RunningTaskCount"),
        metric("desired", "DesiredTaskCount"),
        { id: "missing", expression: "desired - running", label: "Tasks missing", returnData: true },
      ]);
    });

    it("without Container Insights: requests arrive while no target is healthy, for 3 minutes", () => {
      const { inputs } = alarm(dev, "tasks-below-desired");
      const targetGroup = single(dev, "aws:lb/targetGroup:TargetGroup");
      const dimensions = {
        LoadBalancer: devPlatform.ingress.shards[0].loadBalancerArnSuffix,
        TargetGroup: targetGroup.id.split(":").pop()!,
      };
      expect(inputs.alarmDescription).to.equal(
        "acme: requests arrive but no task is healthy (Container Insights is off, so desired tasks are not measured)",
      );
      expect(inputs.evaluationPeriods).to.equal(3);
      expect(inputs.threshold).to.equal(0);
      const metric = (id: string, metricName: string, stat: string) => ({
        id,
        returnData: false,
        metric: { namespace: "AWS/ApplicationELB", metricName, dimensions, period: 60, stat },
      });
      expect(inputs.metricQueries).to.deep.equal([
        metric("healthy", "HealthyHostCount", "Minimum"),
        metric("requests", "RequestCount", "Sum"),
        {
          id: "down",
          expression: "IF(FILL(healthy, 0) < 1 AND FILL(requests, 0) > 0, 1, 0)",
          label: "Requested while down",
          returnData: true,
        },
      ]);
    });
  });

  describe("autoscaling", () => {
    it("scales the tenant's service between the entry's bounds, tracking CPU at 70% and memory at 80%", () => {
      const spec = resolveTenantSpec(registryEntry("prod", "acme"), loadStackSettings("prod"));
      const target = single(prod, "aws:appautoscaling/target:Target");
      expect(target.inputs).to.deep.include({
        serviceNamespace: "ecs",
        scalableDimension: "ecs:service:DesiredCount",
        resourceId: `service/${prodPlatform.cluster.name}/acme-wordpress`,
        minCapacity: spec.minTasks,
        maxCapacity: spec.maxTasks,
      });
      expect(target.inputs.tags).to.deep.include({ "bbws:component": "autoscaling" });
      const policies = ofType(prod, "aws:appautoscaling/policy:Policy");
      expect(policies.map((p) => [p.name, p.inputs.targetTrackingScalingPolicyConfiguration])).to.deep.equal(
        [
          ["acme-cpu-scaling", "ECSServiceAverageCPUUtilization", 70],
          ["acme-memory-scaling", "ECSServiceAverageMemoryUtilization", 80],
        ].map(([name, metric, value]) => [
          name,
          {
            predefinedMetricSpecification: { predefinedMetricType: metric },
            targetValue: value,
            scaleInCooldown: 300,
            scaleOutCooldown: 60,
          },
        ]),
      );
      for (const p of policies) {
        expect(p.inputs).to.deep.include({
          policyType: "TargetTrackingScaling",
          serviceNamespace: "ecs",
          scalableDimension: "ecs:service:DesiredCount",
          resourceId: target.inputs.resourceId,
        });
      }
      // No schedule: no scheduled actions.
      expect(ofType(prod, "aws:appautoscaling/scheduledAction:ScheduledAction")).to.deep.equal([]);
    });

    it("a schedule sleeps to 0/0 and wakes to the entry's bounds, in the entry's time zone", () => {
      const entry = registryEntry("dev", "acme");
      const spec = resolveTenantSpec(entry, loadStackSettings("dev"));
      const actions = ofType(dev, "aws:appautoscaling/scheduledAction:ScheduledAction");
      expect(actions.map((a) => a.name)).to.deep.equal(["acme-sleep", "acme-wake"]);
      const [sleep, wake] = actions;
      const common = {
        serviceNamespace: "ecs",
        scalableDimension: "ecs:service:DesiredCount",
        resourceId: `service/${devPlatform.cluster.name}/acme-wordpress`,
        timezone: spec.schedule!.timezone,
      };
      expect(sleep.inputs).to.deep.include(common);
      expect(wake.inputs).to.deep.include(common);
      expect(sleep.inputs.scalableTargetAction).to.deep.equal({ minCapacity: 0, maxCapacity: 0 });
      expect(wake.inputs.scalableTargetAction).to.deep.equal({
        minCapacity: spec.minTasks,
        maxCapacity: spec.maxTasks,
      });
      const [sleepHour, sleepMinute] = spec.schedule!.sleepAt.split(":").map(Number);
      expect(sleep.inputs.schedule).to.equal(`cron(${sleepMinute} ${sleepHour} ? * * *)`);
      const [wakeHour, wakeMinute] = spec.schedule!.wakeAt.split(":").map(Number);
      const days = spec.schedule!.weekdaysOnly ? "MON-FRI" : "*";
      expect(wake.inputs.schedule).to.equal(`cron(${wakeMinute} ${wakeHour} ? * ${days} *)`);
    });
  });

  describe("routing", () => {
    it("an HTTP/1 ip target group in the platform's VPC, draining within 60 s, checking the static health file", () => {
      const { inputs } = single(prod, "aws:lb/targetGroup:TargetGroup");
      expect(inputs).to.deep.include({
        port: 80,
        protocol: "HTTP",
        protocolVersion: "HTTP1",
        targetType: "ip",
        vpcId: prodPlatform.network.vpcId,
        deregistrationDelay: 60,
      });
      expect(inputs.healthCheck).to.deep.equal({
        enabled: true,
        path: "/bbws-health",
        matcher: "200",
        interval: 30,
        timeout: 10,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
        protocol: "HTTP",
      });
      expect(inputs.tags).to.deep.include({ "bbws:component": "ingress", "bbws:tenant-id": "acme" });
    });

    it("one host-header rule for the primary host at the entry's priority, forwarding to the tenant's target group", () => {
      const entry = registryEntry("prod", "acme");
      const rule = single(prod, "aws:lb/listenerRule:ListenerRule", /^acme-rule$/);
      const targetGroup = single(prod, "aws:lb/targetGroup:TargetGroup");
      expect(rule.inputs).to.deep.include({
        listenerArn: prodPlatform.ingress.shards[entry.listener!.shard].listenerArn,
        priority: entry.listener!.priority,
      });
      // The primary host only (the first); the others answer 301 to it (tests/unit/edge.test.ts).
      expect(rule.inputs.conditions).to.deep.equal([{ hostHeader: { values: [entry.hosts[0]] } }]);
      expect(rule.inputs.actions).to.deep.equal([{ type: "forward", targetGroupArn: targetGroup.id }]);
      expect(rule.inputs.tags).to.deep.include({ "bbws:component": "ingress" });
    });
  });
});
