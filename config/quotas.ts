/**
 * Account and service quotas an environment can outgrow, preflighted by `plan` (from the
 * planned resources) and by `tenants add` (from the registry) before anything changes. The
 * adjustable ones are platform settings (`bbws:quota*`, defaults = AWS defaults): an account
 * whose quota was raised says so in its stack file. Each quota names its source.
 */
import { BbwsError } from "../lib/errors";

/** Connections one tenant's MySQL user may hold (`MAX_USER_CONNECTIONS`). */
export const TENANT_DATABASE_CONNECTIONS = 25;

/** IAM roles of the platform stack (besides the 2 of every tenant); a test keeps it in step. */
export const PLATFORM_IAM_ROLES = 7;
/** IAM roles each tenant stack creates (execution and task role). */
export const TENANT_IAM_ROLES = 2;
/** SSM standard parameters each tenant stack creates (the administrator's password); the platform creates none. */
export const TENANT_SSM_PARAMETERS = 1;

/** One quota: what it limits, its AWS default, the setting that raises it, its source. */
export interface QuotaDefinition {
  readonly name: string;
  /** AWS's default (or fixed) value. */
  readonly defaultLimit: number;
  /** `bbws:<key>` that declares a raised quota; absent for hard limits. */
  readonly configKey?: string;
  readonly source: string;
}

/** The quotas, by id. */
export const QUOTAS = {
  iamRoles: {
    name: "IAM roles per account",
    defaultLimit: 1000,
    configKey: "quotaIamRoles",
    source: "IAM User Guide, IAM and AWS STS quotas: roles per account (default 1,000, adjustable to 5,000)",
  },
  targetGroupsPerAlb: {
    name: "target groups per ALB",
    defaultLimit: 100,
    source: "Application Load Balancer quotas: target groups per load balancer (100, not adjustable)",
  },
  rulesPerAlb: {
    name: "listener rules per ALB",
    defaultLimit: 100,
    configKey: "quotaRulesPerAlb",
    source:
      "Application Load Balancer quotas: rules per load balancer, not counting default rules (default 100)",
  },
  certificatesPerAlb: {
    name: "certificates per ALB",
    defaultLimit: 25,
    configKey: "quotaCertificatesPerAlb",
    source:
      "Application Load Balancer quotas: certificates per load balancer, not counting the default (default 25)",
  },
  servicesPerCluster: {
    name: "ECS services per cluster",
    defaultLimit: 5000,
    configKey: "quotaServicesPerCluster",
    source: "Amazon ECS service quotas: services per cluster (default 5,000)",
  },
  tasksPerService: {
    name: "ECS tasks per service",
    defaultLimit: 5000,
    configKey: "quotaTasksPerService",
    source: "Amazon ECS service quotas: tasks per service (default 5,000)",
  },
  accessPointsPerFileSystem: {
    name: "EFS access points per file system",
    defaultLimit: 10000,
    configKey: "quotaAccessPointsPerFileSystem",
    source: "Amazon EFS quotas: access points per file system (10,000)",
  },
  cloudMapInstancesPerNamespace: {
    name: "Cloud Map instances per namespace",
    defaultLimit: 2000,
    configKey: "quotaCloudMapInstancesPerNamespace",
    source: "AWS Cloud Map quotas: instances per namespace (default 2,000)",
  },
  acmCertificates: {
    name: "ACM certificates per account and Region",
    defaultLimit: 2500,
    configKey: "quotaAcmCertificates",
    source:
      "AWS Certificate Manager quotas: ACM certificates per account and Region (default 2,500, adjustable); a tenant whose certificate changes holds two until the new one is issued",
  },
  ssmStandardParameters: {
    name: "SSM Parameter Store standard parameters per account and Region",
    defaultLimit: 10000,
    source:
      "AWS Systems Manager endpoints and quotas: standard parameters per account and Region (10,000, not adjustable; the advanced tier holds 100,000 at a monthly charge per parameter)",
  },
  databaseConnections: {
    name: "database connections (sum of MAX_USER_CONNECTIONS) at maximum capacity",
    defaultLimit: 0,
    source:
      "Aurora User Guide: Aurora MySQL max_connections = GREATEST(log2(memory/805306368)*45, log2(memory/8187281408)*1000), at most 16,000; Serverless v2 derives it from the maximum ACUs (2 GiB each)",
  },
  databaseConnectionsAtMinimum: {
    name: "database connections at minimum capacity (advisory: the cluster scales up for them)",
    defaultLimit: 0,
    source: "Aurora User Guide, Aurora Serverless v2 capacity: max_connections and memory per ACU",
  },
} as const satisfies Record<string, QuotaDefinition>;

