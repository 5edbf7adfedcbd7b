/**
 * The shared Aurora MySQL Serverless v2 cluster. Tenants get their own database and user on
 * it, created through the RDS Data API (enabled here) so no tool needs network access to the
 * cluster. The master password never leaves Secrets Manager (`manageMasterUserPassword`).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Tags, withComponent } from "../tags";

/** Aurora MySQL 3.08 (MySQL 8.0 compatible): Serverless v2 with the Data API. */
export const AURORA_ENGINE_VERSION = "8.0.mysql_aurora.3.08.2";
/** Not the engine default `admin` (RDS.24). */
export const MASTER_USERNAME = "bbws_admin";

/**
 * The cluster parameter group's settings:
 * - require_secure_transport ON: every connection must use TLS, not only the tenant users that
 *   `REQUIRE SSL` (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Security.html);
 *   dynamic, no reboot.
 * - Advanced Auditing of connections, DDL and DCL (RDS.45). DCL statement text is logged in
 *   plain text (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Auditing.html),
 *   which is why no BBWS statement carries a password (components/tenant/sql.ts).
 */
export function clusterParameters(): { name: string; value: string }[] {
  return [
    { name: "require_secure_transport", value: "ON" },
    { name: "server_audit_logging", value: "1" },
    { name: "server_audit_events", value: "CONNECT,QUERY_DCL,QUERY_DDL" },
  ];
}

export interface DatabaseArgs {
  readonly privateSubnetIds: pulumi.Input<string[]>;
  readonly securityGroupId: pulumi.Input<string>;
  readonly kmsKeyArn: pulumi.Input<string>;
  /** AZ names, used to put readers in other AZs than the writer. */
  readonly availabilityZoneNames: pulumi.Input<string[]>;
  /** 0 lets the cluster pause when idle (needs Aurora MySQL 3.08 or later: AURORA_ENGINE_VERSION). */
  readonly minCapacity: number;
  readonly maxCapacity: number;
  /** Idle seconds before a cluster at minimum 0 ACU pauses; ignored above 0. */
  readonly autoPauseSeconds: number;
  readonly readers: number;
  readonly backupRetentionDays: number;
  readonly deletionProtection: boolean;
  readonly finalSnapshot: boolean;
  readonly environment: string;
  readonly tags: Tags;
}

export interface SharedDatabase {
  readonly cluster: aws.rds.Cluster;
  readonly instances: aws.rds.ClusterInstance[];
}

/**
 * Serverless v2 scaling: at minimum 0 ACU the writer pauses after `autoPauseSeconds` without
 * connections (any connection resumes it in about 15 s); above 0 there is no pause to configure.
 */
export function scalingConfiguration(
  args: Pick<DatabaseArgs, "minCapacity" | "maxCapacity" | "autoPauseSeconds">,
) {
  return {
    minCapacity: args.minCapacity,
    maxCapacity: args.maxCapacity,
    ...(args.minCapacity === 0 ? { secondsUntilAutoPause: args.autoPauseSeconds } : {}),
  };
}

export function createDatabase(name: string, args: DatabaseArgs, parent: pulumi.Resource): SharedDatabase {
  const tags = withComponent(args.tags, "database");
  const subnetGroup = new aws.rds.SubnetGroup(
    `${name}-db-subnets`,
    { subnetIds: args.privateSubnetIds, tags },
    { parent },
  );
  const parameters = new aws.rds.ClusterParameterGroup(
    `${name}-db-params`,
    {
      family: "aurora-mysql8.0",
      description: "BBWS: TLS only; audit of connections and DDL/DCL (RDS.45)",
      parameters: clusterParameters(),
      tags,
    },
    { parent },
  );
  const cluster = new aws.rds.Cluster(
    `${name}-db`,
    {
      engine: "aurora-mysql",
      engineMode: "provisioned",
      engineVersion: AURORA_ENGINE_VERSION,
      serverlessv2ScalingConfiguration: scalingConfiguration(args),
      masterUsername: MASTER_USERNAME,
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: args.kmsKeyArn,
      enableHttpEndpoint: true,
      iamDatabaseAuthenticationEnabled: true,
      storageEncrypted: true,
      kmsKeyId: args.kmsKeyArn,
      dbSubnetGroupName: subnetGroup.name,
      dbClusterParameterGroupName: parameters.name,
      vpcSecurityGroupIds: [args.securityGroupId],
      backupRetentionPeriod: args.backupRetentionDays,
      // Backups run before the maintenance window and never overlap it (an RDS API rule).
      preferredBackupWindow: "00:30-01:30",
      preferredMaintenanceWindow: "sun:02:00-sun:03:00",
      copyTagsToSnapshot: true,
      enabledCloudwatchLogsExports: ["audit", "error", "slowquery"],
      deletionProtection: args.deletionProtection,
      skipFinalSnapshot: !args.finalSnapshot,
      finalSnapshotIdentifier: args.finalSnapshot ? `bbws-${args.environment}-final` : undefined,
      tags,
    },
    { parent, protect: args.deletionProtection },
  );
  const instances: aws.rds.ClusterInstance[] = [];
  for (let i = 0; i <= args.readers; i++) {
    const role = i === 0 ? "writer" : `reader-${i}`;
    instances.push(
      new aws.rds.ClusterInstance(
        `${name}-db-${role}`,
        {
          clusterIdentifier: cluster.id,
          engine: "aurora-mysql",
          engineVersion: cluster.engineVersion,
          instanceClass: "db.serverless",
          availabilityZone: pulumi.output(args.availabilityZoneNames).apply((azs) => azs[i % azs.length]),
          promotionTier: i,
          publiclyAccessible: false,
          autoMinorVersionUpgrade: true,
          dbSubnetGroupName: subnetGroup.name,
          tags: withComponent(args.tags, "database", { "bbws:db-role": role }),
        },
        { parent },
      ),
    );
  }
  return { cluster, instances };
}
