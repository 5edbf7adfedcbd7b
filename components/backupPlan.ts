/**
 * BackupPlan: AWS Backup for one environment (RPO 1 hour). Hourly recovery points of the shared
 * EFS file system and Aurora cluster in a KMS-encrypted vault, each copied to a DR vault in a
 * second region, deletion refused by vault policy (and a vault lock where asked), failures
 * e-mailed, and optionally a monthly automated restore test.
 *
 * AWS Backup protects whole file systems and clusters: tenant-level restores are ops' work.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Tags, withComponent } from "./tags";
import {
  BackupResourceType,
  Lifecycle,
  PlanLifecycles,
  assertValidPlanLifecycles,
} from "../config/backupLifecycle";
import { BACKUP_TARGETS, RESTORE_TEST_SCHEDULE, hourlyRule, restoreTestingName } from "./backup/rules";
import {
  BACKUP_SERVICE_MANAGED_POLICIES,
  backupServiceTrustPolicy,
  serviceRolePolicyArn,
} from "./backup/policies";
import { VaultLockMode, vaultLockProblem, vaultLockSettings } from "./backup/vaultLock";
import { createVaultSite } from "./backup/vaultSite";

export interface BackupPlanArgs {
  /** Environment name; used in key aliases, restore testing names and recovery point tags. */
  readonly environment: string;
  /** Region of the DR vault: the region `drProvider` is configured for. */
  readonly drRegion: string;
  /** Provider of the DR region; the DR vault, its key and its notification topic are created through it. */
  readonly drProvider: aws.Provider;
  /** ARN of the EFS file system to back up (the whole file system: AWS Backup has no per-access-point backups). */
  readonly fileSystemArn: pulumi.Input<string>;
  /** ARN of the Aurora cluster to back up. */
  readonly databaseClusterArn: pulumi.Input<string>;
  /**
   * Lifecycles of the EFS and Aurora recovery points and of their DR copies. Checked before
   * anything is created: a lifecycle AWS Backup would refuse throws a `BackupLifecycleError`.
   */
  readonly lifecycles: PlanLifecycles;
  /** Lock both vaults (see backup/vaultLock.ts for what each mode allows). @default - no lock */
  readonly vaultLock?: VaultLockMode;
  /** Days a compliance lock stays changeable before it becomes immutable (>= 3). @default 7 */
  readonly vaultLockGraceDays?: number;
  /** Restore the latest EFS and Aurora recovery points once a month (AWS Backup restore testing). @default false */
  readonly restoreTesting?: boolean;
  /** `protect` on the vaults and keys; when false, vaults are destroyed with their recovery points. */
  readonly protect: boolean;
  /** Subscribes this address to failed backup, copy and restore jobs of both vaults. @default - no subscription */
  readonly notificationEmail?: string;
  /**
   * Key for the primary vault's failure topic, in the primary region, whose policy lets AWS
   * Backup publish (SharedCluster's telemetry key). @default - a key of its own
   */
  readonly notificationKeyArn?: pulumi.Input<string>;
  /** Tags added to every child. @default {} */
  readonly tags?: Tags;
}

export class BackupPlan extends pulumi.ComponentResource {
  /** Primary vault, in the stack's region. */
  readonly vaultName: pulumi.Output<string>;
  readonly vaultArn: pulumi.Output<string>;
  /** DR vault, in `drRegion`, receiving a copy of every recovery point. */
  readonly drVaultName: pulumi.Output<string>;
  readonly drVaultArn: pulumi.Output<string>;
  /** Region of the DR vault. */
  readonly drRegion: pulumi.Output<string>;
  /** Hourly plan of the EFS file system. */
  readonly efsPlanId: pulumi.Output<string>;
  readonly efsPlanArn: pulumi.Output<string>;
  /** Hourly plan of the Aurora cluster. */
  readonly auroraPlanId: pulumi.Output<string>;
  readonly auroraPlanArn: pulumi.Output<string>;
  /** Role AWS Backup assumes for backup, copy, restore and restore-test jobs (also for ops' on-demand jobs). */
  readonly roleArn: pulumi.Output<string>;
  /** Topics of failed jobs: the primary vault's and the DR vault's (each in its vault's region). */
  readonly notificationTopicArn: pulumi.Output<string>;
  readonly drNotificationTopicArn: pulumi.Output<string>;

