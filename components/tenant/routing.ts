/**
 * How requests reach a tenant: its target group (ip targets, WordPress-aware health check)
 * and a host-header rule on its ALB shard's HTTPS listener.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Tags, withComponent } from "../tags";

export interface TenantRoutingArgs {
  readonly vpcId: pulumi.Input<string>;
  readonly listenerArn: pulumi.Input<string>;
  readonly hosts: readonly string[];
  /** Allocated from the registry; unique on the listener and never recomputed. */
  readonly priority: number;
  readonly tags: Tags;
}

/** Target group health check: wp-login.php exercises PHP and the database; before installation it redirects. */
export const TARGET_HEALTH_CHECK = {
  enabled: true,
  path: "/wp-login.php",
  matcher: "200,302",
  interval: 30,
  timeout: 10,
  healthyThreshold: 2,
  unhealthyThreshold: 3,
} as const;

/** Shorter than Spot's two-minute warning, so draining finishes before the task is taken. */
export const DEREGISTRATION_DELAY_SECONDS = 60;

export function createTenantRouting(
  name: string,
  args: TenantRoutingArgs,
  parent: pulumi.Resource,
): { targetGroup: aws.lb.TargetGroup; rule: aws.lb.ListenerRule } {
  const tags = withComponent(args.tags, "ingress");
  const targetGroup = new aws.lb.TargetGroup(
    `${name}-tg`,
    {
      port: 80,
      protocol: "HTTP",
      protocolVersion: "HTTP1",
      targetType: "ip",
      vpcId: args.vpcId,
      deregistrationDelay: DEREGISTRATION_DELAY_SECONDS,
      healthCheck: { ...TARGET_HEALTH_CHECK, protocol: "HTTP" },
      tags,
    },
    { parent },
  );
  const rule = new aws.lb.ListenerRule(
    `${name}-rule`,
    {
      listenerArn: args.listenerArn,
      priority: args.priority,
      conditions: [{ hostHeader: { values: [...args.hosts] } }],
      actions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
      tags,
    },
    { parent },
  );
  return { targetGroup, rule };
}
