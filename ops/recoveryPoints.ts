/**
 * Recovery points of the environment's two resources: choosing and validating the ones a
 * restore uses (all before anything is changed), and listing a vault's points per resource.
 */
import {
  BackupClient,
  DescribeRecoveryPointCommand,
  DescribeRecoveryPointOutput,
  ListRecoveryPointsByBackupVaultCommand,
  RecoveryPointByBackupVault,
} from "@aws-sdk/client-backup";
import { PlatformContract } from "../config/platformContract";
import { BbwsError, awsErrorName } from "../lib/errors";
import { ProtectedResource, ResourceKind, protectedResources } from "./resources";

/** What to restore: explicit recovery points, or the newest ones at a time; optionally one part. */
export interface RestoreRequest {
  /** EFS and/or Aurora recovery point ARNs of the primary vault. */
  readonly recoveryPointArns?: readonly string[];
  /** Restore the newest completed recovery points created at or before this time. */
  readonly at?: Date;
  /** Restore only the files or only the database. @default - both (or what the ARNs name) */
  readonly only?: ResourceKind;
}

/** One chosen recovery point. */
export interface SelectedPoint {
  readonly arn: string;
  readonly createdAt?: Date;
  readonly resource: ProtectedResource;
}

/** The recovery points a restore uses, by part. */
export interface RestoreSelection {
  readonly files?: SelectedPoint;
  readonly database?: SelectedPoint;
}

type Platform = Pick<PlatformContract, "storage" | "database" | "backup">;

/** UsageError unless the request names recovery points or a time, not both. */
export function checkRestoreRequest(request: RestoreRequest): void {
  const arns = request.recoveryPointArns ?? [];
  if (arns.length > 0 && request.at)
    throw new BbwsError("usage", "give either --recovery-point or --at, not both");
  if (arns.length === 0 && !request.at)
    throw new BbwsError("usage", "give --recovery-point ARN (once or twice) or --at TIME");
  if (request.at && Number.isNaN(request.at.getTime()))
    throw new BbwsError("usage", "--at is not a valid ISO 8601 time");
  if (arns.length > 2)
    throw new BbwsError(
      "usage",
      "give at most two recovery points: one of the file system, one of the database",
    );
}

/** Chooses and validates the recovery points of a restore. */
export async function selectRecoveryPoints(
  backup: BackupClient,
  platform: Platform,
  request: RestoreRequest,
): Promise<RestoreSelection> {
  const resources = protectedResources(platform);
  const wanted = resources.filter((r) => !request.only || r.kind === request.only);
  const selection: { files?: SelectedPoint; database?: SelectedPoint } = {};

  if (request.at) {
    for (const resource of wanted) {
      selection[resource.kind] = await newestAtOrBefore(
        backup,
        platform.backup.vaultName,
        resource,
        request.at,
      );
    }
    return selection;
  }

  for (const arn of request.recoveryPointArns ?? []) {
    const point = await describePoint(backup, platform.backup.vaultName, arn);
    const resource = resources.find((r) => r.arn === point.ResourceArn);
    if (!resource) {
      throw new BbwsError(
        "unusableRecoveryPoint",
        `recovery point ${arn} is a backup of ${point.ResourceArn ?? "an unknown resource"}, not of this ` +
          `environment's ${resources.map((r) => r.label).join(" or ")}`,
      );
    }
    if (point.Status !== "COMPLETED") {
      throw new BbwsError(
        "unusableRecoveryPoint",
        `recovery point ${arn} is ${point.Status ?? "in an unknown state"}; only COMPLETED recovery points can be restored`,
      );
    }
    if (request.only && resource.kind !== request.only) {
      throw new BbwsError(
        "unusableRecoveryPoint",
        `recovery point ${arn} is a backup of the ${resource.label}, but --only ${request.only} was given`,
      );
    }
    if (selection[resource.kind]) {
      throw new BbwsError(
        "unusableRecoveryPoint",
        `two recovery points of the ${resource.label} were given; give one`,
      );
    }
    selection[resource.kind] = { arn, createdAt: point.CreationDate, resource };
  }
  return selection;
}

async function describePoint(
  backup: BackupClient,
  vault: string,
  arn: string,
): Promise<DescribeRecoveryPointOutput> {
  try {
    return await backup.send(
      new DescribeRecoveryPointCommand({ BackupVaultName: vault, RecoveryPointArn: arn }),
    );
  } catch (error) {
    const name = awsErrorName(error);
    if (name === "ResourceNotFoundException" || name === "InvalidParameterValueException") {
      throw new BbwsError("notFound", `recovery point ${arn} is not in backup vault ${vault}`, {
        cause: error,
      });
    }
    throw error;
  }
}

async function newestAtOrBefore(
  backup: BackupClient,
  vault: string,
  resource: ProtectedResource,
  at: Date,
): Promise<SelectedPoint> {
  // ByCreatedBefore is exclusive; one second past `at` keeps a point created exactly at `at`.
  const points = await listVaultRecoveryPoints(backup, vault, resource.arn, new Date(at.getTime() + 1000));
  const newest = points
    .filter((p) => p.Status === "COMPLETED" && p.CreationDate && p.CreationDate.getTime() <= at.getTime())
    .sort((a, b) => b.CreationDate!.getTime() - a.CreationDate!.getTime())[0];
  if (!newest?.RecoveryPointArn) {
    throw new BbwsError(
      "notFound",
      `no completed recovery point of the ${resource.label} in backup vault ${vault} was created at or before ${at.toISOString()}`,
    );
  }
  return { arn: newest.RecoveryPointArn, createdAt: newest.CreationDate, resource };
}

/** Every recovery point of one resource in one vault (all pages). */
export async function listVaultRecoveryPoints(
  backup: BackupClient,
  vault: string,
  resourceArn: string,
  createdBefore?: Date,
): Promise<RecoveryPointByBackupVault[]> {
  const points: RecoveryPointByBackupVault[] = [];
  let token: string | undefined;
  do {
    const page = await backup.send(
      new ListRecoveryPointsByBackupVaultCommand({
        BackupVaultName: vault,
        ByResourceArn: resourceArn,
        ByCreatedBefore: createdBefore,
        NextToken: token,
      }),
    );
    points.push(...(page.RecoveryPoints ?? []));
    token = page.NextToken;
  } while (token);
  return points;
}
