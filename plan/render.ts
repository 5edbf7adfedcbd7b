/**
 * Human-readable plan output: per stack, a tree of components and resources with their key
 * settings (roughly what `pulumi preview` shows), then resource counts by type.
 */
import { RecordedResource, StackRun } from "../offline/stackRun";
import { ResourceInputs, isSecretValue } from "../offline/mocks";
import { PlannedStack } from "./plan";

type KeySettings = (i: ResourceInputs) => (string | undefined)[];

const strategy = (items: { capacityProvider: string; base?: number; weight?: number }[] | undefined) =>
  (items ?? [])
    .map((s) => `${s.capacityProvider}${s.base ? ` base ${s.base}` : ""} w${s.weight ?? 0}`)
    .join(" + ");
const on = (flag: unknown, label: string) => (flag ? label : undefined);

/** What to show for each resource type; types not listed show their name only. */
const KEY_SETTINGS: Readonly<Record<string, KeySettings>> = {
  "awsx:ec2:Vpc": (i) => [
    i.cidrBlock,
    `${i.numberOfAvailabilityZones} AZs`,
    `NAT ${i.natGateways?.strategy}`,
  ],
  "aws:ec2/vpcEndpoint:VpcEndpoint": (i) => [i.serviceName, i.vpcEndpointType],
  "aws:ec2/flowLog:FlowLog": (i) => [`traffic ${i.trafficType}`],
  "aws:ec2/securityGroup:SecurityGroup": (i) => [i.description],
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (i) => [
    `in ${i.fromPort}/${i.ipProtocol}`,
    i.cidrIpv4 ? `from ${i.cidrIpv4}` : "from a security group",
  ],
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (i) => [
    `out ${i.fromPort}/${i.ipProtocol}`,
    i.cidrIpv4 ? `to ${i.cidrIpv4}` : "to a security group",
  ],
  "aws:kms/key:Key": (i) => [on(i.enableKeyRotation, "rotation"), i.description],
  "aws:ecs/cluster:Cluster": (i) => [i.name, `insights ${i.settings?.[0]?.value}`],
  "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": (i) => [
    strategy(i.defaultCapacityProviderStrategies),
  ],
  "aws:lb/loadBalancer:LoadBalancer": (i) => [
    i.internal ? "internal" : "internet-facing",
    on(i.dropInvalidHeaderFields, "drops invalid headers"),
    on(i.enableDeletionProtection, "deletion protection"),
  ],
  "aws:lb/listener:Listener": (i) => [`${i.protocol}:${i.port}`, i.sslPolicy, i.defaultActions?.[0]?.type],
  "aws:lb/listenerRule:ListenerRule": (i) => [
    `priority ${i.priority}`,
    `hosts ${i.conditions?.[0]?.hostHeader?.values?.join(", ")}`,
  ],
  "aws:lb/targetGroup:TargetGroup": (i) => [
    `${i.targetType} targets`,
    `health ${i.healthCheck?.path}`,
    `deregistration ${i.deregistrationDelay}s`,
  ],
  "aws:efs/fileSystem:FileSystem": (i) => [on(i.encrypted, "encrypted"), `throughput ${i.throughputMode}`],
  "aws:efs/mountTarget:MountTarget": (i) => [i.subnetId ? `subnet ${i.subnetId}` : "read from the platform"],
  "aws:efs/accessPoint:AccessPoint": (i) => [
    i.rootDirectory?.path,
    `uid/gid ${i.posixUser?.uid}/${i.posixUser?.gid}`,
  ],
  "aws:rds/cluster:Cluster": (i) => [
    i.engineVersion,
    `${i.serverlessv2ScalingConfiguration?.minCapacity}-${i.serverlessv2ScalingConfiguration?.maxCapacity} ACU`,
    on(i.enableHttpEndpoint, "Data API"),
    on(i.deletionProtection, "deletion protection"),
    i.skipFinalSnapshot ? "no final snapshot" : "final snapshot",
  ],
  "aws:rds/clusterInstance:ClusterInstance": (i) => [i.instanceClass, i.availabilityZone],
  "aws:ecr/repository:Repository": (i) => [
    i.name,
    i.imageTagMutability,
    on(i.imageScanningConfiguration?.scanOnPush, "scan on push"),
  ],
  "aws:cloudwatch/logGroup:LogGroup": (i) => [i.name, `${i.retentionInDays} days`],
  "aws:cloudwatch/metricAlarm:MetricAlarm": (i) => [
    i.metricName ?? "metric math",
    i.threshold !== undefined ? `${i.comparisonOperator} ${i.threshold}` : undefined,
  ],
  "aws:secretsmanager/secret:Secret": (i) => [i.name ?? `${i.namePrefix}…`],
  "aws:ecs/taskDefinition:TaskDefinition": (i) => [
    i.family,
    `${i.cpu} CPU / ${i.memory} MiB`,
    i.runtimePlatform?.cpuArchitecture,
  ],
  "aws:ecs/service:Service": (i) => [
    i.name,
    `desired ${i.desiredCount}`,
    strategy(i.capacityProviderStrategies),
    on(i.deploymentCircuitBreaker?.rollback, "circuit breaker + rollback"),
  ],
  "aws:appautoscaling/target:Target": (i) => [`${i.minCapacity}-${i.maxCapacity} tasks`],
  "aws:appautoscaling/policy:Policy": (i) => [
    i.targetTrackingScalingPolicyConfiguration?.predefinedMetricSpecification?.predefinedMetricType,
    `target ${i.targetTrackingScalingPolicyConfiguration?.targetValue}%`,
  ],
  "aws:appautoscaling/scheduledAction:ScheduledAction": (i) => [
    i.schedule,
    i.timezone,
    `-> ${i.scalableTargetAction?.minCapacity}-${i.scalableTargetAction?.maxCapacity}`,
  ],
  "aws:backup/vault:Vault": (i) => [i.name],
  "aws:backup/plan:Plan": (i) => [i.name, `${(i.rules ?? []).length} rules`],
  "pulumi-nodejs:dynamic/bbws:TenantDatabase": (i) => [
    `schema ${i.databaseName}`,
    `user ${i.username}`,
    i.dropOnDelete ? "dropped on delete" : "kept on delete",
  ],
  "pulumi:providers:aws": (i) => [i.region],
  "pulumi:pulumi:StackReference": (i) => [i.name],
};

