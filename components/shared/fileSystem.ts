/**
 * The shared EFS file system: every tenant's wp-content lives under /tenants/<id>, reached
 * only through that tenant's access point. KMS-encrypted, elastic throughput (no burst
 * credits to run out during a plugin storm), IA after 30 days and back on first access,
 * one mount target per private subnet, and a policy that refuses unencrypted NFS.
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

/** Policy denying any access that does not use TLS (EFS in-transit encryption). */
export function secureTransportPolicy(fileSystemArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyUnencryptedTransport",
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: "*",
        Resource: fileSystemArn,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
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
  new aws.efs.FileSystemPolicy(
    `${name}-efs-policy`,
    { fileSystemId: fileSystem.id, policy: fileSystem.arn.apply(secureTransportPolicy) },
    { parent },
  );
  return { fileSystem, mountTargets };
}
