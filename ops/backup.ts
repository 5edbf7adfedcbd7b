/**
 * On-demand backup of a tenant (seed 002 §5.1, corrected): AWS Backup protects whole resources,
 * so a tenant backup is a backup job of the environment's EFS file system and one of its Aurora
 * cluster, tagged with the tenant, then copied to the DR vault.
 *
 * Calls, in order: ListBackupJobs (each resource x CREATED, PENDING, RUNNING) -> StartBackupJob
 * (EFS, then Aurora) -> DescribeBackupJob until both complete -> StartCopyJob (each) ->
 * DescribeCopyJob until both complete (only with `waitForCopies`).
 */
import { BACKUP_DEFAULTS } from "./defaults";
import { randomUUID } from "crypto";
import {
  BackupClient,
  BackupJobState,
  DescribeBackupJobCommand,
  DescribeCopyJobCommand,
  ListBackupJobsCommand,
  StartBackupJobCommand,
  StartCopyJobCommand,
} from "@aws-sdk/client-backup";
import { TAG } from "../components/tags";
import { PlatformContract } from "../config/platformContract";
import { loadTenantContext } from "./context";
import { OpsDeps } from "./deps";
import { BbwsError, awsErrorName, requireValue, toBbwsError } from "../lib/errors";
import { StepTiming, createProgress } from "../lib/progress";
import { ProtectedResource, ResourceKind, protectedResources } from "./resources";
import { done, pending, pollUntil, waitAll } from "../lib/wait";

/** Recovery point tags ops writes (and status reads). */
export const BACKUP_TAG = {
  type: "bbws:backup-type",
  reason: "bbws:backup-reason",
} as const;

/** Why a backup was taken: by an operator, or the last one before a tenant is removed. */
export type BackupReason = "manual" | "final";

/** Options of a backup. */
export interface BackupOptions {
  /** Seconds to wait for the EFS backup job. @default 300 (seed 002) */
  readonly efsTimeoutSeconds?: number;
  /** Seconds to wait for the Aurora backup job. @default 600 (seed 002) */
  readonly auroraTimeoutSeconds?: number;
  /** Seconds between status checks. @default 15 */
  readonly pollIntervalSeconds?: number;
  /** Wait until the DR copies are complete too. @default false */
  readonly waitForCopies?: boolean;
  /** Seconds to wait for the copies. @default 3600 */
  readonly copyTimeoutSeconds?: number;
  /** Tagged on the recovery points as `bbws:backup-reason`. @default "manual" */
  readonly reason?: BackupReason;
  /** Recovery points (and their DR copies) expire after this many days. @default - kept until deleted */
  readonly deleteAfterDays?: number;
}

/** Defaults of BackupOptions (in ops/defaults.ts, which `--help` reads without the AWS SDK). */
export { BACKUP_DEFAULTS };

/** What a backup of one tenant needs: no tenant stack, only the platform. */
export interface BackupTarget {
  readonly environment: string;
  readonly tenantId: string;
  readonly platform: Pick<PlatformContract, "region" | "storage" | "database" | "backup">;
}

/** The backup of one resource. */
export interface ResourceBackup {
  readonly kind: ResourceKind;
  readonly resourceType: "EFS" | "Aurora";
  readonly resourceArn: string;
  readonly backupJobId: string;
  readonly recoveryPointArn: string;
  readonly copyJobId: string;
  /** Copy job state when the command returned (COMPLETED when it waited for it). */
  readonly copyState: string;
  /** Recovery point in the DR vault, once the copy completed. */
  readonly drRecoveryPointArn?: string;
}

/** Result of a backup. */
export interface BackupResult {
  readonly environment: string;
  readonly tenantId: string;
  readonly backupVaultName: string;
  readonly drBackupVaultArn: string;
  readonly backups: readonly ResourceBackup[];
  readonly steps: readonly StepTiming[];
}

const ACTIVE_STATES: readonly BackupJobState[] = ["CREATED", "PENDING", "RUNNING"];
const FAILED_STATES = new Set<string>(["FAILED", "ABORTED", "ABORTING", "EXPIRED", "PARTIAL"]);

