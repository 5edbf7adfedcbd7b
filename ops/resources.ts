/**
 * The two resources AWS Backup protects per environment. AWS Backup works on whole file
 * systems and whole clusters, never on an access point or one schema, so every tenant
 * operation is about these two.
 */
import { PlatformContract } from "../config/platformContract";

/** What a resource holds for a tenant. */
export type ResourceKind = "files" | "database";

/** One protected resource. */
export interface ProtectedResource {
  readonly kind: ResourceKind;
  /** AWS Backup resource type. */
  readonly resourceType: "EFS" | "Aurora";
  readonly arn: string;
  /** For messages: `EFS file system fs-123`. */
  readonly label: string;
}

/** The environment's file system and database cluster, in that order. */
export function protectedResources(
  platform: Pick<PlatformContract, "storage" | "database">,
): readonly [ProtectedResource, ProtectedResource] {
  return [
    {
      kind: "files",
      resourceType: "EFS",
      arn: platform.storage.fileSystemArn,
      label: `EFS file system ${platform.storage.fileSystemId}`,
    },
    {
      kind: "database",
      resourceType: "Aurora",
      arn: platform.database.clusterArn,
      label: `Aurora cluster ${platform.database.clusterIdentifier}`,
    },
  ];
}
