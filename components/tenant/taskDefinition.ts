/**
 * The tenant's task definition: the WordPress container (containerDefinition.ts) sized from
 * the spec, on ARM64, with wp-content on the shared file system through the tenant's access
 * point.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as naming from "../../config/naming";
import { TenantSpec } from "../../config/tenantSpec";
import { Tags, withComponent } from "../tags";
import { CONTENT_VOLUME, resolveImage, wordpressContainerDefinitions } from "./containerDefinition";
import { TenantPlatform } from "./platformInputs";

/** What the task definition reads. */
export interface TenantTaskArgs {
  /** Family, size, image override and primary host. */
  readonly spec: Pick<TenantSpec, "id" | "environment" | "size" | "image" | "hosts">;
  /** Region, file system, database endpoint, log group and images of the platform. */
  readonly platform: Pick<TenantPlatform, "region" | "storage" | "database" | "observability" | "image">;
  readonly executionRoleArn: pulumi.Input<string>;
  readonly taskRoleArn: pulumi.Input<string>;
  /** The tenant's access point: the only directory its tasks mount. */
  readonly accessPointId: pulumi.Input<string>;
  readonly databaseSecretArn: pulumi.Input<string>;
  readonly wordpressKeysSecretArn: pulumi.Input<string>;
  /** Tags of the tenant; `bbws:component` is added. */
  readonly tags: Tags;
}

/** The task definition and what it runs. */
export interface TenantTask {
  readonly taskDefinition: aws.ecs.TaskDefinition;
  /** Task definition family (stable across revisions). */
  readonly family: string;
  /** Image reference the container runs. */
  readonly image: pulumi.Output<string>;
}

/** Creates the task definition. */
export function createTenantTask(name: string, args: TenantTaskArgs, parent: pulumi.Resource): TenantTask {
  const { spec, platform } = args;
  const image = pulumi
    .all([platform.image.repositoryUrl, platform.image.defaultImage])
    .apply(([repositoryUrl, defaultImage]) => resolveImage(spec.image, repositoryUrl, defaultImage));
  const family = naming.taskFamily(spec.environment, spec.id);
  const taskDefinition = new aws.ecs.TaskDefinition(
    `${name}-task`,
    {
      family,
      cpu: String(spec.size.cpu),
      memory: String(spec.size.memory),
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      // The official image is multi-architecture; Graviton is ~20% cheaper per vCPU-hour.
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "ARM64" },
      executionRoleArn: args.executionRoleArn,
      taskRoleArn: args.taskRoleArn,
      containerDefinitions: pulumi
        .all([
          image,
          platform.database.endpoint,
          platform.database.port,
          args.databaseSecretArn,
          args.wordpressKeysSecretArn,
          platform.observability.logGroupName,
        ])
        .apply(([img, host, port, dbSecret, keysSecret, logGroup]) =>
          JSON.stringify(
            wordpressContainerDefinitions({
              tenantId: spec.id,
              image: img,
              primaryHost: spec.hosts[0],
              databaseHost: host,
              databasePort: port,
              databaseName: naming.databaseName(spec.id),
              databaseSecretArn: dbSecret,
              wordpressKeysSecretArn: keysSecret,
              logGroupName: logGroup,
              region: platform.region,
            }),
          ),
        ),
      volumes: [
        {
          name: CONTENT_VOLUME,
          // No rootDirectory: the access point decides the directory.
          efsVolumeConfiguration: {
            fileSystemId: platform.storage.fileSystemId,
            transitEncryption: "ENABLED",
            authorizationConfig: { accessPointId: args.accessPointId, iam: "ENABLED" },
          },
        },
      ],
      tags: withComponent(args.tags, "ecs"),
    },
    { parent },
  );
  return { taskDefinition, family, image };
}