/** `npm run ops -- backup <env> <tenant>`: checks the tenant is in the registry, then backs up. */
export async function backupTenant(
  environment: string,
  tenantId: string,
  options: BackupOptions,
  deps: OpsDeps,
): Promise<BackupResult> {
  const { platform } = await loadTenantContext(environment, tenantId, deps);
  return runBackup({ environment, tenantId, platform }, options, deps);
}

/**
 * Backs up the environment's file system and database for `tenantId` without reading the
 * registry: the tenant lifecycle's `remove` calls this for the final backup
 * (`reason: "final"`), possibly after the entry left the registry.
 */
export async function runBackup(
  target: BackupTarget,
  options: BackupOptions,
  deps: OpsDeps,
): Promise<BackupResult> {
  const { platform } = target;
  const interval = options.pollIntervalSeconds ?? BACKUP_DEFAULTS.pollIntervalSeconds;
  const progress = createProgress(deps.log);
  const { backup } = deps.clients({ region: platform.region, drRegion: platform.backup.drRegion });
  const resources = protectedResources(platform);
  const timeouts: Record<ResourceKind, number> = {
    files: options.efsTimeoutSeconds ?? BACKUP_DEFAULTS.efsTimeoutSeconds,
    database: options.auroraTimeoutSeconds ?? BACKUP_DEFAULTS.auroraTimeoutSeconds,
  };

  await progress.step("check for running backup jobs", () => refuseRunningJobs(backup, resources));

  const jobs = await progress.step("start backup jobs", async () => {
    const started: { resource: ProtectedResource; jobId: string }[] = [];
    for (const resource of resources) {
      try {
        started.push({ resource, jobId: await startBackupJob(backup, target, resource, options) });
      } catch (error) {
        throw withStartedJobs(error, started);
      }
    }
    return started;
  });
  for (const job of jobs) progress.info(`${job.resource.label}: backup job ${job.jobId}`);

  const points = await progress.step("wait for the backup jobs", () =>
    waitAll(
      jobs.map(
        (job) => (signal: AbortSignal) =>
          waitForBackupJob(backup, job.resource, job.jobId, timeouts[job.resource.kind], interval, signal),
      ),
      deps.signal,
    ),
  );

  const copies = await progress.step(`start copies to ${platform.backup.drVaultArn}`, async () => {
    const ids: string[] = [];
    for (const recoveryPointArn of points) {
      const copy = await backup.send(
        new StartCopyJobCommand({
          RecoveryPointArn: recoveryPointArn,
          SourceBackupVaultName: platform.backup.vaultName,
          DestinationBackupVaultArn: platform.backup.drVaultArn,
          IamRoleArn: platform.backup.roleArn,
          IdempotencyToken: randomUUID(),
          Lifecycle: options.deleteAfterDays ? { DeleteAfterDays: options.deleteAfterDays } : undefined,
        }),
      );
      ids.push(requireValue(copy.CopyJobId, "StartCopyJob returned no CopyJobId"));
    }
    return ids;
  });

  let copyResults: { state: string; drRecoveryPointArn?: string }[] = copies.map(() => ({
    state: "CREATED",
  }));
  if (options.waitForCopies) {
    const timeout = options.copyTimeoutSeconds ?? BACKUP_DEFAULTS.copyTimeoutSeconds;
    copyResults = await progress.step("wait for the DR copies", () =>
      waitAll(
        copies.map((id) => (signal: AbortSignal) => waitForCopyJob(backup, id, timeout, interval, signal)),
        deps.signal,
      ),
    );
  }

  return {
    environment: target.environment,
    tenantId: target.tenantId,
    backupVaultName: platform.backup.vaultName,
    drBackupVaultArn: platform.backup.drVaultArn,
    backups: jobs.map((job, i) => ({
      kind: job.resource.kind,
      resourceType: job.resource.resourceType,
      resourceArn: job.resource.arn,
      backupJobId: job.jobId,
      recoveryPointArn: points[i],
      copyJobId: copies[i],
      copyState: copyResults[i].state,
      drRecoveryPointArn: copyResults[i].drRecoveryPointArn,
    })),
    steps: progress.steps,
  };
}

