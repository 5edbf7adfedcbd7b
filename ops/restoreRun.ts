/**
 * One restore run, a saga (lib/saga.ts). Everything slow and harmless happens while the site
 * still runs; the site stops only for the swap and the schema copy; whatever fails, the site is
 * put back.
 *
 *  1. read: the recovery points (validated), the service (no deployment running) and its autoscaling.
 *  2. beside the live site: EFS item-level restore of /tenants/<id>; Aurora restore to a temporary
 *     cluster plus one db.serverless instance; a db-copy task definition revision with the
 *     tenant's secret.
 *  3. stop the site: suspend Application Auto Scaling, scale the service to 0, wait until drained.
 *  4. swap the files; 5. copy the schema (see siteTasks.ts). A failure in 5 after 4 puts the
 *     previous files back: files and database never come from different points in time.
 *  6. put back (`saga.finish`), newest first: the previous files after a failure; then, always,
 *     scale back (with a new deployment after a success), resume autoscaling, deregister the
 *     task definition revision, delete the temporary cluster; after a success, wait until the
 *     service is stable. Scaling back comes before the deletions (the site stopped after they
 *     were created): a slow or failed deletion must not keep the site down.
 *
 * Each step registers its compensation and its manual line as soon as it starts changing
 * things (a restore job or a call that times out may still have done its work); the failure
 * notes and the result's `kept` and `cleanup` lists are the saga's report.
 */
import { OpsClients } from "./clients";
import { TenantContextWithOutputs } from "./context";
import { OpsDeps } from "./deps";
import { BbwsError, requireValue, toBbwsError } from "../lib/errors";
import { Progress, createProgress } from "../lib/progress";
import { RestoreRequest, RestoreSelection, SelectedPoint, selectRecoveryPoints } from "./recoveryPoints";
import type { RestoreResult, RestoreTimeouts } from "./restore";
import { startAuroraRestore, startEfsItemRestore, waitRestoreJob } from "./restoreJobs";
import { Compensation, Saga, SagaReport, sagaNotes } from "../lib/saga";
import { restorePaths } from "./scripts";
import {
  ScalingState,
  ServiceRef,
  WaitParams,
  describeService,
  primaryDeployment,
  readScaling,
  restoreScaling,
  scaleService,
  suspendScaling,
  waitDrained,
  waitStable,
} from "./service";
import { SiteTasks } from "./siteTasks";
import { deregisterTaskDefinition, registerDbCopyRevision } from "./tasks";
import {
  addServerlessInstance,
  deleteTemporaryCluster,
  describeCluster,
  temporaryClusterId,
} from "./tempCluster";

/** The UTC time as `YYYYMMDD-HHMMSS` (valid in RDS identifiers and paths). */
export function restoreStamp(now: Date): string {
  return now
    .toISOString()
    .replace(/\.\d+Z$/, "")
    .replace(/[-:]/g, "")
    .replace("T", "-");
}

/** The service as the restore found it: what the put-back returns to. */
interface ServiceBefore {
  readonly desiredCount: number;
  /** Its scalable target. @default - the service has no autoscaling */
  readonly scaling?: ScalingState;
}

/** What the database restore prepared beside the live site for the schema copy. */
interface PreparedDatabase {
  /** The temporary cluster's endpoint. */
  readonly endpoint: string;
  /** The db-copy task definition revision with the tenant's secret. */
  readonly taskDefinitionArn: string;
}

/** How far a temporary cluster got: what deleting it takes, and whether "not found" means gone. */
type TemporaryClusterStage = "restoring" | "restored" | "instance";

/** Saga keys of the restore's own compensations (the site tasks keep theirs). */
const KEYS = {
  restoreDirectory: "restoreDirectory",
  temporaryCluster: "temporaryCluster",
  scaling: "scaling",
  service: "service",
} as const;

/** One restore, from validation to put-back. */
export class RestoreRun {
  private readonly progress: Progress;
  private readonly clients: OpsClients;
  private readonly saga: Saga;
  private readonly stamp = restoreStamp(new Date());
  private readonly paths: ReturnType<typeof restorePaths>;
  private readonly ref: ServiceRef;
  private readonly site: SiteTasks;
  /** The deployment the scale-back started after a success: the one the stable wait follows. */
  private deploymentId?: string;

