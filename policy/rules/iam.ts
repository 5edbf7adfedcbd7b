/**
 * IAM rules: no administrator or service-wide grants, no "*" resources for actions that can be
 * scoped, trust policies that name their principal, and the per-tenant least privilege the
 * isolation model depends on (EFS only through the tenant's access point, exact secret,
 * parameter and key ARNs).
 *
 * Identity policies are read from `aws.iam.RolePolicy`, `Policy`, `UserPolicy`, `GroupPolicy`
 * and a role's `inlinePolicies`; documents may be JSON strings or objects.
 */
import * as aws from "@pulumi/aws";
import { ReportViolation, ResourceValidationArgs, validateResourceOfType } from "@pulumi/policy";
import {
  BbwsResourcePolicy,
  PolicyStatement,
  asArray,
  asRecord,
  describeRule,
  grants,
  isTenantUrn,
  show,
  statementLabel,
  statementsOf,
  isMaintenanceUrn,
} from "./common";

/** One identity policy document of a resource, with where it came from. */
interface Document {
  readonly label: string;
  readonly statements: PolicyStatement[];
}

type Props = Record<string, unknown> | undefined;
type DocumentCheck = (document: Document, args: ResourceValidationArgs, report: ReportViolation) => void;

/** Runs `check` on every identity policy document of the IAM resource types that hold one. */
function forIdentityPolicies(check: DocumentCheck) {
  const single = (label: string) => (props: unknown, args: ResourceValidationArgs, report: ReportViolation) =>
    check({ label, statements: statementsOf((props as Props)?.policy) }, args, report);
  return [
    validateResourceOfType(aws.iam.RolePolicy, single("the role policy")),
    validateResourceOfType(aws.iam.Policy, single("the policy")),
    validateResourceOfType(aws.iam.UserPolicy, single("the user policy")),
    validateResourceOfType(aws.iam.GroupPolicy, single("the group policy")),
    validateResourceOfType(aws.iam.Role, (role, args, report) => {
      for (const inline of asArray<Record<string, unknown>>(role?.inlinePolicies)) {
        check(
          { label: `inline policy ${show(inline?.name)}`, statements: statementsOf(inline?.policy) },
          args,
          report,
        );
      }
    }),
  ];
}

/**
 * Actions that have no resource-level permissions, so "*" is the only possible resource
 * (Service Authorization Reference). Kept to what BBWS tasks and operators need.
 */
export const ACTIONS_WITHOUT_RESOURCES: ReadonlySet<string> = new Set(
  [
    "ecr:GetAuthorizationToken",
    "sts:GetCallerIdentity",
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
    "cloudwatch:PutMetricData",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "logs:DescribeLogGroups",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
    "ec2:DescribeSecurityGroups",
  ].map((a) => a.toLowerCase()),
);

const EFS_CLIENT_ACTIONS = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"];
const EFS_ROOT_ACCESS = "elasticfilesystem:ClientRootAccess";
const ACCESS_POINT_CONDITION_KEY = "elasticfilesystem:accesspointarn";

/** Tenant data-plane actions whose resources must be exact ARNs (no wildcard). */
const TENANT_EXACT_ACTIONS = [
  "secretsmanager:GetSecretValue",
  "ssm:GetParameters",
  "ssm:GetParameter",
  "kms:Decrypt",
  "elasticfilesystem:ClientMount",
  "elasticfilesystem:ClientWrite",
];

const allows = (s: PolicyStatement) => s.effect === "Allow";

/** True when the statement's condition constrains `key` (any operator). */
function conditions(statement: PolicyStatement, key: string): boolean {
  return Object.values(statement.condition ?? {}).some((operator) =>
    Object.keys(asRecord(operator) ?? {}).some((k) => k.toLowerCase() === key),
  );
}

/** The condition keys a statement constrains, lower-cased. */
function conditionKeys(statement: PolicyStatement): Set<string> {
  return new Set(
    Object.values(statement.condition ?? {}).flatMap((operator) =>
      Object.keys(asRecord(operator) ?? {}).map((k) => k.toLowerCase()),
    ),
  );
}

/** Values of a condition key under any operator. */
function conditionValues(statement: PolicyStatement, key: string): string[] {
  return Object.values(statement.condition ?? {}).flatMap((operator) =>
    Object.entries(asRecord(operator) ?? {})
      .filter(([k]) => k.toLowerCase() === key)
      .flatMap(([, v]) => asArray(v).map(String)),
  );
}

const ECS_TASKS = "ecs-tasks.amazonaws.com";

/**
 * The services through which a tenant may use the shared data key, and the encryption context
 * each decrypts with: Secrets Manager names the secret (`SecretARN`), Parameter Store a
 * SecureString parameter (`PARAMETER_ARN`,
 * https://docs.aws.amazon.com/kms/latest/developerguide/services-parameter-store.html).
 */
