/**
 * Deletes a removed tenant's files from the environment's shared file system (the tenant
 * lifecycle's `remove --purge`). Destroying a tenant stack deletes its access point, never the
 * directory behind it, so this runs the platform's maintenance task (root through the
 * administrative access point) with PURGE_SCRIPT.
 *
 * Calls: RunTask (maintenance task definition, FARGATE, private subnets) -> DescribeTasks until
 * STOPPED; StopTask on timeout or Ctrl-C.
 */
import { MAINTENANCE_CONTAINER } from "../components/shared/maintenance";
import { PlatformContract } from "../config/platformContract";
import { OpsDeps } from "./deps";
import { BbwsError } from "../lib/errors";
import { createProgress } from "../lib/progress";
import { PURGE_EXIT, PURGE_SCRIPT } from "./scripts";
import { runOneOffTask, taskId } from "./tasks";

/** Options of a purge. */
export interface PurgeFilesOptions {
  /** Seconds to wait for the task (a large uploads directory takes a while). @default 1800 */
  readonly timeoutSeconds?: number;
  /** Seconds between task status checks. @default 10 */
  readonly intervalSeconds?: number;
}

/** What a purge needs: the platform only (the tenant stack is already gone). */
export interface PurgeFilesTarget {
  readonly environment: string;
  readonly tenantId: string;
  readonly platform: Pick<
    PlatformContract,
    "region" | "network" | "cluster" | "storage" | "backup" | "maintenance"
  >;
}

/** What a purge did. */
export interface PurgeFilesResult {
  readonly taskArn: string;
  readonly fileSystemId: string;
  /** What no longer exists, as seen from the file system root (the task log lists each deletion). */
  readonly removed: readonly string[];
}

/** Runs the purge task and waits for it; UnexpectedError when it fails. */
export async function purgeTenantFiles(
  target: PurgeFilesTarget,
  options: PurgeFilesOptions,
  deps: OpsDeps,
): Promise<PurgeFilesResult> {
  const { platform, tenantId } = target;
  const { maintenance } = platform;
  const { ecs } = deps.clients({ region: platform.region, drRegion: platform.backup.drRegion });
  const progress = createProgress(deps.log);
  return progress.step(`delete ${tenantId}'s files on ${platform.storage.fileSystemId}`, async () => {
    const outcome = await runOneOffTask(
      ecs,
      {
        cluster: platform.cluster.name,
        taskDefinition: maintenance.taskDefinitionArn,
        container: MAINTENANCE_CONTAINER,
        command: ["sh", "-c", PURGE_SCRIPT],
        environment: { TENANT_ID: tenantId },
        subnets: platform.network.privateSubnetIds,
        securityGroup: platform.network.securityGroups.tasks,
        startedBy: `bbws-purge-${tenantId}`,
      },
      {
        timeoutSeconds: options.timeoutSeconds ?? 1800,
        intervalSeconds: options.intervalSeconds ?? 10,
        signal: deps.signal,
      },
      (taskArn) => progress.info(`purge task ${taskId(taskArn)} started (logs: ${maintenance.logGroupName})`),
    );
    const logs = `logs: ${maintenance.logGroupName}, task ${taskId(outcome.taskArn)}`;
    if (outcome.exitCode === 0) {
      return {
        taskArn: outcome.taskArn,
        fileSystemId: platform.storage.fileSystemId,
        removed: [
          `/tenants/${tenantId}`,
          `/tenants/.previous/${tenantId}-<stamp>`,
          `/restore/${tenantId}-<stamp>`,
        ],
      };
    }
    const why =
      outcome.exitCode === PURGE_EXIT.refused
        ? "the task refused the tenant id"
        : outcome.exitCode === undefined
          ? `the task stopped without an exit code: ${outcome.stoppedReason ?? "no reason given"}`
          : `the task exited ${outcome.exitCode}`;
    throw new BbwsError("failed", `deleting ${tenantId}'s files failed: ${why} (${logs})`);
  });
}
