/**
 * One backup vault with everything that guards it, in one region: its own KMS key (Backup.1:
 * a customer-managed key, and the DR vault's key must live in the DR region), a policy refusing
 * recovery point deletion, an optional vault lock, and failure notifications on a KMS-encrypted
 * topic of the same region, so that the DR vault still reports failed restores while the primary
 * region is down. BackupPlan creates two sites: the primary vault and the DR vault.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Tags, withComponent } from "../tags";
import {
  FAILURE_EVENTS,
  failuresOnlyFilterPolicy,
  notificationKeyPolicy,
  notificationTopicPolicy,
  vaultDeletionGuardPolicy,
} from "./policies";
import { VaultLockSettings } from "./vaultLock";

/** Arguments of one vault site. */
export interface VaultSiteArgs {
  /** Environment name; used in key descriptions and aliases. */
  readonly environment: string;
  /** What the site is ("backup", "backup-dr"); used in aliases and descriptions. */
  readonly site: string;
  /** Provider of the site's region. @default - the parent's provider */
  readonly provider?: aws.Provider;
  readonly accountId: pulumi.Input<string>;
  readonly partition: pulumi.Input<string>;
  /** Lock of the vault. @default - no lock */
  readonly lock?: VaultLockSettings;
  /**
   * An existing key of the site's region for the failure topic, whose policy lets AWS Backup
   * publish (the environment's telemetry key): a separate key would protect the same kind of
   * data, notifications, at $1 a month more. @default - the site gets its own events key
   */
  readonly notificationKeyArn?: pulumi.Input<string>;
  /** Subscribes this address to the failure notifications. @default - no subscription */
  readonly notificationEmail?: string;
  /** `protect` on the vault and keys; when false the vault is destroyed with its recovery points. */
  readonly protect: boolean;
  readonly tags: Tags;
}

/** The resources of a vault site that others refer to. */
export interface VaultSite {
  readonly vaultKey: aws.kms.Key;
  readonly vault: aws.backup.Vault;
  readonly topic: aws.sns.Topic;
  readonly lock?: aws.backup.VaultLockConfiguration;
}

/** Creates one vault site under `parent`, in the region of `args.provider`. */
export function createVaultSite(name: string, args: VaultSiteArgs, parent: pulumi.Resource): VaultSite {
  const opts: pulumi.CustomResourceOptions = {
    parent,
    ...(args.provider ? { provider: args.provider } : {}),
  };
  const tags = withComponent(args.tags, "backup");
  const key = (suffix: string, description: string, policy?: pulumi.Input<string>) => {
    const created = new aws.kms.Key(
      `${name}-${suffix}-key`,
      {
        description: `BBWS ${args.environment}: ${description}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy,
        tags: withComponent(args.tags, "kms"),
      },
      { ...opts, protect: args.protect },
    );
    new aws.kms.Alias(
      `${name}-${suffix}-key-alias`,
      { name: `alias/bbws/${args.environment}/${args.site}-${suffix}`, targetKeyId: created.keyId },
      opts,
    );
    return created;
  };

  const vaultKey = key("vault", `${args.site} vault recovery points`);
  const vault = new aws.backup.Vault(
    `${name}-vault`,
    // Without protection (dev) a destroy empties the vault instead of failing on its recovery
    // points; the deletion guard below goes first, as it depends on the vault.
    { kmsKeyArn: vaultKey.arn, forceDestroy: !args.protect, tags },
    { ...opts, protect: args.protect },
  );
  new aws.backup.VaultPolicy(
    `${name}-vault-policy`,
    { backupVaultName: vault.name, policy: vaultDeletionGuardPolicy() },
    opts,
  );
  const lock = args.lock
    ? new aws.backup.VaultLockConfiguration(
        `${name}-vault-lock`,
        {
          backupVaultName: vault.name,
          minRetentionDays: args.lock.minRetentionDays,
          changeableForDays: args.lock.changeableForDays,
        },
        opts,
      )
    : undefined;

  const eventsKeyArn =
    args.notificationKeyArn ??
    key(
      "events",
      `${args.site} vault failure notifications`,
      pulumi
        .all([args.accountId, args.partition])
        .apply(([account, partition]) => notificationKeyPolicy(account, partition)),
    ).arn;
  const topic = new aws.sns.Topic(`${name}-events`, { kmsMasterKeyId: eventsKeyArn, tags }, opts);
  const topicPolicy = new aws.sns.TopicPolicy(
    `${name}-events-policy`,
    { arn: topic.arn, policy: topic.arn.apply(notificationTopicPolicy) },
    opts,
  );
  if (args.notificationEmail) {
    new aws.sns.TopicSubscription(
      `${name}-events-email`,
      {
        topic: topic.arn,
        protocol: "email",
        endpoint: args.notificationEmail,
        filterPolicy: failuresOnlyFilterPolicy(),
      },
      opts,
    );
  }
  new aws.backup.VaultNotifications(
    `${name}-vault-notifications`,
    { backupVaultName: vault.name, snsTopicArn: topic.arn, backupVaultEvents: [...FAILURE_EVENTS] },
    // AWS Backup checks it may publish when the notifications are set: the policy must exist first.
    { ...opts, dependsOn: [topicPolicy] },
  );

  return { vaultKey, vault, topic, lock };
}
