/**
 * The platform configuration model: which `bbws:*` keys a platform stack takes, how they are
 * validated, and how they combine with the environment preset into `PlatformSettings`.
 *
 * Only composition roots (index.ts, the tenant stack program, the CLIs) call this; components
 * receive the typed result as arguments.
 */
import { BbwsError } from "../lib/errors";
import { closest, distance } from "fastest-levenshtein";
import { z } from "zod";
import {
  BackupPreset,
  DatabasePreset,
  DefaultSchedule,
  ENVIRONMENTS,
  EnvironmentName,
  EnvironmentPreset,
  NAT_MODES,
  PRESETS,
} from "./presets";
import { TaskSize, taskSizeSchema } from "./fargateSizes";
import { validateBackupLifecycles } from "./backupLifecycle";
import { AccountQuotas, QUOTAS, QuotaId } from "./quotas";
import { imageReferenceProblem } from "./imageReference";
import { hhmm, timeZoneSchema } from "./tenantEntry";

/** The Pulumi project name; also the configuration namespace (`bbws:<key>`). */
export const PROJECT = "bbws";

/** Certificate for the HTTPS listeners: an existing ACM certificate, or one issued via DNS. */
export type CertificateSource = { readonly arn: string } | { readonly hostedZoneId: string };

/** Everything the platform program needs, validated and with the preset applied. */
export interface PlatformSettings extends EnvironmentPreset {
  readonly environment: EnvironmentName;
  readonly region: string;
  readonly drRegion: string;
  /** Base DNS domain of the environment, e.g. wpdev.example.com. */
  readonly domain: string;
  readonly certificate: CertificateSource;
  readonly vpcCidr: string;
  /** Default WordPress image, as a path on ECR Public served through the pull-through cache. */
  readonly wordpressImage: string;
  /** E-mail address subscribed to the alarm and backup notification topics, if any. */
  readonly alarmEmail?: string;
  /** Account quotas raised above AWS's defaults (config/quotas.ts); absent ones are the defaults. */
  readonly quotas: AccountQuotas;
  // --- Runtime (issue 14) ---
  /** Where the tenants' runtime image comes from (`bbws:runtimeImage`). */
  readonly runtimeImage: RuntimeImageSource;
  /** Domain verified in SES that tenants send mail from (`bbws:mailDomain`); none: no mail transport. */
  readonly mailDomain?: string;
  /** How visitors reach tenants: DNS zone, web firewall (the edge block below). */
  readonly edge: EdgeSettings;
}

// --- Runtime (issue 14): the image tenants run and their mail ------------------------------

/**
 * The runtime image: built from `runtime/` and pushed to the environment's repository by the
 * platform stack (needs Docker where `pulumi up` runs), a pre-built image by digest, or the
 * official image as it is (the fallback; README lists what it lacks).
 */
export type RuntimeImageSource =
  | { readonly kind: "build" }
  | { readonly kind: "stock" }
  | { readonly kind: "reference"; readonly reference: string };

/** `bbws:runtimeImage` values besides a reference. */
export const RUNTIME_IMAGE_MODES = ["build", "stock"] as const;

/** Why `value` is not a `bbws:runtimeImage` value, or undefined. */
export function runtimeImageProblem(value: string): string | undefined {
  if ((RUNTIME_IMAGE_MODES as readonly string[]).includes(value)) return undefined;
  if (!value.includes("/"))
    return "neither build, stock nor a full image reference (registry/path@sha256:<64 hex>)";
  const problem = imageReferenceProblem(value);
  if (problem) return problem;
  if (!/@sha256:[a-f0-9]{64}$/.test(value))
    return "a pre-built image is taken by digest only (registry/path@sha256:<64 hex>): a tag can move";
  return undefined;
}

/** Parses a valid `bbws:runtimeImage` value. */
export function parseRuntimeImageSource(value: string | undefined): RuntimeImageSource {
  if (value === undefined || value === "build") return { kind: "build" };
  if (value === "stock") return { kind: "stock" };
  return { kind: "reference", reference: value };
}

