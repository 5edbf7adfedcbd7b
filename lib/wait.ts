/**
 * The one place ops waits: poll a check until it says done, with a deadline and an optional
 * abort signal. Every job, task and deployment wait goes through `pollUntil`, so timeouts and
 * Ctrl-C behave the same everywhere and tests drive all of them with fake timers.
 */
import { BbwsError } from "./errors";

/** What one check found: done with a value, or not yet (with the status seen, for messages). */
export type PollResult<T> =
  { readonly done: true; readonly value: T } | { readonly done: false; readonly status?: string };

/** A check's "done, with this value". */
export const done = <T>(value: T): PollResult<T> => ({ done: true, value });
/** A check's "not yet", with the status seen. */
export const pending = (status?: string): PollResult<never> => ({ done: false, status });

/** How to poll. */
export interface PollOptions<T> {
  /** What is awaited, for messages: `EFS backup job 1234`. */
  readonly what: string;
  /** Give up after this many seconds (the check runs one last time at the deadline). */
  readonly timeoutSeconds: number;
  /** Seconds between checks. */
  readonly intervalSeconds: number;
  /** Stops waiting with an "interrupted" BbwsError. @default - never aborted */
  readonly signal?: AbortSignal;
  /** Added to the timeout message: what keeps running, what to do next. */
  readonly onTimeout?: string;
  /** One check. Throwing ends the wait with that error. */
  readonly check: () => Promise<PollResult<T>>;
}

/** Polls `check` until it reports done; a "timeout" BbwsError when the deadline passes. */
export async function pollUntil<T>(options: PollOptions<T>): Promise<T> {
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  for (;;) {
    throwIfAborted(options.signal, options.what);
    const result = await options.check();
    if (result.done) return result.value;
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      const status = result.status ? ` (still ${result.status})` : "";
      const hint = options.onTimeout ? `; ${options.onTimeout}` : "";
      throw new BbwsError(
        "timeout",
        `${options.what} did not finish within ${options.timeoutSeconds} s${status}${hint}`,
      );
    }
    await sleep(Math.min(options.intervalSeconds * 1000, remaining), options.signal, options.what);
  }
}

/** Resolves after `ms`; rejects with an "interrupted" BbwsError as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal, what = "wait"): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(aborted(what));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted(what));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw aborted(what);
}

function aborted(what: string): BbwsError {
  return new BbwsError("interrupted", `interrupted while waiting for ${what}`);
}

/**
 * Runs waits side by side and fails as soon as one fails: the others are aborted rather than
 * left polling to their own deadlines. The first real error wins over the aborts it caused.
 */
export async function waitAll<T>(
  waits: readonly ((signal: AbortSignal) => Promise<T>)[],
  parent?: AbortSignal,
): Promise<T[]> {
  const controller = new AbortController();
  const forward = () => controller.abort();
  if (parent?.aborted) controller.abort();
  parent?.addEventListener("abort", forward, { once: true });
  const failures: unknown[] = [];
  try {
    const settled = await Promise.allSettled(
      waits.map((wait) =>
        wait(controller.signal).catch((error: unknown) => {
          failures.push(error);
          controller.abort();
          throw error;
        }),
      ),
    );
    // The first failure is the cause; later ones are the aborts it triggered.
    if (failures.length > 0) throw toError(failures[0]);
    return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
  } finally {
    parent?.removeEventListener("abort", forward);
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
