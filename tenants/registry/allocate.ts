/**
 * Listener slot allocation: which ALB shard a tenant lives on and its rule priority there.
 *
 * Allocated once, written into the registry and never recomputed: adding, removing or
 * reordering other tenants never moves a tenant (hashing ids to priorities collides: ~47% at
 * 80 tenants with hash % 4999). New tenants fill the lowest shard with room, so growing the
 * number of shards never moves existing tenants either.
 */
import { BbwsError } from "../../lib/errors";
import { ListenerSlot, MAX_PRIORITY, TenantEntry } from "../../config/tenantEntry";
import { Registry, RegistryError } from "./load";

/**
 * Tenants per ALB. The hard limit is 100 target groups per ALB (not adjustable); the default
 * of 100 rules per ALB is adjustable. A few slots stay free for operators' own rules.
 */
export const DEFAULT_TENANTS_PER_SHARD = 95;

export interface AllocationOptions {
  /** Number of ALB shards the platform runs (`bbws:albShards`). */
  readonly shards: number;
  /** @default DEFAULT_TENANTS_PER_SHARD */
  readonly tenantsPerShard?: number;
  /** The registry the entries come from: a slot on a missing shard is reported with its file and line. */
  readonly registry?: Registry;
}

/** Raised when a slot cannot be allocated or an existing one is impossible. */
export class AllocationError extends BbwsError {
  constructor(message: string) {
    super("invalidInput", message);
  }
}

/**
 * Returns the entries with a listener slot for every tenant: existing slots are kept as they
 * are, missing ones are allocated in file order. `allocated` names the tenants that got one.
 */
export function allocateListenerSlots(
  entries: readonly TenantEntry[],
  options: AllocationOptions,
): { entries: TenantEntry[]; allocated: string[] } {
  const capacity = options.tenantsPerShard ?? DEFAULT_TENANTS_PER_SHARD;
  const used: Set<number>[] = Array.from({ length: options.shards }, () => new Set<number>());
  const beyond = entries
    .map((entry, index) => ({ entry, index }))
    .filter(({ entry }) => entry.listener && entry.listener.shard >= options.shards);
  if (beyond.length > 0 && options.registry) {
    const { registry } = options;
    throw new RegistryError(
      registry.file,
      beyond.map(({ entry, index }) => {
        const node = registry.document.getIn(["tenants", index, "listener", "shard"], true) as
          { range?: [number, number, number] } | undefined;
        const text = registry.document.toString();
        return {
          file: registry.file,
          line: node?.range ? text.slice(0, node.range[0]).split("\n").length : undefined,
          entry: `tenants[${index}] (id "${entry.id}")`,
          field: "listener.shard",
          message: `shard ${entry.listener!.shard} does not exist: the platform has ${options.shards} ALB shard(s) (0-${options.shards - 1}, bbws:albShards); raise bbws:albShards or move the tenant (got ${entry.listener!.shard})`,
          index,
        };
      }),
    );
  }
  for (const entry of entries) {
    if (!entry.listener) continue;
    if (entry.listener.shard >= options.shards) {
      throw new AllocationError(
        `tenant "${entry.id}" lives on ALB shard ${entry.listener.shard}, but the platform has ${options.shards} shard(s) (0-${options.shards - 1}); raise bbws:albShards or move the tenant`,
      );
    }
    used[entry.listener.shard].add(entry.listener.priority);
  }

  const allocated: string[] = [];
  const result = entries.map((entry) => {
    if (entry.listener) return entry;
    const slot = nextSlot(used, capacity);
    if (!slot) {
      throw new AllocationError(
        `cannot place tenant "${entry.id}": all ${options.shards} ALB shard(s) hold ${capacity} tenants; raise bbws:albShards`,
      );
    }
    used[slot.shard].add(slot.priority);
    allocated.push(entry.id);
    return { ...entry, listener: slot };
  });
  return { entries: result, allocated };
}

function nextSlot(used: Set<number>[], capacity: number): ListenerSlot | undefined {
  for (let shard = 0; shard < used.length; shard++) {
    if (used[shard].size >= capacity) continue;
    for (let priority = 1; priority <= MAX_PRIORITY; priority++) {
      if (!used[shard].has(priority)) return { shard, priority };
    }
  }
  return undefined;
}
