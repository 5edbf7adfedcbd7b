/**
 * Maintenance tasks of an environment: the one-off ECS tasks day-2 operations run.
 *
 * - maintenance: a small Alpine shell; each run gives its command through RunTask overrides
 *   (restore's file swap and its rollback, purge). It reaches the shared file system through an
 *   administrative access point at `/` with POSIX user 0:0, the only way past the per-tenant
 *   access points, so only its task role may mount through it. Root at the file system root is
 *   what item-level restore needs: AWS Backup writes the restored copy to
 *   `/aws-backup-restore_<timestamp>/tenants/<id>` at the root of the same file system
 *   (https://docs.aws.amazon.com/aws-backup/latest/devguide/restoring-efs.html), a directory
 *   tree no tenant access point reaches, owned by root; moving it into `/tenants/<id>` is a
 *   rename that must happen inside one mount of their common ancestor, and the tenant's files
 *   must then be owned by 33:33. The scripts (ops/scripts.ts) touch only the restore directory
 *   and the one tenant's `/tenants/<id>` and `/tenants/.previous/<id>-<stamp>`.
 * - db-copy: a MySQL client that imports a tenant's restored dump. The dump is tenant data and
 *   the client interprets it, so the task holds as little as possible: its own task role with no
 *   permission at all, no file system (it works in its container's /tmp), the image's non-root
 *   `mysql` user, an image pinned by digest. It holds no credentials itself: a restore registers
 *   a short-lived revision that runs with the restored tenant's own execution role (which reads
 *   only that tenant's secrets) and whose `secrets` name that tenant's database secret
 *   (overrides cannot carry secrets, and a password in overrides would show in DescribeTasks and
 *   CloudTrail), and deregisters it after (ops/tasks.ts).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Tags, withComponent } from "../tags";
import { ecsTasksTrustPolicy } from "../tenant/iamPolicies";

/** Container of the shell task (RunTask overrides name it). */
export const MAINTENANCE_CONTAINER = "maintenance";
/** Container of the MySQL client task. */
export const DB_COPY_CONTAINER = "db-copy";
/** Where the shell container sees the file system root. */
export const ADMIN_MOUNT_PATH = "/mnt/efs";
/** Volume name of the administrative mount. */
export const ADMIN_VOLUME = "efs-admin";
/** ECR Public path of the shell image (served through the environment's pull-through cache). */
export const DEFAULT_SHELL_IMAGE = "docker/library/alpine:3.20";
/**
 * ECR Public path of the MySQL client image, pinned by digest: `mysql:8.4.11`, the multi-platform
 * index (linux/amd64 and linux/arm64/v8) listed by docker-library/repo-info
 * (repos/mysql/remote/8.4.11.md). A tag could be re-pointed at another image between two restores.
 */
export const DEFAULT_MYSQL_IMAGE =
  "docker/library/mysql@sha256:85b9bf2e29cf836ecb8c2a15a935d4ba0c606631dff1dd79531a11983c638f2a";
/** uid:gid of the `mysql` user of the official image (its Dockerfile creates it as 999:999). */
export const DB_COPY_USER = "999:999";
/** An image reference pinned by digest. */
const DIGEST_REFERENCE = /^[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9._-]+)?@sha256:[0-9a-f]{64}$/;

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
  /** Key of the log group. */
  readonly telemetryKeyArn: pulumi.Input<string>;
  /** Retention of the maintenance log group, in days. */
  readonly logRetentionDays: number;
  /** Repository prefix of the ECR Public pull-through cache (`createImageRegistry(...).pullThroughPrefix`). */
  readonly pullThroughPrefix: string;
  /** ECR Public path of the shell image. @default "docker/library/alpine:3.20" */
  readonly shellImage?: string;
  /** ECR Public path of the MySQL client image, pinned by digest (`...@sha256:<64 hex>`). @default DEFAULT_MYSQL_IMAGE */
  readonly mysqlImage?: string;
  readonly tags: Tags;
}

