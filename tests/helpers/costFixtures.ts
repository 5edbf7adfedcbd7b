/**
 * Planned-resource fixtures for the cost model: records shaped like the offline engine's
 * (`RecordedResource`), for a tenant stack (the planned TenantWordPress shape) and for a
 * platform stack, with only the inputs the cost model reads plus enough realism to look like
 * a real plan.
 */
import type { RecordedResource } from "../../offline/stackRun";
import type { StrategyItem } from "../../plan/cost/capacity";

const PROJECT = "bbws-tenant";

/** One recorded resource; URN and parent follow the engine's conventions. */
export function recorded(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  opts: { stack?: string; project?: string; parent?: RecordedResource; region?: string; id?: string } = {},
): RecordedResource {
  const stack = opts.stack ?? "prod";
  const project = opts.project ?? PROJECT;
  const parentType = opts.parent?.urn.split("::")[2];
  const qualified = parentType && parentType !== "pulumi:pulumi:Stack" ? `${parentType}$${type}` : type;
  const custom = !type.startsWith("pulumi:pulumi:") && !type.startsWith("bbws:") && !type.startsWith("awsx:");
  return {
    type,
    name,
    inputs,
    custom,
    id: opts.id ?? (custom ? `${name}-id` : ""),
    region: opts.region ?? "af-south-1",
    read: false,
    urn: `urn:pulumi:${stack}::${project}::${qualified}::${name}`,
    parent: opts.parent?.urn ?? null,
    protect: false,
    provider: "",
    dependencies: [],
  };
}

/** The scale-to-zero schedule of a tenant: two scheduled actions. */
export interface ScheduleFixture {
  readonly sleep: string;
  readonly wake: string;
  readonly wakeMin: number;
  readonly wakeMax: number;
  /** Zone of both crons. @default "Africa/Johannesburg" */
  readonly timezone?: string;
}

export interface TenantFixture {
  readonly tenantId: string;
  /** @default "prod" */
  readonly environment?: string;
  /** CPU units and MiB, as the task definition takes them. */
  readonly cpu: number;
  readonly memory: number;
  /** @default - no runtimePlatform.cpuArchitecture (x86_64) */
  readonly architecture?: "ARM64" | "X86_64";
  readonly desiredCount: number;
  /** @default - none: launchType, or the cluster default strategy */
  readonly strategy?: readonly StrategyItem[];
  readonly launchType?: string;
  /** Autoscaling target bounds. @default - no target */
  readonly minTasks?: number;
  readonly maxTasks?: number;
  readonly schedule?: ScheduleFixture;
  /** @default 2 (database credentials, WordPress keys) */
  readonly secrets?: number;
  /** Tiers of the tenant's SSM parameters ("Standard", "Advanced"). @default - none */
  readonly parameterTiers?: readonly string[];
  readonly assignPublicIp?: boolean;
  /** @default "af-south-1" */
  readonly region?: string;
}

