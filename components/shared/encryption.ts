/**
 * KMS keys of an environment. Two keys with separate purposes:
 *  - data: EFS, Aurora storage, the Aurora master secret, tenant secrets, ECR.
 *  - telemetry: CloudWatch log groups, the alarm topic and the backup vault's failure topic;
 *    its policy lets CloudWatch Logs, CloudWatch alarms and AWS Backup's notifications use it,
 *    which the data key never needs.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Tags, withComponent } from "../tags";

/** Key policy statements for the telemetry key (services that write logs and alarms). */
export function telemetryKeyPolicy(accountId: string, partition: string, region: string): string {
  const root = `arn:${partition}:iam::${accountId}:root`;
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AccountAdministers",
        Effect: "Allow",
        Principal: { AWS: root },
        Action: "kms:*",
        Resource: "*",
      },
      {
        Sid: "CloudWatchLogsEncryptsLogGroupsOfThisAccount",
        Effect: "Allow",
        Principal: { Service: `logs.${region}.amazonaws.com` },
        Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        Resource: "*",
        Condition: {
          ArnLike: {
            "kms:EncryptionContext:aws:logs:arn": `arn:${partition}:logs:${region}:${accountId}:log-group:*`,
          },
        },
      },
      {
        Sid: "CloudWatchAlarmsPublishToEncryptedTopics",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: "*",
        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
      },
      {
        // The primary vault's failure topic (components/backup/vaultSite.ts) is encrypted with
        // this key; without it AWS Backup's publish fails and no one is told.
        Sid: "BackupPublishesToEncryptedTopics",
        Effect: "Allow",
        Principal: { Service: "backup.amazonaws.com" },
        Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
        Resource: "*",
      },
    ],
  });
}

/** Arguments of one customer-managed key. */
export interface KmsKeyArgs {
  /** What the key protects, shown in the console. */
  readonly description: string;
  /** Alias without the `alias/` prefix. */
  readonly alias: string;
  /** Key policy JSON. @default - the KMS default policy (the account administers the key) */
  readonly policy?: pulumi.Input<string>;
  /** Refuse `pulumi destroy` of the key: recovery points and snapshots depend on it. */
  readonly protect: boolean;
  readonly tags: Tags;
}

/** Creates a customer-managed key with yearly rotation (KMS.4) and an alias. */
export function createKmsKey(name: string, args: KmsKeyArgs, parent: pulumi.Resource): aws.kms.Key {
  const key = new aws.kms.Key(
    name,
    {
      description: args.description,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: args.policy,
      tags: withComponent(args.tags, "kms"),
    },
    { parent, protect: args.protect },
  );
  new aws.kms.Alias(`${name}-alias`, { name: `alias/${args.alias}`, targetKeyId: key.keyId }, { parent });
  return key;
}
