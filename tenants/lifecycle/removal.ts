/**
 * The safety steps before a tenant stack goes away, shared by `remove` and `sync --prune`, as a
 * saga (lib/saga.ts) whose steps say what an operator does when a later one fails:
 *
 * 1. a final on-demand backup (the FinalBackup port); if it cannot be taken the removal is
 *    refused (kind "refused") and nothing has changed;
 * 2. with `--purge` only: an update with `dropDataOnDestroy` true, so the database resource's
 *    delete (which reads its inputs from the state) drops the schema and user. Undone when a
 *    later step fails: a stack left behind must not drop its data at some later destroy;
 * 3. destroy: without purge the tenant's data stays (the database resource locks the user and
 *    keeps the schema; the EFS access point goes, its directory stays). Cannot be undone: a
 *    re-run finishes the removal;
 * 4. remove the stack (`pulumi stack rm`, refused by Pulumi while resources remain);
 * 5. with `--purge` only: delete the tenant's directory (and what restores kept of it) with the
 *    platform's maintenance task, and its schema and user if they are still there (a tenant
 *    removed earlier without `--purge`). Last, once no task of the tenant can run; a re-run
 *    after a failure here (stack gone, entry kept) takes a new final backup and tries again.
 *
 * Once the stack is gone a tombstone records what is retained and where (tombstones.ts): as
 * soon as the destroy returns, so that no data outlives its record; and `purged` once a purge
 * has deleted everything. `tenants add` refuses an id whose data a tombstone says is retained.
 *
 * The registry entry is removed by the caller, last.
 */
import { databaseName, databaseUser, tenantRootDirectory, tenantStackName } from "../../config/naming";
import { BbwsError, messageOf } from "../../lib/errors";
import { Saga } from "../../lib/saga";
import { TENANT_CONFIG } from "../stackConfig";
import { ChangeCounts, NO_CHANGES } from "./backend";
import { TenantStackConfig } from "../stackConfig";
import { LifecycleContext } from "./context";
import { FleetTask } from "./fleet";
import { FinalBackupRecord } from "./ports";
import {
  appendTombstone,
  latestTombstone,
  loadTombstones,
  retainedAfterRemoval,
  tombstoneDisplay,
  tombstonePath,
} from "../registry/tombstones";
import { recoveryWindowInDays } from "../../components/tenant/secrets";

/** What to remove. */
export interface Removal {
  readonly tenantId: string;
  /** False when only the registry entry is left (a re-run after an interrupted remove). */
  readonly stackExists: boolean;
  /** With --purge: the stack's configuration with dropDataOnDestroy true (absent without a stack). */
  readonly purgeConfig?: TenantStackConfig;
  /** With --purge: delete the tenant's files once the stack is gone. */
  readonly purgeFiles?: boolean;
}

/** What a removal did. */
export interface RemovalOutcome {
  readonly backup: FinalBackupRecord;
  readonly destroyed: ChangeCounts;
  /** What the file deletion said (with --purge). */
  readonly files?: string;
  /** The tombstone file the removal recorded itself in. */
  readonly tombstones: string;
}

