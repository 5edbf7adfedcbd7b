/**
 * Typed errors of the day-2 operations, one per failure an operator must tell apart, each with
 * its own process exit code (seed 002's taxonomy: invalid tenant, not found, already running,
 * invalid restore target, timeout, unexpected). Scripts branch on the exit code; people read
 * the message and the notes (what was left behind and where).
 *
 * | exit | error                     | meaning                                                     |
 * |------|---------------------------|-------------------------------------------------------------|
 * | 0    | -                         | success                                                     |
 * | 1    | UnexpectedError           | anything else: an AWS error, a failed job or task           |
 * | 2    | UsageError                | bad arguments or options                                    |
 * | 3    | InvalidTenantError        | the tenant is not in `tenants/<env>.yaml`                   |
 * | 4    | NotFoundError             | no such recovery point (or none at the requested time)      |
 * | 5    | AlreadyRunningError       | a backup job of the same resource is already running        |
 * | 6    | InvalidRestoreTargetError | the recovery point cannot restore this tenant               |
 * | 7    | OperationTimeoutError     | a job, task or deployment did not finish in time            |
 * | 8    | ConfigurationError        | invalid registry, missing stack, platform outputs too old   |
 * | 130  | OperationAbortedError     | interrupted (Ctrl-C) after putting the site back            |
 */

/** Process exit codes, by error kind. */
export const EXIT_CODES = {
  success: 0,
  unexpected: 1,
  usage: 2,
  invalidTenant: 3,
  notFound: 4,
  alreadyRunning: 5,
  invalidRestoreTarget: 6,
  timeout: 7,
  configuration: 8,
  aborted: 130,
} as const;

/** Base class: a message an operator can act on, an exit code, and notes printed after it. */
export abstract class OpsError extends Error {
  abstract readonly exitCode: number;
  /** Lines printed under the message: what is left to clean up, where content was kept. */
  readonly notes: string[] = [];

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad command-line arguments or options. */
export class UsageError extends OpsError {
  readonly exitCode = EXIT_CODES.usage;
}

/** The tenant is not in the environment's registry. */
export class InvalidTenantError extends OpsError {
  readonly exitCode = EXIT_CODES.invalidTenant;
}

/** A recovery point does not exist (or none matches the requested time). */
export class NotFoundError extends OpsError {
  readonly exitCode = EXIT_CODES.notFound;
}

/** A backup job of the same resource is already running (or another deployment is). */
export class AlreadyRunningError extends OpsError {
  readonly exitCode = EXIT_CODES.alreadyRunning;
}

/** The recovery point exists but cannot restore this tenant (other resource, not completed...). */
export class InvalidRestoreTargetError extends OpsError {
  readonly exitCode = EXIT_CODES.invalidRestoreTarget;
}

/** Something AWS runs did not finish within its time limit. */
export class OperationTimeoutError extends OpsError {
  readonly exitCode = EXIT_CODES.timeout;
}

/** The registry, a stack or the platform outputs are not what ops needs. */
export class ConfigurationError extends OpsError {
  readonly exitCode = EXIT_CODES.configuration;
}

/** The operator interrupted the command. */
export class OperationAbortedError extends OpsError {
  readonly exitCode = EXIT_CODES.aborted;
}

/**
 * A deployment the circuit breaker rolled back: the service runs its previous task definition
 * again although the update "succeeded" (pulumi-aws#4487). Exit 1, like other failed deployments.
 */
export class RollbackDetectedError extends OpsError {
  readonly exitCode = EXIT_CODES.unexpected;
}

/** Anything else: AWS API errors, failed jobs, failed one-off tasks. */
export class UnexpectedError extends OpsError {
  readonly exitCode = EXIT_CODES.unexpected;
}

/**
 * Turns anything thrown into an OpsError. AWS SDK errors keep their error name (e.g.
 * `AccessDeniedException`) in the message: that is what an operator searches for.
 */
export function toOpsError(error: unknown): OpsError {
  if (error instanceof OpsError) return error;
  if (error instanceof Error) {
    const name = error.name && error.name !== "Error" ? `${error.name}: ` : "";
    return new UnexpectedError(`${name}${error.message}`, { cause: error });
  }
  return new UnexpectedError(String(error));
}

/** The AWS error name of an SDK exception (`ResourceNotFoundException`...), if it is one. */
export function awsErrorName(error: unknown): string | undefined {
  return error instanceof Error && error.name !== "Error" ? error.name : undefined;
}

/** `value`, or UnexpectedError with `message` when AWS left it out. */
export function requireValue<T>(value: T | undefined | null, message: string): T {
  if (value === undefined || value === null || value === "") throw new UnexpectedError(message);
  return value;
}
