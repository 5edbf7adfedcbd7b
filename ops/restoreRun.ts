/**
 * One restore run. Everything slow and harmless happens while the site still runs; the site
 * stops only for the swap and the schema copy; whatever fails, the site is put back.
 *
 *  1. read: the recovery points (validated), the service (no deployment running) and its autoscaling.
 *  2. beside the live site: EFS item-level restore of /tenants/<id>; Aurora restore to a temporary
 *     cluster plus one db.serverless instance; a db-copy task definition revision with the
 *     tenant's secret.
 *  3. stop the site: suspend Application Auto Scaling, scale the service to 0, wait until drained.
 *  4. swap the files; 5. copy the schema (see siteTasks.ts). A failure in 5 after 4 puts the
 *     previous files back: files and database never come from different points in time.
 *  6. put back, always: scale back (with a new deployment after a success), resume autoscaling,
 *     delete the temporary cluster, deregister the task definition revision; after a success,
 *     wait until the service is stable. Scaling back comes first: a slow or failed deletion must
 *     not keep the site down.
 */
import { OpsClients } from "./clients";
import { TenantContextWithOutputs } from "./context";
import { OpsDeps } from "./deps";
import { BbwsError, toBbwsError } from "../lib/errors";
import { Ledger } from "./ledger";
import { Progress, createProgress } from "../lib/progress";
import { RestoreRequest, RestoreSelection, SelectedPoint, selectRecoveryPoints } from "./recoveryPoints";
import type { RestoreResult, RestoreTimeouts } from "./restore";
import { startAuroraRestore, startEfsItemRestore, waitRestoreJob } from "./restoreJobs";
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

/** The temporary cluster of a database restore, as far as it got. */
interface TemporaryCluster {
  readonly clusterId: string;
  readonly jobId: string;
  restored: boolean;
  instance: boolean;
  endpoint?: string;
}

/** One restore, from validation to put-back. */
export class RestoreRun {
  private readonly progress: Progress;
  private readonly clients: OpsClients;
  private readonly ledger = new Ledger();
  private readonly stamp = restoreStamp(new Date());
  private readonly paths: ReturnType<typeof restorePaths>;
  private readonly ref: ServiceRef;
  private readonly site: SiteTasks;

  private desiredCount = 0;
  private scaling?: ScalingState;
  private scalingSuspended = false;
  private scaledDown = false;
  /** The service was told to scale to 0 at some point. */
  private stopped = false;
  private deploymentId?: string;
  private temporary?: TemporaryCluster;
  private dbCopyTaskDefinition?: string;

