/**
 * The web application firewall of one ALB shard: an AWS WAF web ACL (regional) associated with
 * the load balancer, logging to CloudWatch Logs with the environment's retention.
 *
 * Rules, in evaluation order: `/xmlrpc.php` blocked (brute-force amplification and pingback
 * abuse; hosts of tenants that opt out are let through), a rate-based rule per source IP, then
 * the AWS managed rule groups for IP reputation, common exploits, known bad inputs, WordPress
 * and PHP applications. Together about 1,130 WCUs, under the 1,500 a web ACL includes.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Tags, withComponent } from "../tags";

/** The AWS managed rule groups every shard runs, in evaluation order (names as AWS publishes them). */
export const MANAGED_RULE_GROUPS = [
  "AWSManagedRulesAmazonIpReputationList",
  "AWSManagedRulesCommonRuleSet",
  "AWSManagedRulesKnownBadInputsRuleSet",
  "AWSManagedRulesWordPressRuleSet",
  "AWSManagedRulesPHPRuleSet",
] as const;

/**
 * Rules of the common rule set that only count: `SizeRestrictions_BODY` blocks request bodies
 * over 8 KB, which every WordPress post save and media upload sends.
 */
export const COUNTED_COMMON_RULES = ["SizeRestrictions_BODY"] as const;

/** The rate rule's window, in seconds (WAF accepts 60, 120, 300 or 600). */
export const RATE_WINDOW_SECONDS = 300;

/** The web firewall of one shard. */
export interface WebFirewallArgs {
  /** ARN of the shard's load balancer. */
  readonly loadBalancerArn: pulumi.Input<string>;
  /** Web ACL name (letters, digits, hyphens, underscores; at most 128). */
  readonly aclName: string;
  /** Requests per source IP per RATE_WINDOW_SECONDS before it is blocked. */
  readonly rateLimit: number;
  /** Hosts on which `/xmlrpc.php` is let through. */
  readonly xmlrpcAllowedHosts: readonly string[];
  readonly logRetentionDays: number;
  /** KMS key of the log group. */
  readonly telemetryKeyArn: pulumi.Input<string>;
  readonly tags: Tags;
}

/** What one shard's firewall consists of. */
export interface WebFirewall {
  readonly webAcl: aws.wafv2.WebAcl;
  readonly association: aws.wafv2.WebAclAssociation;
  readonly logGroup: aws.cloudwatch.LogGroup;
}

type Statement = aws.types.input.wafv2.WebAclRuleStatement;

const visibility = (metricName: string) => ({
  cloudwatchMetricsEnabled: true,
  sampledRequestsEnabled: true,
  metricName,
});

const exactly = (
  fieldToMatch: aws.types.input.wafv2.WebAclRuleStatementByteMatchStatementFieldToMatch,
  value: string,
): Statement => ({
  byteMatchStatement: {
    fieldToMatch,
    positionalConstraint: "EXACTLY",
    searchString: value,
    textTransformations: [{ priority: 0, type: "LOWERCASE" }],
  },
});

/** Matches `/xmlrpc.php` except on the allowed hosts. */
export function xmlrpcStatement(allowedHosts: readonly string[]): Statement {
  const path: Statement = {
    byteMatchStatement: {
      fieldToMatch: { uriPath: {} },
      positionalConstraint: "EXACTLY",
      searchString: "/xmlrpc.php",
      // `/XMLRPC.php` and `/xmlrpc%2Ephp` reach the same file.
      textTransformations: [
        { priority: 0, type: "URL_DECODE" },
        { priority: 1, type: "LOWERCASE" },
      ],
    },
  };
  if (allowedHosts.length === 0) return path;
  const hosts = allowedHosts.map((h) => exactly({ singleHeader: { name: "host" } }, h));
  const allowed = hosts.length === 1 ? hosts[0] : { orStatement: { statements: hosts } };
  return { andStatement: { statements: [path, { notStatement: { statement: allowed } }] } };
}

/** The rules of a shard's web ACL, in priority order. */
export function webAclRules(
  rateLimit: number,
  xmlrpcAllowedHosts: readonly string[],
): aws.types.input.wafv2.WebAclRule[] {
  const rules: aws.types.input.wafv2.WebAclRule[] = [
    {
      name: "block-xmlrpc",
      priority: 0,
      action: { block: {} },
      statement: xmlrpcStatement(xmlrpcAllowedHosts),
      visibilityConfig: visibility("block-xmlrpc"),
    },
    {
      name: "rate-per-ip",
      priority: 1,
      action: { block: {} },
      statement: {
        rateBasedStatement: {
          limit: rateLimit,
          aggregateKeyType: "IP",
          evaluationWindowSec: RATE_WINDOW_SECONDS,
        },
      },
      visibilityConfig: visibility("rate-per-ip"),
    },
  ];
  MANAGED_RULE_GROUPS.forEach((group, i) =>
    rules.push({
      name: group,
      priority: 10 + i,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: "AWS",
          name: group,
          ruleActionOverrides:
            group === "AWSManagedRulesCommonRuleSet"
              ? COUNTED_COMMON_RULES.map((name) => ({ name, actionToUse: { count: {} } }))
              : undefined,
        },
      },
      visibilityConfig: visibility(group),
    }),
  );
  return rules;
}

/** Creates the web ACL of one shard, its association and its logging. */
export function createWebFirewall(name: string, args: WebFirewallArgs, parent: pulumi.Resource): WebFirewall {
  const tags = withComponent(args.tags, "firewall");
  const webAcl = new aws.wafv2.WebAcl(
    `${name}-waf`,
    {
      name: args.aclName,
      description: "BBWS: managed rule groups, per-IP rate limit, xmlrpc.php blocked",
      scope: "REGIONAL",
      defaultAction: { allow: {} },
      rules: webAclRules(args.rateLimit, args.xmlrpcAllowedHosts),
      visibilityConfig: visibility(args.aclName),
      tags,
    },
    { parent },
  );
  const association = new aws.wafv2.WebAclAssociation(
    `${name}-waf-association`,
    { resourceArn: args.loadBalancerArn, webAclArn: webAcl.arn },
    { parent },
  );
  // WAF writes only to log groups whose name starts with `aws-waf-logs-`.
  const logGroup = new aws.cloudwatch.LogGroup(
    `${name}-waf-logs`,
    {
      name: `aws-waf-logs-${args.aclName}`,
      retentionInDays: args.logRetentionDays,
      kmsKeyId: args.telemetryKeyArn,
      tags,
    },
    { parent },
  );
  new aws.wafv2.WebAclLoggingConfiguration(
    `${name}-waf-logging`,
    {
      resourceArn: webAcl.arn,
      logDestinationConfigs: [logGroup.arn],
      // Session cookies and credentials stay out of the logs.
      redactedFields: [{ singleHeader: { name: "cookie" } }, { singleHeader: { name: "authorization" } }],
    },
    { parent },
  );
  return { webAcl, association, logGroup };
}
