/**
 * The changes a restore makes to the live site, each a one-off ECS task: swap the restored
 * files in, copy the schema, and put the previous files back. They keep track of where the
 * files and the database stand (previous, restored, or unknown when a task died half-way) for
 * the notes, and record in the restore's saga what they keep and how the swap is undone.
 */
import { DB_COPY_CONTAINER, MAINTENANCE_CONTAINER } from "../components/shared/maintenance";
import { ECSClient } from "@aws-sdk/client-ecs";
import { PlatformContract } from "../config/platformContract";
import { BbwsError } from "../lib/errors";
import { Progress } from "../lib/progress";
import { Compensation, Saga } from "../lib/saga";
import {
  DB_COPY_EXIT,
  DB_COPY_SCRIPT,
  ExitMeaning,
  ROLLBACK_FILES_SCRIPT,
  SWAP_SCRIPT,
  dbCopyExitMeaning,
  restorePaths,
  swapExitMeaning,
} from "./scripts";
import { TaskOutcome, runOneOffTask, taskId } from "./tasks";

/** Where one part of the site stands. */
export type PartState = "previous" | "restored" | "unknown";

/** What the site tasks work with. */
export interface SiteTasksArgs {
  readonly ecs: ECSClient;
  /** The cluster, subnets and security group tasks run in, the file system and database they change, and the maintenance tasks. */
  readonly platform: Pick<
    PlatformContract,
    "cluster" | "network" | "storage" | "database" | "maintenance" | "observability"
  >;
  readonly tenantId: string;
  readonly databaseName: string;
  readonly stamp: string;
  /** Where the swap registers its rollback and the tasks record what they keep. */
  readonly saga: Saga;
  readonly progress: Progress;
  readonly intervalSeconds: number;
  readonly timeouts: { readonly swap: number; readonly databaseCopy: number };
  /** Aborts the swap and the copy (never the rollback, which must run after an abort). */
  readonly signal?: AbortSignal;
}

/**
 * Saga keys of the site tasks. The swap's rollback and the previous files it would put back
 * share one: a rollback that cannot finish leaves its line as the previous files kept.
 */
const KEYS = {
  previousFiles: "previousFiles",
  restoredFiles: "restoredFiles",
  previousSchema: "previousSchema",
} as const;

