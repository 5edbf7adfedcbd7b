/**
 * The constraints `plan` holds every planned resource to, by resource type. Enumerations come
 * from the AWS SDK v3 clients' enum exports (the service models AWS generates the SDKs from);
 * time zones from `Intl`; lengths, ranges and formats from the API reference page each rule
 * names. See docs/plan-checks.md.
 */
import * as backup from "@aws-sdk/client-backup";
import * as cloudwatch from "@aws-sdk/client-cloudwatch";
import * as ecr from "@aws-sdk/client-ecr";
import * as ecs from "@aws-sdk/client-ecs";
import * as efs from "@aws-sdk/client-efs";
import * as elb from "@aws-sdk/client-elastic-load-balancing-v2";
import * as scaling from "@aws-sdk/client-application-auto-scaling";
import { NAME_LIMITS, NAME_PREFIX_SUFFIX_LENGTH } from "../../config/awsNames";
import { isValidFargateSize } from "../../config/fargateSizes";
import { LOG_RETENTION_DAYS } from "../../config/platformConfig";
import { MAX_HOST_LENGTH, isIanaTimeZone } from "../../config/tenantEntry";
import {
  scalar,
  CheckedResource,
  ConstraintRule,
  Report,
  all,
  at,
  eachOneOf,
  inRange,
  oneOf,
  text,
} from "./check";
import { IAM_RULES } from "./iam";

const SDK = (client: string, shape: string) => `AWS SDK v3 ${client} enum ${shape}`;
const ELB_TG = "ELBv2 API Reference, CreateTargetGroup";
const ELB_LISTENER = "ELBv2 API Reference, CreateListener / Action";
const ELB_RULE = "ELBv2 API Reference, CreateRule / RuleCondition";
const ELB_QUOTAS = "Application Load Balancer quotas (User Guide)";
const ECS_TD = "ECS API Reference, RegisterTaskDefinition / ContainerDefinition";
const ECS_SERVICE = "ECS API Reference, CreateService";
const ALARM = "CloudWatch API Reference, PutMetricAlarm";
const AAS = "Application Auto Scaling API Reference";
const SSM_PUT = "Systems Manager API Reference, PutParameter";
/**
 * Characters of a parameter ARN before the name (`arn:<partition>:ssm:<region>:<account>:parameter`),
 * rounded up: AWS counts the whole ARN into a name's 1,011-character limit.
 */
const SSM_ARN_PREFIX_ROOM = 64;

/** The service namespace and scalable dimension every Application Auto Scaling resource names. */
const scalableDimension = all(
  oneOf("serviceNamespace", scaling.ServiceNamespace, SDK("Application Auto Scaling", "ServiceNamespace")),
  oneOf("scalableDimension", scaling.ScalableDimension, SDK("Application Auto Scaling", "ScalableDimension")),
);
const BACKUP = "AWS Backup API Reference";
const TAGS = "Tagging AWS resources (Tagging Best Practices), tag naming limits and requirements";

/** `cron(...)` with 6 fields, `rate(n unit)` or `at(yyyy-mm-ddThh:mm:ss)` (the schedule grammar). */
function scheduleExpression(path: string, source: string, forms: readonly ("cron" | "rate" | "at")[]) {
  return (r: CheckedResource, report: Report) => {
    const value = at(r.inputs, path);
    if (typeof value !== "string") return;
    const cron = /^cron\((\S+ ){5}\S+\)$/.test(value);
    const rate = /^rate\(\d+ (minute|minutes|hour|hours|day|days)\)$/.test(value);
    const once = /^at\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\)$/.test(value);
    const ok =
      (forms.includes("cron") && cron) || (forms.includes("rate") && rate) || (forms.includes("at") && once);
    if (!ok)
      report(
        path,
        value,
        `a schedule expression: ${forms.map((f) => `${f}(...)`).join(", ")} (cron takes 6 fields)`,
        source,
      );
  };
}

/** An IANA time zone (`Intl`'s list, plus what ICU knows and AWS accepts: UTC, Etc/GMT±N). */
function timeZone(path: string, source: string) {
  return (r: CheckedResource, report: Report) => {
    const value = at(r.inputs, path);
    if (typeof value === "string" && !isIanaTimeZone(value))
      report(
        path,
        value,
        "an IANA time zone name (Intl.supportedValuesOf('timeZone'))",
        `${source}; IANA tz database`,
      );
  };
}

/** The physical name (given or auto-named) within its AWS limit. */
const NAME_RULE: ConstraintRule = {
  types: Object.keys(NAME_LIMITS),
  check: (r, report) => {
    const limit = NAME_LIMITS[r.type];
    const prefix = r.inputs.namePrefix;
    if (typeof prefix === "string" && r.inputs[limit.property] === undefined) {
      // Terraform appends a 26-character unique suffix to the prefix.
      if (prefix.length + NAME_PREFIX_SUFFIX_LENGTH > limit.maxLength)
        report(
          "namePrefix",
          prefix,
          `at most ${limit.maxLength - NAME_PREFIX_SUFFIX_LENGTH} characters (the name is the prefix plus 26)`,
          limit.source,
        );
    }
    const name = r.physicalName;
    if (name === undefined) return;
    const field = r.inputs[limit.property] !== undefined ? limit.property : `${limit.property} (auto-named)`;
    if (name.length > limit.maxLength)
      report(field, name, `at most ${limit.maxLength} characters (has ${name.length})`, limit.source);
    else if (limit.pattern && !limit.pattern.test(name) && !(typeof prefix === "string"))
      report(field, name, limit.allowed ?? `matches ${limit.pattern.source}`, limit.source);
  },
};

