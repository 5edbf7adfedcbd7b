/**
 * The one option table of the operator CLI. Every option is declared once, with its meaning,
 * its parser and its default; a command lists the ones it takes. So an option means the same
 * thing in every command (`--tenants` is always a registry file, `--json` always one JSON
 * document on stdout), and `--help` documents each the same way.
 *
 * Light on purpose: parsing the command line loads no Pulumi SDK, no AWS SDK, no program.
 */
import { InvalidArgumentError, Option } from "commander";
import {
  CERTIFICATE_WAIT_DEFAULTS,
  DEFAULT_CONCURRENCY,
  DEFAULT_LOCK_ATTEMPTS,
  ROLLOUT_DEFAULTS,
  VERIFY_DEFAULTS,
} from "../tenants/lifecycle/defaults";
import { BACKUP_DEFAULTS, RESTORE_POLL_INTERVAL_SECONDS } from "../ops/defaults";
import { imageSchema } from "../config/tenantEntry";
import { TENANT_ID_MAX_LENGTH } from "../config/awsNames";
import { parseFault } from "../offline/faults";
import { Shard, parseShard } from "../tenants/lifecycle/shard";

/** A whole number >= `minimum`. */
export const wholeNumber =
  (minimum: number) =>
  (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < minimum)
      throw new InvalidArgumentError(`expected a whole number >= ${minimum}`);
    return Number(value);
  };

/** `i/N` for `--shard`. */
export const shardOption = (value: string): Shard => {
  try {
    return parseShard(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message.replace(/^--shard "[^"]*": /, ""));
  }
};

/** A whole number of seconds >= 1. */
export const seconds = (value: string): number => {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError("expected a whole number of seconds >= 1");
  return Number(value);
};

/** A whole number of seconds >= 0 (0: check once, do not wait). */
export const secondsOrZero = (value: string): number => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("expected a whole number of seconds >= 0");
  return Number(value);
};

/** A whole number of days >= 1. */
export const days = (value: string): number => {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError("expected a whole number of days >= 1");
  return Number(value);
};

/** An ISO 8601 time with a zone: a date alone would be read in the local zone. */
export const isoTime = (value: string): Date => {
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) ||
    Number.isNaN(Date.parse(value))
  ) {
    throw new InvalidArgumentError("expected an ISO 8601 time with a zone, e.g. 2025-06-01T14:00:00Z");
  }
  return new Date(value);
};

/** An environment (platform stack) name. */
export const environmentName = (value: string): string => {
  if (!/^[a-z][a-z0-9-]*$/.test(value))
    throw new InvalidArgumentError("expected an environment name such as dev or prod");
  return value;
};

