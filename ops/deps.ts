/**
 * What every command is given from outside: where stack outputs come from, how AWS clients are
 * made, where progress goes and how to be interrupted. The CLI passes the real ones; tests
 * pass fakes.
 */
import { ClientFactory } from "./clients";
import { ContextDeps } from "./context";
import { LogLine } from "../lib/progress";

/** Dependencies of a command. */
export interface OpsDeps extends ContextDeps {
  readonly clients: ClientFactory;
  /** Progress lines (stderr). */
  readonly log: LogLine;
  /** Aborts waits (Ctrl-C); a restore then puts the site back before it stops. */
  readonly signal?: AbortSignal;
}
