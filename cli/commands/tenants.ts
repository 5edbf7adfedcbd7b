/**
 * `npm run tenants -- <command> <env> [options]`: the tenant lifecycle. Makes the tenant stacks
 * of an environment (`<env>.<id>`, project bbws-tenant) match its registry `tenants/<env>.yaml`
 * through the Pulumi Automation API, or through the offline engine with `--offline` (no Pulumi
 * CLI, no AWS). Commands: list, sync, add, remove, preview; exit codes in
 * lifecycle/exitCodes.ts (printed by --help).
 */
import * as path from "path";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { PlatformSettings } from "../../config/platformConfig";
import { loadStackSettings } from "../../config/readStackConfig";
import { PROJECT_DIR } from "../../lib/projectDir";
import { registryPath } from "../../tenants/registry/load";
import { addTenant } from "../../tenants/lifecycle/commands/add";
import { listTenants } from "../../tenants/lifecycle/commands/list";
import { previewTenants } from "../../tenants/lifecycle/commands/preview";
import { removeTenant } from "../../tenants/lifecycle/commands/remove";
import { syncTenants } from "../../tenants/lifecycle/commands/sync";
import { LifecycleContext } from "../../tenants/lifecycle/context";
import { toBbwsError } from "../../lib/errors";
import { EXIT } from "../../lib/exitCodes";
import { DEFAULT_LOCK_RETRY } from "../../tenants/lifecycle/lockRetry";
import { ProgressStream, createProgressView } from "../../tenants/lifecycle/progress";
import { CommandReport } from "../../tenants/lifecycle/report";
import { Services, ServicesRequest, defaultServices } from "../services";

/** Default number of tenant operations at once (each costs ~0.5-1 GB with a real AWS provider). */
export const DEFAULT_CONCURRENCY = 4;

/** What `main` needs from outside; tests replace it. */
export interface TenantsCliDeps {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Where live progress goes: stdout, or stderr with --json (stdout is then only JSON). */
  readonly progress: (json: boolean) => { readonly stream: ProgressStream; readonly tty: boolean };
  readonly services: (request: ServicesRequest) => Services;
  readonly settings: (environment: string, projectDir: string) => PlatformSettings;
  readonly projectDir: string;
  readonly signal?: AbortSignal;
  readonly now?: () => number;
}

const DEFAULT_DEPS: TenantsCliDeps = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  progress: (json) =>
    json
      ? { stream: process.stderr, tty: Boolean(process.stderr.isTTY) }
      : { stream: process.stdout, tty: Boolean(process.stdout.isTTY) },
  services: (request) => defaultServices(request, (line) => process.stderr.write(`${line}\n`)),
  settings: (environment, projectDir) => loadStackSettings(environment, projectDir),
  projectDir: PROJECT_DIR,
};

/** Options every command takes. */
interface CommonOptions {
  readonly tenants?: string;
  readonly offline?: boolean;
  readonly offlineState?: string;
  readonly platformStack?: string;
  readonly lockAttempts: number;
  readonly json?: boolean;
  readonly concurrency?: number;
}

const EXIT_CODES_HELP = `
Exit codes:
  0  every tenant operation succeeded (list and preview exit 0 with pending changes too)
  1  at least one tenant operation failed; the others still ran (see the summary table)
  2  usage: unknown command or option, missing argument, malformed number
  3  invalid registry, stack configuration or platform stack; nothing was changed
  4  refused for safety (remove or sync --prune without a final backup); nothing was changed
  5  a stack stayed locked after every retry; the message names the lock and the pulumi cancel command
  (several tenants failing differently: 4 wins over 5, 5 over 1)

Examples:
  npm run tenants -- list dev --preview
  npm run tenants -- sync dev --concurrency 8
  npm run tenants -- add dev --id acme --domain acme.example.com --size small
  npm run tenants -- remove dev acme
  npm run tenants -- sync dev --offline --tenants /tmp/dev.yaml`;

