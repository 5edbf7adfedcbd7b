/**
 * Listener slot allocation: which ALB shard a tenant lives on and its rule priority there.
 *
 * Allocated once, written into the registry and never recomputed: adding, removing or
 * reordering other tenants never moves a tenant (hashing ids to priorities collides: ~47% at
 * 80 tenants with hash % 4999). New tenants fill the lowest shard with room, so growing the
 * number of shards never moves existing tenants either.
 *
 * A shard has room for a tenant when it stays within all three per-ALB limits: target groups
 * (one per tenant, hard limit 100), listener rules (one, plus one redirect rule for a tenant
 * with several hosts; `bbws:quotaRulesPerAlb`, default 100) and certificates (one for a tenant
 * whose hosts the wildcard does not cover; `bbws:quotaCertificatesPerAlb`, default 25).
 */
import { BbwsError } from "../../lib/errors";
import { ListenerSlot, MAX_PRIORITY, TenantEntry } from "../../config/tenantEntry";
import { Registry, RegistryError } from "./load";
import type { PlatformSettings } from "../../config/platformConfig";
import { QUOTAS, quotaLimit } from "../../config/quotas";
import { REDIRECT_PRIORITY_OFFSET, needsTenantCertificate, rulesOf } from "../../config/edgeHosts";

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
  /**
   * Rule and certificate room per shard, and the domain that decides which tenants need a
   * certificate. @default - target groups only (every tenant one rule, no certificates)
   */
  readonly edge?: EdgeCapacity;
}

/** What the edge takes of each shard. */
export interface EdgeCapacity {
  /** The environment's domain (`bbws:domain`): its wildcard covers one label below it. */
  readonly domain: string;
  /** Listener rules per ALB (`bbws:quotaRulesPerAlb`). */
  readonly rulesPerShard: number;
  /**
   * Certificates allocated per ALB besides the default: `bbws:quotaCertificatesPerAlb` less
   * CERTIFICATE_SWAP_SLOTS.
   */
  readonly certificatesPerShard: number;
}

/**
 * Certificate slots of each ALB kept free: a tenant's certificate is replaced by attaching the
 * new one before the old one goes (components/tenant/certificate.ts), so for a moment it holds
 * two; on a full listener the swap would fail with TooManyCertificates.
 */
export const CERTIFICATE_SWAP_SLOTS = 1;

/** The allocation options of an environment: its shards and its per-ALB quotas. */
export function allocationOptions(settings: PlatformSettings, registry?: Registry): AllocationOptions {
  return {
    shards: settings.albShards,
    registry,
    edge: {
      domain: settings.domain,
      rulesPerShard: quotaLimit("rulesPerAlb", settings.quotas),
      certificatesPerShard: Math.max(
        0,
        quotaLimit("certificatesPerAlb", settings.quotas) - CERTIFICATE_SWAP_SLOTS,
      ),
    },
  };
}

/** What one tenant takes of its shard. */
interface Footprint {
  readonly rules: number;
  readonly certificates: number;
}

function footprintOf(entry: TenantEntry, edge: EdgeCapacity | undefined): Footprint {
  if (!edge) return { rules: 1, certificates: 0 };
  return {
    rules: rulesOf(entry.hosts),
    certificates: needsTenantCertificate({ hosts: entry.hosts, domain: edge.domain }) ? 1 : 0,
  };
}

/** What a shard already holds. */
interface ShardUse {
  readonly priorities: Set<number>;
  rules: number;
  certificates: number;
}

/** Raised when a slot cannot be allocated or an existing one is impossible. */
export class AllocationError extends BbwsError {
  /** `quotaExceeded` when every shard is out of a per-ALB quota (exit 12). */
  constructor(message: string, kind: "invalidInput" | "quotaExceeded" = "invalidInput") {
    super(kind, message);
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
  const used: ShardUse[] = Array.from({ length: options.shards }, () => ({
    priorities: new Set<number>(),
    rules: 0,
    certificates: 0,
  }));
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
    const shard = used[entry.listener.shard];
    const footprint = footprintOf(entry, options.edge);
    shard.priorities.add(entry.listener.priority);
    shard.rules += footprint.rules;
    shard.certificates += footprint.certificates;
  }

