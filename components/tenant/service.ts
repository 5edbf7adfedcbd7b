/**
 * The tenant's ECS service and its Cloud Map registration.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CapacityProviderShare } from "../../config/presets";
import { Tags, withComponent } from "../tags";
import { CONTAINER_NAME } from "./containerDefinition";

export interface TenantServiceArgs {
  readonly tenantId: string;
  readonly serviceName: string;
  readonly clusterArn: pulumi.Input<string>;
  readonly taskDefinitionArn: pulumi.Input<string>;
  readonly desiredCount: number;
  readonly capacityStrategy: readonly CapacityProviderShare[];
  readonly subnetIds: pulumi.Input<string[]>;
  readonly securityGroupId: pulumi.Input<string>;
  readonly targetGroupArn: pulumi.Input<string>;
  readonly namespaceId: pulumi.Input<string>;
  readonly healthCheckGracePeriodSeconds: number;
  /** Resources the service must wait for (the listener rule, the EFS mount targets). */
  readonly dependsOn: pulumi.Resource[];
  readonly tags: Tags;
}

export function createTenantService(
  name: string,
  a: TenantServiceArgs,
  parent: pulumi.Resource,
): aws.ecs.Service {
  const discovery = new aws.servicediscovery.Service(
    `${name}-discovery`,
    {
      name: a.tenantId,
      namespaceId: a.namespaceId,
      dnsConfig: {
        namespaceId: a.namespaceId,
        routingPolicy: "MULTIVALUE",
        dnsRecords: [{ type: "A", ttl: 10 }],
      },
      tags: withComponent(a.tags, "discovery"),
    },
    { parent },
  );
  return new aws.ecs.Service(
    `${name}-service`,
    {
      name: a.serviceName,
      cluster: a.clusterArn,
      taskDefinition: a.taskDefinitionArn,
      desiredCount: a.desiredCount,
      capacityProviderStrategies: a.capacityStrategy.map((s) => ({ ...s })),
      platformVersion: "LATEST",
      networkConfiguration: {
        subnets: a.subnetIds,
        securityGroups: [a.securityGroupId],
        assignPublicIp: false,
      },
      loadBalancers: [{ targetGroupArn: a.targetGroupArn, containerName: CONTAINER_NAME, containerPort: 80 }],
      // A records with awsvpc: no container name or port (those are for SRV records).
      serviceRegistries: { registryArn: discovery.arn },
      deploymentCircuitBreaker: { enable: true, rollback: true },
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      healthCheckGracePeriodSeconds: a.healthCheckGracePeriodSeconds,
      // aws.ecs.Service returns before tasks are healthy unless told to wait.
      waitForSteadyState: true,
      availabilityZoneRebalancing: "ENABLED",
      propagateTags: "SERVICE",
      enableEcsManagedTags: true,
      enableExecuteCommand: false,
      tags: withComponent(a.tags, "ecs"),
    },
    // Autoscaling and schedules own the task count once the service exists.
    { parent, dependsOn: a.dependsOn, ignoreChanges: ["desiredCount"] },
  );
}
