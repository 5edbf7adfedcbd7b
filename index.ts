/**
 * The platform program of one environment (`pulumi up -s dev`): reads the stack's
 * configuration once, creates the shared platform and its backups, and exports what tenant
 * stacks and day-2 operations need: the platform contract (config/platformContract.ts), whose
 * schema every reader parses it with.
 */
import * as aws from "@pulumi/aws";
import { readPlatformSettings } from "./config/readStackConfig";
import { PLATFORM_CONTRACT_VERSION, PlatformContractInputs } from "./config/platformContract";
import { SharedCluster } from "./components/sharedCluster";
import { BackupPlan } from "./components/backupPlan";
import { lifecyclesFromSettings } from "./config/backupLifecycle";
import { TAG, providerDefaultTags } from "./components/tags";

/** The platform program; its return value is the stack's outputs: the platform contract. */
export = (): PlatformContractInputs => {
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
        natInstanceType: settings.natInstanceType,
        interfaceEndpoints: settings.interfaceEndpoints,
      },
      containerInsights: settings.containerInsights,
      logRetentionDays: settings.logRetentionDays,
      capacityStrategy: settings.clusterCapacityStrategy,
      ingress: {
        shards: settings.albShards,
        domain: settings.domain,
        certificate: settings.certificate,
        hostedZoneId: settings.edge.hostedZoneId,
        firewall: settings.edge.waf
          ? { rateLimit: settings.edge.wafRateLimit, xmlrpcAllowedHosts: settings.edge.wafXmlrpcAllowedHosts }
          : undefined,
      },
      database: settings.database,
      deletionProtection: settings.deletionProtection,
      finalSnapshot: settings.finalSnapshot,
      wordpressImage: settings.wordpressImage,
      alarmEmail: settings.alarmEmail,
      runtimeImage: settings.runtimeImage,
      mailDomain: settings.mailDomain,
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
      notificationKeyArn: platform.telemetryKeyArn,
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
    contractVersion: PLATFORM_CONTRACT_VERSION,
    environment: env,
    region: settings.region,
    accountId: platform.accountId,
    partition: platform.partition,
    network: {
      vpcId: platform.vpcId,
      privateSubnetIds: platform.privateSubnetIds,
      securityGroups: {
        alb: platform.albSecurityGroupId,
        tasks: platform.taskSecurityGroupId,
        fileSystem: platform.fileSystemSecurityGroupId,
        database: platform.databaseSecurityGroupId,
      },
    },
    cluster: {
      name: platform.clusterName,
      arn: platform.clusterArn,
      namespaceId: platform.namespaceId,
      namespaceName: platform.namespaceName,
    },
    ingress: {
      shards: platform.httpsListenerArns.map((listenerArn, shard) => ({
        listenerArn,
        loadBalancerArnSuffix: platform.loadBalancerArnSuffixes[shard],
        dnsName: platform.loadBalancerDnsNames[shard],
        zoneId: platform.loadBalancerZoneIds[shard],
      })),
    },
    storage: {
      fileSystemId: platform.fileSystemId,
      fileSystemArn: platform.fileSystemArn,
      mountTargetIds: platform.mountTargetIds,
    },
    database: {
      clusterArn: platform.databaseClusterArn,
      clusterIdentifier: platform.databaseClusterIdentifier,
      endpoint: platform.databaseEndpoint,
      readerEndpoint: platform.databaseReaderEndpoint,
      port: platform.databasePort,
      masterSecretArn: platform.databaseMasterSecretArn,
    },
    image: {
      repositoryUrl: platform.repositoryUrl,
      repositoryArn: platform.repositoryArn,
      defaultImage: platform.defaultImage,
    },
    observability: {
      logGroupName: platform.logGroupName,
      logGroupArn: platform.logGroupArn,
      alarmTopicArn: platform.alarmTopicArn,
    },
    keys: { dataKeyArn: platform.dataKeyArn, telemetryKeyArn: platform.telemetryKeyArn },
    backup: {
      vaultName: backup.vaultName,
      vaultArn: backup.vaultArn,
      drVaultName: backup.drVaultName,
      drVaultArn: backup.drVaultArn,
      drRegion: backup.drRegion,
      efsPlanId: backup.efsPlanId,
      auroraPlanId: backup.auroraPlanId,
      roleArn: backup.roleArn,
      notificationTopicArn: backup.notificationTopicArn,
      drNotificationTopicArn: backup.drNotificationTopicArn,
    },
    maintenance: {
      accessPointId: platform.maintenanceAccessPointId,
      accessPointArn: platform.maintenanceAccessPointArn,
      taskDefinitionArn: platform.maintenanceTaskDefinitionArn,
      dbCopyTaskDefinitionArn: platform.dbCopyTaskDefinitionArn,
      logGroupName: platform.maintenanceLogGroupName,
    },
    edge: {
      hostedZoneId: settings.edge.hostedZoneId,
      certificateArn: platform.certificateArn,
      webAclArns: platform.webAclArns,
      xmlrpcAllowedHosts: [...settings.edge.wafXmlrpcAllowedHosts],
    },
  };
};
