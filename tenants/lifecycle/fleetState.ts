/**
 * The picture every command starts from: the validated registry, the platform settings, every
 * entry with its listener slot (allocated in memory where the registry has none yet), the
 * platform stack name and the tenant stacks that exist.
 */
import { closest } from "fastest-levenshtein";
import { PlatformSettings } from "../../config/platformConfig";
import { tenantStackName } from "../../config/naming";
import { allocateListenerSlots, allocationOptions } from "../registry/allocate";
import { assertEdgeRules } from "../registry/edgeRules";
import { TenantEntry } from "../../config/tenantEntry";
import { LifecycleContext } from "./context";
import { BbwsError } from "../../lib/errors";
import { RegistrySnapshot, readRegistry } from "../registry/edits";

/** An environment as the registry and the backend see it. */
export interface FleetState {
  readonly snapshot: RegistrySnapshot;
  readonly settings: PlatformSettings;
  /** Registry entries in file order, each with a listener slot. */
  readonly entries: readonly TenantEntry[];
  /** Tenants whose slot is not in the registry yet (allocated in memory only). */
  readonly unallocated: readonly string[];
  readonly platformStack: string;
  /** Tenant ids with a stack. */
  readonly existing: ReadonlySet<string>;
}

/** Registry and settings only: invalid input fails here, before any stack is touched. */
export function readInputs(context: LifecycleContext): {
  snapshot: RegistrySnapshot;
  settings: PlatformSettings;
  entries: TenantEntry[];
  unallocated: string[];
} {
  const snapshot = readRegistry(context.environment, context.registryFile);
  const settings = context.settings();
  assertEdgeRules(snapshot.registry, settings);
  const { entries, allocated } = allocateListenerSlots(
    snapshot.registry.tenants,
    allocationOptions(settings, snapshot.registry),
  );
  return { snapshot, settings, entries, unallocated: allocated };
}

/** Adds the backend's view (platform stack, existing stacks) to the inputs. */
export async function withStacks(
  context: LifecycleContext,
  inputs: ReturnType<typeof readInputs>,
): Promise<FleetState> {
  const platformStack = await context.backend.platformStack(context.environment);
  const existing = new Set(await context.backend.list(context.environment));
  return { ...inputs, platformStack, existing };
}

/** Tenant ids that are orphan stacks: a stack without a registry entry. */
export function orphansOf(state: FleetState): string[] {
  const ids = new Set(state.entries.map((e) => e.id));
  return [...state.existing].filter((id) => !ids.has(id)).sort();
}

/**
 * Checks that every requested id is known; suggests the closest one. `where` completes
 * "tenant "x" is not in ...".
 */
export function requireKnown(ids: readonly string[], known: readonly string[], where: string): void {
  for (const id of ids) {
    if (known.includes(id)) continue;
    const hint = known.length > 0 ? `; did you mean "${closest(id, [...known])}"?` : "";
    throw new BbwsError("notFound", `tenant "${id}" is not in ${where}${hint}; nothing was changed`);
  }
}

/** `<env>.<id>`. */
export function stackOf(context: LifecycleContext, tenantId: string): string {
  return tenantStackName(context.environment, tenantId);
}
