/**
 * Network rules: what the internet may reach (only the ALBs, only on 80 and 443), the default
 * security group and VPC flow logs.
 *
 * Security group rules come in three shapes: standalone `aws.vpc.SecurityGroupIngressRule`
 * (what BBWS uses), `aws.ec2.SecurityGroupRule`, and inline `ingress` blocks on
 * `aws.ec2.SecurityGroup` / `aws.ec2.DefaultSecurityGroup`. Every rule here reads all three.
 *
 * Stack rules see resource outputs, where a security group's `ingress` lists every rule AWS
 * holds for it (standalone ones included). A world-open rule on a non-ALB group is therefore
 * reported for the rule and again for its group; a check that inline and standalone rules are
 * not mixed cannot be told apart from that read-back and is deliberately not made.
 */
import * as aws from "@pulumi/aws";
import {
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  StackValidationArgs,
  validateResourceOfType,
} from "@pulumi/policy";
import { BbwsPolicy, StackIndex, asArray, describeRule, known, typeToken } from "./common";

const SECURITY_GROUP = typeToken(aws.ec2.SecurityGroup);
const DEFAULT_SECURITY_GROUP = typeToken(aws.ec2.DefaultSecurityGroup);
const SECURITY_GROUP_RULE = typeToken(aws.ec2.SecurityGroupRule);
const INGRESS_RULE = typeToken(aws.vpc.SecurityGroupIngressRule);
const LOAD_BALANCERS = [typeToken(aws.lb.LoadBalancer), typeToken(aws.alb.LoadBalancer)];
const GROUP_TYPES = [SECURITY_GROUP, DEFAULT_SECURITY_GROUP];

/** Ports Security Hub EC2.19 never wants open to the world, plus NFS (2049) for our EFS. */
export const HIGH_RISK_PORTS: readonly number[] = [
  20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 2049, 3000, 3306, 3389, 4333, 5000, 5432, 5500, 5601,
  8080, 8088, 8888, 9200, 9300,
];

/** The only ports the world may reach, and only on an ALB's security group. */
export const PUBLIC_WEB_PORTS: readonly number[] = [80, 443];

const WORLD_CIDRS = new Set(["0.0.0.0/0", "::/0"]);

/** One ingress permission open to the whole internet. */
export interface WorldIngress {
  /** "all", "tcp", "udp", "icmp"... */
  readonly protocol: string;
  readonly fromPort: number;
  readonly toPort: number;
  readonly cidr: string;
}

function normaliseProtocol(value: unknown): string {
  const protocol =
    typeof value === "number" ? String(value) : typeof value === "string" ? value.toLowerCase() : "";
  if (protocol === "-1" || protocol === "all") return "all";
  if (protocol === "6") return "tcp";
  if (protocol === "17") return "udp";
  return protocol;
}

function permission(protocolValue: unknown, from: unknown, to: unknown, cidr: string): WorldIngress {
  const protocol = normaliseProtocol(protocolValue);
  if (protocol === "all") return { protocol, fromPort: 0, toPort: 65535, cidr };
  const fromPort = typeof from === "number" ? from : Number(from ?? 0);
  const toPort = typeof to === "number" ? to : Number(to ?? fromPort);
  return { protocol, fromPort, toPort, cidr };
}

/** Inline `ingress` blocks (SecurityGroup, DefaultSecurityGroup) open to the world. */
function inlineWorldIngress(props: Record<string, unknown> | undefined): WorldIngress[] {
  return asArray<Record<string, unknown>>(props?.ingress).flatMap((rule) =>
    [...asArray<string>(rule?.cidrBlocks), ...asArray<string>(rule?.ipv6CidrBlocks)]
      .filter((cidr) => WORLD_CIDRS.has(cidr))
      .map((cidr) => permission(rule.protocol, rule.fromPort, rule.toPort, cidr)),
  );
}

/** The world-open ingress permissions a resource of any security group shape grants. */
export function worldIngressOf(type: string, props: Record<string, unknown> | undefined): WorldIngress[] {
  switch (type) {
    case INGRESS_RULE:
      return [props?.cidrIpv4, props?.cidrIpv6]
        .filter((cidr): cidr is string => typeof cidr === "string" && WORLD_CIDRS.has(cidr))
        .map((cidr) => permission(props?.ipProtocol, props?.fromPort, props?.toPort, cidr));
    case SECURITY_GROUP_RULE:
      if (props?.type !== "ingress") return [];
      return [...asArray<string>(props?.cidrBlocks), ...asArray<string>(props?.ipv6CidrBlocks)]
        .filter((cidr) => WORLD_CIDRS.has(cidr))
        .map((cidr) => permission(props?.protocol, props?.fromPort, props?.toPort, cidr));
    case SECURITY_GROUP:
    case DEFAULT_SECURITY_GROUP:
      return inlineWorldIngress(props);
    default:
      return [];
  }
}

const describePermission = (p: WorldIngress) =>
  p.protocol === "all"
    ? `all traffic from ${p.cidr}`
    : `${p.protocol} ${p.fromPort}-${p.toPort} from ${p.cidr}`;

/** True when the permission reaches a high-risk port. */
function reachesHighRiskPort(p: WorldIngress): boolean {
  if (p.protocol === "all") return true;
  if (p.protocol !== "tcp" && p.protocol !== "udp") return false;
  return HIGH_RISK_PORTS.some((port) => port >= p.fromPort && port <= p.toPort);
}

/** True for a single web port over TCP, what an internet-facing ALB needs. */
function isPublicWeb(p: WorldIngress): boolean {
  return p.protocol === "tcp" && p.fromPort === p.toPort && PUBLIC_WEB_PORTS.includes(p.fromPort);
}

