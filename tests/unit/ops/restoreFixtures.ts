/**
 * AWS as a restore sees it, mocked: two completed recovery points, restore jobs, the live and
 * temporary clusters, a scalable target, and an ECS service that behaves like one (it drains
 * after a scale-down, rolls out a forced deployment), plus one-off tasks whose exit codes each
 * test chooses.
 */
import {
  DescribeScalableTargetsCommand,
  RegisterScalableTargetCommand,
} from "@aws-sdk/client-application-auto-scaling";
import {
  DescribeRecoveryPointCommand,
  DescribeRestoreJobCommand,
  StartRestoreJobCommand,
} from "@aws-sdk/client-backup";
import {
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import {
  CreateDBInstanceCommand,
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  ModifyDBClusterCommand,
} from "@aws-sdk/client-rds";
import { DB_COPY_SCRIPT, ROLLBACK_FILES_SCRIPT, SWAP_SCRIPT } from "../../../ops/scripts";
import { DB_COPY_USER, DEFAULT_MYSQL_IMAGE } from "../../../components/shared/maintenance";
import {
  ACCOUNT,
  AURORA_POINT,
  CLUSTER_ARN,
  CLUSTER_ID,
  DB_COPY_TD,
  EFS_POINT,
  FILE_SYSTEM_ARN,
  Input,
  Mocks,
  REGION,
} from "./fixtures";

export const STAMP = "20250601-120000";
/** What a restore keeps of the schema as it was: the live cluster's point-in-time recovery. */
export const PREVIOUS_SCHEMA =
  "schema wp_acme as it was before the restore: point-in-time recovery of cluster bbws-dev-db-3f9a1c to " +
  "2025-06-01T12:00:00Z (aws rds restore-db-cluster-to-point-in-time --source-db-cluster-identifier " +
  "bbws-dev-db-3f9a1c --restore-to-time 2025-06-01T12:00:00Z ...)";
export const TEMP_CLUSTER = `bbws-dev-restore-acme-${STAMP}`;
export const TEMP_ENDPOINT = `${TEMP_CLUSTER}.cluster-c9d8e7f6a5b4.${REGION}.rds.amazonaws.com`;
/** The db-copy task role of the platform: denies everything. */
export const DB_COPY_TASK_ROLE = "arn:aws:iam::111122223333:role/bbws-dev-db-copy-task-role-1a2b3c4";
export const DB_COPY_REVISION = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/bbws-dev-db-copy-acme:1`;
export const TASK_ARNS = {
  swap: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/bbws-dev/0swap0000000000000000000000000`,
  copy: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/bbws-dev/0copy0000000000000000000000000`,
  rollback: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/bbws-dev/0rollback000000000000000000000`,
} as const;
export const EFS_CREATED = new Date("2025-06-01T09:00:00.000Z");
export const AURORA_CREATED = new Date("2025-06-01T09:05:00.000Z");

/** How a one-off task ends: an exit code, no exit code (with a reason), or never. */
export type TaskEnd = number | { noExitCode: string } | "never";

export interface RestoreScenario {
  readonly swap?: TaskEnd;
  readonly copy?: TaskEnd;
  readonly rollback?: TaskEnd;
  /** The service never drains / the forced deployment never completes / it fails. */
  readonly service?: "normal" | "never-drains" | "never-stable" | "deployment-fails";
  /** Tasks the service runs before the restore. */
  readonly desiredCount?: number;
}

/** A service that moves to its desired count one DescribeServices after each change. */
export class FakeService {
  desired: number;
  running: number;
  deployment = {
    id: "ecs-svc/1111111111111111111",
    status: "PRIMARY",
    rolloutState: "COMPLETED",
    rolloutStateReason: undefined as string | undefined,
  };
  deployments = 1;

  constructor(
    private readonly behaviour: RestoreScenario["service"],
    desired: number,
  ) {
    this.desired = desired;
    this.running = desired;
  }

  update(input: Input) {
    this.desired = input.desiredCount ?? this.desired;
    if (input.forceNewDeployment) {
      this.deployment = {
        id: "ecs-svc/2222222222222222222",
        status: "PRIMARY",
        rolloutState: "IN_PROGRESS",
        rolloutStateReason: undefined,
      };
    }
    return { service: this.snapshot() };
  }

  describe() {
    const snapshot = this.snapshot();
    if (!(this.behaviour === "never-drains" && this.desired === 0)) this.running = this.desired;
    if (this.deployment.rolloutState === "IN_PROGRESS" && this.behaviour !== "never-stable") {
      if (this.behaviour === "deployment-fails") {
        this.deployment = {
          ...this.deployment,
          rolloutState: "FAILED",
          rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.",
        };
      } else {
        this.deployment = { ...this.deployment, rolloutState: "COMPLETED" };
      }
    }
    return { services: [snapshot] };
  }

  private snapshot() {
    return {
      serviceName: "acme-wordpress",
      status: "ACTIVE",
      desiredCount: this.desired,
      runningCount: this.running,
      pendingCount: 0,
      deployments: Array.from({ length: this.deployments }, () => ({
        ...this.deployment,
        taskDefinition: "arn:aws:ecs:af-south-1:111122223333:task-definition/dev-acme-wordpress:7",
      })),
    };
  }
}

