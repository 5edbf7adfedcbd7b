/**
 * Maintenance tasks of an environment: the one-off ECS tasks day-2 operations run (restore
 * swaps a tenant's directory and copies its schema). They reach the shared file system through
 * an administrative access point at `/` with POSIX user 0:0, the only way past the per-tenant
 * access points, so only these tasks' role may mount through it.
 *
 * - maintenance: a small Alpine shell; each run gives its command through RunTask overrides.
 * - db-copy: a MySQL 8 client. It holds no credentials itself: a restore registers a short-lived
 *   revision whose `secrets` name that tenant's secret (overrides cannot carry secrets, and a
 *   password in overrides would show in DescribeTasks and CloudTrail), and deregisters it after.
 *   Its execution role may read the environment's tenant database secrets and nothing else.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Tags, withComponent } from "../tags";
import { ecsTasksTrustPolicy } from "../tenant/iamPolicies";

/** Container of the shell task (RunTask overrides name it). */
export const MAINTENANCE_CONTAINER = "maintenance";
/** Container of the MySQL client task. */
export const DB_COPY_CONTAINER = "db-copy";
/** Where both containers see the file system root. */
export const ADMIN_MOUNT_PATH = "/mnt/efs";
/** Volume name of the administrative mount. */
export const ADMIN_VOLUME = "efs-admin";
/** ECR Public path of the shell image (served through the environment's pull-through cache). */
export const DEFAULT_SHELL_IMAGE = "docker/library/alpine:3.20";
/** ECR Public path of the MySQL 8 client image. */
export const DEFAULT_MYSQL_IMAGE = "docker/library/mysql:8.4";

/** Arguments of createMaintenanceTasks (SharedCluster passes its own resources). */
export interface MaintenanceTasksArgs {
  /** Environment name; used in the task definition families and the log group name. */
  readonly environment: string;
  /** Region of the stack: image URIs and the awslogs driver. */
  readonly region: string;
  readonly accountId: pulumi.Input<string>;
  readonly partition: pulumi.Input<string>;
  /** The shared EFS file system. */
  readonly fileSystemId: pulumi.Input<string>;
  readonly fileSystemArn: pulumi.Input<string>;
  /** Key of the tenant secrets: the db-copy execution role decrypts through Secrets Manager only. */
  readonly dataKeyArn: pulumi.Input<string>;
  /** Key of the log group. */
  readonly telemetryKeyArn: pulumi.Input<string>;
  /** Retention of the maintenance log group, in days. */
  readonly logRetentionDays: number;
  /** Repository prefix of the ECR Public pull-through cache (`createImageRegistry(...).pullThroughPrefix`). */
  readonly pullThroughPrefix: string;
  /** ECR Public path of the shell image. @default "docker/library/alpine:3.20" */
  readonly shellImage?: string;
  /** ECR Public path of the MySQL client image. @default "docker/library/mysql:8.4" */
  readonly mysqlImage?: string;
  readonly tags: Tags;
}

/** What ops needs to run the tasks (exported by the platform stack). */
export interface MaintenanceTasks {
  /** Administrative access point at `/` (POSIX 0:0). */
  readonly accessPointId: pulumi.Output<string>;
  readonly accessPointArn: pulumi.Output<string>;
  /** Log group of both tasks (stream prefixes `maintenance` and `db-copy`). */
  readonly logGroupName: pulumi.Output<string>;
  /** Shell task: stable family and current revision. */
  readonly taskDefinitionFamily: string;
  readonly taskDefinitionArn: pulumi.Output<string>;
  /** MySQL client task: stable family and current revision (the base of per-restore revisions). */
  readonly dbCopyTaskDefinitionFamily: string;
  readonly dbCopyTaskDefinitionArn: pulumi.Output<string>;
  /** Task role of both tasks: mounts the file system through the administrative access point. */
  readonly taskRoleArn: pulumi.Output<string>;
  /** Execution role of the shell task: pulls images, writes logs. */
  readonly executionRoleArn: pulumi.Output<string>;
  /** Execution role of the db-copy task: also reads `bbws/<env>/<tenant>/db-*` secrets. */
  readonly dbCopyExecutionRoleArn: pulumi.Output<string>;
}

/** Task definition families (stable names operators see in the console and in CloudTrail). */
export function maintenanceFamilies(environment: string): { maintenance: string; dbCopy: string } {
  return { maintenance: `bbws-${environment}-maintenance`, dbCopy: `bbws-${environment}-db-copy` };
}

/** Tenant database secrets of an environment (names are prefixes: `bbws/<env>/<id>/db-<random>`). */
export function tenantDatabaseSecretsArn(
  partition: string,
  region: string,
  accountId: string,
  environment: string,
): string {
  return `arn:${partition}:secretsmanager:${region}:${accountId}:secret:bbws/${environment}/*/db-*`;
}

