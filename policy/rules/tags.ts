/**
 * Tag rules. Environment-specific rules, cost reports and day-2 operations read a resource's
 * own tags, so every taggable BBWS resource carries `bbws:component` and `bbws:environment`,
 * and every resource of a tenant site `bbws:tenant-id`, explicitly (provider default tags are
 * not among a resource's inputs).
 *
 * A tenant resource is one created inside a `bbws:tenant:TenantWordPress` component: its URN's
 * type chain names that component, and the component's name is the tenant id.
 */
import * as aws from "@pulumi/aws";
import {
  PolicyResource,
  ReportViolation,
  ResourceValidation,
  ResourceValidationArgs,
  StackValidationArgs,
  validateResourceOfType,
} from "@pulumi/policy";
import { CustomResource } from "@pulumi/pulumi";
import { TAG } from "../../components/tags";
import { ENVIRONMENTS } from "../../config/presets";
import { BbwsPolicy, TENANT_COMPONENT, describeRule, isTenantUrn, show, tagsOf, typeToken } from "./common";

/**
 * Resource types that take `tags`, among those BBWS creates or plans to. A resource of another
 * type is checked too when its inputs carry `tags`.
 */
const TAGGABLE_CLASSES = [
  aws.acm.Certificate,
  aws.alb.Listener,
  aws.alb.ListenerRule,
  aws.alb.LoadBalancer,
  aws.alb.TargetGroup,
  aws.appautoscaling.Target,
  aws.backup.Plan,
  aws.backup.Vault,
  aws.cloudwatch.EventRule,
  aws.cloudwatch.LogGroup,
  aws.cloudwatch.MetricAlarm,
  aws.ec2.DefaultSecurityGroup,
  aws.ec2.FlowLog,
  aws.ec2.SecurityGroup,
  aws.ec2.Subnet,
  aws.ec2.Vpc,
  aws.ec2.VpcEndpoint,
  aws.ecr.Repository,
  aws.ecs.Cluster,
  aws.ecs.Service,
  aws.ecs.TaskDefinition,
  aws.efs.AccessPoint,
  aws.efs.FileSystem,
  aws.iam.Policy,
  aws.iam.Role,
  aws.kms.Key,
  aws.lb.Listener,
  aws.lb.ListenerRule,
  aws.lb.LoadBalancer,
  aws.lb.TargetGroup,
  aws.rds.Cluster,
  aws.rds.ClusterInstance,
  aws.rds.ClusterParameterGroup,
  aws.rds.SubnetGroup,
  aws.s3.Bucket,
  aws.secretsmanager.Secret,
  aws.servicediscovery.PrivateDnsNamespace,
  aws.servicediscovery.Service,
  aws.sns.Topic,
  aws.vpc.SecurityGroupEgressRule,
  aws.vpc.SecurityGroupIngressRule,
];

/** Type tokens of the resource types that take `tags`. */
export const TAGGABLE_TYPES: ReadonlySet<string> = new Set(TAGGABLE_CLASSES.map(typeToken));

/** Any of the classes above, as `validateResourceOfType` takes it. */
type TaggableClass = new (name: string, args: Record<string, unknown>) => CustomResource;

type TagCheck = (
  props: Record<string, unknown> | undefined,
  args: ResourceValidationArgs,
  report: ReportViolation,
) => void;

/**
 * Runs `check` on taggable resources: typed validations for the listed types (the evaluator and
 * the engine skip every other type without calling them), plus one untyped validation for
 * resources of unlisted types whose inputs carry tags.
 */
function forTaggable(check: TagCheck): ResourceValidation[] {
  const typed = TAGGABLE_CLASSES.map((cls) =>
    validateResourceOfType(cls as unknown as TaggableClass, (props, args, report) =>
      check(props as Record<string, unknown>, args, report),
    ),
  );
  const untyped: ResourceValidation = (args, report) => {
    const props = args.props as Record<string, unknown> | undefined;
    // Listed types are checked above; others only when their inputs carry tags as a map
    // (docker-build's Image has `tags` too: a list of image references, not resource tags).
    if (TAGGABLE_TYPES.has(args.type) || props?.tags === undefined || props?.tags === null) return;
    if (Array.isArray(props.tags)) return;
    check(props, args, report);
  };
  return [...typed, untyped];
}

