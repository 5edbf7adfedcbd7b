/**
 * One-off ECS tasks of a restore: run a maintenance task with a command and environment given
 * through overrides, wait until it stops, report its exit code. A task still running at its
 * deadline (or on Ctrl-C) is stopped before the error goes up: nothing may keep changing a
 * tenant's files or schema after the restore has put the site back.
 *
 * The db-copy task gets the tenant's credentials through a per-restore task definition revision
 * that runs with the tenant's own execution role and whose `secrets` name the tenant's secret;
 * it is deregistered when the restore ends.
 */
import {
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
} from "@aws-sdk/client-ecs";
import {
  DB_COPY_CONTAINER,
  DB_COPY_USER,
  maintenanceLogConfiguration,
} from "../components/shared/maintenance";
import { TAG } from "../components/tags";
import { BbwsError, requireValue } from "../lib/errors";
import { WaitParams } from "./service";
import { done, pending, pollUntil } from "../lib/wait";

/** A one-off task run. */
export interface OneOffTask {
  readonly cluster: string;
  readonly taskDefinition: string;
  /** Container whose command and environment are overridden. */
  readonly container: string;
  readonly command: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
  /** Private subnets; the task gets no public IP. */
  readonly subnets: readonly string[];
  readonly securityGroup: string;
  /** Shown in the console and DescribeTasks: who ran the task. */
  readonly startedBy: string;
}

/** How a one-off task ended. */
export interface TaskOutcome {
  readonly taskArn: string;
  /** Undefined when the container never ran (image pull, EFS mount...): see stoppedReason. */
  readonly exitCode?: number;
  readonly stoppedReason?: string;
}

/** Runs a task and waits until it stops; `onStarted` hears of the task as soon as it exists. */
export async function runOneOffTask(
  ecs: ECSClient,
  task: OneOffTask,
  wait: WaitParams,
  onStarted?: (taskArn: string) => void,
): Promise<TaskOutcome> {
  const started = await ecs.send(
    new RunTaskCommand({
      cluster: task.cluster,
      taskDefinition: task.taskDefinition,
      // On-demand capacity: a Spot interruption in the middle of a swap or an import is the
      // one failure these scripts cannot undo themselves.
      capacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1 }],
      platformVersion: "LATEST",
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: [...task.subnets],
          securityGroups: [task.securityGroup],
          assignPublicIp: "DISABLED",
        },
      },
      overrides: {
        containerOverrides: [
          {
            name: task.container,
            command: [...task.command],
            environment: Object.entries(task.environment).map(([name, value]) => ({ name, value })),
          },
        ],
      },
      startedBy: task.startedBy,
      enableECSManagedTags: true,
      propagateTags: "TASK_DEFINITION",
    }),
  );
  const failure = started.failures?.[0];
  if (failure || !started.tasks?.[0]?.taskArn) {
    throw new BbwsError(
      "failed",
      `could not start a ${task.container} task: ${failure?.reason ?? "RunTask returned no task"}${failure?.detail ? ` (${failure.detail})` : ""}`,
    );
  }
  const taskArn = started.tasks[0].taskArn;
  onStarted?.(taskArn);
  try {
    return await pollUntil({
      what: `${task.container} task ${taskId(taskArn)}`,
      ...wait,
      check: async () => {
        const described = await ecs.send(
          new DescribeTasksCommand({ cluster: task.cluster, tasks: [taskArn] }),
        );
        const current = described.tasks?.[0];
        if (current?.lastStatus !== "STOPPED") return pending(current?.lastStatus ?? "unknown");
        const container = current.containers?.find((c) => c.name === task.container);
        return done({
          taskArn,
          exitCode: container?.exitCode,
          stoppedReason: current.stoppedReason ?? container?.reason,
        });
      },
    });
  } catch (error) {
    if (error instanceof BbwsError && (error.kind === "timeout" || error.kind === "interrupted")) {
      await ecs.send(
        new StopTaskCommand({
          cluster: task.cluster,
          task: taskArn,
          reason: `bbws ops: ${error.message}`.slice(0, 255),
        }),
      );
      error.notes.push(`task ${taskArn} was stopped`);
    }
    throw error;
  }
}

