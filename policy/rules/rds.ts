/**
 * Aurora MySQL rules: encryption, protection of the shared cluster in production, backups,
 * audit logs, credentials and exposure of its instances.
 */
import * as aws from "@pulumi/aws";
import { ReportViolation, StackValidationArgs, validateResourceOfType } from "@pulumi/policy";
import {
  BbwsPolicy,
  StackIndex,
  asArray,
  describeRule,
  isProduction,
  known,
  show,
  typeToken,
} from "./common";

/** Native point-in-time recovery kept next to AWS Backup (RDS.11 wants more than 1 day). */
export const MIN_BACKUP_RETENTION_DAYS = 7;

/** Master user names RDS.24 treats as engine defaults (MySQL and PostgreSQL families). */
const DEFAULT_MASTER_USERS = new Set(["admin", "root", "postgres", "master", "administrator"]);

const CLUSTER = typeToken(aws.rds.Cluster);
const CLUSTER_PARAMETER_GROUP = typeToken(aws.rds.ClusterParameterGroup);
const CLUSTER_INSTANCE = typeToken(aws.rds.ClusterInstance);

export const rdsPolicies: BbwsPolicy[] = [
  {
    name: "rds-cluster-encrypted-with-cmk",
    description: describeRule(
      ["RDS.27", "CKV_AWS_96", "CKV_AWS_327"],
      "Aurora clusters encrypt storage with a customer-managed KMS key (storageEncrypted and kmsKeyId).",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.rds.Cluster, (cluster, _args, report) => {
      if (cluster?.storageEncrypted !== true) {
        report(`storageEncrypted is ${show(cluster?.storageEncrypted)}: set storageEncrypted: true.`);
      }
      if (!cluster?.kmsKeyId) report("kmsKeyId is not set: encrypt with the environment's data key (a CMK).");
    }),
  },
  {
    name: "rds-cluster-protected-in-prod",
    description: describeRule(
      ["RDS.7", "CKV_AWS_139", "AVD-AWS-0343"],
      "In prod, Aurora clusters have deletion protection and keep a final snapshot when deleted " +
        "(skipFinalSnapshot false with a finalSnapshotIdentifier).",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.rds.Cluster, (cluster, _args, report) => {
      if (!isProduction(cluster)) return;
      if (cluster?.deletionProtection !== true) {
        report(`deletionProtection is ${show(cluster?.deletionProtection)}: set true in prod.`);
      }
      if (cluster?.skipFinalSnapshot === true || !cluster?.finalSnapshotIdentifier) {
        report(
          `skipFinalSnapshot is ${show(cluster?.skipFinalSnapshot)} and finalSnapshotIdentifier ` +
            `${show(cluster?.finalSnapshotIdentifier)}: keep a final snapshot in prod.`,
        );
      }
    }),
  },
  {
    name: "rds-cluster-backup-retention",
    description: describeRule(
      ["RDS.11", "CKV_AWS_133", "AVD-AWS-0077"],
      `Aurora clusters keep native point-in-time recovery for at least ${MIN_BACKUP_RETENTION_DAYS} days ` +
        "(backupRetentionPeriod), in addition to AWS Backup.",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.rds.Cluster, (cluster, _args, report) => {
      const days = cluster?.backupRetentionPeriod ?? 1; // the RDS default
      if (days < MIN_BACKUP_RETENTION_DAYS) {
        report(`backupRetentionPeriod is ${days} day(s): set at least ${MIN_BACKUP_RETENTION_DAYS}.`);
      }
    }),
  },
  {
    name: "rds-cluster-non-default-master-user",
    description: describeRule(
      ["RDS.24"],
      "Aurora clusters do not use the engine's default master user name (admin for MySQL).",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.rds.Cluster, (cluster, _args, report) => {
      const user = cluster?.masterUsername;
      if (typeof user === "string" && DEFAULT_MASTER_USERS.has(user.toLowerCase())) {
        report(`masterUsername is ${show(user)}, a default name attackers try first: choose another.`);
      }
    }),
  },
  {
    name: "rds-cluster-audit-logs",
    description: describeRule(
      ["RDS.34", "CKV_AWS_325"],
      "Aurora MySQL clusters export their audit log to CloudWatch Logs.",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.rds.Cluster, (cluster, _args, report) => {
      const exports = asArray(cluster?.enabledCloudwatchLogsExports);
      if (!exports.includes("audit")) {
        report(`enabledCloudwatchLogsExports is ${show(exports)}: include "audit".`);
      }
    }),
  },
  {
    name: "rds-cluster-copy-tags-to-snapshot",
    description: describeRule(
      ["RDS.16", "CKV_AWS_313"],
      "Aurora clusters copy their tags to snapshots, so recovery points stay attributable.",
    ),
    enforcementLevel: "advisory",
    validateResource: validateResourceOfType(aws.rds.Cluster, (cluster, _args, report) => {
      if (cluster?.copyTagsToSnapshot !== true) report("copyTagsToSnapshot is not true: set it.");
    }),
  },
  {
    name: "rds-cluster-iam-authentication",
    description: describeRule(
      ["RDS.12", "CKV_AWS_162"],
      "Aurora clusters enable IAM database authentication. Advisory: core WordPress cannot use IAM " +
        "tokens, so tenants keep password users; enabling it costs nothing and serves operators.",
    ),
    enforcementLevel: "advisory",
    validateResource: validateResourceOfType(aws.rds.Cluster, (cluster, _args, report) => {
      if (cluster?.iamDatabaseAuthenticationEnabled !== true) {
        report("iamDatabaseAuthenticationEnabled is not true: set it.");
      }
    }),
  },
  {
    name: "rds-instance-not-public",
    description: describeRule(
      ["RDS.2", "CKV_AWS_17", "AVD-AWS-0180"],
      "Aurora instances are not publicly accessible.",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.rds.ClusterInstance, (instance, _args, report) => {
      if (instance?.publiclyAccessible === true) report("publiclyAccessible is true: set false.");
    }),
  },
  {
    name: "rds-cluster-require-secure-transport",
    description: describeRule(
      ["SEC09-BP02"],
      "Aurora MySQL clusters use a cluster parameter group with require_secure_transport ON: the " +
        "default group leaves it OFF, and a client could then talk to the shared database in " +
        "plaintext (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Security.html).",
    ),
    enforcementLevel: "mandatory",
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
      const stack = StackIndex.of(args.resources);
      for (const cluster of stack.ofType(CLUSTER)) {
        const engine = known(() => cluster.props?.engine);
        if (typeof engine !== "string" || !engine.startsWith("aurora-mysql")) continue;
        const groups = stack.referenced(cluster, "dbClusterParameterGroupName", [CLUSTER_PARAMETER_GROUP]);
        if (groups.length === 0) {
          report(
            `cluster ${cluster.name} uses no cluster parameter group of the stack (the default leaves require_secure_transport OFF): ` +
              'add one with { name: "require_secure_transport", value: "ON" }.',
            cluster.urn,
          );
          continue;
        }
        for (const group of groups) {
          const parameters = known(() => asArray<Record<string, unknown>>(group.props?.parameters));
          if (parameters === undefined) continue;
          const value = parameters.find((p) => p?.name === "require_secure_transport")?.value;
          if (!["ON", "1"].includes(String(value).toUpperCase())) {
            report(
              `cluster parameter group ${group.name} sets require_secure_transport to ${show(value ?? "nothing")}: set "ON".`,
              group.urn,
            );
          }
        }
      }
    },
  },
  {
    name: "rds-cluster-multi-az-in-prod",
    description: describeRule(
      ["RDS.15"],
      "In prod, an Aurora cluster has instances in at least two Availability Zones (a writer and " +
        "a reader), so a failover has somewhere to go. Advisory: Serverless v2 readers cost money " +
        "while idle.",
    ),
    enforcementLevel: "advisory",
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
      const stack = StackIndex.of(args.resources);
      const instances = stack.ofType(CLUSTER_INSTANCE);
      for (const cluster of stack.ofType(CLUSTER)) {
        if (!isProduction(cluster.props)) continue;
        const members = instances.filter((i) =>
          stack.referenced(i, "clusterIdentifier", [CLUSTER]).includes(cluster),
        );
        // An instance without an AZ is placed by RDS, which spreads instances: count it apart.
        const zones = new Set(members.map((i) => known(() => i.props?.availabilityZone) ?? i.urn));
        if (members.length < 2 || zones.size < 2) {
          report(
            `cluster ${cluster.name} has ${members.length} instance(s) in ${zones.size} AZ(s): add a reader in another AZ.`,
            cluster.urn,
          );
        }
      }
    },
  },
];
