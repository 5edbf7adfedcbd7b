/**
 * The part of `@pulumi/pulumi/automation` the lifecycle uses, behind an interface so the
 * automation backend is unit-tested with a fake (no Pulumi CLI). `localWorkspaceApi` is the
 * real one; `LocalWorkspace`'s stacks and workspaces satisfy these interfaces as they are.
 */
import {
  ConfigMap,
  InlineProgramArgs,
  LocalWorkspace,
  LocalWorkspaceOptions,
  OpMap,
  OutputMap,
  StackSummary,
  WhoAmIResult,
} from "@pulumi/pulumi/automation";

/** Options every engine operation receives. */
export interface EngineOperationOptions {
  /** Engine output, line by line (kept in the workspace's log file). */
  readonly onOutput?: (out: string) => void;
  /** Aborts the operation gracefully (Automation API >= 3.134). */
  readonly signal?: AbortSignal;
}

/** A workspace: what the lifecycle asks of it. */
export interface AutomationWorkspace {
  listStacks(): Promise<StackSummary[]>;
  removeStack(stackName: string): Promise<void>;
  whoAmI(): Promise<WhoAmIResult>;
}

/** A stack selected in its workspace. */
export interface AutomationStack {
  readonly name: string;
  readonly workspace: AutomationWorkspace;
  setAllConfig(config: ConfigMap): Promise<void>;
  getAllConfig(): Promise<ConfigMap>;
  setTag(key: string, value: string): Promise<void>;
  listTags(): Promise<Record<string, string>>;
  preview(options?: EngineOperationOptions): Promise<{ changeSummary: OpMap }>;
  up(options?: EngineOperationOptions): Promise<{ summary: { resourceChanges?: OpMap }; outputs: OutputMap }>;
  destroy(options?: EngineOperationOptions): Promise<{ summary: { resourceChanges?: OpMap } }>;
  outputs(): Promise<OutputMap>;
}

/** The LocalWorkspace entry points. */
export interface AutomationApi {
  /** `LocalWorkspace.createOrSelectStack` with an inline program. */
  createOrSelectStack(args: InlineProgramArgs, options: LocalWorkspaceOptions): Promise<AutomationStack>;
  /** `LocalWorkspace.selectStack`: StackNotFoundError when there is none (never creates). */
  selectStack(args: InlineProgramArgs, options: LocalWorkspaceOptions): Promise<AutomationStack>;
  /** `LocalWorkspace.create`. */
  createWorkspace(options: LocalWorkspaceOptions): Promise<AutomationWorkspace>;
}

/** The real Automation API (needs the Pulumi CLI and the backend's credentials). */
export const localWorkspaceApi: AutomationApi = {
  createOrSelectStack: (args, options) => LocalWorkspace.createOrSelectStack(args, options),
  selectStack: (args, options) => LocalWorkspace.selectStack(args, options),
  createWorkspace: (options) => LocalWorkspace.create(options),
};
