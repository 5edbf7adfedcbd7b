/**
 * Everything a command needs about an environment and a tenant: the registry entry, the
 * platform stack outputs and the tenant stack outputs. Outputs come through a small interface
 * so tests inject a fake and never need the Pulumi CLI (the real source is `pulumiSource.ts`).
 *
 * The tenant is checked against `tenants/<env>.yaml` first: an unknown tenant fails before any
 * stack or AWS call.
 */
import { closest } from "fastest-levenshtein";
import { ResolvedPlatformOutputs } from "../config/platformOutputs";
import { ResolvedTenantOutputs } from "../config/tenantOutputs";
import { RegistryError, loadRegistry, registryPath } from "../tenants/registry/load";
import { TenantEntry } from "../config/tenantEntry";
import { BbwsError } from "../lib/errors";

/** Backup outputs of the platform stack (the BackupPlan component) that ops reads. */
export type BackupPlatformOutputs = Pick<
  ResolvedPlatformOutputs,
  | "backupVaultName"
  | "backupVaultArn"
  | "drBackupVaultName"
  | "drBackupVaultArn"
  | "drRegion"
  | "backupRoleArn"
>;

/** Outputs of the maintenance tasks (components/shared/maintenance.ts); only restore needs them. */
export type MaintenancePlatformOutputs = Pick<
  ResolvedPlatformOutputs,
  | "maintenanceAccessPointId"
  | "maintenanceAccessPointArn"
  | "maintenanceTaskDefinitionArn"
  | "dbCopyTaskDefinitionArn"
  | "maintenanceLogGroupName"
>;

/**
 * Platform outputs as ops reads them. A platform deployed before the maintenance tasks existed
 * lacks their outputs: restore then asks for a platform update, backup and status still work.
 */
export type OpsPlatformOutputs = Omit<ResolvedPlatformOutputs, keyof MaintenancePlatformOutputs> &
  Partial<MaintenancePlatformOutputs>;

/** Where stack outputs come from. */
export interface StackOutputsSource {
  /** Outputs of the platform stack `<env>`. */
  platform(environment: string): Promise<OpsPlatformOutputs>;
  /** Outputs of the tenant stack `<env>.<tenantId>`. */
  tenant(environment: string, tenantId: string): Promise<ResolvedTenantOutputs>;
}

/** What a command knows about its tenant. */
export interface TenantContext {
  readonly environment: string;
  readonly tenantId: string;
  readonly entry: TenantEntry;
  readonly platform: OpsPlatformOutputs;
}

/** A context with the tenant stack's outputs as well. */
export interface TenantContextWithOutputs extends TenantContext {
  readonly tenant: ResolvedTenantOutputs;
}

/** How to load a context. */
export interface ContextDeps {
  readonly source: StackOutputsSource;
  /** Registry file. @default tenants/<env>.yaml */
  readonly registryFile?: string;
}

/** Platform outputs every command reads (present since the first platform version). */
const BASE_KEYS = [
  "region",
  "clusterName",
  "privateSubnetIds",
  "taskSecurityGroupId",
  "fileSystemId",
  "fileSystemArn",
  "databaseClusterArn",
  "databaseClusterIdentifier",
  "databaseEndpoint",
  "databasePort",
  "dataKeyArn",
] as const;

/** Backup outputs, added with the BackupPlan component. */
export const BACKUP_KEYS: readonly (keyof BackupPlatformOutputs)[] = [
  "backupVaultName",
  "backupVaultArn",
  "drBackupVaultName",
  "drBackupVaultArn",
  "drRegion",
  "backupRoleArn",
];

/** Maintenance outputs, added with the maintenance tasks. */
export const MAINTENANCE_KEYS: readonly (keyof MaintenancePlatformOutputs)[] = [
  "maintenanceAccessPointId",
  "maintenanceAccessPointArn",
  "maintenanceTaskDefinitionArn",
  "dbCopyTaskDefinitionArn",
  "maintenanceLogGroupName",
];

