/**
 * SharedCluster: the whole shared platform of one environment that every tenant runs on, not
 * only its ECS cluster: network, ECS cluster, ALB shards, EFS, Aurora, ECR, logs, service
 * discovery, KMS keys and the maintenance tasks of day-2 operations. It knows nothing about
 * tenants; `index.ts` exports its outputs as the platform contract (config/platformContract.ts),
 * which tenant stacks read through a StackReference.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CapacityProviderShare, DatabasePreset, NatMode } from "../config/presets";
import { CertificateSource } from "../config/platformConfig";
import { Tags, withComponent } from "./tags";
import { createKmsKey, telemetryKeyPolicy } from "./shared/encryption";
import { createInterfaceEndpoints, createNetwork } from "./shared/network";
import { createSecurityTiers, taskInternetPorts } from "./shared/securityTiers";
import { createAccessLogBucket } from "./shared/accessLogs";
import { listenerCertificateArn } from "./shared/certificate";
import { createLoadBalancerShards } from "./shared/loadBalancers";
import { createFileSystem, createFileSystemPolicy } from "./shared/fileSystem";
import { createMaintenanceTasks } from "./shared/maintenance";
import { createDatabase } from "./shared/database";
import { createImageRegistry } from "./shared/imageRegistry";
import { RuntimeImageSource } from "../config/platformConfig";
import { createRuntimeImage } from "./shared/runtimeImage";
import { createMailIdentity } from "./shared/mailIdentity";

/** Arguments of SharedCluster: the environment's settings, resolved by the composition root. */
export interface SharedClusterArgs {
  /** Environment name; used in physical names (cluster, log group, ECR repository). */
  readonly environment: string;
  /** Region of the stack's provider; used in endpoint service names and image URIs. */
  readonly region: string;
  readonly network: {
    /** VPC IPv4 CIDR, /16 to /20. */
    readonly cidrBlock: string;
    /** 2 or 3 AZs for subnets, mount targets and database instances. */
    readonly availabilityZones: number;
    /** One NAT gateway for the VPC, one per AZ (survives an AZ outage), or one NAT instance. */
    readonly natGateways: NatMode;
    /** Instance type of the NAT instance. @default "t4g.nano" */
    readonly natInstanceType?: string;
    /** Create interface endpoints for ECR, Logs, Secrets Manager and STS. */
    readonly interfaceEndpoints: boolean;
  };
  /** Turn on ECS Container Insights (per-service CPU, memory and task-count metrics). */
  readonly containerInsights: boolean;
  /** Retention of the container, flow and access logs, in days. */
  readonly logRetentionDays: number;
  /** Default capacity provider strategy of the cluster (one-off tasks, services without one). */
  readonly capacityStrategy: readonly CapacityProviderShare[];
  readonly ingress: {
    /** Number of ALBs (each takes ~100 tenants). */
    readonly shards: number;
    /** Base domain of the environment. */
    readonly domain: string;
    readonly certificate: CertificateSource;
    /** Route 53 zone of `domain`, exported for tenant DNS records. @default - none */
    readonly hostedZoneId?: string;
    /** A web ACL per shard. @default - none */
    readonly firewall?: { readonly rateLimit: number; readonly xmlrpcAllowedHosts: readonly string[] };
  };
  readonly database: DatabasePreset;
  /** Deletion protection on ALBs and Aurora, `protect` on keys, EFS and Aurora. */
  readonly deletionProtection: boolean;
  /** Keep a final snapshot when the Aurora cluster is deleted. */
  readonly finalSnapshot: boolean;
  /** Default WordPress image path on ECR Public, served through the pull-through cache. */
  readonly wordpressImage: string;
  /** Subscribes this address to the alarm topic. @default - no subscription */
  readonly alarmEmail?: string;
  /** Where the tenants' runtime image comes from. @default { kind: "build" } (from runtime/, needs Docker) */
  readonly runtimeImage?: RuntimeImageSource;
  /** Domain tenants send mail from: an SES identity is created for it. @default - no mail identity */
  readonly mailDomain?: string;
  /** Tags added to every child. @default {} */
  readonly tags?: Tags;
}

/**
 * The environment's shared platform (network, cluster, ALB shards, EFS, Aurora, ECR, logs, keys,
 * maintenance tasks). The name says "cluster" for history: the product specification names the
 * component so, and renaming it would replace every platform resource (its type is in their URNs).
 */
