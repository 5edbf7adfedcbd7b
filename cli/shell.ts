/**
 * The operator CLI's shell: one program (`bbws`) whose commands are declared as data
 * (`CommandSpec`: arguments, option names from the one option table, a lazily loaded action),
 * one error type (`BbwsError`), one exit-code table (lib/exitCodes.ts) and one output contract
 * shared by every command:
 *
 * - results on stdout (text, or one JSON document with `--json`; `--output FILE` writes them to
 *   a file), progress and notes on stderr;
 * - a failure prints `error: <message>`, its notes, and what the command had changed before it
 *   failed (or that nothing was changed) on stderr; with `--json` the error is also a JSON
 *   document on stdout, usage errors included;
 * - the exit code is the kind's code from the table, whatever command failed.
 *
 * Actions load their modules when they run: `--help` and usage errors never load the Pulumi
 * SDK, the AWS SDK or a program.
 */
import * as fs from "fs";
import { Argument, Command, CommanderError } from "commander";
import { BbwsError, toBbwsError } from "../lib/errors";
import { EXIT, exitCodeOf, renderExitCodes } from "../lib/exitCodes";
import type { PlatformSettings } from "../config/platformConfig";
import type { ProgressStream } from "../tenants/lifecycle/progress";
import type { LifecyclePorts } from "../tenants/lifecycle/ports";
import type { ClientFactory } from "../ops/clients";
import type { StackOutputsSource } from "../ops/context";
import type { planEnvironment } from "../plan/plan";
import { COMMON_OPTIONS, OPTIONS, OptionName } from "./options";

/** What a command returns: its exit code, its text and JSON output, and a failure to report. */
export interface CommandResult {
  readonly exitCode: number;
  /** Printed on stdout without --json. */
  readonly text: string;
  /** Printed on stdout with --json. */
  readonly json: unknown;
  /**
   * The same document as text, piece by piece, for documents too large to hold whole (the
   * plan of 1,000 tenants): written as it is produced instead of `json`. @default - `json`
   */
  readonly jsonText?: () => Iterable<string>;
  /** Why the command failed as a whole, after its output (a halted rollout). */
  readonly failure?: BbwsError;
}

/** The ports a lifecycle command asks for, from its options. */
export interface PortsRequest {
  readonly environment: string;
  readonly offline: boolean;
  readonly offlineState?: string;
  readonly platformStack?: string;
  readonly lockAttempts: number;
  readonly projectDir: string;
  /** The platform's settings (the region of AWS clients). */
  readonly settings: () => PlatformSettings;
  readonly log: (line: string) => void;
}

/** What the CLI needs from outside; tests replace parts of it. */
export interface CliRuntime {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Where live progress goes (always stderr: stdout is for results); redrawn on a terminal. */
  readonly progress: () => { readonly stream: ProgressStream; readonly tty: boolean };
  /** Repository root (stack files, registries, `.workspaces/`). */
  readonly projectDir: string;
  readonly signal?: AbortSignal;
  readonly now?: () => number;
  /** The lifecycle's ports. @default Automation API + AWS, or the offline engine with --offline */
  readonly ports?: (request: PortsRequest) => LifecyclePorts | Promise<LifecyclePorts>;
  /** Platform settings of an environment. @default its committed Pulumi.<env>.yaml */
  readonly settings?: (environment: string, projectDir: string) => PlatformSettings;
  /** Stack outputs and AWS clients of day-2 operations. @default the Automation API and the default credential chain */
  readonly ops?: () => { readonly source: StackOutputsSource; readonly clients: ClientFactory };
  /** The planner. @default plan/plan.ts */
  readonly plan?: typeof planEnvironment;
}

/** What an action is given. */
export interface ActionInput {
  /** Positional arguments, parsed. */
  readonly args: readonly unknown[];
  /** Options, parsed (camelCase names). */
  readonly options: Readonly<Record<string, unknown>>;
  readonly runtime: CliRuntime;
  /** A note for the operator (stderr). */
  readonly note: (line: string) => void;
  /** Records a durable change (a registry write), reported if the command later fails. */
  readonly changed: (line: string) => void;
}

/** One command of the CLI. */
export interface CommandSpec {
  /** `["plan"]`, `["tenants", "sync"]`. */
  readonly path: readonly string[];
  readonly description: string;
  readonly arguments?: readonly {
    /** Commander syntax: `<env>`, `[ids...]`. */
    readonly name: string;
    readonly description: string;
    readonly parse?: (value: string) => unknown;
  }[];
  /** Options from the table, beside `--json` and `--output`. */
  readonly options: readonly OptionName[];
  /** Printed after the options in `--help`. */
  readonly help?: string;
  /** Still accepted, not listed (an old spelling of a moved command). */
  readonly hidden?: boolean;
  readonly run: (input: ActionInput) => Promise<CommandResult>;
}