// ---- Edge: DNS zone, web firewall, HSTS ----

/** Default requests per source IP in 5 minutes before the web firewall blocks it (about 7 per second). */
export const DEFAULT_WAF_RATE_LIMIT = 2000;

/** The edge settings of an environment. */
export interface EdgeSettings {
  /**
   * Route 53 zone of `domain`: every tenant host below it gets an alias record to its shard.
   * @default - no zone: tenant hosts are pointed by hand (tenants add prints the records)
   */
  readonly hostedZoneId?: string;
  /** An AWS WAF web ACL on every ALB shard. @default true in prod, false elsewhere */
  readonly waf: boolean;
  /** Requests per source IP per 5 minutes before the rate rule blocks it. @default DEFAULT_WAF_RATE_LIMIT */
  readonly wafRateLimit: number;
  /** Hosts on which `/xmlrpc.php` is let through (tenants with `firewall.allowXmlrpc`). @default none */
  readonly wafXmlrpcAllowedHosts: readonly string[];
}

/** `a.example.com, b.example.com` -> the host names, lower-case, without trailing dots. */
function hostList(value: unknown): unknown {
  if (typeof value !== "string") return value;
  return value
    .split(/[\s,]+/)
    .map((h) => h.toLowerCase().replace(/\.+$/, ""))
    .filter((h) => h.length > 0);
}

/** The region and account of an ACM certificate ARN. */
export function certificateArnParts(arn: string): { region: string; account: string } | undefined {
  const match = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):(\d{12}):certificate\//.exec(arn);
  return match ? { region: match[1], account: match[2] } : undefined;
}

/** CloudWatch Logs accepts only these retention periods (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const REGION_PATTERN = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const DOMAIN_PATTERN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

const text = (allowed: string, pattern: RegExp) => z.string().regex(pattern, allowed);
const integer = (min: number, max: number) =>
  z.preprocess(
    toNumber,
    z
      .number({ message: `an integer from ${min} to ${max}` })
      .int(`an integer from ${min} to ${max}`)
      .min(min, `an integer from ${min} to ${max}`)
      .max(max, `an integer from ${min} to ${max}`),
  );
const boolean = z.preprocess(toBoolean, z.boolean({ message: "true or false" }));
const oneOf = <T extends string>(values: readonly [T, ...T[]]) =>
  z.enum(values, { message: `one of ${values.join(", ")}` });

function toNumber(value: unknown): unknown {
  if (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))) return Number(value);
  return value;
}
function toBoolean(value: unknown): unknown {
  if (value === "true") return true;
  if (value === "false") return false;
  return value;
}

/** Config key -> quota id, filled by quotaKeys(). */
const QUOTA_KEYS: Record<string, QuotaId> = {};

/** Why `cidr` is not an IPv4 block /16-/20 with its host bits zero, or undefined. */
export function cidrProblem(cidr: string): string | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!match) return "not of the form a.b.c.d/n";
  const octets = match.slice(1, 5).map(Number);
  const bad = octets.findIndex(
    (o, i) => o > 255 || (match[i + 1].length > 1 && match[i + 1].startsWith("0")),
  );
  if (bad >= 0) return `octet ${bad + 1} is ${match[bad + 1]}, not 0-255`;
  const prefix = Number(match[5]);
  if (prefix < 16 || prefix > 20)
    return `the prefix /${prefix} is outside /16-/20 (a VPC takes /16 to /28; BBWS needs room for its subnets)`;
  const address = octets.reduce((n, o) => n * 256 + o, 0);
  const hostBits = 2 ** (32 - prefix);
  if (address % hostBits !== 0) {
    const network = address - (address % hostBits);
    const text = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join(".");
    return `host bits are set; the block is ${text}/${prefix}`;
  }
  return undefined;
}

/** One `bbws:*` key: its Pulumi.yaml type, its description and its schema. */
export interface ConfigKey {
  readonly type: "string" | "integer" | "boolean";
  readonly description: string;
  readonly schema: z.ZodTypeAny;
}

/**
 * Every key a platform stack accepts. Pulumi.yaml declares the same keys (a unit test keeps the
 * two in step); keys not set fall back to the environment preset.
 */