export type QuotaId = keyof typeof QUOTAS;

/** Quotas a stack file may raise (`bbws:quota*`), by quota id. */
export type AccountQuotas = { readonly [K in QuotaId]?: number };

/** The quota's limit for these settings. */
export function quotaLimit(id: QuotaId, quotas: AccountQuotas = {}): number {
  return quotas[id] ?? QUOTAS[id].defaultLimit;
}

/** Aurora MySQL's default max_connections for a Serverless v2 instance of `acu` ACUs. */
export function auroraMaxConnections(acu: number): number {
  const memory = Math.max(acu, 0.5) * 2 * 1024 ** 3;
  const value = Math.max(Math.log2(memory / 805306368) * 45, Math.log2(memory / 8187281408) * 1000);
  return Math.min(16000, Math.max(0, Math.floor(value)));
}

/** How much of one quota one scope (an ALB, the account...) uses. */
export interface QuotaUsage {
  readonly quota: QuotaId;
  /** What the count is of, e.g. "ALB shard 0" or "account". */
  readonly scope: string;
  readonly used: number;
  readonly limit: number;
  /** Reported, never failing. */
  readonly advisory?: boolean;
}

/** Usage against limits: headroom per quota and the ones crossed. */
export interface QuotaReport {
  readonly usages: readonly QuotaUsage[];
  readonly exceeded: readonly QuotaUsage[];
}

/** A report from usages. */
export function quotaReport(usages: readonly QuotaUsage[]): QuotaReport {
  return { usages, exceeded: usages.filter((u) => !u.advisory && u.used > u.limit) };
}

/** One line of a crossed quota: name, scope, count, limit, source. */
export function describeExceeded(u: QuotaUsage): string {
  const q: QuotaDefinition = QUOTAS[u.quota];
  const raise = q.configKey ? `; if the account's quota is higher, declare it with bbws:${q.configKey}` : "";
  return `${q.name} (${u.scope}): ${u.used} > ${u.limit}${raise} [${q.source}]`;
}

/** The quota failure (kind "quotaExceeded") for a report with crossed quotas. */
export class QuotaExceededError extends BbwsError {
  constructor(
    readonly exceeded: readonly QuotaUsage[],
    context: string,
  ) {
    super(
      "quotaExceeded",
      `${context} crosses ${exceeded.length} quota(s):\n${exceeded.map((u) => `  - ${describeExceeded(u)}`).join("\n")}`,
    );
  }
}

/** What a registry-level preflight needs to know of each tenant. */
export interface QuotaTenant {
  readonly id: string;
  readonly shard: number;
  /** Largest number of tasks the tenant's service may run (autoscaling maximum). */
  readonly maxTasks: number;
  readonly serviceDiscovery: boolean;
  /** Certificates the tenant attaches to its shard's listener (custom domains). */
  readonly certificates?: number;
  /** Listener rules the tenant takes (its forward rule, plus a redirect rule for extra hosts). @default 1 */
  readonly rules?: number;
}

/** What a registry-level preflight knows of the platform. */
export interface QuotaPlatform {
  readonly shards: number;
  /** ACM certificates the platform itself requests (its DNS-validated wildcard). @default 0 */
  readonly certificates?: number;
  readonly quotas?: AccountQuotas;
  readonly database: { readonly minCapacity: number; readonly maxCapacity: number };
}

/**
 * Usage from the registry alone (what `tenants add` checks before it writes): each tenant is one
 * target group, one rule, one service, one access point, 2 IAM roles and one SSM parameter; the
 * platform adds its own roles and its maintenance access point.
 */