/** Runs the CLI; resolves with the process exit code. */
export async function main(argv: readonly string[], deps: TenantsCliDeps = DEFAULT_DEPS): Promise<number> {
  let exitCode: number = EXIT.ok.code;
  const program = new Command("tenants")
    .description(
      "Tenant lifecycle: make the tenant stacks (<env>.<id>, project bbws-tenant) match tenants/<env>.yaml, " +
        "through the Pulumi Automation API or, with --offline, the offline engine (no Pulumi CLI, no AWS).",
    )
    .exitOverride()
    .configureOutput({ writeOut: deps.stdout, writeErr: deps.stderr })
    .showHelpAfterError("(add --help for usage)")
    .addHelpText("after", EXIT_CODES_HELP);

  common(
    program
      .command("list")
      .description(
        "Registry entries against tenant stacks: in sync, missing stack, orphan stack, pending changes.",
      )
      .argument("<env>", "environment (a Pulumi.<env>.yaml must exist), e.g. dev", environmentName)
      .option("--preview", "also preview every existing stack and report the ones with changes as pending")
      .addOption(concurrencyOption()),
  ).action(async (environment: string, options: CommonOptions & { preview?: boolean }) => {
    exitCode = await execute("list", environment, options, deps, (context) =>
      listTenants(context, { preview: Boolean(options.preview) }),
    );
  });

  common(
    program
      .command("sync")
      .description(
        "Create or update every tenant stack so it matches the registry (after writing missing listener slots into it); " +
          "orphan stacks are reported, and removed only with --prune.",
      )
      .argument("<env>", "environment, e.g. dev", environmentName)
      .argument("[ids...]", "only these tenants (default: all)")
      .option(
        "--prune",
        "remove orphan stacks (no registry entry), each after a final backup; their data is kept",
      )
      .addOption(concurrencyOption()),
  ).action(async (environment: string, ids: string[], options: CommonOptions & { prune?: boolean }) => {
    exitCode = await execute("sync", environment, options, deps, (context) =>
      syncTenants(context, { tenantIds: ids, prune: Boolean(options.prune) }),
    );
  });

  common(
    program
      .command("add")
      .description(
        "Validate a new tenant, write its entry (with its listener slot) into the registry keeping comments and order, " +
          "then deploy only its stack. A failed deploy keeps the entry (exit 1).",
      )
      .argument("<env>", "environment, e.g. dev", environmentName)
      .requiredOption(
        "--id <id>",
        "tenant id: 3-28 lower-case letters, digits and single hyphens, starting with a letter",
      )
      .requiredOption("--domain <host>", "host name the site answers on; repeat for up to 5", collect)
      .option(
        "--size <size>",
        "task size: small, medium, large, xlarge or <cpu>/<memory> (default: the environment's)",
      )
      .option("--desired <n>", "desired number of tasks", wholeNumber)
      .option("--min <n>", "minimum number of tasks (autoscaling)", wholeNumber)
      .option("--max <n>", "maximum number of tasks (autoscaling)", wholeNumber)
      .option(
        "--image <tag>",
        "WordPress image: tag, sha256 digest or full reference (default: the environment's)",
      )
      .option("--ha", "keep at least one task on on-demand FARGATE (default: the environment's)"),
  ).action(
    async (
      environment: string,
      options: CommonOptions & {
        id: string;
        domain: string[];
        size?: string;
        desired?: number;
        min?: number;
        max?: number;
        image?: string;
        ha?: boolean;
      },
    ) => {
      exitCode = await execute("add", environment, options, deps, (context) =>
        addTenant(context, {
          id: options.id,
          hosts: options.domain,
          size: options.size,
          desired: options.desired,
          min: options.min,
          max: options.max,
          image: options.image,
          highAvailability: options.ha,
        }),
      );
    },
  );

  common(
    program
      .command("remove")
      .description(
        "Remove a tenant: final backup (refused if it cannot be taken), destroy its stack keeping its data " +
          "(database user locked, schema and EFS directory kept), remove the stack, then its registry entry.",
      )
      .argument("<env>", "environment, e.g. dev", environmentName)
      .argument("<id>", "tenant id")
      .option(
        "--purge",
        "delete the tenant's data too: the final backup waits for its DR copies, the database and user are dropped " +
          "(update with dropDataOnDestroy, then destroy), and /tenants/<id> is deleted with the platform's maintenance task",
      ),
  ).action(async (environment: string, id: string, options: CommonOptions & { purge?: boolean }) => {
    exitCode = await execute("remove", environment, options, deps, (context) =>
      removeTenant(context, { tenantId: id, purge: Boolean(options.purge) }),
    );
  });

  common(
    program
      .command("preview")
      .description(
        "Per tenant, what an update would change: creates, updates, replaces, deletes and unchanged resources.",
      )
      .argument("<env>", "environment, e.g. dev", environmentName)
      .argument("[ids...]", "only these tenants (default: all)")
      .addOption(concurrencyOption()),
  ).action(async (environment: string, ids: string[], options: CommonOptions) => {
    exitCode = await execute("preview", environment, options, deps, (context) =>
      previewTenants(context, { tenantIds: ids }),
    );
  });

  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok.code : EXIT.usage.code;
    throw error;
  }
  return exitCode;
}

