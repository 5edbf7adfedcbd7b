/**
 * AWS Backup Vault Lock: stops anyone, the root user included, from deleting recovery points
 * or shortening their retention before it ends.
 *
 * The mode is not a parameter of the API; it follows from ChangeableForDays:
 *  - governance (ChangeableForDays omitted): the lock holds, but a principal allowed
 *    `backup:DeleteBackupVaultLockConfiguration` can change or remove it at any time. Protects
 *    against mistakes and compromised workload roles, not against an account administrator.
 *  - compliance (ChangeableForDays >= 3): the lock can be changed or removed only during that
 *    grace time (AWS enforces a 72-hour minimum); from the lock date on it is immutable, and
 *    the vault cannot be deleted while it holds recovery points. There is no way back.
 */

/** How a vault is locked. */
export type VaultLockMode = "governance" | "compliance";

/** AWS's shortest grace time before a compliance lock becomes immutable. */
export const MINIMUM_COMPLIANCE_GRACE_DAYS = 3;
/** A week to notice a wrong compliance lock before it can no longer be undone. */
export const DEFAULT_COMPLIANCE_GRACE_DAYS = 7;

/** Arguments of `aws.backup.VaultLockConfiguration` for one vault. */
export interface VaultLockSettings {
  /** Jobs writing recovery points kept shorter than this into the vault fail. */
  readonly minRetentionDays: number;
  /** Set only in compliance mode. */
  readonly changeableForDays?: number;
}

/** The problem with a lock request, or undefined when AWS would accept it. */
export function vaultLockProblem(mode: VaultLockMode, graceDays: number | undefined): string | undefined {
  if (mode === "governance") {
    return graceDays === undefined
      ? undefined
      : `a grace time (${graceDays} days) applies to compliance locks only; governance locks stay changeable`;
  }
  const days = graceDays ?? DEFAULT_COMPLIANCE_GRACE_DAYS;
  if (!Number.isInteger(days) || days < MINIMUM_COMPLIANCE_GRACE_DAYS) {
    return (
      `a compliance lock's grace time must be a whole number of days >= ${MINIMUM_COMPLIANCE_GRACE_DAYS} ` +
      `(AWS Backup's 72-hour cooling-off period), got ${days}`
    );
  }
  return undefined;
}

/**
 * The lock of a vault whose recovery points are kept `retentionDays` at least: the lock's
 * minimum retention is that, so the plan's own jobs pass and shorter ones (a mistyped
 * on-demand job) fail. No maximum: an operator may keep a recovery point longer.
 */
export function vaultLockSettings(
  mode: VaultLockMode,
  retentionDays: number,
  graceDays?: number,
): VaultLockSettings {
  return mode === "compliance"
    ? { minRetentionDays: retentionDays, changeableForDays: graceDays ?? DEFAULT_COMPLIANCE_GRACE_DAYS }
    : { minRetentionDays: retentionDays };
}