export const CONFIG_KEYS: Readonly<Record<string, ConfigKey>> = {
  environment: {
    type: "string",
    description: "Environment preset (dev, test or prod). Defaults to the stack name.",
    schema: oneOf(ENVIRONMENTS),
  },
  drRegion: {
    type: "string",
    description: "Region of the disaster-recovery backup vault. Defaults to eu-west-1.",
    schema: text("an AWS region name such as eu-west-1", REGION_PATTERN),
  },
  domain: {
    type: "string",
    description: "Base DNS domain of the environment, e.g. wpdev.example.com.",
    schema: text("a lower-case DNS name such as wpdev.example.com", DOMAIN_PATTERN),
  },
  certificateArn: {
    type: "string",
    description:
      "ARN of an ACM certificate covering *.<domain>, in the stack's region and account (set this, hostedZoneId, or both).",
    schema: text(
      "an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)",
      /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/,
    ),
  },
  hostedZoneId: {
    type: "string",
    description:
      "Route 53 zone of the domain: tenant hosts below it get alias records; without certificateArn a DNS-validated wildcard certificate is issued in it.",
    schema: text("a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ", /^Z[A-Z0-9]{1,31}$/),
  },
  vpcCidr: {
    type: "string",
    description: "IPv4 CIDR of the VPC (a /16 to /20). Defaults to 10.0.0.0/16.",
    schema: z.string().superRefine((cidr, ctx) => {
      const problem = cidrProblem(cidr);
      if (problem)
        ctx.addIssue({
          code: "custom",
          message: `an IPv4 CIDR block from /16 to /20 such as 10.20.0.0/16 (${problem})`,
        });
    }),
  },
  availabilityZones: {
    type: "integer",
    description: "Availability zones to spread subnets, tasks, EFS and Aurora over (2 or 3).",
    schema: integer(2, 3),
  },
  natGateways: {
    type: "string",
    description:
      "Egress of the private subnets: 'single' NAT gateway, 'onePerAz' (survives an AZ outage) or 'instance' (one NAT instance, no AZ redundancy; dev default).",
    schema: oneOf(NAT_MODES),
  },
  natInstanceType: {
    type: "string",
    description: "Instance type of the NAT instance (natGateways: instance): a priced Graviton type.",
    schema: oneOf(["t4g.nano", "t4g.micro", "t4g.small"]),
  },
  interfaceEndpoints: {
    type: "boolean",
    description: "Create interface endpoints for ECR, CloudWatch Logs, Secrets Manager and STS.",
    schema: boolean,
  },
  containerInsights: {
    type: "boolean",
    description: "Enable ECS Container Insights on the cluster.",
    schema: boolean,
  },
  logRetentionDays: {
    type: "integer",
    description: "Retention of the environment's container log group, in days.",
    schema: z.preprocess(
      toNumber,
      z.number().refine((n) => (LOG_RETENTION_DAYS as readonly number[]).includes(n), {
        message: `one of CloudWatch's retention periods: ${LOG_RETENTION_DAYS.join(", ")}`,
      }),
    ),
  },
  albShards: {
    type: "integer",
    description: "Number of ALBs; each holds at most ~100 tenants (100 target groups per ALB).",
    schema: integer(1, 50),
  },
  deletionProtection: {
    type: "boolean",
    description: "Deletion protection on the ALBs and Aurora, and `protect` on stateful resources.",
    schema: boolean,
  },
  finalSnapshot: {
    type: "boolean",
    description: "Take a final Aurora snapshot when the cluster is deleted.",
    schema: boolean,
  },
  dbMinCapacity: {
    type: "string",
    description: "Aurora Serverless v2 minimum capacity in ACUs (0 to 256, in steps of 0.5).",
    schema: acuSchema(),
  },
  dbMaxCapacity: {
    type: "string",
    description: "Aurora Serverless v2 maximum capacity in ACUs (1 to 256, in steps of 0.5).",
    schema: acuSchema(1),
  },
  dbAutoPauseSeconds: {
    type: "integer",
    description: "Idle seconds before Aurora pauses when dbMinCapacity is 0 (300 to 86400).",
    schema: integer(300, 86400),
  },
  dbReaders: {
    type: "integer",
    description: "Aurora readers in other availability zones, besides the writer (0 to 15).",
    schema: integer(0, 15),
  },
  dbBackupRetentionDays: {
    type: "integer",
    description: "Aurora automated backup (point-in-time recovery) retention, 1 to 35 days.",
    schema: integer(1, 35),
  },
  backupRetentionDays: {
    type: "integer",
    description: "Days AWS Backup keeps the hourly recovery points in the primary vault.",
    schema: integer(1, 36500),
  },
  backupEfsColdStorageAfterDays: {
    type: "integer",
    description: "Days before EFS recovery points move to cold storage (needs retention >= this + 90).",
    schema: integer(1, 36500),
  },
  backupDrCopyRetentionDays: {
    type: "integer",
    description: "Days the copies in the disaster-recovery vault are kept.",
    schema: integer(1, 36500),
  },
  backupVaultLock: {
    type: "string",
    description: "Vault lock mode: none, governance or compliance (compliance cannot be undone).",
    schema: oneOf(["none", "governance", "compliance"]),
  },
  backupRestoreTesting: {
    type: "boolean",
    description: "Run a monthly AWS Backup restore test of the EFS file system and Aurora cluster.",
    schema: boolean,
  },
  tenantSize: {
    type: "string",
    description: "Default tenant task size: a tier (small, medium, large, xlarge) or cpu/memory.",
    schema: z.string().pipe(taskSizeSchema),
  },
  tenantDesiredCount: {
    type: "integer",
    description: "Default number of tasks per tenant.",
    schema: integer(0, 100),
  },
  tenantMinTasks: {
    type: "integer",
    description: "Default autoscaling minimum per tenant.",
    schema: integer(0, 100),
  },
  tenantMaxTasks: {
    type: "integer",
    description: "Default autoscaling maximum per tenant.",
    schema: integer(1, 100),
  },
  tenantFargateBase: {
    type: "integer",
    description: "Tasks per tenant that always run on on-demand FARGATE (0 allows all-Spot).",
    schema: integer(0, 100),
  },
  tenantSpotWeight: {
    type: "integer",
    description: "Weight of FARGATE_SPOT in tenant services' capacity provider strategy.",
    schema: integer(0, 1000),
  },
  tenantFargateWeight: {
    type: "integer",
    description: "Weight of FARGATE in tenant services' capacity provider strategy.",
    schema: integer(0, 1000),
  },
  tenantSleepAt: {
    type: "string",
    description: "Default time tenants without a schedule scale to zero (HH:MM), or 'none': always on.",
    schema: z.union([z.literal("none"), hhmm], { message: "a time of day as HH:MM, or none" }),
  },
  tenantWakeAt: {
    type: "string",
    description: "Default time sleeping tenants wake (HH:MM; with tenantSleepAt).",
    schema: hhmm,
  },
  tenantScheduleTimezone: {
    type: "string",
    description: "IANA time zone of tenantSleepAt and tenantWakeAt (default UTC).",
    schema: timeZoneSchema,
  },
  tenantScheduleWeekdaysOnly: {
    type: "boolean",
    description: "Default schedule keeps tenants asleep at weekends (default true).",
    schema: boolean,
  },
  wordpressImage: {
    type: "string",
    description:
      "Default WordPress image path on ECR Public, e.g. docker/library/wordpress:6.8-php8.3-apache.",
    schema: z.string().superRefine((image, ctx) => {
      const problem = /^[a-z0-9][a-z0-9._/-]*(:[\w][\w.-]*)?(@sha256:[a-f0-9]+)?$/.test(image)
        ? imageReferenceProblem(image)
        : "it is not a path on ECR Public";
      if (problem)
        ctx.addIssue({
          code: "custom",
          message: `an ECR Public image path with a tag or digest, such as docker/library/wordpress:6.8-php8.3-apache (${problem})`,
        });
    }),
  },
  alarmEmail: {
    type: "string",
    description: "E-mail address subscribed to alarm and backup notifications (optional).",
    schema: z.string().email("an e-mail address"),
  },
  // --- Runtime (issue 14) ---
  runtimeImage: {
    type: "string",
    description:
      "Tenants' runtime image: build (from runtime/, needs Docker), stock (the official image) or a pre-built registry/path@sha256:<digest>. Defaults to build.",
    schema: z.string().superRefine((value, ctx) => {
      const problem = runtimeImageProblem(value);
      if (problem)
        ctx.addIssue({
          code: "custom",
          message: `build, stock or registry/path@sha256:<64 hex> (${problem})`,
        });
    }),
  },
  mailDomain: {
    type: "string",
    description:
      "Domain tenants send mail from, verified as an SES identity by the platform (optional: no mail without it).",
    schema: text("a lower-case DNS name such as wpdev.example.com", DOMAIN_PATTERN),
  },
  // ---- Edge: DNS zone, web firewall ----
  waf: {
    type: "boolean",
    description:
      "An AWS WAF web ACL on every ALB shard (managed rule groups, a per-IP rate rule, xmlrpc.php blocked). Defaults to true in prod.",
    schema: boolean,
  },
  wafRateLimit: {
    type: "integer",
    description: `Requests one source IP may send in 5 minutes before the web firewall blocks it (default ${DEFAULT_WAF_RATE_LIMIT}).`,
    schema: integer(10, 2_000_000_000),
  },
  wafXmlrpcAllowedHosts: {
    type: "string",
    description:
      "Comma-separated hosts on which the web firewall lets /xmlrpc.php through (tenants with firewall.allowXmlrpc).",
    schema: z.preprocess(
      hostList,
      z.array(
        z
          .string()
          .regex(
            /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/,
            "host names",
          ),
        { message: "a comma-separated list of host names" },
      ),
    ),
  },
  ...quotaKeys(),
};

