/**
 * Turns a registry entry into everything a tenant stack needs: the entry's own values, with
 * the environment's defaults filling the gaps.
 */
import { TaskSize, parseTaskSize } from "./fargateSizes";
import { CapacityProviderShare } from "./presets";
import { PlatformSettings } from "./platformConfig";
import { ListenerSlot, TenantEntry, TenantSchedule } from "./tenantEntry";

/** A tenant as its stack builds it. Plain data: it travels through stack configuration. */
export interface ResolvedTenant {
  readonly id: string;
  readonly environment: string;
  readonly hosts: readonly string[];
  readonly size: TaskSize;
  readonly desiredCount: number;
  readonly minTasks: number;
  readonly maxTasks: number;
  /** Keeps at least one task on on-demand FARGATE. */
  readonly highAvailability: boolean;
  readonly capacityStrategy: readonly CapacityProviderShare[];
  readonly schedule?: TenantSchedule;
  /** Tag, digest or full reference; undefined runs the environment's default image. */
  readonly image?: string;
  readonly listener: ListenerSlot;
  /** Alarm on ECS task counts (needs Container Insights) rather than on healthy targets. */
  readonly containerInsights: boolean;
  readonly healthCheckGracePeriodSeconds: number;
  /** Mount targets (one per AZ) the service waits for. */
  readonly availabilityZones: number;
  /** Production data: keep secrets recoverable for 30 days and protect the database. */
  readonly protectData: boolean;
}

/** Resolves an entry that already has its listener slot. */
export function resolveTenant(entry: TenantEntry, settings: PlatformSettings): ResolvedTenant {
  if (!entry.listener) throw new Error(`tenant "${entry.id}" has no listener slot; allocate one first`);
  const defaults = settings.tenant;
  const size = entry.size ? sizeOf(entry.size) : defaults.size;

  const wanted = entry.tasks ?? {};
  const minTasks =
    wanted.min ??
    Math.min(defaults.minTasks, wanted.desired ?? defaults.minTasks, wanted.max ?? defaults.minTasks);
  const maxTasks = wanted.max ?? Math.max(defaults.maxTasks, minTasks, wanted.desired ?? 0);
  const desiredCount = wanted.desired ?? clamp(defaults.desiredCount, minTasks, maxTasks);

  const highAvailability = entry.highAvailability ?? defaults.capacity.fargateBase > 0;
  return {
    id: entry.id,
    environment: settings.environment,
    hosts: entry.hosts,
    size,
    desiredCount,
    minTasks,
    maxTasks,
    highAvailability,
    capacityStrategy: capacityStrategy(highAvailability, defaults.capacity),
    schedule: entry.schedule,
    image: entry.image,
    listener: entry.listener,
    containerInsights: settings.containerInsights,
    healthCheckGracePeriodSeconds: defaults.healthCheckGracePeriodSeconds,
    availabilityZones: settings.availabilityZones,
    protectData: settings.deletionProtection,
  };
}

/**
 * The service's capacity provider strategy. An HA tenant keeps a base of at least one task on
 * FARGATE: Fargate never replaces lost Spot capacity with on-demand capacity.
 */
export function capacityStrategy(
  highAvailability: boolean,
  weights: { readonly fargateBase: number; readonly fargateWeight: number; readonly spotWeight: number },
): CapacityProviderShare[] {
  const base = highAvailability ? Math.max(1, weights.fargateBase) : 0;
  const shares: CapacityProviderShare[] = [];
  if (base > 0 || weights.fargateWeight > 0)
    shares.push({ capacityProvider: "FARGATE", base, weight: weights.fargateWeight });
  if (weights.spotWeight > 0)
    shares.push({ capacityProvider: "FARGATE_SPOT", base: 0, weight: weights.spotWeight });
  return shares;
}

function sizeOf(text: string): TaskSize {
  const parsed = parseTaskSize(text);
  if ("error" in parsed) throw new Error(parsed.error);
  return parsed.size;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}