/** The stack name in a URN (`urn:pulumi:<stack>::...`). */
function stackOf(urn: string): string {
  return (urn.split("::")[0] ?? "").replace(/^urn:pulumi:/, "");
}

/** The environment a BBWS stack name implies (`dev`, `dev.acme`), when it names one. */
export function environmentOfStack(stack: string): string | undefined {
  const first = stack.split(".")[0];
  return (ENVIRONMENTS as readonly string[]).includes(first) ? first : undefined;
}

/** The TenantWordPress component a resource descends from. */
function tenantComponentOf(resource: PolicyResource): PolicyResource | undefined {
  for (let r = resource.parent; r; r = r.parent) if (r.type === TENANT_COMPONENT) return r;
  return undefined;
}

const present = (value: unknown) => typeof value === "string" && value.trim() !== "";

export const tagPolicies: BbwsPolicy[] = [
  {
    name: "required-tags",
    description: describeRule(
      ["REQUIRED_TAGS", "EFS_ACCESS_POINT_TAGGED"],
      `Every taggable resource carries ${TAG.component} and ${TAG.environment} in its own tags, and ` +
        `every resource of a tenant site also ${TAG.tenantId}.`,
    ),
    enforcementLevel: "mandatory",
    validateResource: forTaggable((props, args, report) => {
      // Read directly, not through known(): unknown tags must not pass as absent ones.
      const tags = (props?.tags ?? {}) as Record<string, unknown>;
      const required = [TAG.component, TAG.environment, ...(isTenantUrn(args.urn) ? [TAG.tenantId] : [])];
      const missing = required.filter((key) => !present(tags[key]));
      if (missing.length > 0) {
        report(`missing ${missing.join(", ")} among its own tags ${show(props?.tags ?? {})}: add them.`);
      }
    }),
  },
  {
    name: "environment-tag-matches-stack",
    description: describeRule(
      ["REQUIRED_TAGS"],
      `A resource's ${TAG.environment} tag names the environment of its stack (dev for stacks dev ` +
        "and dev.<tenant>): production rules key on this tag, so a wrong value would switch them off.",
    ),
    enforcementLevel: "mandatory",
    validateResource: forTaggable((props, args, report) => {
      const expected = environmentOfStack(stackOf(args.urn));
      if (!expected) return; // not a BBWS stack name: nothing to compare with
      const actual = tagsOf(props)?.[TAG.environment];
      if (actual !== undefined && actual !== expected) {
        report(`${TAG.environment} is ${show(actual)} in stack ${stackOf(args.urn)}: set ${show(expected)}.`);
      }
    }),
  },
  {
    name: "tenant-tag-matches-tenant",
    description: describeRule(
      ["REQUIRED_TAGS"],
      `The ${TAG.tenantId} tag of every tagged resource of a tenant site is the tenant's id (the ` +
        "TenantWordPress component's name): cost reports, restores and the access point check read it.",
    ),
    enforcementLevel: "mandatory",
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
      for (const resource of args.resources) {
        const component = tenantComponentOf(resource);
        const tenantId = tagsOf(resource.props)?.[TAG.tenantId];
        if (component && tenantId !== undefined && tenantId !== component.name) {
          report(
            `${resource.name} is tagged ${TAG.tenantId}=${show(tenantId)} inside tenant ${component.name}.`,
            resource.urn,
          );
        }
      }
    },
  },
  {
    name: "ecs-service-propagates-tags",
    description: describeRule(
      ["REQUIRED_TAGS"],
      "ECS services propagate tags to their tasks (SERVICE or TASK_DEFINITION), so Fargate cost is " +
        "attributable per tenant.",
    ),
    enforcementLevel: "advisory",
    validateResource: validateResourceOfType(aws.ecs.Service, (service, _args, report) => {
      const mode = service?.propagateTags;
      if (mode !== "SERVICE" && mode !== "TASK_DEFINITION") {
        report(`propagateTags is ${show(mode)}: set "SERVICE" so tasks carry the tenant's tags.`);
      }
    }),
  },
];
