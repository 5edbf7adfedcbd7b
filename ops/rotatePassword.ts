/**
 * `npm run ops -- rotate-db-password <env> <tenant>`: a new database password for one tenant, as
 * a saga (lib/saga.ts):
 *
 *  1. read: the service (no deployment running) and the tenant's database secret (its current
 *     version: what a put-back returns to).
 *  2. the user's password, through the RDS Data API as the cluster's master user. From here the
 *     old password stops working: `ALTER USER` without RETAIN CURRENT PASSWORD. The statement
 *     carries only the password's stored form (components/tenant/sql.ts: the audit log records
 *     DCL text).
 *  3. the secret: a new version with the new password becomes AWSCURRENT.
 *  4. a new deployment, so tasks start with the new secret (ECS injects secrets only when a task
 *     starts: "If the secret is subsequently updated or rotated, the container will not receive
 *     the updated value automatically", https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html);
 *     then wait until the service is stable on it.
 *
 * A failure anywhere puts back what was done, newest first: AWSCURRENT moves back to the previous
 * secret version, the user gets the previous password back, and, if a deployment was started, a
 * new one brings the tasks back to the previous password. Between steps 2 and 4 tasks started
 * before the rotation can no longer open database connections: WordPress opens one per request,
 * so a rotation costs errors for about as long as a deployment takes.
 *
 * The tenant's Pulumi state keeps the password the stack generated; the stack never writes it
 * back (components/tenant/tenantDatabase.ts: the secret is the source of truth), so a later
 * `tenants sync` leaves the rotated password in place.
 *
 * Calls: DescribeServices -> GetSecretValue -> ExecuteStatement (ALTER USER) -> PutSecretValue ->
 * UpdateService (forceNewDeployment) -> DescribeServices until stable; put-back:
 * UpdateSecretVersionStage, ExecuteStatement, UpdateService.
 */
