/**
 * AWS Backup restore jobs of a tenant restore. AWS Backup never overwrites in place:
 *  - EFS: an item-level restore of `/tenants/<id>` (a path from the file system root, not from
 *    the access point) into the same file system lands in `/aws-backup-restore_<datetime>/`;
 *  - Aurora: a restore always creates a new cluster (here a temporary one, without instances).
 * Metadata keys follow StartRestoreJob's documentation (EFS) and RestoreDBClusterFromSnapshot's
 * parameters (Aurora); list values are JSON-array strings.
 */
import {
  BackupClient,
  DescribeRestoreJobCommand,
  DescribeRestoreJobOutput,
  StartRestoreJobCommand,
} from "@aws-sdk/client-backup";
import { DBCluster } from "@aws-sdk/client-rds";
import { BbwsError, requireValue } from "../lib/errors";
import { WaitParams } from "./service";
import { done, pending, pollUntil } from "../lib/wait";

/** An EFS item-level restore into the live file system. */
export interface EfsItemRestore {
  readonly recoveryPointArn: string;
  readonly fileSystemId: string;
  /** Key of the file system (restored items are encrypted like the rest of it). */
  readonly kmsKeyArn: string;
  readonly iamRoleArn: string;
  /** Item to restore, from the file system root: `/tenants/<id>`. */
  readonly path: string;
  /** Idempotency of the request (a retried call must not restore twice). */
  readonly creationToken: string;
}

/** The metadata of an EFS item-level restore into the same file system. */
export function efsItemRestoreMetadata(r: EfsItemRestore): Record<string, string> {
  return {
    "file-system-id": r.fileSystemId,
    newFileSystem: "false",
    Encrypted: "true",
    KmsKeyId: r.kmsKeyArn,
    PerformanceMode: "generalPurpose",
    CreationToken: r.creationToken,
    ItemsToRestore: JSON.stringify([r.path]),
  };
}

/** Starts an EFS item-level restore; returns the restore job id. */
export async function startEfsItemRestore(backup: BackupClient, r: EfsItemRestore): Promise<string> {
  const started = await backup.send(
    new StartRestoreJobCommand({
      RecoveryPointArn: r.recoveryPointArn,
      ResourceType: "EFS",
      IamRoleArn: r.iamRoleArn,
      IdempotencyToken: r.creationToken,
      Metadata: efsItemRestoreMetadata(r),
    }),
  );
  return requireValue(started.RestoreJobId, "StartRestoreJob returned no RestoreJobId");
}

/**
 * The metadata of an Aurora restore to a temporary cluster in the live cluster's network:
 * same subnet group and security group (so the db-copy task reaches both), same engine, port
 * and key. Deletion protection stays off (RestoreDBClusterFromSnapshot's default); source tags
 * are not copied, so no tag-based backup selection picks the temporary cluster up.
 */
export function auroraRestoreMetadata(clusterId: string, live: DBCluster): Record<string, string> {
  const securityGroups = (live.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId).filter(Boolean);
  const metadata: Record<string, string> = {
    DBClusterIdentifier: clusterId,
    Engine: requireValue(live.Engine, `cluster ${live.DBClusterIdentifier} has no engine`),
    EngineMode: live.EngineMode ?? "provisioned",
    DBSubnetGroupName: requireValue(
      live.DBSubnetGroup,
      `cluster ${live.DBClusterIdentifier} has no subnet group`,
    ),
    VpcSecurityGroupIds: JSON.stringify(securityGroups),
    Port: String(live.Port ?? 3306),
  };
  if (live.StorageEncrypted && live.KmsKeyId) metadata.KmsKeyId = live.KmsKeyId;
  return metadata;
}

/** Starts an Aurora restore to `clusterId`; returns the restore job id. */
export async function startAuroraRestore(
  backup: BackupClient,
  r: { recoveryPointArn: string; iamRoleArn: string; clusterId: string; live: DBCluster },
): Promise<string> {
  const started = await backup.send(
    new StartRestoreJobCommand({
      RecoveryPointArn: r.recoveryPointArn,
      ResourceType: "Aurora",
      IamRoleArn: r.iamRoleArn,
      IdempotencyToken: r.clusterId,
      CopySourceTagsToRestoredResource: false,
      Metadata: auroraRestoreMetadata(r.clusterId, r.live),
    }),
  );
  return requireValue(started.RestoreJobId, "StartRestoreJob returned no RestoreJobId");
}

/** Waits until a restore job completes; UnexpectedError when it fails or is aborted. */
export function waitRestoreJob(
  backup: BackupClient,
  jobId: string,
  what: string,
  wait: WaitParams,
): Promise<DescribeRestoreJobOutput> {
  return pollUntil({
    what: `${what} (restore job ${jobId})`,
    ...wait,
    onTimeout: "the job keeps running in AWS Backup",
    check: async () => {
      const job = await backup.send(new DescribeRestoreJobCommand({ RestoreJobId: jobId }));
      if (job.Status === "COMPLETED") return done(job);
      if (job.Status === "FAILED" || job.Status === "ABORTED") {
        throw new BbwsError(
          "failed",
          `restore job ${jobId} (${what}) ended ${job.Status}: ${job.StatusMessage ?? "no reason given"}`,
        );
      }
      return pending(`${job.Status ?? "unknown"}${job.PercentDone ? ` ${job.PercentDone}` : ""}`);
    },
  });
}
