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

/** Verified onboarding (`tenants add/sync --verify-timeout`): all steps together, checks every 15 s, 10 s per HTTPS request. */
export const VERIFY_DEFAULTS = {
  timeoutSeconds: 600,
  intervalSeconds: 15,
  requestTimeoutSeconds: 10,
} as const;

/**
 * How long add/sync wait for ACM to issue a certificate the customer validates
 * (`--certificate-wait`): 0, ask once; the customer rarely has the records in place yet.
 */
export const CERTIFICATE_WAIT_DEFAULTS = { timeoutSeconds: 0, intervalSeconds: 15 } as const;