export function registryQuotaUsage(tenants: readonly QuotaTenant[], platform: QuotaPlatform): QuotaUsage[] {
  const q = platform.quotas;
  const usages: QuotaUsage[] = [
    {
      quota: "iamRoles",
      scope: "account",
      used: PLATFORM_IAM_ROLES + TENANT_IAM_ROLES * tenants.length,
      limit: quotaLimit("iamRoles", q),
    },
  ];
  for (let shard = 0; shard < platform.shards; shard++) {
    const on = tenants.filter((t) => t.shard === shard);
    const scope = `ALB shard ${shard}`;
    usages.push(
      { quota: "targetGroupsPerAlb", scope, used: on.length, limit: quotaLimit("targetGroupsPerAlb", q) },
      {
        quota: "rulesPerAlb",
        scope,
        used: on.reduce((n, t) => n + (t.rules ?? 1), 0),
        limit: quotaLimit("rulesPerAlb", q),
      },
      {
        quota: "certificatesPerAlb",
        scope,
        used: on.reduce((n, t) => n + (t.certificates ?? 0), 0),
        limit: quotaLimit("certificatesPerAlb", q),
      },
    );
  }
  const connections = TENANT_DATABASE_CONNECTIONS * tenants.length;
  usages.push(
    {
      quota: "servicesPerCluster",
      scope: "cluster",
      used: tenants.length,
      limit: quotaLimit("servicesPerCluster", q),
    },
    {
      quota: "tasksPerService",
      scope: "largest service",
      used: Math.max(0, ...tenants.map((t) => t.maxTasks)),
      limit: quotaLimit("tasksPerService", q),
    },
    {
      quota: "accessPointsPerFileSystem",
      scope: "file system",
      used: tenants.length + 1,
      limit: quotaLimit("accessPointsPerFileSystem", q),
    },
    {
      quota: "cloudMapInstancesPerNamespace",
      scope: "namespace",
      used: tenants.filter((t) => t.serviceDiscovery).reduce((n, t) => n + t.maxTasks, 0),
      limit: quotaLimit("cloudMapInstancesPerNamespace", q),
    },
    {
      quota: "ssmStandardParameters",
      scope: "account and Region",
      used: TENANT_SSM_PARAMETERS * tenants.length,
      limit: quotaLimit("ssmStandardParameters", q),
    },
    {
      quota: "acmCertificates",
      scope: "account and Region",
      used: (platform.certificates ?? 0) + tenants.reduce((n, t) => n + (t.certificates ?? 0), 0),
      limit: quotaLimit("acmCertificates", q),
    },
    ...databaseUsages(connections, platform.database),
  );
  return usages;
}

/** Capacity a Serverless v2 instance resumes at from a pause (its smallest non-zero step). */
export const AURORA_RESUMED_CAPACITY = 0.5;

/** The connection budget at the cluster's maximum (enforced) and minimum (advisory) capacity. */
export function databaseUsages(
  connections: number,
  database: { readonly minCapacity: number; readonly maxCapacity: number },
): QuotaUsage[] {
  return [
    {
      quota: "databaseConnections",
      scope: `${database.maxCapacity} ACU`,
      used: connections,
      limit: auroraMaxConnections(database.maxCapacity),
    },
    {
      quota: "databaseConnectionsAtMinimum",
      // A paused cluster (0 ACU) takes no connections: the first one resumes it at 0.5 ACU.
      scope: database.minCapacity === 0 ? "0.5 ACU (resumed)" : `${database.minCapacity} ACU`,
      used: connections,
      limit: auroraMaxConnections(Math.max(database.minCapacity, AURORA_RESUMED_CAPACITY)),
      advisory: true,
    },
  ];
}

/** Throws QuotaExceededError when `usages` cross a quota; `context` says what was checked. */
export function assertWithinQuotas(usages: readonly QuotaUsage[], context: string): void {
  const report = quotaReport(usages);
  if (report.exceeded.length > 0) throw new QuotaExceededError(report.exceeded, context);
}
