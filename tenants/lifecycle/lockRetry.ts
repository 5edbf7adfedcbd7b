/**
 * Retries of stack operations that hit a lock. `ConcurrentUpdateError` covers Pulumi Cloud's
 * 409 ("Another update is currently in progress") and a DIY backend's "the stack is currently
 * locked by": the operation did not start, so it is safe to try again. Retries back off
 * exponentially with jitter (parallel runs must not retry in lock-step); when the lock outlives
 * every attempt, StackLockedError names it and prints the command that clears it. Locks are
 * never cleared here (pulumi/pulumi#2073: the CLI cannot tell a stale lock from a live one).
 */
import * as path from "path";
import { BbwsError, lockLine } from "../../lib/errors";
import { DEFAULT_LOCK_ATTEMPTS } from "./defaults";

/**
 * A stack is still locked after every retry (kind "busy"). Locks are never cleared
 * automatically: `pulumi cancel` on a live update can leave the stack inconsistent, so the
 * operator checks that no update runs and clears the lock with the printed command.
 */
export class StackLockedError extends BbwsError {
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
      "busy",
      `stack ${stackName} is locked by another update (ConcurrentUpdateError after ${attempts} attempt${attempts === 1 ? "" : "s"}): ${lockDetail}\n` +
        `  If no update of ${stackName} is running (a killed CI job or an interrupted run leaves a stale lock), clear the lock and re-run:\n` +
        `    ${cancelCommand}\n` +
        `  The lifecycle never clears a lock itself: cancelling a live update can leave the stack inconsistent.`,
      options,
    );
    this.cancelCommand = cancelCommand;
  }
}

/** How lock errors are retried. */
export interface LockRetryPolicy {
  /** Attempts in all, the first included. @default 5 */
  readonly maxAttempts: number;
  /** Delay before the second attempt; doubles each time. @default 2000 */
  readonly baseDelayMs: number;
  /** Longest delay between attempts. @default 30000 */
  readonly maxDelayMs: number;
  /** Waits; tests pass one that does not. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** [0, 1) source of jitter. @default Math.random */
  readonly random?: () => number;
}

/** Five attempts over about a minute: long enough for a short update of another operator. */
export const DEFAULT_LOCK_RETRY: LockRetryPolicy = {
  maxAttempts: DEFAULT_LOCK_ATTEMPTS,
  baseDelayMs: 2000,
  maxDelayMs: 30000,
};

/** The stack an operation is about, for the error message. */
export interface LockedStack {
  readonly stackName: string;
  readonly workDir: string;
}

/**
 * Delay before attempt `attempt + 1`: "equal jitter", half of the exponential cap plus a random
 * part of the other half, so waits never collapse to zero and never align across tenants.
 */
export function backoffDelay(
  attempt: number,
  policy: LockRetryPolicy,
  random: () => number = Math.random,
): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(cap / 2 + random() * (cap / 2));
}

/** Runs `operation`, retrying it while the stack is locked. */
export async function withLockRetry<T>(
  stack: LockedStack,
  operation: () => Promise<T>,
  policy: LockRetryPolicy = DEFAULT_LOCK_RETRY,
): Promise<T> {
  const sleep = policy.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!isConcurrentUpdateError(error)) throw error;
      if (attempt >= policy.maxAttempts) {
        throw new StackLockedError(stack.stackName, stack.workDir, attempt, lockLine(error), {
          cause: error,
        });
      }
      await sleep(backoffDelay(attempt, policy, policy.random));
    }
  }
}

/**
 * A lock error of the Automation API, told by name: importing its class would load the Pulumi
 * SDK into every command, `--help` included.
 */
export function isConcurrentUpdateError(error: unknown): error is Error {
  return error instanceof Error && error.name === "ConcurrentUpdateError";
}
