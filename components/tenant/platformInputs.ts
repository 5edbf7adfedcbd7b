/**
 * What a tenant needs from its environment's platform: the groups of the platform contract it
 * reads, and its own ALB shard. Values arrive through a StackReference, so they are Inputs;
 * nothing here decides how many resources exist (the spec does).
 */
import { IngressShard, InputOf, PlatformContract } from "../../config/platformContract";

/** The platform as a tenant sees it (see PlatformContract for what each group holds). */
export type TenantPlatform = InputOf<
  Pick<
    PlatformContract,
    | "accountId"
    | "partition"
    | "network"
    | "cluster"
    | "storage"
    | "database"
    | "image"
    | "observability"
    | "keys"
  >
> & {
  /**
   * Region of the platform and of the tenant's stack. A plain value: IAM policies, the
   * container's log configuration and the Data API client are built from it.
   */
  readonly region: string;
  /** The ALB shard of the tenant's listener slot: its listener rule and alarms live there. */
  readonly shard: InputOf<IngressShard>;
};
