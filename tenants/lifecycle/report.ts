/**
 * What a command prints when it is done: tables for people (cli-table3), one JSON document
 * for scripts (`--json`). Full messages of failed tenants follow the table: a lock's
 * `pulumi cancel` command must be copyable, not wrapped inside a cell.
 */
import Table from "cli-table3";
import { formatDuration } from "../../lib/progress";
import { BbwsError } from "../../lib/errors";
import { ChangeCounts } from "./backend";
import { exitCodeOf } from "../../lib/exitCodes";
import { FleetResult } from "./fleet";

/** A command's result: its exit code, its human output and its machine output. */
export interface CommandReport {
  readonly exitCode: number;
  /** Printed on stdout without --json. */
  readonly text: string;
  /** Printed on stdout with --json. */
  readonly json: Record<string, unknown>;
  /**
   * Why the command failed as a whole, after the output above (a halted rollout): printed on
   * stderr as an error with its notes. Per-tenant failures of a fleet run are in the output.
   */
  readonly failure?: BbwsError;
}

/** A table without colours (they would end up in CI logs and in tests as escape codes). */
export function plainTable(head: string[], colWidths?: (number | null)[]): Table.Table {
  return new Table({
    head,
    style: { head: [], border: [] },
    ...(colWidths ? { colWidths, wordWrap: true } : {}),
  });
}

/** The summary table of a fleet run, then the full messages of what did not succeed. */
export function renderResults(results: readonly FleetResult[]): string {
  if (results.length === 0) return "No tenant stacks to work on.";
  const table = plainTable(
    ["Tenant", "Operation", "Result", "Duration", "Message"],
    [null, null, null, null, 70],
  );
  for (const r of results) {
    table.push([
      r.stack,
      r.operation,
      r.result,
      formatDuration(r.durationMs / 1000),
      r.message.split("\n")[0],
    ]);
  }
  const details = results.flatMap((r) => {
    const lines = [...(r.details ?? [])];
    // A multi-line failure (a lock's `pulumi cancel` command) is shown whole, not in a cell.
    if (r.result !== "ok" && r.result !== "skipped" && r.message.includes("\n")) lines.unshift(r.message);
    return lines.length > 0 ? [`${r.stack} (${r.result}):\n${lines.map(indent).join("\n")}`] : [];
  });
  const counts = countBy(results.map((r) => r.result));
  const line = Object.entries(counts)
    .map(([result, n]) => `${n} ${result}`)
    .join(", ");
  // The last line names every tenant that needs a look, so a CI log's tail says which.
  const notOk = results.filter((r) => r.result !== "ok" && r.result !== "skipped");
  const last =
    notOk.length > 0
      ? [`Not ok (${notOk.length}): ${notOk.map((r) => `${r.stack} (${r.result})`).join(", ")}`]
      : [];
  return [table.toString(), ...details, `${results.length} tenant stack(s): ${line}.`, ...last].join("\n");
}

/** JSON form of fleet results. */
export function resultsJson(results: readonly FleetResult[]): Record<string, unknown>[] {
  return results.map((r) => ({
    tenantId: r.tenantId,
    stack: r.stack,
    operation: r.operation,
    result: r.result,
    durationMs: r.durationMs,
    message: r.message,
    ...(r.changes ? { changes: r.changes } : {}),
    ...(r.details ? { details: r.details } : {}),
    exitCode: exitCodeOf(r.kind),
  }));
}

/** A preview table: counts per tenant. */
export function renderPreview(results: readonly FleetResult[]): string {
  const table = plainTable(["Tenant", "Create", "Update", "Replace", "Delete", "Same", "Result"]);
  for (const r of results) {
    const c: Partial<ChangeCounts> = r.changes ?? {};
    const cell = (n: number | undefined) => (n === undefined ? "-" : String(n));
    const result = r.result === "ok" ? "ok" : `${r.result}: ${r.message.split("\n")[0]}`;
    table.push([
      r.stack,
      cell(c.create),
      cell(c.update),
      cell(c.replace),
      cell(c.delete),
      cell(c.same),
      result,
    ]);
  }
  return table.toString();
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}
