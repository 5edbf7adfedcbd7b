/**
 * The shared EFS file system: every tenant's wp-content lives under /tenants/<id>, reached
 * only through that tenant's access point. KMS-encrypted, elastic throughput (no burst
 * credits to run out during a plugin storm), IA after 30 days and back on first access,
 * one mount target per private subnet, and a file system policy (createFileSystemPolicy) that
 * refuses unencrypted NFS, mounts without an access point, and root access except through the
 * maintenance tasks' access point.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Tags, withComponent } from "../tags";

export interface FileSystemArgs {
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly privateSubnetIds: pulumi.Input<string[]>;
  /** Number of private subnets (one per AZ); decides how many mount targets exist. */
  readonly subnetCount: number;
  readonly securityGroupId: pulumi.Input<string>;
  readonly protect: boolean;
  readonly tags: Tags;
}

export interface SharedFileSystem {
  readonly fileSystem: aws.efs.FileSystem;
  readonly mountTargets: aws.efs.MountTarget[];
}

/** What the file system policy names. */
export interface FileSystemPolicyArgs {
  readonly fileSystemArn: string;
  /** The administrative access point (`/`, 0:0) of the maintenance tasks: the only way root is allowed in. */
  readonly maintenanceAccessPointArn: string;
}

/**
 * The file system's resource policy, all denies (identity policies grant), for every principal:
 * - no NFS without TLS (EFS in-transit encryption);
 * - no mount or write without an access point: every tenant and maintenance task mounts through
 *   one, so even a principal with `elasticfilesystem:Client*` on `*` in its identity policy
 *   cannot mount the file system root and see every tenant's files;
 * - no root access (`ClientRootAccess`: acting as uid 0, past an access point's POSIX user) but
 *   through the administrative access point.
 *
 * Who may mount through the administrative access point cannot be said here: for NFS clients
 * EFS evaluates only aws:SecureTransport, aws:SourceIp, elasticfilesystem:AccessPointArn and
 * elasticfilesystem:AccessedViaMountTarget ("No other condition keys are enforced",
 * https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html), so
 * aws:PrincipalArn is never set, and a Deny with NotPrincipal would have to list each ECS
 * task's assumed-role session ARN (the session name is the task id). That part is decided by
 * identity policies: only the maintenance task role grants it (policy rule
 * `efs-client-access-through-access-point`; the isolation proof checks every planned role).
 */
export function fileSystemPolicy(a: FileSystemPolicyArgs): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyUnencryptedTransport",
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: "*",
        Resource: a.fileSystemArn,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
      {
        Sid: "DenyMountWithoutAccessPoint",
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
        Resource: a.fileSystemArn,
        Condition: { Null: { "elasticfilesystem:AccessPointArn": "true" } },
      },
      {
        Sid: "DenyRootAccessButThroughMaintenanceAccessPoint",
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: "elasticfilesystem:ClientRootAccess",
        Resource: a.fileSystemArn,
        // Also matches a request without an access point (the key is absent).
        Condition: { StringNotEquals: { "elasticfilesystem:AccessPointArn": a.maintenanceAccessPointArn } },
      },
    ],
  });
}

export function createFileSystem(
  name: string,
  args: FileSystemArgs,
  parent: pulumi.Resource,
): SharedFileSystem {
  const fileSystem = new aws.efs.FileSystem(
    `${name}-efs`,
    {
      encrypted: true,
      kmsKeyId: args.kmsKeyArn,
      performanceMode: "generalPurpose",
      throughputMode: "elastic",
      lifecyclePolicies: [
        { transitionToIa: "AFTER_30_DAYS" },
        { transitionToPrimaryStorageClass: "AFTER_1_ACCESS" },
      ],
      tags: withComponent(args.tags, "efs", { Name: `${name}-wordpress` }),
    },
    { parent, protect: args.protect },
  );
  const mountTargets: aws.efs.MountTarget[] = [];
  for (let az = 0; az < args.subnetCount; az++) {
    mountTargets.push(
      new aws.efs.MountTarget(
        `${name}-efs-mount-${az}`,
        {
          fileSystemId: fileSystem.id,
          subnetId: pulumi.output(args.privateSubnetIds).apply((ids) => ids[az]),
          securityGroups: [args.securityGroupId],
        },
        { parent },
      ),
    );
  }
  return { fileSystem, mountTargets };
}

/**
 * The file system policy (fileSystemPolicy). Created after the maintenance tasks, whose access
 * point it names; the logical name is the one the policy always had.
 */
export function createFileSystemPolicy(
  name: string,
  args: {
    readonly fileSystem: aws.efs.FileSystem;
    readonly maintenanceAccessPointArn: pulumi.Input<string>;
  },
  parent: pulumi.Resource,
): aws.efs.FileSystemPolicy {
  return new aws.efs.FileSystemPolicy(
    `${name}-efs-policy`,
    {
      fileSystemId: args.fileSystem.id,
      policy: pulumi
        .all([args.fileSystem.arn, args.maintenanceAccessPointArn])
        .apply(([fileSystemArn, maintenanceAccessPointArn]) =>
          fileSystemPolicy({ fileSystemArn, maintenanceAccessPointArn }),
        ),
    },
    { parent },
  );
}
