/**
 * The contract between the platform stack and everything that reads it: tenant stacks (through
 * a StackReference), the offline engine and day-2 operations. `index.ts` returns exactly this.
 */
import * as pulumi from "@pulumi/pulumi";

/** Platform stack outputs, as the program returns them (values may be Outputs). */
export interface PlatformOutputs {
  readonly environment: string;
  readonly region: string;
  readonly accountId: pulumi.Input<string>;
  readonly partition: pulumi.Input<string>;
  readonly vpcId: pulumi.Input<string>;
  readonly privateSubnetIds: pulumi.Input<string[]>;
  readonly clusterName: pulumi.Input<string>;
  readonly clusterArn: pulumi.Input<string>;
  /** By ALB shard index. */
  readonly httpsListenerArns: pulumi.Input<string>[];
  readonly loadBalancerArnSuffixes: pulumi.Input<string>[];
  readonly loadBalancerDnsNames: pulumi.Input<string>[];
  readonly loadBalancerZoneIds: pulumi.Input<string>[];
  readonly albSecurityGroupId: pulumi.Input<string>;
  readonly taskSecurityGroupId: pulumi.Input<string>;
  readonly fileSystemSecurityGroupId: pulumi.Input<string>;
  readonly databaseSecurityGroupId: pulumi.Input<string>;
  readonly fileSystemId: pulumi.Input<string>;
  readonly fileSystemArn: pulumi.Input<string>;
  readonly mountTargetIds: pulumi.Input<string>[];
  readonly databaseClusterArn: pulumi.Input<string>;
  readonly databaseClusterIdentifier: pulumi.Input<string>;
  readonly databaseEndpoint: pulumi.Input<string>;
  readonly databaseReaderEndpoint: pulumi.Input<string>;
  readonly databasePort: pulumi.Input<number>;
  readonly databaseMasterSecretArn: pulumi.Input<string>;
  readonly logGroupName: pulumi.Input<string>;
  readonly logGroupArn: pulumi.Input<string>;
  readonly namespaceId: pulumi.Input<string>;
  readonly namespaceName: pulumi.Input<string>;
  readonly dataKeyArn: pulumi.Input<string>;
  readonly telemetryKeyArn: pulumi.Input<string>;
  readonly repositoryUrl: pulumi.Input<string>;
  readonly repositoryArn: pulumi.Input<string>;
  readonly defaultImage: pulumi.Input<string>;
  readonly alarmTopicArn: pulumi.Input<string>;
  /** Primary backup vault (stack region) and its DR copy (drRegion). */
  readonly backupVaultName: pulumi.Input<string>;
  readonly backupVaultArn: pulumi.Input<string>;
  readonly drBackupVaultName: pulumi.Input<string>;
  readonly drBackupVaultArn: pulumi.Input<string>;
  readonly drRegion: pulumi.Input<string>;
  /** Hourly plans: one per resource type, since a plan's rules apply to all it selects. */
  readonly efsBackupPlanId: pulumi.Input<string>;
  readonly auroraBackupPlanId: pulumi.Input<string>;
  /** Role AWS Backup assumes; ops passes it to on-demand backup, copy and restore jobs. */
  readonly backupRoleArn: pulumi.Input<string>;
  /** Failed backup, copy and restore jobs of the primary vault and of the DR vault. */
  readonly backupNotificationTopicArn: pulumi.Input<string>;
  readonly drBackupNotificationTopicArn: pulumi.Input<string>;
  /** Administrative access point at `/` (POSIX 0:0) that only the maintenance tasks mount. */
  readonly maintenanceAccessPointId: pulumi.Input<string>;
  readonly maintenanceAccessPointArn: pulumi.Input<string>;
  /** Shell task restore runs with a command in RunTask overrides (file swaps). */
  readonly maintenanceTaskDefinitionArn: pulumi.Input<string>;
  /** MySQL client task; restore registers a per-run revision carrying the tenant's secret. */
  readonly dbCopyTaskDefinitionArn: pulumi.Input<string>;
  /** Log group of both maintenance tasks. */
  readonly maintenanceLogGroupName: pulumi.Input<string>;
}

/** The same outputs once resolved (what a StackReference or `pulumi stack output` returns). */
export type ResolvedPlatformOutputs = {
  readonly [K in keyof PlatformOutputs]: PlatformOutputs[K] extends pulumi.Input<infer T>[]
    ? T[]
    : PlatformOutputs[K] extends pulumi.Input<infer T>
      ? T
      : never;
};
