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
import { messageOf } from "./errors";
import { Progress } from "./progress";

/** What the saga ended with, as compensations see it. */
export interface SagaOutcome {
  /** Every step succeeded. */
  readonly succeeded: boolean;
}

/** When a compensation applies. */
export type CompensationWhen = "failure" | "always";

/** How to put one step back. */
export interface Compensation {
  /**
   * What the compensation does, as a progress step: "scale the service back to 2". A function
   * when it depends on the outcome ("... with a new deployment" only after a success).
   */
  readonly name: string | ((outcome: SagaOutcome) => string);
  /**
   * Does it. Resolving `false` means it could not finish (the thing is not there yet): its
   * manual line stays. Throwing is reported and leaves the manual line. @default - manual only
   */
  readonly run?: (outcome: SagaOutcome) => Promise<boolean | void>;
  /** What an operator does by hand when `run` cannot (or there is no `run`). */
  readonly manual: string;
  /** "failure": only when the saga fails (an undo); "always": temporary resources. @default "failure" */
  readonly when?: CompensationWhen;
  /**
   * How the manual line is reported while the compensation is left open: as something to clean
   * up, or, for an undo of content that an operator must judge (previous files that could not
   * be put back), as content kept, in place of what `keep` recorded under the same key.
   * @default "cleanup"
   */
  readonly leftAs?: "cleanup" | "kept";
}

/** A compensation that ran and failed. */
export interface FailedUndo {
  readonly name: string;
  readonly message: string;
  /** Whether it was an undo ("failure") or the clean-up of something temporary ("always"). */
  readonly when: CompensationWhen;
}

/** What `finish` did. */
export interface SagaReport {
  readonly succeeded: boolean;
  /** Names of the compensations that ran to completion, in the order they ran. */
  readonly undone: readonly string[];
  /** Compensations that failed, in the order they ran. */
  readonly failedUndos: readonly FailedUndo[];
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
  private readonly entries = new Map<string, Registered>();
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
   * Registers a compensation under `key`. Use it before something starts that may half-happen
   * (a restore job, a task), then `settle` it when a later step makes it unnecessary. Replacing
   * an open one (the same thing, further along) keeps its place in the order; a settled key
   * registered again is a new thing and goes last.
   */
  register(key: string, compensation: Compensation): void {
    if (!this.entries.get(key)?.open) this.entries.delete(key);
    this.entries.set(key, { compensation, open: true });
  }

  /** The compensation of `key` is no longer needed (done some other way, or no longer true). */
  settle(key: string): void {
    const entry = this.entries.get(key);
    if (entry) entry.open = false;
  }

  /** True while the compensation of `key` is registered and open (after `finish`: left undone). */
  isOpen(key: string): boolean {
    return this.entries.get(key)?.open ?? false;
  }

  /** True once a compensation was registered under `key`, open or not. */
  registered(key: string): boolean {
    return this.entries.has(key);
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
    const outcome: SagaOutcome = { succeeded };
    const undone: string[] = [];
    const failedUndos: FailedUndo[] = [];
    for (const entry of [...this.entries.values()].reverse()) {
      const { compensation } = entry;
      const when = compensation.when ?? "failure";
      if (!entry.open) continue;
      if (when === "failure" && succeeded) {
        // An undo of a saga that succeeded has nothing to put back.
        entry.open = false;
        continue;
      }
      if (!compensation.run || (when === "failure" && options.skipUndos)) continue;
      const run = compensation.run;
      const name = typeof compensation.name === "function" ? compensation.name(outcome) : compensation.name;
      try {
        const complete = this.progress
          ? await this.progress.step(name, () => run(outcome))
          : await run(outcome);
        if (complete !== false) {
          entry.open = false;
          undone.push(name);
        }
      } catch (error) {
        const message = messageOf(error);
        failedUndos.push({ name, message, when });
        this.progress?.info(`${name} failed: ${message}`);
      }
    }
    const kept = new Map(this.keptLines);
    const leftToCleanUp: string[] = [];
    for (const [key, { compensation, open }] of this.entries) {
      if (!open) continue;
      if (compensation.leftAs === "kept") kept.set(key, compensation.manual);
      else leftToCleanUp.push(compensation.manual);
    }
    this.finished = { succeeded, undone, failedUndos, kept: [...kept.values()], leftToCleanUp };
    return this.finished;
  }
}

/**
 * The notes a failed saga's error carries: the undos that failed (the content is not where the
 * operator would expect it, so the reason matters), what was kept, then what is left to clean
 * up. A failed clean-up of something temporary is told by its manual line alone; its reason is
 * in the progress log.
 */
export function sagaNotes(report: SagaReport): string[] {
  const notes = report.failedUndos
    .filter((undo) => undo.when === "failure")
    .map((undo) => `could not ${undo.name}: ${undo.message}`);
  for (const line of report.kept) notes.push(`kept: ${line}`);
  for (const line of report.leftToCleanUp) notes.push(`to clean up: ${line}`);
  if (report.leftToCleanUp.length === 0) notes.push("nothing left to clean up");
  return notes;
}
