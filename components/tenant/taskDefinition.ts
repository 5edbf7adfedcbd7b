/**
 * The tenant's task definitions: the service's (WordPress and the cron timer, containerDefinition.ts)
 * sized from the spec, on ARM64, with wp-content on the shared file system through the tenant's
 * access point; and the one-off install task's (installTask.ts runs it), with the same image,
 * configuration and mount, and the administrator's password parameter, which the service never gets.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as naming from "../../config/naming";
import { TenantSpec } from "../../config/tenantSpec";
import { Tags, withComponent } from "../tags";
import {
  CONTENT_VOLUME,
  ContainerDefinitionArgs,
  installContainerDefinitions,
  resolveImage,
  wordpressContainerDefinitions,
} from "./containerDefinition";
import { TenantPlatform } from "./platformInputs";

/** What the task definition reads. */
export interface TenantTaskArgs {
  /** Family, size, image override and primary host. */
  readonly spec: Pick<TenantSpec, "id" | "environment" | "size" | "image" | "hosts" | "runtime">;
  /** Region, file system, database endpoint, log group and images of the platform. */
  readonly platform: Pick<TenantPlatform, "region" | "storage" | "database" | "observability" | "image">;
  readonly executionRoleArn: pulumi.Input<string>;
  readonly taskRoleArn: pulumi.Input<string>;
  /** The tenant's access point: the only directory its tasks mount. */
  readonly accessPointId: pulumi.Input<string>;
  readonly databaseSecretArn: pulumi.Input<string>;
  readonly wordpressKeysSecretArn: pulumi.Input<string>;
  /** The administrator's password parameter (SSM SecureString): only the install task gets it. */
  readonly adminPasswordParameterArn: pulumi.Input<string>;
  /** SMTP credentials for SES. @default - no mail transport (the spec has no mail) */
  readonly smtpSecretArn?: pulumi.Input<string>;
  /** Tags of the tenant; `bbws:component` is added. */
  readonly tags: Tags;
}

/** Size of the install task: PHP CLI and one WordPress load, the smallest Fargate size. */
export const INSTALL_TASK_SIZE = { cpu: 256, memory: 512 } as const;

/** Task definition family of the tenant's install task. */
export function installTaskFamily(environment: string, tenantId: string): string {
  return `${naming.taskFamily(environment, tenantId)}-install`;
}

/** The task definition and what it runs. */
export interface TenantTask {
  readonly taskDefinition: aws.ecs.TaskDefinition;
  /** Task definition family (stable across revisions). */
  readonly family: string;
  /** Image reference the container runs. */
  readonly image: pulumi.Output<string>;
  /** The one-off install task (runtime/bin/bbws-install). */
  readonly installTaskDefinition: aws.ecs.TaskDefinition;
}

/** Creates the task definition. */
export function createTenantTask(name: string, args: TenantTaskArgs, parent: pulumi.Resource): TenantTask {
  const { spec, platform } = args;
  const image = pulumi
    .all([platform.image.repositoryUrl, platform.image.defaultImage])
    .apply(([repositoryUrl, defaultImage]) => resolveImage(spec.image, repositoryUrl, defaultImage));
  const family = naming.taskFamily(spec.environment, spec.id);
  const containerArgs = pulumi
    .all([
      image,
      platform.database.endpoint,
      platform.database.port,
      args.databaseSecretArn,
      args.wordpressKeysSecretArn,
      platform.observability.logGroupName,
      args.smtpSecretArn,
    ])
    .apply(([img, host, port, dbSecret, keysSecret, logGroup, smtpSecret]): ContainerDefinitionArgs => ({
      tenantId: spec.id,
      environment: spec.environment,
      image: img,
      primaryHost: spec.hosts[0],
      databaseHost: host,
      databasePort: port,
      databaseName: naming.databaseName(spec.id),
      databaseSecretArn: dbSecret,
      wordpressKeysSecretArn: keysSecret,
      smtpSecretArn: smtpSecret,
      logGroupName: logGroup,
      region: platform.region,
      runtime: spec.runtime,
    }));
  const volumes = [
    {
      name: CONTENT_VOLUME,
      // No rootDirectory: the access point decides the directory.
      efsVolumeConfiguration: {
        fileSystemId: platform.storage.fileSystemId,
        transitEncryption: "ENABLED",
        authorizationConfig: { accessPointId: args.accessPointId, iam: "ENABLED" },
      },
    },
  ];
  const common = {
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    // The official image is multi-architecture; Graviton is ~20% cheaper per vCPU-hour.
    runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "ARM64" },
    executionRoleArn: args.executionRoleArn,
    taskRoleArn: args.taskRoleArn,
    volumes,
  };
  const taskDefinition = new aws.ecs.TaskDefinition(
    `${name}-task`,
    {
      ...common,
      family,
      cpu: String(spec.size.cpu),
      memory: String(spec.size.memory),
      containerDefinitions: containerArgs.apply((a) => JSON.stringify(wordpressContainerDefinitions(a))),
      tags: withComponent(args.tags, "ecs"),
    },
    { parent },
  );
  const installTaskDefinition = new aws.ecs.TaskDefinition(
    `${name}-install-task`,
    {
      ...common,
      family: installTaskFamily(spec.environment, spec.id),
      cpu: String(INSTALL_TASK_SIZE.cpu),
      memory: String(INSTALL_TASK_SIZE.memory),
      containerDefinitions: pulumi
        .all([containerArgs, args.adminPasswordParameterArn])
        .apply(([a, adminPasswordParameterArn]) =>
          JSON.stringify(installContainerDefinitions({ ...a, adminPasswordParameterArn })),
        ),
      tags: withComponent(args.tags, "install"),
    },
    { parent },
  );
  return { taskDefinition, family, image, installTaskDefinition };
}
