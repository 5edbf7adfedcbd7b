/**
 * Runs one operation per tenant stack with bounded concurrency. A failing tenant never stops
 * the others: every task ends with a result (ok, failed, refused, locked, skipped, cancelled),
 * its duration and a message, and the run's exit code is derived from all of them.
 */
import pLimit from "p-limit";
import { ChangeCounts } from "./backend";
import { ExitKind, combineKinds, exitCodeOf } from "../../lib/exitCodes";
import { toBbwsError } from "../../lib/errors";
import { ProgressView, TenantState } from "./progress";

/** What a task does to its stack. */
export type Operation = "create" | "update" | "preview" | "remove" | "purge" | "prune" | "orphan";

/** How a task ended. */
export type ResultKind = "ok" | "pending" | "failed" | "refused" | "locked" | "skipped" | "cancelled";

/** What a successful task reports. */
export interface TaskOutcome {
  /** One line for the summary table. */
  readonly message?: string;
  readonly changes?: ChangeCounts;
  /** Lines printed under the table: what was kept, where the backup is. */
  readonly details?: readonly string[];
  /**
   * Done, but waiting for someone else (the customer's DNS for a certificate): the result is
   * `pending`, exit code 14. @default false
   */
  readonly pending?: boolean;
}

/** One tenant's work. */
export interface FleetTask {
  readonly tenantId: string;
  readonly stack: string;
  readonly operation: Operation;
  /** Does the work, announcing each phase with `step`. */
  run(
    step: (state: Exclude<TenantState, "queued" | "done" | "failed">) => void,
    signal?: AbortSignal,
  ): Promise<TaskOutcome>;
}

/** How one tenant's task ended. */
export interface FleetResult {
  readonly tenantId: string;
  readonly stack: string;
  readonly operation: Operation;
  readonly result: ResultKind;
  readonly durationMs: number;
  readonly message: string;
  readonly changes?: ChangeCounts;
  readonly details?: readonly string[];
  /** How it ended, in the exit-code table's terms. */
  readonly kind: ExitKind;
}

/** How to run a fleet. */
export interface FleetOptions {
  /** Tasks running at once (>= 1). */
  readonly concurrency: number;
  readonly progress: ProgressView;
  /** Once aborted, queued tasks are not started (they end "cancelled"). */
  readonly signal?: AbortSignal;
  /** @default Date.now */
  readonly now?: () => number;
  /** Stop the progress view when done; a command running several fleets keeps it. @default true */
  readonly stopProgress?: boolean;
}

/** Fleet options from a command's context. */
export function fleetOptions(context: {
  readonly concurrency: number;
  readonly progress: ProgressView;
  readonly signal?: AbortSignal;
  readonly now?: () => number;
}): FleetOptions {
  return {
    concurrency: context.concurrency,
    progress: context.progress,
    signal: context.signal,
    now: context.now,
  };
}

/** Runs every task; resolves with one result per task, in task order. Never rejects. */
export async function runFleet(tasks: readonly FleetTask[], options: FleetOptions): Promise<FleetResult[]> {
  const now = options.now ?? Date.now;
  const limit = pLimit(Math.max(1, options.concurrency));
  for (const task of tasks) options.progress.update(task.stack, "queued");
  const base = (task: FleetTask) => ({
    tenantId: task.tenantId,
    stack: task.stack,
    operation: task.operation,
  });
  try {
    return await Promise.all(
      tasks.map((task) =>
        limit(async (): Promise<FleetResult> => {
          if (options.signal?.aborted) {
            options.progress.update(task.stack, "failed", "cancelled before it started");
            return {
              ...base(task),
              result: "cancelled",
              durationMs: 0,
              message: "cancelled before it started",
              kind: "failed",
            };
          }
          const started = now();
          try {
            const outcome = await task.run(
              (state) => options.progress.update(task.stack, state),
              options.signal,
            );
            options.progress.update(task.stack, "done", outcome.message);
            return {
              ...base(task),
              result: outcome.pending ? "pending" : "ok",
              durationMs: now() - started,
              message: outcome.message ?? "",
              changes: outcome.changes,
              details: outcome.details,
              kind: outcome.pending ? "pending" : "ok",
            };
          } catch (error) {
            const failure = toBbwsError(error);
            options.progress.update(task.stack, "failed", failure.message);
            return {
              ...base(task),
              result: resultKind(failure.kind),
              durationMs: now() - started,
              message: failure.message,
              kind: failure.kind,
            };
          }
        }),
      ),
    );
  } finally {
    if (options.stopProgress ?? true) options.progress.stop();
  }
}

/** A result for a stack nothing was done to (an orphan kept without --prune). */
export function skipped(tenantId: string, stack: string, operation: Operation, message: string): FleetResult {
  return {
    tenantId,
    stack,
    operation,
    result: "skipped",
    durationMs: 0,
    message,
    kind: "ok",
  };
}

/** How a fleet run ends: the kind that needs an operator most (see lib/exitCodes.ts). */
export function fleetKind(results: readonly FleetResult[]): ExitKind {
  return combineKinds(results.map((r) => r.kind));
}

/** The process exit code of a fleet run. */
export function fleetExitCode(results: readonly FleetResult[]): number {
  return exitCodeOf(fleetKind(results));
}

function resultKind(kind: ExitKind): ResultKind {
  if (kind === "refused") return "refused";
  if (kind === "busy") return "locked";
  return "failed";
}
