/**
 * Policy documents and notification settings of the backup vaults: who may delete recovery
 * points (nobody), who may publish vault events (AWS Backup), and what the service role may do
 * (AWS's managed backup and restore policies).
 */

/**
 * Vault events that can report a failure. AWS Backup no longer emits BACKUP_JOB_FAILED or
 * RESTORE_JOB_FAILED (deprecated; PutBackupVaultNotifications refuses them): failed, aborted and
 * expired jobs arrive as *_COMPLETED with a `State` message attribute, which the subscription
 * filter below narrows to failures. Copy jobs still have their own failure event.
 */
export const FAILURE_EVENTS: readonly string[] = [
  "BACKUP_JOB_COMPLETED",
  "COPY_JOB_FAILED",
  "RESTORE_JOB_COMPLETED",
];

/** SNS filter policy passing only events whose `State` is not COMPLETED (failed, aborted, expired). */
export function failuresOnlyFilterPolicy(): string {
  return JSON.stringify({ State: [{ "anything-but": "COMPLETED" }] });
}

/**
 * Vault access policy refusing the deletion of recovery points, and any change of their
 * retention, to every principal of every account (AWS Config
 * BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED). Lifecycle expiry is done by AWS Backup
 * itself and is unaffected. Recovery point ARNs are not under the vault ARN (Aurora ones are
 * RDS snapshot ARNs), hence `Resource: "*"`.
 *
 * No principal is exempt on purpose: a break-glass role would be exactly what ransomware goes
 * after. To delete a recovery point (erasure request, corrupted backup) an administrator first
 * removes this policy (`backup:DeleteBackupVaultAccessPolicy`, a deliberate, CloudTrail-logged
 * step an SCP can restrict further), deletes the point, and lets the next `pulumi up` put the
 * policy back. Under a vault lock even that does not help before the lock's retention ends.
 */
export function vaultDeletionGuardPolicy(): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyRecoveryPointDeletionAndRetentionChanges",
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: ["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"],
        Resource: "*",
      },
    ],
  });
}

/** Key policy of a notification topic's key: the account administers it, AWS Backup encrypts with it. */
export function notificationKeyPolicy(accountId: string, partition: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AccountAdministers",
        Effect: "Allow",
        Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
        Action: "kms:*",
        Resource: "*",
      },
      {
        // Without it AWS Backup's publish to the encrypted topic fails and no one is told.
        Sid: "BackupPublishesToEncryptedTopic",
        Effect: "Allow",
        Principal: { Service: "backup.amazonaws.com" },
        Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
        Resource: "*",
      },
    ],
  });
}

/**
 * Topic policy letting AWS Backup publish vault events. No source-account condition: AWS Backup
 * does not publish to other accounts' topics (a documented limitation), so there is no confused
 * deputy to guard against, and a condition the service might not send would silence alerts.
 */
export function notificationTopicPolicy(topicArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "BackupPublishesVaultEvents",
        Effect: "Allow",
        Principal: { Service: "backup.amazonaws.com" },
        Action: "SNS:Publish",
        Resource: topicArn,
      },
    ],
  });
}

/** Trust policy of the role AWS Backup assumes for backup, copy, restore and restore-test jobs. */
export function backupServiceTrustPolicy(): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "backup.amazonaws.com" },
        Action: "sts:AssumeRole",
      },
    ],
  });
}

/** AWS managed policies of the backup service role, by the key its attachment is named after. */
export const BACKUP_SERVICE_MANAGED_POLICIES: Readonly<Record<string, string>> = {
  backup: "AWSBackupServiceRolePolicyForBackup",
  restores: "AWSBackupServiceRolePolicyForRestores",
};

/** ARN of an AWS managed service-role policy in `partition` (aws, aws-cn, aws-us-gov). */
export function serviceRolePolicyArn(partition: string, policyName: string): string {
  return `arn:${partition}:iam::aws:policy/service-role/${policyName}`;
}