  const allocated: string[] = [];
  const result = entries.map((entry) => {
    if (entry.listener) return entry;
    const footprint = footprintOf(entry, options.edge);
    const slot = nextSlot(used, capacity, footprint, options.edge);
    if (!slot) throw noRoom(entry, footprint, used, capacity, options);
    used[slot.shard].priorities.add(slot.priority);
    used[slot.shard].rules += footprint.rules;
    used[slot.shard].certificates += footprint.certificates;
    allocated.push(entry.id);
    return { ...entry, listener: slot };
  });
  return { entries: result, allocated };
}

function fits(
  use: ShardUse,
  capacity: number,
  footprint: Footprint,
  edge: EdgeCapacity | undefined,
): boolean {
  if (use.priorities.size >= capacity) return false;
  if (!edge) return true;
  return (
    use.rules + footprint.rules <= edge.rulesPerShard &&
    use.certificates + footprint.certificates <= edge.certificatesPerShard
  );
}

function nextSlot(
  used: ShardUse[],
  capacity: number,
  footprint: Footprint,
  edge: EdgeCapacity | undefined,
): ListenerSlot | undefined {
  // Forward priorities stay below the redirect offset, so no redirect rule ever collides.
  const highest = edge ? REDIRECT_PRIORITY_OFFSET : MAX_PRIORITY;
  for (let shard = 0; shard < used.length; shard++) {
    if (!fits(used[shard], capacity, footprint, edge)) continue;
    for (let priority = 1; priority <= highest; priority++) {
      if (!used[shard].priorities.has(priority)) return { shard, priority };
    }
  }
  return undefined;
}

/** Why no shard takes the tenant: the limit that every shard hits, with the setting that raises it. */
function noRoom(
  entry: TenantEntry,
  footprint: Footprint,
  used: readonly ShardUse[],
  capacity: number,
  options: AllocationOptions,
): AllocationError {
  const edge = options.edge;
  const all = `all ${options.shards} ALB shard(s)`;
  if (
    edge &&
    footprint.certificates > 0 &&
    used.every((u) => u.certificates + footprint.certificates > edge.certificatesPerShard)
  ) {
    return new AllocationError(
      `cannot place tenant "${entry.id}": its hosts need their own certificate (${entry.hosts.join(", ")} are not covered by *.${edge.domain}), ` +
        `and none of the ${options.shards} ALB shard(s) has a certificate slot left: ${edge.certificatesPerShard} per ALB, the ${QUOTAS.certificatesPerAlb.name} quota less ${CERTIFICATE_SWAP_SLOTS} kept free for a certificate swap (bbws:quotaCertificatesPerAlb, AWS default ${QUOTAS.certificatesPerAlb.defaultLimit}); ` +
        "raise bbws:albShards, or declare a raised quota with bbws:quotaCertificatesPerAlb; nothing was changed",
      "quotaExceeded",
    );
  }
  if (
    edge &&
    used.every((u) => u.priorities.size < capacity && u.rules + footprint.rules > edge.rulesPerShard)
  ) {
    return new AllocationError(
      `cannot place tenant "${entry.id}": it needs ${footprint.rules} listener rule(s), and none of the ${options.shards} ALB shard(s) has that many left ` +
        `under the ${QUOTAS.rulesPerAlb.name} quota of ${edge.rulesPerShard} (bbws:quotaRulesPerAlb, AWS default ${QUOTAS.rulesPerAlb.defaultLimit}); ` +
        "raise bbws:albShards, or declare a raised quota with bbws:quotaRulesPerAlb; nothing was changed",
      "quotaExceeded",
    );
  }
  return new AllocationError(
    `cannot place tenant "${entry.id}": ${all} are full (${capacity} tenants, ${QUOTAS.rulesPerAlb.name} and ${QUOTAS.certificatesPerAlb.name} counted); raise bbws:albShards`,
  );
}