/** Runs steps 1-5 of the file comment. */
export async function removeStackSafely(
  context: LifecycleContext,
  removal: Removal,
  step: Parameters<FleetTask["run"]>[0],
  signal?: AbortSignal,
): Promise<RemovalOutcome> {
  const { environment, backend } = context;
  const { tenantId } = removal;
  const stack = tenantStackName(environment, tenantId);
  const rerun = `npm run tenants -- remove ${environment} ${tenantId}${removal.purgeFiles ? " --purge" : ""}`;
  step("backing up");
  let backup: FinalBackupRecord;
  try {
    backup = await context.finalBackup.take({
      environment,
      tenantId,
      purge: Boolean(removal.purgeConfig) || Boolean(removal.purgeFiles),
      signal,
    });
  } catch (error) {
    throw new BbwsError(
      "refused",
      `refused to remove ${stack}: the final backup could not be taken (${messageOf(error)}); nothing was changed`,
      { cause: error },
    );
  }

  const tombstones = tombstonePath(context.registryFile);
  const now = () => new Date(context.now?.() ?? Date.now());
  const record = (tombstone: Parameters<typeof appendTombstone>[1]) => {
    try {
      appendTombstone(tombstones, tombstone);
    } catch (error) {
      throw new BbwsError(
        "failed",
        `the ${tombstone.event} tombstone of "${tenantId}" could not be written to ${tombstoneDisplay(tombstones)} ` +
          `(${messageOf(error)}); the registry entry was kept: fix the file and re-run \`${rerun}\``,
        { cause: error },
      );
    }
    context.changed(
      `recorded the ${tombstone.event} tombstone of "${tenantId}" in ${tombstoneDisplay(tombstones)}`,
    );
  };
  // What the stack's destroy left: everything but what a purge update had it drop.
  const recordRemoved = () =>
    record({
      id: tenantId,
      event: "removed",
      at: now().toISOString(),
      retained: retainedAfterRemoval({
        environment,
        tenantId,
        databaseDropped: Boolean(removal.purgeConfig),
        filesDeleted: false,
        recoveryWindowDays: recoveryWindowInDays(context.settings().deletionProtection),
        at: now(),
      }),
      finalBackup: { recoveryPoints: [...backup.recoveryPoints] },
      note: `tenants remove ${environment} ${tenantId}${removal.purgeFiles ? " --purge" : ""}`,
    });

  const saga = new Saga();
  let destroyed = NO_CHANGES;
  let files: string | undefined;
  try {
    if (removal.stackExists) {
      const { purgeConfig } = removal;
      if (purgeConfig) {
        step("updating");
        await backend.up({ environment, tenantId, config: purgeConfig }, { signal });
        saga.register("purge", {
          name: `${stack} no longer drops its data on destroy`,
          run: async () => {
            await backend.up({ environment, tenantId, config: keepDataConfigOf(purgeConfig) });
          },
          manual: `${stack} still drops its database on its next destroy: re-run \`${rerun}\` to finish, or \`npm run tenants -- sync ${environment} ${tenantId}\` to keep it`,
        });
      }
      step("destroying");
      destroyed = await saga.step(
        "destroy the stack",
        () => backend.destroy(environment, tenantId, { signal }),
        () => ({ name: "destroyed", manual: `${stack} is destroyed but not removed: re-run \`${rerun}\`` }),
      );
      // Destroyed: nothing is left to drop data later, and updating back would recreate the site.
      saga.settle("purge");
      recordRemoved();
      step("removing");
      await saga.step("remove the stack", () => backend.remove(environment, tenantId));
    } else if (latestTombstone(loadTombstones(tombstones), tenantId)?.event !== "removed") {
      // A re-run after the stack went: whatever it left, it was never recorded.
      recordRemoved();
    }
    if (removal.purgeFiles) {
      step("deleting files");
      try {
        files = await context.tenantFiles.purge({ environment, tenantId, signal });
      } catch (error) {
        throw new BbwsError(
          "failed",
          `${stack} is gone but ${tenantRootDirectory(tenantId)} could not be deleted (${messageOf(error)}); ` +
            `the registry entry was kept: re-run \`remove ${tenantId} --purge\` to finish`,
          { cause: error },
        );
      }
      record({
        id: tenantId,
        event: "purged",
        at: now().toISOString(),
        retained: retainedAfterRemoval({
          environment,
          tenantId,
          databaseDropped: true,
          filesDeleted: true,
          recoveryWindowDays: recoveryWindowInDays(context.settings().deletionProtection),
          at: now(),
        }),
        finalBackup: { recoveryPoints: [...backup.recoveryPoints] },
        note: `tenants remove ${environment} ${tenantId} --purge: ${files}`,
      });
    }
  } catch (error) {
    const failure =
      error instanceof BbwsError ? error : new BbwsError("failed", messageOf(error), { cause: error });
    const report = await saga.finish(false, { skipUndos: failure.kind === "interrupted" });
    failure.notes.push(backup.summary, ...report.undone);
    for (const undo of report.failedUndos) failure.notes.push(`${undo.name}: failed (${undo.message})`);
    failure.notes.push(...report.leftToCleanUp);
    throw failure;
  }
  await saga.finish(true);
  return { backup, destroyed, files, tombstones: tombstoneDisplay(tombstones) };
}

/** The purge configuration: `base` with dropDataOnDestroy true. */
export function purgeConfigOf(base: TenantStackConfig): TenantStackConfig {
  return { ...base, [TENANT_CONFIG.dropDataOnDestroy]: { value: "true", secret: false } };
}

function keepDataConfigOf(base: TenantStackConfig): TenantStackConfig {
  return { ...base, [TENANT_CONFIG.dropDataOnDestroy]: { value: "false", secret: false } };
}

/** What is left of a tenant after its stack is gone: said after every removal. */
export function leftBehind(tenantId: string, purged: boolean): string[] {
  const files = `kept: EFS directory ${tenantRootDirectory(tenantId)} on the environment's shared file system`;
  const secrets =
    "the tenant's Secrets Manager secrets are deleted after their recovery window (7 days, or 30 where the environment protects data)";
  if (purged) {
    return [`dropped: database ${databaseName(tenantId)} and user ${databaseUser(tenantId)}`, secrets];
  }
  return [
    `kept: database ${databaseName(tenantId)} (user ${databaseUser(tenantId)} locked: no site can log in)`,
    files,
    secrets,
    `recorded in the tombstones beside the registry: \`tenants add\` of "${tenantId}" is refused until the data is ` +
      "purged (`remove --purge`) or adopted on purpose (`add --adopt-retained-data`)",
  ];
}
