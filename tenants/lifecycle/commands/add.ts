/**
 * `tenants add <env> --id ID --domain HOST ...`: a new tenant, in two steps.
 *
 * 1. The entry is built from the options and the whole resulting registry is validated with
 *    `checkAddition` (ids, host names, sizes, task counts, duplicates across entries, and the
 *    account's quotas): any problem stops here with the file untouched (exit 3, or 12 for a
 *    quota). The entry gets its listener slot and is written at the end of the `tenants:` list,
 *    comments and order of the file kept.
 * 2. Only that tenant's stack is deployed. If the deploy fails the entry stays (the registry is
 *    the intent; `sync <env> <id>` retries) and the command exits 1.
 *
 * An id whose data an earlier removal kept (its tombstone, tombstones.ts) is refused before
 * anything is written (kind "refused"): the new tenant's stack would unlock the old schema and
 * put an access point on the old directory. The message says what is retained and the two ways
 * out: purge it (`remove <env> <id> --purge`) or adopt it on purpose (`--adopt-retained-data`,
 * which records an `adopted` tombstone with the entry).
 */
import { allocateListenerSlots, allocationOptions } from "../../registry/allocate";
import { TenantEntry } from "../../../config/tenantEntry";
import { LifecycleContext } from "../context";
import { fleetExitCode, fleetOptions, runFleet } from "../fleet";
import { readInputs, stackOf } from "../fleetState";
import { checkAddition, commitRegistry, withEntry } from "../../registry/edits";
import { CommandReport, renderResults, resultsJson } from "../report";
import { BbwsError } from "../../../lib/errors";
import { assertPlatformCertificate } from "../onboarding";
import { deployTenant } from "../deploy";
import {
  appendTombstone,
  describeRetained,
  loadTombstones,
  retainedData,
  tombstoneDisplay,
  tombstonePath,
} from "../../registry/tombstones";

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
  /** Re-attach the schema, user and files an earlier removal of this id kept. */
  readonly adoptRetainedData?: boolean;
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
  // The whole registry with the new entry must validate, and fit the account's quotas, before
  // a slot is allocated for it (problems of the new entry name its option, not a line).
  checkAddition(snapshot, entry, settings);

  const { entries } = allocateListenerSlots(
    [...snapshot.registry.tenants, entry],
    allocationOptions(settings),
  );
  const placed = entries[entries.length - 1];

  const tombstoneFile = tombstonePath(context.registryFile);
  const retained = retainedData(loadTombstones(tombstoneFile), placed.id);
  if (retained && !options.adoptRetainedData) {
    throw new BbwsError(
      "refused",
      `refused to add "${placed.id}": a tenant of that id was removed on ${retained.at} and its data is retained ` +
        `(${tombstoneDisplay(tombstoneFile)}); a new tenant would inherit it. Either delete it first: ` +
        `\`npm run tenants -- remove ${context.environment} ${placed.id} --purge\`, or, if this is the same customer, ` +
        `re-attach it on purpose: \`npm run tenants -- add ${context.environment} --id ${placed.id} ... --adopt-retained-data\`; ` +
        "nothing was changed",
      { notes: describeRetained(retained).map((line) => `retained: ${line}`) },
    );
  }
  if (options.adoptRetainedData && !retained) {
    context.note(
      `--adopt-retained-data: no retained data of "${placed.id}" is recorded in ${tombstoneDisplay(tombstoneFile)}; ` +
        "whatever a removal before tombstones left is attached as it is",
    );
  }
  // The backend answers before the registry is written: without the Pulumi CLI, a login or the
  // platform stack, the command fails here and the file stays byte-identical.
  const platformStack = await context.backend.platformStack(context.environment);
  await assertPlatformCertificate(context);
  const exists = (await context.backend.list(context.environment)).includes(placed.id);

  const committed = commitRegistry(snapshot, withEntry(snapshot, placed));
  const added = `added tenant "${placed.id}" to ${committed.registry.file} (ALB shard ${placed.listener!.shard}, rule priority ${placed.listener!.priority})`;
  context.changed(added);
  context.note(added);
  if (options.adoptRetainedData) {
    appendTombstone(tombstoneFile, {
      id: placed.id,
      event: "adopted",
      at: new Date(context.now?.() ?? Date.now()).toISOString(),
      note: `tenants add ${context.environment} --id ${placed.id} --adopt-retained-data`,
    });
    const adopted = `recorded that "${placed.id}" adopts its retained data in ${tombstoneDisplay(tombstoneFile)}`;
    context.changed(adopted);
    context.note(adopted);
  }
  const results = await runFleet(
    [
      {
        tenantId: placed.id,
        stack: stackOf(context, placed.id),
        operation: exists ? "update" : "create",
        run: (step, signal) =>
          deployTenant(
            context,
            { entry: placed, settings, platformStack, stackExists: exists },
            step,
            signal,
          ),
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
      adoptedRetainedData: Boolean(options.adoptRetainedData && retained),
      results: resultsJson(results),
      exitCode,
    },
  };
}