/** Tenant outputs ops reads. */
const TENANT_KEYS: readonly (keyof ResolvedTenantOutputs)[] = [
  "serviceName",
  "clusterName",
  "databaseName",
  "databaseSecretArn",
  "rootDirectory",
];

/** The registry entry of a tenant; InvalidTenantError when the registry has none. */
export function registryEntry(environment: string, tenantId: string, registryFile?: string): TenantEntry {
  let tenants: readonly TenantEntry[];
  try {
    tenants = loadRegistry(environment, registryFile ?? registryPath(environment)).tenants;
  } catch (error) {
    if (error instanceof RegistryError) throw new BbwsError("invalidInput", error.message, { cause: error });
    throw error;
  }
  const entry = tenants.find((t) => t.id === tenantId);
  if (entry) return entry;
  throw unknownTenant(
    environment,
    tenantId,
    tenants.map((t) => t.id),
  );
}

/** The error for a tenant id the registry does not list, suggesting the closest one. */
export function unknownTenant(environment: string, tenantId: string, ids: readonly string[]): BbwsError {
  const suggestion = ids.length > 0 ? `; did you mean "${closest(tenantId, [...ids])}"?` : "";
  return new BbwsError(
    "notFound",
    `tenant "${tenantId}" is not in the ${environment} registry (tenants/${environment}.yaml lists ` +
      `${ids.length > 0 ? ids.join(", ") : "no tenants"})${suggestion}`,
  );
}

/** Loads the registry entry and the platform outputs (and the tenant's outputs when asked). */
export async function loadTenantContext(
  environment: string,
  tenantId: string,
  deps: ContextDeps,
): Promise<TenantContext> {
  const entry = registryEntry(environment, tenantId, deps.registryFile);
  const platform = await deps.source.platform(environment);
  return { environment, tenantId, entry, platform };
}

/** Like loadTenantContext, with the tenant stack's outputs. */
export async function loadTenantContextWithOutputs(
  environment: string,
  tenantId: string,
  deps: ContextDeps,
): Promise<TenantContextWithOutputs> {
  const context = await loadTenantContext(environment, tenantId, deps);
  const tenant = await deps.source.tenant(environment, tenantId);
  return { ...context, tenant };
}

/**
 * Checks raw platform stack outputs: every output ops reads must be there. A platform deployed
 * before backups existed lacks the backup outputs; the message says how to fix it.
 */
export function platformOutputsFrom(
  environment: string,
  raw: Readonly<Record<string, unknown>>,
): OpsPlatformOutputs {
  const missing = [...BASE_KEYS, ...BACKUP_KEYS].filter((key) => raw[key] === undefined || raw[key] === "");
  if (missing.length > 0) {
    throw new BbwsError(
      "invalidInput",
      `the ${environment} platform stack has no output ${missing.join(", ")}: it is older than these ` +
        `operations; deploy the platform first (pulumi up -s ${environment})`,
    );
  }
  return raw as unknown as OpsPlatformOutputs;
}

/** Checks raw tenant stack outputs. */
export function tenantOutputsFrom(
  stackName: string,
  raw: Readonly<Record<string, unknown>>,
): ResolvedTenantOutputs {
  const missing = TENANT_KEYS.filter((key) => raw[key] === undefined || raw[key] === "");
  if (missing.length > 0) {
    throw new BbwsError(
      "invalidInput",
      `tenant stack ${stackName} has no output ${missing.join(", ")}; update it (npm run tenants -- sync <env>)`,
    );
  }
  return raw as unknown as ResolvedTenantOutputs;
}

/** The maintenance outputs, or ConfigurationError when the platform predates them. */
export function requireMaintenance(platform: OpsPlatformOutputs): MaintenancePlatformOutputs {
  const missing = MAINTENANCE_KEYS.filter((key) => !platform[key]);
  if (missing.length > 0) {
    throw new BbwsError(
      "invalidInput",
      `the ${platform.environment} platform stack has no output ${missing.join(", ")}: restore needs the ` +
        `maintenance tasks, which this platform version does not have; deploy the platform first ` +
        `(pulumi up -s ${platform.environment})`,
    );
  }
  return platform as MaintenancePlatformOutputs;
}
