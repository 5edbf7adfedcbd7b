/**
 * TenantWordPress: one WordPress site, isolated from every other tenant by construction: its
 * own EFS access point, MySQL schema and user, secrets, IAM roles, task definition, service,
 * target group and listener rule, autoscaling and alarms.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ResolvedTenant } from "../config/tenantSpec";
import * as naming from "../config/naming";
import { TAG, Tags, withComponent } from "./tags";
import { TenantPlatformInputs } from "./tenant/platformInputs";
import { createTenantSecrets } from "./tenant/secrets";
import { TenantDatabase } from "./tenant/tenantDatabase";
import { createTenantRoles } from "./tenant/roles";
import { CONTENT_VOLUME, resolveImage, wordpressContainerDefinitions } from "./tenant/containerDefinition";
import { createTenantRouting } from "./tenant/routing";
import { createTenantService } from "./tenant/service";
import { createTenantScaling } from "./tenant/scaling";
import { createTenantAlarms } from "./tenant/alarms";
import { pullThroughCachePrefix } from "./shared/imageRegistry";

/** POSIX identity of www-data in the official WordPress image. */
export const WWW_DATA = 33;
/** Connections one tenant's user may hold on the shared cluster. */
export const MAX_DATABASE_CONNECTIONS = 40;

export interface TenantWordPressArgs {
  /** The tenant, resolved from its registry entry and the environment's defaults. */
  readonly tenant: ResolvedTenant;
  /** The environment's platform, read from the platform stack. */
  readonly platform: TenantPlatformInputs;
  /** Drop the tenant's schema and user when this component is destroyed. @default false (kept, user locked) */
  readonly dropDatabaseOnDelete?: boolean;
}

export class TenantWordPress extends pulumi.ComponentResource {
  /** ECS service name and ARN. */
  readonly serviceName: pulumi.Output<string>;
  readonly serviceArn: pulumi.Output<string>;
  /** Task definition family (stable) and current revision ARN. */
  readonly taskDefinitionFamily: string;
  readonly taskDefinitionArn: pulumi.Output<string>;
  /** Image the task definition runs. */
  readonly image: pulumi.Output<string>;
  /** The tenant's access point on the shared file system. */
  readonly accessPointId: pulumi.Output<string>;
  readonly accessPointArn: pulumi.Output<string>;
  /** Secrets: database credentials and WordPress keys. */
  readonly databaseSecretArn: pulumi.Output<string>;
  readonly wordpressKeysSecretArn: pulumi.Output<string>;
  readonly targetGroupArn: pulumi.Output<string>;
  readonly executionRoleArn: pulumi.Output<string>;
  readonly taskRoleArn: pulumi.Output<string>;

  constructor(name: string, args: TenantWordPressArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("bbws:tenant:TenantWordPress", name, {}, opts);
    const { tenant, platform } = args;
    const tags: Tags = { [TAG.environment]: tenant.environment, [TAG.tenantId]: tenant.id };
    const databaseName = naming.databaseName(tenant.id);
    const databaseUser = naming.databaseUser(tenant.id);

    const accessPoint = new aws.efs.AccessPoint(
      `${name}-files`,
      {
        fileSystemId: platform.fileSystemId,
        // Every file operation runs as www-data, and the tenant sees only its own directory.
        posixUser: { uid: WWW_DATA, gid: WWW_DATA },
        rootDirectory: {
          path: naming.tenantRootDirectory(tenant.id),
          creationInfo: { ownerUid: WWW_DATA, ownerGid: WWW_DATA, permissions: "755" },
        },
        tags: withComponent(tags, "efs"),
      },
      { parent: this },
    );

    const secrets = createTenantSecrets(
      name,
      {
        environment: tenant.environment,
        tenantId: tenant.id,
        dataKeyArn: platform.dataKeyArn,
        databaseName,
        databaseUser,
        databaseHost: platform.databaseEndpoint,
        databasePort: platform.databasePort,
        recoveryWindowInDays: tenant.protectData ? 30 : 7,
        tags,
      },
      this,
    );
    const database = new TenantDatabase(
      `${name}-database`,
      {
        clusterArn: platform.databaseClusterArn,
        masterSecretArn: platform.databaseMasterSecretArn,
        region: platform.region,
        databaseName,
        username: databaseUser,
        password: secrets.databasePassword,
        maxConnections: MAX_DATABASE_CONNECTIONS,
        dropOnDelete: args.dropDatabaseOnDelete ?? false,
      },
      { parent: this },
    );

    const roles = createTenantRoles(
      name,
      {
        tenantId: tenant.id,
        region: platform.region,
        accountId: platform.accountId,
        partition: platform.partition,
        secretArns: [secrets.databaseSecret.arn, secrets.wordpressKeysSecret.arn],
        dataKeyArn: platform.dataKeyArn,
        logGroupArn: platform.logGroupArn,
        repositoryArn: platform.repositoryArn,
        pullThroughPrefix: pullThroughCachePrefix(tenant.environment),
        fileSystemArn: platform.fileSystemArn,
        accessPointArn: accessPoint.arn,
        tags,
      },
      this,
    );

    const image = pulumi
      .all([platform.repositoryUrl, platform.defaultImage])
      .apply(([repositoryUrl, defaultImage]) => resolveImage(tenant.image, repositoryUrl, defaultImage));
    const family = naming.taskFamily(tenant.environment, tenant.id);
    const taskDefinition = new aws.ecs.TaskDefinition(
      `${name}-task`,
      {
        family,
        cpu: String(tenant.size.cpu),
        memory: String(tenant.size.memory),
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        // The official image is multi-architecture; Graviton is ~20% cheaper per vCPU-hour.
        runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "ARM64" },
        executionRoleArn: roles.executionRole.arn,
        taskRoleArn: roles.taskRole.arn,
        containerDefinitions: pulumi
          .all([
            image,
            platform.databaseEndpoint,
            platform.databasePort,
            secrets.databaseSecret.arn,
            secrets.wordpressKeysSecret.arn,
            platform.logGroupName,
          ])
          .apply(([img, host, port, dbSecret, keysSecret, logGroup]) =>
            JSON.stringify(
              wordpressContainerDefinitions({
                tenantId: tenant.id,
                image: img,
                primaryHost: tenant.hosts[0],
                databaseHost: host,
                databasePort: port,
                databaseName,
                databaseSecretArn: dbSecret,
                wordpressKeysSecretArn: keysSecret,
                logGroupName: logGroup,
                region: platform.region,
              }),
            ),
          ),
        volumes: [
          {
            name: CONTENT_VOLUME,
            // No rootDirectory: the access point decides the directory.
            efsVolumeConfiguration: {
              fileSystemId: platform.fileSystemId,
              transitEncryption: "ENABLED",
              authorizationConfig: { accessPointId: accessPoint.id, iam: "ENABLED" },
            },
          },
        ],
        tags: withComponent(tags, "ecs"),
      },
      { parent: this },
    );

