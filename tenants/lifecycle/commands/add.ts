/**
 * `tenants add <env> --id ID --domain HOST ...`: a new tenant, in two steps.
 *
 * 1. The entry is built from the options and the whole resulting registry is validated with
 *    `parseRegistry` (ids, host names, sizes, task counts, duplicates across entries): any
 *    problem stops here with the file untouched (exit 3). The entry gets its listener slot and
 *    is written at the end of the `tenants:` list, comments and order of the file kept.
 * 2. Only that tenant's stack is deployed. If the deploy fails the entry stays (the registry is
 *    the intent; `sync <env> <id>` retries) and the command exits 1.
 */
import { allocateListenerSlots } from "../../registry/allocate";
import { parseRegistry } from "../../registry/load";
import { TenantEntry } from "../../../config/tenantEntry";
import { formatChanges } from "../backend";
import { LifecycleContext } from "../context";
import { tenantStackConfig } from "../../stackConfig";
import { fleetExitCode, fleetOptions, runFleet } from "../fleet";
import { readInputs, stackOf } from "../fleetState";
import { commitRegistry, withEntry } from "../../registry/edits";
import { CommandReport, renderResults, resultsJson } from "../report";

/** Options of `add` (the entry's fields). */
export interface AddOptions {
  readonly id: string;
  readonly hosts: readonly string[];
  readonly size?: string;
  readonly desired?: number;
  readonly min?: number;
  readonly max?: number;
  readonly image?: string;
  readonly highAvailability?: boolean;
}

/** The registry entry the options describe (not validated: the registry does that). */
export function entryFromOptions(options: AddOptions): TenantEntry {
  const tasks =
    options.desired !== undefined || options.min !== undefined || options.max !== undefined
      ? { desired: options.desired, min: options.min, max: options.max }
      : undefined;
  const entry: Record<string, unknown> = {
    id: options.id,
    hosts: [...options.hosts],
    size: options.size,
    highAvailability: options.highAvailability,
    tasks: tasks && Object.fromEntries(Object.entries(tasks).filter(([, v]) => v !== undefined)),
    image: options.image,
  };
  return Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined)) as TenantEntry;
}

/** Adds a tenant to the registry and deploys its stack. */
export async function addTenant(context: LifecycleContext, options: AddOptions): Promise<CommandReport> {
  const { snapshot, settings } = readInputs(context);
  const entry = entryFromOptions(options);
  // The whole registry with the new entry must validate before a slot is allocated for it.
  parseRegistry(withEntry(snapshot, entry), snapshot.registry.file, context.environment);

  const { entries } = allocateListenerSlots([...snapshot.registry.tenants, entry], {
    shards: settings.albShards,
  });
  const placed = entries[entries.length - 1];
  // The backend answers before the registry is written: without the Pulumi CLI, a login or the
  // platform stack, the command fails here and the file stays byte-identical.
  const platformStack = await context.backend.platformStack(context.environment);
  const exists = (await context.backend.list(context.environment)).includes(placed.id);

  const committed = commitRegistry(snapshot, withEntry(snapshot, placed));
  const added = `added tenant "${placed.id}" to ${committed.registry.file} (ALB shard ${placed.listener!.shard}, rule priority ${placed.listener!.priority})`;
  context.changed(added);
  context.note(added);
  const results = await runFleet(
    [
      {
        tenantId: placed.id,
        stack: stackOf(context, placed.id),
        operation: exists ? "update" : "create",
        async run(step, signal) {
          step("updating");
          const { changes, warnings } = await context.backend.up(
            {
              environment: context.environment,
              tenantId: placed.id,
              config: tenantStackConfig(settings, placed, platformStack),
            },
            { signal },
          );
          return { message: formatChanges(changes), changes, details: warnings };
        },
      },
    ],
    fleetOptions(context),
  );
  const exitCode = fleetExitCode(results);
  const kept =
    exitCode === 0
      ? []
      : [
          `The entry of "${placed.id}" stays in ${committed.registry.file}; fix the cause and deploy it with ` +
            `\`npm run tenants -- sync ${context.environment} ${placed.id}\` (or remove it with \`remove\`).`,
        ];
  return {
    exitCode,
    text: [renderResults(results), ...kept].join("\n"),
    json: {
      command: "add",
      environment: context.environment,
      backend: context.backendName,
      registry: committed.file,
      entry: placed,
      entryKept: true,
      results: resultsJson(results),
      exitCode,
    },
  };
}