/** `bbws:quota*`: the adjustable quotas of config/quotas.ts, defaults = AWS defaults. */
function quotaKeys(): Record<string, ConfigKey> {
  const keys: Record<string, ConfigKey> = {};
  for (const [id, quota] of Object.entries(QUOTAS) as [QuotaId, (typeof QUOTAS)[QuotaId]][]) {
    if (!("configKey" in quota)) continue;
    keys[quota.configKey] = {
      type: "integer",
      description: `The account's quota of ${quota.name} if raised (default ${quota.defaultLimit}, AWS's); plan and tenants add refuse to cross it.`,
      schema: integer(1, 1_000_000),
    };
    QUOTA_KEYS[quota.configKey] = id;
  }
  return keys;
}

function acuSchema(min = 0) {
  const allowed = `a number of ACUs from ${min} to 256 in steps of 0.5`;
  return z.preprocess(
    toNumber,
    z
      .number({ message: allowed })
      .min(min, allowed)
      .max(256, allowed)
      .refine((n) => Number.isInteger(n * 2), allowed),
  );
}

/** One configuration problem: the key, what was received and what is allowed. */
export interface ConfigProblem {
  readonly key: string;
  readonly received?: unknown;
  readonly message: string;
}

/** Raised when a stack's configuration is invalid; lists every problem at once. */
export class ConfigError extends BbwsError {
  constructor(
    readonly source: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      "invalidInput",
      `Invalid configuration in ${source}:\n` +
        problems
          .map(
            (p) =>
              `  - ${p.key}: ${p.received === undefined ? "" : `got ${JSON.stringify(p.received)}; `}${p.message}`,
          )
          .join("\n"),
    );
  }
}

