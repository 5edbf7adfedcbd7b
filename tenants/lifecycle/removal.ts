/**
 * The safety steps before a tenant stack goes away, shared by `remove` and `sync --prune`:
 *
 * 1. a final on-demand backup (ops' runBackup, reason "final"); if it cannot be taken the
 *    removal is refused (exit 4) and nothing has changed;
 * 2. with `--purge` only: an update with `dropDataOnDestroy` true, so the database resource's
 *    delete (which reads its inputs from the state) drops the schema and user;
 * 3. destroy: without purge the tenant's data stays (the database resource locks the user and
 *    keeps the schema; the EFS access point goes, its directory stays);
 * 4. remove the stack (`pulumi stack rm`, refused by Pulumi while resources remain);
 * 5. with `--purge` only: delete the tenant's directory (and what restores kept of it) with the
 *    platform's maintenance task. Last, once no task of the tenant can run; a re-run after a
 *    failure here (stack gone, entry kept) takes a new final backup and tries again.
 *
 * The registry entry is removed by the caller, last.
 */
import { databaseName, databaseUser, tenantRootDirectory, tenantStackName } from "../../config/naming";
import { TENANT_CONFIG } from "../stackConfig";
import { ChangeCounts, NO_CHANGES, TenantConfigMap } from "./backend";
import { LifecycleContext } from "./context";
import { BbwsError, messageOf } from "../../lib/errors";
import { FinalBackupRecord } from "./finalBackup";
import { FleetTask } from "./fleet";

/** What to remove. */
export interface Removal {
  readonly tenantId: string;
  /** False when only the registry entry is left (a re-run after an interrupted remove). */
  readonly stackExists: boolean;
  /** With --purge: the stack's configuration with dropDataOnDestroy true (absent without a stack). */
  readonly purgeConfig?: TenantConfigMap;
  /** With --purge: delete the tenant's files once the stack is gone. */
  readonly purgeFiles?: boolean;
}

/** What a removal did. */
export interface RemovalOutcome {
  readonly backup: FinalBackupRecord;
  readonly destroyed: ChangeCounts;
  /** What the file deletion said (with --purge). */
  readonly files?: string;
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
  let destroyed = NO_CHANGES;
  if (removal.stackExists) {
    if (removal.purgeConfig) {
      step("updating");
      await backend.up({ environment, tenantId, config: removal.purgeConfig }, { signal });
    }
    step("destroying");
    destroyed = await backend.destroy(environment, tenantId, { signal });
    step("removing");
    await backend.remove(environment, tenantId);
  }
  if (!removal.purgeFiles) return { backup, destroyed };
  step("deleting files");
  try {
    const files = await context.tenantFiles.purge({ environment, tenantId, signal });
    return { backup, destroyed, files };
  } catch (error) {
    throw new Error(
      `${stack} is gone but ${tenantRootDirectory(tenantId)} could not be deleted (${messageOf(error)}); ` +
        `the registry entry was kept: re-run \`remove ${tenantId} --purge\` to finish`,
      { cause: error },
    );
  }
}

/** The purge configuration: `base` with dropDataOnDestroy true. */
export function purgeConfigOf(base: TenantConfigMap): TenantConfigMap {
  return { ...base, [TENANT_CONFIG.dropDataOnDestroy]: { value: "true", secret: false } };
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
  ];
}
