/**
 * The tenant stack program: what `pulumi up` of stack `<env>.<tenant>` runs. The tenant
 * lifecycle runs it as an Automation API inline program; `npm run plan` runs it offline.
 *
 * The platform's outputs are parsed as the platform contract before anything uses them: a
 * platform of another contract version stops the run with the command that fixes it.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { TenantWordPress } from "../components/tenantWordPress";
import { providerDefaultTags } from "../components/tags";
import { TenantPlatform } from "../components/tenant/platformInputs";
import { readTenantStackConfig } from "./stackConfig";
import { TenantOutputs } from "../config/tenantOutputs";
import { IngressShard, PlatformContract, parsePlatformContract } from "../config/platformContract";
import { TenantSpec } from "../config/tenantSpec";
import { BbwsError } from "../lib/errors";
import * as naming from "../config/naming";

/** The tenant stack program. */
export function tenantStackProgram(): TenantOutputs {
  const config = readTenantStackConfig();
  const { tenant } = config;
  const reference = new pulumi.StackReference("platform", { name: config.platformStack });
  const contract: pulumi.Output<PlatformContract> = reference.outputs.apply((raw) => {
    const parsed = parsePlatformContract(raw, {
      stack: config.platformStack,
      environment: tenant.environment,
    });
    assertPlatformFits(parsed, tenant, config.platformStack);
    return parsed;
  });

  // Group by group through the contract's lifted properties: each stays an Output of the parsed value.
  const platform: TenantPlatform = {
    region: config.region,
    accountId: contract.accountId,
    partition: contract.partition,
    network: contract.network,
    cluster: contract.cluster,
    storage: contract.storage,
    database: contract.database,
    image: contract.image,
    observability: contract.observability,
    keys: contract.keys,
    // Checked here rather than with the contract: the resources on the shard are the ones that fail.
    shard: contract.apply((c) => tenantShard(c, tenant, config.platformStack)),
  };

  const provider = new aws.Provider("aws", {
    region: config.region,
    defaultTags: { tags: providerDefaultTags(tenant.environment, tenant.id) },
  });
  const site = new TenantWordPress(
    tenant.id,
    {
      spec: tenant,
      platform,
      dropDatabaseOnDelete: config.dropDataOnDestroy,
      waitForSteadyState: !config.skipSteadyStateWait,
      issuedCertificateHosts: config.issuedCertificateHosts,
    },
    { provider },
  );

  return {
    tenantId: tenant.id,
    environment: tenant.environment,
    hosts: tenant.hosts,
    clusterName: contract.cluster.name,
    serviceName: site.serviceName,
    // No service while the site's certificate waits for the customer's DNS (certificateState).
    ...(site.serviceArn ? { serviceArn: site.serviceArn } : {}),
    taskDefinitionFamily: site.taskDefinitionFamily,
    taskDefinitionArn: site.taskDefinitionArn,
    image: site.image,
    accessPointId: site.accessPointId,
    accessPointArn: site.accessPointArn,
    rootDirectory: naming.tenantRootDirectory(tenant.id),
    databaseName: naming.databaseName(tenant.id),
    databaseUser: naming.databaseUser(tenant.id),
    databaseSecretArn: site.databaseSecretArn,
    wordpressKeysSecretArn: site.wordpressKeysSecretArn,
    targetGroupArn: site.targetGroupArn,
    executionRoleArn: site.executionRoleArn,
    taskRoleArn: site.taskRoleArn,
    primaryHost: tenant.primaryHost,
    loadBalancerDnsName: platform.shard.dnsName,
    // Pulumi drops undefined outputs with a warning: only a tenant with its own certificate has one.
    ...(site.certificateArn ? { certificateArn: site.certificateArn } : {}),
    certificateState: site.edge.state,
    certificateHosts: site.edge.wanted,
    servingHosts: site.edge.servingHosts,
    servingCertificateHosts: site.edge.state === "pending" ? (site.edge.kept ?? []) : site.edge.wanted,
    customerRecords: site.customerRecords,
  };
}

/**
 * Checks that the tenant fits the platform it references: the same environment, and the mount
 * targets its spec waits for. Throws BbwsError (invalidInput).
 */
export function assertPlatformFits(
  platform: PlatformContract,
  spec: TenantSpec,
  platformStack: string,
): void {
  if (platform.environment !== spec.environment) {
    throw new BbwsError(
      "invalidInput",
      `tenant ${spec.id} belongs to environment "${spec.environment}", but platform stack ${platformStack} ` +
        `is environment "${platform.environment}"`,
    );
  }
  if (spec.edge.allowXmlrpc && platform.edge && platform.edge.webAclArns.length > 0) {
    const allowed = new Set(platform.edge.xmlrpcAllowedHosts);
    const blocked = spec.hosts.filter((h) => !allowed.has(h));
    if (blocked.length > 0)
      throw new BbwsError(
        "invalidInput",
        `tenant ${spec.id} opts out of the xmlrpc.php block, but the web firewall of ${platformStack} still blocks it on ` +
          `${blocked.join(", ")}: add them to bbws:wafXmlrpcAllowedHosts and update the platform first (pulumi up -s ${spec.environment})`,
      );
  }
  const mountTargets = platform.storage.mountTargetIds.length;
  if (mountTargets !== spec.availabilityZones) {
    throw new BbwsError(
      "invalidInput",
      `tenant ${spec.id} expects ${spec.availabilityZones} EFS mount targets (bbws:availabilityZones), but ` +
        `${platformStack} has ${mountTargets}: update the platform, then re-run the tenant lifecycle`,
    );
  }
}

/** The ALB shard of the tenant's listener slot; BbwsError (invalidInput) when the platform has no such shard. */
export function tenantShard(
  platform: PlatformContract,
  spec: TenantSpec,
  platformStack: string,
): IngressShard {
  const shards = platform.ingress.shards;
  const shard = shards[spec.listener.shard];
  if (shard) return shard;
  throw new BbwsError(
    "invalidInput",
    `tenant ${spec.id} lives on ALB shard ${spec.listener.shard}, but ${platformStack} has ${shards.length} ` +
      `HTTPS listeners (shards 0-${shards.length - 1}); raise bbws:albShards and update the platform first`,
  );
}