export class SharedCluster extends pulumi.ComponentResource {
  /** VPC id. */
  readonly vpcId: pulumi.Output<string>;
  /** Private subnets: tasks, EFS mount targets and Aurora live here. */
  readonly privateSubnetIds: pulumi.Output<string[]>;
  /** ECS cluster name and ARN. */
  readonly clusterName: pulumi.Output<string>;
  readonly clusterArn: pulumi.Output<string>;
  /** HTTPS listener ARN of each ALB shard, by shard index. */
  readonly httpsListenerArns: pulumi.Output<string>[];
  /** ARN suffix of each ALB shard (CloudWatch dimension), by shard index. */
  readonly loadBalancerArnSuffixes: pulumi.Output<string>[];
  /** DNS name and hosted zone of each ALB shard, for tenant DNS records. */
  readonly loadBalancerDnsNames: pulumi.Output<string>[];
  readonly loadBalancerZoneIds: pulumi.Output<string>[];
  /** Certificate of the HTTPS listeners (covers `*.<domain>`). */
  readonly certificateArn: pulumi.Output<string>;
  /** Web ACL of each ALB shard, by shard index; empty when the firewall is off. */
  readonly webAclArns: pulumi.Output<string>[];
  /** Security groups of the tiers. */
  readonly albSecurityGroupId: pulumi.Output<string>;
  readonly taskSecurityGroupId: pulumi.Output<string>;
  readonly fileSystemSecurityGroupId: pulumi.Output<string>;
  readonly databaseSecurityGroupId: pulumi.Output<string>;
  /** Shared EFS file system and its mount targets. */
  readonly fileSystemId: pulumi.Output<string>;
  readonly fileSystemArn: pulumi.Output<string>;
  readonly mountTargetIds: pulumi.Output<string>[];
  /** Aurora cluster. */
  readonly databaseClusterArn: pulumi.Output<string>;
  readonly databaseClusterIdentifier: pulumi.Output<string>;
  readonly databaseEndpoint: pulumi.Output<string>;
  readonly databaseReaderEndpoint: pulumi.Output<string>;
  readonly databasePort: pulumi.Output<number>;
  /** Secrets Manager secret holding the Aurora master credentials. */
  readonly databaseMasterSecretArn: pulumi.Output<string>;
  /** Log group of every WordPress container; tenants use their id as stream prefix. */
  readonly logGroupName: pulumi.Output<string>;
  readonly logGroupArn: pulumi.Output<string>;
  /** Cloud Map private DNS namespace. */
  readonly namespaceId: pulumi.Output<string>;
  readonly namespaceName: pulumi.Output<string>;
  /** KMS keys: data (EFS, Aurora, secrets, ECR) and telemetry (logs, alarm topic). */
  readonly dataKeyArn: pulumi.Output<string>;
  readonly telemetryKeyArn: pulumi.Output<string>;
  /** ECR repository of the team's own WordPress images. */
  readonly repositoryUrl: pulumi.Output<string>;
  readonly repositoryArn: pulumi.Output<string>;
  /** Image every tenant runs unless its registry entry names another. */
  readonly defaultImage: pulumi.Output<string>;
  /** Topic alarms notify. */
  readonly alarmTopicArn: pulumi.Output<string>;
  /** Account and partition the platform lives in. */
  readonly accountId: pulumi.Output<string>;
  readonly partition: pulumi.Output<string>;
  /** One-off maintenance tasks of day-2 operations (restore's file swap and schema copy). */
  readonly maintenanceAccessPointId: pulumi.Output<string>;
  readonly maintenanceAccessPointArn: pulumi.Output<string>;
  readonly maintenanceTaskDefinitionArn: pulumi.Output<string>;
  readonly dbCopyTaskDefinitionArn: pulumi.Output<string>;
  readonly maintenanceLogGroupName: pulumi.Output<string>;

