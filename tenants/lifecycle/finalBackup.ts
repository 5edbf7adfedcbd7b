/**
 * The final backup `remove` and `sync --prune` take before a tenant stack is destroyed. It goes
 * through ops' `runBackup` (reason "final": on-demand jobs of the environment's EFS file system
 * and Aurora cluster tagged with the tenant, then copies to the DR vault). If it cannot be taken
 * the removal is refused and nothing changes: fail closed.
 *
 * Offline (`--offline`) no AWS backup can be taken. The offline backup records a simulated
 * backup in the offline state file and says so in every message ("offline: no AWS backup was
 * taken"); it exists only for the offline backend, whose stacks are simulated too.
 */
import pLimit from "p-limit";
import { BackupResult, runBackup } from "../../ops/backup";
import { ClientFactory } from "../../ops/clients";
import { StackOutputsSource } from "../../ops/context";
import { LogLine } from "../../lib/progress";
import { OfflineStateStore } from "../../offline/state";

/** What a final backup left. */
export interface FinalBackupRecord {
  /** True when no backup was taken (offline simulation). */
  readonly simulated: boolean;
  /** One line for the summary. */
  readonly summary: string;
  /** Recovery point ARNs (primary vault). */
  readonly recoveryPoints: readonly string[];
}

/** A request for a final backup. */
export interface FinalBackupRequest {
  readonly environment: string;
  readonly tenantId: string;
  /** The data will be dropped: wait until the DR copies are complete as well. */
  readonly purge: boolean;
  readonly signal?: AbortSignal;
}

/** Takes final backups. Throws when the backup cannot be taken. */
export interface FinalBackup {
  take(request: FinalBackupRequest): Promise<FinalBackupRecord>;
}

/** Dependencies of the real final backup. */
export interface OpsFinalBackupDeps {
  /** Platform stack outputs (vaults, file system, cluster). */
  readonly source: StackOutputsSource;
  readonly clients: ClientFactory;
  /** ops' progress lines. */
  readonly log: LogLine;
}

/** The final backup through ops' runBackup. */
export function opsFinalBackup(deps: OpsFinalBackupDeps): FinalBackup {
  return serialized({
    async take({ environment, tenantId, purge, signal }) {
      const platform = await deps.source.platform(environment);
      const result = await runBackup(
        { environment, tenantId, platform },
        { reason: "final", waitForCopies: purge },
        { source: deps.source, clients: deps.clients, log: deps.log, signal },
      );
      return recordOf(result);
    },
  });
}

function recordOf(result: BackupResult): FinalBackupRecord {
  return {
    simulated: false,
    summary: `final backup in ${result.backupVaultName}: ${result.backups
      .map((b) => `${b.resourceType} ${b.recoveryPointArn} (DR copy ${b.copyState})`)
      .join(", ")}`,
    recoveryPoints: result.backups.map((b) => b.recoveryPointArn),
  };
}

/** The offline simulation; see the file comment. */
export function offlineFinalBackup(store: OfflineStateStore, now: () => number = Date.now): FinalBackup {
  return {
    async take({ tenantId }) {
      const note = "offline: no AWS backup was taken (simulated final backup)";
      await store.update((state) => {
        state.backups.push({ tenantId, reason: "final", at: new Date(now()).toISOString(), note });
      });
      return { simulated: true, summary: `${note}, recorded in ${store.file}`, recoveryPoints: [] };
    },
  };
}

/**
 * One backup at a time: every tenant's backup is a job of the same file system and cluster,
 * and AWS Backup refuses a second job of a resource while one runs (ops: AlreadyRunningError).
 */
export function serialized(backup: FinalBackup): FinalBackup {
  const limit = pLimit(1);
  return { take: (request) => limit(() => backup.take(request)) };
}
