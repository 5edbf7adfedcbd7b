/**
 * `npm run ops -- <command> <env> ... [options]`: day-2 operations on tenants.
 *
 *   backup  <env> <tenant>   on-demand backup of the file system and database, copied to DR
 *   restore <env> <tenant>   restore the tenant's files and/or database from recovery points
 *   status  <env> <tenant>   service, recovery points and last rollout
 *   rollout <env> --image I  a new image for many tenants, canaries first, checked in ECS
 *
 * Progress goes to stderr, results to stdout (`--json` for machines). Errors print
 * `error: <message>` and the notes under it, never a stack trace, and exit with the code of
 * their type (see EXIT_CODES in errors.ts and `--help`).
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { PlatformSettings } from "../../config/platformConfig";
import { loadStackSettings } from "../../config/readStackConfig";
import { TenantStackBackend } from "../../tenants/lifecycle/backend";
import { defaultServices } from "../services";
import { ROLLOUT_DEFAULTS, rolloutImage } from "../../tenants/lifecycle/commands/rollout";
import { BACKUP_DEFAULTS, backupTenant } from "../../ops/backup";
import { ClientFactory, defaultClients } from "../../ops/clients";
import { StackOutputsSource } from "../../ops/context";
import { OpsDeps } from "../../ops/deps";
import { EXIT, renderExitCodes } from "../../lib/exitCodes";
import { toBbwsError } from "../../lib/errors";
import { PulumiStackOutputs } from "../../tenants/stackOutputs";
import { renderBackup, renderRestore, renderRollout, renderStatus } from "../../ops/render";
import { RESTORE_TIMEOUTS, restoreTenant } from "../../ops/restore";
import { tenantStatus } from "../../ops/status";

/** What the CLI needs from its surroundings (tests pass fakes). */
export interface CliRuntime {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Created on first use: the real one needs the Pulumi CLI. */
  readonly source: () => StackOutputsSource;
  readonly clients: ClientFactory;
  /** Registry file. @default tenants/<env>.yaml */
  readonly registryFile?: string;
  readonly signal?: AbortSignal;
  /** The tenant stacks and platform settings a rollout works with. @default the lifecycle's */
  readonly lifecycle?: (request: LifecycleRequest) => {
    backend: TenantStackBackend;
    settings: PlatformSettings;
  };
}

/** How `rollout` reaches the tenant stacks (the lifecycle's options of the same names). */
export interface LifecycleRequest {
  readonly environment: string;
  readonly offline: boolean;
  readonly offlineState?: string;
  readonly platformStack?: string;
  readonly lockAttempts: number;
  readonly log: (line: string) => void;
}

/** The lifecycle's backend (Automation API, or the offline engine) and the platform settings. */
export function defaultLifecycle(request: LifecycleRequest): {
  backend: TenantStackBackend;
  settings: PlatformSettings;
} {
  const projectDir = process.cwd();
  const { backend } = defaultServices({ ...request, projectDir }, request.log);
  return { backend, settings: loadStackSettings(request.environment, projectDir) };
}

/** Exit codes, as printed by --help. */
export const EXIT_CODES_HELP = `\n${renderExitCodes()}`;

const seconds = (value: string): number => {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError("expected a whole number of seconds >= 1");
  return Number(value);
};
const days = (value: string): number => {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError("expected a whole number of days >= 1");
  return Number(value);
};
const environmentName = (value: string): string => {
  if (!/^[a-z][a-z0-9-]*$/.test(value))
    throw new InvalidArgumentError("expected an environment name such as dev or prod");
  return value;
};
const isoTime = (value: string): Date => {
  // A date alone or a time without a zone would be read in the local zone: require one.
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) ||
    Number.isNaN(Date.parse(value))
  ) {
    throw new InvalidArgumentError("expected an ISO 8601 time with a zone, e.g. 2025-06-01T14:00:00Z");
  }
  return new Date(value);
};
const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
const wholeNumber =
  (minimum: number) =>
  (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < minimum)
      throw new InvalidArgumentError(`expected a whole number >= ${minimum}`);
    return Number(value);
  };
const tenantList = (value: string): string[] => {
  const ids = value.split(",").map((id) => id.trim());
  if (ids.some((id) => id === ""))
    throw new InvalidArgumentError("expected tenant ids separated by commas, e.g. acme,globex");
  return ids;
};