const DECRYPT_CONTEXTS = [
  {
    service: "secretsmanager",
    name: "Secrets Manager",
    key: "kms:EncryptionContext:SecretARN",
    what: "secret",
  },
  { service: "ssm", name: "Parameter Store", key: "kms:EncryptionContext:PARAMETER_ARN", what: "parameter" },
] as const;

export const iamPolicies: BbwsResourcePolicy[] = [
  {
    name: "iam-no-wildcard-actions",
    description: describeRule(
      ["IAM.1", "IAM.21", "CKV_AWS_62", "CKV_AWS_63"],
      'Identity policies allow no "*" action, no service-wide "service:*" action and no ' +
        "Allow with NotAction: every grant names the actions it needs.",
    ),
    enforcementLevel: "mandatory",
    validateResource: forIdentityPolicies((doc, _args, report) => {
      doc.statements.forEach((s, i) => {
        if (!allows(s)) return;
        const where = `${doc.label}, ${statementLabel(s, i)}`;
        if (s.notActions.length > 0) {
          report(
            `${where} allows everything except ${show(s.notActions)}: list the allowed actions instead.`,
          );
        }
        for (const action of s.actions) {
          if (action === "*") report(`${where} allows every action ("*"): list the actions the role needs.`);
          else if (/^[a-z0-9-]+:\*$/i.test(action)) {
            report(
              `${where} allows ${action}, every action of the service: list the actions the role needs.`,
            );
          }
        }
      });
    }),
  },
  {
    name: "iam-no-wildcard-resource-for-scoped-actions",
    description: describeRule(
      ["CKV_AWS_355", "CKV_AWS_356", "AwsSolutions-IAM5"],
      'Identity policies use Resource "*" only for actions that have no resource-level ' +
        "permissions (such as ecr:GetAuthorizationToken); every other action names its resources.",
    ),
    enforcementLevel: "mandatory",
    validateResource: forIdentityPolicies((doc, _args, report) => {
      doc.statements.forEach((s, i) => {
        if (!allows(s) || !s.resources.includes("*")) return;
        const scoped = s.actions.filter((a) => !ACTIONS_WITHOUT_RESOURCES.has(a.toLowerCase()));
        if (scoped.length > 0) {
          report(
            `${doc.label}, ${statementLabel(s, i)} allows ${show(scoped)} on Resource "*": name the ARNs ` +
              "(only actions without resource-level permissions may use *).",
          );
        }
      });
    }),
  },
  {
    name: "iam-role-trust-names-principal",
    description: describeRule(
      ["CKV_AWS_60", "CKV_AWS_61"],
      'Role trust policies name who may assume the role (e.g. ecs-tasks.amazonaws.com), never "*".',
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.iam.Role, (role, _args, report) => {
      statementsOf(role?.assumeRolePolicy).forEach((s, i) => {
        if (!allows(s)) return;
        const accounts = asArray(asRecord(s.principal)?.AWS);
        if (s.principal === "*" || accounts.includes("*")) {
          report(
            `trust ${statementLabel(s, i)} lets any principal assume the role: name the service or account.`,
          );
        }
      });
    }),
  },
  {
    name: "iam-ecs-trust-confused-deputy",
    description: describeRule(
      ["SEC03-BP02", "CKV_AWS_61"],
      "Roles that ECS tasks assume (trusting ecs-tasks.amazonaws.com) carry both aws:SourceAccount " +
        "and aws:SourceArn conditions, so no other account's ECS tasks can assume them " +
        "(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html).",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.iam.Role, (role, _args, report) => {
      statementsOf(role?.assumeRolePolicy).forEach((s, i) => {
        if (!allows(s)) return;
        const services = asArray(asRecord(s.principal)?.Service).map(String);
        if (!services.includes(ECS_TASKS)) return;
        const keys = conditionKeys(s);
        const missing = ["aws:SourceAccount", "aws:SourceArn"].filter((k) => !keys.has(k.toLowerCase()));
        if (missing.length > 0) {
          report(
            `trust ${statementLabel(s, i)} lets ECS tasks assume the role without ${missing.join(" and ")}: add ` +
              'StringEquals aws:SourceAccount <account> and ArnLike aws:SourceArn "arn:<partition>:ecs:<region>:<account>:*".',
          );
        }
      });
    }),
  },
  {
    name: "kms-decrypt-secrets-encryption-context",
    description: describeRule(
      ["KMS.2", "SEC08-BP01"],
      "kms:Decrypt granted for Secrets Manager (kms:ViaService secretsmanager.*) names the secrets " +
        "it is for (kms:EncryptionContext:SecretARN), granted for Parameter Store (ssm.*) the " +
        "parameters (kms:EncryptionContext:PARAMETER_ARN), one service per statement; a tenant's " +
        "kms:Decrypt always goes through one of the two: the data key is shared, so a bare grant " +
        "reads every tenant's secrets.",
    ),
    enforcementLevel: "mandatory",
    validateResource: forIdentityPolicies((doc, args, report) => {
      const tenant = isTenantUrn(args.urn);
      doc.statements.forEach((s, i) => {
        if (!allows(s) || !s.actions.some((a) => grants(a, "kms:Decrypt"))) return;
        const where = `${doc.label}, ${statementLabel(s, i)}`;
        const via = conditionValues(s, "kms:viaservice");
        const through = DECRYPT_CONTEXTS.filter((c) => via.some((v) => v.startsWith(`${c.service}.`)));
        if (tenant && through.length === 0) {
          report(
            `${where} allows kms:Decrypt outside Secrets Manager and Parameter Store: add StringEquals ` +
              'kms:ViaService "secretsmanager.<region>.amazonaws.com" (secrets) or "ssm.<region>.amazonaws.com" (parameters).',
          );
        }
        if (through.length > 1) {
          // Each request carries one service's context only: the statement would match neither.
          report(
            `${where} allows kms:Decrypt through ${through.map((c) => c.name).join(" and ")} at once: ` +
              "split it, one statement per service with its own encryption context.",
          );
        }
        // A tenant grant through neither service is held to the secrets' context, as before.
        const required = through.length > 0 ? through : tenant ? [DECRYPT_CONTEXTS[0]] : [];
        for (const c of required) {
          const context = conditionValues(s, c.key.toLowerCase());
          if (context.length === 0 || context.some((v) => v.includes("*"))) {
            report(
              `${where} allows kms:Decrypt for ${context.length === 0 ? `any ${c.what}` : show(context)}: add StringEquals ` +
                `${c.key} with the exact ${c.what} ARNs.`,
            );
          }
        }
      });
    }),
  },
  {
    name: "efs-client-access-through-access-point",
    description: describeRule(
      ["EFS.4", "CKV_AWS_355"],
      "Grants of elasticfilesystem:ClientMount/ClientWrite carry a condition on " +
        "elasticfilesystem:AccessPointArn, and nothing grants ClientRootAccess: tasks reach the " +
        "shared file system only through their tenant's access point, as its POSIX user. Exception: " +
        "the platform's maintenance task role may be root through the administrative access point only.",
    ),
    enforcementLevel: "mandatory",
    validateResource: forIdentityPolicies((doc, args, report) => {
      // Documented exception: the maintenance task role is root, through its access point only.
      const rootAllowed = isMaintenanceUrn(args.urn);
      doc.statements.forEach((s, i) => {
        if (!allows(s)) return;
        const where = `${doc.label}, ${statementLabel(s, i)}`;
        const root = s.actions.some((a) => grants(a, EFS_ROOT_ACCESS));
        if (root && rootAllowed && !conditions(s, ACCESS_POINT_CONDITION_KEY)) {
          report(
            `${where} grants ${EFS_ROOT_ACCESS} without a condition on elasticfilesystem:AccessPointArn: ` +
              "maintenance tasks may be root only through the administrative access point.",
          );
        } else if (root && !rootAllowed) {
          report(
            `${where} grants ${EFS_ROOT_ACCESS}: root on the shared file system crosses tenants; remove it.`,
          );
        }
        const client = s.actions.some((a) => EFS_CLIENT_ACTIONS.some((action) => grants(a, action)));
        if (client && !root && !conditions(s, ACCESS_POINT_CONDITION_KEY)) {
          report(
            `${where} grants EFS client access without a condition on elasticfilesystem:AccessPointArn: ` +
              "add StringEquals on the tenant's access point ARN.",
          );
        }
      });
    }),
  },
  {
    name: "tenant-iam-exact-resources",
    description: describeRule(
      ["AwsSolutions-IAM5", "CKV_AWS_355"],
      "In a tenant's policies, secretsmanager:GetSecretValue, ssm:GetParameter(s), kms:Decrypt and " +
        "EFS client access name exact ARNs, without wildcards: the execution role reads only that " +
        "tenant's secrets and parameters.",
    ),
    enforcementLevel: "mandatory",
    validateResource: forIdentityPolicies((doc, args, report) => {
      if (!isTenantUrn(args.urn)) return;
      doc.statements.forEach((s, i) => {
        if (!allows(s)) return;
        const sensitive = TENANT_EXACT_ACTIONS.filter((action) => s.actions.some((a) => grants(a, action)));
        const wildcards = s.resources.filter((r) => r.includes("*") || r.includes("?"));
        if (sensitive.length > 0 && wildcards.length > 0) {
          report(
            `${doc.label}, ${statementLabel(s, i)} allows ${show(sensitive)} on ${show(wildcards)}: name the ` +
              "tenant's own secret, parameter, key and file system ARNs.",
          );
        }
      });
    }),
  },
];