const checkHighRiskPorts =
  (type: string) => (props: unknown, _args: ResourceValidationArgs, report: ReportViolation) => {
    for (const p of worldIngressOf(type, props as Record<string, unknown>)) {
      if (reachesHighRiskPort(p)) {
        report(
          `ingress allows ${describePermission(p)}, which includes an administration or data port: restrict the source.`,
        );
      }
    }
  };

/** The security groups attached to application load balancers. */
function loadBalancerGroups(stack: StackIndex): Set<PolicyResource> {
  const groups = new Set<PolicyResource>();
  for (const lb of stack.ofType(...LOAD_BALANCERS)) {
    if ((known(() => lb.props?.loadBalancerType) ?? "application") !== "application") continue;
    for (const group of stack.referenced(lb, "securityGroups", GROUP_TYPES)) groups.add(group);
  }
  return groups;
}

/** The group a standalone rule belongs to, or the group itself for inline rules. */
function groupOf(stack: StackIndex, resource: PolicyResource): PolicyResource | undefined {
  if (GROUP_TYPES.includes(resource.type)) return resource;
  return stack.referenced(resource, "securityGroupId", GROUP_TYPES)[0];
}

export const networkPolicies: BbwsPolicy[] = [
  {
    name: "no-public-ingress-to-high-risk-ports",
    description: describeRule(
      ["EC2.19", "CKV_AWS_24", "CKV_AWS_25"],
      "No security group admits 0.0.0.0/0 or ::/0 to administration or data ports (22, 3389, " +
        "3306, 2049, 5432, 8080 and the rest of the EC2.19 list), or to all ports.",
    ),
    enforcementLevel: "mandatory",
    validateResource: [
      validateResourceOfType(aws.vpc.SecurityGroupIngressRule, checkHighRiskPorts(INGRESS_RULE)),
      validateResourceOfType(aws.ec2.SecurityGroupRule, checkHighRiskPorts(SECURITY_GROUP_RULE)),
      validateResourceOfType(aws.ec2.SecurityGroup, checkHighRiskPorts(SECURITY_GROUP)),
      validateResourceOfType(aws.ec2.DefaultSecurityGroup, checkHighRiskPorts(DEFAULT_SECURITY_GROUP)),
    ],
  },
  {
    name: "no-public-ingress-except-alb-web",
    description: describeRule(
      ["EC2.18", "CKV_AWS_260", "AwsSolutions-EC23"],
      "Only the security groups of application load balancers admit the internet (0.0.0.0/0, " +
        "::/0), and only on TCP 80 and 443. Tasks, EFS and Aurora are reached from the tier in " +
        "front of them only.",
    ),
    enforcementLevel: "mandatory",
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
      const stack = StackIndex.of(args.resources);
      const albGroups = loadBalancerGroups(stack);
      for (const resource of stack.ofType(
        INGRESS_RULE,
        SECURITY_GROUP_RULE,
        SECURITY_GROUP,
        DEFAULT_SECURITY_GROUP,
      )) {
        const open = worldIngressOf(resource.type, resource.props);
        if (open.length === 0) continue;
        const group = groupOf(stack, resource);
        const onAlb = group !== undefined && albGroups.has(group);
        for (const p of open) {
          if (onAlb && isPublicWeb(p)) continue;
          report(
            onAlb
              ? `${resource.name} allows ${describePermission(p)} on a load balancer group: only TCP 80 and 443 may be public.`
              : `${resource.name} allows ${describePermission(p)} on ${group ? `security group ${group.name}` : "a security group"}, ` +
                  "which no application load balancer uses: admit only the load balancers' security group.",
            resource.urn,
          );
        }
      }
    },
  },
  {
    name: "default-security-group-no-rules",
    description: describeRule(
      ["EC2.2", "CKV2_AWS_12"],
      "The VPC's default security group has no rules, so nothing launched without a group gets access.",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.ec2.DefaultSecurityGroup, (group, _args, report) => {
      const ingress = asArray(group?.ingress);
      const egress = asArray(group?.egress);
      if (ingress.length > 0 || egress.length > 0) {
        report(
          `the default security group has ${ingress.length} ingress and ${egress.length} egress rule(s): remove them.`,
        );
      }
    }),
  },
  {
    name: "vpc-flow-logs",
    description: describeRule(
      ["EC2.6", "CKV2_AWS_11", "AwsSolutions-VPC7"],
      "Every VPC of the stack has a flow log capturing at least rejected traffic.",
    ),
    enforcementLevel: "mandatory",
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
      const stack = StackIndex.of(args.resources);
      const flowLogs = stack
        .ofType(typeToken(aws.ec2.FlowLog))
        .filter((f) => ["REJECT", "ALL"].includes(String(known(() => f.props?.trafficType) ?? "")));
      const vpcs = stack.ofType(typeToken(aws.ec2.Vpc));
      // awsx.ec2.Vpc is a remote component: a real preview sees its aws:ec2/vpc:Vpc child, the
      // offline engine only the component, which then stands for the VPC.
      const components = stack
        .ofType("awsx:ec2:Vpc")
        .filter((component) => !vpcs.some((vpc) => vpc.parent === component));
      const covered = (vpc: PolicyResource) =>
        flowLogs.some(
          (log) =>
            stack.referenced(log, "vpcId", [vpc.type]).includes(vpc) ||
            log.dependencies.includes(vpc) ||
            (vpc.parent?.type === "awsx:ec2:Vpc" && log.dependencies.includes(vpc.parent)),
        );
      for (const vpc of [...vpcs, ...components]) {
        if (!covered(vpc)) {
          report(
            `VPC ${vpc.name} has no flow log with trafficType REJECT or ALL: add an aws.ec2.FlowLog.`,
            vpc.urn,
          );
        }
      }
    },
  },
];
