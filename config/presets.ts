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
  /**
   * Scale-to-zero schedule of tenants whose entry has none (an entry opts out with
   * `schedule: none`). Dev sleeps by default so that the shared database can pause: a database
   * that any awake tenant (its visitors, its cron) queries never reaches its auto-pause delay.
   */
  readonly schedule?: DefaultSchedule;
}

/** A default scale-to-zero schedule (the shape of a registry entry's `schedule`). */
export interface DefaultSchedule {
  readonly sleepAt: string;
  readonly wakeAt: string;
  readonly timezone: string;
  readonly weekdaysOnly: boolean;
}

/** Aurora MySQL Serverless v2 settings. */
export interface DatabasePreset {
  /** 0 lets the cluster pause when idle (Aurora MySQL 3.08 or later). */
  readonly minCapacity: number;
  readonly maxCapacity: number;
  /** Readers in other AZs, in addition to the writer. */
  readonly readers: number;
  readonly backupRetentionDays: number;
  /**
   * Idle seconds before a cluster with minimum capacity 0 pauses (RDS: 300 to 86,400).
   * Ignored above 0 ACU.
   */
  readonly autoPauseSeconds: number;
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

/** How private subnets reach the internet. */
export const NAT_MODES = ["single", "onePerAz", "instance"] as const;
export type NatMode = (typeof NAT_MODES)[number];

/** Everything an environment preset decides. */
export interface EnvironmentPreset {
  readonly availabilityZones: 2 | 3;
  /**
   * Egress of the private subnets: one NAT gateway, one per AZ, or one NAT instance (a small
   * Graviton EC2 instance: a tenth of a gateway's price, no AZ redundancy; components/shared/natInstance.ts).
   */
  readonly natGateways: NatMode;
  /** Instance type of the NAT instance (natGateways: instance). */
  readonly natInstanceType: string;
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
 *   logs), made cheaper still: one NAT instance instead of a gateway, an Aurora cluster that
 *   pauses at 0 ACU, and tenants that sleep 18:00-08:00 UTC and at weekends unless they opt out.
 * - test: seed 004's test sizing (1024/2048) with prod-like HA but cheaper storage of backups.
 * - prod: seed 000's production design (512/1024, two tasks, FARGATE base + FARGATE_SPOT weight 4,
 *   Container Insights, 30-day logs, one NAT per AZ, protection and final snapshots).
 */
export const PRESETS: Readonly<Record<EnvironmentName, EnvironmentPreset>> = {
  dev: {
    availabilityZones: 2,
    natGateways: "instance",
    natInstanceType: "t4g.nano",
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
      // Working hours: 50 of 168 hours a week awake.
      schedule: { sleepAt: "18:00", wakeAt: "08:00", timezone: "UTC", weekdaysOnly: true },
    },
    deletionProtection: false,
    finalSnapshot: false,
    // Pauses at 0 ACU after 5 idle minutes: dev tenants sleep nights and weekends by default.
    database: { minCapacity: 0, maxCapacity: 4, readers: 0, backupRetentionDays: 7, autoPauseSeconds: 300 },
    backup: { retentionDays: 7, drCopyRetentionDays: 30, restoreTesting: false },
    albShards: 1,
  },
  test: {
    availabilityZones: 2,
    natGateways: "single",
    natInstanceType: "t4g.nano",
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
    database: { minCapacity: 0.5, maxCapacity: 4, readers: 0, backupRetentionDays: 7, autoPauseSeconds: 300 },
    backup: { retentionDays: 14, drCopyRetentionDays: 30, restoreTesting: false },
    albShards: 1,
  },
  prod: {
    availabilityZones: 3,
    natGateways: "onePerAz",
    natInstanceType: "t4g.nano",
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
    database: { minCapacity: 1, maxCapacity: 16, readers: 1, backupRetentionDays: 14, autoPauseSeconds: 300 },
    backup: {
      retentionDays: 35,
      drCopyRetentionDays: 30,
      vaultLock: "governance",
      restoreTesting: true,
    },
    albShards: 1,
  },
};
