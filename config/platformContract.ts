/**
 * The platform contract: the outputs of a platform stack, declared once. `index.ts` returns
 * `PlatformContractInputs` (derived from the schema below), tenant stacks read it through a
 * StackReference and day-2 operations through the Automation API; both parse it with
 * `parsePlatformContract`, so a reader never trusts an output it did not check.
 *
 * Grouped as pulumi-eks groups its CoreData. `contractVersion` changes whenever a reader could
 * misread a platform of another version (a renamed, moved or removed output, or a new output
 * readers rely on). Version 1 was the flat list of outputs without a version. The `edge` group
 * is optional within version 2: readers treat a platform without it as one without a firewall.
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { BbwsError } from "../lib/errors";

/** The contract version this code writes and reads. */
export const PLATFORM_CONTRACT_VERSION = 2;

const text = z.string().min(1, "must not be empty");

/** An ARN of `service` whose resource part starts with `resource` (in any region and account). */
function arnOf(service: string, resource: string) {
  return z
    .string()
    .regex(
      new RegExp(`^arn:aws[a-z-]*:${service}:[a-z0-9-]*:\\d{12}:${resource.replace(/[/]/g, "\\/")}`),
      `an ARN arn:<partition>:${service}:<region>:<account>:${resource}...`,
    );
}
const ids = (prefix: string) => z.array(text.startsWith(prefix, `an id starting with ${prefix}`));

/** VPC, private subnets and the security group of each tier. */
export const platformNetworkSchema = z.object({
  vpcId: text.startsWith("vpc-"),
  /** Tasks, EFS mount targets and Aurora live in these (one per AZ). */
  privateSubnetIds: ids("subnet-").min(1),
  securityGroups: z.object({
    alb: text.startsWith("sg-"),
    /** What tenant tasks and maintenance tasks run with. */
    tasks: text.startsWith("sg-"),
    fileSystem: text.startsWith("sg-"),
    database: text.startsWith("sg-"),
  }),
});

/** The ECS cluster and its Cloud Map namespace. */
export const platformClusterSchema = z.object({
  name: text,
  arn: arnOf("ecs", "cluster/"),
  /** Cloud Map private DNS namespace tenants may register in. */
  namespaceId: text.startsWith("ns-"),
  namespaceName: text,
});

/** One ALB shard: a tenant's listener rule and DNS records live on its shard. */
export const ingressShardSchema = z.object({
  /** HTTPS listener the tenant's host rule is added to. */
  listenerArn: arnOf("elasticloadbalancing", "listener/app/"),
  /** `app/<name>/<id>`: the CloudWatch `LoadBalancer` dimension. */
  loadBalancerArnSuffix: text.startsWith("app/"),
  dnsName: text,
  /** Hosted zone of the ALB, for alias records. */
  zoneId: text,
});

/** The ALB shards, by shard index (a registry entry's `listener.shard`). */
export const platformIngressSchema = z.object({ shards: z.array(ingressShardSchema).min(1) });

/** The shared EFS file system. */
export const platformStorageSchema = z.object({
  fileSystemId: text.startsWith("fs-"),
  fileSystemArn: arnOf("elasticfilesystem", "file-system/fs-"),
  /** One per private subnet, in subnet order; tenant services wait for them. */
  mountTargetIds: ids("fsmt-").min(1),
});

/** The shared Aurora MySQL cluster. */
export const platformDatabaseSchema = z.object({
  clusterArn: arnOf("rds", "cluster:"),
  clusterIdentifier: text,
  endpoint: text,
  readerEndpoint: text,
  port: z.number().int().min(1).max(65535),
  /** Secrets Manager secret with the master credentials (the Data API runs as it). */
  masterSecretArn: arnOf("secretsmanager", "secret:"),
});

/** Images: the team's repository and the image tenants run by default. */
export const platformImageSchema = z.object({
  repositoryUrl: text,
  repositoryArn: arnOf("ecr", "repository/"),
  defaultImage: text,
});

/** Where tenants log and alarm. */
export const platformObservabilitySchema = z.object({
  /** Log group of every WordPress container; tenants use their id as stream prefix. */
  logGroupName: text,
  logGroupArn: arnOf("logs", "log-group:"),
  alarmTopicArn: arnOf("sns", ""),
});

/** KMS keys: data (EFS, Aurora, secrets, ECR) and telemetry (logs, alarm topic). */
export const platformKeysSchema = z.object({
  dataKeyArn: arnOf("kms", "key/"),
  telemetryKeyArn: arnOf("kms", "key/"),
});

/** AWS Backup: the vaults, the hourly plans and the role ops passes to its jobs. */
export const platformBackupSchema = z.object({
  /** Primary vault, in the stack's region. */
  vaultName: text,
  vaultArn: arnOf("backup", "backup-vault:"),
  /** DR vault, in `drRegion`, receiving a copy of every recovery point. */
  drVaultName: text,
  drVaultArn: arnOf("backup", "backup-vault:"),
  drRegion: text,
  /** Hourly plans: one per resource type, since a plan's rules apply to all it selects. */
  efsPlanId: text,
  auroraPlanId: text,
  /** Role AWS Backup assumes; ops passes it to on-demand backup, copy and restore jobs. */
  roleArn: arnOf("iam", "role/"),
  /** Failed backup, copy and restore jobs of the primary vault and of the DR vault. */
  notificationTopicArn: arnOf("sns", ""),
  drNotificationTopicArn: arnOf("sns", ""),
});