/** Mocks everything a restore of acme calls; returns the fake service. */
export function mockRestore(mocks: Mocks, scenario: RestoreScenario = {}): FakeService {
  mocks.backup.on(DescribeRecoveryPointCommand, { RecoveryPointArn: EFS_POINT }).resolves({
    RecoveryPointArn: EFS_POINT,
    ResourceArn: FILE_SYSTEM_ARN,
    ResourceType: "EFS",
    Status: "COMPLETED",
    CreationDate: EFS_CREATED,
  });
  mocks.backup.on(DescribeRecoveryPointCommand, { RecoveryPointArn: AURORA_POINT }).resolves({
    RecoveryPointArn: AURORA_POINT,
    ResourceArn: CLUSTER_ARN,
    ResourceType: "Aurora",
    Status: "COMPLETED",
    CreationDate: AURORA_CREATED,
  });
  mocks.backup
    .on(StartRestoreJobCommand, { ResourceType: "EFS" })
    .resolves({ RestoreJobId: "efs-restore-1" });
  mocks.backup
    .on(StartRestoreJobCommand, { ResourceType: "Aurora" })
    .resolves({ RestoreJobId: "aurora-restore-1" });
  mocks.backup
    .on(DescribeRestoreJobCommand, { RestoreJobId: "efs-restore-1" })
    .resolvesOnce({ Status: "RUNNING", PercentDone: "50.00%" })
    .resolves({ Status: "COMPLETED" });
  mocks.backup.on(DescribeRestoreJobCommand, { RestoreJobId: "aurora-restore-1" }).resolves({
    Status: "COMPLETED",
    CreatedResourceArn: `arn:aws:rds:${REGION}:${ACCOUNT}:cluster:${TEMP_CLUSTER}`,
  });

  mocks.rds.on(DescribeDBClustersCommand, { DBClusterIdentifier: CLUSTER_ID }).resolves({
    DBClusters: [
      {
        DBClusterIdentifier: CLUSTER_ID,
        Engine: "aurora-mysql",
        EngineMode: "provisioned",
        EngineVersion: "8.0.mysql_aurora.3.08.2",
        DBSubnetGroup: "bbws-dev-db-subnets-1a2b3c4",
        VpcSecurityGroups: [{ VpcSecurityGroupId: "sg-0db0000000000000d", Status: "active" }],
        Port: 3306,
        StorageEncrypted: true,
        KmsKeyId: "arn:aws:kms:af-south-1:111122223333:key/6b1e2a4c-0d3f-4e5a-9b8c-7d6e5f4a3b2c",
        ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 4 },
        DeletionProtection: true,
      },
    ],
  });
  mocks.rds.on(DescribeDBClustersCommand, { DBClusterIdentifier: TEMP_CLUSTER }).resolves({
    DBClusters: [{ DBClusterIdentifier: TEMP_CLUSTER, Status: "available", Endpoint: TEMP_ENDPOINT }],
  });
  mocks.rds.on(ModifyDBClusterCommand).resolves({});
  mocks.rds.on(CreateDBInstanceCommand).resolves({});
  mocks.rds
    .on(DescribeDBInstancesCommand)
    .resolvesOnce({ DBInstances: [{ DBInstanceStatus: "creating" }] })
    .resolves({ DBInstances: [{ DBInstanceStatus: "available" }] });
  mocks.rds.on(DeleteDBInstanceCommand).resolves({});
  mocks.rds.on(DeleteDBClusterCommand).resolves({});

  mocks.autoScaling.on(DescribeScalableTargetsCommand).resolves({
    ScalableTargets: [
      {
        ServiceNamespace: "ecs",
        ResourceId: "service/bbws-dev/acme-wordpress",
        ScalableDimension: "ecs:service:DesiredCount",
        MinCapacity: 1,
        MaxCapacity: 3,
        RoleARN:
          "arn:aws:iam::111122223333:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
        CreationTime: new Date("2025-01-01T00:00:00Z"),
        SuspendedState: {
          DynamicScalingInSuspended: false,
          DynamicScalingOutSuspended: false,
          ScheduledScalingSuspended: false,
        },
      },
    ],
  });
  mocks.autoScaling.on(RegisterScalableTargetCommand).resolves({});

  const service = new FakeService(scenario.service ?? "normal", scenario.desiredCount ?? 2);
  mocks.ecs.on(DescribeServicesCommand).callsFake(() => service.describe());
  mocks.ecs.on(UpdateServiceCommand).callsFake((input: Input) => service.update(input));
  mocks.ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: DB_COPY_TD }).resolves({
    taskDefinition: {
      family: "bbws-dev-db-copy",
      revision: 2,
      status: "ACTIVE",
      taskRoleArn: DB_COPY_TASK_ROLE,
      executionRoleArn: "arn:aws:iam::111122223333:role/bbws-dev-db-copy-exec-role-1a2b3c4",
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: "512",
      memory: "1024",
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "ARM64" },
      containerDefinitions: [
        {
          name: "db-copy",
          image: `111122223333.dkr.ecr.af-south-1.amazonaws.com/bbws-dev-ecr-public/${DEFAULT_MYSQL_IMAGE}`,
          essential: true,
          user: DB_COPY_USER,
          readonlyRootFilesystem: false,
          mountPoints: [],
          logConfiguration: {
            logDriver: "awslogs",
            options: {
              "awslogs-group": "/bbws/dev/maintenance",
              "awslogs-region": "af-south-1",
              "awslogs-stream-prefix": "db-copy",
            },
          },
        },
      ],
    },
  });
  mocks.ecs
    .on(RegisterTaskDefinitionCommand)
    .resolves({ taskDefinition: { taskDefinitionArn: DB_COPY_REVISION } });
  mocks.ecs.on(DeregisterTaskDefinitionCommand).resolves({});
  mocks.ecs.on(StopTaskCommand).resolves({});

  const kinds: Record<string, keyof typeof TASK_ARNS> = {
    [SWAP_SCRIPT]: "swap",
    [DB_COPY_SCRIPT]: "copy",
    [ROLLBACK_FILES_SCRIPT]: "rollback",
  };
  const ends: Record<keyof typeof TASK_ARNS, TaskEnd> = {
    swap: scenario.swap ?? 0,
    copy: scenario.copy ?? 0,
    rollback: scenario.rollback ?? 0,
  };
  const described: Record<string, number> = {};
  mocks.ecs.on(RunTaskCommand).callsFake((input: Input) => {
    const kind = kinds[input.overrides.containerOverrides[0].command[2]];
    return { tasks: [{ taskArn: TASK_ARNS[kind], lastStatus: "PROVISIONING" }], failures: [] };
  });
  mocks.ecs.on(DescribeTasksCommand).callsFake((input: Input) => {
    const taskArn: string = input.tasks[0];
    const kind = (Object.keys(TASK_ARNS) as (keyof typeof TASK_ARNS)[]).find(
      (k) => TASK_ARNS[k] === taskArn,
    )!;
    described[kind] = (described[kind] ?? 0) + 1;
    const end = ends[kind];
    const container = kind === "copy" ? "db-copy" : "maintenance";
    if (described[kind] === 1 || end === "never") return { tasks: [{ taskArn, lastStatus: "RUNNING" }] };
    if (typeof end === "number") {
      return {
        tasks: [
          {
            taskArn,
            lastStatus: "STOPPED",
            stoppedReason: "Essential container in task exited",
            containers: [{ name: container, exitCode: end }],
          },
        ],
      };
    }
    return {
      tasks: [
        { taskArn, lastStatus: "STOPPED", stoppedReason: end.noExitCode, containers: [{ name: container }] },
      ],
    };
  });
  return service;
}