/** Tags: at most 50, keys 1-128 and values 0-256 characters, no `aws:` prefix, the allowed characters. */
const TAG_RULE: ConstraintRule = {
  types: "*",
  check: (r, report) => {
    for (const property of ["tags", "resourceTags", "recoveryPointTags"]) {
      const tags = r.inputs[property] as Record<string, unknown> | undefined;
      if (!tags || typeof tags !== "object" || Array.isArray(tags)) continue;
      const entries = Object.entries(tags);
      if (entries.length > 50)
        report(property, `${entries.length} tags`, "at most 50 tags per resource", TAGS);
      const allowed = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
      for (const [key, value] of entries) {
        const field = `${property}.${key}`;
        if (key.length < 1 || key.length > 128) report(field, key, "a tag key of 1 to 128 characters", TAGS);
        else if (/^aws:/i.test(key))
          report(field, key, 'a tag key not starting with "aws:" (reserved for AWS)', TAGS);
        else if (!allowed.test(key)) report(field, key, "letters, digits, spaces and _ . : / = + - @", TAGS);
        if (value === null || value === undefined) continue;
        const v = scalar(value);
        if (v.length > 256) report(field, v, "a tag value of at most 256 characters", TAGS);
        else if (!allowed.test(v)) report(field, v, "letters, digits, spaces and _ . : / = + - @", TAGS);
      }
    }
  },
};

const healthCheck = (prefix: string) =>
  all(
    inRange(`${prefix}.interval`, 5, 300, `${ELB_TG}: HealthCheckIntervalSeconds`),
    inRange(`${prefix}.timeout`, 2, 120, `${ELB_TG}: HealthCheckTimeoutSeconds`),
    inRange(`${prefix}.healthyThreshold`, 2, 10, `${ELB_TG}: HealthyThresholdCount`),
    inRange(`${prefix}.unhealthyThreshold`, 2, 10, `${ELB_TG}: UnhealthyThresholdCount`),
    text(`${prefix}.path`, 1024, `${ELB_TG}: HealthCheckPath`, {
      regex: /^\//,
      allowed: "a path starting with /",
    }),
    oneOf(`${prefix}.protocol`, ["HTTP", "HTTPS", "TCP"], `${ELB_TG}: HealthCheckProtocol`),
    (r, report) => {
      const interval = at(r.inputs, `${prefix}.interval`);
      const timeout = at(r.inputs, `${prefix}.timeout`);
      if (typeof interval === "number" && typeof timeout === "number" && timeout >= interval)
        report(
          `${prefix}.timeout`,
          timeout,
          `shorter than the interval (${interval} s)`,
          `${ELB_TG}: HealthCheckTimeoutSeconds`,
        );
      const matcher = at(r.inputs, `${prefix}.matcher`);
      if (typeof matcher === "string") {
        const codes = matcher.split(/[,-]/).map(Number);
        if (codes.some((c) => !Number.isInteger(c) || c < 200 || c > 499))
          report(
            `${prefix}.matcher`,
            matcher,
            "HTTP codes from 200 to 499 (e.g. 200,302 or 200-299)",
            `${ELB_TG}: Matcher.HttpCode`,
          );
      }
    },
  );

/** Checks an action (listener default action or rule action). */
function elbAction(path: string, r: CheckedResource, report: Report): void {
  const action = at(r.inputs, path) as Record<string, unknown> | undefined;
  if (!action) return;
  oneOf(`${path}.type`, elb.ActionTypeEnum, SDK("ELBv2", "ActionTypeEnum"))(r, report);
  oneOf(
    `${path}.redirect.statusCode`,
    elb.RedirectActionStatusCodeEnum,
    SDK("ELBv2", "RedirectActionStatusCodeEnum"),
  )(r, report);
  oneOf(
    `${path}.redirect.protocol`,
    ["HTTP", "HTTPS", "#{protocol}"],
    `${ELB_LISTENER}: RedirectActionConfig.Protocol`,
  )(r, report);
  text(`${path}.fixedResponse.statusCode`, 3, `${ELB_LISTENER}: FixedResponseActionConfig.StatusCode`, {
    regex: /^(2|4|5)\d\d$/,
    allowed: "a 2XX, 4XX or 5XX code",
  })(r, report);
  oneOf(
    `${path}.fixedResponse.contentType`,
    ["text/plain", "text/css", "text/html", "application/javascript", "application/json"],
    `${ELB_LISTENER}: FixedResponseActionConfig.ContentType`,
  )(r, report);
  text(
    `${path}.fixedResponse.messageBody`,
    1024,
    `${ELB_LISTENER}: FixedResponseActionConfig.MessageBody`,
  )(r, report);
}

/** ECS container definitions (a JSON string input). */
function containerDefinitions(r: CheckedResource, outer: Report): void {
  const report: Report = (field, value, rule, source) =>
    outer(
      field.startsWith("containerDefinitions") ? field : `containerDefinitions.${field}`,
      value,
      rule,
      source,
    );
  const raw = r.inputs.containerDefinitions;
  if (typeof raw !== "string") return;
  let containers: Record<string, unknown>[];
  try {
    containers = JSON.parse(raw) as Record<string, unknown>[];
  } catch (error) {
    report("containerDefinitions", raw, `valid JSON (${(error as Error).message})`, ECS_TD);
    return;
  }
  if (!Array.isArray(containers)) return;
  if (containers.length > 10)
    report(
      "containerDefinitions",
      `${containers.length} containers`,
      "at most 10 containers per task definition",
      "Amazon ECS service quotas",
    );
  const view = { ...r, inputs: { containers } };
  containers.forEach((c, i) => {
    const p = `containers[${i}]`;
    text(`${p}.name`, 255, `${ECS_TD}: name`, {
      regex: /^[A-Za-z0-9_-]+$/,
      allowed: "letters, digits, hyphens and underscores",
    })(view, report);
    oneOf(`${p}.logConfiguration.logDriver`, ecs.LogDriver, SDK("ECS", "LogDriver"))(view, report);
    inRange(`${p}.stopTimeout`, 2, 120, `${ECS_TD}: stopTimeout (Fargate: 120 s at most)`)(view, report);
    inRange(`${p}.healthCheck.interval`, 5, 300, `${ECS_TD}: HealthCheck.interval`)(view, report);
    inRange(`${p}.healthCheck.timeout`, 2, 60, `${ECS_TD}: HealthCheck.timeout`)(view, report);
    inRange(`${p}.healthCheck.retries`, 1, 10, `${ECS_TD}: HealthCheck.retries`)(view, report);
    inRange(`${p}.healthCheck.startPeriod`, 0, 300, `${ECS_TD}: HealthCheck.startPeriod`)(view, report);
    const ports = (c.portMappings as unknown[] | undefined) ?? [];
    ports.forEach((_, j) => {
      oneOf(
        `${p}.portMappings[${j}].protocol`,
        ecs.TransportProtocol,
        SDK("ECS", "TransportProtocol"),
      )(view, report);
      inRange(
        `${p}.portMappings[${j}].containerPort`,
        1,
        65535,
        `${ECS_TD}: PortMapping.containerPort`,
      )(view, report);
    });
    (((c.environment as unknown[] | undefined) ?? []) as { name?: unknown }[]).forEach((e, j) => {
      if (typeof e?.name !== "string" || e.name === "")
        report(`${p}.environment[${j}].name`, e?.name, "a variable name", `${ECS_TD}: KeyValuePair`);
    });
  });
}

