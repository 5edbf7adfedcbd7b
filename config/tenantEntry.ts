/**
 * The tenants config list: the schema of one entry of `tenants/<env>.yaml`.
 *
 * Structural rules (types, required fields, unknown keys) are zod's; rules that span fields or
 * entries (min <= desired <= max, unique ids, hosts and listener slots) live in the registry loader
 * (`tenants/registry/load.ts`).
 */
import { closest, distance } from "fastest-levenshtein";
import { z } from "zod";
import { taskSizeSchema } from "./fargateSizes";
import { BINDING_NAME_BUDGET, TENANT_ID_MAX_LENGTH } from "./awsNames";
import { imageReferenceProblem } from "./imageReference";

/**
 * Tenant ids become stack names (`<env>.<id>`), AWS resource names, EFS paths and MySQL
 * identifiers (`wp_<id>`), so they are short and plain: lower-case letters, digits and single
 * hyphens, starting with a letter. The longest id is derived from the names made of it
 * (`config/awsNames.ts`): every one of them fits its AWS limit.
 */
export const TENANT_ID_PATTERN = new RegExp(
  `^[a-z](?:[a-z0-9]|-(?!-)){1,${TENANT_ID_MAX_LENGTH - 2}}[a-z0-9]$`,
);

/** What a valid id looks like, for messages. */
export const TENANT_ID_RULE =
  `must be 3-${TENANT_ID_MAX_LENGTH} characters of lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen ` +
  `(it names stacks, AWS resources and the MySQL schema; the ${BINDING_NAME_BUDGET.what} allows ${BINDING_NAME_BUDGET.maxLength} characters)`;

/** Ids that would be confusing or collide with platform names. */
export const RESERVED_IDS: ReadonlySet<string> = new Set([
  "admin",
  "api",
  "aws",
  "bbws",
  "default",
  "dev",
  "maintenance",
  "platform",
  "previous",
  "prod",
  "root",
  "shared",
  "system",
  "tenants",
  "test",
  "www",
]);

/** A host name WordPress can serve: lower-case labels, no wildcard, at least two labels. */
export const HOST_PATTERN =
  /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

/**
 * An ALB host-header condition value takes at most 128 characters (ELBv2 API Reference,
 * HostHeaderConditionConfig: Values), shorter than DNS's 253.
 */
export const MAX_HOST_LENGTH = 128;

/** An ALB rule takes at most 5 condition values; each host is one. */
export const MAX_HOSTS = 5;

/** Why `host` is not a DNS host name (the first rule it breaks). */
export function hostProblem(host: string): string {
  if (host !== host.toLowerCase()) return "upper-case letters";
  if (host.includes("*")) return "a wildcard (each site lists its own host names)";
  if (host.startsWith(".") || host.endsWith(".") || host.includes(".."))
    return "an empty label (a leading, trailing or double dot)";
  const labels = host.split(".");
  if (labels.length < 2) return "a single label (a host needs a domain, e.g. shop.example.com)";
  const long = labels.find((l) => l.length > 63);
  if (long) return `the label "${long.slice(0, 20)}..." has ${long.length} characters, at most 63`;
  const badChar = /[^a-z0-9.-]/.exec(host);
  if (badChar) return `the character ${JSON.stringify(badChar[0])}`;
  const hyphen = labels.find((l) => l.startsWith("-") || l.endsWith("-"));
  if (hyphen) return `the label "${hyphen}" starts or ends with a hyphen`;
  if (/^\d+$/.test(labels[labels.length - 1])) return "an all-numeric top-level label (an IP address?)";
  return "not a host name";
}

/** ALB listener rule priorities range from 1 to 50000. */
export const MAX_PRIORITY = 50000;

export const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a time of day as HH:MM, e.g. 19:00");

/** The zones ICU lists (`Intl.supportedValuesOf`): canonical IANA names, some in their older spelling. */
const LISTED_TIME_ZONES: ReadonlySet<string> = new Set(Intl.supportedValuesOf("timeZone"));

/** Area/Location with each part capitalized as the IANA database writes it (UTC, Etc/GMT+2, Europe/Kyiv). */
const ZONE_SPELLING = /^[A-Z][A-Za-z_-]*(\/[A-Z][A-Za-z0-9_+-]*)*$/;

/**
 * True for a real IANA time zone. ICU's list omits `UTC` and the `Etc/GMT±N` zones, which AWS
 * accepts, and lists renamed zones under their older names (Asia/Calcutta, Europe/Kiev): a zone
 * outside it is accepted when ICU knows it (Intl.DateTimeFormat refuses unknown zones) and it
 * is spelled as the database spells it (ICU also accepts `africa/johannesburg`, AWS does not).
 */
