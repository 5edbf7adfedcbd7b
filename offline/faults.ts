/**
 * Fault injection for the offline backend (`--offline-fault TENANTS:PHASE:KIND`, repeatable):
 * chosen tenants fail at a chosen phase, so that every fleet outcome (exit 1, 4, 5, 8 and their
 * precedence) can be produced and tested without AWS. TENANTS is a tenant id or a glob (`*`,
 * `bench-00?`); PHASE is where the fault strikes:
 *
 * | phase     | port                         | seen by                    |
 * |-----------|------------------------------|----------------------------|
 * | preview   | backend.preview              | list --preview, preview    |
 * | up        | backend.up                   | sync, add, rollout         |
 * | destroy   | backend.destroy              | remove, sync --prune       |
 * | remove    | backend.remove               | remove, sync --prune       |
 * | backup    | finalBackup.take             | remove, sync --prune       |
 * | deploy    | deployments.confirm          | rollout                    |
 * | certificate | certificates.status (ACM)  | add, sync, list, rollout   |
 *
 * KIND is what happens: `error` (the operation fails: exit 1; a failed final backup makes the
 * removal refused: exit 4), `locked` (the stack stays locked by another update: the lock is
 * retried `--lock-attempts` times, then exit 5 with the `pulumi cancel` line), `hang` (the
 * operation does not finish before its deadline: exit 8; a rollout's deployment check waits
 * out its `--timeout`, the other phases give up after a short simulated wait). At `certificate`
 * (a tenant certificate the customer validates), `hang` keeps it pending validation (the tenant
 * ends pending: exit 14) and `error` or `locked` make ACM report it FAILED.
 */
import { BbwsError } from "../lib/errors";

/** Where a fault strikes. */
export const FAULT_PHASES = [
  "preview",
  "up",
  "destroy",
  "remove",
  "backup",
  "deploy",
  "certificate",
] as const;
export type FaultPhase = (typeof FAULT_PHASES)[number];
/** What a fault does. */
export const FAULT_KINDS = ["error", "locked", "hang"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** One injected fault. */
export interface OfflineFault {
  /** Tenant id or glob. */
  readonly tenants: string;
  readonly phase: FaultPhase;
  readonly kind: FaultKind;
  /** As written on the command line (quoted in messages). */
  readonly spec: string;
}

/** How long a `hang` outside a rollout's deployment check waits before it times out. */
export const SIMULATED_HANG_MS = 300;

/** Parses `TENANTS:PHASE:KIND`; throws with the allowed values otherwise. */
export function parseFault(spec: string): OfflineFault {
  const [tenants, phase, kind, ...rest] = spec.split(":");
  if (
    !tenants ||
    rest.length > 0 ||
    !(FAULT_PHASES as readonly string[]).includes(phase) ||
    !(FAULT_KINDS as readonly string[]).includes(kind)
  )
    throw new Error(
      `expected TENANTS:PHASE:KIND with PHASE one of ${FAULT_PHASES.join(", ")} and KIND one of ${FAULT_KINDS.join(", ")} (e.g. acme:up:error, "bench-*:deploy:hang")`,
    );
  if (!/^[a-z0-9*?-]+$/.test(tenants))
    throw new Error(`"${tenants}" is not a tenant id or glob (letters, digits, -, * and ?)`);
  return { tenants, phase: phase as FaultPhase, kind: kind as FaultKind, spec };
}

/** The fault for `tenantId` at `phase`, if one was asked for. */
export function faultFor(
  faults: readonly OfflineFault[] | undefined,
  tenantId: string,
  phase: FaultPhase,
): OfflineFault | undefined {
  return faults?.find((f) => f.phase === phase && globMatches(f.tenants, tenantId));
}

function globMatches(glob: string, id: string): boolean {
  const pattern = glob.replace(/[*?]/g, (c) => (c === "*" ? ".*" : "."));
  return new RegExp(`^${pattern}$`).test(id);
}

/** A lock error as the Automation API raises it (ConcurrentUpdateError, told by name). */
function lockError(stack: string, fault: OfflineFault): Error {
  const error = new Error(
    `error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with \`pulumi cancel\`.\n  ${stack}: locked by the offline fault injection (--offline-fault ${fault.spec})`,
  );
  error.name = "ConcurrentUpdateError";
  return error;
}

/**
 * Fails as `fault` says: rejects with the operation's error, a lock error, or a timeout after
 * `hangMs` (or when `signal` aborts).
 */
export async function strike(
  fault: OfflineFault,
  stack: string,
  options: { readonly hangMs?: number; readonly signal?: AbortSignal } = {},
): Promise<never> {
  const injected = `offline fault injected (--offline-fault ${fault.spec})`;
  switch (fault.kind) {
    case "error":
      throw new BbwsError("failed", `${fault.phase} of ${stack} failed: ${injected}`);
    case "locked":
      throw lockError(stack, fault);
    case "hang": {
      const ms = options.hangMs ?? SIMULATED_HANG_MS;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        options.signal?.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve();
        });
      });
      throw new BbwsError(
        "timeout",
        `${fault.phase} of ${stack} did not finish within ${(ms / 1000).toFixed(1)} s: ${injected}`,
      );
    }
  }
}