  constructor(name: string, args: BackupPlanArgs, opts: pulumi.ComponentResourceOptions = {}) {
    // Validated before the component registers, so a refused lifecycle leaves nothing behind.
    assertValidPlanLifecycles(`BackupPlan ${name}`, args.lifecycles);
    const lockProblem = args.vaultLock
      ? vaultLockProblem(args.vaultLock, args.vaultLockGraceDays)
      : undefined;
    if (lockProblem) throw new Error(`BackupPlan ${name}: invalid vault lock: ${lockProblem}`);
    super("bbws:backup:BackupPlan", name, {}, opts);

    const tags = args.tags ?? {};
    const { efs, aurora, drCopyRetentionDays } = args.lifecycles;
    const identity = aws.getCallerIdentityOutput({}, { parent: this });
    const partition = aws.getPartitionOutput({}, { parent: this });
    const site = {
      environment: args.environment,
      accountId: identity.accountId,
      partition: partition.partition,
      notificationEmail: args.notificationEmail,
      protect: args.protect,
      tags,
    };
    const lock = (retentionDays: number) =>
      args.vaultLock ? vaultLockSettings(args.vaultLock, retentionDays, args.vaultLockGraceDays) : undefined;

    const primary = createVaultSite(
      name,
      {
        ...site,
        site: "backup",
        lock: lock(Math.min(efs.deleteAfterDays, aurora.deleteAfterDays)),
        notificationKeyArn: args.notificationKeyArn,
      },
      this,
    );
    // The DR copy of row 63 (Backup.1): its own key in its own region, because cross-region
    // copies are re-encrypted with a key of the destination region.
    const dr = createVaultSite(
      `${name}-dr`,
      { ...site, site: "backup-dr", provider: args.drProvider, lock: lock(drCopyRetentionDays) },
      this,
    );

    const role = new aws.iam.Role(
      `${name}-role`,
      {
        description: `BBWS ${args.environment}: AWS Backup jobs (backup, copy, restore, restore tests)`,
        assumeRolePolicy: backupServiceTrustPolicy(),
        tags: withComponent(tags, "backup"),
      },
      { parent: this },
    );
    const attachments = Object.entries(BACKUP_SERVICE_MANAGED_POLICIES).map(
      ([key, policy]) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-role-${key}`,
          { role: role.name, policyArn: partition.partition.apply((p) => serviceRolePolicyArn(p, policy)) },
          { parent: this },
        ),
    );

    // One plan per resource type: a plan's rules apply to every resource it selects, so per-type
    // lifecycles and recovery point tags need per-type plans (see backup/rules.ts).
    const hourlyPlan = (
      type: BackupResourceType,
      resourceArn: pulumi.Input<string>,
      lifecycle: Lifecycle,
    ) => {
      const key = BACKUP_TARGETS[type].key;
      const plan = new aws.backup.Plan(
        `${name}-${key}-plan`,
        {
          rules: [
            hourlyRule({
              resourceType: type,
              environment: args.environment,
              targetVaultName: primary.vault.name,
              lifecycle,
              drVaultArn: dr.vault.arn,
              drCopyRetentionDays,
            }),
          ],
          tags: withComponent(tags, "backup"),
        },
        { parent: this },
      );
      new aws.backup.Selection(
        `${name}-${key}-selection`,
        { planId: plan.id, iamRoleArn: role.arn, resources: [resourceArn] },
        // AWS Backup validates the role when the selection is created.
        { parent: this, dependsOn: attachments },
      );
      return plan;
    };
    const efsPlan = hourlyPlan("EFS", args.fileSystemArn, efs);
    const auroraPlan = hourlyPlan("Aurora", args.databaseClusterArn, aurora);

    if (args.restoreTesting ?? false) {
      const testingPlan = new aws.backup.RestoreTestingPlan(
        `${name}-restore-tests`,
        {
          name: restoreTestingName("bbws", args.environment, "monthly"),
          scheduleExpression: RESTORE_TEST_SCHEDULE,
          scheduleExpressionTimezone: "Etc/UTC",
          startWindowHours: 24,
          recoveryPointSelection: {
            algorithm: "LATEST_WITHIN_WINDOW",
            includeVaults: [primary.vault.arn],
            recoveryPointTypes: ["SNAPSHOT"],
            selectionWindowDays: 7,
          },
          tags: withComponent(tags, "backup"),
        },
        { parent: this },
      );
      const protectedResources: Readonly<Record<BackupResourceType, pulumi.Input<string>>> = {
        EFS: args.fileSystemArn,
        Aurora: args.databaseClusterArn,
      };
      for (const type of ["EFS", "Aurora"] as const) {
        const target = BACKUP_TARGETS[type];
        new aws.backup.RestoreTestingSelection(
          `${name}-restore-test-${target.key}`,
          {
            name: restoreTestingName(target.key),
            restoreTestingPlanName: testingPlan.name,
            protectedResourceType: target.restoreTestingType,
            protectedResourceArns: [protectedResources[type]],
            iamRoleArn: role.arn,
          },
          { parent: this, dependsOn: attachments },
        );
      }
    }

    this.vaultName = primary.vault.name;
    this.vaultArn = primary.vault.arn;
    this.drVaultName = dr.vault.name;
    this.drVaultArn = dr.vault.arn;
    this.drRegion = pulumi.output(args.drRegion);
    this.efsPlanId = efsPlan.id;
    this.efsPlanArn = efsPlan.arn;
    this.auroraPlanId = auroraPlan.id;
    this.auroraPlanArn = auroraPlan.arn;
    this.roleArn = role.arn;
    this.notificationTopicArn = primary.topic.arn;
    this.drNotificationTopicArn = dr.topic.arn;

    this.registerOutputs({
      vaultArn: this.vaultArn,
      drVaultArn: this.drVaultArn,
      efsPlanArn: this.efsPlanArn,
      auroraPlanArn: this.auroraPlanArn,
      roleArn: this.roleArn,
      notificationTopicArn: this.notificationTopicArn,
    });
  }
}