/** The short id of a task ARN (what the console and the log stream show). */
export function taskId(taskArn: string): string {
  return taskArn.split("/").pop() ?? taskArn;
}

/** What a per-restore db-copy revision is made of. */
export interface DbCopyRevisionRequest {
  /** The platform's db-copy task definition (its task role allows nothing). */
  readonly baseTaskDefinitionArn: string;
  readonly tenantId: string;
  /** The tenant's database secret: DB_USER and MYSQL_PWD come from it. */
  readonly databaseSecretArn: string;
  /** The tenant's own execution role: it reads that tenant's secrets and nothing else. */
  readonly executionRoleArn: string;
  /** The log group the tenant's execution role writes to (its streams `<tenant>/...`). */
  readonly logGroupName: string;
  readonly region: string;
}

/**
 * Registers a revision of the db-copy task definition (family `<base family>-<tenant>`) that
 * runs with the tenant's execution role, logs to the tenant's own streams, and whose container
 * receives DB_USER and MYSQL_PWD from the tenant's database secret. Refused when the base
 * revision mounts a volume or runs as root (a platform from before the db-copy task lost them):
 * a restore must never run a tenant's dump with the file system mounted.
 */
export async function registerDbCopyRevision(
  ecs: ECSClient,
  request: DbCopyRevisionRequest,
): Promise<string> {
  const { baseTaskDefinitionArn, tenantId } = request;
  const described = await ecs.send(
    new DescribeTaskDefinitionCommand({ taskDefinition: baseTaskDefinitionArn }),
  );
  const base = requireValue(described.taskDefinition, `task definition ${baseTaskDefinitionArn} not found`);
  const container = base.containerDefinitions?.find((c) => c.name === DB_COPY_CONTAINER);
  if (!container) {
    throw new BbwsError(
      "failed",
      `task definition ${baseTaskDefinitionArn} has no ${DB_COPY_CONTAINER} container`,
    );
  }
  if (
    (base.volumes?.length ?? 0) > 0 ||
    (container.mountPoints?.length ?? 0) > 0 ||
    container.user !== DB_COPY_USER
  ) {
    throw new BbwsError(
      "invalidInput",
      `task definition ${baseTaskDefinitionArn} mounts a volume or does not run as ${DB_COPY_USER}: the platform ` +
        "predates the isolated db-copy task; update it first (pulumi up -s <env>)",
    );
  }
  const registered = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: `${base.family}-${tenantId}`,
      taskRoleArn: base.taskRoleArn,
      executionRoleArn: request.executionRoleArn,
      networkMode: base.networkMode,
      requiresCompatibilities: base.requiresCompatibilities,
      cpu: base.cpu,
      memory: base.memory,
      runtimePlatform: base.runtimePlatform,
      containerDefinitions: [
        {
          ...container,
          mountPoints: [],
          logConfiguration: maintenanceLogConfiguration({
            logGroupName: request.logGroupName,
            region: request.region,
            streamPrefix: tenantId,
          }),
          secrets: [
            { name: "DB_USER", valueFrom: `${request.databaseSecretArn}:username::` },
            { name: "MYSQL_PWD", valueFrom: `${request.databaseSecretArn}:password::` },
          ],
        },
      ],
      tags: [
        { key: TAG.tenantId, value: tenantId },
        { key: "bbws:purpose", value: "restore" },
      ],
    }),
  );
  return requireValue(registered.taskDefinition?.taskDefinitionArn, "RegisterTaskDefinition returned no ARN");
}

/** Deregisters a per-restore revision (it can no longer start tasks). */
export async function deregisterTaskDefinition(ecs: ECSClient, taskDefinitionArn: string): Promise<void> {
  await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: taskDefinitionArn }));
}
