/**
 * The tenant spec: one registry entry resolved against its environment's settings, as the
 * tenant stack builds it. `TenantWordPress` takes it as its contract; the lifecycle writes it
 * into the tenant stack's configuration and the tenant program parses it back with the same
 * schema, so the spec is declared once, here.
 *
 * Adding a tenant field: its registry form in `tenantEntry.ts`, its resolved form (and default)
 * in `tenantSpecSchema` and `resolveTenantSpec` below, and its use in the component part that
 * needs it. Nothing in between changes: the stack configuration and the component carry the
 * whole spec.
 */
import { z } from "zod";
import { BbwsError } from "../lib/errors";
import { TaskSize, taskSizeSchema } from "./fargateSizes";
import { CapacityProviderShare, TenantCapacity } from "./presets";
import { PlatformSettings } from "./platformConfig";
import { MIN_REQUEST_WORKERS, maxRequestWorkers, workerSizingProblem } from "./runtimeSizing";
import { primaryFirst } from "./edgeHosts";
import {
  TenantEntry,
  dnsZoneSchema,
  imageSchema,
  listenerSlotSchema,
  scheduleSchema,
  tenantEntrySchema,
} from "./tenantEntry";

const taskCount = z.number().int().min(0).max(100);

// --- Runtime (issue 14) ---

/** Default largest upload (MiB): a phone video or a large PDF, well under the task's disk. */
export const DEFAULT_UPLOAD_MAX_MEGABYTES = 64;
/** Default seconds between cron runs: WordPress schedules in minutes. */
export const DEFAULT_CRON_INTERVAL_SECONDS = 60;
/** Default administrator login. */
export const DEFAULT_ADMIN_USER = "bbws-admin";
/** SES's SMTP port with STARTTLS (port 25 is throttled on AWS, 465 is implicit TLS). */
export const SES_SMTP_PORT = 587;

