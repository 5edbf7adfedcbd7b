/**
 * Images: an ECR repository for the team's own WordPress images (scan on push, immutable tags,
 * lifecycle) and a pull-through cache of ECR Public, so the official image is pulled from
 * inside the region and survives Docker Hub rate limits.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Tags, withComponent } from "../tags";

export interface ImageRegistryArgs {
  readonly environment: string;
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly tags: Tags;
}

export interface ImageRegistry {
  readonly repository: aws.ecr.Repository;
  /** The role ECR assumes to create the pull-through cache's repositories (KMS key, tags). */
  readonly templateRole: aws.iam.Role;
  /** Repository prefix under which the pull-through cache serves ECR Public images. */
  readonly pullThroughPrefix: string;
}

/** Keep the 50 newest tagged images; drop untagged layers after a week. */
export const REPOSITORY_LIFECYCLE = JSON.stringify({
  rules: [
    {
      rulePriority: 1,
      description: "Expire untagged images after 7 days",
      selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 },
      action: { type: "expire" },
    },
    {
      rulePriority: 2,
      description: "Keep the 50 most recent images",
      selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 50 },
      action: { type: "expire" },
    },
  ],
});

/** Repository prefix of the environment's pull-through cache of ECR Public. */
export function pullThroughCachePrefix(environment: string): string {
  return `bbws-${environment}-ecr-public`;
}

export function createImageRegistry(
  name: string,
  args: ImageRegistryArgs,
  parent: pulumi.Resource,
): ImageRegistry {
  const tags = withComponent(args.tags, "ecr");
  const repository = new aws.ecr.Repository(
    `${name}-wordpress-repo`,
    {
      name: `bbws/${args.environment}/wordpress`,
      imageScanningConfiguration: { scanOnPush: true },
      // Immutable tags make a rollback deterministic: a tag always names the same image.
      imageTagMutability: "IMMUTABLE",
      encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: args.kmsKeyArn }],
      tags,
    },
    { parent },
  );
  new aws.ecr.LifecyclePolicy(
    `${name}-wordpress-repo-lifecycle`,
    { repository: repository.name, policy: REPOSITORY_LIFECYCLE },
    { parent },
  );

  const pullThroughPrefix = pullThroughCachePrefix(args.environment);
  new aws.ecr.PullThroughCacheRule(
    `${name}-ecr-public-cache`,
    { ecrRepositoryPrefix: pullThroughPrefix, upstreamRegistryUrl: "public.ecr.aws" },
    { parent },
  );
  const templateRole = createTemplateRole(name, repository, pullThroughPrefix, args, parent);
  // Repositories the cache creates on first pull get KMS encryption and a lifecycle. Their
  // tags stay mutable on purpose: they mirror upstream tags such as 6.8-php8.3-apache, which move.
  // A template that sets a KMS key or resource tags needs a role ECR assumes to create the
  // repositories (customRoleArn); without it every first pull, and so every task start, fails.
  new aws.ecr.RepositoryCreationTemplate(
    `${name}-ecr-public-cache-template`,
    {
      prefix: pullThroughPrefix,
      appliedFors: ["PULL_THROUGH_CACHE"],
      description: "BBWS pull-through cache of ECR Public",
      encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: args.kmsKeyArn }],
      imageTagMutability: "MUTABLE",
      lifecyclePolicy: REPOSITORY_LIFECYCLE,
      resourceTags: tags,
      customRoleArn: templateRole.arn,
    },
    { parent },
  );
  return { repository, templateRole, pullThroughPrefix };
}

/**
 * The role of the repository creation template (ECR User Guide, "IAM role for repository
 * creation templates"): trusted by ECR for this account only, allowed to create and tag
 * repositories under the cache's prefix and to use the data key for them.
 */
function createTemplateRole(
  name: string,
  repository: aws.ecr.Repository,
  prefix: string,
  args: ImageRegistryArgs,
  parent: pulumi.Resource,
): aws.iam.Role {
  // The cache's repositories live beside the environment's own: same partition, region, account.
  const cacheRepositories = repository.arn.apply((arn) =>
    arn.replace(/repository\/.*$/, `repository/${prefix}/*`),
  );
  const accountId = repository.arn.apply((arn) => arn.split(":")[4]);
  const role = new aws.iam.Role(
    `${name}-ecr-template-role`,
    {
      description: `BBWS ${args.environment}: ECR creates the pull-through cache's repositories`,
      assumeRolePolicy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "ecr.amazonaws.com" },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "aws:SourceAccount": accountId } },
          },
        ],
      }),
      tags: withComponent(args.tags, "ecr"),
    },
    { parent },
  );
  new aws.iam.RolePolicy(
    `${name}-ecr-template-policy`,
    {
      role: role.name,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "CreateCacheRepositories",
            Effect: "Allow",
            Action: ["ecr:CreateRepository", "ecr:ReplicateImage", "ecr:TagResource"],
            Resource: cacheRepositories,
          },
          {
            Sid: "EncryptThemWithTheDataKey",
            Effect: "Allow",
            Action: ["kms:CreateGrant", "kms:RetireGrant", "kms:DescribeKey"],
            Resource: args.kmsKeyArn,
          },
        ],
      }),
    },
    { parent },
  );
  return role;
}
