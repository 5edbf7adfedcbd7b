/**
 * `tenants sync <env> [ID...]`: makes the tenant stacks match the registry.
 *
 * 1. Before anything changes: the backend answers (the platform stack, the existing stacks),
 *    requested ids are known and a prune is sane; then listener slots missing from the
 *    registry are allocated and written into it (comments and order kept, atomic write): a
 *    tenant's place on the load balancers is decided once and never moves.
 * 2. Every entry's stack is created or updated (`up` with the configuration the entry implies),
 *    `--concurrency` at a time; a failing tenant never stops the others.
 * 3. Orphan stacks (no entry) are reported and kept; with `--prune` each is removed after the
 *    same safety steps as `remove` (final backup first, data retained). `--prune` refuses to
 *    remove every stack of an environment whose registry lists no tenant: that is more likely a
 *    truncated file than an intent (use `remove` per tenant).
 *
 * Re-running after an interruption is safe: slots already written are kept, `up` converges,
 * a removed stack is not removed twice.
 */
import { ListenerSlot } from "../../../config/tenantEntry";
import { LifecycleContext } from "../context";
import { BbwsError } from "../../../lib/errors";
import { assertPlatformCertificate } from "../onboarding";
import { deployTenant } from "../deploy";
import { FleetResult, FleetTask, fleetExitCode, fleetOptions, runFleet, skipped } from "../fleet";
import { orphansOf, readInputs, requireKnown, stackOf, withStacks } from "../fleetState";
import { commitRegistry, withListenerSlots } from "../../registry/edits";
import {
  describeRetained,
  loadTombstones,
  retainedData,
  tombstoneDisplay,
  tombstonePath,
} from "../../registry/tombstones";
import { leftBehind, removeStackSafely } from "../removal";
import { CommandReport, renderResults, resultsJson } from "../report";

/** Options of `sync`. */
export interface SyncOptions {
  /** Only these tenants (entries or orphans). @default every one */
  readonly tenantIds?: readonly string[];
  /** Remove orphan stacks (after a final backup each). */
  readonly prune?: boolean;
}

/** Syncs the environment's tenant stacks with its registry. */
export async function syncTenants(
  context: LifecycleContext,
  options: SyncOptions = {},
): Promise<CommandReport> {
  // Everything that can refuse the command runs before the registry is written: the backend
  // answers (Pulumi CLI, login, platform stack), requested ids exist, a prune is sane.
  let state = await withStacks(context, readInputs(context));
  const orphans = orphansOf(state);
  const selected = (id: string) => !options.tenantIds?.length || options.tenantIds.includes(id);
  if (options.tenantIds?.length) {
    requireKnown(
      options.tenantIds,
      [...state.entries.map((e) => e.id), ...orphans],
      `${state.snapshot.registry.file} and has no stack`,
    );
  }
  if (options.prune && state.entries.length === 0 && orphans.length > 0 && !options.tenantIds?.length) {
    throw new BbwsError(
      "refused",
      `refused to prune: ${state.snapshot.registry.file} lists no tenants, so --prune would remove all ${orphans.length} ` +
        `tenant stacks of ${context.environment}; check the file, or remove tenants one by one with \`remove\`; nothing was changed`,
    );
  }

  await assertPlatformCertificate(context);
  let written: { tenantId: string; slot: ListenerSlot }[] = [];
  if (state.unallocated.length > 0) {
    const slots = new Map(
      state.entries.filter((e) => state.unallocated.includes(e.id)).map((e) => [e.id, e.listener!] as const),
    );
    state = { ...state, snapshot: commitRegistry(state.snapshot, withListenerSlots(state.snapshot, slots)) };
    written = [...slots].map(([tenantId, slot]) => ({ tenantId, slot }));
    const allocated = `allocated listener slots in ${state.snapshot.registry.file}: ${written
      .map((w) => `${w.tenantId} (shard ${w.slot.shard}, priority ${w.slot.priority})`)
      .join(", ")}`;
    context.changed(allocated);
    context.note(allocated);
  }

  // An entry written into the registry by hand must not inherit what a removal of the same id
  // kept, any more than `add` may: a new stack for a tombstoned id is refused (that tenant only).
  const tombstoneFile = tombstonePath(context.registryFile);
  const tombstones = loadTombstones(tombstoneFile);
  const tasks: FleetTask[] = state.entries
    .filter((entry) => selected(entry.id))
    .map((entry) => ({
      tenantId: entry.id,
      stack: stackOf(context, entry.id),
      operation: state.existing.has(entry.id) ? ("update" as const) : ("create" as const),
      async run(step, signal) {
        const retained = state.existing.has(entry.id) ? undefined : retainedData(tombstones, entry.id);
        if (retained) {
          throw new BbwsError(
            "refused",
            `refused to create ${stackOf(context, entry.id)}: a removal of "${entry.id}" on ${retained.at} kept its data ` +
              `(${tombstoneDisplay(tombstoneFile)}); purge it (\`npm run tenants -- remove ${context.environment} ${entry.id} --purge\`) ` +
              `or adopt it on purpose (remove the entry, then \`npm run tenants -- add ${context.environment} --id ${entry.id} ... --adopt-retained-data\`); nothing was changed`,
            { notes: describeRetained(retained).map((line) => `retained: ${line}`) },
          );
        }
        return deployTenant(
          context,
          {
            entry,
            settings: state.settings,
            platformStack: state.platformStack,
            stackExists: state.existing.has(entry.id),
          },
          step,
          signal,
        );
      },
    }));
  const kept: FleetResult[] = [];
  for (const id of orphans.filter(selected)) {
    if (!options.prune) {
      kept.push(
        skipped(
          id,
          stackOf(context, id),
          "orphan",
          "no registry entry: kept; `sync --prune` removes it after a final backup",
        ),
      );
      continue;
    }
    tasks.push({
      tenantId: id,
      stack: stackOf(context, id),
      operation: "prune",
      async run(step, signal) {
        const { backup, destroyed } = await removeStackSafely(
          context,
          { tenantId: id, stackExists: true },
          step,
          signal,
        );
        return {
          message: `stack removed (${destroyed.delete} resources destroyed), data kept`,
          details: [backup.summary, ...leftBehind(id, false)],
        };
      },
    });
  }

  const results = [...(await runFleet(tasks, fleetOptions(context))), ...kept];
  const exitCode = fleetExitCode(results);
  return {
    exitCode,
    text: renderResults(results),
    json: {
      command: "sync",
      environment: context.environment,
      backend: context.backendName,
      registry: state.snapshot.file,
      platformStack: state.platformStack,
      allocated: written,
      results: resultsJson(results),
      exitCode,
    },
  };
}
