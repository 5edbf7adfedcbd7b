/**
 * Defaults of the lifecycle's commands, in a module of their own: `--help` prints them without
 * loading the Automation API or the tenant program.
 */

/** Tenant operations at once: each real one needs ~0.5-1 GB of memory (the AWS provider). */
export const DEFAULT_CONCURRENCY = 4;

/** Attempts on a locked stack before giving up (lockRetry.ts backs off between them). */
export const DEFAULT_LOCK_ATTEMPTS = 5;

/** Rollout defaults: one canary, waves of 5, 300 s per deployment (seed 000), checks every 15 s. */
export const ROLLOUT_DEFAULTS = { canary: 1, waveSize: 5, timeoutSeconds: 300, intervalSeconds: 15 } as const;
