/**
 * AWS Backup lifecycle rules, checked before anything is created.
 *
 * AWS Backup rejects a lifecycle at CreateBackupPlan time when
 *  - a recovery point moves to cold storage and is deleted less than 90 days later (cold
 *    storage has a 90-day minimum), or
 *  - cold storage is asked for a resource type that has none (Aurora has none; EFS does).
 * Seed 002's "cold after 1 day, delete after 7" breaks the first rule.
 */

/** Resource types BBWS backs up. */
export type BackupResourceType = "EFS" | "Aurora";

/** Resource types for which AWS Backup offers cold storage (lifecycle to cold tier). */
const COLD_STORAGE_SUPPORTED: ReadonlySet<BackupResourceType> = new Set(["EFS"]);

/** Cold storage's minimum stay, fixed by AWS Backup. */
export const COLD_STORAGE_MINIMUM_DAYS = 90;

/** A recovery point lifecycle. */
export interface Lifecycle {
  readonly deleteAfterDays: number;
  readonly coldStorageAfterDays?: number;
}

/** A lifecycle problem, with the configuration key it came from when there is one. */
export interface LifecycleProblem {
  readonly configKey: string;
  readonly received: unknown;
  readonly message: string;
}

/**
 * Checks one lifecycle for one resource type. `where` names the rule in messages
 * (e.g. "EFS hourly rule", "DR copy of the Aurora rule").
 */
export function lifecycleErrors(
  resourceType: BackupResourceType,
  lifecycle: Lifecycle,
  where: string,
): string[] {
  const errors: string[] = [];
  const { deleteAfterDays, coldStorageAfterDays } = lifecycle;
  if (!Number.isInteger(deleteAfterDays) || deleteAfterDays < 1) {
    errors.push(`${where}: delete-after must be a whole number of days >= 1, got ${deleteAfterDays}`);
  }
  if (coldStorageAfterDays === undefined) return errors;
  if (!COLD_STORAGE_SUPPORTED.has(resourceType)) {
    errors.push(
      `${where}: ${resourceType} recovery points cannot move to cold storage (AWS Backup supports cold storage ` +
        `for EFS, not for Aurora); remove cold-storage-after`,
    );
    return errors;
  }
  if (!Number.isInteger(coldStorageAfterDays) || coldStorageAfterDays < 1) {
    errors.push(
      `${where}: cold-storage-after must be a whole number of days >= 1, got ${coldStorageAfterDays}`,
    );
  } else if (deleteAfterDays < coldStorageAfterDays + COLD_STORAGE_MINIMUM_DAYS) {
    errors.push(
      `${where}: delete-after (${deleteAfterDays} days) must be at least cold-storage-after ` +
        `(${coldStorageAfterDays}) + ${COLD_STORAGE_MINIMUM_DAYS} = ${coldStorageAfterDays + COLD_STORAGE_MINIMUM_DAYS} days: ` +
        `AWS Backup keeps a recovery point in cold storage for at least ${COLD_STORAGE_MINIMUM_DAYS} days ` +
        `(raise delete-after or drop cold storage)`,
    );
  }
  return errors;
}

/** The backup settings of an environment, as configuration provides them. */
export interface BackupLifecycleSettings {
  readonly retentionDays: number;
  readonly efsColdStorageAfterDays?: number;
  readonly drCopyRetentionDays: number;
}

/**
 * Validates the environment's backup settings; each problem names the configuration key to fix.
 * EFS recovery points may use cold storage; Aurora rules never do; DR copies stay warm.
 */
export function validateBackupLifecycles(settings: BackupLifecycleSettings): LifecycleProblem[] {
  const problems: LifecycleProblem[] = [];
  const efs = lifecycleErrors(
    "EFS",
    { deleteAfterDays: settings.retentionDays, coldStorageAfterDays: settings.efsColdStorageAfterDays },
    "EFS hourly rule",
  );
  for (const message of efs) {
    problems.push({
      configKey: message.includes("cold-storage-after must")
        ? "backupEfsColdStorageAfterDays"
        : "backupRetentionDays",
      received: settings.retentionDays,
      message,
    });
  }
  for (const message of lifecycleErrors(
    "EFS",
    { deleteAfterDays: settings.drCopyRetentionDays },
    "DR copy",
  )) {
    problems.push({
      configKey: "backupDrCopyRetentionDays",
      received: settings.drCopyRetentionDays,
      message,
    });
  }
  return problems;
}
