/**
 * Tenant stacks through the Pulumi Automation API.
 *
 * - One workspace directory per tenant stack (`.workspaces/<env>.<id>`, git-ignored):
 *   `createOrSelectStack` rewrites workspace files, so parallel operations in one directory
 *   race (pulumi/pulumi#8186). Listing uses its own directory, `.workspaces/_list/<env>`.
 * - Inline program `tenantStackProgram`; the configuration is set from the registry entry
 *   with one `setAllConfig` before every preview and update (secret keys as secrets).
 * - After a successful update the configuration's hash is tagged on the stack (configState.ts):
 *   that is how `list` tells "in sync" from "pending" on any machine.
 * - Lock errors are retried with backoff (lockRetry.ts); a lock that persists fails the tenant
 *   with the `pulumi cancel` command to run, and is never cleared here.
 * - Engine output goes to `<workspace>/<operation>.log`; errors carry only its `error:` lines.
 */
import * as fs from "fs";
import * as path from "path";
import {
  InlineProgramArgs,
  LocalWorkspaceOptions,
  PulumiFn,
  StackNotFoundError,
} from "@pulumi/pulumi/automation";
import { PROJECT_DIR } from "../../lib/projectDir";
import { tenantWorkspaceDir, unwrap } from "../stackOutputs";
import { TENANT_PROJECT, parseTenantStackName, tenantStackName } from "../../config/naming";
import { tenantStackProgram } from "../program";
import { AutomationApi, AutomationStack, localWorkspaceApi } from "./automationApi";
import {
  ChangeCounts,
  DeployedState,
  NO_CHANGES,
  OperationContext,
  StackTarget,
  TenantStackBackend,
  UpOutcome,
  changeCountsFrom,
} from "./backend";
import { TenantStackConfig } from "../stackConfig";
import { CONFIG_HASH_TAG, configHash } from "./configState";
import { messageOf } from "../../lib/errors";
import { DEFAULT_LOCK_RETRY, LockRetryPolicy, withLockRetry } from "./lockRetry";
import { checkPlatformStackName, resolvePlatformStack } from "./platformStack";

/** Options of the automation backend. */
export interface AutomationBackendOptions {
  /** Repository root (Pulumi.yaml of the platform, `.workspaces/`). @default the repository */
  readonly projectDir?: string;
  /** Fully qualified platform stack (`--platform-stack`). @default - resolved, see platformStack.ts */
  readonly platformStack?: string;
  /** The Automation API. @default localWorkspaceApi */
  readonly api?: AutomationApi;
  /** Lock retries. @default DEFAULT_LOCK_RETRY */
  readonly lockRetry?: Partial<LockRetryPolicy>;
  /** The inline program. @default tenantStackProgram */
  readonly program?: PulumiFn;
}

/** The inline program of every tenant stack. */
export const tenantInlineProgram: PulumiFn = () => Promise.resolve(tenantStackProgram());

/** A backend of real stacks; see the file comment. */
export class AutomationBackend implements TenantStackBackend {
  private readonly projectDir: string;
  private readonly api: AutomationApi;
  private readonly retry: LockRetryPolicy;
  private readonly program: PulumiFn;
  private readonly platformStacks = new Map<string, Promise<string>>();

  constructor(private readonly options: AutomationBackendOptions = {}) {
    this.projectDir = options.projectDir ?? PROJECT_DIR;
    this.api = options.api ?? localWorkspaceApi;
    this.retry = { ...DEFAULT_LOCK_RETRY, ...options.lockRetry };
    this.program = options.program ?? tenantInlineProgram;
  }

  /** Workspace directory of a tenant stack. */
  workDir(environment: string, tenantId: string): string {
    return tenantWorkspaceDir(environment, tenantId, this.projectDir);
  }

  platformStack(environment: string): Promise<string> {
    if (this.options.platformStack) {
      return Promise.resolve(checkPlatformStackName(this.options.platformStack, environment));
    }
    let resolved = this.platformStacks.get(environment);
    if (!resolved) {
      // The platform project's workspace is the repository root: listing reads Pulumi.yaml only.
      resolved = this.api
        .createWorkspace({ workDir: this.projectDir })
        .then((workspace) => resolvePlatformStack(environment, workspace));
      this.platformStacks.set(environment, resolved);
    }
    return resolved;
  }

  async list(environment: string): Promise<string[]> {
    const workDir = path.join(this.projectDir, ".workspaces", "_list", environment);
    fs.mkdirSync(workDir, { recursive: true });
    const workspace = await this.api.createWorkspace({ workDir, projectSettings: projectSettings() });
    const stacks = await workspace.listStacks();
    return stacks
      .map((s) => parseTenantStackName(s.name))
      .filter((parsed) => parsed?.environment === environment)
      .map((parsed) => parsed!.tenantId)
      .sort();
  }

  async deployed(environment: string, tenantId: string): Promise<DeployedState | undefined> {
    const stack = await this.select(environment, tenantId);
    if (!stack) return undefined;
    const locked = this.locked(environment, tenantId);
    const tags = await withLockRetry(locked, () => stack.listTags(), this.retry);
    const hash = tags[CONFIG_HASH_TAG];
    // The workspace file holds the last attempt's configuration; it is the deployed one only
    // when its hash is the tagged one.
    const local = (await withLockRetry(locked, () => stack.getAllConfig(), this.retry)) as TenantStackConfig;
    return { configHash: hash, config: hash && configHash(local) === hash ? local : undefined };
  }