import { randomInt, randomUUID } from "crypto";
import { UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { ExecuteStatementCommand } from "@aws-sdk/client-rds-data";
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { passwordStatements } from "../components/tenant/sql";
import { PlatformContract } from "../config/platformContract";
import { BbwsError, requireValue, toBbwsError } from "../lib/errors";
import { StepTiming, createProgress } from "../lib/progress";
import { Saga, sagaNotes } from "../lib/saga";
import { OpsClients } from "./clients";
import { loadTenantContextWithOutputs } from "./context";
import { assertHasService } from "../config/tenantOutputs";
import { OpsDeps } from "./deps";
import { ServiceRef, WaitParams, describeService, primaryDeployment, waitStable } from "./service";

/** Options of a rotation. */
export interface RotateOptions {
  /** Seconds the new deployment may take to become stable. @default 600 */
  readonly timeoutSeconds?: number;
  /** Seconds between status checks. @default 15 */
  readonly pollIntervalSeconds?: number;
}

/** What a rotation did. */
export interface RotationResult {
  readonly environment: string;
  readonly tenantId: string;
  readonly secretArn: string;
  readonly user: string;
  /** The secret version that held the old password (AWSPREVIOUS from now on). */
  readonly previousVersionId: string;
  /** The secret version with the new password (AWSCURRENT). */
  readonly versionId: string;
  readonly deploymentId?: string;
  readonly steps: readonly StepTiming[];
}

/** Length and alphabet of generated passwords: what the tenant stack generates (letters and digits). */
const PASSWORD_LENGTH = 40;
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A new password: 40 letters and digits from the system's CSPRNG (about 238 bits). */
export function newPassword(): string {
  let out = "";
  for (let i = 0; i < PASSWORD_LENGTH; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/** The parts of a database secret a rotation reads and keeps. */
interface SecretValue {
  readonly versionId: string;
  readonly value: Record<string, unknown> & { username: string; password: string };
}

/** Rotates a tenant's database password; throws a typed error with the put-back notes. */
export async function rotateDatabasePassword(
  environment: string,
  tenantId: string,
  options: RotateOptions,
  deps: OpsDeps,
): Promise<RotationResult> {
  const context = await loadTenantContextWithOutputs(environment, tenantId, deps);
  const { platform, tenant } = context;
  assertHasService(tenantId, tenant, "rotate the database password of");
  const clients = deps.clients({ region: platform.region, drRegion: platform.backup.drRegion });
  const progress = createProgress(deps.log);
  const saga = new Saga(progress);
  const ref: ServiceRef = { cluster: platform.cluster.name, service: tenant.serviceName };
  const wait: WaitParams = {
    timeoutSeconds: options.timeoutSeconds ?? 600,
    intervalSeconds: options.pollIntervalSeconds ?? 15,
    signal: deps.signal,
  };
  const secretArn = requireValue(
    tenant.databaseSecretArn,
    `tenant stack ${environment}.${tenantId} has no databaseSecretArn`,
  );
  const user = tenant.databaseUser;

  await progress.step(`check that service ${ref.service} is not deploying`, async () => {
    const service = await describeService(clients.ecs, ref);
    if (
      (service.deployments?.length ?? 0) > 1 ||
      primaryDeployment(service)?.rolloutState === "IN_PROGRESS"
    ) {
      throw new BbwsError(
        "busy",
        `a deployment of service ${ref.service} is in progress; rotate the password once it has finished`,
      );
    }
  });
  const current = await progress.step(`read the current version of ${secretArn}`, () =>
    readSecret(clients, secretArn, user),
  );
  const password = newPassword();
  const versionId = randomUUID();
  let deployed = false;
  let deploymentId: string | undefined;

  let failure: BbwsError | undefined;
  try {
    // Registered first so that it runs last: the tasks must come back after both put-backs.
    saga.register("deployment", {
      name: "bring the tasks back to the previous password (a new deployment)",
      run: async () => {
        if (!deployed) return;
        const again = await forceDeployment(clients, ref);
        await waitStable(clients.ecs, ref, { ...wait, signal: undefined }, again);
      },
      manual:
        `service ${ref.service} may run tasks with the new password: aws ecs update-service --cluster ${ref.cluster} ` +
        `--service ${ref.service} --force-new-deployment`,
    });

    // The call may take effect even when it fails or times out: registered before it runs.
    saga.register("user", {
      name: `give user ${user} its previous password back`,
      run: () => alterPassword(clients, platform, tenant.databaseName, user, current.value.password),
      manual:
        `user ${user} may have the new password while secret ${secretArn} is back on version ${current.versionId}: ` +
        `npm run ops -- rotate-db-password ${environment} ${tenantId} (a new rotation sets both)`,
    });
    await progress.step(`set a new password for user ${user} (the old one stops working)`, () =>
      alterPassword(clients, platform, tenant.databaseName, user, password),
    );

    saga.register("secret", {
      name: `make version ${current.versionId} of the secret current again`,
      run: () => restoreSecretVersion(clients, secretArn, current.versionId, versionId),
      manual:
        `aws secretsmanager update-secret-version-stage --secret-id ${secretArn} --version-stage AWSCURRENT ` +
        `--move-to-version-id ${current.versionId} --remove-from-version-id ${versionId}`,
    });
    await progress.step("store the new password in the secret (AWSCURRENT)", () =>
      clients.secretsManager.send(
        new PutSecretValueCommand({
          SecretId: secretArn,
          ClientRequestToken: versionId,
          SecretString: JSON.stringify({ ...current.value, password }),
        }),
      ),
    );

    await progress.step(`start a new deployment of ${ref.service}`, async () => {
      // Registered as started before the call: a call that times out may have started one.
      deployed = true;
      deploymentId = await forceDeployment(clients, ref);
    });
    await progress.step("wait until the service is stable on the new password", () =>
      waitStable(clients.ecs, ref, wait, deploymentId),
    );
  } catch (error) {
    failure = toBbwsError(error);
  }

  // Even after Ctrl-C: a half-rotated tenant (user and secret disagreeing) is down.
  const report = await saga.finish(failure === undefined);
  if (failure) {
    failure.message = `password rotation of ${tenantId} (${environment}) failed: ${failure.message}`;
    failure.notes.push(
      report.undone.length > 0 ? `put back: ${report.undone.join("; ")}` : "nothing needed putting back",
      ...sagaNotes(report),
    );
    throw failure;
  }
  return {
    environment,
    tenantId,
    secretArn,
    user,
    previousVersionId: current.versionId,
    versionId,
    deploymentId,
    steps: progress.steps,
  };
}

/** The secret's AWSCURRENT version; its username must be the tenant's user, its password valid. */
async function readSecret(clients: OpsClients, secretArn: string, user: string): Promise<SecretValue> {
  const found = await clients.secretsManager.send(new GetSecretValueCommand({ SecretId: secretArn }));
  const versionId = requireValue(found.VersionId, `secret ${secretArn} has no current version`);
  let value: unknown;
  try {
    value = JSON.parse(found.SecretString ?? "");
  } catch {
    value = undefined;
  }
  const record = value as { username?: unknown; password?: unknown } | undefined;
  if (!record || record.username !== user || typeof record.password !== "string") {
    throw new BbwsError(
      "invalidInput",
      `secret ${secretArn} does not hold the credentials of user ${user} (username and password): nothing was changed`,
    );
  }
  return { versionId, value: record as SecretValue["value"] };
}

/** ALTER USER through the Data API, as the cluster's master user. */
async function alterPassword(
  clients: OpsClients,
  platform: Pick<PlatformContract, "database">,
  databaseName: string,
  username: string,
  password: string,
): Promise<void> {
  for (const sql of passwordStatements({ databaseName, username, password })) {
    await clients.rdsData.send(
      new ExecuteStatementCommand({
        resourceArn: platform.database.clusterArn,
        secretArn: platform.database.masterSecretArn,
        sql,
      }),
    );
  }
}

/** Moves AWSCURRENT back to `previous` (the rotation's version becomes AWSPREVIOUS). */
async function restoreSecretVersion(
  clients: OpsClients,
  secretArn: string,
  previous: string,
  rotated: string,
): Promise<void> {
  try {
    await clients.secretsManager.send(
      new UpdateSecretVersionStageCommand({
        SecretId: secretArn,
        VersionStage: "AWSCURRENT",
        MoveToVersionId: previous,
        RemoveFromVersionId: rotated,
      }),
    );
  } catch (error) {
    // The new version never became current (PutSecretValue failed): nothing to move.
    const current = await clients.secretsManager.send(new GetSecretValueCommand({ SecretId: secretArn }));
    if (current.VersionId !== previous) throw error;
  }
}

/** A new deployment of the service (same task definition: tasks read their secrets at start). */
async function forceDeployment(clients: OpsClients, ref: ServiceRef): Promise<string | undefined> {
  const updated = await clients.ecs.send(
    new UpdateServiceCommand({ cluster: ref.cluster, service: ref.service, forceNewDeployment: true }),
  );
  return updated.service ? primaryDeployment(updated.service)?.id : undefined;
}
