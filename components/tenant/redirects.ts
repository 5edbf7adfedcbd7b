/**
 * The canonical host: requests for any host of a tenant other than its primary one answer
 * `301` to `https://<primary><path>?<query>` at the load balancer, so WordPress only ever sees
 * its primary host (one set of links and cookies). One rule for all the other hosts (a rule
 * takes up to 5 host values), at the tenant's priority plus REDIRECT_PRIORITY_OFFSET.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { REDIRECT_PRIORITY_OFFSET } from "../../config/edgeHosts";
import { TenantSpec } from "../../config/tenantSpec";
import { Tags, withComponent } from "../tags";

/** What the redirect reads. */
export interface HostRedirectArgs {
  readonly spec: Pick<TenantSpec, "hosts" | "primaryHost" | "listener">;
  /** HTTPS listener of the tenant's shard. */
  readonly listenerArn: pulumi.Input<string>;
  /** What must exist first (the tenant certificate: the redirect is served over TLS too). */
  readonly dependsOn: readonly pulumi.Resource[];
  readonly tags: Tags;
}

/** The redirect action to the primary host, keeping path and query. */
export function redirectToPrimary(primaryHost: string): aws.types.input.lb.ListenerRuleAction {
  return {
    type: "redirect",
    redirect: {
      host: primaryHost,
      protocol: "HTTPS",
      port: "443",
      path: "/#{path}",
      query: "#{query}",
      statusCode: "HTTP_301",
    },
  };
}

/** Creates the redirect rule, or returns undefined for a tenant with one host. */
export function createHostRedirect(
  name: string,
  args: HostRedirectArgs,
  parent: pulumi.Resource,
): aws.lb.ListenerRule | undefined {
  const others = args.spec.hosts.filter((h) => h !== args.spec.primaryHost);
  if (others.length === 0) return undefined;
  return new aws.lb.ListenerRule(
    `${name}-redirect-rule`,
    {
      listenerArn: args.listenerArn,
      priority: args.spec.listener.priority + REDIRECT_PRIORITY_OFFSET,
      conditions: [{ hostHeader: { values: others } }],
      actions: [redirectToPrimary(args.spec.primaryHost)],
      tags: withComponent(args.tags, "ingress"),
    },
    { parent, dependsOn: [...args.dependsOn] },
  );
}