/** The command-line program; actions write results through `runtime`. */
export function buildProgram(runtime: CliRuntime): Command {
  const deps = (): OpsDeps => ({
    source: runtime.source(),
    clients: runtime.clients,
    registryFile: runtime.registryFile,
    log: (line) => runtime.stderr(`${line}\n`),
    signal: runtime.signal,
  });
  const print = (json: boolean | undefined, value: unknown, human: () => string) =>
    runtime.stdout(`${json ? JSON.stringify(value, null, 2) : human()}\n`);

  const program = new Command("ops")
    .description("Day-2 operations on BBWS tenants: backup, restore, status, image rollout")
    .exitOverride()
    .configureOutput({ writeOut: runtime.stdout, writeErr: runtime.stderr })
    .showHelpAfterError("(add --help for usage)")
    .addHelpText("after", EXIT_CODES_HELP);

  program
    .command("backup")
    .description(
      "On-demand AWS Backup jobs of the environment's EFS file system and Aurora cluster, tagged with the tenant, then copies to the DR vault",
    )
    .argument("<env>", "environment (platform stack name), e.g. dev", environmentName)
    .argument("<tenant>", "tenant id from tenants/<env>.yaml")
    .option(
      "--efs-timeout <seconds>",
      "seconds to wait for the EFS backup job",
      seconds,
      BACKUP_DEFAULTS.efsTimeoutSeconds,
    )
    .option(
      "--aurora-timeout <seconds>",
      "seconds to wait for the Aurora backup job",
      seconds,
      BACKUP_DEFAULTS.auroraTimeoutSeconds,
    )
    .option("--wait-for-copies", "also wait until the copies in the DR vault are complete")
    .option(
      "--copy-timeout <seconds>",
      "seconds to wait for the DR copies (with --wait-for-copies)",
      seconds,
      BACKUP_DEFAULTS.copyTimeoutSeconds,
    )
    .option(
      "--retain-days <days>",
      "expire the recovery points and their DR copies after this many days (default: kept until deleted)",
      days,
    )
    .option(
      "--poll-interval <seconds>",
      "seconds between status checks",
      seconds,
      BACKUP_DEFAULTS.pollIntervalSeconds,
    )
    .option("--json", "print the result as JSON")
    .addHelpText("after", EXIT_CODES_HELP)
    .action(async (env: string, tenant: string, o: Record<string, unknown>) => {
      const result = await backupTenant(
        env,
        tenant,
        {
          efsTimeoutSeconds: o.efsTimeout as number,
          auroraTimeoutSeconds: o.auroraTimeout as number,
          waitForCopies: o.waitForCopies === true,
          copyTimeoutSeconds: o.copyTimeout as number,
          deleteAfterDays: o.retainDays as number | undefined,
          pollIntervalSeconds: o.pollInterval as number,
        },
        deps(),
      );
      print(o.json as boolean, result, () => renderBackup(result));
    });

  program
    .command("restore")
    .description(
      "Restore the tenant's files (/tenants/<id>) and/or database schema from recovery points of the primary vault; " +
        "the service is scaled to 0 during the swap and put back whatever happens",
    )
    .argument("<env>", "environment (platform stack name), e.g. dev", environmentName)
    .argument("<tenant>", "tenant id from tenants/<env>.yaml")
    .option("--recovery-point <arn>", "EFS or Aurora recovery point ARN (repeat for both)", collect)
    .option(
      "--at <time>",
      "use the newest recovery points created at or before this ISO 8601 time (with a zone)",
      isoTime,
    )
    .addOption(
      new Option("--only <part>", "restore only the files or only the database").choices([
        "files",
        "database",
      ]),
    )
    .option("--poll-interval <seconds>", "seconds between status checks", seconds, 15)
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      `\nTime limits (seconds): ${Object.entries(RESTORE_TIMEOUTS)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}.\n` +
        `Previous content is kept: files in /tenants/.previous/<id>-<stamp>, database dumps in /restore/<id>-<stamp>/.` +
        EXIT_CODES_HELP,
    )
    .action(async (env: string, tenant: string, o: Record<string, unknown>) => {
      const result = await restoreTenant(
        env,
        tenant,
        {
          recoveryPointArns: o.recoveryPoint as string[] | undefined,
          at: o.at as Date | undefined,
          only: o.only as "files" | "database" | undefined,
        },
        { pollIntervalSeconds: o.pollInterval as number },
        deps(),
      );
      print(o.json as boolean, result, () => renderRestore(result));
    });

  program
    .command("status")
    .description("The tenant's service, newest recovery points (primary and DR vaults) and last rollout")
    .argument("<env>", "environment (platform stack name), e.g. dev", environmentName)
    .argument("<tenant>", "tenant id from tenants/<env>.yaml")
    .option("--json", "print the result as JSON")
    .addHelpText("after", EXIT_CODES_HELP)
    .action(async (env: string, tenant: string, o: Record<string, unknown>) => {
      const result = await tenantStatus(env, tenant, deps());
      print(o.json as boolean, result, () => renderStatus(result));
    });

  program
    .command("rollout")
    .description(
      "Roll a new WordPress image out to tenant stacks: canaries one at a time, then waves; after each tenant, " +
        "ECS must show the PRIMARY deployment on the new task definition and COMPLETED (a circuit-breaker " +
        "rollback counts as a failure). A failed canary halts the rollout; a failed wave halts the next waves.",
    )
    .argument("<env>", "environment (platform stack name), e.g. dev", environmentName)
    .requiredOption(
      "--image <image>",
      "image tag (6.8.3-php8.3-apache), digest (sha256:<64 hex>) or full reference",
    )
    .option(
      "--tenants <ids>",
      "tenants to roll out, in order, comma-separated (default: every registry entry)",
      tenantList,
    )
    .option("--canary <n>", "tenants rolled out one at a time first", wholeNumber(0), ROLLOUT_DEFAULTS.canary)
    .option(
      "--wave-size <n>",
      "tenants at once after the canaries",
      wholeNumber(1),
      ROLLOUT_DEFAULTS.waveSize,
    )
    .option(
      "--timeout <seconds>",
      "seconds each tenant's deployment may take",
      seconds,
      ROLLOUT_DEFAULTS.timeoutSeconds,
    )
    .option(
      "--poll-interval <seconds>",
      "seconds between DescribeServices checks",
      seconds,
      ROLLOUT_DEFAULTS.intervalSeconds,
    )
    .option(
      "--offline",
      "update the offline engine's simulated stacks instead (no Pulumi CLI, no AWS; no ECS check)",
    )
    .option("--offline-state <dir>", "offline state directory (default: .workspaces/offline/<env>)")
    .option(
      "--platform-stack <name>",
      "fully qualified platform stack, <org>/bbws/<env> (default: found on the backend)",
    )
    .option("--lock-attempts <n>", "attempts on a locked stack before giving up", wholeNumber(1), 5)
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      "\nThe registry records every tenant's lastRollout, and its image when the rollout completed; a tenant that " +
        "failed is updated back to its previous image.\n" +
        EXIT_CODES_HELP,
    )
    .action(async (env: string, o: Record<string, unknown>) => {
      const log = (line: string) => runtime.stderr(`${line}\n`);
      const { backend, settings } = (runtime.lifecycle ?? defaultLifecycle)({
        environment: env,
        offline: o.offline === true,
        offlineState: o.offlineState as string | undefined,
        platformStack: o.platformStack as string | undefined,
        lockAttempts: o.lockAttempts as number,
        log,
      });
      const report = await rolloutImage(
        {
          environment: env,
          image: o.image as string,
          tenants: o.tenants as string[] | undefined,
          canary: o.canary as number,
          waveSize: o.waveSize as number,
          timeoutSeconds: o.timeout as number,
          intervalSeconds: o.pollInterval as number,
        },
        {
          backend,
          settings,
          clients: runtime.clients,
          log,
          registryFile: runtime.registryFile,
          signal: runtime.signal,
        },
      );
      const { failure, ...result } = report;
      print(o.json as boolean, result, () => renderRollout(report));
      if (failure) {
        failure.message = `rollout halted: ${report.halted}: ${failure.message}`;
        throw failure;
      }
    });

  return program;
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code; never throws. */
export async function runCli(argv: readonly string[], runtime: CliRuntime): Promise<number> {
  try {
    await buildProgram(runtime).parseAsync([...argv], { from: "user" });
    return EXIT.ok.code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed its message (or the help).
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return EXIT.ok.code;
      return error.exitCode === 0 ? EXIT.ok.code : EXIT.usage.code;
    }
    const failure = toBbwsError(error);
    runtime.stderr(`error: ${failure.message}\n`);
    for (const note of failure.notes) runtime.stderr(`  ${note}\n`);
    return failure.exitCode;
  }
}

/** Entry point: real stack outputs and AWS clients; Ctrl-C lets a restore put the site back. */
async function main(): Promise<void> {
  const controller = new AbortController();
  process.on("SIGINT", () => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted.code);
    process.stderr.write("interrupted: finishing what keeps the site safe (Ctrl-C again to quit at once)\n");
    controller.abort();
  });
  process.exitCode = await runCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    source: () => new PulumiStackOutputs(),
    clients: defaultClients,
    signal: controller.signal,
  });
}

if (require.main === module) void main();