const RULES: readonly ConstraintRule[] = [
  NAME_RULE,
  TAG_RULE,
  ...IAM_RULES,
  {
    types: ["aws:lb/targetGroup:TargetGroup"],
    check: all(
      oneOf("protocol", elb.ProtocolEnum, SDK("ELBv2", "ProtocolEnum")),
      oneOf("protocolVersion", ["HTTP1", "HTTP2", "GRPC"], `${ELB_TG}: ProtocolVersion`),
      oneOf("targetType", elb.TargetTypeEnum, SDK("ELBv2", "TargetTypeEnum")),
      oneOf("ipAddressType", elb.TargetGroupIpAddressTypeEnum, SDK("ELBv2", "TargetGroupIpAddressTypeEnum")),
      inRange("port", 1, 65535, `${ELB_TG}: Port`),
      inRange(
        "deregistrationDelay",
        0,
        3600,
        "ELBv2 target group attributes: deregistration_delay.timeout_seconds",
      ),
      healthCheck("healthCheck"),
    ),
  },
  {
    types: ["aws:lb/listener:Listener"],
    check: (r, report) => {
      oneOf("protocol", elb.ProtocolEnum, SDK("ELBv2", "ProtocolEnum"))(r, report);
      inRange("port", 1, 65535, `${ELB_LISTENER}: Port`)(r, report);
      ((r.inputs.defaultActions as unknown[] | undefined) ?? []).forEach((_, i) =>
        elbAction(`defaultActions[${i}]`, r, report),
      );
    },
  },
  {
    types: ["aws:lb/listenerRule:ListenerRule"],
    check: (r, report) => {
      inRange("priority", 1, 50000, `${ELB_RULE}: Priority`)(r, report);
      const conditions = (r.inputs.conditions as Record<string, unknown>[] | undefined) ?? [];
      let values = 0;
      conditions.forEach((condition, i) => {
        const hosts = (at(condition, "hostHeader.values") as unknown[] | undefined) ?? [];
        values +=
          hosts.length + ((at(condition, "pathPattern.values") as unknown[] | undefined)?.length ?? 0);
        hosts.forEach((host, j) => {
          if (typeof host === "string" && host.length > MAX_HOST_LENGTH)
            report(
              `conditions[${i}].hostHeader.values[${j}]`,
              host,
              `at most ${MAX_HOST_LENGTH} characters (has ${host.length})`,
              `${ELB_RULE}: HostHeaderConditionConfig.Values`,
            );
        });
      });
      if (values > 5)
        report(
          "conditions",
          `${values} condition values`,
          "at most 5 condition values per rule (all conditions together)",
          ELB_QUOTAS,
        );
      ((r.inputs.actions as unknown[] | undefined) ?? []).forEach((_, i) =>
        elbAction(`actions[${i}]`, r, report),
      );
    },
  },
  {
    types: ["aws:lb/loadBalancer:LoadBalancer"],
    check: all(
      oneOf("loadBalancerType", elb.LoadBalancerTypeEnum, SDK("ELBv2", "LoadBalancerTypeEnum")),
      oneOf("ipAddressType", elb.IpAddressType, SDK("ELBv2", "IpAddressType")),
      inRange("idleTimeout", 1, 4000, "ELBv2 load balancer attributes: idle_timeout.timeout_seconds"),
      oneOf(
        "desyncMitigationMode",
        ["monitor", "defensive", "strictest"],
        "ELBv2 load balancer attributes: routing.http.desync_mitigation_mode",
      ),
    ),
  },
  {
    types: ["aws:ecs/taskDefinition:TaskDefinition"],
    check: (r, report) => {
      oneOf("networkMode", ecs.NetworkMode, SDK("ECS", "NetworkMode"))(r, report);
      eachOneOf("requiresCompatibilities", ecs.Compatibility, SDK("ECS", "Compatibility"))(r, report);
      oneOf("runtimePlatform.cpuArchitecture", ecs.CPUArchitecture, SDK("ECS", "CPUArchitecture"))(r, report);
      oneOf("runtimePlatform.operatingSystemFamily", ecs.OSFamily, SDK("ECS", "OSFamily"))(r, report);
      const fargate = ((r.inputs.requiresCompatibilities as string[] | undefined) ?? []).includes("FARGATE");
      if (fargate && !isValidFargateSize({ cpu: Number(r.inputs.cpu), memory: Number(r.inputs.memory) }))
        report(
          "cpu/memory",
          `${r.inputs.cpu}/${r.inputs.memory}`,
          "a Fargate CPU/memory pair",
          "ECS Developer Guide, Fargate task definition parameters: task size",
        );
      ((r.inputs.volumes as unknown[] | undefined) ?? []).forEach((_, i) => {
        const v = `volumes[${i}].efsVolumeConfiguration`;
        oneOf(
          `${v}.transitEncryption`,
          ecs.EFSTransitEncryption,
          SDK("ECS", "EFSTransitEncryption"),
        )(r, report);
        oneOf(
          `${v}.authorizationConfig.iam`,
          ecs.EFSAuthorizationConfigIAM,
          SDK("ECS", "EFSAuthorizationConfigIAM"),
        )(r, report);
      });
      containerDefinitions(r, report);
    },
  },
  {
    types: ["aws:ecs/service:Service"],
    check: (r, report) => {
      oneOf("launchType", ecs.LaunchType, SDK("ECS", "LaunchType"))(r, report);
      oneOf("propagateTags", ecs.PropagateTags, SDK("ECS", "PropagateTags"))(r, report);
      oneOf(
        "availabilityZoneRebalancing",
        ecs.AvailabilityZoneRebalancing,
        SDK("ECS", "AvailabilityZoneRebalancing"),
      )(r, report);
      oneOf("schedulingStrategy", ecs.SchedulingStrategy, SDK("ECS", "SchedulingStrategy"))(r, report);
      inRange(
        "deploymentMinimumHealthyPercent",
        0,
        100,
        `${ECS_SERVICE}: DeploymentConfiguration.minimumHealthyPercent`,
      )(r, report);
      inRange(
        "deploymentMaximumPercent",
        100,
        200,
        `${ECS_SERVICE}: DeploymentConfiguration.maximumPercent (Fargate)`,
      )(r, report);
      inRange(
        "healthCheckGracePeriodSeconds",
        0,
        2147483647,
        `${ECS_SERVICE}: healthCheckGracePeriodSeconds`,
      )(r, report);
      inRange("desiredCount", 0, 5000, "Amazon ECS service quotas: tasks per service")(r, report);
      const strategy = (r.inputs.capacityProviderStrategies as Record<string, unknown>[] | undefined) ?? [];
      strategy.forEach((_, i) => {
        inRange(
          `capacityProviderStrategies[${i}].base`,
          0,
          100000,
          `${ECS_SERVICE}: CapacityProviderStrategyItem.base`,
        )(r, report);
        inRange(
          `capacityProviderStrategies[${i}].weight`,
          0,
          1000,
          `${ECS_SERVICE}: CapacityProviderStrategyItem.weight`,
        )(r, report);
      });
      if (strategy.filter((s) => Number(s.base ?? 0) > 0).length > 1)
        report(
          "capacityProviderStrategies",
          strategy.map((s) => `${String(s.capacityProvider)} base ${String(s.base)}`).join(", "),
          "a base on one capacity provider only",
          `${ECS_SERVICE}: CapacityProviderStrategyItem.base`,
        );
      if (strategy.length > 0 && strategy.every((s) => Number(s.weight ?? 0) === 0))
        report(
          "capacityProviderStrategies",
          "every weight 0",
          "at least one weight above 0",
          `${ECS_SERVICE}: CapacityProviderStrategyItem.weight`,
        );
      const subnets = (at(r.inputs, "networkConfiguration.subnets") as unknown[] | undefined) ?? [];
      const groups = (at(r.inputs, "networkConfiguration.securityGroups") as unknown[] | undefined) ?? [];
      if (subnets.length > 16)
        report(
          "networkConfiguration.subnets",
          `${subnets.length} subnets`,
          "at most 16",
          "ECS API Reference, AwsVpcConfiguration",
        );
      if (groups.length > 5)
        report(
          "networkConfiguration.securityGroups",
          `${groups.length} groups`,
          "at most 5",
          "ECS API Reference, AwsVpcConfiguration",
        );
    },
  },
  {
    types: ["aws:ecs/cluster:Cluster"],
    check: (r, report) =>
      ((r.inputs.settings as unknown[] | undefined) ?? []).forEach((_, i) => {
        oneOf(`settings[${i}].name`, ecs.ClusterSettingName, SDK("ECS", "ClusterSettingName"))(r, report);
        oneOf(
          `settings[${i}].value`,
          ["enabled", "disabled", "enhanced"],
          "ECS API Reference, ClusterSetting.value",
        )(r, report);
      }),
  },
  {
    types: ["aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"],
    check: (r, report) =>
      ((r.inputs.defaultCapacityProviderStrategies as unknown[] | undefined) ?? []).forEach((_, i) => {
        inRange(
          `defaultCapacityProviderStrategies[${i}].base`,
          0,
          100000,
          "ECS API Reference, CapacityProviderStrategyItem.base",
        )(r, report);
        inRange(
          `defaultCapacityProviderStrategies[${i}].weight`,
          0,
          1000,
          "ECS API Reference, CapacityProviderStrategyItem.weight",
        )(r, report);
      }),
  },
  {
    types: ["aws:appautoscaling/target:Target"],
    check: (r, report) => {
      scalableDimension(r, report);
      inRange(
        "minCapacity",
        0,
        5000,
        `${AAS}, RegisterScalableTarget: MinCapacity (ECS tasks per service)`,
      )(r, report);
      inRange(
        "maxCapacity",
        0,
        5000,
        `${AAS}, RegisterScalableTarget: MaxCapacity (ECS tasks per service)`,
      )(r, report);
      const { minCapacity, maxCapacity } = r.inputs;
      if (typeof minCapacity === "number" && typeof maxCapacity === "number" && minCapacity > maxCapacity)
        report(
          "minCapacity",
          minCapacity,
          `at most maxCapacity (${maxCapacity})`,
          `${AAS}, RegisterScalableTarget`,
        );
    },
  },
  {
    types: ["aws:appautoscaling/policy:Policy"],
    check: all(
      oneOf("policyType", scaling.PolicyType, SDK("Application Auto Scaling", "PolicyType")),
      scalableDimension,
      oneOf(
        "targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification.predefinedMetricType",
        scaling.MetricType,
        SDK("Application Auto Scaling", "MetricType"),
      ),
      inRange(
        "targetTrackingScalingPolicyConfiguration.scaleInCooldown",
        0,
        2147483647,
        `${AAS}, TargetTrackingScalingPolicyConfiguration: ScaleInCooldown`,
      ),
      inRange(
        "targetTrackingScalingPolicyConfiguration.scaleOutCooldown",
        0,
        2147483647,
        `${AAS}, TargetTrackingScalingPolicyConfiguration: ScaleOutCooldown`,
      ),
      inRange(
        "targetTrackingScalingPolicyConfiguration.targetValue",
        8.51592e-109,
        6.174271e307,
        `${AAS}, TargetTrackingScalingPolicyConfiguration: TargetValue`,
        { fractional: true },
      ),
    ),
  },
  {
    types: ["aws:appautoscaling/scheduledAction:ScheduledAction"],
    check: all(
      scheduleExpression("schedule", `${AAS}, PutScheduledAction: Schedule`, ["cron", "rate", "at"]),
      timeZone("timezone", `${AAS}, PutScheduledAction: Timezone`),
      scalableDimension,
      inRange("scalableTargetAction.minCapacity", 0, 5000, `${AAS}, ScalableTargetAction`),
      inRange("scalableTargetAction.maxCapacity", 0, 5000, `${AAS}, ScalableTargetAction`),
    ),
  },
  {
    types: ["aws:cloudwatch/metricAlarm:MetricAlarm"],
    check: (r, report) => {
      oneOf(
        "comparisonOperator",
        cloudwatch.ComparisonOperator,
        SDK("CloudWatch", "ComparisonOperator"),
      )(r, report);
      oneOf("statistic", cloudwatch.Statistic, SDK("CloudWatch", "Statistic"))(r, report);
      oneOf("unit", cloudwatch.StandardUnit, SDK("CloudWatch", "StandardUnit"))(r, report);
      oneOf(
        "treatMissingData",
        ["breaching", "notBreaching", "ignore", "missing"],
        `${ALARM}: TreatMissingData`,
      )(r, report);
      text("alarmDescription", 1024, `${ALARM}: AlarmDescription`)(r, report);
      const { period, evaluationPeriods, datapointsToAlarm } = r.inputs as Record<string, unknown>;
      if (typeof period === "number" && ![10, 20, 30].includes(period) && (period < 60 || period % 60 !== 0))
        report("period", period, "10, 20, 30 or a multiple of 60 seconds", `${ALARM}: Period`);
      inRange("evaluationPeriods", 1, 1440, `${ALARM}: EvaluationPeriods`)(r, report);
      if (typeof period === "number" && typeof evaluationPeriods === "number") {
        const limit = period <= 3600 ? 86400 : 604800;
        if (period * evaluationPeriods > limit)
          report(
            "evaluationPeriods",
            evaluationPeriods,
            `period x evaluationPeriods at most ${limit} s (${limit === 86400 ? "one day" : "seven days"})`,
            `${ALARM}: EvaluationPeriods`,
          );
      }
      if (
        typeof datapointsToAlarm === "number" &&
        typeof evaluationPeriods === "number" &&
        datapointsToAlarm > evaluationPeriods
      )
        report(
          "datapointsToAlarm",
          datapointsToAlarm,
          `at most evaluationPeriods (${evaluationPeriods})`,
          `${ALARM}: DatapointsToAlarm`,
        );
      const dimensions = Object.keys((r.inputs.dimensions as Record<string, unknown> | undefined) ?? {});
      if (dimensions.length > 30)
        report("dimensions", `${dimensions.length} dimensions`, "at most 30", `${ALARM}: Dimensions`);
      for (const actions of ["alarmActions", "okActions", "insufficientDataActions"]) {
        const list = (r.inputs[actions] as unknown[] | undefined) ?? [];
        if (list.length > 5) report(actions, `${list.length} actions`, "at most 5", `${ALARM}: ${actions}`);
      }
    },
  },
  {
    types: ["aws:cloudwatch/logGroup:LogGroup"],
    check: all(
      oneOf(
        "retentionInDays",
        LOG_RETENTION_DAYS.map(String),
        "CloudWatch Logs API Reference, PutRetentionPolicy: retentionInDays",
      ),
      oneOf(
        "logGroupClass",
        ["STANDARD", "INFREQUENT_ACCESS", "DELIVERY"],
        "CloudWatch Logs API Reference, CreateLogGroup: logGroupClass",
      ),
    ),
  },
  {
    types: ["aws:backup/plan:Plan"],
    check: (r, report) =>
      ((r.inputs.rules as unknown[] | undefined) ?? []).forEach((_, i) => {
        const p = `rules[${i}]`;
        text(`${p}.ruleName`, 50, `${BACKUP}, BackupRuleInput: RuleName`, {
          regex: /^[a-zA-Z0-9\-_.]{1,50}$/,
          allowed: "letters, digits, -, _ and .",
        })(r, report);
        scheduleExpression(`${p}.schedule`, `${BACKUP}, BackupRuleInput: ScheduleExpression`, [
          "cron",
          "rate",
        ])(r, report);
        timeZone(`${p}.scheduleExpressionTimezone`, `${BACKUP}, BackupRuleInput: ScheduleExpressionTimezone`)(
          r,
          report,
        );
        inRange(
          `${p}.startWindow`,
          60,
          40320,
          `${BACKUP}, BackupRuleInput: StartWindowMinutes (at least 60)`,
        )(r, report);
        const start = at(r.inputs, `${p}.startWindow`);
        const completion = at(r.inputs, `${p}.completionWindow`);
        if (typeof start === "number" && typeof completion === "number" && completion <= start)
          report(
            `${p}.completionWindow`,
            completion,
            `longer than the start window (${start} minutes)`,
            `${BACKUP}, BackupRuleInput: CompletionWindowMinutes`,
          );
        const lifecycles = [
          `${p}.lifecycle`,
          ...((at(r.inputs, `${p}.copyActions`) as unknown[] | undefined) ?? []).map(
            (__, j) => `${p}.copyActions[${j}].lifecycle`,
          ),
        ];
        for (const l of lifecycles) {
          inRange(`${l}.deleteAfter`, 1, 36500, `${BACKUP}, Lifecycle: DeleteAfterDays`)(r, report);
          const cold = at(r.inputs, `${l}.coldStorageAfter`);
          const del = at(r.inputs, `${l}.deleteAfter`);
          if (typeof cold === "number" && typeof del === "number" && del < cold + 90)
            report(
              `${l}.deleteAfter`,
              del,
              `at least coldStorageAfter + 90 (${cold + 90}) days`,
              `${BACKUP}, Lifecycle (cold storage keeps 90 days at least)`,
            );
        }
      }),
  },
  {
    types: ["aws:backup/vaultNotifications:VaultNotifications"],
    check: eachOneOf("backupVaultEvents", backup.BackupVaultEvent, SDK("AWS Backup", "BackupVaultEvent")),
  },
  {
    types: ["aws:backup/vaultLockConfiguration:VaultLockConfiguration"],
    check: all(
      inRange("minRetentionDays", 1, 36500, `${BACKUP}, PutBackupVaultLockConfiguration: MinRetentionDays`),
      inRange("maxRetentionDays", 1, 36500, `${BACKUP}, PutBackupVaultLockConfiguration: MaxRetentionDays`),
      inRange(
        "changeableForDays",
        3,
        36500,
        `${BACKUP}, PutBackupVaultLockConfiguration: ChangeableForDays (at least 3)`,
      ),
    ),
  },
  {
    types: ["aws:backup/restoreTestingPlan:RestoreTestingPlan"],
    check: all(
      oneOf(
        "recoveryPointSelection.algorithm",
        backup.RestoreTestingRecoveryPointSelectionAlgorithm,
        SDK("AWS Backup", "RestoreTestingRecoveryPointSelectionAlgorithm"),
      ),
      eachOneOf(
        "recoveryPointSelection.recoveryPointTypes",
        backup.RestoreTestingRecoveryPointType,
        SDK("AWS Backup", "RestoreTestingRecoveryPointType"),
      ),
      inRange(
        "recoveryPointSelection.selectionWindowDays",
        1,
        365,
        `${BACKUP}, RestoreTestingRecoveryPointSelection: SelectionWindowDays`,
      ),
      inRange("startWindowHours", 1, 168, `${BACKUP}, RestoreTestingPlanForCreate: StartWindowHours`),
      scheduleExpression("scheduleExpression", `${BACKUP}, RestoreTestingPlanForCreate: ScheduleExpression`, [
        "cron",
        "rate",
      ]),
      timeZone(
        "scheduleExpressionTimezone",
        `${BACKUP}, RestoreTestingPlanForCreate: ScheduleExpressionTimezone`,
      ),
    ),
  },
  {
    types: ["aws:efs/fileSystem:FileSystem"],
    check: (r, report) => {
      oneOf("throughputMode", efs.ThroughputMode, SDK("EFS", "ThroughputMode"))(r, report);
      oneOf("performanceMode", efs.PerformanceMode, SDK("EFS", "PerformanceMode"))(r, report);
      ((r.inputs.lifecyclePolicies as unknown[] | undefined) ?? []).forEach((_, i) => {
        oneOf(
          `lifecyclePolicies[${i}].transitionToIa`,
          efs.TransitionToIARules,
          SDK("EFS", "TransitionToIARules"),
        )(r, report);
        oneOf(
          `lifecyclePolicies[${i}].transitionToPrimaryStorageClass`,
          efs.TransitionToPrimaryStorageClassRules,
          SDK("EFS", "TransitionToPrimaryStorageClassRules"),
        )(r, report);
        oneOf(
          `lifecyclePolicies[${i}].transitionToArchive`,
          efs.TransitionToArchiveRules,
          SDK("EFS", "TransitionToArchiveRules"),
        )(r, report);
      });
    },
  },
  {
    types: ["aws:efs/accessPoint:AccessPoint"],
    check: all(
      inRange("posixUser.uid", 0, 4294967295, "EFS API Reference, PosixUser.Uid"),
      inRange("posixUser.gid", 0, 4294967295, "EFS API Reference, PosixUser.Gid"),
      text("rootDirectory.path", 100, "EFS API Reference, RootDirectory.Path", {
        regex: /^\/.*$/,
        allowed: "an absolute path",
      }),
      text("rootDirectory.creationInfo.permissions", 4, "EFS API Reference, CreationInfo.Permissions", {
        regex: /^[0-7]{3,4}$/,
        allowed: "octal permissions such as 0755",
      }),
    ),
  },
  {
    types: ["aws:ecr/repository:Repository"],
    check: (r, report) => {
      oneOf("imageTagMutability", ecr.ImageTagMutability, SDK("ECR", "ImageTagMutability"))(r, report);
      ((r.inputs.encryptionConfigurations as unknown[] | undefined) ?? []).forEach((_, i) =>
        oneOf(
          `encryptionConfigurations[${i}].encryptionType`,
          ecr.EncryptionType,
          SDK("ECR", "EncryptionType"),
        )(r, report),
      );
    },
  },
  {
    types: ["aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate"],
    check: (r, report) => {
      eachOneOf("appliedFors", ecr.RCTAppliedFor, SDK("ECR", "RCTAppliedFor"))(r, report);
      oneOf("imageTagMutability", ecr.ImageTagMutability, SDK("ECR", "ImageTagMutability"))(r, report);
      const encryption = (r.inputs.encryptionConfigurations as Record<string, unknown>[] | undefined) ?? [];
      encryption.forEach((_, i) =>
        oneOf(
          `encryptionConfigurations[${i}].encryptionType`,
          ecr.EncryptionType,
          SDK("ECR", "EncryptionType"),
        )(r, report),
      );
      const kms = encryption.some((e) => scalar(e.encryptionType ?? "").startsWith("KMS"));
      const tags =
        Object.keys((r.inputs.resourceTags as Record<string, unknown> | undefined) ?? {}).length > 0;
      if ((kms || tags) && !r.inputs.customRoleArn)
        report(
          "customRoleArn",
          r.inputs.customRoleArn ?? null,
          `a role ECR assumes to create the repositories, required when the template sets ${[kms && "a KMS key", tags && "resource tags"].filter(Boolean).join(" and ")}`,
          "ECR User Guide, Repository creation templates: IAM role (customRoleArn)",
        );
    },
  },
  {
    types: ["aws:ecr/pullThroughCacheRule:PullThroughCacheRule"],
    check: text(
      "ecrRepositoryPrefix",
      30,
      "ECR API Reference, CreatePullThroughCacheRule: ecrRepositoryPrefix",
      {
        regex: /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/,
        allowed: "2-30 lower-case path components",
      },
    ),
  },
  {
    types: ["aws:kms/key:Key"],
    check: all(
      inRange("deletionWindowInDays", 7, 30, "KMS API Reference, ScheduleKeyDeletion: PendingWindowInDays"),
      text("description", 8192, "KMS API Reference, CreateKey: Description"),
      inRange("rotationPeriodInDays", 90, 2560, "KMS API Reference, EnableKeyRotation: RotationPeriodInDays"),
    ),
  },
  {
    types: ["aws:secretsmanager/secret:Secret"],
    check: (r, report) => {
      const days = r.inputs.recoveryWindowInDays;
      if (typeof days === "number" && days !== 0 && (days < 7 || days > 30))
        report(
          "recoveryWindowInDays",
          days,
          "0 (delete at once) or 7 to 30",
          "Secrets Manager API Reference, DeleteSecret: RecoveryWindowInDays",
        );
      text("description", 2048, "Secrets Manager API Reference, CreateSecret: Description")(r, report);
    },
  },
  {
    types: ["aws:ssm/parameter:Parameter"],
    check: (r, report) => {
      oneOf("type", ["String", "StringList", "SecureString"], `${SSM_PUT}: Type`)(r, report);
      oneOf("tier", ["Standard", "Advanced", "Intelligent-Tiering"], `${SSM_PUT}: Tier`)(r, report);
      text("description", 1024, `${SSM_PUT}: Description`)(r, report);
      ssmParameterName(r, report);
      // A standard parameter's value is at most 4 KB (advanced: 8 KB).
      const value = r.inputs.value;
      const limit = r.inputs.tier === "Advanced" ? 8192 : 4096;
      if (typeof value === "string" && Buffer.byteLength(value, "utf8") > limit)
        report(
          "value",
          value,
          `at most ${limit} bytes for the ${r.inputs.tier ?? "Standard"} tier`,
          `${SSM_PUT}: Value`,
        );
    },
  },
  {
    types: ["aws:sns/topicSubscription:TopicSubscription"],
    check: (r, report) => {
      oneOf(
        "protocol",
        ["http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose"],
        "SNS API Reference, Subscribe: Protocol",
      )(r, report);
      const filter = r.inputs.filterPolicy;
      if (typeof filter === "string") {
        try {
          JSON.parse(filter);
        } catch (error) {
          report(
            "filterPolicy",
            filter,
            `valid JSON (${(error as Error).message})`,
            "SNS Developer Guide, subscription filter policies",
          );
        }
      }
    },
  },
  {
    types: [
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
      "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    ],
    check: (r, report) => {
      const protocol = r.inputs.ipProtocol;
      if (
        protocol !== undefined &&
        !["tcp", "udp", "icmp", "icmpv6", "-1"].includes(String(protocol)) &&
        !/^\d{1,3}$/.test(String(protocol))
      )
        report(
          "ipProtocol",
          protocol,
          "tcp, udp, icmp, icmpv6, -1 or a protocol number",
          "EC2 API Reference, IpPermission.IpProtocol",
        );
      inRange("fromPort", -1, 65535, "EC2 API Reference, IpPermission.FromPort")(r, report);
      inRange("toPort", -1, 65535, "EC2 API Reference, IpPermission.ToPort")(r, report);
      const { fromPort, toPort } = r.inputs;
      if (typeof fromPort === "number" && typeof toPort === "number" && fromPort > toPort)
        report("fromPort", fromPort, `at most toPort (${toPort})`, "EC2 API Reference, IpPermission");
      text("description", 255, "EC2 API Reference, IpRange.Description", {
        regex: /^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]*$/,
        allowed: "a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*",
      })(r, report);
    },
  },
  {
    types: ["aws:ec2/securityGroup:SecurityGroup"],
    check: text("description", 255, "EC2 API Reference, CreateSecurityGroup: GroupDescription", {
      regex: /^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]*$/,
      allowed: "a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*",
    }),
  },
  {
    types: ["aws:ec2/flowLog:FlowLog"],
    check: all(
      oneOf("trafficType", ["ACCEPT", "REJECT", "ALL"], "EC2 API Reference, CreateFlowLogs: TrafficType"),
      oneOf(
        "logDestinationType",
        ["cloud-watch-logs", "s3", "kinesis-data-firehose"],
        "EC2 API Reference, CreateFlowLogs: LogDestinationType",
      ),
      oneOf(
        "maxAggregationInterval",
        ["60", "600"],
        "EC2 API Reference, CreateFlowLogs: MaxAggregationInterval",
      ),
    ),
  },
  {
    types: ["aws:rds/cluster:Cluster"],
    check: (r, report) => {
      inRange(
        "backupRetentionPeriod",
        1,
        35,
        "RDS API Reference, CreateDBCluster: BackupRetentionPeriod",
      )(r, report);
      inRange(
        "serverlessv2ScalingConfiguration.minCapacity",
        0,
        256,
        "RDS API Reference, ServerlessV2ScalingConfiguration.MinCapacity",
        { fractional: true },
      )(r, report);
      inRange(
        "serverlessv2ScalingConfiguration.maxCapacity",
        1,
        256,
        "RDS API Reference, ServerlessV2ScalingConfiguration.MaxCapacity",
        { fractional: true },
      )(r, report);
      inRange(
        "serverlessv2ScalingConfiguration.secondsUntilAutoPause",
        300,
        86400,
        "RDS API Reference, ServerlessV2ScalingConfiguration.SecondsUntilAutoPause",
      )(r, report);
      const min = at(r.inputs, "serverlessv2ScalingConfiguration.minCapacity");
      const engine = String(r.inputs.engineVersion ?? "");
      const release = /mysql_aurora\.(\d+)\.(\d+)/.exec(engine);
      if (min === 0 && release && Number(release[1]) * 100 + Number(release[2]) < 308)
        report(
          "serverlessv2ScalingConfiguration.minCapacity",
          min,
          `0 ACU (automatic pause) needs Aurora MySQL 3.08 or later; engineVersion is ${engine}`,
          "Aurora User Guide, Scaling to zero ACUs with automatic pause and resume for Aurora Serverless v2",
        );
      for (const bound of ["minCapacity", "maxCapacity"]) {
        const value = at(r.inputs, `serverlessv2ScalingConfiguration.${bound}`);
        if (typeof value === "number" && !Number.isInteger(value * 2))
          report(
            `serverlessv2ScalingConfiguration.${bound}`,
            value,
            "a multiple of 0.5 ACU",
            "RDS API Reference, ServerlessV2ScalingConfiguration",
          );
      }
      eachOneOf(
        "enabledCloudwatchLogsExports",
        ["audit", "error", "general", "slowquery", "iam-db-auth-error", "instance"],
        "RDS API Reference, CreateDBCluster: EnableCloudwatchLogsExports (Aurora MySQL)",
      )(r, report);
      text("masterUsername", 16, "RDS API Reference, CreateDBCluster: MasterUsername (Aurora MySQL: 1-16)", {
        regex: /^[A-Za-z]\w*$/,
        allowed: "a letter, then letters, digits or underscores",
      })(r, report);
      text("finalSnapshotIdentifier", 255, "RDS API Reference, DeleteDBCluster: FinalDBSnapshotIdentifier", {
        regex: /^[A-Za-z](?:[A-Za-z0-9]|-(?!-))*[A-Za-z0-9]$/,
        allowed: "a letter, then letters, digits and single hyphens, not ending with a hyphen",
      })(r, report);
      const backupWindow = windowMinutes(r.inputs.preferredBackupWindow, false);
      if (r.inputs.preferredBackupWindow !== undefined && !backupWindow)
        report(
          "preferredBackupWindow",
          r.inputs.preferredBackupWindow,
          "hh24:mi-hh24:mi, at least 30 minutes (UTC)",
          "RDS API Reference, CreateDBCluster: PreferredBackupWindow",
        );
      const maintenance = windowMinutes(r.inputs.preferredMaintenanceWindow, true);
      if (r.inputs.preferredMaintenanceWindow !== undefined && !maintenance)
        report(
          "preferredMaintenanceWindow",
          r.inputs.preferredMaintenanceWindow,
          "ddd:hh24:mi-ddd:hh24:mi, at least 30 minutes (UTC)",
          "RDS API Reference, CreateDBCluster: PreferredMaintenanceWindow",
        );
      if (backupWindow && maintenance && overlapsWeekly(backupWindow, maintenance))
        report(
          "preferredBackupWindow",
          r.inputs.preferredBackupWindow,
          `not overlapping the maintenance window (${String(r.inputs.preferredMaintenanceWindow)})`,
          "RDS API Reference, CreateDBCluster: PreferredBackupWindow",
        );
    },
  },
  {
    types: ["aws:rds/clusterInstance:ClusterInstance"],
    check: inRange("promotionTier", 0, 15, "RDS API Reference, CreateDBInstance: PromotionTier"),
  },
  {
    types: ["aws:acm/certificate:Certificate"],
    check: all(
      oneOf(
        "keyAlgorithm",
        ["RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"],
        "ACM API Reference, RequestCertificate: KeyAlgorithm",
      ),
      oneOf("validationMethod", ["DNS", "EMAIL"], "ACM API Reference, RequestCertificate: ValidationMethod"),
    ),
  },
  {
    types: ["aws:route53/record:Record"],
    check: all(
      oneOf(
        "type",
        [
          "A",
          "AAAA",
          "CAA",
          "CNAME",
          "DS",
          "HTTPS",
          "MX",
          "NAPTR",
          "NS",
          "PTR",
          "SOA",
          "SPF",
          "SRV",
          "SSHFP",
          "SVCB",
          "TLSA",
          "TXT",
        ],
        "Route 53 API Reference, ResourceRecordSet.Type",
      ),
      inRange("ttl", 0, 2147483647, "Route 53 API Reference, ResourceRecordSet.TTL"),
    ),
  },
];

