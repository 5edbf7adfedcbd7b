/**
 * How requests reach a tenant: its target group (ip targets, WordPress-aware health check)
 * and a host-header rule for its primary host on its ALB shard's HTTPS listener (its other
 * hosts redirect to it: redirects.ts).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { TARGET_GROUP_SUFFIX } from "../../config/awsNames";
import { TenantSpec } from "../../config/tenantSpec";
import { Tags, withComponent } from "../tags";
import { TenantPlatform } from "./platformInputs";
import { HEALTH_CHECK_PATHS } from "./containerDefinition";

/** What the routing reads. */
export interface TenantRoutingArgs {
  /** The primary host the rule matches, and the rule priority of its listener slot (unique on the listener). */
  readonly spec: Pick<TenantSpec, "hosts" | "primaryHost" | "listener" | "runtime">;
  /** The VPC of the target group, and the shard whose HTTPS listener gets the rule. */
  readonly platform: Pick<TenantPlatform, "network" | "shard">;
  /** Tags of the tenant; `bbws:component` is added. */
  readonly tags: Tags;
  /** What must exist before the rule forwards traffic (the provisioning install). @default [] */
  readonly ruleDependsOn?: pulumi.Resource[];
  /**
   * What the rule waits for: the tenant certificate's validation and listener attachment, so
   * no visitor is routed before the right certificate is served. @default []
   */
  readonly certificateReady?: readonly pulumi.Resource[];
  /**
   * Whether the primary host is served: false while its certificate waits for the customer's
   * DNS (config/certificatePlan.ts), and then there is no rule. @default true
   */
  readonly serve?: boolean;
}

/**
 * Target group health check: a static file (HEALTH_CHECK_PATHS), never PHP or the shared
 * database, so a database incident raises the deep-check alarm instead of replacing every
 * tenant's tasks. The path depends on the image flavour.
 */
export const TARGET_HEALTH_CHECK = {
  enabled: true,
  path: HEALTH_CHECK_PATHS.bbws,
  matcher: "200",
  interval: 30,
  timeout: 10,
  healthyThreshold: 2,
  unhealthyThreshold: 3,
} as const;

/** Shorter than Spot's two-minute warning, so draining finishes before the task is taken. */
export const DEREGISTRATION_DELAY_SECONDS = 60;

/** The tenant's target group and, when it is served, its host rule on the shard's HTTPS listener. */
export function createTenantRouting(
  name: string,
  args: TenantRoutingArgs,
  parent: pulumi.Resource,
): { targetGroup: aws.lb.TargetGroup; rule?: aws.lb.ListenerRule } {
  const tags = withComponent(args.tags, "ingress");
  const targetGroup = new aws.lb.TargetGroup(
    // Auto-named `<id>-tg-<7 hex>`: 32 characters at most, which bounds tenant ids (awsNames.ts).
    `${name}${TARGET_GROUP_SUFFIX}`,
    {
      port: 80,
      protocol: "HTTP",
      protocolVersion: "HTTP1",
      targetType: "ip",
      vpcId: args.platform.network.vpcId,
      deregistrationDelay: DEREGISTRATION_DELAY_SECONDS,
      healthCheck: {
        ...TARGET_HEALTH_CHECK,
        path: HEALTH_CHECK_PATHS[args.spec.runtime.flavour],
        protocol: "HTTP",
      },
      tags,
    },
    { parent },
  );
  if (args.serve === false) return { targetGroup };
  const rule = new aws.lb.ListenerRule(
    `${name}-rule`,
    {
      listenerArn: args.platform.shard.listenerArn,
      priority: args.spec.listener.priority,
      conditions: [{ hostHeader: { values: [args.spec.primaryHost] } }],
      actions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
      tags,
    },
    { parent, dependsOn: [...(args.ruleDependsOn ?? []), ...(args.certificateReady ?? [])] },
  );
  return { targetGroup, rule };
}
