/**
 * Environment presets: what `dev`, `test` and `prod` mean, taken from the seed documents and
 * corrected where DESIGN.md says they are wrong. Every field can be overridden per stack
 * (see `platformConfig.ts`); the presets are only the starting point.
 */
import { TaskSize } from "./fargateSizes";

/** The environments BBWS knows. A stack picks one with `bbws:environment`. */
export const ENVIRONMENTS = ["dev", "test", "prod"] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

/** One entry of an ECS capacity provider strategy. */
export interface CapacityProviderShare {
  readonly capacityProvider: "FARGATE" | "FARGATE_SPOT";
  readonly base: number;
  readonly weight: number;
}

/** How tenant services spread their tasks over on-demand and Spot capacity. */
export interface TenantCapacity {
  /**
   * Tasks every tenant service keeps on plain FARGATE before Spot is used. Fargate never
   * replaces lost Spot capacity with on-demand capacity, so a site that must stay up keeps
   * at least one on-demand task.
   */
  readonly fargateBase: number;
  /** Relative share of tasks above the base that run on FARGATE. */
  readonly fargateWeight: number;
  /** Relative share of tasks above the base that run on FARGATE_SPOT. */
  readonly spotWeight: number;
}

/** Defaults every tenant of the environment gets unless its registry entry says otherwise. */
export interface TenantDefaults {
  readonly size: TaskSize;
  readonly desiredCount: number;
  readonly minTasks: number;
  readonly maxTasks: number;
  readonly capacity: TenantCapacity;
  /** Health check grace period: the first start copies WordPress onto EFS. */
  readonly healthCheckGracePeriodSeconds: number;
}

/** Aurora MySQL Serverless v2 settings. */
export interface DatabasePreset {
  readonly minCapacity: number;
  readonly maxCapacity: number;
  /** Readers in other AZs, in addition to the writer. */
  readonly readers: number;
  readonly backupRetentionDays: number;
}

/** AWS Backup settings (see components/backup/lifecycle.ts for the rules they must obey). */
export interface BackupPreset {
  readonly retentionDays: number;
  /** Days before EFS recovery points move to cold storage; undefined keeps them warm. */
  readonly efsColdStorageAfterDays?: number;
  readonly drCopyRetentionDays: number;
  /** Vault lock mode, or undefined for no lock. */
  readonly vaultLock?: "governance" | "compliance";
  /** Monthly automated restore test (AWS Backup restore testing). */
  readonly restoreTesting: boolean;
}

/** Everything an environment preset decides. */
export interface EnvironmentPreset {
  readonly availabilityZones: 2 | 3;
  readonly natGateways: "single" | "onePerAz";
  readonly interfaceEndpoints: boolean;
  readonly containerInsights: boolean;
  readonly logRetentionDays: number;
  readonly clusterCapacityStrategy: readonly CapacityProviderShare[];
  readonly tenant: TenantDefaults;
  /** Deletion protection on the ALB and Aurora, `protect` on stateful resources. */
  readonly deletionProtection: boolean;
  /** Take a final snapshot when the Aurora cluster is deleted. */
  readonly finalSnapshot: boolean;
  readonly database: DatabasePreset;
  readonly backup: BackupPreset;
  /** Number of ALBs; each holds at most ~100 tenants (100 target groups per ALB, not adjustable). */
  readonly albShards: number;
}

const MEDIUM: TaskSize = { cpu: 512, memory: 1024 };

/**
 * The three presets.
 * - dev: seed 001's cost-optimised dev (256/512, one task, Spot, no Container Insights, 7-day
 *   logs, one NAT gateway).
 * - test: seed 004's test sizing (1024/2048) with prod-like HA but cheaper storage of backups.
 * - prod: seed 000's production design (512/1024, two tasks, FARGATE base + FARGATE_SPOT weight 4,
 *   Container Insights, 30-day logs, one NAT per AZ, protection and final snapshots).
 */
export const PRESETS: Readonly<Record<EnvironmentName, EnvironmentPreset>> = {
  dev: {
    availabilityZones: 2,
    natGateways: "single",
    interfaceEndpoints: false,
    containerInsights: false,
    logRetentionDays: 7,
    clusterCapacityStrategy: [{ capacityProvider: "FARGATE_SPOT", base: 0, weight: 1 }],
    tenant: {
      size: { cpu: 256, memory: 512 },
      desiredCount: 1,
      minTasks: 1,
      maxTasks: 2,
      capacity: { fargateBase: 0, fargateWeight: 0, spotWeight: 1 },
      healthCheckGracePeriodSeconds: 300,
    },
    deletionProtection: false,
    finalSnapshot: false,
    database: { minCapacity: 0.5, maxCapacity: 4, readers: 0, backupRetentionDays: 7 },
    backup: { retentionDays: 7, drCopyRetentionDays: 30, restoreTesting: false },
    albShards: 1,
  },
  test: {
    availabilityZones: 2,
    natGateways: "single",
    interfaceEndpoints: false,
    containerInsights: true,
    logRetentionDays: 14,
    clusterCapacityStrategy: [
      { capacityProvider: "FARGATE", base: 1, weight: 1 },
      { capacityProvider: "FARGATE_SPOT", base: 0, weight: 1 },
    ],
    tenant: {
      size: { cpu: 1024, memory: 2048 },
      desiredCount: 2,
      minTasks: 2,
      maxTasks: 4,
      capacity: { fargateBase: 1, fargateWeight: 1, spotWeight: 1 },
      healthCheckGracePeriodSeconds: 300,
    },
    deletionProtection: false,
    finalSnapshot: true,
    database: { minCapacity: 0.5, maxCapacity: 4, readers: 0, backupRetentionDays: 7 },
    backup: { retentionDays: 14, drCopyRetentionDays: 30, restoreTesting: false },
    albShards: 1,
  },
  prod: {
    availabilityZones: 3,
    natGateways: "onePerAz",
    interfaceEndpoints: true,
    containerInsights: true,
    logRetentionDays: 30,
    clusterCapacityStrategy: [
      { capacityProvider: "FARGATE", base: 2, weight: 1 },
      { capacityProvider: "FARGATE_SPOT", base: 0, weight: 4 },
    ],
    tenant: {
      size: MEDIUM,
      desiredCount: 2,
      minTasks: 2,
      maxTasks: 10,
      capacity: { fargateBase: 1, fargateWeight: 1, spotWeight: 4 },
      healthCheckGracePeriodSeconds: 300,
    },
    deletionProtection: true,
    finalSnapshot: true,
    database: { minCapacity: 1, maxCapacity: 16, readers: 1, backupRetentionDays: 14 },
    backup: {
      retentionDays: 35,
      drCopyRetentionDays: 30,
      vaultLock: "governance",
      restoreTesting: true,
    },
    albShards: 1,
  },
};