/** Raw configuration: `bbws:*` keys without the namespace, plus the AWS region. */
export interface RawPlatformConfig {
  readonly stackName: string;
  readonly region?: string;
  readonly values: Readonly<Record<string, unknown>>;
}

/**
 * Validates raw stack configuration and applies the environment preset. Every problem is
 * reported at once, each naming the key, the value received and what is allowed.
 */
export function resolvePlatformSettings(
  raw: RawPlatformConfig,
  source = `Pulumi.${raw.stackName}.yaml`,
): PlatformSettings {
  const problems: ConfigProblem[] = [];
  const parsed: Record<string, unknown> = {};

  for (const [key, value] of Object.entries(raw.values)) {
    if (value === undefined || value === null) continue;
    const spec = CONFIG_KEYS[key];
    if (!spec) {
      const hint = closestKey(key);
      problems.push({
        key: `${PROJECT}:${key}`,
        message: `unknown key${hint ? `; did you mean ${PROJECT}:${hint}?` : ""} (known keys: see Pulumi.yaml)`,
      });
      continue;
    }
    const result = spec.schema.safeParse(value);
    if (result.success) parsed[key] = result.data;
    else
      problems.push({
        key: `${PROJECT}:${key}`,
        received: value,
        message: `allowed: ${result.error.issues[0].message}`,
      });
  }

  const environment =
    (parsed.environment as EnvironmentName | undefined) ?? defaultEnvironment(raw.stackName);
  if (!environment) {
    problems.push({
      key: `${PROJECT}:environment`,
      message: `not set, and the stack name "${raw.stackName}" is not an environment; allowed: ${ENVIRONMENTS.join(", ")}`,
    });
  }
  if (!raw.region) {
    problems.push({
      key: "aws:region",
      message: "required; set it with `pulumi config set aws:region af-south-1`",
    });
  } else if (!REGION_PATTERN.test(raw.region)) {
    problems.push({
      key: "aws:region",
      received: raw.region,
      message: "allowed: an AWS region name such as af-south-1",
    });
  }
  if (parsed.domain === undefined && !problems.some((p) => p.key === `${PROJECT}:domain`)) {
    problems.push({
      key: `${PROJECT}:domain`,
      message: "required: the environment's base DNS domain, e.g. wpdev.example.com",
    });
  }
  const hasArn = parsed.certificateArn !== undefined;
  const hasZone = parsed.hostedZoneId !== undefined;
  if (!hasArn && !hasZone && !problems.some((p) => /certificateArn|hostedZoneId/.test(p.key))) {
    problems.push({
      key: `${PROJECT}:certificateArn`,
      message: "required: set certificateArn (an existing ACM certificate) or hostedZoneId (to issue one)",
    });
  }
  if (problems.length > 0 || !environment) throw new ConfigError(source, problems);

  const settings = applyOverrides(PRESETS[environment], parsed, {
    environment,
    region: raw.region!,
    drRegion: (parsed.drRegion as string | undefined) ?? "eu-west-1",
    domain: parsed.domain as string,
    certificate: hasArn
      ? { arn: parsed.certificateArn as string }
      : { hostedZoneId: parsed.hostedZoneId as string },
    vpcCidr: (parsed.vpcCidr as string | undefined) ?? "10.0.0.0/16",
    wordpressImage:
      (parsed.wordpressImage as string | undefined) ?? "docker/library/wordpress:6.8-php8.3-apache",
    alarmEmail: parsed.alarmEmail as string | undefined,
    runtimeImage: parseRuntimeImageSource(parsed.runtimeImage as string | undefined),
    mailDomain: parsed.mailDomain as string | undefined,
    quotas: Object.fromEntries(
      Object.entries(QUOTA_KEYS)
        .filter(([key]) => parsed[key] !== undefined)
        .map(([key, id]) => [id, parsed[key] as number]),
    ),
    edge: {
      hostedZoneId: parsed.hostedZoneId as string | undefined,
      waf: (parsed.waf as boolean | undefined) ?? environment === "prod",
      wafRateLimit: (parsed.wafRateLimit as number | undefined) ?? DEFAULT_WAF_RATE_LIMIT,
      wafXmlrpcAllowedHosts: (parsed.wafXmlrpcAllowedHosts as string[] | undefined) ?? [],
    },
  });

  const crossProblems = crossFieldProblems(settings, parsed);
  if (crossProblems.length > 0) throw new ConfigError(source, crossProblems);
  return settings;
}

