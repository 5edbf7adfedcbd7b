/**
 * `npm run ops -- status <env> <tenant>`: what an operator checks before and after any
 * operation. The service (status, task counts, PRIMARY rollout state, running image), the newest
 * restorable recovery points of the environment's file system and database in the primary and
 * DR vaults (the newest scheduled one, and the newest on-demand one taken for this tenant), and
 * the registry's record of the last image rollout.
 *
 * Recovery points are listed per vault and resource with ListRecoveryPointsByBackupVault rather
 * than ListRecoveryPointsByResource: only the former says who created a point (a backup plan or
 * nobody, i.e. on demand) and is scoped to one vault. Tags tell whose on-demand point it is:
 * AWS Backup's ListTags for EFS points, RDS ListTagsForResource for Aurora points (their ARNs
 * are RDS snapshot ARNs, which ListTags does not accept).
 */
import { BackupClient, ListTagsCommand, RecoveryPointByBackupVault } from "@aws-sdk/client-backup";
import { DescribeTaskDefinitionCommand, DescribeServicesCommand, ECSClient } from "@aws-sdk/client-ecs";
import { ListTagsForResourceCommand, RDSClient } from "@aws-sdk/client-rds";
import { CONTAINER_NAME } from "../components/tenant/containerDefinition";
import { TAG } from "../components/tags";
import { serviceName } from "../config/naming";
import { BACKUP_TAG } from "./backup";
import { loadTenantContext } from "./context";
import { OpsDeps } from "./deps";
import { listVaultRecoveryPoints } from "./recoveryPoints";
import { ProtectedResource, ResourceKind, protectedResources } from "./resources";
import { primaryDeployment } from "./service";

/** The tenant's ECS service as DescribeServices reports it. */
export interface ServiceStatus {
  readonly name: string;
  /** ACTIVE, DRAINING, INACTIVE, or MISSING when the cluster has no such service. */
  readonly status: string;
  readonly desiredCount: number;
  readonly runningCount: number;
  readonly pendingCount: number;
  readonly rolloutState?: string;
  readonly rolloutStateReason?: string;
  /** Task definition of the PRIMARY deployment, and the image of its WordPress container. */
  readonly taskDefinition?: string;
  readonly image?: string;
  /** More than one deployment: a rollout (or its rollback) is under way. */
  readonly deployments: number;
}

/** One recovery point, briefly. */
export interface PointSummary {
  readonly arn: string;
  readonly createdAt?: string;
}

/** The newest restorable points of one resource in one vault. */
export interface VaultPoints {
  readonly vault: "primary" | "dr";
  readonly vaultName: string;
  readonly region: string;
  readonly resource: ResourceKind;
  readonly resourceType: "EFS" | "Aurora";
  /** Newest point made by the backup plan (hourly). */
  readonly scheduled?: PointSummary;
  /** Newest on-demand point tagged with this tenant. */
  readonly onDemand?: PointSummary;
}

/** Everything `status` reports. */
export interface TenantStatus {
  readonly environment: string;
  readonly tenantId: string;
  readonly service: ServiceStatus;
  readonly recoveryPoints: readonly VaultPoints[];
  readonly lastRollout?: {
    readonly image: string;
    readonly at: string;
    readonly result: string;
    readonly taskDefinitionArn?: string;
  };
}

/** At most this many on-demand points are inspected for the tenant's tag, per vault and resource. */
export const MAX_TAG_LOOKUPS = 10;

