/**
 * S3 bucket for ALB access logs (ELB.5). ALB log delivery supports only SSE-S3 encryption, and
 * in regions opened before August 2022 it writes as the region's Elastic Load Balancing
 * account, so the bucket policy names that account; newer regions use the service principal.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Tags, withComponent } from "../tags";

/** Elastic Load Balancing account per region (ELB user guide, "Enable access logs"). */
const ELB_ACCOUNT_BY_REGION: Readonly<Record<string, string>> = {
  "us-east-1": "127311923021",
  "us-east-2": "033677994240",
  "us-west-1": "027434742980",
  "us-west-2": "797873946194",
  "af-south-1": "098369216593",
  "ca-central-1": "985666609251",
  "eu-central-1": "054676820928",
  "eu-west-1": "156460612806",
  "eu-west-2": "652711504416",
  "eu-west-3": "009996457667",
  "eu-south-1": "635631232127",
  "eu-north-1": "897822967062",
  "ap-east-1": "754344448648",
  "ap-northeast-1": "582318560864",
  "ap-northeast-2": "600734575887",
  "ap-southeast-1": "114774131450",
  "ap-southeast-2": "783225319266",
  "ap-south-1": "718504428378",
  "me-south-1": "076674570225",
  "sa-east-1": "507241528517",
};

/** The principal that writes ALB access logs in a region. */
export function logDeliveryPrincipal(region: string, partition: string): Record<string, string> {
  const account = ELB_ACCOUNT_BY_REGION[region];
  return account
    ? { AWS: `arn:${partition}:iam::${account}:root` }
    : { Service: "logdelivery.elasticloadbalancing.amazonaws.com" };
}

export interface AccessLogBucketArgs {
  readonly region: string;
  readonly partition: pulumi.Input<string>;
  readonly accountId: pulumi.Input<string>;
  readonly retentionDays: number;
  readonly tags: Tags;
}

/** Creates the private, encrypted, expiring access-log bucket and its delivery policy. */
export function createAccessLogBucket(
  name: string,
  args: AccessLogBucketArgs,
  parent: pulumi.Resource,
): aws.s3.Bucket {
  const bucket = new aws.s3.Bucket(
    `${name}-alb-logs`,
    { tags: withComponent(args.tags, "ingress") },
    { parent },
  );
  new aws.s3.BucketPublicAccessBlock(
    `${name}-alb-logs-public-access`,
    {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    { parent },
  );
  new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-alb-logs-encryption`,
    { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
    { parent },
  );
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-alb-logs-expiry`,
    {
      bucket: bucket.id,
      rules: [
        { id: "expire-access-logs", status: "Enabled", filter: {}, expiration: { days: args.retentionDays } },
      ],
    },
    { parent },
  );
  new aws.s3.BucketPolicy(
    `${name}-alb-logs-policy`,
    {
      bucket: bucket.id,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "LoadBalancersWriteAccessLogs",
            Effect: "Allow",
            Principal: pulumi.output(args.partition).apply((p) => logDeliveryPrincipal(args.region, p)),
            Action: "s3:PutObject",
            Resource: pulumi.interpolate`${bucket.arn}/alb/AWSLogs/${args.accountId}/*`,
          },
          {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      }),
    },
    { parent },
  );
  return bucket;
}
