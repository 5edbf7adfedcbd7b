/**
 * The tenants config list: the schema of one entry of `tenants/<env>.yaml`.
 *
 * Structural rules (types, required fields, unknown keys) are zod's; rules that span fields or
 * entries (min <= desired <= max, unique ids, hosts and listener slots) live in `validate.ts`.
 */
import { z } from "zod";
import { parseTaskSize } from "./fargateSizes";

/**
 * Tenant ids become stack names (`<env>.<id>`), AWS resource names, EFS paths and MySQL
 * identifiers (`wp_<id>`, at most 32 characters), so they are short and plain: lower-case
 * letters, digits and single hyphens, starting with a letter.
 */
export const TENANT_ID_PATTERN = /^[a-z](?:[a-z0-9]|-(?!-)){1,26}[a-z0-9]$/;

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

/** An ALB rule takes at most 5 condition values; each host is one. */
export const MAX_HOSTS = 5;

/** ALB listener rule priorities range from 1 to 50000. */
export const MAX_PRIORITY = 50000;

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a time of day as HH:MM, e.g. 19:00");

/** Scale-to-zero outside working hours (dev and test only). */
export const scheduleSchema = z
  .object({
    /** Time the service scales to zero. */
    sleepAt: hhmm,
    /** Time it scales back to its minimum. */
    wakeAt: hhmm,
    /** IANA time zone of both times. @default UTC */
    timezone: z
      .string()
      .regex(/^[A-Za-z_]+(\/[A-Za-z_+-]+)*$/, "an IANA time zone such as Africa/Johannesburg")
      .default("UTC"),
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
    /** `simulated`: an offline rollout (the offline engine; nothing ran in AWS). */
    result: z.enum(["completed", "rolled-back", "failed", "simulated"]),
    taskDefinitionArn: z.string().optional(),
  })
  .strict();

/** One tenant entry. */
export const tenantEntrySchema = z
  .object({
    id: z
      .string({ required_error: "required: the tenant id, e.g. acme" })
      .regex(
        TENANT_ID_PATTERN,
        "must be 3-28 characters of lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen (it names stacks, AWS resources and the MySQL schema)",
      ),
    hosts: z
      .array(
        z
          .string()
          .regex(
            HOST_PATTERN,
            "is not a valid DNS host name (lower-case labels of letters, digits and hyphens, e.g. shop.example.com)",
          ),
        {
          required_error: "required: 1 to 5 host names the site answers on",
        },
      )
      .min(1, "needs at least 1 host name")
      .max(MAX_HOSTS, `takes at most ${MAX_HOSTS} host names (an ALB rule matches at most 5 values)`),
    size: z
      .string()
      .superRefine((value, ctx) => {
        const parsed = parseTaskSize(value);
        if ("error" in parsed) ctx.addIssue({ code: "custom", message: parsed.error });
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
    /** Image tag, digest (sha256:...) or full image reference. */
    image: z
      .string()
      .regex(
        /^([a-z0-9][a-z0-9._/:-]*[/:@])?([A-Za-z0-9_][A-Za-z0-9._-]{0,127}|sha256:[a-f0-9]{64})$/,
        "must be an image tag (6.8.3-php8.3-apache), a digest (sha256:<64 hex>) or a full image reference",
      )
      .optional(),
    schedule: scheduleSchema.optional(),
    listener: listenerSlotSchema.optional(),
    lastRollout: lastRolloutSchema.optional(),
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
