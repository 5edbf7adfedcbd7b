/**
 * The contract between the lifecycle's orchestration and whatever holds tenant stacks. Two
 * implementations: `automationBackend.ts` (Pulumi Automation API, one workspace directory per
 * tenant) and `offlineBackend.ts` (the offline engine with a small state file), so every command
 * runs the same flow with or without the Pulumi CLI and AWS. Tests use an in-memory fake.
 */
import { TenantStackConfig } from "../stackConfig";

/** Resource operations of a preview, an update or a destroy. */
export interface ChangeCounts {
  readonly create: number;
  readonly update: number;
  readonly replace: number;
  readonly delete: number;
  readonly same: number;
}

/** A stack to preview or update, with the configuration it must run with. */
export interface StackTarget {
  readonly environment: string;
  readonly tenantId: string;
  /** Set on the stack before every preview and update. */
  readonly config: TenantStackConfig;
}

/** What every stack operation may receive. */
export interface OperationContext {
  /** Aborts the operation (Ctrl-C); Pulumi stops gracefully. */
  readonly signal?: AbortSignal;
}

/** What a backend knows about the last successful update of a stack. */
export interface DeployedState {
  /** `configHash` of the configuration of the last successful update; absent if none. */
  readonly configHash?: string;
  /** That configuration, when this machine still has it. */
  readonly config?: TenantStackConfig;
}

/** Result of an update. */
export interface UpOutcome {
  readonly changes: ChangeCounts;
  /** The stack's outputs after the update. */
  readonly outputs: Record<string, unknown>;
  /** Problems after a successful update that did not fail it (shown under the summary). */
  readonly warnings?: readonly string[];
}

/** Where tenant stacks live. Every method is safe to call again after an interruption. */
export interface TenantStackBackend {
  /** Fully qualified name of the environment's platform stack, e.g. `acme-org/bbws/dev`. */
  platformStack(environment: string): Promise<string>;
  /** Tenant ids of the environment's existing stacks (`<env>.<id>`), sorted. */
  list(environment: string): Promise<string[]>;
  /** State of the last successful update; undefined when the stack does not exist. */
  deployed(environment: string, tenantId: string): Promise<DeployedState | undefined>;
  /** Sets the configuration and previews (creates an empty stack when there is none). */
  preview(target: StackTarget, context?: OperationContext): Promise<ChangeCounts>;
  /** Creates or selects the stack, sets the configuration and updates. */
  up(target: StackTarget, context?: OperationContext): Promise<UpOutcome>;
  /** Destroys every resource of the stack; nothing happens when the stack does not exist. */
  destroy(environment: string, tenantId: string, context?: OperationContext): Promise<ChangeCounts>;
  /** Removes the (destroyed) stack and its history; nothing happens when it does not exist. */
  remove(environment: string, tenantId: string): Promise<void>;
  /** Outputs of the stack. */
  outputs(environment: string, tenantId: string): Promise<Record<string, unknown>>;
}

/** No change at all. */
export const NO_CHANGES: ChangeCounts = { create: 0, update: 0, replace: 0, delete: 0, same: 0 };

/**
 * Counts from the Automation API's change summary (`PreviewResult.changeSummary`,
 * `UpdateSummary.resourceChanges`); operations other than these five (read, refresh...) are
 * not changes an operator reviews.
 */
export function changeCountsFrom(
  summary: Readonly<Record<string, number | undefined>> | undefined,
): ChangeCounts {
  const n = (key: string) => summary?.[key] ?? 0;
  return {
    create: n("create"),
    update: n("update"),
    replace: n("replace"),
    delete: n("delete"),
    same: n("same"),
  };
}

/** True when anything would be created, updated, replaced or deleted. */
export function hasChanges(changes: ChangeCounts): boolean {
  return changes.create + changes.update + changes.replace + changes.delete > 0;
}

/** `+2 ~1 ±0 -0 =30`: create, update, replace, delete, same. */
export function formatChanges(changes: ChangeCounts): string {
  return `+${changes.create} ~${changes.update} ±${changes.replace} -${changes.delete} =${changes.same}`;
}