/** Runs one command: builds its context, prints its report, maps failures to exit codes. */
async function execute(
  name: string,
  environment: string,
  options: CommonOptions,
  deps: TenantsCliDeps,
  command: (context: LifecycleContext) => Promise<CommandReport>,
): Promise<number> {
  const json = Boolean(options.json);
  const note = (line: string) => deps.stderr(`${line}\n`);
  try {
    const services = deps.services({
      environment,
      offline: Boolean(options.offline),
      projectDir: deps.projectDir,
      platformStack: options.platformStack,
      lockAttempts: options.lockAttempts,
      offlineState: options.offlineState,
    });
    if (services.backend.kind === "offline") {
      note(
        `offline: tenant stacks are simulated by the offline engine; nothing in AWS or in a Pulumi backend changes`,
      );
    }
    const progress = deps.progress(json);
    let settings: PlatformSettings | undefined;
    const context: LifecycleContext = {
      environment,
      registryFile: options.tenants
        ? path.resolve(options.tenants)
        : registryPath(environment, deps.projectDir),
      backend: services.backend,
      finalBackup: services.finalBackup,
      tenantFiles: services.tenantFiles,
      settings: () => (settings ??= deps.settings(environment, deps.projectDir)),
      concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
      progress: createProgressView({ stream: progress.stream, tty: progress.tty, now: deps.now }),
      note,
      signal: deps.signal,
      now: deps.now,
    };
    const report = await command(context);
    deps.stdout(json ? `${JSON.stringify(report.json, null, 2)}\n` : `${report.text}\n`);
    return report.exitCode;
  } catch (error) {
    const failure = toBbwsError(error);
    const code = failure.exitCode;
    const message = failure.message;
    deps.stderr(`tenants ${name}: ${message}\n`);
    if (json)
      deps.stdout(
        `${JSON.stringify({ command: name, environment, error: message, exitCode: code }, null, 2)}\n`,
      );
    return code;
  }
}

function common(command: Command): Command {
  return command
    .option("--tenants <file>", "registry file (default: tenants/<env>.yaml)")
    .option(
      "--offline",
      "use the offline engine instead of Pulumi: no Pulumi CLI or AWS needed; stacks are simulated",
    )
    .option("--offline-state <dir>", "offline state directory (default: .workspaces/offline/<env>)")
    .option(
      "--platform-stack <name>",
      "fully qualified platform stack the tenants reference, <org>/bbws/<env> (default: found on the backend; " +
        "a DIY backend's org is 'organization')",
    )
    .addOption(
      new Option(
        "--lock-attempts <n>",
        "attempts on a locked stack (ConcurrentUpdateError) before giving up, with backoff",
      )
        .argParser(positiveInteger)
        .default(DEFAULT_LOCK_RETRY.maxAttempts),
    )
    .option("--json", "print one JSON document on stdout (progress and notes go to stderr)")
    .addHelpText("after", EXIT_CODES_HELP);
}

function concurrencyOption(): Option {
  return new Option(
    "--concurrency <n>",
    "tenant operations at once (each real one needs ~0.5-1 GB of memory)",
  )
    .argParser(positiveInteger)
    .default(DEFAULT_CONCURRENCY);
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError("a whole number >= 1");
  return n;
}

function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("a whole number >= 0");
  return Number(value);
}

function environmentName(value: string): string {
  if (!/^[a-z][a-z0-9-]*$/.test(value))
    throw new InvalidArgumentError("an environment name such as dev or prod");
  return value;
}

if (require.main === module) {
  const controller = new AbortController();
  process.on("SIGINT", () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(
      "\ninterrupted: running operations are asked to stop, queued ones will not start (Ctrl-C again to exit now); " +
        "re-running the command is safe\n",
    );
    controller.abort();
  });
  main(process.argv.slice(2), { ...DEFAULT_DEPS, signal: controller.signal }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        `tenants: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(EXIT.failed.code);
    },
  );
}