/** The key settings of one resource, as a short text. */
export function keySettings(r: RecordedResource): string {
  const describe = KEY_SETTINGS[r.type];
  if (!describe) return "";
  try {
    return describe(r.inputs)
      .filter((s): s is string => typeof s === "string" && s !== "" && !s.includes("undefined"))
      .map((s) => (isSecretValue(s) ? "[secret]" : s))
      .join(", ");
  } catch {
    return "";
  }
}

/** Renders one stack as a tree. */
export function renderStackTree(stack: PlannedStack): string {
  const children = new Map<string | null, RecordedResource[]>();
  for (const r of stack.run.resources) {
    const list = children.get(r.parent) ?? [];
    list.push(r);
    children.set(r.parent, list);
  }
  const lines: string[] = [`${stack.kind === "platform" ? "Platform" : "Tenant"} stack ${stack.name}`];
  const walk = (parent: string | null, prefix: string) => {
    const list = children.get(parent) ?? [];
    list.forEach((r, index) => {
      const last = index === list.length - 1;
      const settings = keySettings(r);
      const label = `${r.read ? "read " : ""}${r.type} ${r.name}${settings ? `  (${settings})` : ""}`;
      lines.push(`${prefix}${last ? "└─ " : "├─ "}${label}`);
      walk(r.urn, `${prefix}${last ? "   " : "│  "}`);
    });
  };
  walk(null, "");
  return lines.join("\n");
}

/** Resource counts by type of one stack run, most frequent first. */
export function countByType(run: StackRun): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of run.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** Tenant stacks listed one by one up to this many; beyond, they are summed. */
const TENANT_STACKS_LISTED = 10;

/** The per-stack summary of resource counts by type. */
export function renderSummary(stacks: readonly PlannedStack[]): string {
  const lines = ["Resources by type"];
  const table = (title: string, counts: [string, number][]) => {
    lines.push(`  ${title}`);
    for (const [type, count] of counts) lines.push(`    ${String(count).padStart(6)}  ${type}`);
  };
  const tenants = stacks.filter((s) => s.kind === "tenant");
  for (const stack of stacks) {
    if (stack.kind === "tenant" && tenants.length > TENANT_STACKS_LISTED) continue;
    table(`${stack.name} (${stack.run.resources.length} resources)`, countByType(stack.run));
  }
  if (tenants.length > TENANT_STACKS_LISTED) {
    const totals = new Map<string, number>();
    for (const stack of tenants)
      for (const [type, count] of countByType(stack.run)) totals.set(type, (totals.get(type) ?? 0) + count);
    const sizes = tenants.map((s) => s.run.resources.length);
    table(
      `${tenants.length} tenant stacks (${sizes.reduce((a, b) => a + b, 0)} resources, ${Math.min(...sizes)}-${Math.max(...sizes)} per stack)`,
      [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
    );
  }
  return lines.join("\n");
}
