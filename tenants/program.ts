/**
 * The tenant stack program: what `pulumi up` of stack `<env>.<tenant>` runs. The tenant
 * lifecycle runs it as an Automation API inline program; `npm run plan` runs it offline.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { TenantWordPress } from "../components/tenantWordPress";
import { providerDefaultTags } from "../components/tags";
import { TenantPlatformInputs } from "../components/tenant/platformInputs";
import { readTenantStackConfig } from "./stackConfig";
import { TenantOutputs } from "../config/tenantOutputs";
import * as naming from "../config/naming";

export function tenantStackProgram(): TenantOutputs {
  const config = readTenantStackConfig();
  const { tenant } = config;
  const platform = new pulumi.StackReference("platform", { name: config.platformStack });
  const output = <T>(key: string) => platform.requireOutput(key) as pulumi.Output<T>;

  const shard = tenant.listener.shard;
  const pick = (key: string, what: string) =>
    output<string[]>(key).apply((values) => {
      if (shard >= values.length) {
        throw new Error(
          `tenant ${tenant.id} lives on ALB shard ${shard}, but ${config.platformStack} has ${values.length} ${what}`,
        );
      }
      return values[shard];
    });

  const inputs: TenantPlatformInputs = {
    region: config.region,
    accountId: output("accountId"),
    partition: output("partition"),
    vpcId: output("vpcId"),
    privateSubnetIds: output("privateSubnetIds"),
    clusterArn: output("clusterArn"),
    clusterName: output("clusterName"),
    listenerArn: pick("httpsListenerArns", "HTTPS listeners"),
    loadBalancerArnSuffix: pick("loadBalancerArnSuffixes", "load balancers"),
    taskSecurityGroupId: output("taskSecurityGroupId"),
    fileSystemId: output("fileSystemId"),
    fileSystemArn: output("fileSystemArn"),
    mountTargetIds: Array.from({ length: tenant.availabilityZones }, (_, az) =>
      output<string[]>("mountTargetIds").apply((ids) => ids[az]),
    ),
    databaseClusterArn: output("databaseClusterArn"),
    databaseMasterSecretArn: output("databaseMasterSecretArn"),
    databaseEndpoint: output("databaseEndpoint"),
    databasePort: output("databasePort"),
    logGroupName: output("logGroupName"),
    logGroupArn: output("logGroupArn"),
    namespaceId: output("namespaceId"),
    dataKeyArn: output("dataKeyArn"),
    repositoryUrl: output("repositoryUrl"),
    repositoryArn: output("repositoryArn"),
    defaultImage: output("defaultImage"),
    alarmTopicArn: output("alarmTopicArn"),
  };

  const provider = new aws.Provider("aws", {
    region: config.region,
    defaultTags: { tags: providerDefaultTags(tenant.environment, tenant.id) },
  });
  const site = new TenantWordPress(
    tenant.id,
    { tenant, platform: inputs, dropDatabaseOnDelete: config.dropDataOnDestroy },
    { provider },
  );

  return {
    tenantId: tenant.id,
    environment: tenant.environment,
    hosts: tenant.hosts,
    clusterName: inputs.clusterName,
    serviceName: site.serviceName,
    serviceArn: site.serviceArn,
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
  };
}
