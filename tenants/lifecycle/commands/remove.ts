/**
 * `tenants remove <env> ID [--purge]`: final backup -> (purge: update with dropDataOnDestroy) ->
 * destroy -> remove the stack -> tombstone -> remove the registry entry (removal.ts has the
 * safety steps).
 *
 * Works on an orphan stack too (no entry: nothing to edit in the registry), and finishes a
 * removal that was interrupted after the stack went (only the entry left: a new final backup,
 * then the entry). `--purge` needs the configuration to update the stack with: the entry's, or
 * for an orphan the configuration of its last update when this machine has it; otherwise it
 * is refused.
 *
 * `remove <env> ID --purge` of a tenant that is gone (no entry, no stack) but whose data a
 * tombstone says is retained deletes that data: a final backup that waits for its DR copies,
 * then the schema, user and files, then a `purged` tombstone.
 */
import { TenantStackConfig } from "../../stackConfig";
import { LifecycleContext } from "../context";
import { tenantStackConfig } from "../../stackConfig";
import { issuedCertificateHosts, validatedByCustomer } from "../certificates";
import { BbwsError } from "../../../lib/errors";
import { fleetExitCode, fleetOptions, runFleet } from "../fleet";
import { readInputs, requireKnown, stackOf, withStacks } from "../fleetState";
import { commitRegistry, readRegistry, withoutEntry } from "../../registry/edits";
import { leftBehind, purgeConfigOf, removeStackSafely } from "../removal";
import {
  describeRetained,
  loadTombstones,
  retainedData,
  tombstoneDisplay,
  tombstonePath,
} from "../../registry/tombstones";

import { CommandReport, renderResults, resultsJson } from "../report";

/** Options of `remove`. */
export interface RemoveOptions {
  readonly tenantId: string;
  /** Drop the database and its user too. */
  readonly purge?: boolean;
}

/** Removes a tenant: see the file comment. */
export async function removeTenant(
  context: LifecycleContext,
  options: RemoveOptions,
): Promise<CommandReport> {
  const { tenantId } = options;
  const state = await withStacks(context, readInputs(context));
  const entry = state.entries.find((e) => e.id === tenantId);
  const stackExists = state.existing.has(tenantId);
  const stack = stackOf(context, tenantId);
  const tombstoneFile = tombstonePath(context.registryFile);
  const retained = !entry && !stackExists ? retainedData(loadTombstones(tombstoneFile), tenantId) : undefined;
  if (retained && !options.purge) {
    throw new BbwsError(
      "notFound",
      `tenant "${tenantId}" has no entry and no stack ${stack}: nothing to remove; its data is retained ` +
        `(${tombstoneDisplay(tombstoneFile)}): \`npm run tenants -- remove ${context.environment} ${tenantId} --purge\` deletes it`,
      { notes: describeRetained(retained).map((line) => `retained: ${line}`) },
    );
  }
  // Neither an entry nor a stack nor retained data: not found (naming the closest id).
  if (!entry && !stackExists && !retained)
    requireKnown(
      [tenantId],
      [...state.entries.map((e) => e.id), ...state.existing],
      `${state.snapshot.registry.file} and has no stack`,
    );

  let purgeConfig: TenantStackConfig | undefined;
  if (options.purge && stackExists) {
    const base = entry
      ? tenantStackConfig(state.settings, entry, state.platformStack, {
          // The purge update must not detach what serves until the destroy.
          issuedCertificateHosts: await issuedCertificateHosts(
            context,
            context.environment,
            tenantId,
            true,
            validatedByCustomer(entry, state.settings),
          ),
        })
      : (await context.backend.deployed(context.environment, tenantId))?.config;
    if (!base) {
      throw new BbwsError(
        "refused",
        `refused to purge ${stack}: it has no registry entry and this machine does not have the configuration of its ` +
          `last update, which the purge update needs; remove it without --purge (its data is kept) or add the entry back; nothing was changed`,
      );
    }
    purgeConfig = purgeConfigOf(base);
  }

  const results = await runFleet(
    [
      {
        tenantId,
        stack,
        operation: options.purge ? "purge" : "remove",
        async run(step, signal) {
          const { backup, destroyed, files, tombstones } = await removeStackSafely(
            context,
            { tenantId, stackExists, purgeConfig, purgeFiles: options.purge },
            step,
            signal,
          );
          const parts = [
            stackExists ? `stack removed (${destroyed.delete} resources destroyed)` : "no stack was left",
            `tombstone in ${tombstones}`,
          ];
          if (entry) {
            step("removing");
            // Read again: the registry may have been edited while the stack was destroyed.
            const fresh = readRegistry(context.environment, context.registryFile);
            try {
              commitRegistry(fresh, withoutEntry(fresh, tenantId));
            } catch (error) {
              throw new Error(
                `the stack is gone but the entry could not be removed from ${fresh.registry.file} ` +
                  `(${error instanceof Error ? error.message : String(error)}); re-run \`remove\` or delete the entry by hand`,
                { cause: error },
              );
            }
            parts.push(`entry removed from ${fresh.registry.file}`);
            context.changed(`removed the entry of "${tenantId}" from ${fresh.registry.file}`);
          }
          return {
            message: parts.join(", "),
            details: [
              backup.summary,
              ...(files ? [files] : []),
              ...leftBehind(tenantId, Boolean(options.purge)),
            ],
          };
        },
      },
    ],
    fleetOptions(context),
  );
  const exitCode = fleetExitCode(results);
  return {
    exitCode,
    text: renderResults(results),
    json: {
      command: "remove",
      environment: context.environment,
      backend: context.backendName,
      registry: state.snapshot.file,
      tenantId,
      purge: Boolean(options.purge),
      results: resultsJson(results),
      exitCode,
    },
  };
}
