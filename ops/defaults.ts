/**
 * Defaults of the day-2 operations, in a module of their own: `--help` prints them without
 * loading the AWS SDK.
 */

/** Backup waits (seed 002: 300 s for EFS, 600 s for Aurora) and the DR copy wait. */
export const BACKUP_DEFAULTS = {
  efsTimeoutSeconds: 300,
  auroraTimeoutSeconds: 600,
  pollIntervalSeconds: 15,
  copyTimeoutSeconds: 3600,
} as const;

/** Time limits of a restore, in seconds. */
export interface RestoreTimeouts {
  readonly efsRestore: number;
  readonly auroraRestore: number;
  readonly temporaryInstance: number;
  /** The service stopping its tasks (stopTimeout 110 s plus the target group's deregistration). */
  readonly drain: number;
  readonly swap: number;
  readonly databaseCopy: number;
  /** The service stable again after the restore (seed 002: 300 s). */
  readonly stable: number;
}

/** Defaults of RestoreTimeouts. */
export const RESTORE_TIMEOUTS: RestoreTimeouts = {
  efsRestore: 3600,
  auroraRestore: 3600,
  temporaryInstance: 1800,
  drain: 600,
  swap: 1800,
  databaseCopy: 3600,
  stable: 300,
};

/** Seconds between status checks of a restore. */
export const RESTORE_POLL_INTERVAL_SECONDS = 15;
