/**
 * What an operation leaves behind, kept up to date while it runs: resources to clean up (a
 * temporary cluster, a restore directory, a task definition) and content kept on purpose (the
 * previous files and database). Whatever happens, the operator gets the list at the end.
 */

/** An entry: something to clean up, or something kept on purpose. */
export type LedgerKind = "cleanup" | "kept";

/** The ledger of one run; entries are keyed so a later step can settle them. */
export class Ledger {
  private readonly entries = new Map<string, { readonly kind: LedgerKind; readonly line: string }>();

  /** Records (or replaces) something the operator must clean up. */
  cleanup(key: string, line: string): void {
    this.entries.set(key, { kind: "cleanup", line });
  }

  /** Records (or replaces) content kept on purpose. */
  kept(key: string, line: string): void {
    this.entries.set(key, { kind: "kept", line });
  }

  /** The entry is settled (cleaned up, or no longer true). */
  settle(key: string): void {
    this.entries.delete(key);
  }

  /** True when `key` is still open. */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Lines of one kind, in the order they were first recorded. */
  lines(kind: LedgerKind): string[] {
    return [...this.entries.values()].filter((e) => e.kind === kind).map((e) => e.line);
  }
}
