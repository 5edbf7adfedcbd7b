/**
 * Security groups as tiers: internet -> ALB (80/443) -> tasks (80) -> EFS (2049) and
 * Aurora (3306). The ALB is the only group open to the internet, on 80 and 443 only.
 *
 * Rules are standalone `aws.vpc.SecurityGroup{Ingress,Egress}Rule` resources, never inline
 * blocks, so each rule is one reviewable resource and inline/standalone rules never fight.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Tags, withComponent } from "../tags";

/** Port WordPress (Apache in the official image) listens on inside the task. */
export const WORDPRESS_PORT = 80;
export const NFS_PORT = 2049;
export const MYSQL_PORT = 3306;

export interface SecurityTiersArgs {
  readonly vpcId: pulumi.Input<string>;
  /** Create the group of the interface endpoints (443 from tasks). */
  readonly interfaceEndpoints: boolean;
  readonly tags: Tags;
}

export interface SecurityTiers {
  readonly alb: aws.ec2.SecurityGroup;
  readonly tasks: aws.ec2.SecurityGroup;
  readonly fileSystem: aws.ec2.SecurityGroup;
  readonly database: aws.ec2.SecurityGroup;
  readonly endpoints?: aws.ec2.SecurityGroup;
}

type Direction = "ingress" | "egress";

/** One rule of the tier model, as data (tested directly). */
export interface TierRule {
  readonly name: string;
  readonly direction: Direction;
  readonly group: keyof SecurityTiers;
  readonly port: number;
  /** Peer group, or a CIDR for internet rules. */
  readonly peer: { readonly group: keyof SecurityTiers } | { readonly cidrIpv4: string };
  readonly description: string;
}

/** The complete rule set of the tiers. */
export function tierRules(interfaceEndpoints: boolean): TierRule[] {
  const rules: TierRule[] = [
    {
      name: "alb-in-https",
      direction: "ingress",
      group: "alb",
      port: 443,
      peer: { cidrIpv4: "0.0.0.0/0" },
      description: "HTTPS from the internet",
    },
    {
      name: "alb-in-http",
      direction: "ingress",
      group: "alb",
      port: 80,
      peer: { cidrIpv4: "0.0.0.0/0" },
      description: "HTTP from the internet (redirected to HTTPS)",
    },
    {
      name: "alb-out-tasks",
      direction: "egress",
      group: "alb",
      port: WORDPRESS_PORT,
      peer: { group: "tasks" },
      description: "Requests and health checks to WordPress tasks",
    },
    {
      name: "tasks-in-alb",
      direction: "ingress",
      group: "tasks",
      port: WORDPRESS_PORT,
      peer: { group: "alb" },
      description: "HTTP from the load balancers only",
    },
    {
      name: "tasks-out-https",
      direction: "egress",
      group: "tasks",
      port: 443,
      peer: { cidrIpv4: "0.0.0.0/0" },
      description: "AWS APIs, image pulls and WordPress.org updates",
    },
    {
      // Mail (issue 14): SMTP with STARTTLS to Amazon SES's public endpoint.
      name: "tasks-out-smtp",
      direction: "egress",
      group: "tasks",
      port: 587,
      peer: { cidrIpv4: "0.0.0.0/0" },
      description: "SMTP submission (STARTTLS) to Amazon SES",
    },
    {
      name: "tasks-out-efs",
      direction: "egress",
      group: "tasks",
      port: NFS_PORT,
      peer: { group: "fileSystem" },
      description: "NFS to the EFS mount targets",
    },
    {
      name: "tasks-out-db",
      direction: "egress",
      group: "tasks",
      port: MYSQL_PORT,
      peer: { group: "database" },
      description: "MySQL to Aurora",
    },
    {
      name: "efs-in-tasks",
      direction: "ingress",
      group: "fileSystem",
      port: NFS_PORT,
      peer: { group: "tasks" },
      description: "NFS from WordPress tasks",
    },
    {
      name: "db-in-tasks",
      direction: "ingress",
      group: "database",
      port: MYSQL_PORT,
      peer: { group: "tasks" },
      description: "MySQL from WordPress tasks",
    },
  ];
  if (interfaceEndpoints) {
    rules.push({
      name: "endpoints-in-tasks",
      direction: "ingress",
      group: "endpoints",
      port: 443,
      peer: { group: "tasks" },
      description: "AWS API calls from tasks",
    });
  }
  return rules;
}

/**
 * TCP ports the tasks may send to the internet (their egress rules to a CIDR): what a NAT
 * instance forwards, so the two never disagree.
 */
export function taskInternetPorts(interfaceEndpoints: boolean): number[] {
  const ports = tierRules(interfaceEndpoints)
    .filter((r) => r.direction === "egress" && r.group === "tasks" && "cidrIpv4" in r.peer)
    .map((r) => r.port);
  return [...new Set(ports)].sort((a, b) => a - b);
}

/** Creates the tier groups and every rule of `tierRules`. */
export function createSecurityTiers(
  name: string,
  args: SecurityTiersArgs,
  parent: pulumi.Resource,
): SecurityTiers {
  const group = (tier: string, description: string) =>
    new aws.ec2.SecurityGroup(
      `${name}-${tier}-sg`,
      {
        vpcId: args.vpcId,
        description,
        tags: withComponent(args.tags, "network", { Name: `${name}-${tier}` }),
      },
      { parent },
    );
  const tiers: SecurityTiers = {
    alb: group("alb", "BBWS load balancers: 80/443 from the internet"),
    tasks: group("tasks", "BBWS WordPress tasks: 80 from the load balancers"),
    fileSystem: group("efs", "BBWS EFS mount targets: NFS from tasks"),
    database: group("db", "BBWS Aurora: MySQL from tasks"),
    ...(args.interfaceEndpoints
      ? { endpoints: group("endpoints", "BBWS interface endpoints: 443 from tasks") }
      : {}),
  };

  for (const rule of tierRules(args.interfaceEndpoints)) {
    const target = tiers[rule.group]!;
    const ruleArgs = {
      securityGroupId: target.id,
      ipProtocol: "tcp",
      fromPort: rule.port,
      toPort: rule.port,
      description: rule.description,
      ...("group" in rule.peer
        ? { referencedSecurityGroupId: tiers[rule.peer.group]!.id }
        : { cidrIpv4: rule.peer.cidrIpv4 }),
      tags: withComponent(args.tags, "network"),
    };
    if (rule.direction === "ingress")
      new aws.vpc.SecurityGroupIngressRule(`${name}-${rule.name}`, ruleArgs, { parent });
    else new aws.vpc.SecurityGroupEgressRule(`${name}-${rule.name}`, ruleArgs, { parent });
  }
  return tiers;
}