  constructor(
    private readonly context: TenantContextWithOutputs,
    private readonly timeouts: RestoreTimeouts,
    private readonly intervalSeconds: number,
    private readonly deps: OpsDeps,
  ) {
    this.progress = createProgress(deps.log);
    this.saga = new Saga(this.progress);
    this.clients = deps.clients({
      region: context.platform.region,
      drRegion: context.platform.backup.drRegion,
    });
    this.paths = restorePaths(context.tenantId, this.stamp);
    this.ref = { cluster: context.platform.cluster.name, service: context.tenant.serviceName };
    this.site = new SiteTasks({
      ecs: this.clients.ecs,
      platform: context.platform,
      tenantId: context.tenantId,
      databaseName: context.tenant.databaseName,
      stamp: this.stamp,
      saga: this.saga,
      progress: this.progress,
      intervalSeconds,
      timeouts,
      signal: deps.signal,
    });
  }

  async execute(request: RestoreRequest): Promise<RestoreResult> {
    const selection = await this.progress.step("validate the recovery points", () =>
      selectRecoveryPoints(this.clients.backup, this.context.platform, request),
    );
    for (const point of [selection.files, selection.database]) {
      if (point)
        this.progress.info(
          `${point.resource.label}: ${point.arn} (created ${point.createdAt?.toISOString() ?? "at an unknown time"})`,
        );
    }
    const before = await this.progress.step("read the service and its autoscaling", () => this.readService());

    let failure: BbwsError | undefined;
    try {
      if (selection.files) await this.restoreFilesBeside(selection.files);
      const database = selection.database && (await this.restoreDatabaseBeside(selection.database));
      await this.stopSite(before);
      if (selection.files) {
        await this.site.swapFiles();
        // The restored copy was moved into place: nothing is left beside the live files.
        this.saga.settle(KEYS.restoreDirectory);
      }
      if (database) await this.site.copySchema(database.endpoint, database.taskDefinitionArn);
    } catch (error) {
      failure = toBbwsError(error);
    }

    // Even after Ctrl-C: stopping without the put-back would leave the site down or half restored.
    const report = await this.saga.finish(failure === undefined);
    if (!failure && (this.saga.isOpen(KEYS.service) || this.saga.isOpen(KEYS.scaling))) {
      failure = new BbwsError(
        "failed",
        "the files and database are restored, but the service could not be put back in operation",
      );
    }
    if (!failure) {
      try {
        await this.progress.step("wait until the service is stable", () =>
          waitStable(
            this.clients.ecs,
            this.ref,
            this.wait(this.timeouts.stable, this.deps.signal),
            this.deploymentId,
          ),
        );
      } catch (error) {
        failure = toBbwsError(error);
      }
    }
    if (failure) throw this.explain(failure, report, before);
    return this.result(selection, report, before);
  }

  private wait(timeoutSeconds: number, signal?: AbortSignal): WaitParams {
    return { timeoutSeconds, intervalSeconds: this.intervalSeconds, signal };
  }

  private async readService(): Promise<ServiceBefore> {
    const service = await describeService(this.clients.ecs, this.ref);
    if (
      (service.deployments?.length ?? 0) > 1 ||
      primaryDeployment(service)?.rolloutState === "IN_PROGRESS"
    ) {
      throw new BbwsError(
        "busy",
        `a deployment of service ${this.ref.service} is in progress; restore once it has finished`,
      );
    }
    const scaling = await readScaling(this.clients.autoScaling, this.ref);
    const suspended = scaling?.suspendedState;
    // What a restore in progress leaves: taking "0 tasks" as the count to go back to would end
    // the other restore with the site down.
    if (
      suspended?.DynamicScalingInSuspended &&
      suspended.DynamicScalingOutSuspended &&
      suspended.ScheduledScalingSuspended
    ) {
      throw new BbwsError(
        "busy",
        `autoscaling of service ${this.ref.service} is suspended: another restore may be running. If none is, resume it ` +
          `(aws application-autoscaling register-scalable-target --service-namespace ecs --scalable-dimension ` +
          `ecs:service:DesiredCount --resource-id ${scaling!.resourceId} --suspended-state ` +
          `DynamicScalingInSuspended=false,DynamicScalingOutSuspended=false,ScheduledScalingSuspended=false) and try again`,
      );
    }
    return { desiredCount: service.desiredCount ?? 0, scaling };
  }

