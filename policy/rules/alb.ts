/**
 * Application Load Balancer rules: the shared ALB shards (headers, logs, protection), their
 * listeners (HTTPS only, TLS 1.3 policy) and the tenants' target groups. Both the `aws.lb` and
 * the `aws.alb` tokens are checked: they are the same AWS resources under two names.
 */
import * as aws from "@pulumi/aws";
import {
  ReportViolation,
  ResourceValidationArgs,
  StackValidationArgs,
  validateResourceOfType,
} from "@pulumi/policy";
import {
  BbwsPolicy,
  StackIndex,
  asArray,
  asRecord,
  describeRule,
  isProduction,
  show,
  typeToken,
} from "./common";

type Props = Record<string, unknown>;
type Check = (props: Props, args: ResourceValidationArgs, report: ReportViolation) => void;

/** TLS 1.3 policies Security Hub ELB.17 accepts (TLS 1.2 minimum, no Ext cipher suites). */
export const TLS13_POLICY = /^ELBSecurityPolicy-TLS13-1-[23](-Res)?(-FIPS|-PQ)?-\d{4}-\d{2}$/;

/** Deregistration must finish inside the two minutes a Spot interruption gives. */
export const MAX_DEREGISTRATION_DELAY = 120;

const forLoadBalancers = (check: Check) => [
  validateResourceOfType(aws.lb.LoadBalancer, (p, a, r) => check(p as Props, a, r)),
  validateResourceOfType(aws.alb.LoadBalancer, (p, a, r) => check(p as Props, a, r)),
];
const forListeners = (check: Check) => [
  validateResourceOfType(aws.lb.Listener, (p, a, r) => check(p as Props, a, r)),
  validateResourceOfType(aws.alb.Listener, (p, a, r) => check(p as Props, a, r)),
];
const forTargetGroups = (check: Check) => [
  validateResourceOfType(aws.lb.TargetGroup, (p, a, r) => check(p as Props, a, r)),
  validateResourceOfType(aws.alb.TargetGroup, (p, a, r) => check(p as Props, a, r)),
];

const upper = (value: unknown) => (typeof value === "string" ? value.toUpperCase() : undefined);

/** Only application load balancers (the default type) have HTTP features. */
const isApplication = (lb: Props) => (lb?.loadBalancerType ?? "application") === "application";

/** A listener's protocol; ALB listeners without one serve HTTP unless they carry a certificate. */
function protocolOf(listener: Props): string {
  if (typeof listener?.protocol === "string") return listener.protocol.toUpperCase();
  return listener?.certificateArn ? "HTTPS" : "HTTP";
}

const LOAD_BALANCERS = [typeToken(aws.lb.LoadBalancer), typeToken(aws.alb.LoadBalancer)];
const WEB_ACL_ASSOCIATION = typeToken(aws.wafv2.WebAclAssociation);