/** An image tag, digest or full reference, as the registry's `image` takes it. */
export const imageReference = (value: string): string => {
  const parsed = imageSchema.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(parsed.error.issues[0].message);
  return parsed.data;
};

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** Every option of every command, by the name commands use to ask for it. */
export const OPTIONS = {
  json: () =>
    new Option(
      "--json",
      "print one JSON document on stdout: the result, or the error with its kind and exit code (progress and notes go to stderr)",
    ),
  output: () =>
    new Option(
      "--output <file>",
      "write the result (text, or JSON with --json) to this file instead of stdout",
    ),
  tenants: () => new Option("--tenants <file>", "tenants registry file (default: tenants/<env>.yaml)"),
  offline: () =>
    new Option(
      "--offline",
      "run against the offline engine: simulated stacks, backups and deployments in the offline state (no Pulumi CLI, no AWS)",
    ),
  offlineState: () =>
    new Option("--offline-state <dir>", "offline state directory (default: .workspaces/offline/<env>)"),
  platformStack: () =>
    new Option(
      "--platform-stack <name>",
      "fully qualified platform stack the tenants reference, <org>/bbws/<env> (default: found on the backend; a DIY backend's org is 'organization')",
    ),
  lockAttempts: () =>
    new Option(
      "--lock-attempts <n>",
      "attempts on a locked stack (ConcurrentUpdateError) before giving up, with backoff",
    )
      .argParser(wholeNumber(1))
      .default(DEFAULT_LOCK_ATTEMPTS),
  concurrency: () =>
    new Option("--concurrency <n>", "tenant operations at once (each real one needs ~0.5-1 GB of memory)")
      .argParser(wholeNumber(1))
      .default(DEFAULT_CONCURRENCY),
  preview: () =>
    new Option("--preview", "also preview every existing stack and report the ones with changes as pending"),
  prune: () =>
    new Option(
      "--prune",
      "remove orphan stacks (no registry entry), each after a final backup; their data is kept",
    ),
  purge: () =>
    new Option(
      "--purge",
      "delete the tenant's data too: the final backup waits for its DR copies, the database and user are dropped and /tenants/<id> is deleted",
    ),
  id: () =>
    new Option(
      "--id <id>",
      `tenant id: 3-${TENANT_ID_MAX_LENGTH} lower-case letters, digits and single hyphens, starting with a letter`,
    ).makeOptionMandatory(),
  domain: () =>
    new Option("--domain <host>", "host name the site answers on; repeat for up to 5")
      .argParser(collect)
      .makeOptionMandatory(),
  size: () =>
    new Option(
      "--size <size>",
      "task size: small, medium, large, xlarge or <cpu>/<memory> (default: the environment's)",
    ),
  desired: () => new Option("--desired <n>", "desired number of tasks").argParser(wholeNumber(0)),
  min: () => new Option("--min <n>", "minimum number of tasks (autoscaling)").argParser(wholeNumber(0)),
  max: () => new Option("--max <n>", "maximum number of tasks (autoscaling)").argParser(wholeNumber(0)),
  image: () =>
    new Option(
      "--image <image>",
      "WordPress image: tag, sha256 digest or full reference (default: the environment's)",
    ),
  rolloutImage: () =>
    new Option(
      "--image <image>",
      "image to roll out: tag (6.8.3-php8.3-apache), digest (sha256:<64 hex>) or full reference",
    )
      .argParser(imageReference)
      .makeOptionMandatory(),
  ha: () => new Option("--ha", "keep at least one task on on-demand FARGATE (default: the environment's)"),
  canary: () =>
    new Option("--canary <n>", "tenants rolled out one at a time first (any failure among them halts)")
      .argParser(wholeNumber(0))
      .default(ROLLOUT_DEFAULTS.canary),
  waveSize: () =>
    new Option(
      "--wave-size <n>",
      "tenants rolled out at once after the canaries (a failure halts the next waves)",
    )
      .argParser(wholeNumber(1))
      .default(ROLLOUT_DEFAULTS.waveSize),
  deploymentTimeout: () =>
    new Option("--timeout <seconds>", "seconds each tenant's deployment may take")
      .argParser(seconds)
      .default(ROLLOUT_DEFAULTS.timeoutSeconds),
  rolloutPollInterval: () =>
    new Option("--poll-interval <seconds>", "seconds between deployment checks")
      .argParser(seconds)
      .default(ROLLOUT_DEFAULTS.intervalSeconds),
  // --- verified onboarding and pending certificates (issue 13) ---
  verifyTimeout: () =>
    new Option(
      "--verify-timeout <seconds>",
      "seconds the verification of each deployed site may take (ECS stable, targets healthy, HTTPS answers); 0 checks once",
    )
      .argParser(secondsOrZero)
      .default(VERIFY_DEFAULTS.timeoutSeconds),
  certificateWait: () =>
    new Option(
      "--certificate-wait <seconds>",
      "seconds to wait for ACM to issue a certificate the customer validates before reporting the tenant pending (exit 14); 0 asks once",
    )
      .argParser(secondsOrZero)
      .default(CERTIFICATE_WAIT_DEFAULTS.timeoutSeconds),
  // --- fleet rollouts across machines (issue 17) ---
  shard: () =>
    new Option(
      "--shard <i/N>",
      "only the tenants of stable slice i of N (by a hash of the tenant id), e.g. one CI matrix job per slice",
    ).argParser(shardOption),
  recordsDir: () =>
    new Option(
      "--records-dir <dir>",
      "record each tenant's outcome in <dir>/<env>/<tenant>.json instead of the registry (shards never write one file)",
    ),
  pollInterval: () =>
    new Option("--poll-interval <seconds>", "seconds between status checks")
      .argParser(seconds)
      .default(BACKUP_DEFAULTS.pollIntervalSeconds),
  restorePollInterval: () =>
    new Option("--poll-interval <seconds>", "seconds between status checks")
      .argParser(seconds)
      .default(RESTORE_POLL_INTERVAL_SECONDS),
  efsTimeout: () =>
    new Option("--efs-timeout <seconds>", "seconds to wait for the EFS backup job")
      .argParser(seconds)
      .default(BACKUP_DEFAULTS.efsTimeoutSeconds),
  auroraTimeout: () =>
    new Option("--aurora-timeout <seconds>", "seconds to wait for the Aurora backup job")
      .argParser(seconds)
      .default(BACKUP_DEFAULTS.auroraTimeoutSeconds),
  waitForCopies: () =>
    new Option("--wait-for-copies", "also wait until the copies in the DR vault are complete"),
  copyTimeout: () =>
    new Option("--copy-timeout <seconds>", "seconds to wait for the DR copies (with --wait-for-copies)")
      .argParser(seconds)
      .default(BACKUP_DEFAULTS.copyTimeoutSeconds),
  retainDays: () =>
    new Option(
      "--retain-days <days>",
      "expire the recovery points and their DR copies after this many days (default: kept until deleted)",
    ).argParser(days),
  recoveryPoint: () =>
    new Option("--recovery-point <arn>", "EFS or Aurora recovery point ARN (repeat for both)").argParser(
      collect,
    ),
  at: () =>
    new Option(
      "--at <time>",
      "use the newest recovery points created at or before this ISO 8601 time (with a zone)",
    ).argParser(isoTime),
  only: () =>
    new Option("--only <part>", "restore only the files or only the database").choices(["files", "database"]),
  summary: () =>
    new Option(
      "--summary",
      "print only the resource counts, policy verdicts and cost, not every stack's tree",
    ),
  workers: () =>
    new Option(
      "--workers <n>",
      "worker processes for tenant programs (default: one per core for large registries)",
    ).argParser(wholeNumber(1)),
  // --- plan at scale (issue 17) ---
  planTenant: () =>
    new Option(
      "--tenant <id>",
      "plan only this registry tenant against the planned platform (repeatable); quotas and cost then cover the chosen tenants only",
    ).argParser(collect),
  adoptRetainedData: () =>
    new Option(
      "--adopt-retained-data",
      "re-attach the database, user and files an earlier removal of this id kept (see the tombstones beside the registry); without it such an id is refused",
    ),
  offlineFault: () =>
    new Option(
      "--offline-fault <tenants:phase:kind>",
      "with --offline, make tenants fail: tenants is an id or glob, phase preview|up|destroy|remove|backup|deploy, kind error|locked|hang (repeatable; docs/plan-checks.md)",
    ).argParser((value: string, previous: string[] | undefined) => {
      try {
        parseFault(value);
      } catch (error) {
        throw new InvalidArgumentError((error as Error).message);
      }
      return [...(previous ?? []), value];
    }),
} as const;

/** The name of an option in the table. */
export type OptionName = keyof typeof OPTIONS;

/** The options every command takes. */
export const COMMON_OPTIONS: readonly OptionName[] = ["json", "output"];

/** The options of every command that works on tenant stacks. */
export const LIFECYCLE_OPTIONS: readonly OptionName[] = [
  "tenants",
  "offline",
  "offlineState",
  "platformStack",
  "lockAttempts",
  "offlineFault",
];
