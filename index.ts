/**
 * The platform program of one environment (`pulumi up -s dev`): reads the stack's
 * configuration once, creates the shared platform and its backups, and exports what tenant
 * stacks and day-2 operations need.
 */
import * as aws from "@pulumi/aws";
import { readPlatformSettings } from "./config/readStackConfig";
import { PlatformOutputs } from "./config/platformOutputs";
import { SharedCluster } from "./components/sharedCluster";
import { BackupPlan } from "./components/backupPlan";
import { lifecyclesFromSettings } from "./config/backupLifecycle";
import { TAG, providerDefaultTags } from "./components/tags";

export = (): PlatformOutputs => {
  const settings = readPlatformSettings();
  const env = settings.environment;
  const defaultTags = { tags: providerDefaultTags(env) };
  const provider = new aws.Provider("aws", { region: settings.region, defaultTags });
  const drProvider = new aws.Provider("aws-dr", { region: settings.drRegion, defaultTags });

  const platform = new SharedCluster(
    `bbws-${env}`,
    {
      environment: env,
      region: settings.region,
      network: {
        cidrBlock: settings.vpcCidr,
        availabilityZones: settings.availabilityZones,
        natGateways: settings.natGateways,
        interfaceEndpoints: settings.interfaceEndpoints,
      },
      containerInsights: settings.containerInsights,
      logRetentionDays: settings.logRetentionDays,
      capacityStrategy: settings.clusterCapacityStrategy,
      ingress: { shards: settings.albShards, domain: settings.domain, certificate: settings.certificate },
      database: settings.database,
      deletionProtection: settings.deletionProtection,
      finalSnapshot: settings.finalSnapshot,
      wordpressImage: settings.wordpressImage,
      alarmEmail: settings.alarmEmail,
      // Explicit as well as provider-wide: policies and cost reports read a resource's own tags.
      tags: { [TAG.environment]: env },
    },
    { provider },
  );

  const backup = new BackupPlan(
    `bbws-${env}-backup`,
    {
      environment: env,
      drRegion: settings.drRegion,
      drProvider,
      fileSystemArn: platform.fileSystemArn,
      databaseClusterArn: platform.databaseClusterArn,
      lifecycles: lifecyclesFromSettings(settings.backup),
      vaultLock: settings.backup.vaultLock,
      restoreTesting: settings.backup.restoreTesting,
      protect: settings.deletionProtection,
      notificationEmail: settings.alarmEmail,
      tags: { [TAG.environment]: env },
    },
    { provider },
  );

  return {
    environment: env,
    region: settings.region,
    accountId: platform.accountId,
    partition: platform.partition,
    vpcId: platform.vpcId,
    privateSubnetIds: platform.privateSubnetIds,
    clusterName: platform.clusterName,
    clusterArn: platform.clusterArn,
    httpsListenerArns: platform.httpsListenerArns,
    loadBalancerArnSuffixes: platform.loadBalancerArnSuffixes,
    loadBalancerDnsNames: platform.loadBalancerDnsNames,
    loadBalancerZoneIds: platform.loadBalancerZoneIds,
    albSecurityGroupId: platform.albSecurityGroupId,
    taskSecurityGroupId: platform.taskSecurityGroupId,
    fileSystemSecurityGroupId: platform.fileSystemSecurityGroupId,
    databaseSecurityGroupId: platform.databaseSecurityGroupId,
    fileSystemId: platform.fileSystemId,
    fileSystemArn: platform.fileSystemArn,
    mountTargetIds: platform.mountTargetIds,
    databaseClusterArn: platform.databaseClusterArn,
    databaseClusterIdentifier: platform.databaseClusterIdentifier,
    databaseEndpoint: platform.databaseEndpoint,
    databaseReaderEndpoint: platform.databaseReaderEndpoint,
    databasePort: platform.databasePort,
    databaseMasterSecretArn: platform.databaseMasterSecretArn,
    logGroupName: platform.logGroupName,
    logGroupArn: platform.logGroupArn,
    namespaceId: platform.namespaceId,
    namespaceName: platform.namespaceName,
    dataKeyArn: platform.dataKeyArn,
    telemetryKeyArn: platform.telemetryKeyArn,
    repositoryUrl: platform.repositoryUrl,
    repositoryArn: platform.repositoryArn,
    defaultImage: platform.defaultImage,
    alarmTopicArn: platform.alarmTopicArn,
    backupVaultName: backup.vaultName,
    backupVaultArn: backup.vaultArn,
    drBackupVaultName: backup.drVaultName,
    drBackupVaultArn: backup.drVaultArn,
    drRegion: backup.drRegion,
    efsBackupPlanId: backup.efsPlanId,
    auroraBackupPlanId: backup.auroraPlanId,
    backupRoleArn: backup.roleArn,
    backupNotificationTopicArn: backup.notificationTopicArn,
    drBackupNotificationTopicArn: backup.drNotificationTopicArn,
    maintenanceAccessPointId: platform.maintenanceAccessPointId,
    maintenanceAccessPointArn: platform.maintenanceAccessPointArn,
    maintenanceTaskDefinitionArn: platform.maintenanceTaskDefinitionArn,
    dbCopyTaskDefinitionArn: platform.dbCopyTaskDefinitionArn,
    maintenanceLogGroupName: platform.maintenanceLogGroupName,
  };
};
