/**
 * `bbws`: the operator CLI (`npm run bbws -- <command>`; `npm run plan|tenants|ops -- ...` are
 * aliases of `bbws plan|tenants|ops ...`). Every command, its options and the one exit-code
 * table: `--help`. This module stays light: a command's modules load when it runs.
 */
import { PROJECT_DIR } from "../lib/projectDir";
import { EXIT } from "../lib/exitCodes";
import { OPS_COMMANDS } from "./commands/ops";
import { PLAN_COMMANDS } from "./commands/plan";
import { TENANT_COMMANDS } from "./commands/tenants";
import { CliRuntime, CommandSpec, runCli } from "./shell";
import { allowOfflineProviderShortcut } from "../offline/providerSerialization";
import { deferTypescriptLoading } from "../lib/deferTypescript";

/** Every command of the CLI. */
export const COMMANDS: readonly CommandSpec[] = [...PLAN_COMMANDS, ...TENANT_COMMANDS, ...OPS_COMMANDS];

/** Runs the CLI with `runtime` (tests) on `argv`. */
export function main(argv: readonly string[], runtime: CliRuntime): Promise<number> {
  return runCli(COMMANDS, argv, runtime);
}

if (require.main === module) {
  // The operator's process: offline runs (plan, --offline) skip serializing dynamic providers,
  // and TypeScript loads only if a real deployment serializes one.
  allowOfflineProviderShortcut();
  deferTypescriptLoading();
  const controller = new AbortController();
  process.on("SIGINT", () => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted.code);
    process.stderr.write(
      "\ninterrupted: finishing what keeps sites safe, queued operations will not start (Ctrl-C again to exit now); " +
        "re-running the command is safe\n",
    );
    controller.abort();
  });
  main(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    progress: () => ({ stream: process.stderr, tty: Boolean(process.stderr.isTTY) }),
    projectDir: PROJECT_DIR,
    signal: controller.signal,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = EXIT.failed.code;
    },
  );
}
