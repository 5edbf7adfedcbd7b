/**
 * Day-2 operations (restore, rollout, removal) as sagas: a sequence of steps where each step,
 * once it has done something, registers how to put it back (its compensation) and the line an
 * operator follows by hand when that cannot be done automatically. Whatever happens, `finish`
 * runs the compensations that apply, newest first, and what could not be put back, what is
 * left to clean up and what was kept on purpose come out of the same records: no separate
 * flags, no separate list of notes to keep in step with them.
 *
 * Compensations run on failure only (an undo: put the previous files back) or always
 * (temporary resources: delete the temporary cluster, scale the service back). A compensation
 * without `run` is manual only: its line is reported until a later step settles it.
 */
import { Progress } from "./progress";

/** What the saga ended with, as compensations see it. */
export interface SagaOutcome {
  /** Every step succeeded. */
  readonly succeeded: boolean;
}

/** How to put one step back. */
export interface Compensation {
  /** What the compensation does, as a progress step: "scale the service back to 2". */
  readonly name: string;
  /**
   * Does it. Resolving `false` means it could not finish (the thing is not there yet): its
   * manual line stays. Throwing is reported and leaves the manual line. @default - manual only
   */
  readonly run?: (outcome: SagaOutcome) => Promise<boolean | void>;
  /** What an operator does by hand when `run` cannot (or there is no `run`). */
  readonly manual: string;
  /** "failure": only when the saga fails (an undo); "always": temporary resources. @default "failure" */
  readonly when?: "failure" | "always";
}

/** What `finish` did. */
export interface SagaReport {
  readonly succeeded: boolean;
  /** Names of the compensations that ran to completion, in the order they ran. */
  readonly undone: readonly string[];
  /** Compensations that failed: their name and error message, in the order they ran. */
  readonly failedUndos: readonly { readonly name: string; readonly message: string }[];
  /** Content kept on purpose (previous files, dumps), in the order first recorded. */
  readonly kept: readonly string[];
  /** Manual lines of what is left to do by hand, in the order the steps registered them. */
  readonly leftToCleanUp: readonly string[];
}

/** Options of `finish`. */
export interface FinishOptions {
  /**
   * Skip the undos (failure compensations), reporting their manual lines instead: the operator
   * is stopping everything (Ctrl-C) and must not wait for a revert. Always-compensations run.
   */
  readonly skipUndos?: boolean;
}

interface Registered {
  readonly compensation: Compensation;
  /** Still needed: not settled, not run to completion. */
  open: boolean;
}

/** One run of a saga. */
export class Saga {
  private readonly registered = new Map<string, Registered>();
  private readonly keptLines = new Map<string, string>();
  private sequence = 0;
  private finished?: SagaReport;

  constructor(private readonly progress?: Progress) {}

  /**
   * Runs a step (as a progress step when the saga has a Progress). When it succeeds and
   * `compensate` is given, the compensation it returns for the step's value is registered.
   */
  async step<T>(
    name: string,
    run: () => Promise<T>,
    compensate?: (value: T) => Compensation | undefined,
  ): Promise<T> {
    const value = this.progress ? await this.progress.step(name, run) : await run();
    const compensation = compensate?.(value);
    if (compensation) this.register(`${name}#${this.sequence++}`, compensation);
    return value;
  }

  /**
   * Registers a compensation under `key` (replacing an open one with the same key). Use it
   * before something starts that may half-happen (a restore job, a task), then `settle` it
   * when a later step makes it unnecessary.
   */
  register(key: string, compensation: Compensation): void {
    this.registered.delete(key);
    this.registered.set(key, { compensation, open: true });
  }

  /** The compensation of `key` is no longer needed (done some other way, or no longer true). */
  settle(key: string): void {
    const entry = this.registered.get(key);
    if (entry) entry.open = false;
  }

  /** True while the compensation of `key` is registered and open. */
  isOpen(key: string): boolean {
    return this.registered.get(key)?.open ?? false;
  }

  /** Records (or replaces) content kept on purpose. */
  keep(key: string, line: string): void {
    this.keptLines.set(key, line);
  }

  /** Content of `key` is no longer kept. */
  unkeep(key: string): void {
    this.keptLines.delete(key);
  }

  /**
   * Runs the open compensations that apply, newest first; never throws (a failed compensation
   * leaves its manual line). Later calls return the first report.
   */
  async finish(succeeded: boolean, options: FinishOptions = {}): Promise<SagaReport> {
    if (this.finished) return this.finished;
    const undone: string[] = [];
    const failedUndos: { name: string; message: string }[] = [];
    for (const entry of [...this.registered.values()].reverse()) {
      const { compensation } = entry;
      if (!entry.open || !compensation.run) continue;
      const applies = (compensation.when ?? "failure") === "always" || !succeeded;
      if (!applies) {
        // A failure-only compensation of a saga that succeeded has nothing to put back.
        entry.open = false;
        continue;
      }
      if (compensation.when !== "always" && options.skipUndos) continue;
      const run = compensation.run;
      try {
        const complete = this.progress
          ? await this.progress.step(compensation.name, () => run({ succeeded }))
          : await run({ succeeded });
        if (complete !== false) {
          entry.open = false;
          undone.push(compensation.name);
        }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        failedUndos.push({ name: compensation.name, message });
        this.progress?.info(`${compensation.name} failed: ${message}`);
      }
    }
    // Open failure-only compensations of a successful saga were closed above; what is still
    // open needs an operator.
    const leftToCleanUp = [...this.registered.values()]
      .filter((entry) => entry.open && (succeeded ? entry.compensation.when === "always" : true))
      .map((entry) => entry.compensation.manual);
    this.finished = {
      succeeded,
      undone,
      failedUndos,
      kept: [...this.keptLines.values()],
      leftToCleanUp,
    };
    return this.finished;
  }
}

/** The notes a failed saga's error carries: what was kept, then what is left to clean up. */
export function sagaNotes(report: SagaReport): string[] {
  const notes = report.kept.map((line) => `kept: ${line}`);
  for (const line of report.leftToCleanUp) notes.push(`to clean up: ${line}`);
  if (report.leftToCleanUp.length === 0) notes.push("nothing left to clean up");
  return notes;
}
