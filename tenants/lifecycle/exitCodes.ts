/**
 * Exit codes of `npm run tenants -- <command>`. Scripts and CI branch on them; people read the
 * message and the summary table.
 *
 * | exit | meaning                                                                              |
 * |------|--------------------------------------------------------------------------------------|
 * | 0    | every tenant operation succeeded (`list` and `preview` also exit 0 when changes are pending) |
 * | 1    | at least one tenant operation failed (the others still ran; see the summary table)   |
 * | 2    | usage: unknown command or option, missing argument, a malformed number               |
 * | 3    | invalid registry, stack configuration or platform stack; nothing was changed          |
 * | 4    | refused for safety, e.g. `remove` or `sync --prune` without a final backup            |
 * | 5    | a stack stayed locked (ConcurrentUpdateError after every retry); the message names the lock and the `pulumi cancel` command |
 *
 * When tenants of one fleet run fail for different reasons, the most specific code wins:
 * 4 over 5 over 1 (a refusal and a lock both need an operator; a refusal is about data).
 */
export const LIFECYCLE_EXIT = {
  ok: 0,
  tenantFailed: 1,
  usage: 2,
  invalidInput: 3,
  refused: 4,
  locked: 5,
} as const;

/** One of the documented exit codes. */
export type LifecycleExitCode = (typeof LIFECYCLE_EXIT)[keyof typeof LIFECYCLE_EXIT];

/** Precedence when several tenants fail differently: the highest rank wins. */
const RANK: Record<LifecycleExitCode, number> = { 0: 0, 1: 1, 2: 2, 3: 3, 5: 4, 4: 5 };

/** The exit code of a run whose parts ended with `codes`. */
export function combineExitCodes(codes: readonly LifecycleExitCode[]): LifecycleExitCode {
  return codes.reduce<LifecycleExitCode>((worst, code) => (RANK[code] > RANK[worst] ? code : worst), 0);
}