    const routing = createTenantRouting(
      name,
      {
        vpcId: platform.vpcId,
        listenerArn: platform.listenerArn,
        hosts: tenant.hosts,
        priority: tenant.listener.priority,
        tags,
      },
      this,
    );

    // Reading the platform's mount targets makes the service wait until they exist: a task
    // started before its AZ's mount target resolves fails to mount EFS.
    const mountTargets = platform.mountTargetIds.map((id, az) =>
      aws.efs.MountTarget.get(`${name}-mount-${az}`, id, {}, { parent: this }),
    );

    const serviceName = naming.serviceName(tenant.id);
    const service = createTenantService(
      name,
      {
        tenantId: tenant.id,
        serviceName,
        clusterArn: platform.clusterArn,
        taskDefinitionArn: taskDefinition.arn,
        desiredCount: tenant.desiredCount,
        capacityStrategy: tenant.capacityStrategy,
        subnetIds: platform.privateSubnetIds,
        securityGroupId: platform.taskSecurityGroupId,
        targetGroupArn: routing.targetGroup.arn,
        namespaceId: platform.namespaceId,
        healthCheckGracePeriodSeconds: tenant.healthCheckGracePeriodSeconds,
        dependsOn: [routing.rule, database, ...mountTargets],
        tags,
      },
      this,
    );

    createTenantScaling(
      name,
      {
        clusterName: platform.clusterName,
        serviceName: service.name,
        minTasks: tenant.minTasks,
        maxTasks: tenant.maxTasks,
        schedule: tenant.schedule,
        tags,
      },
      this,
    );
    createTenantAlarms(
      name,
      {
        tenantId: tenant.id,
        clusterName: platform.clusterName,
        serviceName: service.name,
        targetGroupArnSuffix: routing.targetGroup.arnSuffix,
        loadBalancerArnSuffix: platform.loadBalancerArnSuffix,
        alarmTopicArn: platform.alarmTopicArn,
        containerInsights: tenant.containerInsights,
        tags,
      },
      this,
    );

    this.serviceName = service.name;
    this.serviceArn = service.arn;
    this.taskDefinitionFamily = family;
    this.taskDefinitionArn = taskDefinition.arn;
    this.image = image;
    this.accessPointId = accessPoint.id;
    this.accessPointArn = accessPoint.arn;
    this.databaseSecretArn = secrets.databaseSecret.arn;
    this.wordpressKeysSecretArn = secrets.wordpressKeysSecret.arn;
    this.targetGroupArn = routing.targetGroup.arn;
    this.executionRoleArn = roles.executionRole.arn;
    this.taskRoleArn = roles.taskRole.arn;
    this.registerOutputs({
      serviceArn: this.serviceArn,
      taskDefinitionArn: this.taskDefinitionArn,
      accessPointArn: this.accessPointArn,
    });
  }
}
