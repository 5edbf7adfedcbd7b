/**
 * The environment's ALB shards. An ALB holds at most 100 target groups (not adjustable), so
 * with one target group per tenant the platform runs several ALBs and each tenant's registry
 * entry keeps the shard it lives on. Each shard: HTTPS listener with a TLS 1.3 policy and a
 * fixed 404 for unknown hosts, HTTP listener that only redirects to HTTPS.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Tags, withComponent } from "../tags";

/** TLS 1.3 with TLS 1.2 fallback and restricted ciphers (accepted by Security Hub ELB.17). */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06";

export interface LoadBalancerShardArgs {
  readonly shards: number;
  readonly publicSubnetIds: pulumi.Input<string[]>;
  readonly securityGroupId: pulumi.Input<string>;
  readonly certificateArn: pulumi.Input<string>;
  readonly deletionProtection: boolean;
  readonly accessLogBucket: pulumi.Input<string>;
  readonly tags: Tags;
}

/** One ALB with its two listeners. */
export interface LoadBalancerShard {
  readonly loadBalancer: aws.lb.LoadBalancer;
  readonly httpsListener: aws.lb.Listener;
  readonly httpListener: aws.lb.Listener;
}

/** Creates `shards` ALBs; shard i is named `<name>-alb-<i>` so adding shards never renames one. */
export function createLoadBalancerShards(
  name: string,
  args: LoadBalancerShardArgs,
  parent: pulumi.Resource,
): LoadBalancerShard[] {
  const shards: LoadBalancerShard[] = [];
  for (let shard = 0; shard < args.shards; shard++) {
    const prefix = `${name}-alb-${shard}`;
    const tags = withComponent(args.tags, "ingress", { "bbws:alb-shard": String(shard) });
    const loadBalancer = new aws.lb.LoadBalancer(
      prefix,
      {
        loadBalancerType: "application",
        internal: false,
        subnets: args.publicSubnetIds,
        securityGroups: [args.securityGroupId],
        dropInvalidHeaderFields: true,
        desyncMitigationMode: "defensive",
        enableHttp2: true,
        idleTimeout: 60,
        enableDeletionProtection: args.deletionProtection,
        accessLogs: { bucket: args.accessLogBucket, prefix: "alb", enabled: true },
        tags,
      },
      { parent, protect: args.deletionProtection },
    );
    const httpsListener = new aws.lb.Listener(
      `${prefix}-https`,
      {
        loadBalancerArn: loadBalancer.arn,
        port: 443,
        protocol: "HTTPS",
        sslPolicy: TLS_POLICY,
        certificateArn: args.certificateArn,
        defaultActions: [
          {
            type: "fixed-response",
            fixedResponse: {
              statusCode: "404",
              contentType: "text/plain",
              messageBody: "No site is configured for this host name.",
            },
          },
        ],
        tags,
      },
      { parent },
    );
    const httpListener = new aws.lb.Listener(
      `${prefix}-http`,
      {
        loadBalancerArn: loadBalancer.arn,
        port: 80,
        protocol: "HTTP",
        defaultActions: [
          { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
        ],
        tags,
      },
      { parent },
    );
    shards.push({ loadBalancer, httpsListener, httpListener });
  }
  return shards;
}