/** AlreadyRunningError when a job of either resource is created, pending or running. */
async function refuseRunningJobs(
  backup: BackupClient,
  resources: readonly ProtectedResource[],
): Promise<void> {
  for (const resource of resources) {
    for (const state of ACTIVE_STATES) {
      const listed = await backup.send(
        new ListBackupJobsCommand({ ByResourceArn: resource.arn, ByState: state }),
      );
      const running = listed.BackupJobs?.[0];
      if (running) {
        throw new BbwsError(
          "busy",
          `backup job ${running.BackupJobId} of the ${resource.label} is already ${state}; ` +
            `wait for it to finish (it covers this tenant too) and try again`,
        );
      }
    }
  }
}

async function startBackupJob(
  backup: BackupClient,
  target: BackupTarget,
  resource: ProtectedResource,
  options: BackupOptions,
): Promise<string> {
  try {
    const started = await backup.send(
      new StartBackupJobCommand({
        BackupVaultName: target.platform.backup.vaultName,
        ResourceArn: resource.arn,
        IamRoleArn: target.platform.backup.roleArn,
        IdempotencyToken: randomUUID(),
        Lifecycle: options.deleteAfterDays ? { DeleteAfterDays: options.deleteAfterDays } : undefined,
        RecoveryPointTags: {
          [TAG.tenantId]: target.tenantId,
          [TAG.environment]: target.environment,
          [BACKUP_TAG.type]: "on-demand",
          [BACKUP_TAG.reason]: options.reason ?? "manual",
        },
      }),
    );
    return requireValue(started.BackupJobId, "StartBackupJob returned no BackupJobId");
  } catch (error) {
    // Another job may have started between the check and this call.
    if (awsErrorName(error) === "AlreadyExistsException") {
      throw new BbwsError("busy", `a backup job of the ${resource.label} is already running`, {
        cause: error,
      });
    }
    throw error;
  }
}

function withStartedJobs(error: unknown, started: readonly { resource: ProtectedResource; jobId: string }[]) {
  const failure = toBbwsError(error);
  for (const job of started) {
    failure.notes.push(`backup job ${job.jobId} of the ${job.resource.label} was started and keeps running`);
  }
  return failure;
}

function waitForBackupJob(
  backup: BackupClient,
  resource: ProtectedResource,
  jobId: string,
  timeoutSeconds: number,
  intervalSeconds: number,
  signal: AbortSignal,
): Promise<string> {
  const what = `backup job ${jobId} of the ${resource.label}`;
  return pollUntil({
    what,
    timeoutSeconds,
    intervalSeconds,
    signal,
    onTimeout:
      "the job keeps running in AWS Backup; `npm run ops -- status` shows its recovery point once done",
    check: async () => {
      const job = await backup.send(new DescribeBackupJobCommand({ BackupJobId: jobId }));
      if (job.State === "COMPLETED")
        return done(requireValue(job.RecoveryPointArn, `${what} has no recovery point`));
      if (job.State && FAILED_STATES.has(job.State)) {
        throw new BbwsError(
          "failed",
          `${what} ended ${job.State}: ${job.StatusMessage ?? "no reason given"}`,
        );
      }
      return pending(`${job.State ?? "unknown"}${job.PercentDone ? ` ${job.PercentDone}%` : ""}`);
    },
  });
}

function waitForCopyJob(
  backup: BackupClient,
  copyJobId: string,
  timeoutSeconds: number,
  intervalSeconds: number,
  signal: AbortSignal,
): Promise<{ state: string; drRecoveryPointArn?: string }> {
  const what = `copy job ${copyJobId}`;
  return pollUntil({
    what,
    timeoutSeconds,
    intervalSeconds,
    signal,
    onTimeout: "the copy keeps running in AWS Backup",
    check: async () => {
      const { CopyJob: job } = await backup.send(new DescribeCopyJobCommand({ CopyJobId: copyJobId }));
      if (job?.State === "COMPLETED")
        return done({ state: job.State, drRecoveryPointArn: job.DestinationRecoveryPointArn });
      if (job?.State && FAILED_STATES.has(job.State)) {
        throw new BbwsError(
          "failed",
          `${what} ended ${job.State}: ${job.StatusMessage ?? "no reason given"}`,
        );
      }
      return pending(job?.State);
    },
  });
}