/** Builds the program; `finished` receives the exit code of the command that ran. */
export function buildProgram(
  specs: readonly CommandSpec[],
  runtime: CliRuntime,
  finished: (code: number) => void,
): Command {
  const program = new Command("bbws")
    .description(
      "BBWS operator CLI: plan an environment offline, keep tenant stacks in line with the registry, roll images out, back up and restore tenants.",
    )
    .exitOverride()
    .configureOutput({ writeOut: runtime.stdout, writeErr: runtime.stderr })
    .showHelpAfterError("(add --help for usage)")
    .addHelpText("after", `\n${renderExitCodes()}`);

  const groups = new Map<string, Command>();
  const parentOf = (path: readonly string[]): Command => {
    let parent = program;
    for (const [i, name] of path.slice(0, -1).entries()) {
      const key = path.slice(0, i + 1).join(" ");
      let group = groups.get(key);
      if (!group) {
        group = parent
          .command(name)
          .description(GROUP_DESCRIPTIONS[key] ?? "")
          .exitOverride()
          .configureOutput({ writeOut: runtime.stdout, writeErr: runtime.stderr })
          .showHelpAfterError("(add --help for usage)")
          .addHelpText("after", `\n${renderExitCodes()}`);
        groups.set(key, group);
      }
      parent = group;
    }
    return parent;
  };

  for (const spec of specs) {
    const command = new Command(spec.path[spec.path.length - 1])
      .description(spec.description)
      .exitOverride()
      .configureOutput({ writeOut: runtime.stdout, writeErr: runtime.stderr })
      .showHelpAfterError("(add --help for usage)");
    for (const argument of spec.arguments ?? []) {
      const arg = new Argument(argument.name, argument.description);
      if (argument.parse) arg.argParser(argument.parse);
      command.addArgument(arg);
    }
    for (const name of [...spec.options, ...COMMON_OPTIONS]) command.addOption(OPTIONS[name]());
    command.addHelpText("after", `${spec.help ? `\n${spec.help}\n` : ""}\n${renderExitCodes()}`);
    command.action(async (...values: unknown[]) => {
      // Commander passes the positional arguments, then the options, then the command.
      const args = values.slice(0, (spec.arguments ?? []).length);
      const options = values[(spec.arguments ?? []).length] as Record<string, unknown>;
      finished(await execute(spec, args, options, runtime));
    });
    parentOf(spec.path).addCommand(command, { hidden: spec.hidden });
  }
  return program;
}

/** Group descriptions in `--help`. */
const GROUP_DESCRIPTIONS: Readonly<Record<string, string>> = {
  tenants:
    "tenant stacks (<env>.<id>, project bbws-tenant): list, sync, add, remove, preview, rollout, through the Pulumi Automation API or, with --offline, the offline engine",
  ops: "day-2 operations on one tenant through the AWS SDK: backup, restore, status",
};

/** Runs `argv` (without node and script); resolves with the exit code and never throws. */
export async function runCli(
  specs: readonly CommandSpec[],
  argv: readonly string[],
  runtime: CliRuntime,
): Promise<number> {
  let code: number = EXIT.ok.code;
  const program = buildProgram(specs, runtime, (c) => (code = c));
  try {
    await program.parseAsync([...argv], { from: "user" });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander printed its message (or the help) already.
      if (
        error.exitCode === 0 ||
        error.code === "commander.helpDisplayed" ||
        error.code === "commander.version"
      )
        return EXIT.ok.code;
      if (argv.includes("--json")) {
        runtime.stdout(
          `${JSON.stringify(
            errorDocument(
              argv
                .filter((a) => !a.startsWith("-"))
                .slice(0, 2)
                .join(" "),
              undefined,
              new BbwsError("usage", error.message.replace(/^error: /, "")),
              [],
            ),
            null,
            2,
          )}\n`,
        );
      }
      return EXIT.usage.code;
    }
    // An action that threw past `execute` (a bug): still an error message and a code, no trace.
    const failure = toBbwsError(error);
    runtime.stderr(`error: ${failure.message}\n`);
    return failure.exitCode;
  }
}

/** Runs one command: its output, its failure, its exit code. */
async function execute(
  spec: CommandSpec,
  args: readonly unknown[],
  options: Record<string, unknown>,
  runtime: CliRuntime,
): Promise<number> {
  const name = spec.path[spec.path.length - 1];
  const environment = typeof args[0] === "string" ? args[0] : undefined;
  const json = options.json === true;
  const changes: string[] = [];
  const input: ActionInput = {
    args,
    options,
    runtime,
    note: (line) => runtime.stderr(`${line}\n`),
    changed: (line) => changes.push(line),
  };
  try {
    const result = await spec.run(input);
    if (json && result.jsonText) writeResult(runtime, options, result.jsonText());
    else
      writeResult(runtime, options, json ? `${JSON.stringify(result.json, null, 2)}\n` : `${result.text}\n`);
    if (result.failure) reportFailure(runtime, result.failure, changes);
    return result.exitCode;
  } catch (error) {
    const failure = toBbwsError(error);
    reportFailure(runtime, failure, changes);
    if (json)
      writeResult(
        runtime,
        options,
        `${JSON.stringify(errorDocument(name, environment, failure, changes), null, 2)}\n`,
      );
    return failure.exitCode;
  }
}

function writeResult(
  runtime: CliRuntime,
  options: Record<string, unknown>,
  text: string | Iterable<string>,
): void {
  const file = options.output;
  const pieces = typeof text === "string" ? [text] : text;
  if (typeof file === "string") {
    const fd = fs.openSync(file, "w");
    try {
      for (const piece of pieces) fs.writeSync(fd, piece);
    } finally {
      fs.closeSync(fd);
    }
    runtime.stderr(`wrote ${file}\n`);
  } else for (const piece of pieces) runtime.stdout(piece);
}

/** `error: <message>`, its notes, and what had changed (stderr). */
function reportFailure(runtime: CliRuntime, failure: BbwsError, changes: readonly string[]): void {
  runtime.stderr(`error: ${failure.message}\n`);
  for (const note of failure.notes) runtime.stderr(`  ${note}\n`);
  if (changes.length > 0) {
    runtime.stderr("changed before the failure:\n");
    for (const line of changes) runtime.stderr(`  ${line}\n`);
  }
}

/** The JSON document of a failed command. */
export function errorDocument(
  command: string,
  environment: string | undefined,
  failure: BbwsError,
  changes: readonly string[],
): Record<string, unknown> {
  return {
    command,
    ...(environment ? { environment } : {}),
    error: { kind: failure.kind, message: failure.message, notes: failure.notes },
    changed: changes,
    exitCode: exitCodeOf(failure.kind),
  };
}
