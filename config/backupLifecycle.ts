/**
 * AWS Backup lifecycle rules, checked before anything is created.
 *
 * AWS Backup rejects a lifecycle at CreateBackupPlan time when
 *  - a recovery point moves to cold storage and is deleted less than 90 days later (cold
 *    storage has a 90-day minimum), or
 *  - cold storage is asked for a resource type that has none (Aurora has none; EFS does).
 * Seed 002's "cold after 1 day, delete after 7" breaks the first rule.
 *
 * Strictly, the API only checks the 90-day rule and silently ignores a cold-storage setting for
 * resource types without a cold tier; BBWS refuses both, because an ignored setting still
 * stretches the retention (and the bill) to cold-after + 90 days for nothing.
 */

/** Resource types BBWS backs up. */
import { BbwsError } from "../lib/errors";
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

/** The AWS Backup lifecycle rules, by the name errors report them under. */
export type LifecycleRule =
  | "delete-after-whole-days"
  | "cold-storage-after-whole-days"
  | "cold-storage-unsupported"
  | "cold-storage-minimum-stay";

/** One broken lifecycle rule: which rule, where, and a message saying how to fix it. */
export interface LifecycleViolation {
  readonly rule: LifecycleRule;
  /** The backup rule or copy the lifecycle belongs to, e.g. "EFS hourly rule". */
  readonly where: string;
  readonly message: string;
}

/** A lifecycle problem, with the configuration key it came from when there is one. */
export interface LifecycleProblem {
  readonly configKey: string;
  readonly received: unknown;
  readonly message: string;
}

/** Raised before any resource exists when a backup lifecycle breaks an AWS Backup rule. */
export class BackupLifecycleError extends BbwsError {
  constructor(
    readonly component: string,
    readonly violations: readonly LifecycleViolation[],
  ) {
    super(
      "invalidInput",
      `${component}: invalid AWS Backup lifecycle:\n` +
        violations.map((v) => `  - [${v.rule}] ${v.message}`).join("\n"),
    );
  }
}

/**
 * Checks one lifecycle for one resource type. `where` names the rule in messages
 * (e.g. "EFS hourly rule", "DR copy of the Aurora rule").
 */
export function lifecycleViolations(
  resourceType: BackupResourceType,
  lifecycle: Lifecycle,
  where: string,
): LifecycleViolation[] {
  const violations: LifecycleViolation[] = [];
  const broken = (rule: LifecycleRule, message: string) =>
    violations.push({ rule, where, message: `${where}: ${message}` });
  const { deleteAfterDays, coldStorageAfterDays } = lifecycle;
  if (!Number.isInteger(deleteAfterDays) || deleteAfterDays < 1) {
    broken(
      "delete-after-whole-days",
      `delete-after must be a whole number of days >= 1, got ${deleteAfterDays}`,
    );
  }
  if (coldStorageAfterDays === undefined) return violations;
  if (!COLD_STORAGE_SUPPORTED.has(resourceType)) {
    broken(
      "cold-storage-unsupported",
      `${resourceType} recovery points cannot move to cold storage (AWS Backup supports cold storage ` +
        `for EFS, not for Aurora); remove cold-storage-after`,
    );
    return violations;
  }
  if (!Number.isInteger(coldStorageAfterDays) || coldStorageAfterDays < 1) {
    broken(
      "cold-storage-after-whole-days",
      `cold-storage-after must be a whole number of days >= 1, got ${coldStorageAfterDays}`,
    );
  } else if (deleteAfterDays < coldStorageAfterDays + COLD_STORAGE_MINIMUM_DAYS) {
    broken(
      "cold-storage-minimum-stay",
      `delete-after (${deleteAfterDays} days) must be at least cold-storage-after ` +
        `(${coldStorageAfterDays}) + ${COLD_STORAGE_MINIMUM_DAYS} = ${coldStorageAfterDays + COLD_STORAGE_MINIMUM_DAYS} days: ` +
        `AWS Backup keeps a recovery point in cold storage for at least ${COLD_STORAGE_MINIMUM_DAYS} days ` +
        `(raise delete-after or drop cold storage)`,
    );
  }
  return violations;
}

/** The messages of `lifecycleViolations`. */
export function lifecycleErrors(
  resourceType: BackupResourceType,
  lifecycle: Lifecycle,
  where: string,
): string[] {
  return lifecycleViolations(resourceType, lifecycle, where).map((v) => v.message);
}

/** The lifecycles of a backup plan: one per protected resource type, plus the DR copies. */
export interface PlanLifecycles {
  readonly efs: Lifecycle;
  readonly aurora: Lifecycle;
  /** Days the copies in the DR vault are kept (copies stay warm). */
  readonly drCopyRetentionDays: number;
}

/** Every rule the lifecycles of a backup plan break; empty when AWS Backup would accept them. */
export function planLifecycleViolations(lifecycles: PlanLifecycles): LifecycleViolation[] {
  return [
    ...lifecycleViolations("EFS", lifecycles.efs, "EFS hourly rule"),
    ...lifecycleViolations("Aurora", lifecycles.aurora, "Aurora hourly rule"),
    ...lifecycleViolations("EFS", { deleteAfterDays: lifecycles.drCopyRetentionDays }, "DR copy"),
  ];
}

/** Throws a `BackupLifecycleError` naming every broken rule, for `component`. */
export function assertValidPlanLifecycles(component: string, lifecycles: PlanLifecycles): void {
  const violations = planLifecycleViolations(lifecycles);
  if (violations.length > 0) throw new BackupLifecycleError(component, violations);
}

/** The backup settings of an environment, as configuration provides them. */
export interface BackupLifecycleSettings {
  readonly retentionDays: number;
  readonly efsColdStorageAfterDays?: number;
  readonly drCopyRetentionDays: number;
}

/** The plan lifecycles configuration describes: both resource types share the retention. */
export function lifecyclesFromSettings(settings: BackupLifecycleSettings): PlanLifecycles {
  return {
    efs: { deleteAfterDays: settings.retentionDays, coldStorageAfterDays: settings.efsColdStorageAfterDays },
    aurora: { deleteAfterDays: settings.retentionDays },
    drCopyRetentionDays: settings.drCopyRetentionDays,
  };
}

/**
 * Validates the environment's backup settings; each problem names the configuration key to fix.
 * EFS recovery points may use cold storage; Aurora rules never do; DR copies stay warm.
 */
export function validateBackupLifecycles(settings: BackupLifecycleSettings): LifecycleProblem[] {
  // The Aurora rule shares the EFS rule's retention and never has cold storage, so checking it
  // would only repeat the EFS rule's retention problem under the same key.
  const { efs, drCopyRetentionDays } = lifecyclesFromSettings(settings);
  const problems: LifecycleProblem[] = [];
  for (const violation of lifecycleViolations("EFS", efs, "EFS hourly rule")) {
    const coldKey = violation.rule === "cold-storage-after-whole-days";
    problems.push({
      configKey: coldKey ? "backupEfsColdStorageAfterDays" : "backupRetentionDays",
      received: coldKey ? settings.efsColdStorageAfterDays : settings.retentionDays,
      message: violation.message,
    });
  }
  for (const violation of lifecycleViolations("EFS", { deleteAfterDays: drCopyRetentionDays }, "DR copy")) {
    problems.push({
      configKey: "backupDrCopyRetentionDays",
      received: drCopyRetentionDays,
      message: violation.message,
    });
  }
  return problems;
}