export const albPolicies: BbwsPolicy[] = [
  {
    name: "alb-drop-invalid-header-fields",
    description: describeRule(
      ["ELB.4", "CKV_AWS_131", "AVD-AWS-0052"],
      "Application load balancers drop HTTP headers with invalid fields (request smuggling defence).",
    ),
    enforcementLevel: "mandatory",
    validateResource: forLoadBalancers((lb, _args, report) => {
      if (isApplication(lb) && lb?.dropInvalidHeaderFields !== true) {
        report(`dropInvalidHeaderFields is ${show(lb?.dropInvalidHeaderFields)}: set true.`);
      }
    }),
  },
  {
    name: "alb-desync-mitigation",
    description: describeRule(
      ["ELB.12", "CKV_AWS_328"],
      "Application load balancers keep desync mitigation at defensive (the default) or strictest.",
    ),
    enforcementLevel: "mandatory",
    validateResource: forLoadBalancers((lb, _args, report) => {
      const mode = lb?.desyncMitigationMode;
      if (isApplication(lb) && mode !== undefined && mode !== "defensive" && mode !== "strictest") {
        report(`desyncMitigationMode is ${show(mode)}: use "defensive" or "strictest".`);
      }
    }),
  },
  {
    name: "alb-access-logs",
    description: describeRule(
      ["ELB.5", "CKV_AWS_91", "AwsSolutions-ELB2"],
      "Application load balancers write access logs to an S3 bucket.",
    ),
    enforcementLevel: "mandatory",
    validateResource: forLoadBalancers((lb, _args, report) => {
      const logs = asRecord(lb?.accessLogs);
      if (isApplication(lb) && (logs?.enabled !== true || !logs?.bucket)) {
        report(`accessLogs is ${show(logs)}: set { bucket, enabled: true }.`);
      }
    }),
  },
  {
    name: "alb-deletion-protection-in-prod",
    description: describeRule(
      ["ELB.6", "CKV_AWS_150"],
      "In prod, load balancers have deletion protection: every tenant's traffic goes through them.",
    ),
    enforcementLevel: "mandatory",
    validateResource: forLoadBalancers((lb, _args, report) => {
      if (isProduction(lb) && lb?.enableDeletionProtection !== true) {
        report(`enableDeletionProtection is ${show(lb?.enableDeletionProtection)}: set true in prod.`);
      }
    }),
  },
  {
    name: "alb-web-acl-in-prod",
    description: describeRule(
      ["CKV2_AWS_28", "SEC05-BP03"],
      "In prod, every public application load balancer has an AWS WAF web ACL associated " +
        "(WordPress sites are scanned and brute-forced around the clock; bbws:waf).",
    ),
    enforcementLevel: "mandatory",
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
      const stack = StackIndex.of(args.resources);
      const protectedAlbs = new Set(
        stack.ofType(WEB_ACL_ASSOCIATION).flatMap((a) => stack.referenced(a, "resourceArn", LOAD_BALANCERS)),
      );
      for (const lb of stack.ofType(...LOAD_BALANCERS)) {
        const props = lb.props as Props;
        if (!isProduction(props) || !isApplication(props) || props?.internal === true) continue;
        if (!protectedAlbs.has(lb))
          report(
            `load balancer ${lb.name} has no web ACL: associate one (aws.wafv2.WebAclAssociation; bbws:waf true).`,
            lb.urn,
          );
      }
    },
  },
  {
    name: "alb-http-redirects-to-https",
    description: describeRule(
      ["ELB.1", "ELB.18", "CKV2_AWS_20", "CKV_AWS_2"],
      "HTTP listeners serve nothing: their only default action redirects to HTTPS.",
    ),
    enforcementLevel: "mandatory",
    validateResource: forListeners((listener, _args, report) => {
      if (protocolOf(listener) !== "HTTP") return;
      const actions = asArray<Props>(listener?.defaultActions);
      const redirects = actions.every(
        (a) => a?.type === "redirect" && upper(asRecord(a.redirect)?.protocol) === "HTTPS",
      );
      if (actions.length === 0 || !redirects) {
        report(
          `HTTP listener on port ${show(listener?.port)} has default actions ${show(actions.map((a) => a?.type))}: ` +
            'use a single redirect with protocol "HTTPS".',
        );
      }
    }),
  },
  {
    name: "alb-https-tls13-policy",
    description: describeRule(
      ["ELB.17", "CKV_AWS_103", "AVD-AWS-0047"],
      "HTTPS listeners use a TLS 1.3 security policy with TLS 1.2 as the minimum " +
        "(ELBSecurityPolicy-TLS13-1-2-Res-2021-06 or another policy Security Hub accepts).",
    ),
    enforcementLevel: "mandatory",
    validateResource: forListeners((listener, _args, report) => {
      if (protocolOf(listener) !== "HTTPS") return;
      const policy = listener?.sslPolicy;
      if (typeof policy !== "string" || !TLS13_POLICY.test(policy)) {
        report(`sslPolicy is ${show(policy)}: use ELBSecurityPolicy-TLS13-1-2-Res-2021-06.`);
      }
    }),
  },
  {
    name: "lb-target-group-health-check",
    description: describeRule(
      ["CKV_AWS_261"],
      "Target groups define an enabled health check with a path (WordPress answers 30x or 403 on / " +
        "in some states; use a dedicated path and matcher).",
    ),
    enforcementLevel: "mandatory",
    validateResource: forTargetGroups((tg, _args, report) => {
      if (tg?.targetType === "lambda") return;
      const check = asRecord(tg?.healthCheck);
      // Network load balancer target groups (TCP, UDP, TLS) check a port, not a path.
      const needsPath = ["HTTP", "HTTPS", undefined].includes(upper(tg?.protocol));
      if (!check || check.enabled === false || (needsPath && !check.path)) {
        report(`healthCheck is ${show(check)}: set { path, matcher } on a path WordPress answers with 200.`);
      }
    }),
  },
  {
    name: "lb-target-group-deregistration-within-spot-warning",
    description: describeRule(
      ["REL11"],
      `Target groups deregister targets in less than ${MAX_DEREGISTRATION_DELAY} s (the default is ` +
        "300 s): a Spot task is stopped two minutes after its interruption warning.",
    ),
    enforcementLevel: "mandatory",
    validateResource: forTargetGroups((tg, _args, report) => {
      if (tg?.targetType === "lambda") return;
      const delay = Number(tg?.deregistrationDelay ?? 300);
      if (!(delay < MAX_DEREGISTRATION_DELAY)) {
        report(
          `deregistrationDelay is ${show(tg?.deregistrationDelay ?? "300 (default)")}: set less than ${MAX_DEREGISTRATION_DELAY} (e.g. 60).`,
        );
      }
    }),
  },
];