/**
 * An SSM parameter name: letters, digits and `_.-/`; a path is fully qualified (starts with `/`)
 * and at most 15 levels deep; no `aws` or `ssm` prefix (reserved); the name with its ARN at most
 * 1,011 characters.
 */
function ssmParameterName(r: CheckedResource, report: Report): void {
  const name = r.inputs.name;
  if (typeof name !== "string") return;
  const source = `${SSM_PUT}: Name; Systems Manager User Guide, parameter name requirements`;
  const max = 1011 - SSM_ARN_PREFIX_ROOM;
  if (name.length === 0 || name.length > max)
    report("name", name, `1 to ${max} characters (AWS counts the ARN into 1,011)`, source);
  else if (!/^[A-Za-z0-9_.\-/]+$/.test(name))
    report("name", name, "letters, digits and _ . - / only (no spaces)", source);
  else if (name.includes("/") && !name.startsWith("/"))
    report("name", name, "a fully qualified path starting with / (it has a hierarchy)", source);
  else if (/^\/?(aws|ssm)/i.test(name))
    report("name", name, 'a name not starting with "aws" or "ssm" (reserved, in any case)', source);
  else if (name.split("/").filter(Boolean).length > 15)
    report("name", name, "at most 15 levels of hierarchy", source);
}

/**
 * A maintenance or backup window in minutes of the week: [start, end) pairs; undefined when it
 * is not well formed or shorter than 30 minutes (RDS: "Must be at least 30 minutes").
 */
