/**
 * DNS for a tenant's hosts in zones the platform manages: one alias record per host to the
 * load balancer of the tenant's own shard (a wildcard record cannot span shards: each shard is
 * another ALB). Created and deleted with the tenant stack, and only after the host rules exist,
 * so a name never resolves before the ALB answers it with the right site and certificate.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { HostEdge } from "../../config/edgeHosts";
import { IngressShard, InputOf } from "../../config/platformContract";

/** What the records point at. */
export interface TenantDnsArgs {
  /** The tenant's hosts, classified; those with a `zone` get a record. */
  readonly hosts: readonly HostEdge[];
  /** The tenant's shard: its ALB's DNS name and hosted zone. */
  readonly shard: Pick<InputOf<IngressShard>, "dnsName" | "zoneId">;
  /** The host rules the records wait for. */
  readonly dependsOn: readonly pulumi.Resource[];
}

/**
 * Alias A records, keyed by host. The platform's ALBs are IPv4 (`ipAddressType` left at
 * `ipv4`), so there is no AAAA record: an AAAA alias to an IPv4-only ALB answers nothing. A
 * dual-stack ALB needs subnets with IPv6 CIDR blocks, which awsx's Vpc cannot create (its
 * SubnetSpecArgs has no IPv6 block, only assignIpv6AddressOnCreation).
 */
export function createTenantDnsRecords(
  name: string,
  args: TenantDnsArgs,
  parent: pulumi.Resource,
): aws.route53.Record[] {
  return args.hosts
    .filter((h) => h.zone)
    .map(
      (h) =>
        new aws.route53.Record(
          `${name}-dns-${h.host}`,
          {
            zoneId: h.zone!.hostedZoneId,
            name: h.host,
            type: "A",
            aliases: [{ name: args.shard.dnsName, zoneId: args.shard.zoneId, evaluateTargetHealth: true }],
            // Never take over a record someone else created for the name.
            allowOverwrite: false,
          },
          { parent, dependsOn: [...args.dependsOn] },
        ),
    );
}