function defaultEnvironment(stackName: string): EnvironmentName | undefined {
  return (ENVIRONMENTS as readonly string[]).includes(stackName) ? (stackName as EnvironmentName) : undefined;
}

function applyOverrides(
  preset: EnvironmentPreset,
  p: Record<string, unknown>,
  base: Omit<PlatformSettings, keyof EnvironmentPreset>,
): PlatformSettings {
  const pick = <T>(key: string, fallback: T): T => (p[key] as T | undefined) ?? fallback;
  const database: DatabasePreset = {
    minCapacity: pick("dbMinCapacity", preset.database.minCapacity),
    maxCapacity: pick("dbMaxCapacity", preset.database.maxCapacity),
    readers: pick("dbReaders", preset.database.readers),
    backupRetentionDays: pick("dbBackupRetentionDays", preset.database.backupRetentionDays),
    autoPauseSeconds: pick("dbAutoPauseSeconds", preset.database.autoPauseSeconds),
  };
  const lock = pick<string | undefined>("backupVaultLock", preset.backup.vaultLock);
  const backup: BackupPreset = {
    retentionDays: pick("backupRetentionDays", preset.backup.retentionDays),
    efsColdStorageAfterDays: pick("backupEfsColdStorageAfterDays", preset.backup.efsColdStorageAfterDays),
    drCopyRetentionDays: pick("backupDrCopyRetentionDays", preset.backup.drCopyRetentionDays),
    vaultLock: lock === "none" ? undefined : (lock as BackupPreset["vaultLock"]),
    restoreTesting: pick("backupRestoreTesting", preset.backup.restoreTesting),
  };
  const size = pick<TaskSize>("tenantSize", preset.tenant.size);
  return {
    ...base,
    availabilityZones: pick("availabilityZones", preset.availabilityZones),
    natGateways: pick("natGateways", preset.natGateways),
    natInstanceType: pick("natInstanceType", preset.natInstanceType),
    interfaceEndpoints: pick("interfaceEndpoints", preset.interfaceEndpoints),
    containerInsights: pick("containerInsights", preset.containerInsights),
    logRetentionDays: pick("logRetentionDays", preset.logRetentionDays),
    clusterCapacityStrategy: preset.clusterCapacityStrategy,
    tenant: {
      size,
      desiredCount: pick("tenantDesiredCount", preset.tenant.desiredCount),
      minTasks: pick("tenantMinTasks", preset.tenant.minTasks),
      maxTasks: pick("tenantMaxTasks", preset.tenant.maxTasks),
      capacity: {
        fargateBase: pick("tenantFargateBase", preset.tenant.capacity.fargateBase),
        fargateWeight: pick("tenantFargateWeight", preset.tenant.capacity.fargateWeight),
        spotWeight: pick("tenantSpotWeight", preset.tenant.capacity.spotWeight),
      },
      healthCheckGracePeriodSeconds: preset.tenant.healthCheckGracePeriodSeconds,
      schedule: defaultSchedule(preset.tenant.schedule, p),
    },
    deletionProtection: pick("deletionProtection", preset.deletionProtection),
    finalSnapshot: pick("finalSnapshot", preset.finalSnapshot),
    database,
    backup,
    albShards: pick("albShards", preset.albShards),
  };
}

