/**
 * The changes a restore makes to the live site, each a one-off ECS task: swap the restored
 * files in, copy the schema, and put the previous files back. They keep track of where the
 * files and the database stand (previous, restored, or unknown when a task died half-way) and
 * record what they keep in the ledger.
 */
import { DB_COPY_CONTAINER, MAINTENANCE_CONTAINER } from "../components/shared/maintenance";
import { ECSClient } from "@aws-sdk/client-ecs";
import { PlatformContract } from "../config/platformContract";
import { BbwsError, toBbwsError } from "../lib/errors";
import { Ledger } from "./ledger";
import { Progress } from "../lib/progress";
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
  readonly platform: Pick<PlatformContract, "cluster" | "network" | "storage" | "database" | "maintenance">;
  readonly tenantId: string;
  readonly databaseName: string;
  readonly stamp: string;
  readonly ledger: Ledger;
  readonly progress: Progress;
  readonly intervalSeconds: number;
  readonly timeouts: { readonly swap: number; readonly databaseCopy: number };
  /** Aborts the swap and the copy (never the rollback, which must run after an abort). */
  readonly signal?: AbortSignal;
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
          this.files = "unknown";
        },
      );
      if (outcome.exitCode === 0) {
        this.files = "restored";
        this.a.ledger.settle("restoreDirectory");
        this.a.ledger.kept(
          "previousFiles",
          `previous files: ${this.paths.previous} on file system ${this.a.platform.storage.fileSystemId}`,
        );
        return;
      }
      throw this.failure("swap", outcome, swapExitMeaning, (intact) => {
        if (intact) this.files = "previous";
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
      const dumps =
        `database dumps: ${this.paths.previousDump} (the content before the restore) and ` +
        `${this.paths.restoredDump} on file system ${platform.storage.fileSystemId}`;
      if (outcome.exitCode === 0) {
        this.database = "restored";
        this.a.ledger.kept("dumps", dumps);
        return;
      }
      throw this.failure("database copy", outcome, dbCopyExitMeaning, (intact, code) => {
        if (intact) this.database = "previous";
        // The previous dump exists once the live dump succeeded (exit codes from the import on).
        if (code === undefined || code >= DB_COPY_EXIT.importFailedPutBack || !intact)
          this.a.ledger.kept("dumps", dumps);
      });
    });
  }

  /**
   * Puts the previous files back after a later failure, or after a swap that died half-way.
   * Runs without the abort signal; a failure goes into `failure`'s notes, never up.
   */
  async rollBackFiles(failure: BbwsError): Promise<void> {
    const fileSystem = this.a.platform.storage.fileSystemId;
    try {
      await this.a.progress.step("put the previous files back", async () => {
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
          this.a.ledger.kept(
            "restoredFiles",
            `the restored files: ${this.paths.rolledBackFiles} on file system ${fileSystem}`,
          );
        this.files = "previous";
        this.a.ledger.settle("previousFiles");
      });
    } catch (error) {
      failure.notes.push(`could not put the previous files back: ${toBbwsError(error).message}`);
      this.a.ledger.kept(
        "previousFiles",
        `previous files (check ${this.paths.live} first): ${this.paths.previous} on file system ${fileSystem}`,
      );
    }
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
    const { maintenance } = platform;
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
        this.a.progress.info(
          `${what} task ${id} started (logs: ${maintenance.logGroupName}, stream ${container}/${container}/${id})`,
        );
        onStarted?.();
      },
    );
  }

  private failure(
    what: string,
    outcome: TaskOutcome,
    meaning: (code: number) => ExitMeaning,
    record: (liveIntact: boolean, code?: number) => void = () => undefined,
  ): BbwsError {
    const logs = `logs: ${this.a.platform.maintenance.logGroupName}, task ${taskId(outcome.taskArn)}`;
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
