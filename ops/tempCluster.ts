/**
 * The temporary Aurora cluster a database restore reads from. AWS Backup restores only the
 * cluster, so it gets Serverless v2 capacity and one db.serverless instance here; it is
 * deleted (no final snapshot) when the restore ends, whatever happened.
 */
import {
  CreateDBInstanceCommand,
  DBCluster,
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  ModifyDBClusterCommand,
  RDSClient,
} from "@aws-sdk/client-rds";
import { TAG } from "../components/tags";
import { BbwsError, awsErrorName, requireValue } from "../lib/errors";
import { WaitParams } from "./service";
import { done, pending, pollUntil } from "../lib/wait";

/** RDS identifiers: at most 63 characters; the instance adds `-1`. */
const MAX_CLUSTER_ID = 61;

/**
 * `bbws-<env>-restore-<id>-<stamp>`. Long ids are shortened (the id is also in the instance's
 * tags); RDS forbids a trailing or doubled hyphen, which a cut could leave.
 */
export function temporaryClusterId(environment: string, tenantId: string, stamp: string): string {
  const prefix = `bbws-${environment}-restore-`;
  const room = MAX_CLUSTER_ID - prefix.length - stamp.length - 1;
  const id = tenantId.slice(0, Math.max(room, 1)).replace(/-+$/, "");
  return `${prefix}${id}-${stamp}`.toLowerCase();
}

/** Instance identifier of a temporary cluster. */
export function temporaryInstanceId(clusterId: string): string {
  return `${clusterId}-1`;
}

/** The live cluster (network, engine, capacity to copy). */
export async function describeCluster(rds: RDSClient, identifier: string): Promise<DBCluster> {
  const found = await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: identifier }));
  return requireValue(found.DBClusters?.[0], `Aurora cluster ${identifier} not found`);
}

/** Gives the restored cluster Serverless v2 capacity and one instance; returns its endpoint. */
export async function addServerlessInstance(
  rds: RDSClient,
  r: { clusterId: string; live: DBCluster; tenantId: string },
  wait: WaitParams,
): Promise<string> {
  const capacity = r.live.ServerlessV2ScalingConfiguration;
  // A db.serverless instance needs the cluster's Serverless v2 range, which a restore does not carry over.
  await rds.send(
    new ModifyDBClusterCommand({
      DBClusterIdentifier: r.clusterId,
      ServerlessV2ScalingConfiguration: {
        MinCapacity: capacity?.MinCapacity ?? 0.5,
        MaxCapacity: capacity?.MaxCapacity ?? 4,
      },
      ApplyImmediately: true,
    }),
  );
  const instanceId = temporaryInstanceId(r.clusterId);
  await rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: instanceId,
      DBClusterIdentifier: r.clusterId,
      Engine: r.live.Engine,
      DBInstanceClass: "db.serverless",
      PubliclyAccessible: false,
      Tags: [
        { Key: TAG.tenantId, Value: r.tenantId },
        { Key: "bbws:purpose", Value: "restore" },
      ],
    }),
  );
  await pollUntil({
    what: `instance ${instanceId} of the temporary cluster`,
    ...wait,
    check: async () => {
      const found = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: instanceId }));
      const status = found.DBInstances?.[0]?.DBInstanceStatus;
      if (status === "available") return done(undefined);
      if (status === "failed" || status?.startsWith("incompatible")) {
        throw new BbwsError("failed", `instance ${instanceId} of the temporary cluster is ${status}`);
      }
      return pending(status);
    },
  });
  const cluster = await describeCluster(rds, r.clusterId);
  return requireValue(cluster.Endpoint, `temporary cluster ${r.clusterId} has no endpoint`);
}

/**
 * Deletes the temporary instance and cluster without a final snapshot. Aurora accepts the
 * cluster deletion as soon as its instance is deleting, so nothing is waited for. Returns
 * false when there was no cluster to delete (a restore job that has not created it yet).
 */
export async function deleteTemporaryCluster(
  rds: RDSClient,
  clusterId: string,
  withInstance: boolean,
): Promise<boolean> {
  if (withInstance) {
    await ignoreNotFound(
      rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: temporaryInstanceId(clusterId) })),
      "DBInstanceNotFoundFault",
    );
  }
  return ignoreNotFound(
    rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: clusterId, SkipFinalSnapshot: true })),
    "DBClusterNotFoundFault",
  );
}

/** True when the call succeeded, false when it failed with `notFound`. */
async function ignoreNotFound(call: Promise<unknown>, notFound: string): Promise<boolean> {
  try {
    await call;
    return true;
  } catch (error) {
    if (awsErrorName(error) !== notFound) throw error;
    return false;
  }
}