/** A tenant stack as the TenantWordPress component plans it. */
export function tenantPlan(f: TenantFixture): { tenantId: string; resources: RecordedResource[] } {
  const env = f.environment ?? "prod";
  const o = { stack: `${env}.${f.tenantId}`, region: f.region ?? "af-south-1" };
  const stack = recorded("pulumi:pulumi:Stack", `bbws-tenant-${env}.${f.tenantId}`, {}, o);
  const component = recorded("bbws:tenant:TenantWordPress", f.tenantId, {}, { ...o, parent: stack });
  const child = (type: string, name: string, inputs: Record<string, unknown>, id?: string) =>
    recorded(type, name, inputs, { ...o, parent: component, id });

  const family = `${env}-${f.tenantId}-wordpress`;
  const serviceName = `${f.tenantId}-wordpress`;
  const resourceId = `service/bbws-${env}/${serviceName}`;
  const taskDefinitionArn = `arn:aws:ecs:${o.region}:123456789012:task-definition/${family}:1`;
  const resources: RecordedResource[] = [
    stack,
    component,
    child("aws:efs/accessPoint:AccessPoint", `${f.tenantId}-content`, {
      fileSystemId: "fs-0123456789abcdef0",
      posixUser: { uid: 33, gid: 33 },
      rootDirectory: { path: `/tenants/${f.tenantId}` },
    }),
  ];
  for (let i = 0; i < (f.secrets ?? 2); i++) {
    const purpose = ["db", "wordpress-keys"][i] ?? `extra-${i}`;
    resources.push(
      child("aws:secretsmanager/secret:Secret", `${f.tenantId}-${purpose}`, {
        name: `bbws/${env}/${f.tenantId}/${purpose}`,
      }),
    );
  }
  (f.parameterTiers ?? []).forEach((tier, i) =>
    resources.push(
      child("aws:ssm/parameter:Parameter", `${f.tenantId}-parameter-${i}`, {
        name: `/bbws/${env}/${f.tenantId}/parameter-${i}`,
        type: "SecureString",
        tier,
      }),
    ),
  );
  resources.push(
    child(
      "aws:ecs/taskDefinition:TaskDefinition",
      `${f.tenantId}-task`,
      {
        family,
        cpu: String(f.cpu),
        memory: String(f.memory),
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        runtimePlatform: f.architecture
          ? { operatingSystemFamily: "LINUX", cpuArchitecture: f.architecture }
          : { operatingSystemFamily: "LINUX" },
        containerDefinitions: JSON.stringify([
          {
            name: "wordpress",
            image: "public.ecr.aws/docker/library/wordpress:6.8-php8.3-apache",
            logConfiguration: {
              logDriver: "awslogs",
              options: { "awslogs-group": `/bbws/${env}/wordpress`, "awslogs-stream-prefix": f.tenantId },
            },
          },
        ]),
      },
      family,
    ),
    child(
      "aws:ecs/service:Service",
      `${f.tenantId}-service`,
      {
        name: serviceName,
        cluster: `arn:aws:ecs:${o.region}:123456789012:cluster/bbws-${env}`,
        taskDefinition: taskDefinitionArn,
        desiredCount: f.desiredCount,
        ...(f.strategy ? { capacityProviderStrategies: f.strategy.map((s) => ({ ...s })) } : {}),
        ...(f.launchType ? { launchType: f.launchType } : {}),
        networkConfiguration: {
          subnets: ["subnet-a", "subnet-b"],
          securityGroups: ["sg-tasks"],
          assignPublicIp: f.assignPublicIp ?? false,
        },
      },
      `arn:aws:ecs:${o.region}:123456789012:service/bbws-${env}/${serviceName}`,
    ),
  );
  if (f.minTasks !== undefined || f.maxTasks !== undefined) {
    resources.push(
      child("aws:appautoscaling/target:Target", `${f.tenantId}-scaling`, {
        serviceNamespace: "ecs",
        scalableDimension: "ecs:service:DesiredCount",
        resourceId,
        minCapacity: f.minTasks,
        maxCapacity: f.maxTasks,
      }),
    );
  }
  if (f.schedule) {
    const action = (suffix: string, schedule: string, min: number, max: number) =>
      child("aws:appautoscaling/scheduledAction:ScheduledAction", `${f.tenantId}-scaling-${suffix}`, {
        serviceNamespace: "ecs",
        scalableDimension: "ecs:service:DesiredCount",
        resourceId,
        schedule,
        timezone: f.schedule!.timezone ?? "Africa/Johannesburg",
        scalableTargetAction: { minCapacity: min, maxCapacity: max },
      });
    resources.push(
      action("sleep", f.schedule.sleep, 0, 0),
      action("wake", f.schedule.wake, f.schedule.wakeMin, f.schedule.wakeMax),
    );
  }
  return { tenantId: f.tenantId, resources };
}

export interface PlatformFixture {
  /** @default "Single" */
  readonly natStrategy?: "None" | "Single" | "OnePerAz";
  /** @default 2 */
  readonly availabilityZones?: number;
  /** @default 1 */
  readonly albs?: number;
  /** @default { minCapacity: 0.5, instances: 1 } */
  readonly aurora?: { readonly minCapacity: number; readonly instances: number };
  /** @default 0 */
  readonly interfaceEndpoints?: number;
  /** @default 2 */
  readonly kmsKeys?: number;
  /** Default strategy of the ECS cluster. @default - none */
  readonly clusterStrategy?: readonly StrategyItem[];
  /** Adds a backup plan whose rules copy to a vault in this region. @default - no backup plan */
  readonly backupCopyRegion?: string;
  /** @default "af-south-1" */
  readonly region?: string;
}