  constructor(name: string, args: SharedClusterArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("bbws:platform:SharedCluster", name, {}, opts);
    const tags = args.tags ?? {};
    const protect = args.deletionProtection;

    const identity = aws.getCallerIdentityOutput({}, { parent: this });
    const partition = aws.getPartitionOutput({}, { parent: this });
    const zones = aws.getAvailabilityZonesOutput({ state: "available" }, { parent: this });
    this.accountId = identity.accountId;
    this.partition = partition.partition;

    const dataKey = createKmsKey(
      `${name}-data-key`,
      {
        description: `BBWS ${args.environment}: EFS, Aurora, secrets, ECR`,
        alias: `bbws/${args.environment}/data`,
        protect,
        tags,
      },
      this,
    );
    const telemetryKey = createKmsKey(
      `${name}-telemetry-key`,
      {
        description: `BBWS ${args.environment}: log groups and alarm notifications`,
        alias: `bbws/${args.environment}/telemetry`,
        policy: pulumi
          .all([identity.accountId, partition.partition])
          .apply(([account, part]) => telemetryKeyPolicy(account, part, args.region)),
        protect,
        tags,
      },
      this,
    );

    const network = createNetwork(
      name,
      {
        region: args.region,
        cidrBlock: args.network.cidrBlock,
        availabilityZones: args.network.availabilityZones,
        natGateways: args.network.natGateways,
        natInstanceType: args.network.natInstanceType ?? "t4g.nano",
        egressPorts: taskInternetPorts(args.network.interfaceEndpoints),
        flowLogRetentionDays: args.logRetentionDays,
        telemetryKeyArn: telemetryKey.arn,
        tags,
      },
      this,
    );
    const tiers = createSecurityTiers(
      name,
      { vpcId: network.vpcId, interfaceEndpoints: args.network.interfaceEndpoints, tags },
      this,
    );
    if (tiers.endpoints) {
      createInterfaceEndpoints(
        name,
        {
          region: args.region,
          vpcId: network.vpcId,
          subnetIds: network.privateSubnetIds,
          securityGroupId: tiers.endpoints.id,
          tags,
        },
        this,
      );
    }

    const accessLogs = createAccessLogBucket(
      name,
      {
        region: args.region,
        partition: partition.partition,
        accountId: identity.accountId,
        retentionDays: Math.max(args.logRetentionDays, 30),
        tags,
      },
      this,
    );
    const certificateArn = listenerCertificateArn(
      name,
      "arn" in args.ingress.certificate
        ? { arn: args.ingress.certificate.arn, accountId: identity.accountId }
        : { hostedZoneId: args.ingress.certificate.hostedZoneId, domain: args.ingress.domain, tags },
      this,
    );
    const shards = createLoadBalancerShards(
      name,
      {
        shards: args.ingress.shards,
        publicSubnetIds: network.publicSubnetIds,
        securityGroupId: tiers.alb.id,
        certificateArn,
        deletionProtection: args.deletionProtection,
        accessLogBucket: accessLogs.bucket,
        tags,
        firewall: args.ingress.firewall && {
          ...args.ingress.firewall,
          logRetentionDays: args.logRetentionDays,
          telemetryKeyArn: telemetryKey.arn,
        },
      },
      this,
    );

    const efs = createFileSystem(
      name,
      {
        kmsKeyArn: dataKey.arn,
        privateSubnetIds: network.privateSubnetIds,
        subnetCount: args.network.availabilityZones,
        securityGroupId: tiers.fileSystem.id,
        protect,
        tags,
      },
      this,
    );
    const database = createDatabase(
      name,
      {
        privateSubnetIds: network.privateSubnetIds,
        securityGroupId: tiers.database.id,
        kmsKeyArn: dataKey.arn,
        availabilityZoneNames: zones.names.apply((names) => names.slice(0, args.network.availabilityZones)),
        minCapacity: args.database.minCapacity,
        maxCapacity: args.database.maxCapacity,
        autoPauseSeconds: args.database.autoPauseSeconds,
        readers: args.database.readers,
        backupRetentionDays: args.database.backupRetentionDays,
        deletionProtection: args.deletionProtection,
        finalSnapshot: args.finalSnapshot,
        environment: args.environment,
        tags,
      },
      this,
    );
    const registry = createImageRegistry(
      name,
      { environment: args.environment, kmsKeyArn: dataKey.arn, tags },
      this,
    );

    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-wordpress-logs`,
      {
        name: `/bbws/${args.environment}/wordpress`,
        retentionInDays: args.logRetentionDays,
        kmsKeyId: telemetryKey.arn,
        tags: withComponent(tags, "logs"),
      },
      { parent: this },
    );
    const namespace = new aws.servicediscovery.PrivateDnsNamespace(
      `${name}-namespace`,
      {
        name: `${args.environment}.bbws.internal`,
        vpc: network.vpcId,
        description: `BBWS ${args.environment}: WordPress services`,
        tags: withComponent(tags, "discovery"),
      },
      { parent: this },
    );

    const cluster = new aws.ecs.Cluster(
      `${name}-cluster`,
      {
        name: `bbws-${args.environment}`,
        settings: [{ name: "containerInsights", value: args.containerInsights ? "enabled" : "disabled" }],
        tags: withComponent(tags, "ecs"),
      },
      { parent: this },
    );
    new aws.ecs.ClusterCapacityProviders(
      `${name}-capacity-providers`,
      {
        clusterName: cluster.name,
        capacityProviders: ["FARGATE", "FARGATE_SPOT"],
        defaultCapacityProviderStrategies: args.capacityStrategy.map((s) => ({ ...s })),
      },
      { parent: this },
    );

    const alarmTopic = new aws.sns.Topic(
      `${name}-alarms`,
      { kmsMasterKeyId: telemetryKey.arn, tags: withComponent(tags, "alarms") },
      { parent: this },
    );
    if (args.alarmEmail) {
      new aws.sns.TopicSubscription(
        `${name}-alarms-email`,
        { topic: alarmTopic.arn, protocol: "email", endpoint: args.alarmEmail },
        { parent: this },
      );
    }

    const maintenance = createMaintenanceTasks(
      name,
      {
        environment: args.environment,
        region: args.region,
        accountId: identity.accountId,
        partition: partition.partition,
        fileSystemId: efs.fileSystem.id,
        fileSystemArn: efs.fileSystem.arn,
        telemetryKeyArn: telemetryKey.arn,
        logRetentionDays: args.logRetentionDays,
        pullThroughPrefix: registry.pullThroughPrefix,
        tags,
      },
      this,
    );
    createFileSystemPolicy(
      name,
      {
        fileSystem: efs.fileSystem,
        maintenanceAccessPointArn: maintenance.accessPointArn,
      },
      this,
    );

    this.vpcId = network.vpcId;
    this.privateSubnetIds = network.privateSubnetIds;
    this.clusterName = cluster.name;
    this.clusterArn = cluster.arn;
    this.httpsListenerArns = shards.map((s) => s.httpsListener.arn);
    this.loadBalancerArnSuffixes = shards.map((s) => s.loadBalancer.arnSuffix);
    this.loadBalancerDnsNames = shards.map((s) => s.loadBalancer.dnsName);
    this.loadBalancerZoneIds = shards.map((s) => s.loadBalancer.zoneId);
    this.certificateArn = certificateArn;
    this.webAclArns = shards.flatMap((s) => (s.firewall ? [s.firewall.webAcl.arn] : []));
    this.albSecurityGroupId = tiers.alb.id;
    this.taskSecurityGroupId = tiers.tasks.id;
    this.fileSystemSecurityGroupId = tiers.fileSystem.id;
    this.databaseSecurityGroupId = tiers.database.id;
    this.fileSystemId = efs.fileSystem.id;
    this.fileSystemArn = efs.fileSystem.arn;
    this.mountTargetIds = efs.mountTargets.map((m) => m.id);
    this.databaseClusterArn = database.cluster.arn;
    this.databaseClusterIdentifier = database.cluster.clusterIdentifier;
    this.databaseEndpoint = database.cluster.endpoint;
    this.databaseReaderEndpoint = database.cluster.readerEndpoint;
    this.databasePort = database.cluster.port;
    this.databaseMasterSecretArn = database.cluster.masterUserSecrets.apply(
      (secrets) => secrets[0]?.secretArn ?? "",
    );
    this.logGroupName = logGroup.name;
    this.logGroupArn = logGroup.arn;
    this.namespaceId = namespace.id;
    this.namespaceName = namespace.name;
    this.dataKeyArn = dataKey.arn;
    this.telemetryKeyArn = telemetryKey.arn;
    this.repositoryUrl = registry.repository.repositoryUrl;
    this.repositoryArn = registry.repository.arn;
    const stockImage = pulumi.interpolate`${identity.accountId}.dkr.ecr.${args.region}.amazonaws.com/${registry.pullThroughPrefix}/${args.wordpressImage}`;
    this.defaultImage = createRuntimeImage(
      name,
      { source: args.runtimeImage ?? { kind: "build" }, repository: registry.repository, stockImage },
      this,
    ).reference;
    if (args.mailDomain) {
      // The ingress zone holds the DKIM records only when the mail domain lies inside it.
      const inZone =
        args.mailDomain === args.ingress.domain || args.mailDomain.endsWith(`.${args.ingress.domain}`);
      const hostedZoneId =
        inZone && "hostedZoneId" in args.ingress.certificate
          ? args.ingress.certificate.hostedZoneId
          : undefined;
      createMailIdentity(name, { domain: args.mailDomain, hostedZoneId, tags }, this);
    }
    this.alarmTopicArn = alarmTopic.arn;
    this.maintenanceAccessPointId = maintenance.accessPointId;
    this.maintenanceAccessPointArn = maintenance.accessPointArn;
    this.maintenanceTaskDefinitionArn = maintenance.taskDefinitionArn;
    this.dbCopyTaskDefinitionArn = maintenance.dbCopyTaskDefinitionArn;
    this.maintenanceLogGroupName = maintenance.logGroupName;

    this.registerOutputs({
      vpcId: this.vpcId,
      clusterArn: this.clusterArn,
      httpsListenerArns: this.httpsListenerArns,
      fileSystemArn: this.fileSystemArn,
      databaseClusterArn: this.databaseClusterArn,
      defaultImage: this.defaultImage,
    });
  }
}