  constructor(
    private readonly context: TenantContextWithOutputs,
    private readonly timeouts: RestoreTimeouts,
    private readonly intervalSeconds: number,
    private readonly deps: OpsDeps,
  ) {
    this.progress = createProgress(deps.log);
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
      ledger: this.ledger,
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
    await this.progress.step("read the service and its autoscaling", () => this.readService());

    let failure: BbwsError | undefined;
    try {
      if (selection.files) await this.restoreFilesBeside(selection.files);
      if (selection.database) await this.restoreDatabaseBeside(selection.database);
      await this.stopSite();
      if (selection.files) await this.site.swapFiles();
      if (selection.database)
        await this.site.copySchema(this.temporary!.endpoint!, this.dbCopyTaskDefinition!);
    } catch (error) {
      failure = toBbwsError(error);
      if (this.site.files !== "previous") await this.site.rollBackFiles(failure);
    }

    await this.putBack(failure === undefined);
    if (!failure && (this.scaledDown || this.scalingSuspended)) {
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
    if (failure) throw this.explain(failure);
    return this.result(selection);
  }

  private wait(timeoutSeconds: number, signal?: AbortSignal): WaitParams {
    return { timeoutSeconds, intervalSeconds: this.intervalSeconds, signal };
  }

  private async readService(): Promise<void> {
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
    this.desiredCount = service.desiredCount ?? 0;
    this.scaling = await readScaling(this.clients.autoScaling, this.ref);
    const suspended = this.scaling?.suspendedState;
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
          `ecs:service:DesiredCount --resource-id ${this.scaling!.resourceId} --suspended-state ` +
          `DynamicScalingInSuspended=false,DynamicScalingOutSuspended=false,ScheduledScalingSuspended=false) and try again`,
      );
    }
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
      this.ledger.cleanup(
        "restoreDirectory",
        `the restored copy of ${this.paths.live} in /aws-backup-restore_<datetime>/ at the root of file system ` +
          `${platform.storage.fileSystemId} (EFS restore job ${jobId}, which may still be running): delete that directory`,
      );
      await waitRestoreJob(
        this.clients.backup,
        jobId,
        `EFS restore of ${this.paths.live}`,
        this.wait(this.timeouts.efsRestore, this.deps.signal),
      );
    });
  }

  private async restoreDatabaseBeside(point: SelectedPoint): Promise<void> {
    const { platform, tenantId, environment, tenant } = this.context;
    const live = await this.progress.step(
      `read the live cluster ${platform.database.clusterIdentifier}`,
      () => describeCluster(this.clients.rds, platform.database.clusterIdentifier),
    );
    const clusterId = temporaryClusterId(environment, tenantId, this.stamp);
    const temporary = await this.progress.step(
      `restore the database to temporary cluster ${clusterId}`,
      async () => {
        const jobId = await startAuroraRestore(this.clients.backup, {
          recoveryPointArn: point.arn,
          iamRoleArn: platform.backup.roleArn,
          clusterId,
          live,
        });
        const started: TemporaryCluster = { clusterId, jobId, restored: false, instance: false };
        this.temporary = started;
        this.ledger.cleanup(
          "temporaryCluster",
          `temporary Aurora cluster ${clusterId} (restore job ${jobId}; if it is still running, wait for it): ` +
            `aws rds delete-db-instance --db-instance-identifier ${clusterId}-1; ` +
            `aws rds delete-db-cluster --db-cluster-identifier ${clusterId} --skip-final-snapshot`,
        );
        await waitRestoreJob(
          this.clients.backup,
          jobId,
          `Aurora restore to ${clusterId}`,
          this.wait(this.timeouts.auroraRestore, this.deps.signal),
        );
        started.restored = true;
        return started;
      },
    );
    temporary.endpoint = await this.progress.step(`add a db.serverless instance to ${clusterId}`, () => {
      temporary.instance = true;
      return addServerlessInstance(
        this.clients.rds,
        { clusterId, live, tenantId },
        this.wait(this.timeouts.temporaryInstance, this.deps.signal),
      );
    });
    this.dbCopyTaskDefinition = await this.progress.step(
      "register the db-copy task definition with the tenant's secret",
      async () => {
        const arn = await registerDbCopyRevision(
          this.clients.ecs,
          this.context.platform.maintenance.dbCopyTaskDefinitionArn,
          tenantId,
          tenant.databaseSecretArn,
        );
        this.ledger.cleanup(
          "taskDefinition",
          `task definition ${arn}: aws ecs deregister-task-definition --task-definition ${arn}`,
        );
        return arn;
      },
    );
  }

  private async stopSite(): Promise<void> {
    const scaling = this.scaling;
    if (scaling) {
      await this.progress.step("suspend autoscaling", async () => {
        this.scalingSuspended = true;
        await suspendScaling(this.clients.autoScaling, scaling);
      });
    }
    await this.progress.step(`scale the service to 0 (from ${this.desiredCount})`, async () => {
      this.scaledDown = true;
      this.stopped = true;
      await scaleService(this.clients.ecs, this.ref, 0);
      await waitDrained(this.clients.ecs, this.ref, this.wait(this.timeouts.drain, this.deps.signal));
    });
  }

  /** Step 6: never throws (and ignores Ctrl-C); what cannot be done goes into the ledger. */
  private async putBack(succeeded: boolean): Promise<void> {
    if (this.scaledDown) {
      await this.attempt(
        `scale the service back to ${this.desiredCount}${succeeded ? " with a new deployment" : ""}`,
        async () => {
          this.deploymentId = await scaleService(this.clients.ecs, this.ref, this.desiredCount, succeeded);
          this.scaledDown = false;
        },
        "service",
        `service ${this.ref.service} is still at 0 tasks: aws ecs update-service --cluster ${this.ref.cluster} ` +
          `--service ${this.ref.service} --desired-count ${this.desiredCount} --force-new-deployment`,
      );
    }
    const scaling = this.scaling;
    if (this.scalingSuspended && scaling) {
      const s = scaling.suspendedState;
      await this.attempt(
        "resume autoscaling",
        async () => {
          await restoreScaling(this.clients.autoScaling, scaling);
          this.scalingSuspended = false;
        },
        "scaling",
        `autoscaling of ${this.ref.service} is suspended: aws application-autoscaling register-scalable-target ` +
          `--service-namespace ecs --scalable-dimension ecs:service:DesiredCount --resource-id ${scaling.resourceId} ` +
          `--suspended-state DynamicScalingInSuspended=${s.DynamicScalingInSuspended},` +
          `DynamicScalingOutSuspended=${s.DynamicScalingOutSuspended},ScheduledScalingSuspended=${s.ScheduledScalingSuspended}`,
      );
    }
    const temporary = this.temporary;
    if (temporary) {
      await this.attempt(`delete temporary cluster ${temporary.clusterId}`, async () => {
        const deleted = await deleteTemporaryCluster(
          this.clients.rds,
          temporary.clusterId,
          temporary.instance,
        );
        // Absent while its restore job still runs: the job creates it later, so the note stays.
        if (deleted || temporary.restored) this.ledger.settle("temporaryCluster");
      });
    }
    const taskDefinition = this.dbCopyTaskDefinition;
    if (taskDefinition) {
      await this.attempt("deregister the db-copy task definition", async () => {
        await deregisterTaskDefinition(this.clients.ecs, taskDefinition);
        this.ledger.settle("taskDefinition");
      });
    }
  }

  /** Runs a put-back step; a failure is logged and left in the ledger, never thrown. */
  private async attempt(name: string, run: () => Promise<void>, key?: string, line?: string): Promise<void> {
    try {
      await this.progress.step(name, run);
    } catch (error) {
      this.progress.info(`${name} failed: ${toBbwsError(error).message}`);
      if (key && line) this.ledger.cleanup(key, line);
    }
  }

  /** The failure, prefixed with the tenant and followed by the site's state and the ledger. */
  private explain(failure: BbwsError): BbwsError {
    failure.message = `restore of ${this.context.tenantId} (${this.context.environment}) failed: ${failure.message}`;
    const service = this.scaledDown
      ? `service ${this.ref.service} is STILL AT 0 TASKS`
      : this.stopped
        ? `service ${this.ref.service} is back to ${this.desiredCount} task(s)`
        : `service ${this.ref.service} was not stopped`;
    failure.notes.unshift(`site: files ${this.site.files}, database ${this.site.database}; ${service}`);
    for (const line of this.ledger.lines("kept")) failure.notes.push(`kept: ${line}`);
    const cleanup = this.ledger.lines("cleanup");
    for (const line of cleanup) failure.notes.push(`to clean up: ${line}`);
    if (cleanup.length === 0) failure.notes.push("nothing left to clean up");
    return failure;
  }

  private result(selection: RestoreSelection): RestoreResult {
    return {
      environment: this.context.environment,
      tenantId: this.context.tenantId,
      stamp: this.stamp,
      files: selection.files && {
        recoveryPointArn: selection.files.arn,
        createdAt: selection.files.createdAt?.toISOString(),
      },
      database: selection.database && {
        recoveryPointArn: selection.database.arn,
        createdAt: selection.database.createdAt?.toISOString(),
        temporaryClusterId: this.temporary!.clusterId,
      },
      desiredCount: this.desiredCount,
      kept: this.ledger.lines("kept"),
      cleanup: this.ledger.lines("cleanup"),
      steps: this.progress.steps,
    };
  }
}