/**
 * The calls of a complete restore of both parts, in order. The put-back runs newest first: the
 * service (stopped last) comes back first, then autoscaling, the task definition revision and
 * the temporary cluster.
 */
export const FULL_RESTORE_CALLS = [
  "backup:DescribeRecoveryPoint",
  "backup:DescribeRecoveryPoint",
  "ecs:DescribeServices",
  "autoScaling:DescribeScalableTargets",
  "backup:StartRestoreJob",
  "backup:DescribeRestoreJob",
  "backup:DescribeRestoreJob",
  "rds:DescribeDBClusters",
  "backup:StartRestoreJob",
  "backup:DescribeRestoreJob",
  "rds:ModifyDBCluster",
  "rds:CreateDBInstance",
  "rds:DescribeDBInstances",
  "rds:DescribeDBInstances",
  "rds:DescribeDBClusters",
  "ecs:DescribeTaskDefinition",
  "ecs:RegisterTaskDefinition",
  "autoScaling:RegisterScalableTarget",
  "ecs:UpdateService",
  "ecs:DescribeServices",
  "ecs:DescribeServices",
  "ecs:RunTask",
  "ecs:DescribeTasks",
  "ecs:DescribeTasks",
  "ecs:RunTask",
  "ecs:DescribeTasks",
  "ecs:DescribeTasks",
  "ecs:UpdateService",
  "autoScaling:RegisterScalableTarget",
  "ecs:DeregisterTaskDefinition",
  "rds:DeleteDBInstance",
  "rds:DeleteDBCluster",
  "ecs:DescribeServices",
  "ecs:DescribeServices",
];

/** Everything up to (and including) the scale-down of a restore of both parts. */
export const UNTIL_STOPPED = FULL_RESTORE_CALLS.slice(
  0,
  FULL_RESTORE_CALLS.indexOf("ecs:DescribeServices", 4) + 2,
);

/** The put-back of a failed restore of both parts: scale back without a deployment, resume, deregister, delete. */
export const PUT_BACK_CALLS = [
  "ecs:UpdateService",
  "autoScaling:RegisterScalableTarget",
  "ecs:DeregisterTaskDefinition",
  "rds:DeleteDBInstance",
  "rds:DeleteDBCluster",
];
