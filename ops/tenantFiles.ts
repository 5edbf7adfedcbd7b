/**
 * Deletes a removed tenant's retained data (the tenant lifecycle's `remove --purge`): its files
 * on the environment's shared file system, and its schema and user when they are still there.
 * Destroying a tenant stack deletes its access point, never the directory behind it, so the
 * files go with the platform's maintenance task (root through the administrative access point)
 * and PURGE_SCRIPT. The schema and user are already gone when the stack was destroyed with
 * `--purge`; a tenant removed earlier without it (its tombstone says the data is retained) still
 * has both, so they are dropped through the Data API (`DROP ... IF EXISTS`: harmless otherwise).
 *
 * Calls: ExecuteStatement (DROP DATABASE/USER IF EXISTS) -> RunTask (maintenance task
 * definition, FARGATE, private subnets) -> DescribeTasks until STOPPED; StopTask on timeout or
 * Ctrl-C.
 */
import { MAINTENANCE_CONTAINER } from "../components/shared/maintenance";
import { PlatformContract } from "../config/platformContract";
import { OpsDeps } from "./deps";
import { BbwsError } from "../lib/errors";
import { createProgress } from "../lib/progress";
import { PURGE_EXIT, PURGE_SCRIPT } from "./scripts";
import { runOneOffTask, taskId } from "./tasks";
import { ExecuteStatementCommand } from "@aws-sdk/client-rds-data";
import { databaseName, databaseUser } from "../config/naming";
import { deleteStatements } from "../components/tenant/sql";

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
    "region" | "network" | "cluster" | "storage" | "backup" | "maintenance" | "database"
  >;
}

/** What a purge did. */
export interface PurgeFilesResult {
  readonly taskArn: string;
  readonly fileSystemId: string;
  /** What no longer exists, as seen from the file system root (the task log lists each deletion). */
  readonly removed: readonly string[];
  /** The schema and user dropped (or found absent). */
  readonly database: { readonly schema: string; readonly user: string };
}

/** Runs the purge task and waits for it; UnexpectedError when it fails. */
export async function purgeTenantFiles(
  target: PurgeFilesTarget,
  options: PurgeFilesOptions,
  deps: OpsDeps,
): Promise<PurgeFilesResult> {
  const { platform, tenantId } = target;
  const { maintenance } = platform;
  const { ecs, rdsData } = deps.clients({ region: platform.region, drRegion: platform.backup.drRegion });
  const progress = createProgress(deps.log);
  const database = { schema: databaseName(tenantId), user: databaseUser(tenantId) };
  await progress.step(
    `drop schema ${database.schema} and user ${database.user} if they are still there`,
    async () => {
      for (const sql of deleteStatements({ databaseName: database.schema, username: database.user }, true)) {
        await rdsData.send(
          new ExecuteStatementCommand({
            resourceArn: platform.database.clusterArn,
            secretArn: platform.database.masterSecretArn,
            sql,
          }),
        );
      }
    },
  );
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
        database,
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