/** What ops needs to run the tasks (exported by the platform stack). */
export interface MaintenanceTasks {
  /** Administrative access point at `/` (POSIX 0:0). */
  readonly accessPointId: pulumi.Output<string>;
  readonly accessPointArn: pulumi.Output<string>;
  /** Log group of both base task definitions (stream prefixes `maintenance` and `db-copy`). */
  readonly logGroupName: pulumi.Output<string>;
  /** Shell task: stable family and current revision. */
  readonly taskDefinitionFamily: string;
  readonly taskDefinitionArn: pulumi.Output<string>;
  /** MySQL client task: stable family and current revision (the base of per-restore revisions). */
  readonly dbCopyTaskDefinitionFamily: string;
  readonly dbCopyTaskDefinitionArn: pulumi.Output<string>;
  /** Task role of the shell task: mounts the file system through the administrative access point. */
  readonly taskRoleArn: pulumi.Output<string>;
  /** Execution role of the shell task: pulls images, writes logs. */
  readonly executionRoleArn: pulumi.Output<string>;
  /** Task role of the db-copy task: allowed nothing (the client calls no AWS API). */
  readonly dbCopyTaskRoleArn: pulumi.Output<string>;
  /** Execution role of the db-copy base revision: pulls images, writes logs; no secrets. */
  readonly dbCopyExecutionRoleArn: pulumi.Output<string>;
}

/** Task definition families (stable names operators see in the console and in CloudTrail). */
export function maintenanceFamilies(environment: string): { maintenance: string; dbCopy: string } {
  return { maintenance: `bbws-${environment}-maintenance`, dbCopy: `bbws-${environment}-db-copy` };
}

/** Checks that an image reference is pinned by digest; throws with the fix otherwise. */
export function assertDigestPinned(image: string, what: string): void {
  if (!DIGEST_REFERENCE.test(image)) {
    throw new Error(
      `${what} ${JSON.stringify(image)} is not pinned by digest: use <path>@sha256:<64 hex digits> ` +
        "(a tag can be re-pointed at another image)",
    );
  }
}

/**
 * The db-copy task role's policy: deny everything. The client calls no AWS API; the explicit
 * deny also outweighs any policy someone attaches to the role later.
 */
export function denyAllPolicy(): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Sid: "NothingAtAll", Effect: "Deny", Action: "*", Resource: "*" }],
  });
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
  readonly logGroupArn: string;
  /** Log stream prefix of the task (`maintenance`, `db-copy`). */
  readonly streamPrefix: string;
  /** Pull-through cache repositories (`repository/<prefix>/*`). */
  readonly pullThroughRepositoryArn: string;
}

/** Execution role: pull through the cache and write its own log streams. No secrets. */
export function maintenanceExecutionPolicy(a: MaintenanceExecutionPolicyArgs): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
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
    ],
  });
}

/** A maintenance container's awslogs configuration. */
export function maintenanceLogConfiguration(a: {
  logGroupName: string;
  region: string;
  streamPrefix: string;
}) {
  return {
    logDriver: "awslogs" as const,
    options: {
      "awslogs-group": a.logGroupName,
      "awslogs-region": a.region,
      "awslogs-stream-prefix": a.streamPrefix,
    },
  };
}

// Each run brings its own command through RunTask overrides; a bare run does nothing.
const REFUSE_BARE_RUN = ["sh", "-c", "echo 'give the command through RunTask overrides' >&2; exit 64"];

/** The shell container: the admin mount, a read-only root, logs, a command that refuses to run bare. */
export function maintenanceContainerDefinitions(a: {
  image: string;
  logGroupName: string;
  region: string;
}): object[] {
  return [
    {
      name: MAINTENANCE_CONTAINER,
      image: a.image,
      essential: true,
      command: REFUSE_BARE_RUN,
      // Root inside the container: chown of restored files needs it (the access point maps
      // every NFS call to 0:0 anyway, so a non-root user would gain nothing on the file system).
      user: "0",
      readonlyRootFilesystem: true,
      mountPoints: [{ sourceVolume: ADMIN_VOLUME, containerPath: ADMIN_MOUNT_PATH, readOnly: false }],
      logConfiguration: maintenanceLogConfiguration({ ...a, streamPrefix: MAINTENANCE_CONTAINER }),
    },
  ];
}

