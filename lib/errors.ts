/**
 * The one error type of BBWS. Every failure an operator must tell apart is a `BbwsError` of a
 * kind from the exit-code table (exitCodes.ts): its message says what was wrong and what to do,
 * its notes what was left behind and where. Errors that carry structured data (a registry's
 * problems, a lock's `pulumi cancel` command, a stack run's failures) extend it.
 *
 * `toBbwsError` turns anything else thrown (AWS SDK errors, Automation API errors) into one.
 * It recognizes Pulumi's errors by name, not class, so that this module (loaded by `--help`)
 * does not load the Pulumi SDK.
 */
import { FailureKind, exitCodeOf } from "./exitCodes";

/** A failure with its kind, a message an operator can act on, and notes printed under it. */
export class BbwsError extends Error {
  /** Lines printed under the message: what is left to clean up, where content was kept. */
  readonly notes: string[];

  constructor(
    readonly kind: FailureKind,
    message: string,
    options: { readonly cause?: unknown; readonly notes?: readonly string[] } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.notes = [...(options.notes ?? [])];
  }

  /** The process exit code of this error's kind. */
  get exitCode(): number {
    return exitCodeOf(this.kind);
  }
}

/**
 * A deployment the circuit breaker rolled back: ECS runs the previous task definition again
 * although the update "succeeded" (pulumi-aws#4487).
 */
export class RollbackDetectedError extends BbwsError {
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super("failed", message, options);
  }
}

/** The Pulumi CLI is not on PATH. */
export const PULUMI_CLI_MISSING =
  "the Pulumi CLI was not found on PATH: install it (https://www.pulumi.com/docs/iac/download-install/), " +
  "or run with --offline (the offline engine needs neither Pulumi nor AWS)";

/** Turns anything thrown into a BbwsError (see the file comment). */
export function toBbwsError(error: unknown): BbwsError {
  if (error instanceof BbwsError) return error;
  if (!(error instanceof Error)) return new BbwsError("failed", String(error));
  if (isPulumiCliMissing(error)) return new BbwsError("prerequisite", PULUMI_CLI_MISSING, { cause: error });
  switch (error.name) {
    case "ConcurrentUpdateError":
      return new BbwsError("busy", `${lockLine(error)} (pulumi cancel clears a stale lock)`, {
        cause: error,
      });
    case "StackNotFoundError":
      return new BbwsError("notFound", conciseCommandError(error), { cause: error });
    case "CommandError":
      return new BbwsError("failed", conciseCommandError(error), { cause: error });
    case "CredentialsProviderError":
    case "ExpiredTokenException":
      return new BbwsError("prerequisite", `AWS credentials: ${error.message}`, { cause: error });
    default: {
      // AWS SDK errors keep their name (AccessDeniedException...): what an operator searches for.
      const name = error.name && error.name !== "Error" ? `${error.name}: ` : "";
      return new BbwsError("failed", `${name}${error.message}`, { cause: error });
    }
  }
}

/** The message of anything thrown, as an operator reads it. */
export function messageOf(error: unknown): string {
  return toBbwsError(error).message;
}

/** The AWS error name of an SDK exception (`ResourceNotFoundException`...), if it is one. */
export function awsErrorName(error: unknown): string | undefined {
  return error instanceof Error && error.name !== "Error" ? error.name : undefined;
}

/** `value`, or a failure with `message` when AWS left it out. */
export function requireValue<T>(value: T | undefined | null, message: string): T {
  if (value === undefined || value === null || value === "") throw new BbwsError("failed", message);
  return value;
}

/** True when a spawn of the Pulumi CLI failed because it is not installed. */
export function isPulumiCliMissing(error: Error): boolean {
  return /(spawn|ENOENT:?) pulumi\b|pulumi ENOENT|ENOENT[^\n]*pulumi/.test(error.message);
}

/** The line of a ConcurrentUpdateError that says who holds the lock. */
export function lockLine(error: Error): string {
  const lines = error.message.split("\n").map((l) => l.trim());
  return (
    lines.find((l) => /currently locked by|409\] Conflict|update is currently in progress/i.test(l)) ??
    lines.find((l) => l.length > 0) ??
    "the stack is locked"
  );
}

/**
 * Automation API errors carry the CLI's whole stdout and stderr; the lines with `error:` are
 * what an operator needs (the rest goes to the log file).
 */
export function conciseCommandError(error: Error): string {
  const errors = error.message
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => /\berror:/i.test(l))
    .map((l) => l.slice(l.search(/\berror:/i)));
  const unique = [...new Set(errors)].slice(0, 3);
  return unique.length > 0
    ? unique.join(" | ")
    : (error.message.split("\n").find((l) => l.trim()) ?? "failed");
}