  async preview(target: StackTarget, context: OperationContext = {}): Promise<ChangeCounts> {
    const stack = await this.createOrSelect(target.environment, target.tenantId);
    const locked = this.locked(target.environment, target.tenantId);
    await withLockRetry(locked, () => stack.setAllConfig(configMapOf(target.config)), this.retry);
    const result = await this.logged(target, "preview", (onOutput) =>
      withLockRetry(locked, () => stack.preview({ onOutput, signal: context.signal }), this.retry),
    );
    return changeCountsFrom(result.changeSummary);
  }

  async up(target: StackTarget, context: OperationContext = {}): Promise<UpOutcome> {
    const stack = await this.createOrSelect(target.environment, target.tenantId);
    const locked = this.locked(target.environment, target.tenantId);
    await withLockRetry(locked, () => stack.setAllConfig(configMapOf(target.config)), this.retry);
    const result = await this.logged(target, "up", (onOutput) =>
      withLockRetry(locked, () => stack.up({ onOutput, signal: context.signal }), this.retry),
    );
    const warnings: string[] = [];
    try {
      await withLockRetry(locked, () => stack.setTag(CONFIG_HASH_TAG, configHash(target.config)), this.retry);
    } catch (error) {
      // The update itself succeeded: report it as such, with what `list` will not know.
      warnings.push(
        `the update succeeded but the ${CONFIG_HASH_TAG} stack tag could not be set (${messageOf(error)}); ` +
          "`list` will show this stack as pending until a later update sets it",
      );
    }
    return {
      changes: changeCountsFrom(result.summary.resourceChanges),
      outputs: unwrap(result.outputs),
      warnings,
    };
  }

  async destroy(
    environment: string,
    tenantId: string,
    context: OperationContext = {},
  ): Promise<ChangeCounts> {
    const stack = await this.select(environment, tenantId);
    if (!stack) return NO_CHANGES;
    const locked = this.locked(environment, tenantId);
    const result = await this.logged({ environment, tenantId }, "destroy", (onOutput) =>
      withLockRetry(locked, () => stack.destroy({ onOutput, signal: context.signal }), this.retry),
    );
    return changeCountsFrom(result.summary.resourceChanges);
  }

  async remove(environment: string, tenantId: string): Promise<void> {
    const stack = await this.select(environment, tenantId);
    if (!stack) return;
    // `pulumi stack rm` without --force refuses a stack that still has resources: a remove
    // without a successful destroy fails here instead of orphaning cloud resources.
    await withLockRetry(
      this.locked(environment, tenantId),
      () => stack.workspace.removeStack(stack.name),
      this.retry,
    );
  }

  async outputs(environment: string, tenantId: string): Promise<Record<string, unknown>> {
    const stack = await this.select(environment, tenantId);
    if (!stack) throw new Error(`tenant stack ${tenantStackName(environment, tenantId)} does not exist`);
    return unwrap(await stack.outputs());
  }

  private locked(environment: string, tenantId: string) {
    return {
      stackName: tenantStackName(environment, tenantId),
      workDir: this.workDir(environment, tenantId),
    };
  }

  private stackArgs(environment: string, tenantId: string): [InlineProgramArgs, LocalWorkspaceOptions] {
    const workDir = this.workDir(environment, tenantId);
    fs.mkdirSync(workDir, { recursive: true });
    return [
      {
        stackName: tenantStackName(environment, tenantId),
        projectName: TENANT_PROJECT,
        program: this.program,
      },
      { workDir, projectSettings: projectSettings() },
    ];
  }

  private createOrSelect(environment: string, tenantId: string): Promise<AutomationStack> {
    const [args, options] = this.stackArgs(environment, tenantId);
    return withLockRetry(
      this.locked(environment, tenantId),
      () => this.api.createOrSelectStack(args, options),
      this.retry,
    );
  }

  /** The stack, or undefined when it does not exist (never creates one). */
  private async select(environment: string, tenantId: string): Promise<AutomationStack | undefined> {
    const [args, options] = this.stackArgs(environment, tenantId);
    try {
      return await withLockRetry(
        this.locked(environment, tenantId),
        () => this.api.selectStack(args, options),
        this.retry,
      );
    } catch (error) {
      if (error instanceof StackNotFoundError) return undefined;
      throw error;
    }
  }

  /** Runs an engine operation with its output in `<workspace>/<operation>.log`. */
  private async logged<T>(
    target: { environment: string; tenantId: string },
    operation: string,
    run: (onOutput: (out: string) => void) => Promise<T>,
  ): Promise<T> {
    const chunks: string[] = [];
    const logFile = path.join(this.workDir(target.environment, target.tenantId), `${operation}.log`);
    const save = () => {
      try {
        fs.writeFileSync(logFile, chunks.join(""));
      } catch {
        // The log is a convenience; failing to write it must not hide the operation's result.
      }
    };
    try {
      const result = await run((out) => chunks.push(out));
      save();
      return result;
    } catch (error) {
      chunks.push(`\n${error instanceof Error ? error.message : String(error)}\n`);
      save();
      if (error instanceof Error && error.name === "CommandError") {
        throw new Error(`${messageOf(error)} (full output: ${path.relative(process.cwd(), logFile)})`, {
          cause: error,
        });
      }
      throw error;
    }
  }
}

function projectSettings(): LocalWorkspaceOptions["projectSettings"] {
  return { name: TENANT_PROJECT, runtime: "nodejs" };
}

function configMapOf(config: TenantStackConfig): Record<string, { value: string; secret: boolean }> {
  return Object.fromEntries(
    Object.entries(config).map(([key, { value, secret }]) => [key, { value, secret }]),
  );
}