function windowMinutes(value: unknown, weekly: boolean): [number, number] | undefined {
  if (typeof value !== "string") return undefined;
  const days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
  const part = weekly
    ? /^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)$/i
    : /^([01]\d|2[0-3]):([0-5]\d)$/;
  const [from, to] = value.split("-");
  const a = part.exec(from ?? "");
  const b = part.exec(to ?? "");
  if (!a || !b) return undefined;
  const minutes = (m: RegExpExecArray) =>
    weekly
      ? days.indexOf(m[1].toLowerCase()) * 1440 + Number(m[2]) * 60 + Number(m[3])
      : Number(m[1]) * 60 + Number(m[2]);
  const start = minutes(a);
  let end = minutes(b);
  const period = weekly ? 7 * 1440 : 1440;
  if (end <= start) end += period;
  if (end - start < 30) return undefined;
  return [start, end];
}

/** True when a daily window overlaps a weekly one. */
function overlapsWeekly(daily: [number, number], weekly: [number, number]): boolean {
  for (let day = 0; day < 8; day++) {
    const start = day * 1440 + daily[0];
    const end = day * 1440 + daily[1];
    for (const shift of [0, 7 * 1440]) if (start < weekly[1] + shift && weekly[0] + shift < end) return true;
  }
  return false;
}

/** Every rule `plan` applies. */
export const AWS_CONSTRAINT_RULES: readonly ConstraintRule[] = RULES;
