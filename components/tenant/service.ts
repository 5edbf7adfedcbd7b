/**
 * The tenant's ECS service, and its Cloud Map registration when the spec asks for one.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as naming from "../../config/naming";
import { TenantSpec } from "../../config/tenantSpec";
import { Tags, withComponent } from "../tags";
import { CONTAINER_NAME } from "./containerDefinition";
import { TenantPlatform } from "./platformInputs";

/** What the service reads. */
export interface TenantServiceArgs {
  /** Its name, task count, capacity strategy, health check grace period, and whether it registers in Cloud Map. */
  readonly spec: Pick<
    TenantSpec,
    "id" | "desiredCount" | "capacityStrategy" | "healthCheckGracePeriodSeconds" | "serviceDiscovery"
  >;
  /** The cluster (and its Cloud Map namespace), the private subnets and the task tier's security group. */
  readonly platform: Pick<TenantPlatform, "cluster" | "network">;
  readonly taskDefinitionArn: pulumi.Input<string>;
  /** Target group the service registers its tasks in. */
  readonly targetGroupArn: pulumi.Input<string>;
  /** Resources the service must wait for (the listener rule, the database, the EFS mount targets). */
  readonly dependsOn: pulumi.Resource[];
  /** Tags of the tenant; `bbws:component` is added. */
  readonly tags: Tags;

  // --- fleet rollouts (issue 17) ---
  /** Wait for ECS steady state on create and update. @default true */
  readonly waitForSteadyState?: boolean;
}

/** Creates the service (and its Cloud Map service when `spec.serviceDiscovery` is set). */
export function createTenantService(
  name: string,
  a: TenantServiceArgs,
  parent: pulumi.Resource,
): aws.ecs.Service {
  const { spec, platform } = a;
  // Opt-in: every record in the shared namespace is readable by any task in the VPC, which
  // could then enumerate tenants and their task addresses.
  const discovery = spec.serviceDiscovery
    ? new aws.servicediscovery.Service(
        `${name}-discovery`,
        {
          name: spec.id,
          namespaceId: platform.cluster.namespaceId,
          dnsConfig: {
            namespaceId: platform.cluster.namespaceId,
            routingPolicy: "MULTIVALUE",
            dnsRecords: [{ type: "A", ttl: 10 }],
          },
          tags: withComponent(a.tags, "discovery"),
        },
        { parent },
      )
    : undefined;
  return new aws.ecs.Service(
    `${name}-service`,
    {
      name: naming.serviceName(spec.id),
      cluster: platform.cluster.arn,
      taskDefinition: a.taskDefinitionArn,
      desiredCount: spec.desiredCount,
      capacityProviderStrategies: spec.capacityStrategy.map((s) => ({ ...s })),
      platformVersion: "LATEST",
      networkConfiguration: {
        subnets: platform.network.privateSubnetIds,
        securityGroups: [platform.network.securityGroups.tasks],
        assignPublicIp: false,
      },
      loadBalancers: [{ targetGroupArn: a.targetGroupArn, containerName: CONTAINER_NAME, containerPort: 80 }],
      // A records with awsvpc: no container name or port (those are for SRV records).
      serviceRegistries: discovery ? { registryArn: discovery.arn } : undefined,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      healthCheckGracePeriodSeconds: spec.healthCheckGracePeriodSeconds,
      // aws.ecs.Service returns before tasks are healthy unless told to wait.
      waitForSteadyState: a.waitForSteadyState ?? true,
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
