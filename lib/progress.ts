/**
 * Progress lines for operators (stderr): every step with the time since the command started
 * and how long the step took, so a slow restore shows where its time went.
 */

/** Where progress lines go (stderr in the CLI, an array in tests). */
export type LogLine = (line: string) => void;

/** The duration of one finished step. */
export interface StepTiming {
  readonly name: string;
  readonly seconds: number;
  readonly ok: boolean;
}

/** Step logger of one command run. */
export interface Progress {
  /** Runs `run` as a named step, logging its start, its end and its duration. */
  step<T>(name: string, run: () => Promise<T>): Promise<T>;
  /** A plain line (a decision, a value worth seeing). */
  info(line: string): void;
  /** Every finished step, in order. */
  readonly steps: readonly StepTiming[];
}

/** A Progress writing to `log`; the clock starts now. */
export function createProgress(log: LogLine): Progress {
  const started = Date.now();
  const steps: StepTiming[] = [];
  const stamp = () => `[+${formatDuration((Date.now() - started) / 1000)}]`;
  return {
    steps,
    info: (line) => log(`${stamp()} ${line}`),
    async step<T>(name: string, run: () => Promise<T>): Promise<T> {
      const begin = Date.now();
      log(`${stamp()} ${name} ...`);
      try {
        const value = await run();
        const seconds = (Date.now() - begin) / 1000;
        steps.push({ name, seconds, ok: true });
        log(`${stamp()} ${name}: done in ${seconds.toFixed(1)} s`);
        return value;
      } catch (error) {
        const seconds = (Date.now() - begin) / 1000;
        steps.push({ name, seconds, ok: false });
        log(`${stamp()} ${name}: FAILED after ${seconds.toFixed(1)} s`);
        throw error;
      }
    },
  };
}

/** `mm:ss`, or `h:mm:ss` past an hour. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.floor(totalSeconds);
  const pad = (n: number) => String(n).padStart(2, "0");
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = s % 60;
  return hours > 0 ? `${hours}:${pad(minutes)}:${pad(seconds)}` : `${pad(minutes)}:${pad(seconds)}`;
}