/** Reads the tenant's status. */
export async function tenantStatus(
  environment: string,
  tenantId: string,
  deps: OpsDeps,
): Promise<TenantStatus> {
  const { platform, entry } = await loadTenantContext(environment, tenantId, deps);
  const clients = deps.clients({ region: platform.region, drRegion: platform.backup.drRegion });
  const service = await readService(clients.ecs, platform.cluster.name, serviceName(tenantId));

  const vaults = [
    {
      vault: "primary" as const,
      vaultName: platform.backup.vaultName,
      region: platform.region,
      backup: clients.backup,
      rds: clients.rds,
    },
    {
      vault: "dr" as const,
      vaultName: platform.backup.drVaultName,
      region: platform.backup.drRegion,
      backup: clients.drBackup,
      rds: clients.drRds,
    },
  ];
  const recoveryPoints: VaultPoints[] = [];
  for (const v of vaults) {
    for (const resource of protectedResources(platform)) {
      const points = await listVaultRecoveryPoints(v.backup, v.vaultName, resource.arn);
      recoveryPoints.push({
        vault: v.vault,
        vaultName: v.vaultName,
        region: v.region,
        resource: resource.kind,
        resourceType: resource.resourceType,
        ...(await newestPoints(points, resource, tenantId, v.backup, v.rds)),
      });
    }
  }
  return { environment, tenantId, service, recoveryPoints, lastRollout: entry.lastRollout };
}

async function readService(ecs: ECSClient, cluster: string, name: string): Promise<ServiceStatus> {
  const found = await ecs.send(new DescribeServicesCommand({ cluster, services: [name] }));
  const service = found.services?.[0];
  if (!service)
    return { name, status: "MISSING", desiredCount: 0, runningCount: 0, pendingCount: 0, deployments: 0 };
  const primary = primaryDeployment(service);
  let image: string | undefined;
  if (primary?.taskDefinition) {
    const { taskDefinition } = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: primary.taskDefinition }),
    );
    const containers = taskDefinition?.containerDefinitions ?? [];
    image = (containers.find((c) => c.name === CONTAINER_NAME) ?? containers[0])?.image;
  }
  return {
    name,
    status: service.status ?? "UNKNOWN",
    desiredCount: service.desiredCount ?? 0,
    runningCount: service.runningCount ?? 0,
    pendingCount: service.pendingCount ?? 0,
    rolloutState: primary?.rolloutState,
    rolloutStateReason: primary?.rolloutStateReason,
    taskDefinition: primary?.taskDefinition,
    image,
    deployments: service.deployments?.length ?? 0,
  };
}

async function newestPoints(
  points: readonly RecoveryPointByBackupVault[],
  resource: ProtectedResource,
  tenantId: string,
  backup: BackupClient,
  rds: RDSClient,
): Promise<{ scheduled?: PointSummary; onDemand?: PointSummary }> {
  const restorable = points
    .filter((p) => p.Status === "COMPLETED" && p.RecoveryPointArn)
    .sort((a, b) => (b.CreationDate?.getTime() ?? 0) - (a.CreationDate?.getTime() ?? 0));
  const scheduled = restorable.find((p) => p.CreatedBy?.BackupPlanId);
  let onDemand: RecoveryPointByBackupVault | undefined;
  for (const point of restorable.filter((p) => !p.CreatedBy?.BackupPlanId).slice(0, MAX_TAG_LOOKUPS)) {
    const tags = await pointTags(point.RecoveryPointArn!, resource, backup, rds);
    if (tags[TAG.tenantId] === tenantId && tags[BACKUP_TAG.type] === "on-demand") {
      onDemand = point;
      break;
    }
  }
  return { scheduled: scheduled && summary(scheduled), onDemand: onDemand && summary(onDemand) };
}

async function pointTags(
  arn: string,
  resource: ProtectedResource,
  backup: BackupClient,
  rds: RDSClient,
): Promise<Record<string, string>> {
  if (resource.resourceType === "Aurora") {
    const listed = await rds.send(new ListTagsForResourceCommand({ ResourceName: arn }));
    return Object.fromEntries((listed.TagList ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
  }
  const listed = await backup.send(new ListTagsCommand({ ResourceArn: arn }));
  return listed.Tags ?? {};
}

function summary(point: RecoveryPointByBackupVault): PointSummary {
  return { arn: point.RecoveryPointArn!, createdAt: point.CreationDate?.toISOString() };
}