  private async restoreFilesBeside(point: SelectedPoint): Promise<void> {
    const { platform, tenantId } = this.context;
    await this.progress.step(`restore ${this.paths.live} beside the live files`, async () => {
      const jobId = await startEfsItemRestore(this.clients.backup, {
        recoveryPointArn: point.arn,
        fileSystemId: platform.storage.fileSystemId,
        kmsKeyArn: platform.keys.dataKeyArn,
        iamRoleArn: platform.backup.roleArn,
        path: this.paths.live,
        creationToken: `bbws-${tenantId}-${this.stamp}`,
      });
      // Manual only: nothing here may delete in the file system root; the swap settles it.
      this.saga.register(KEYS.restoreDirectory, {
        name: "delete the restore directory",
        when: "always",
        manual:
          `the restored copy of ${this.paths.live} in /aws-backup-restore_<datetime>/ at the root of file system ` +
          `${platform.storage.fileSystemId} (EFS restore job ${jobId}, which may still be running): delete that directory`,
      });
      await waitRestoreJob(
        this.clients.backup,
        jobId,
        `EFS restore of ${this.paths.live}`,
        this.wait(this.timeouts.efsRestore, this.deps.signal),
      );
    });
  }

  private async restoreDatabaseBeside(point: SelectedPoint): Promise<PreparedDatabase> {
    const { platform, tenantId, environment, tenant } = this.context;
    const live = await this.progress.step(
      `read the live cluster ${platform.database.clusterIdentifier}`,
      () => describeCluster(this.clients.rds, platform.database.clusterIdentifier),
    );
    const clusterId = temporaryClusterId(environment, tenantId, this.stamp);
    const jobId = await this.progress.step(
      `restore the database to temporary cluster ${clusterId}`,
      async () => {
        const started = await startAuroraRestore(this.clients.backup, {
          recoveryPointArn: point.arn,
          iamRoleArn: platform.backup.roleArn,
          clusterId,
          live,
        });
        this.saga.register(KEYS.temporaryCluster, this.deleteTemporary(clusterId, started, "restoring"));
        await waitRestoreJob(
          this.clients.backup,
          started,
          `Aurora restore to ${clusterId}`,
          this.wait(this.timeouts.auroraRestore, this.deps.signal),
        );
        this.saga.register(KEYS.temporaryCluster, this.deleteTemporary(clusterId, started, "restored"));
        return started;
      },
    );
    const endpoint = await this.progress.step(`add a db.serverless instance to ${clusterId}`, () => {
      this.saga.register(KEYS.temporaryCluster, this.deleteTemporary(clusterId, jobId, "instance"));
      return addServerlessInstance(
        this.clients.rds,
        { clusterId, live, tenantId },
        this.wait(this.timeouts.temporaryInstance, this.deps.signal),
      );
    });
    const taskDefinitionArn = await this.saga.step(
      "register the db-copy task definition with the tenant's secret",
      () =>
        registerDbCopyRevision(this.clients.ecs, {
          baseTaskDefinitionArn: platform.maintenance.dbCopyTaskDefinitionArn,
          tenantId,
          databaseSecretArn: tenant.databaseSecretArn,
          executionRoleArn: requireValue(
            tenant.executionRoleArn,
            `tenant stack ${environment}.${tenantId} has no output executionRoleArn; update it (npm run tenants -- sync ${environment})`,
          ),
          logGroupName: platform.observability.logGroupName,
          region: platform.region,
        }),
      (arn) => ({
        name: "deregister the db-copy task definition",
        when: "always",
        run: () => deregisterTaskDefinition(this.clients.ecs, arn),
        manual: `task definition ${arn}: aws ecs deregister-task-definition --task-definition ${arn}`,
      }),
    );
    return { endpoint, taskDefinitionArn };
  }