/** The ISO time of a restore stamp (`YYYYMMDD-HHMMSS`, UTC). */
export function stampTime(stamp: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})$/.exec(stamp);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z` : stamp;
}

/** The live-site changes of one restore. */
export class SiteTasks {
  /** Where the tenant's files stand. */
  files: PartState = "previous";
  /** Where the tenant's schema stands. */
  database: PartState = "previous";
  private readonly paths: ReturnType<typeof restorePaths>;

  constructor(private readonly a: SiteTasksArgs) {
    this.paths = restorePaths(a.tenantId, a.stamp);
  }

  /** Moves the live files aside and the restored copy in. */
  async swapFiles(): Promise<void> {
    await this.a.progress.step("swap the restored files in", async () => {
      const outcome = await this.run(
        "swap",
        MAINTENANCE_CONTAINER,
        this.a.platform.maintenance.taskDefinitionArn,
        SWAP_SCRIPT,
        {},
        this.a.timeouts.swap,
        this.a.signal,
        () => {
          // From the moment the task runs, the live files may be half moved.
          this.files = "unknown";
          this.a.saga.register(KEYS.previousFiles, this.rollBackFiles());
        },
      );
      if (outcome.exitCode === 0) {
        this.files = "restored";
        this.a.saga.keep(
          KEYS.previousFiles,
          `previous files: ${this.paths.previous} on file system ${this.a.platform.storage.fileSystemId}`,
        );
        return;
      }
      throw this.failure("swap", outcome, swapExitMeaning, (intact) => {
        if (!intact) return;
        // The script put the previous content back itself.
        this.files = "previous";
        this.a.saga.settle(KEYS.previousFiles);
      });
    });
  }

  /** Copies the tenant's schema from the temporary cluster at `sourceHost` into the live cluster. */
  async copySchema(sourceHost: string, taskDefinitionArn: string): Promise<void> {
    const { platform } = this.a;
    await this.a.progress.step(`copy schema ${this.a.databaseName} into the live cluster`, async () => {
      const environment = {
        DB_NAME: this.a.databaseName,
        SOURCE_HOST: sourceHost,
        LIVE_HOST: platform.database.endpoint,
        DB_PORT: String(platform.database.port),
      };
      const outcome = await this.run(
        "database copy",
        DB_COPY_CONTAINER,
        taskDefinitionArn,
        DB_COPY_SCRIPT,
        environment,
        this.a.timeouts.databaseCopy,
        this.a.signal,
        () => {
          this.database = "unknown";
        },
      );
      // The db-copy task keeps its dumps in its own /tmp (it mounts no file system), so what
      // stays of the schema as it was is the live cluster's point-in-time recovery.
      const previousSchema =
        `schema ${this.a.databaseName} as it was before the restore: point-in-time recovery of cluster ` +
        `${platform.database.clusterIdentifier} to ${stampTime(this.a.stamp)} (aws rds restore-db-cluster-to-point-in-time ` +
        `--source-db-cluster-identifier ${platform.database.clusterIdentifier} --restore-to-time ${stampTime(this.a.stamp)} ...)`;
      if (outcome.exitCode === 0) {
        this.database = "restored";
        this.a.saga.keep(KEYS.previousSchema, previousSchema);
        return;
      }
      throw this.failure(
        "database copy",
        outcome,
        dbCopyExitMeaning,
        (intact, code) => {
          if (intact) this.database = "previous";
          if (code === undefined || code === DB_COPY_EXIT.importFailedNotPutBack || !intact)
            this.a.saga.keep(KEYS.previousSchema, previousSchema);
        },
        DB_COPY_CONTAINER,
      );
    });
  }

  /**
   * The swap's undo: puts the previous files back after a later failure, or after a swap that
   * died half-way. Runs without the abort signal (it must run after a Ctrl-C); when it cannot,
   * the previous files are reported as kept, with the live files to check first.
   */
  private rollBackFiles(): Compensation {
    const fileSystem = this.a.platform.storage.fileSystemId;
    return {
      name: "put the previous files back",
      leftAs: "kept",
      manual: `previous files (check ${this.paths.live} first): ${this.paths.previous} on file system ${fileSystem}`,
      run: async () => {
        const outcome = await this.run(
          "rollback",
          MAINTENANCE_CONTAINER,
          this.a.platform.maintenance.taskDefinitionArn,
          ROLLBACK_FILES_SCRIPT,
          {},
          this.a.timeouts.swap,
        );
        if (outcome.exitCode !== 0) {
          throw this.failure("rollback", outcome, (code) => ({
            message: `the rollback task exited ${code}`,
            liveIntact: false,
          }));
        }
        if (this.files === "restored")
          this.a.saga.keep(
            KEYS.restoredFiles,
            `the restored files: ${this.paths.rolledBackFiles} on file system ${fileSystem}`,
          );
        this.files = "previous";
        this.a.saga.unkeep(KEYS.previousFiles);
      },
    };
  }

  private run(
    what: string,
    container: string,
    taskDefinition: string,
    script: string,
    environment: Record<string, string>,
    timeoutSeconds: number,
    signal?: AbortSignal,
    onStarted?: () => void,
  ): Promise<TaskOutcome> {
    const { platform, tenantId } = this.a;
    return runOneOffTask(
      this.a.ecs,
      {
        cluster: platform.cluster.name,
        taskDefinition,
        container,
        command: ["sh", "-c", script],
        environment: { TENANT_ID: tenantId, RESTORE_STAMP: this.a.stamp, ...environment },
        subnets: platform.network.privateSubnetIds,
        securityGroup: platform.network.securityGroups.tasks,
        startedBy: `bbws-ops-restore-${tenantId}`,
      },
      { timeoutSeconds, intervalSeconds: this.a.intervalSeconds, signal },
      (taskArn) => {
        const id = taskId(taskArn);
        this.a.progress.info(`${what} task ${id} started (logs: ${this.logsOf(container, id)})`);
        onStarted?.();
      },
    );
  }

  /** Where a task's logs are: the db-copy revision writes to the tenant's own streams (its execution role's). */
  private logsOf(container: string, id: string): string {
    const { platform, tenantId } = this.a;
    return container === DB_COPY_CONTAINER
      ? `${platform.observability.logGroupName}, stream ${tenantId}/${container}/${id}`
      : `${platform.maintenance.logGroupName}, stream ${container}/${container}/${id}`;
  }

  private failure(
    what: string,
    outcome: TaskOutcome,
    meaning: (code: number) => ExitMeaning,
    record: (liveIntact: boolean, code?: number) => void = () => undefined,
    container: string = MAINTENANCE_CONTAINER,
  ): BbwsError {
    const id = taskId(outcome.taskArn);
    const logs =
      container === DB_COPY_CONTAINER
        ? `logs: ${this.logsOf(container, id)}`
        : `logs: ${this.a.platform.maintenance.logGroupName}, task ${id}`;
    if (outcome.exitCode === undefined) {
      // Usually the container never ran (image pull, EFS mount), but nothing proves it: assume the worst.
      record(false, undefined);
      return new BbwsError(
        "failed",
        `the ${what} task stopped without an exit code: ${outcome.stoppedReason ?? "no reason given"} (${logs})`,
      );
    }
    const { message, liveIntact } = meaning(outcome.exitCode);
    record(liveIntact, outcome.exitCode);
    return new BbwsError("failed", `${what} failed: ${message} (${logs})`);
  }
}