/** The tenant's WordPress runtime, resolved (see runtimeEntrySchema for the registry form). */
export const runtimeSpecSchema = z
  .object({
    /** `bbws`: the runtime image (health endpoint, sized workers, cron timer); `stock`: the official image. @default the environment's `bbws:runtimeImage` (stock when it is stock) */
    flavour: z.enum(["bbws", "stock"]),
    /** Apache workers per task (config/runtimeSizing.ts: connection budget and task memory). */
    maxRequestWorkers: z.number().int().min(MIN_REQUEST_WORKERS),
    /** Administrator the provisioning install creates. @default bbws-admin */
    adminUser: z.string().min(1),
    /** Its e-mail address. @default admin@<primary host> */
    adminEmail: z.string().email(),
    /** Largest upload, MiB. @default 64 */
    uploadMaxMegabytes: z.number().int().min(2),
    /** Seconds between cron runs. @default 60 */
    cronIntervalSeconds: z.number().int().min(30),
    /** DISALLOW_FILE_MODS: plugins and themes change only through the operator. @default false */
    managed: z.boolean(),
    /** Search engines may index the site (set at installation). @default true in prod only */
    searchEngines: z.boolean(),
    /** Outgoing mail through SES; absent when the environment has no `bbws:mailDomain`. */
    mail: z
      .object({
        /** The address every message is sent from: `<tenant id>@<mail domain>`. */
        fromAddress: z.string().email(),
        /** The environment's SES identity (a domain). */
        domain: z.string().min(1),
        smtpHost: z.string().min(1),
        smtpPort: z.number().int(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** A tenant's resolved runtime. */
export type RuntimeSpec = z.output<typeof runtimeSpecSchema>;

/** One entry of an ECS capacity provider strategy. */
export const capacityShareSchema = z
  .object({
    capacityProvider: z.enum(["FARGATE", "FARGATE_SPOT"]),
    base: z.number().int().min(0),
    weight: z.number().int().min(0),
  })
  .strict();

// ---- Edge: how visitors reach the tenant (config/edgeHosts.ts classifies its hosts) ----

/** The environment's edge as one tenant needs it: plain values, since they decide which resources exist. */
export const tenantEdgeSchema = z
  .object({
    /** The environment's base domain: its wildcard certificate covers `*.<domain>`. */
    domain: z.string().min(1),
    /** The environment's Route 53 zone. @default - none: no alias records for hosts below `domain` */
    hostedZoneId: z.string().optional(),
    /** The customer's zone from the registry's `dnsZone`. @default - none */
    customerZone: dnsZoneSchema.optional(),
    /** `/xmlrpc.php` is let through for this tenant (registry `firewall.allowXmlrpc`). @default false */
    allowXmlrpc: z.boolean(),
  })
  .strict();

/** The tenant spec. Plain data: it travels through stack configuration as JSON. */
export const tenantSpecSchema = z
  .object({
    /** Tenant id: names the stack (`<env>.<id>`), its AWS resources, EFS directory and MySQL schema. */
    id: tenantEntrySchema.shape.id,
    /** Environment the tenant runs in; must be its stack's environment. */
    environment: z.string().min(1),
    /** Host names the listener rule matches (1 to 5); the first is WP_HOME and WP_SITEURL. */
    hosts: tenantEntrySchema.shape.hosts,
    /** Task CPU units and memory (MiB), a valid Fargate pair. @default the environment's `bbws:tenantSize` */
    size: taskSizeSchema,
    /**
     * Tasks the service starts with (autoscaling owns the count afterwards).
     * @default the environment's `bbws:tenantDesiredCount`, kept within [minTasks, maxTasks]
     */
    desiredCount: taskCount,
    /** Autoscaling minimum. @default the environment's `bbws:tenantMinTasks`, lowered to the entry's desired or max */
    minTasks: taskCount,
    /** Autoscaling maximum. @default the environment's `bbws:tenantMaxTasks`, raised to minTasks and desired */
    maxTasks: taskCount.min(1),
    /** Keeps at least one task on on-demand FARGATE. @default true where the environment's `bbws:tenantFargateBase` > 0 */
    highAvailability: z.boolean(),
    /** Capacity provider strategy of the service, derived from highAvailability and the environment's weights. */
    capacityStrategy: z.array(capacityShareSchema).min(1),
    /** Scale-to-zero outside working hours. @default the environment's default schedule (`bbws:tenantSleepAt`...); none: always on */
    schedule: scheduleSchema.optional(),
    /** Tag, digest or full image reference. @default - the environment's default image */
    image: imageSchema.optional(),
    /** ALB shard and rule priority, allocated once in the registry and never recomputed. */
    listener: listenerSlotSchema,
    /** Alarm on ECS task counts (needs Container Insights) rather than on healthy targets. @default the environment's `bbws:containerInsights` */
    containerInsights: z.boolean(),
    /** Seconds ECS ignores failing health checks after a task starts (the first start copies WordPress onto EFS). */
    healthCheckGracePeriodSeconds: z.number().int().min(0),
    /** Mount targets (one per AZ) the service waits for: the environment's `bbws:availabilityZones`. */
    availabilityZones: z.number().int().min(1).max(6),
    /** Production data: secrets stay recoverable for 30 days (else 7). @default the environment's `bbws:deletionProtection` */
    protectData: z.boolean(),
    /** Register the tasks in the environment's Cloud Map namespace. @default false: no record, no Cloud Map service */
    serviceDiscovery: z.boolean(),
    /** The WordPress runtime: image flavour, workers, administrator, uploads, cron, mail. */
    runtime: runtimeSpecSchema,

    // ---- Edge ----
    /** The canonical host (also `hosts[0]`): every other host answers 301 to it. @default the registry's first host */
    primaryHost: z.string().min(1),
    /** DNS zone, certificate needs and firewall opt-outs of the tenant's hosts. */
    edge: tenantEdgeSchema,
  })
  .strict();

/** A tenant as its stack builds it (see tenantSpecSchema for every field and its default). */
export type TenantSpec = z.output<typeof tenantSpecSchema>;

/**
 * Resolves a registry entry that already has its listener slot: the entry's own values, the
 * environment's defaults for the rest. Throws BbwsError (invalidInput) when the result is not a
 * valid spec (an entry without a listener slot, a size Fargate refuses).
 */
export function resolveTenantSpec(entry: TenantEntry, settings: PlatformSettings): TenantSpec {
  if (!entry.listener) {
    throw new BbwsError(
      "invalidInput",
      `tenant "${entry.id}" has no listener slot; allocate one first (npm run tenants -- sync ${settings.environment})`,
    );
  }
  const defaults = settings.tenant;
  const wanted = entry.tasks ?? {};
  const minTasks =
    wanted.min ??
    Math.min(defaults.minTasks, wanted.desired ?? defaults.minTasks, wanted.max ?? defaults.minTasks);
  const maxTasks = wanted.max ?? Math.max(defaults.maxTasks, minTasks, wanted.desired ?? 0);
  const desiredCount = wanted.desired ?? clamp(defaults.desiredCount, minTasks, maxTasks);
  const highAvailability = entry.highAvailability ?? defaults.capacity.fargateBase > 0;

  // The primary host goes first: WordPress's WP_HOME and WP_SITEURL are hosts[0].
  const hosts = primaryFirst(entry.hosts, entry.primaryHost);
  const spec: z.input<typeof tenantSpecSchema> = {
    id: entry.id,
    environment: settings.environment,
    hosts,
    size: entry.size ?? defaults.size,
    desiredCount,
    minTasks,
    maxTasks,
    highAvailability,
    capacityStrategy: capacityStrategy(highAvailability, defaults.capacity),
    // The entry's own schedule, else the environment's default (dev: nights and weekends).
    schedule: entry.schedule === "none" ? undefined : (entry.schedule ?? defaults.schedule),
    image: entry.image,
    listener: entry.listener,
    containerInsights: settings.containerInsights,
    healthCheckGracePeriodSeconds: defaults.healthCheckGracePeriodSeconds,
    availabilityZones: settings.availabilityZones,
    protectData: settings.deletionProtection,
    serviceDiscovery: entry.serviceDiscovery ?? false,
    runtime: resolveRuntime(entry, settings, entry.size ?? defaults.size, maxTasks),
    primaryHost: hosts[0],
    edge: {
      domain: settings.domain,
      hostedZoneId: settings.edge.hostedZoneId,
      customerZone: entry.dnsZone,
      allowXmlrpc: entry.firewall?.allowXmlrpc ?? false,
    },
  };
  return parseTenantSpec(spec, `tenant "${entry.id}"`, "fix its registry entry");
}

/**
 * The entry's runtime block against the environment. Refuses (BbwsError invalidInput) a tenant
 * whose tasks would get fewer than MIN_REQUEST_WORKERS Apache workers, naming the fields.
 */
function resolveRuntime(
  entry: TenantEntry,
  settings: PlatformSettings,
  sizeValue: string | TaskSize,
  maxTasks: number,
): z.input<typeof runtimeSpecSchema> {
  // An invalid size is reported by the spec's own schema; the workers then do not matter.
  const parsedSize = taskSizeSchema.safeParse(sizeValue);
  const size = parsedSize.success ? parsedSize.data : { cpu: 256, memory: 512 };
  const problem = parsedSize.success ? workerSizingProblem({ size, maxTasks }) : undefined;
  if (problem) {
    throw new BbwsError(
      "invalidInput",
      `tenant "${entry.id}" (fields size, tasks.max): ${problem}; fix its registry entry`,
    );
  }
  const wanted = entry.runtime ?? {};
  return {
    flavour: wanted.flavour ?? (settings.runtimeImage.kind === "stock" ? "stock" : "bbws"),
    maxRequestWorkers: maxRequestWorkers({ size, maxTasks }).maxRequestWorkers,
    adminUser: wanted.adminUser ?? DEFAULT_ADMIN_USER,
    adminEmail: wanted.adminEmail ?? `admin@${entry.hosts[0]}`,
    uploadMaxMegabytes: wanted.uploadMaxMegabytes ?? DEFAULT_UPLOAD_MAX_MEGABYTES,
    cronIntervalSeconds: wanted.cronIntervalSeconds ?? DEFAULT_CRON_INTERVAL_SECONDS,
    managed: wanted.managed ?? false,
    searchEngines: settings.environment === "prod",
    mail: settings.mailDomain
      ? {
          fromAddress: `${entry.id}@${settings.mailDomain}`,
          domain: settings.mailDomain,
          smtpHost: `email-smtp.${settings.region}.amazonaws.com`,
          smtpPort: SES_SMTP_PORT,
        }
      : undefined,
  };
}

/**
 * Parses a spec (resolved above, or read back from a tenant stack's configuration). `what`
 * names it in the error (e.g. `bbws-tenant:tenant`), `fix` says what to do about it.
 */
export function parseTenantSpec(value: unknown, what: string, fix?: string): TenantSpec {
  const parsed = tenantSpecSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
  throw new BbwsError(
    "invalidInput",
    `${what} is not a valid tenant spec (${problems.join("; ")})${fix === undefined ? "" : `; ${fix}`}`,
  );
}

/**
 * The service's capacity provider strategy. An HA tenant keeps a base of at least one task on
 * FARGATE: Fargate never replaces lost Spot capacity with on-demand capacity.
 */
export function capacityStrategy(
  highAvailability: boolean,
  weights: TenantCapacity,
): CapacityProviderShare[] {
  const base = highAvailability ? Math.max(1, weights.fargateBase) : 0;
  const shares: CapacityProviderShare[] = [];
  if (base > 0 || weights.fargateWeight > 0)
    shares.push({ capacityProvider: "FARGATE", base, weight: weights.fargateWeight });
  if (weights.spotWeight > 0)
    shares.push({ capacityProvider: "FARGATE_SPOT", base: 0, weight: weights.spotWeight });
  return shares;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}