/** The preset's default tenant schedule with the stack's tenantSleepAt/WakeAt/... applied. */
function defaultSchedule(
  preset: DefaultSchedule | undefined,
  p: Record<string, unknown>,
): DefaultSchedule | undefined {
  if (p.tenantSleepAt === "none") return undefined;
  const sleepAt = (p.tenantSleepAt as string | undefined) ?? preset?.sleepAt;
  const wakeAt = (p.tenantWakeAt as string | undefined) ?? preset?.wakeAt;
  if (sleepAt === undefined || wakeAt === undefined) return undefined;
  return {
    sleepAt,
    wakeAt,
    timezone: (p.tenantScheduleTimezone as string | undefined) ?? preset?.timezone ?? "UTC",
    weekdaysOnly: (p.tenantScheduleWeekdaysOnly as boolean | undefined) ?? preset?.weekdaysOnly ?? true,
  };
}

function crossFieldProblems(s: PlatformSettings, p: Record<string, unknown>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const key = (k: string) => `${PROJECT}:${k}`;
  if (s.drRegion === s.region) {
    problems.push({
      key: key("drRegion"),
      received: s.drRegion,
      message: `must differ from aws:region (${s.region}): a DR copy in the same region survives no regional outage`,
    });
  }
  if (s.database.minCapacity > s.database.maxCapacity) {
    problems.push({
      key: key("dbMinCapacity"),
      received: s.database.minCapacity,
      message: `must not exceed dbMaxCapacity (${s.database.maxCapacity})`,
    });
  }
  const t = s.tenant;
  if (p.tenantSleepAt === "none" && p.tenantWakeAt !== undefined) {
    problems.push({
      key: key("tenantWakeAt"),
      received: p.tenantWakeAt,
      message: "has no effect with tenantSleepAt: none (tenants are always on); remove one of them",
    });
  } else if (
    p.tenantSleepAt !== "none" &&
    !t.schedule &&
    (p.tenantSleepAt !== undefined || p.tenantWakeAt !== undefined)
  ) {
    const missing = p.tenantSleepAt === undefined ? "tenantSleepAt" : "tenantWakeAt";
    problems.push({
      key: key(missing),
      message: `required: a default schedule needs both tenantSleepAt and tenantWakeAt (HH:MM)`,
    });
  }
  if (t.schedule && s.environment === "prod" && p.tenantSleepAt !== undefined) {
    problems.push({
      key: key("tenantSleepAt"),
      received: p.tenantSleepAt,
      message: "scale-to-zero schedules are for dev and test; a production site stays up (use none)",
    });
  }
  if (t.schedule && t.schedule.sleepAt === t.schedule.wakeAt) {
    problems.push({
      key: key("tenantSleepAt"),
      received: t.schedule.sleepAt,
      message: `must differ from tenantWakeAt (${t.schedule.wakeAt})`,
    });
  }
  if (t.minTasks > t.maxTasks) {
    problems.push({
      key: key("tenantMinTasks"),
      received: t.minTasks,
      message: `must not exceed tenantMaxTasks (${t.maxTasks})`,
    });
  }
  if (t.desiredCount < t.minTasks || t.desiredCount > t.maxTasks) {
    problems.push({
      key: key("tenantDesiredCount"),
      received: t.desiredCount,
      message: `must lie between tenantMinTasks (${t.minTasks}) and tenantMaxTasks (${t.maxTasks})`,
    });
  }
  if (t.capacity.fargateWeight + t.capacity.spotWeight === 0) {
    problems.push({
      key: key("tenantSpotWeight"),
      received: 0,
      message: "tenantSpotWeight and tenantFargateWeight cannot both be 0 (ECS needs one weight above 0)",
    });
  }
  // ALBs use ACM certificates of their own region (and account: checked against the caller's
  // identity by the platform program, components/shared/certificate.ts).
  if ("arn" in s.certificate) {
    const parts = certificateArnParts(s.certificate.arn);
    if (parts && parts.region !== s.region)
      problems.push({
        key: key("certificateArn"),
        received: s.certificate.arn,
        message: `is in region ${parts.region}, but the ALBs are in ${s.region} (aws:region): an ALB takes certificates of its own region only; request or import it in ${s.region}`,
      });
  }
  for (const problem of validateBackupLifecycles({
    retentionDays: s.backup.retentionDays,
    efsColdStorageAfterDays: s.backup.efsColdStorageAfterDays,
    drCopyRetentionDays: s.backup.drCopyRetentionDays,
  })) {
    problems.push({ key: key(problem.configKey), received: problem.received, message: problem.message });
  }
  return problems;
}

/** The declared key closest to a mistyped one (edit distance <= 3), for "did you mean". */
function closestKey(key: string): string | undefined {
  const candidate = closest(key, Object.keys(CONFIG_KEYS));
  return distance(key.toLowerCase(), candidate.toLowerCase()) <= 3 ? candidate : undefined;
}