  /** Deleting the temporary cluster, as far as it got at `stage`. */
  private deleteTemporary(clusterId: string, jobId: string, stage: TemporaryClusterStage): Compensation {
    return {
      name: `delete temporary cluster ${clusterId}`,
      when: "always",
      run: async () => {
        const deleted = await deleteTemporaryCluster(this.clients.rds, clusterId, stage === "instance");
        // Absent while its restore job still runs: the job creates it later, so the line stays.
        return deleted || stage !== "restoring";
      },
      manual:
        `temporary Aurora cluster ${clusterId} (restore job ${jobId}; if it is still running, wait for it): ` +
        `aws rds delete-db-instance --db-instance-identifier ${clusterId}-1; ` +
        `aws rds delete-db-cluster --db-cluster-identifier ${clusterId} --skip-final-snapshot`,
    };
  }

  /** Registered before each call: a call that fails or times out may still have taken effect. */
  private async stopSite({ desiredCount, scaling }: ServiceBefore): Promise<void> {
    const { ecs, autoScaling } = this.clients;
    if (scaling) {
      await this.progress.step("suspend autoscaling", async () => {
        const s = scaling.suspendedState;
        this.saga.register(KEYS.scaling, {
          name: "resume autoscaling",
          when: "always",
          run: () => restoreScaling(autoScaling, scaling),
          manual:
            `autoscaling of ${this.ref.service} is suspended: aws application-autoscaling register-scalable-target ` +
            `--service-namespace ecs --scalable-dimension ecs:service:DesiredCount --resource-id ${scaling.resourceId} ` +
            `--suspended-state DynamicScalingInSuspended=${s.DynamicScalingInSuspended},` +
            `DynamicScalingOutSuspended=${s.DynamicScalingOutSuspended},ScheduledScalingSuspended=${s.ScheduledScalingSuspended}`,
        });
        await suspendScaling(autoScaling, scaling);
      });
    }
    await this.progress.step(`scale the service to 0 (from ${desiredCount})`, async () => {
      // Registered after autoscaling's: newest first, the site runs again before anything else.
      this.saga.register(KEYS.service, {
        name: ({ succeeded }) =>
          `scale the service back to ${desiredCount}${succeeded ? " with a new deployment" : ""}`,
        when: "always",
        run: async ({ succeeded }) => {
          // A new deployment after a success: tasks start on the restored files and schema.
          this.deploymentId = await scaleService(ecs, this.ref, desiredCount, succeeded);
        },
        manual:
          `service ${this.ref.service} is still at 0 tasks: aws ecs update-service --cluster ${this.ref.cluster} ` +
          `--service ${this.ref.service} --desired-count ${desiredCount} --force-new-deployment`,
      });
      await scaleService(ecs, this.ref, 0);
      await waitDrained(ecs, this.ref, this.wait(this.timeouts.drain, this.deps.signal));
    });
  }

  /** The failure, prefixed with the tenant and followed by the site's state and the saga's notes. */
  private explain(failure: BbwsError, report: SagaReport, before: ServiceBefore): BbwsError {
    failure.message = `restore of ${this.context.tenantId} (${this.context.environment}) failed: ${failure.message}`;
    const service = this.saga.isOpen(KEYS.service)
      ? `service ${this.ref.service} is STILL AT 0 TASKS`
      : this.saga.registered(KEYS.service)
        ? `service ${this.ref.service} is back to ${before.desiredCount} task(s)`
        : `service ${this.ref.service} was not stopped`;
    failure.notes.unshift(`site: files ${this.site.files}, database ${this.site.database}; ${service}`);
    failure.notes.push(...sagaNotes(report));
    return failure;
  }

  private result(selection: RestoreSelection, report: SagaReport, before: ServiceBefore): RestoreResult {
    const { environment, tenantId } = this.context;
    return {
      environment,
      tenantId,
      stamp: this.stamp,
      files: selection.files && {
        recoveryPointArn: selection.files.arn,
        createdAt: selection.files.createdAt?.toISOString(),
      },
      database: selection.database && {
        recoveryPointArn: selection.database.arn,
        createdAt: selection.database.createdAt?.toISOString(),
        temporaryClusterId: temporaryClusterId(environment, tenantId, this.stamp),
      },
      desiredCount: before.desiredCount,
      kept: report.kept,
      cleanup: report.leftToCleanUp,
      steps: this.progress.steps,
    };
  }
}
