/**
 * The provisioning install: a one-off ECS task of the tenant's install task definition
 * (taskDefinition.ts) that runs `bbws-install` (runtime/bin/bbws-install: `wp core install` with
 * the administrator's password from the tenant's SSM parameter), as a Pulumi dynamic resource that runs the
 * task and waits for it to stop with exit code 0. The tenant's listener rule depends on it, so no
 * visitor reaches a site that is not installed yet (and install.php is refused anyway).
 *
 * The install is idempotent: it is run again whenever the install task definition changes (a new
 * image, a new configuration), and on an installed site it changes nothing. It runs with the
 * credentials of whoever runs `pulumi up`, like the database provider (ecs:RunTask,
 * ecs:DescribeTasks and iam:PassRole on the tenant's two roles).
 */
import * as pulumi from "@pulumi/pulumi";
import { DescribeTasksCommand, ECSClient, RunTaskCommand, waitUntilTasksStopped } from "@aws-sdk/client-ecs";

/** Inputs of the install resource, as its provider receives them. */
export interface TenantInstallState {
  readonly region: string;
  readonly clusterArn: string;
  /** The install task definition revision to run. */
  readonly taskDefinitionArn: string;
  readonly subnetIds: string[];
  readonly securityGroupIds: string[];
  /** The container whose exit code decides. */
  readonly containerName: string;
  /** Where its output is, for the error message. */
  readonly logGroupName: string;
  /** Longest wait for the task to stop. */
  readonly timeoutSeconds: number;
}

/** What a run reports. */
export interface InstallRun {
  readonly taskArn: string;
  readonly exitCode: number;
}

/** Seconds the install may take: an image pull, the first copy of WordPress onto EFS, the install. */
export const INSTALL_TIMEOUT_SECONDS = 900;

/**
 * Runs the install task once and waits until it stopped; throws unless its container exited 0,
 * with ECS's reason and where the task's output is.
 */
export async function runInstallTask(client: ECSClient, s: TenantInstallState): Promise<InstallRun> {
  const started = await client.send(
    new RunTaskCommand({
      cluster: s.clusterArn,
      taskDefinition: s.taskDefinitionArn,
      launchType: "FARGATE",
      count: 1,
      startedBy: "bbws-install",
      propagateTags: "TASK_DEFINITION",
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: s.subnetIds,
          securityGroups: s.securityGroupIds,
          assignPublicIp: "DISABLED",
        },
      },
    }),
  );
  const taskArn = started.tasks?.[0]?.taskArn;
  if (!taskArn) {
    const why = (started.failures ?? []).map(
      (f) => `${f.reason ?? "unknown"}${f.detail ? ` (${f.detail})` : ""}`,
    );
    throw new Error(
      `the install task of ${s.taskDefinitionArn} did not start: ${why.join("; ") || "no task returned"}`,
    );
  }
  await waitUntilTasksStopped(
    { client, maxWaitTime: s.timeoutSeconds, minDelay: 6, maxDelay: 30 },
    { cluster: s.clusterArn, tasks: [taskArn] },
  ).catch((error: unknown) => {
    throw new Error(
      `the install task ${taskArn} did not stop within ${s.timeoutSeconds} s (${String(error)}); ` +
        `its output is in log group ${s.logGroupName}`,
    );
  });
  const described = await client.send(new DescribeTasksCommand({ cluster: s.clusterArn, tasks: [taskArn] }));
  const task = described.tasks?.[0];
  const container = task?.containers?.find((c) => c.name === s.containerName);
  const exitCode = container?.exitCode;
  if (exitCode !== 0) {
    const reason = [task?.stoppedReason, container?.reason].filter(Boolean).join("; ");
    throw new Error(
      `the install task ${taskArn} failed (exit code ${exitCode ?? "none"}${reason ? `: ${reason}` : ""}); ` +
        `its output is in log group ${s.logGroupName}, stream prefix of the tenant, container ${s.containerName}`,
    );
  }
  return { taskArn, exitCode };
}

/** The dynamic provider (free of module state: Pulumi serializes it into the stack). */
export const tenantInstallProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: TenantInstallState) {
    const client = new ECSClient({ region: inputs.region });
    try {
      const run = await runInstallTask(client, inputs);
      return { id: `${inputs.clusterArn}/install`, outs: { ...inputs, ...run } };
    } finally {
      client.destroy();
    }
  },

  diff(_id: string, olds: TenantInstallState, news: TenantInstallState) {
    // A new task definition revision (image, configuration) runs the install again: harmless on
    // an installed site, and what installs a site whose earlier run failed.
    const keys = ["taskDefinitionArn", "clusterArn", "region"] as const;
    return Promise.resolve({
      changes: keys.some((key) => olds[key] !== news[key]),
      deleteBeforeReplace: false,
    });
  },

  async update(_id: string, _olds: TenantInstallState, news: TenantInstallState) {
    const client = new ECSClient({ region: news.region });
    try {
      return { outs: { ...news, ...(await runInstallTask(client, news)) } };
    } finally {
      client.destroy();
    }
  },

  // An installed site stays installed: its data lives in the database and on EFS.
  delete: () => Promise.resolve(),
};

/** Arguments of TenantInstall. */
export interface TenantInstallArgs {
  readonly region: pulumi.Input<string>;
  readonly clusterArn: pulumi.Input<string>;
  readonly taskDefinitionArn: pulumi.Input<string>;
  readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  readonly securityGroupIds: pulumi.Input<pulumi.Input<string>[]>;
  readonly containerName: string;
  readonly logGroupName: pulumi.Input<string>;
  /** @default INSTALL_TIMEOUT_SECONDS */
  readonly timeoutSeconds?: number;
}

/** The tenant's provisioning install (see the file comment). */
export class TenantInstall extends pulumi.dynamic.Resource {
  /** The last install task that ran. */
  declare readonly taskArn: pulumi.Output<string>;

  constructor(name: string, args: TenantInstallArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(
      tenantInstallProvider,
      name,
      {
        ...args,
        timeoutSeconds: args.timeoutSeconds ?? INSTALL_TIMEOUT_SECONDS,
        taskArn: undefined,
        exitCode: undefined,
      },
      opts,
      "bbws",
      "TenantInstall",
    );
  }
}
