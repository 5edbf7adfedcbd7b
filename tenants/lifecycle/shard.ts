/**
 * `--shard i/N`: a stable slice of the tenants, so that N machines (a CI matrix) can share one
 * fleet operation. A tenant's shard comes from a hash of its id alone: it does not move when
 * other tenants are added, removed or reordered, and every machine computes the same split.
 */
import { createHash } from "crypto";
import { BbwsError } from "../../lib/errors";

/** Shard `index` (1-based) of `count`. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** Parses `i/N` (1 <= i <= N); a usage error says what is accepted. */
export function parseShard(value: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || count < 1 || index < 1 || index > count)
    throw new BbwsError("usage", `--shard ${JSON.stringify(value)}: expected i/N with 1 <= i <= N, e.g. 2/4`);
  return { index, count };
}

/** The shard (1-based) of `tenantId` among `count`: the first 32 bits of its SHA-256, modulo count. */
export function shardOf(tenantId: string, count: number): number {
  const hash = createHash("sha256").update(tenantId).digest();
  return (hash.readUInt32BE(0) % count) + 1;
}

/** Whether `tenantId` belongs to `shard`. */
export function inShard(tenantId: string, shard: Shard): boolean {
  return shardOf(tenantId, shard.count) === shard.index;
}
