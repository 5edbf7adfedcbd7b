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
  // Repositories the cache creates on first pull get KMS encryption and a lifecycle. Their
  // tags stay mutable on purpose: they mirror upstream tags such as 6.8-php8.3-apache, which move.
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
    },
    { parent },
  );
  return { repository, pullThroughPrefix };
}
