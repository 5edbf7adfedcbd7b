/**
 * Runs the platform program (index.ts) of a stack offline, with the stack's committed
 * configuration and optional overrides.
 */
import { PROJECT } from "../config/platformConfig";
import { FlatConfig, readStackFile } from "../config/readStackConfig";
import { StackRun, runStack } from "./stackRun";

/** The platform program, exactly as `pulumi up` loads it. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const platformProgram = require("../index") as () => Promise<unknown>;

export interface PlatformRunOptions {
  /** Stack name (dev, prod...): selects Pulumi.<stack>.yaml. */
  readonly stack: string;
  /** Keys to set or replace, fully qualified (`bbws:albShards`). */
  readonly overrides?: FlatConfig;
  /** Keys to remove from the stack file's configuration. */
  readonly remove?: readonly string[];
  /** Project directory holding the stack files. */
  readonly projectDir?: string;
}

export async function runPlatform(options: PlatformRunOptions): Promise<StackRun> {
  const { flat } = readStackFile(options.stack, options.projectDir);
  const config: FlatConfig = { ...flat, ...options.overrides };
  for (const key of options.remove ?? []) delete config[key];
  return runStack(
    { project: PROJECT, stack: options.stack, region: config["aws:region"] ?? "us-east-1", config },
    platformProgram,
  );
}
