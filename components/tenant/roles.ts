/**
 * A tenant's two IAM roles: the execution role ECS uses to start its tasks, and the task role
 * WordPress runs as. Separate roles (CKV_AWS_249), each with one inline policy naming only
 * this tenant's resources.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { TenantSpec } from "../../config/tenantSpec";
import { Tags, withComponent } from "../tags";
import { pullThroughCachePrefix } from "../shared/imageRegistry";
import { ecsTasksTrustPolicy, executionPolicy, taskPolicy } from "./iamPolicies";
import { TenantPlatform } from "./platformInputs";

/** What the roles read. */
export interface TenantRolesArgs {
  /** The tenant id (its log stream prefix) and environment (its pull-through cache prefix). */
  readonly spec: Pick<TenantSpec, "id" | "environment">;
  /** Account, region and the platform resources the roles may use: key, logs, images, file system. */
  readonly platform: Pick<
    TenantPlatform,
    "region" | "accountId" | "partition" | "keys" | "observability" | "image" | "storage"
  >;
  /** The tenant's own secrets: the only ones the execution role may read. */
  readonly secretArns: pulumi.Input<string>[];
  /** The tenant's own SSM SecureString parameters: the only ones the execution role may read. */
  readonly parameterArns: pulumi.Input<string>[];
  /** The tenant's access point: the only way the task role may mount the file system. */
  readonly accessPointArn: pulumi.Input<string>;
  /** Tags of the tenant; `bbws:component` is added. */
  readonly tags: Tags;
}

/** The tenant's two roles. */
export interface TenantRoles {
  readonly executionRole: aws.iam.Role;
  readonly taskRole: aws.iam.Role;
  /** Their inline policies: a one-off task started before they exist cannot read its secrets. */
  readonly policies: aws.iam.RolePolicy[];
}

/** Creates the execution role and the task role, each with its one inline policy. */
export function createTenantRoles(name: string, args: TenantRolesArgs, parent: pulumi.Resource): TenantRoles {
  const { spec, platform } = args;
  const tags = withComponent(args.tags, "iam");
  const region = platform.region;
  const pullThroughPrefix = pullThroughCachePrefix(spec.environment);
  const trust = pulumi
    .all([platform.accountId, platform.partition])
    .apply(([accountId, partition]) => ecsTasksTrustPolicy({ accountId, partition, region }));

  const executionRole = new aws.iam.Role(
    `${name}-exec-role`,
    { assumeRolePolicy: trust, description: `ECS execution role of WordPress tenant ${spec.id}`, tags },
    { parent },
  );
  const executionPolicyResource = new aws.iam.RolePolicy(
    `${name}-exec-policy`,
    {
      role: executionRole.name,
      policy: pulumi
        .all([
          pulumi.all(args.secretArns),
          pulumi.all(args.parameterArns),
          platform.keys.dataKeyArn,
          platform.observability.logGroupArn,
          platform.image.repositoryArn,
          platform.accountId,
          platform.partition,
        ])
        .apply(([secretArns, parameterArns, dataKeyArn, logGroupArn, repositoryArn, accountId, partition]) =>
          executionPolicy({
            tenantId: spec.id,
            region,
            secretArns,
            parameterArns,
            dataKeyArn,
            logGroupArn,
            repositoryArns: [repositoryArn],
            pullThroughRepositoryArn: `arn:${partition}:ecr:${region}:${accountId}:repository/${pullThroughPrefix}/*`,
          }),
        ),
    },
    { parent },
  );

  const taskRole = new aws.iam.Role(
    `${name}-task-role`,
    { assumeRolePolicy: trust, description: `Task role of WordPress tenant ${spec.id}`, tags },
    { parent },
  );
  const taskPolicyResource = new aws.iam.RolePolicy(
    `${name}-task-policy`,
    {
      role: taskRole.name,
      policy: pulumi
        .all([platform.storage.fileSystemArn, args.accessPointArn])
        .apply(([fileSystemArn, accessPointArn]) => taskPolicy({ fileSystemArn, accessPointArn })),
    },
    { parent },
  );
  return { executionRole, taskRole, policies: [executionPolicyResource, taskPolicyResource] };
}