export function isIanaTimeZone(zone: string): boolean {
  if (LISTED_TIME_ZONES.has(zone)) return true;
  if (!ZONE_SPELLING.test(zone)) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The problem with a time zone value, or undefined when it is a real IANA zone. */
export function timeZoneProblem(zone: string): string | undefined {
  if (isIanaTimeZone(zone)) return undefined;
  const nearest = closest(zone, [...LISTED_TIME_ZONES]);
  // Only a near miss is worth suggesting (a typo, a wrong case), not whatever is least far.
  const hint =
    distance(zone, nearest) <= Math.max(2, Math.floor(zone.length / 6)) ? `; did you mean "${nearest}"?` : "";
  return `${JSON.stringify(zone)} is not an IANA time zone${hint} (e.g. Africa/Johannesburg, Europe/Berlin, UTC, Etc/GMT-2)`;
}

/** An IANA time zone name, checked against the zones the runtime knows. */
export const timeZoneSchema = z.string().superRefine((zone, ctx) => {
  const problem = timeZoneProblem(zone);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/** Scale-to-zero outside working hours (dev and test only). */
export const scheduleSchema = z
  .object({
    /** Time the service scales to zero. */
    sleepAt: hhmm,
    /** Time it scales back to its minimum. */
    wakeAt: hhmm,
    /** IANA time zone of both times. @default UTC */
    timezone: timeZoneSchema.default("UTC"),
    /** Stay asleep on Saturday and Sunday. @default true */
    weekdaysOnly: z.boolean().default(true),
  })
  .strict();

/** Where the tenant's listener rule lives: ALB shard and rule priority, allocated once and kept. */
export const listenerSlotSchema = z
  .object({
    shard: z.number().int("a whole shard number").min(0, "a shard number >= 0"),
    priority: z
      .number()
      .int("a whole number")
      .min(1, `a rule priority from 1 to ${MAX_PRIORITY}`)
      .max(MAX_PRIORITY, `a rule priority from 1 to ${MAX_PRIORITY}`),
  })
  .strict();

/** The outcome of the tenant's last image rollout (written by `npm run ops -- rollout`). */
export const lastRolloutSchema = z
  .object({
    image: z.string(),
    at: z.string(),
    /** Offline rollouts are never recorded here: their outcomes stay in the offline state. */
    result: z.enum(["completed", "rolled-back", "failed"]),
    taskDefinitionArn: z.string().optional(),
  })
  .strict();

// --- Runtime (issue 14): the WordPress the tenant's tasks run -------------------------------

/** A WordPress user login BBWS creates: what `sanitize_user(..., true)` keeps unchanged. */
export const ADMIN_USER_PATTERN = /^[a-z0-9][a-z0-9_.@-]{2,59}$/;

/**
 * The `runtime:` block of an entry: the site's administrator, upload limit, cron schedule and
 * whether plugins and themes are managed by the operator. Every field is optional.
 */
export const runtimeEntrySchema = z
  .object({
    /** Login of the administrator the provisioning install creates. @default bbws-admin */
    adminUser: z
      .string()
      .regex(
        ADMIN_USER_PATTERN,
        "3-60 characters: lower-case letters, digits and _ . @ -, starting with a letter or digit",
      )
      .optional(),
    /** E-mail address of that administrator. @default admin@<primary host> */
    adminEmail: z.string().email("an e-mail address").optional(),
    /** Largest upload in MiB (PHP upload_max_filesize; post_max_size is 8 MiB more). @default 64 */
    uploadMaxMegabytes: z
      .number()
      .int("a whole number of MiB")
      .min(2, "at least 2 MiB (PHP's own default)")
      .max(1024, "at most 1024 MiB")
      .optional(),
    /** Seconds between cron runs (due WordPress events). @default 60 */
    cronIntervalSeconds: z
      .number()
      .int("a whole number of seconds")
      .min(30, "at least 30 seconds")
      .max(3600, "at most 3600 seconds (an hour)")
      .optional(),
    /**
     * Plugins and themes change only through the operator (DISALLOW_FILE_MODS): no installs,
     * updates or deletions from wp-admin. @default false
     */
    managed: z.boolean().optional(),
    /** `bbws`: the BBWS runtime image; `stock`: the official image (README: its limits). @default the environment's `bbws:runtimeImage` */
    flavour: z.enum(["bbws", "stock"]).optional(),
  })
  .strict();

/** The `runtime:` block of an entry. */
export type RuntimeEntry = z.infer<typeof runtimeEntrySchema>;
// ---- Edge: the schemas of the edge fields below (config/edgeHosts.ts derives the rest) ----

/** A customer's Route 53 zone: its domain and hosted zone id. */
export const dnsZoneSchema = z
  .object({
    domain: z.string().regex(HOST_PATTERN, "a lower-case DNS domain such as acme-widgets.co.za"),
    hostedZoneId: z
      .string()
      .regex(/^Z[A-Z0-9]{1,31}$/, "a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ"),
  })
  .strict();

/** Per-tenant opt-outs from the web firewall (components/shared/webFirewall.ts). */
export const firewallOptionsSchema = z
  .object({
    /**
     * Let `/xmlrpc.php` through (Jetpack, the WordPress mobile apps). The platform blocks it on
     * every other host; the hosts of opted-out tenants must be in `bbws:wafXmlrpcAllowedHosts`.
     * @default false
     */
    allowXmlrpc: z.boolean().optional(),
  })
  .strict();

/** One tenant entry. */
export const tenantEntrySchema = z
  .object({
    id: z
      .string({ required_error: "required: the tenant id, e.g. acme" })
      .regex(TENANT_ID_PATTERN, TENANT_ID_RULE),
    hosts: z
      .array(
        z.string().superRefine((host, ctx) => {
          if (host.length > MAX_HOST_LENGTH)
            ctx.addIssue({
              code: "custom",
              message: `has ${host.length} characters; an ALB host condition takes at most ${MAX_HOST_LENGTH} (ELBv2 HostHeaderConditionConfig)`,
            });
          else if (!HOST_PATTERN.test(host))
            ctx.addIssue({
              code: "custom",
              message: `is not a valid DNS host name: ${hostProblem(host)} (lower-case labels of letters, digits and hyphens, e.g. shop.example.com)`,
            });
        }),
        {
          required_error: "required: 1 to 5 host names the site answers on",
        },
      )
      .min(1, "needs at least 1 host name")
      .max(MAX_HOSTS, `takes at most ${MAX_HOSTS} host names (an ALB rule matches at most 5 values)`),
    /**
     * Task size: a tier (small, medium, large, xlarge) or "cpu/memory". Kept as written (the
     * registry is written back); the tenant spec parses it into a TaskSize.
     * @default the environment's `bbws:tenantSize`
     */
    size: z
      .string()
      .superRefine((text, ctx) => {
        // Checked here too so that a bad size is reported with the registry's file and line.
        const parsed = taskSizeSchema.safeParse(text);
        if (!parsed.success)
          for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", message: issue.message });
      })
      .optional(),
    tasks: z
      .object({
        desired: z
          .number()
          .int("a whole number")
          .min(0, "a number of tasks >= 0")
          .max(100, "at most 100 tasks")
          .optional(),
        min: z
          .number()
          .int("a whole number")
          .min(0, "a number of tasks >= 0")
          .max(100, "at most 100 tasks")
          .optional(),
        max: z
          .number()
          .int("a whole number")
          .min(1, "at least 1 task")
          .max(100, "at most 100 tasks")
          .optional(),
      })
      .strict()
      .optional(),
    /** Keep at least one task on on-demand FARGATE (overrides the environment). */
    highAvailability: z.boolean().optional(),
    /**
     * Register the tenant's tasks in the environment's Cloud Map namespace
     * (`<id>.<env>.bbws.internal`), for a client inside the VPC that must reach them directly.
     * @default false: a record would let any task in the VPC list the tenant's task addresses
     */
    serviceDiscovery: z.boolean().optional(),
    /** Image tag, digest (sha256:<64 hex>) or full image reference (registry/path:tag[@digest]). */
    image: z
      .string()
      .superRefine((image, ctx) => {
        const problem = imageReferenceProblem(image);
        if (problem)
          ctx.addIssue({
            code: "custom",
            message: `must be an image tag (6.8.3-php8.3-apache), a digest (sha256:<64 hex>) or a full image reference: ${problem}`,
          });
      })
      .optional(),
    /** Scale-to-zero hours; `none` keeps the site always on where the environment has a default schedule. */
    schedule: z
      .union([scheduleSchema, z.literal("none")], {
        errorMap: (issue, ctx) => ({
          message:
            issue.code === "invalid_union"
              ? 'a schedule {sleepAt, wakeAt, timezone, weekdaysOnly}, or "none" to stay always on'
              : ctx.defaultError,
        }),
      })
      .optional(),
    listener: listenerSlotSchema.optional(),
    lastRollout: lastRolloutSchema.optional(),
    /** The WordPress runtime: administrator, uploads, cron, managed plugins (runtimeEntrySchema). */
    runtime: runtimeEntrySchema.optional(),

    // ---- Edge: canonical host, a customer's Route 53 zone, firewall opt-outs ----
    /**
     * The canonical host: WordPress's WP_HOME, and the host every other one redirects to (301).
     * @default the first of `hosts`
     */
    primaryHost: z.string().optional(),
    /**
     * A customer's Route 53 zone the operator manages in the environment's account: hosts in it
     * get alias records and certificate validation records like the environment's own.
     * @default - hosts outside the environment's zone are the customer's to point (tenants add prints how)
     */
    dnsZone: dnsZoneSchema.optional(),
    /** Opt-outs from the platform's web firewall rules. @default - every rule applies */
    firewall: firewallOptionsSchema.optional(),
  })
  .strict();

/** The whole file. */
export const registryFileSchema = z
  .object({
    tenants: z.array(z.unknown(), {
      required_error: "required: a `tenants:` list (it may be empty: `tenants: []`)",
    }),
  })
  .strict();

/** A validated tenant entry, as written in the registry. */
export type TenantEntry = z.infer<typeof tenantEntrySchema>;
/** A scale-to-zero schedule. */
export type TenantSchedule = z.infer<typeof scheduleSchema>;
/** An allocated listener slot. */
export type ListenerSlot = z.infer<typeof listenerSlotSchema>;
/** The outcome of a tenant's last image rollout. */
export type LastRollout = z.infer<typeof lastRolloutSchema>;

/** A valid `image` value (tag, digest or full reference): what `rollout --image` accepts. */
export const imageSchema = tenantEntrySchema.shape.image.unwrap();
