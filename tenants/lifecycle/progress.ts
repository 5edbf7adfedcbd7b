/**
 * Live progress of a fleet run, one line per tenant stack: its state and the time it has been
 * at work. On a terminal the block is redrawn in place (log-update) and its clocks tick every
 * second; otherwise (CI logs, pipes) every state change is one plain line, nothing is redrawn.
 */
import logUpdate from "log-update";
import { formatDuration } from "../../lib/progress";

/** Where a tenant stack is in its operation. */
export type TenantState =
  | "queued"
  | "backing up"
  | "previewing"
  | "updating"
  | "confirming"
  | "reverting"
  | "destroying"
  | "removing"
  | "deleting files"
  | "done"
  | "failed";

/** Receives state changes of the tenants of one run. */
export interface ProgressView {
  /** `key` (a stack name) entered `state`; `detail` is shown beside it (a result, an error). */
  update(key: string, state: TenantState, detail?: string): void;
  /** The run is over: stop redrawing (the last frame stays on screen). */
  stop(): void;
}

/** A stream progress is written to. */
export interface ProgressStream {
  write(text: string): unknown;
}

/** How to show progress. */
export interface ProgressViewOptions {
  readonly stream: ProgressStream;
  /** Redraw in place (a terminal) or write one line per change. */
  readonly tty: boolean;
  /** @default Date.now */
  readonly now?: () => number;
}

/** Shows nothing (tests, `--json` with nothing to show). */
export const silentProgress: ProgressView = { update: () => undefined, stop: () => undefined };

/** A view for the stream: live on a terminal, plain lines otherwise. */
export function createProgressView(options: ProgressViewOptions): ProgressView {
  return options.tty ? new LiveView(options) : new LineView(options);
}

interface Row {
  state: TenantState;
  detail?: string;
  startedAt?: number;
  endedAt?: number;
}

const FINISHED: ReadonlySet<TenantState> = new Set(["done", "failed"]);

abstract class RowsView implements ProgressView {
  protected readonly rows = new Map<string, Row>();
  protected readonly now: () => number;

  constructor(options: ProgressViewOptions) {
    this.now = options.now ?? Date.now;
  }

  update(key: string, state: TenantState, detail?: string): void {
    const previous = this.rows.get(key);
    if (previous && previous.state === state && previous.detail === detail) return;
    const row = previous ?? { state };
    const time = this.now();
    if (state !== "queued" && row.startedAt === undefined) row.startedAt = time;
    if (FINISHED.has(state)) row.endedAt = time;
    row.state = state;
    row.detail = detail;
    this.rows.set(key, row);
    this.changed(key, row);
  }

  abstract stop(): void;
  protected abstract changed(key: string, row: Row): void;

  protected elapsed(row: Row): string {
    if (row.startedAt === undefined) return "";
    return formatDuration(((row.endedAt ?? this.now()) - row.startedAt) / 1000);
  }
}

/** Redraws every tenant's line in place. */
class LiveView extends RowsView {
  private readonly draw: logUpdate.LogUpdate;
  private readonly timer: NodeJS.Timeout;

  constructor(options: ProgressViewOptions) {
    super(options);
    this.draw = logUpdate.create(options.stream as NodeJS.WritableStream);
    this.timer = setInterval(() => this.render(), 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    if (this.rows.size === 0) return;
    this.render();
    this.draw.done();
  }

  protected changed(): void {
    this.render();
  }

  private render(): void {
    const width = Math.max(0, ...[...this.rows.keys()].map((k) => k.length));
    const lines = [...this.rows].map(([key, row]) => {
      const detail = row.detail ? `  ${firstLine(row.detail)}` : "";
      return `  ${key.padEnd(width)}  ${row.state.padEnd(10)}  ${this.elapsed(row).padStart(5)}${detail}`;
    });
    this.draw(lines.join("\n"));
  }
}

/** One line per state change: `[00:12] dev.acme: updating`. */
class LineView extends RowsView {
  private readonly started: number;

  constructor(private readonly options: ProgressViewOptions) {
    super(options);
    this.started = this.now();
  }

  stop(): void {}

  protected changed(key: string, row: Row): void {
    const stamp = formatDuration((this.now() - this.started) / 1000);
    const finished = FINISHED.has(row.state) ? ` after ${this.elapsed(row)}` : "";
    const detail = row.detail ? `: ${firstLine(row.detail)}` : "";
    this.options.stream.write(`[${stamp}] ${key}: ${row.state}${finished}${detail}\n`);
  }
}

function firstLine(text: string): string {
  return text.split("\n")[0];
}