/** The one-off maintenance tasks of day-2 operations (restore's file swap and schema copy, purge). */
export const platformMaintenanceSchema = z.object({
  /** Administrative access point at `/` (POSIX 0:0) that only the maintenance tasks mount. */
  accessPointId: text.startsWith("fsap-"),
  accessPointArn: arnOf("elasticfilesystem", "access-point/fsap-"),
  /** Shell task ops runs with a command in RunTask overrides (file swaps, purges). */
  taskDefinitionArn: arnOf("ecs", "task-definition/"),
  /** MySQL client task; restore registers a per-run revision carrying the tenant's secret. */
  dbCopyTaskDefinitionArn: arnOf("ecs", "task-definition/"),
  /** Log group of both maintenance tasks. */
  logGroupName: text,
});

// ---- Edge: DNS zone, listener certificate, web firewall ----

/** How visitors reach the platform: what tenant stacks and the onboarding checks read. */
export const platformEdgeSchema = z.object({
  /** Route 53 zone of the environment's domain; absent when the platform manages no DNS. */
  hostedZoneId: z.string().optional(),
  /** Certificate of the HTTPS listeners (covers `*.<domain>`): what the onboarding check expects for those hosts. */
  certificateArn: arnOf("acm", "certificate/"),
  /** Web ACL of each ALB shard, by shard index; empty when the firewall is off. */
  webAclArns: z.array(arnOf("wafv2", "regional/webacl/")),
  /** Hosts on which the firewall lets `/xmlrpc.php` through. */
  xmlrpcAllowedHosts: z.array(z.string()),
});

/** The platform contract. */
export const platformContractSchema = z.object({
  /** Version of this contract; see PLATFORM_CONTRACT_VERSION. */
  contractVersion: z.literal(PLATFORM_CONTRACT_VERSION),
  environment: text,
  region: text,
  accountId: z.string().regex(/^\d{12}$/, "a 12-digit AWS account id"),
  partition: text,
  network: platformNetworkSchema,
  cluster: platformClusterSchema,
  ingress: platformIngressSchema,
  storage: platformStorageSchema,
  database: platformDatabaseSchema,
  image: platformImageSchema,
  observability: platformObservabilitySchema,
  keys: platformKeysSchema,
  backup: platformBackupSchema,
  maintenance: platformMaintenanceSchema,
  /** Optional: platforms updated before the edge outputs existed have none (no firewall, no zone). */
  edge: platformEdgeSchema.optional(),
});

/** A parsed platform contract (what readers get). */
export type PlatformContract = z.infer<typeof platformContractSchema>;
/** One ALB shard of the contract. */
export type IngressShard = z.infer<typeof ingressShardSchema>;
/** Backup group of the contract. */
export type PlatformBackup = PlatformContract["backup"];
/** Edge group of the contract. */
export type PlatformEdge = NonNullable<PlatformContract["edge"]>;
/** Maintenance group of the contract. */
export type PlatformMaintenance = PlatformContract["maintenance"];

/**
 * `T` as a program may return it: every leaf an Input, each array an Input of an array of
 * Inputs (`Output<string[]>` and `Output<string>[]` both fit), objects keeping their shape.
 * The `[T]` wrapping stops unions (`boolean`) from being split; an optional value stays optional.
 */
export type InputOf<T> = undefined extends T
  ? InputOf<Exclude<T, undefined>> | undefined
  : [T] extends [readonly (infer E)[]]
    ? pulumi.Input<InputOf<E>[]>
    : [T] extends [object]
      ? { readonly [K in keyof T]: InputOf<T[K]> }
      : pulumi.Input<T>;

/** The contract as the platform program returns it (values may be Outputs). */
export type PlatformContractInputs = InputOf<PlatformContract>;

/** Where a platform contract was read, for messages. */
export interface ContractSource {
  /** The stack as the reader names it: `dev`, or `acme-org/bbws/dev` behind a StackReference. */
  readonly stack: string;
  /** The name `pulumi up -s <name>` updates it by: the environment, e.g. `dev`. */
  readonly environment: string;
}

/**
 * Parses raw platform stack outputs. A platform of another contract version, or outputs that
 * do not satisfy the schema, throw BbwsError (invalidInput) saying what to run.
 */
export function parsePlatformContract(raw: unknown, source: ContractSource): PlatformContract {
  const outputs = (raw ?? {}) as Record<string, unknown>;
  const version = outputs.contractVersion;
  const update = `update the platform first: pulumi up -s ${source.environment}`;
  if (version !== PLATFORM_CONTRACT_VERSION) {
    if (typeof version === "number" && version > PLATFORM_CONTRACT_VERSION) {
      throw new BbwsError(
        "invalidInput",
        `platform stack ${source.stack} has contract version ${version}, newer than this code reads ` +
          `(${PLATFORM_CONTRACT_VERSION}): update this checkout of BBWS`,
      );
    }
    const found =
      version === undefined
        ? "no contract version (version 1, before outputs were versioned)"
        : `contract version ${JSON.stringify(version)}`;
    throw new BbwsError(
      "invalidInput",
      `platform stack ${source.stack} has ${found}; this code reads contract version ` +
        `${PLATFORM_CONTRACT_VERSION}: ${update}`,
    );
  }
  const parsed = platformContractSchema.safeParse(outputs);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${dotted(i.path)}: ${i.message}`);
    throw new BbwsError(
      "invalidInput",
      `platform stack ${source.stack} does not satisfy contract version ${PLATFORM_CONTRACT_VERSION} ` +
        `(${problems.join("; ")}): ${update}`,
    );
  }
  return parsed.data;
}

function dotted(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("") || "(root)";
}