/** Task role: mount, write and act as root on the file system, only through the admin access point. */
export function maintenanceTaskPolicy(args: { fileSystemArn: string; accessPointArn: string }): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AdministerThroughAdminAccessPointOnly",
        Effect: "Allow",
        // Root access: the swap moves tenant directories and sets their owner to 33:33.
        Action: [
          "elasticfilesystem:ClientMount",
          "elasticfilesystem:ClientWrite",
          "elasticfilesystem:ClientRootAccess",
        ],
        Resource: args.fileSystemArn,
        Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": args.accessPointArn } },
      },
    ],
  });
}

/** What an execution role of a maintenance task may reach. */
export interface MaintenanceExecutionPolicyArgs {
  readonly region: string;
  readonly logGroupArn: string;
  /** Log stream prefix of the task (`maintenance`, `db-copy`). */
  readonly streamPrefix: string;
  /** Pull-through cache repositories (`repository/<prefix>/*`). */
  readonly pullThroughRepositoryArn: string;
  /** Secrets the task may receive, and the key that encrypts them. @default - no secrets */
  readonly secrets?: { readonly secretArnPattern: string; readonly dataKeyArn: string };
}

/** Execution role: pull through the cache, write its own log streams, and read secrets if given. */
export function maintenanceExecutionPolicy(a: MaintenanceExecutionPolicyArgs): string {
  const statements: object[] = [
    // GetAuthorizationToken has no resource-level permissions: AWS requires "*" here.
    { Sid: "RegistryLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
    {
      Sid: "PullThroughCache",
      Effect: "Allow",
      Action: [
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchImportUpstreamImage",
        "ecr:CreateRepository",
      ],
      Resource: a.pullThroughRepositoryArn,
    },
    {
      Sid: "WriteOwnLogStreams",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `${a.logGroupArn}:log-stream:${a.streamPrefix}/*`,
    },
  ];
  if (a.secrets) {
    statements.push(
      {
        Sid: "ReadTenantDatabaseSecrets",
        Effect: "Allow",
        Action: "secretsmanager:GetSecretValue",
        Resource: a.secrets.secretArnPattern,
      },
      {
        Sid: "DecryptTenantDatabaseSecrets",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: a.secrets.dataKeyArn,
        Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${a.region}.amazonaws.com` } },
      },
    );
  }
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** One maintenance container: the admin mount, a read-only root, logs, a command that refuses to run bare. */
export function maintenanceContainerDefinitions(a: {
  name: string;
  image: string;
  logGroupName: string;
  region: string;
}): object[] {
  return [
    {
      name: a.name,
      image: a.image,
      essential: true,
      // Each run brings its own command through RunTask overrides; a bare run does nothing.
      command: ["sh", "-c", "echo 'give the command through RunTask overrides' >&2; exit 64"],
      // Root inside the container: chown of restored files needs it (the access point maps
      // every NFS call to 0:0 anyway, so a non-root user would gain nothing on the file system).
      user: "0",
      readonlyRootFilesystem: true,
      mountPoints: [{ sourceVolume: ADMIN_VOLUME, containerPath: ADMIN_MOUNT_PATH, readOnly: false }],
      logConfiguration: {
        logDriver: "awslogs",
        options: {
          "awslogs-group": a.logGroupName,
          "awslogs-region": a.region,
          "awslogs-stream-prefix": a.name,
        },
      },
    },
  ];
}

/**
 * Component type that groups the maintenance resources. The policy pack's one documented
 * exception (a root access point at `/`, ClientRootAccess through it) applies only to resources
 * under this component in a platform stack, so the exception is scoped by structure, not by name.
 */
export const MAINTENANCE_COMPONENT = "bbws:platform:MaintenanceTasks";

/** The component every maintenance resource is a child of. */
class MaintenanceGroup extends pulumi.ComponentResource {
  constructor(name: string, opts: pulumi.ComponentResourceOptions) {
    super(MAINTENANCE_COMPONENT, name, {}, opts);
  }

  /** Registers the outputs once every child exists. */
  complete(outputs: pulumi.Inputs): void {
    this.registerOutputs(outputs);
  }
}

/** Creates the administrative access point, the log group, the roles and both task definitions. */
export function createMaintenanceTasks(
  name: string,
  args: MaintenanceTasksArgs,
  owner: pulumi.Resource,
): MaintenanceTasks {
  const parent = new MaintenanceGroup(`${name}-maintenance`, { parent: owner });
  const tags = withComponent(args.tags, "maintenance");
  const families = maintenanceFamilies(args.environment);
  const image = (path: string) =>
    pulumi.interpolate`${args.accountId}.dkr.ecr.${args.region}.amazonaws.com/${args.pullThroughPrefix}/${path}`;
  const shellImage = image(args.shellImage ?? DEFAULT_SHELL_IMAGE);
  const mysqlImage = image(args.mysqlImage ?? DEFAULT_MYSQL_IMAGE);

  const accessPoint = new aws.efs.AccessPoint(
    `${name}-maintenance-ap`,
    {
      fileSystemId: args.fileSystemId,
      posixUser: { uid: 0, gid: 0 },
      rootDirectory: { path: "/" },
      tags: { ...tags, Name: `${name}-maintenance` },
    },
    { parent },
  );
  const logGroup = new aws.cloudwatch.LogGroup(
    `${name}-maintenance-logs`,
    {
      name: `/bbws/${args.environment}/maintenance`,
      retentionInDays: args.logRetentionDays,
      kmsKeyId: args.telemetryKeyArn,
      tags,
    },
    { parent },
  );

  const trust = pulumi
    .all([args.accountId, args.partition])
    .apply(([accountId, partition]) => ecsTasksTrustPolicy({ accountId, partition, region: args.region }));
  const role = (suffix: string, description: string, policy: pulumi.Input<string>) => {
    const created = new aws.iam.Role(
      `${name}-${suffix}`,
      { assumeRolePolicy: trust, description, tags },
      { parent },
    );
    new aws.iam.RolePolicy(`${name}-${suffix}-policy`, { role: created.name, policy }, { parent });
    return created;
  };
  const pullThroughRepositoryArn = pulumi.interpolate`arn:${args.partition}:ecr:${args.region}:${args.accountId}:repository/${args.pullThroughPrefix}/*`;

  const taskRole = role(
    "maintenance-task-role",
    `BBWS ${args.environment}: maintenance tasks mount the file system through the admin access point`,
    pulumi
      .all([args.fileSystemArn, accessPoint.arn])
      .apply(([fileSystemArn, accessPointArn]) => maintenanceTaskPolicy({ fileSystemArn, accessPointArn })),
  );
  const executionRole = role(
    "maintenance-exec-role",
    `BBWS ${args.environment}: starts the maintenance shell task`,
    pulumi.all([logGroup.arn, pullThroughRepositoryArn]).apply(([logGroupArn, repositoryArn]) =>
      maintenanceExecutionPolicy({
        region: args.region,
        logGroupArn,
        streamPrefix: MAINTENANCE_CONTAINER,
        pullThroughRepositoryArn: repositoryArn,
      }),
    ),
  );
  const dbCopyExecutionRole = role(
    "db-copy-exec-role",
    `BBWS ${args.environment}: starts the db-copy task with one tenant's database secret`,
    pulumi
      .all([logGroup.arn, pullThroughRepositoryArn, args.partition, args.accountId, args.dataKeyArn])
      .apply(([logGroupArn, repositoryArn, partition, accountId, dataKeyArn]) =>
        maintenanceExecutionPolicy({
          region: args.region,
          logGroupArn,
          streamPrefix: DB_COPY_CONTAINER,
          pullThroughRepositoryArn: repositoryArn,
          secrets: {
            secretArnPattern: tenantDatabaseSecretsArn(partition, args.region, accountId, args.environment),
            dataKeyArn,
          },
        }),
      ),
  );

  const taskDefinition = (
    suffix: string,
    family: string,
    container: string,
    containerImage: pulumi.Output<string>,
    size: { cpu: string; memory: string },
    executionRoleArn: pulumi.Output<string>,
  ) =>
    new aws.ecs.TaskDefinition(
      `${name}-${suffix}`,
      {
        family,
        cpu: size.cpu,
        memory: size.memory,
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "ARM64" },
        executionRoleArn,
        taskRoleArn: taskRole.arn,
        containerDefinitions: pulumi.all([containerImage, logGroup.name]).apply(([img, logGroupName]) =>
          JSON.stringify(
            maintenanceContainerDefinitions({
              name: container,
              image: img,
              logGroupName,
              region: args.region,
            }),
          ),
        ),
        volumes: [
          {
            name: ADMIN_VOLUME,
            // No rootDirectory: the access point decides the directory (the file system root).
            efsVolumeConfiguration: {
              fileSystemId: args.fileSystemId,
              transitEncryption: "ENABLED",
              authorizationConfig: { accessPointId: accessPoint.id, iam: "ENABLED" },
            },
          },
        ],
        tags,
      },
      { parent },
    );

  const maintenance = taskDefinition(
    "maintenance-task",
    families.maintenance,
    MAINTENANCE_CONTAINER,
    shellImage,
    { cpu: "256", memory: "512" },
    executionRole.arn,
  );
  // mysqldump and the import buffer rows in memory; 1 GB keeps large WooCommerce tables safe.
  const dbCopy = taskDefinition(
    "db-copy-task",
    families.dbCopy,
    DB_COPY_CONTAINER,
    mysqlImage,
    { cpu: "512", memory: "1024" },
    dbCopyExecutionRole.arn,
  );

  parent.complete({
    accessPointArn: accessPoint.arn,
    taskDefinitionArn: maintenance.arn,
    dbCopyTaskDefinitionArn: dbCopy.arn,
  });
  return {
    accessPointId: accessPoint.id,
    accessPointArn: accessPoint.arn,
    logGroupName: logGroup.name,
    taskDefinitionFamily: families.maintenance,
    taskDefinitionArn: maintenance.arn,
    dbCopyTaskDefinitionFamily: families.dbCopy,
    dbCopyTaskDefinitionArn: dbCopy.arn,
    taskRoleArn: taskRole.arn,
    executionRoleArn: executionRole.arn,
    dbCopyExecutionRoleArn: dbCopyExecutionRole.arn,
  };
}
