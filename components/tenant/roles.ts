/**
 * A tenant's two IAM roles: the execution role ECS uses to start its tasks, and the task role
 * WordPress runs as. Separate roles (CKV_AWS_249), each with one inline policy naming only
 * this tenant's resources.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Tags, withComponent } from "../tags";
import { ecsTasksTrustPolicy, executionPolicy, taskPolicy } from "./iamPolicies";

export interface TenantRolesArgs {
  readonly tenantId: string;
  readonly region: string;
  readonly accountId: pulumi.Input<string>;
  readonly partition: pulumi.Input<string>;
  readonly secretArns: pulumi.Input<string>[];
  readonly dataKeyArn: pulumi.Input<string>;
  readonly logGroupArn: pulumi.Input<string>;
  readonly repositoryArn: pulumi.Input<string>;
  /** Prefix of the pull-through cache repositories. */
  readonly pullThroughPrefix: string;
  readonly fileSystemArn: pulumi.Input<string>;
  readonly accessPointArn: pulumi.Input<string>;
  readonly tags: Tags;
}

export interface TenantRoles {
  readonly executionRole: aws.iam.Role;
  readonly taskRole: aws.iam.Role;
}

export function createTenantRoles(name: string, args: TenantRolesArgs, parent: pulumi.Resource): TenantRoles {
  const tags = withComponent(args.tags, "iam");
  const trust = pulumi
    .all([args.accountId, args.partition])
    .apply(([accountId, partition]) => ecsTasksTrustPolicy({ accountId, partition, region: args.region }));

  const executionRole = new aws.iam.Role(
    `${name}-exec-role`,
    { assumeRolePolicy: trust, description: `ECS execution role of WordPress tenant ${args.tenantId}`, tags },
    { parent },
  );
  new aws.iam.RolePolicy(
    `${name}-exec-policy`,
    {
      role: executionRole.name,
      policy: pulumi
        .all([
          pulumi.all(args.secretArns),
          args.dataKeyArn,
          args.logGroupArn,
          args.repositoryArn,
          args.accountId,
          args.partition,
        ])
        .apply(([secretArns, dataKeyArn, logGroupArn, repositoryArn, accountId, partition]) =>
          executionPolicy({
            tenantId: args.tenantId,
            region: args.region,
            secretArns,
            dataKeyArn,
            logGroupArn,
            repositoryArns: [repositoryArn],
            pullThroughRepositoryArn: `arn:${partition}:ecr:${args.region}:${accountId}:repository/${args.pullThroughPrefix}/*`,
          }),
        ),
    },
    { parent },
  );

  const taskRole = new aws.iam.Role(
    `${name}-task-role`,
    { assumeRolePolicy: trust, description: `Task role of WordPress tenant ${args.tenantId}`, tags },
    { parent },
  );
  new aws.iam.RolePolicy(
    `${name}-task-policy`,
    {
      role: taskRole.name,
      policy: pulumi
        .all([args.fileSystemArn, args.accessPointArn])
        .apply(([fileSystemArn, accessPointArn]) => taskPolicy({ fileSystemArn, accessPointArn })),
    },
    { parent },
  );
  return { executionRole, taskRole };
}