/**
 * The db-copy container: the image's non-root user, no mount point, logs, a command that
 * refuses to run bare. Its root file system stays writable: the dumps go to the container's
 * own /tmp (deleted with the task), because a task volume on Fargate is a bind mount owned by
 * root (aws/containers-roadmap#938), which the non-root client could not write.
 */
export function dbCopyContainerDefinitions(a: {
  image: string;
  logGroupName: string;
  region: string;
}): object[] {
  return [
    {
      name: DB_COPY_CONTAINER,
      image: a.image,
      essential: true,
      command: REFUSE_BARE_RUN,
      user: DB_COPY_USER,
      readonlyRootFilesystem: false,
      mountPoints: [],
      logConfiguration: maintenanceLogConfiguration({ ...a, streamPrefix: DB_COPY_CONTAINER }),
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
  const mysqlImagePath = args.mysqlImage ?? DEFAULT_MYSQL_IMAGE;
  assertDigestPinned(mysqlImagePath, "the db-copy image");
  const parent = new MaintenanceGroup(`${name}-maintenance`, { parent: owner });
  const tags = withComponent(args.tags, "maintenance");
  const families = maintenanceFamilies(args.environment);
  const image = (path: string) =>
    pulumi.interpolate`${args.accountId}.dkr.ecr.${args.region}.amazonaws.com/${args.pullThroughPrefix}/${path}`;
  const shellImage = image(args.shellImage ?? DEFAULT_SHELL_IMAGE);
  const mysqlImage = image(mysqlImagePath);

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
  const executionPolicy = (streamPrefix: string) =>
    pulumi
      .all([logGroup.arn, pullThroughRepositoryArn])
      .apply(([logGroupArn, repositoryArn]) =>
        maintenanceExecutionPolicy({ logGroupArn, streamPrefix, pullThroughRepositoryArn: repositoryArn }),
      );

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
    executionPolicy(MAINTENANCE_CONTAINER),
  );
  const dbCopyTaskRole = role(
    "db-copy-task-role",
    `BBWS ${args.environment}: the db-copy client, allowed nothing`,
    denyAllPolicy(),
  );
  // Only the base revision runs with it; a restore's revision runs with the tenant's own role.
  const dbCopyExecutionRole = role(
    "db-copy-exec-role",
    `BBWS ${args.environment}: starts the db-copy base task (no secrets)`,
    executionPolicy(DB_COPY_CONTAINER),
  );

  const containerDefinitions = (
    build: (a: { image: string; logGroupName: string; region: string }) => object[],
    containerImage: pulumi.Output<string>,
  ) =>
    pulumi
      .all([containerImage, logGroup.name])
      .apply(([img, logGroupName]) =>
        JSON.stringify(build({ image: img, logGroupName, region: args.region })),
      );
  const taskDefinitionBase = {
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "ARM64" },
    tags,
  };

  const maintenance = new aws.ecs.TaskDefinition(
    `${name}-maintenance-task`,
    {
      ...taskDefinitionBase,
      family: families.maintenance,
      cpu: "256",
      memory: "512",
      executionRoleArn: executionRole.arn,
      taskRoleArn: taskRole.arn,
      containerDefinitions: containerDefinitions(maintenanceContainerDefinitions, shellImage),
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
    },
    { parent },
  );
  // mysqldump and the import buffer rows in memory; 1 GB keeps large WooCommerce tables safe.
  // No volume: the client never sees the shared file system.
  const dbCopy = new aws.ecs.TaskDefinition(
    `${name}-db-copy-task`,
    {
      ...taskDefinitionBase,
      family: families.dbCopy,
      cpu: "512",
      memory: "1024",
      executionRoleArn: dbCopyExecutionRole.arn,
      taskRoleArn: dbCopyTaskRole.arn,
      containerDefinitions: containerDefinitions(dbCopyContainerDefinitions, mysqlImage),
    },
    { parent },
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
    dbCopyTaskRoleArn: dbCopyTaskRole.arn,
    dbCopyExecutionRoleArn: dbCopyExecutionRole.arn,
  };
}
