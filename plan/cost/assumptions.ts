/**
 * What the cost model has to assume because planned resources do not say it: usage volumes
 * (GB stored, processed, ingested) and load. Every value here is printed with the estimate.
 */
import { CostModelError } from "./errors";

export interface CostAssumptions {
  /** Hours in a billing month (365 x 24 / 12). @default 730 */
  readonly hoursPerMonth: number;
  /**
   * LCUs each ALB consumes around the clock. One LCU is ~25 new connections/s or ~1 GB/h or
   * ~1,000 rule evaluations/s; with ~100 host rules per ALB, ~11 requests/s already make one.
   * @default 1
   */
  readonly albLcusPerAlb: number;
  /** GB per month through all NAT gateways together (plugin/core updates, external APIs). @default 20 */
  readonly natGbProcessedPerMonth: number;
  /** wp-content (uploads, plugins, themes) per tenant on the shared EFS file system. @default 1 */
  readonly efsGbPerTenant: number;
  /**
   * Share of EFS data in Infrequent Access, applied only when the file system's lifecycle moves
   * files to IA (old uploads go cold; code read often comes back on first access). @default 0.5
   */
  readonly efsInfrequentAccessFraction: number;
  /** Aurora cluster storage (all tenant schemas together). @default 10 */
  readonly auroraStorageGb: number;
  /** CloudWatch Logs ingested per tenant per month (Apache access and error logs). @default 1 */
  readonly logsGbPerTenant: number;
  /** CloudWatch Logs ingested per month by the platform (flow logs, Aurora audit/error/slow logs). @default 2 */
  readonly platformLogsGb: number;
  /** Million requests each web ACL (one per ALB shard) inspects a month. @default 1 */
  readonly wafMillionRequestsPerAcl: number;
}

export const DEFAULT_ASSUMPTIONS: CostAssumptions = {
  hoursPerMonth: 730,
  albLcusPerAlb: 1,
  natGbProcessedPerMonth: 20,
  efsGbPerTenant: 1,
  efsInfrequentAccessFraction: 0.5,
  auroraStorageGb: 10,
  logsGbPerTenant: 1,
  platformLogsGb: 2,
  wafMillionRequestsPerAcl: 1,
};

/** Defaults overlaid with `overrides`, validated: finite, non-negative, fractions within 0-1. */
export function resolveAssumptions(overrides: Partial<CostAssumptions> = {}): CostAssumptions {
  const resolved: CostAssumptions = { ...DEFAULT_ASSUMPTIONS, ...withoutUndefined(overrides) };
  for (const [key, value] of Object.entries(resolved) as [keyof CostAssumptions, unknown][]) {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw new CostModelError(
        `cost assumption ${key} must be a finite number >= 0, got ${JSON.stringify(value)} ` +
          `(default ${DEFAULT_ASSUMPTIONS[key]})`,
      );
    }
  }
  if (resolved.hoursPerMonth === 0) {
    throw new CostModelError("cost assumption hoursPerMonth must be > 0 (default 730)");
  }
  if (resolved.efsInfrequentAccessFraction > 1) {
    throw new CostModelError(
      `cost assumption efsInfrequentAccessFraction is a share between 0 and 1, got ${resolved.efsInfrequentAccessFraction}`,
    );
  }
  return resolved;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
