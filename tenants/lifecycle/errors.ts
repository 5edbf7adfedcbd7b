/**
 * Typed errors of the tenant lifecycle, each mapped to an exit code (exitCodes.ts). Errors from
 * the registry, the platform configuration and the Automation API are mapped here too, so a
 * command never exits 0 on a failure and never prints a stack trace for an expected one.
 */
import * as path from "path";
import { ConcurrentUpdateError } from "@pulumi/pulumi/automation";
import { ConfigError } from "../../config/platformConfig";
import { AllocationError } from "../registry/allocate";
import { RegistryError } from "../registry/load";
import { LIFECYCLE_EXIT, LifecycleExitCode } from "./exitCodes";

/** Base class: a message an operator can act on, and its exit code. */
export abstract class LifecycleError extends Error {
  abstract readonly exitCode: LifecycleExitCode;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad command line (exit 2). */
export class UsageError extends LifecycleError {
  readonly exitCode = LIFECYCLE_EXIT.usage;
}

/** The registry, the stack configuration or the platform stack are not usable (exit 3). */
export class InvalidInputError extends LifecycleError {
  readonly exitCode = LIFECYCLE_EXIT.invalidInput;
}

/** A step that could lose data was refused (exit 4): nothing was changed. */
export class SafetyRefusalError extends LifecycleError {
  readonly exitCode = LIFECYCLE_EXIT.refused;
}

/**
 * A stack is still locked after every retry (exit 5). Locks are never cleared automatically:
 * `pulumi cancel` on a live update can leave the stack inconsistent, so the operator checks
 * that no update runs and clears the lock with the printed command.
 */
export class StackLockedError extends LifecycleError {
  readonly exitCode = LIFECYCLE_EXIT.locked;
  /** What the operator runs once sure the lock is stale. */
  readonly cancelCommand: string;

  constructor(
    readonly stackName: string,
    /** Workspace directory the stack is selected in. */
    readonly workDir: string,
    readonly attempts: number,
    /** What Pulumi said about the lock (its owner, when it says so). */
    readonly lockDetail: string,
    options?: { cause?: unknown },
  ) {
    const dir = path.relative(process.cwd(), workDir) || ".";
    const cancelCommand = `(cd ${dir} && pulumi cancel --stack ${stackName})`;
    super(
      `stack ${stackName} is locked by another update (ConcurrentUpdateError after ${attempts} attempt${attempts === 1 ? "" : "s"}): ${lockDetail}\n` +
        `  If no update of ${stackName} is running (a killed CI job or an interrupted run leaves a stale lock), clear the lock and re-run:\n` +
        `    ${cancelCommand}\n` +
        `  The lifecycle never clears a lock itself: cancelling a live update can leave the stack inconsistent.`,
      options,
    );
    this.cancelCommand = cancelCommand;
  }
}

/** The exit code an error maps to. */
export function exitCodeOf(error: unknown): LifecycleExitCode {
  if (error instanceof LifecycleError) return error.exitCode;
  if (error instanceof RegistryError || error instanceof AllocationError || error instanceof ConfigError)
    return LIFECYCLE_EXIT.invalidInput;
  if (error instanceof Error && /does not exist: no stack configuration/.test(error.message))
    return LIFECYCLE_EXIT.invalidInput;
  // A lock error that escaped the retry (a backend without one): still a lock.
  if (error instanceof ConcurrentUpdateError) return LIFECYCLE_EXIT.locked;
  return LIFECYCLE_EXIT.tenantFailed;
}

/**
 * A one-paragraph message for an error. Automation API errors carry the CLI's whole stdout and
 * stderr; the lines with `error:` are what an operator needs (the rest goes to the log file).
 */
export function messageOf(error: unknown): string {
  if (error instanceof LifecycleError || error instanceof RegistryError || error instanceof ConfigError)
    return error.message;
  if (error instanceof ConcurrentUpdateError) return `${lockLine(error)} (pulumi cancel clears a stale lock)`;
  if (error instanceof Error) {
    if (/ENOENT:? pulumi\b/.test(error.message)) {
      return "the Pulumi CLI was not found on PATH: install it (https://www.pulumi.com/docs/iac/download-install/) or run with --offline (the offline engine needs neither Pulumi nor AWS); nothing was changed";
    }
    if (error.name === "CommandError" || error.constructor.name === "CommandError")
      return conciseCommandError(error);
    return error.message;
  }
  return String(error);
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

function conciseCommandError(error: Error): string {
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
