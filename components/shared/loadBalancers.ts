/**
 * The environment's ALB shards. An ALB holds at most 100 target groups (not adjustable), so
 * with one target group per tenant the platform runs several ALBs and each tenant's registry
 * entry keeps the shard it lives on. Each shard: HTTPS listener with a TLS 1.3 policy and a
 * fixed 404 for unknown hosts and HSTS on every response, HTTP listener that only redirects to
 * HTTPS, and (when enabled) a web application firewall (webFirewall.ts).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Tags, withComponent } from "../tags";
import { WebFirewall, createWebFirewall } from "./webFirewall";

/**
 * `Strict-Transport-Security` on every HTTPS response (ALB response header setting): one year,
 * without includeSubDomains, because a customer's apex host would force HTTPS on subdomains the
 * platform does not serve.
 */
export const HSTS_HEADER = "max-age=31536000";

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
  /** A web ACL per shard. @default - none */
  readonly firewall?: {
    readonly rateLimit: number;
    readonly xmlrpcAllowedHosts: readonly string[];
    readonly logRetentionDays: number;
    readonly telemetryKeyArn: pulumi.Input<string>;
  };
}

/** One ALB with its two listeners. */
export interface LoadBalancerShard {
  readonly loadBalancer: aws.lb.LoadBalancer;
  readonly httpsListener: aws.lb.Listener;
  readonly httpListener: aws.lb.Listener;
  /** The shard's web firewall, when enabled. */
  readonly firewall?: WebFirewall;
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
        routingHttpResponseStrictTransportSecurityHeaderValue: HSTS_HEADER,
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
    const firewall = args.firewall
      ? createWebFirewall(
          prefix,
          {
            loadBalancerArn: loadBalancer.arn,
            aclName: prefix,
            rateLimit: args.firewall.rateLimit,
            xmlrpcAllowedHosts: args.firewall.xmlrpcAllowedHosts,
            logRetentionDays: args.firewall.logRetentionDays,
            telemetryKeyArn: args.firewall.telemetryKeyArn,
            tags: args.tags,
          },
          parent,
        )
      : undefined;
    shards.push({ loadBalancer, httpsListener, httpListener, firewall });
  }
  return shards;
}