/** A platform stack with the resources the cost model prices. */
export function platformPlan(f: PlatformFixture = {}): RecordedResource[] {
  const region = f.region ?? "af-south-1";
  const azs = f.availabilityZones ?? 2;
  const o = { stack: "prod", project: "bbws", region };
  const stack = recorded("pulumi:pulumi:Stack", "bbws-prod", {}, o);
  const shared = recorded("bbws:platform:SharedCluster", "bbws-prod", {}, { ...o, parent: stack });
  const child = (
    type: string,
    name: string,
    inputs: Record<string, unknown>,
    extra: { region?: string; id?: string } = {},
  ) => recorded(type, name, inputs, { ...o, ...extra, parent: shared });
  const subnets = (kind: string) => Array.from({ length: azs }, (_, i) => `subnet-${kind}-${i}`);

  const resources: RecordedResource[] = [
    stack,
    shared,
    child("awsx:ec2:Vpc", "bbws-prod-vpc", {
      cidrBlock: "10.30.0.0/16",
      numberOfAvailabilityZones: azs,
      natGateways: { strategy: f.natStrategy ?? "Single" },
    }),
    child("aws:efs/fileSystem:FileSystem", "bbws-prod-efs", {
      encrypted: true,
      throughputMode: "elastic",
      lifecyclePolicies: [
        { transitionToIa: "AFTER_30_DAYS" },
        { transitionToPrimaryStorageClass: "AFTER_1_ACCESS" },
      ],
    }),
    child("aws:cloudwatch/logGroup:LogGroup", "bbws-prod-wordpress-logs", { retentionInDays: 30 }),
  ];
  for (let i = 0; i < (f.albs ?? 1); i++) {
    resources.push(
      child("aws:lb/loadBalancer:LoadBalancer", `bbws-prod-alb-${i}`, {
        loadBalancerType: "application",
        internal: false,
        subnets: subnets("public"),
      }),
    );
  }
  for (let i = 0; i < (f.interfaceEndpoints ?? 0); i++) {
    resources.push(
      child("aws:ec2/vpcEndpoint:VpcEndpoint", `bbws-prod-endpoint-${i}`, {
        vpcEndpointType: "Interface",
        serviceName: `com.amazonaws.${region}.service-${i}`,
        subnetIds: subnets("private"),
      }),
    );
  }
  const aurora = f.aurora ?? { minCapacity: 0.5, instances: 1 };
  resources.push(
    child(
      "aws:rds/cluster:Cluster",
      "bbws-prod-db",
      {
        engine: "aurora-mysql",
        serverlessv2ScalingConfiguration: { minCapacity: aurora.minCapacity, maxCapacity: 16 },
        manageMasterUserPassword: true,
      },
      { id: "bbws-prod-db-1234567" },
    ),
  );
  for (let i = 0; i < aurora.instances; i++) {
    resources.push(
      child("aws:rds/clusterInstance:ClusterInstance", `bbws-prod-db-${i === 0 ? "writer" : `reader-${i}`}`, {
        clusterIdentifier: "bbws-prod-db-1234567",
        instanceClass: "db.serverless",
      }),
    );
  }
  for (let i = 0; i < (f.kmsKeys ?? 2); i++) {
    resources.push(child("aws:kms/key:Key", `bbws-prod-key-${i}`, { enableKeyRotation: true }));
  }
  if (f.clusterStrategy) {
    resources.push(
      child("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", "bbws-prod-capacity-providers", {
        clusterName: "bbws-prod",
        capacityProviders: ["FARGATE", "FARGATE_SPOT"],
        defaultCapacityProviderStrategies: f.clusterStrategy.map((s) => ({ ...s })),
      }),
    );
  }
  if (f.backupCopyRegion) {
    const drVaultArn = `arn:aws:backup:${f.backupCopyRegion}:123456789012:backup-vault:bbws-prod-dr`;
    resources.push(
      child("aws:backup/vault:Vault", "bbws-prod-vault", { name: "bbws-prod" }),
      child(
        "aws:backup/vault:Vault",
        "bbws-prod-dr-vault",
        { name: "bbws-prod-dr" },
        { region: f.backupCopyRegion, id: "bbws-prod-dr" },
      ),
      child("aws:backup/plan:Plan", "bbws-prod-backup-plan", {
        rules: [
          {
            ruleName: "hourly",
            targetVaultName: "bbws-prod",
            schedule: "cron(0 * ? * * *)",
            copyActions: [{ destinationVaultArn: drVaultArn, lifecycle: { deleteAfter: 30 } }],
          },
        ],
      }),
    );
  }
  return resources;
}
