/**
 * The isolation proof: every IAM role an environment's plan creates, evaluated with an IAM policy
 * simulator (@cloud-copilot/iam-simulate: identity policies, resource policies, conditions, the
 * KMS key policy's trust of the account) against every other tenant's secrets, SSM parameters,
 * data-key grants and access point, and against the platform's own secrets, file system root and
 * backup vaults.
 *
 * What it takes from the plan (the resources the offline engine recorded, with their inputs):
 * roles and their inline policies (RolePolicy), each tenant's secrets and access point, the EFS
 * file system policy, the KMS key policies (none given means the KMS default: the account's IAM
 * decides), the backup vault policies, secret resource policies; each tenant's SSM parameters
 * (their ARNs as AWS forms them from the name). A finding is a request the
 * simulator allows that the isolation model forbids; positive checks make sure the proof is not
 * vacuous (each tenant reaches its own secrets, parameters and files).
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { EnvironmentPlan } from "../../plan/plan";
import { RecordedResource } from "../../offline/stackRun";

type Document = { Version?: string; Statement: Record<string, unknown>[] };

/** One role of the plan. */
export interface ProofRole {
  readonly arn: string;
  readonly name: string;
  /** The tenant whose stack created it; undefined for a platform role. */
  readonly tenant?: string;
  /** Services its trust policy names (`ecs-tasks.amazonaws.com`...). */
  readonly trustedServices: readonly string[];
  readonly policies: readonly { readonly name: string; readonly policy: Document }[];
  /** Managed policy ARNs attached (not evaluated: their documents are AWS's). */
  readonly managed: readonly string[];
}

/** One tenant's own resources. */
export interface ProofTenant {
  readonly id: string;
  readonly secretArns: readonly string[];
  /** Its SSM SecureString parameters (the administrator's password). */
  readonly parameterArns: readonly string[];
  readonly accessPointArn: string;
}

/** What the proof evaluates. */
export interface ProofModel {
  readonly environment: string;
  readonly account: string;
  readonly region: string;
  readonly partition: string;
  readonly dataKeyArn: string;
  readonly fileSystemArn: string;
  readonly adminAccessPointArn: string;
  /** Secrets of the platform (the Aurora master secret, and any the platform stack creates). */
  readonly platformSecretArns: readonly string[];
  readonly roles: readonly ProofRole[];
  readonly tenants: readonly ProofTenant[];
  readonly fileSystemPolicy?: Document;
  readonly keyPolicies: ReadonlyMap<string, Document>;
  readonly secretPolicies: ReadonlyMap<string, Document>;
  readonly vaults: readonly { readonly arn: string; readonly region: string; readonly policy?: Document }[];
}

/** A request the simulator allowed that the model forbids. */
export interface Finding {
  readonly role: string;
  readonly tenant?: string;
  readonly action: string;
  readonly resource: string;
  readonly why: string;
}

const parse = (value: unknown): Document | undefined =>
  typeof value === "string" ? (JSON.parse(value) as Document) : (value as Document | undefined);

/** The KMS default key policy: the account administers the key, its IAM policies grant use. */
const defaultKeyPolicy = (account: string, partition: string): Document => ({
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "EnableIamUserPermissions",
      Effect: "Allow",
      Principal: { AWS: `arn:${partition}:iam::${account}:root` },
      Action: "kms:*",
      Resource: "*",
    },
  ],
});

/** Builds the model from a planned environment. */
export function proofModel(plan: EnvironmentPlan): ProofModel {
  const platform = plan.stacks.find((s) => s.kind === "platform")!;
  const contract = platform.run.outputs as {
    accountId: string;
    region: string;
    partition: string;
    keys: { dataKeyArn: string };
    storage: { fileSystemArn: string };
    database: { masterSecretArn: string };
    maintenance: { accessPointArn: string };
  };
  const { accountId: account, region, partition } = contract;
  const all = plan.stacks.flatMap((s) => s.run.resources.map((r) => ({ r, tenant: s.tenant })));
  const ofType = (type: string) => all.filter(({ r }) => r.type === type);
  const arnOf = (service: string, resource: string, r?: RecordedResource) =>
    `arn:${partition}:${service}:${r?.region ?? region}:${account}:${resource}`;

  const roles: ProofRole[] = ofType("aws:iam/role:Role").map(({ r, tenant }) => {
    const trust = parse(r.inputs.assumeRolePolicy);
    const services = (trust?.Statement ?? []).flatMap((s) =>
      [(s.Principal as { Service?: string | string[] } | undefined)?.Service ?? []].flat(),
    );
    const inline = ofType("aws:iam/rolePolicy:RolePolicy")
      .filter((p) => p.r.inputs.role === r.id)
      .map((p) => ({ name: p.r.name, policy: parse(p.r.inputs.policy)! }));
    const embedded = (
      (r.inputs.inlinePolicies as { name?: string; policy?: unknown }[] | undefined) ?? []
    ).map((p, i) => ({ name: p.name ?? `${r.name}-inline-${i}`, policy: parse(p.policy)! }));
    const managed = [
      ...ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        .filter((a) => a.r.inputs.role === r.id)
        .map((a) => String(a.r.inputs.policyArn)),
      ...((r.inputs.managedPolicyArns as string[] | undefined) ?? []),
    ];
    return {
      arn: `arn:${partition}:iam::${account}:role/${r.id}`,
      name: r.name,
      tenant,
      trustedServices: services,
      policies: [...inline, ...embedded],
      managed,
    };
  });

  const tenantIds = [...new Set(plan.stacks.filter((s) => s.tenant).map((s) => s.tenant!))];
  const tenants: ProofTenant[] = tenantIds.map((id) => {
    const mine = all.filter((x) => x.tenant === id);
    const accessPoint = mine.find(({ r }) => r.type === "aws:efs/accessPoint:AccessPoint")!.r;
    return {
      id,
      secretArns: mine.filter(({ r }) => r.type === "aws:secretsmanager/secret:Secret").map(({ r }) => r.id),
      // `parameter/` + the name without the leading slash of a path (what ECS's valueFrom names).
      parameterArns: mine
        .filter(({ r }) => r.type === "aws:ssm/parameter:Parameter")
        .map(({ r }) => arnOf("ssm", `parameter/${String(r.inputs.name).replace(/^\//, "")}`, r)),
      accessPointArn: arnOf("elasticfilesystem", `access-point/${accessPoint.id}`, accessPoint),
    };
  });

  const keyPolicies = new Map<string, Document>();
  for (const { r } of ofType("aws:kms/key:Key"))
    keyPolicies.set(
      arnOf("kms", `key/${r.id}`, r),
      parse(r.inputs.policy) ?? defaultKeyPolicy(account, partition),
    );
  const secretPolicies = new Map<string, Document>();
  for (const { r } of ofType("aws:secretsmanager/secretPolicy:SecretPolicy"))
    secretPolicies.set(String(r.inputs.secretArn), parse(r.inputs.policy)!);
  const vaults = ofType("aws:backup/vault:Vault").map(({ r }) => {
    const policy = ofType("aws:backup/vaultPolicy:VaultPolicy").find(
      (p) => p.r.inputs.backupVaultName === r.id || p.r.inputs.backupVaultName === r.inputs.name,
    );
    return {
      arn: arnOf("backup", `backup-vault:${r.id}`, r),
      region: r.region,
      policy: policy && parse(policy.r.inputs.policy),
    };
  });
  const fileSystemPolicy = ofType("aws:efs/fileSystemPolicy:FileSystemPolicy")[0]?.r.inputs.policy;

  return {
    environment: plan.environment,
    account,
    region,
    partition,
    dataKeyArn: contract.keys.dataKeyArn,
    fileSystemArn: contract.storage.fileSystemArn,
    adminAccessPointArn: contract.maintenance.accessPointArn,
    platformSecretArns: [
      contract.database.masterSecretArn,
      ...all
        .filter(({ r, tenant }) => !tenant && r.type === "aws:secretsmanager/secret:Secret")
        .map(({ r }) => r.id),
    ],
    roles,
    tenants,
    fileSystemPolicy: parse(fileSystemPolicy),
    keyPolicies,
    secretPolicies,
    vaults,
  };
}

/**
 * iam-simulate 0.1.173 drops a request's context keys whose variable part follows a colon:
 * `listHasVariableKeyMatch` (simulation_engine/simulationEngine.js) matches variable keys by the
 * prefix up to the first `/` only, so `kms:EncryptionContext:SecretARN` is "ignored" and every
 * condition on it fails as missing: the own-secret grant would look denied and a cross-tenant
 * one denied for the wrong reason. The proof maps that key, in the policies and in the request
 * alike, onto a string-typed variable key the simulator does evaluate (`aws:ResourceTag/...`);
 * the operators and values are unchanged, so the decision is the one IAM makes on the real key.
 */
const ENCRYPTION_CONTEXT = /^kms:EncryptionContext:(.+)$/i;
const stand = (key: string) => key.replace(ENCRYPTION_CONTEXT, "aws:ResourceTag/kms-encryption-context-$1");
function mapConditionKeys(document: Document | undefined): Document | undefined {
  if (!document) return document;
  return {
    ...document,
    Statement: document.Statement.map((statement) => {
      const condition = statement.Condition as Record<string, Record<string, unknown>> | undefined;
      if (!condition) return statement;
      return {
        ...statement,
        Condition: Object.fromEntries(
          Object.entries(condition).map(([operator, block]) => [
            operator,
            Object.fromEntries(Object.entries(block).map(([key, value]) => [stand(key), value])),
          ]),
        ),
      };
    }),
  };
}

/** The simulator's decision for one request of `role`. */
export async function decide(
  model: ProofModel,
  role: ProofRole,
  action: string,
  resource: string,
  context: Record<string, string | string[]>,
  resourcePolicy?: Document,
): Promise<"Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied"> {
  const result = await runSimulation(
    {
      request: {
        principal: role.arn,
        action,
        resource: { resource, accountId: model.account },
        contextVariables: Object.fromEntries(
          Object.entries({
            "aws:SecureTransport": "true",
            "aws:PrincipalAccount": model.account,
            ...context,
          }).map(([key, value]) => [stand(key), value]),
        ),
      },
      identityPolicies: role.policies.map((p) => ({ name: p.name, policy: mapConditionKeys(p.policy) })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: mapConditionKeys(resourcePolicy),
    },
    {},
  );
  if (result.resultType === "error") {
    throw new Error(
      `the simulator refused ${action} on ${resource} for ${role.name}: ${result.errors.message}`,
    );
  }
  return result.overallResult;
}

/** One request to simulate, with the resource policy that applies to it. */
interface Request {
  readonly action: string;
  readonly resource: string;
  readonly context: Record<string, string | string[]>;
  readonly policy?: Document;
}

/** The requests that reach a secret: reading it, and decrypting it with the shared data key. */
function secretRequests(model: ProofModel, secretArn: string): Request[] {
  return [
    {
      action: "secretsmanager:GetSecretValue",
      resource: secretArn,
      context: {},
      policy: model.secretPolicies.get(secretArn),
    },
    {
      action: "kms:Decrypt",
      resource: model.dataKeyArn,
      context: {
        "kms:ViaService": `secretsmanager.${model.region}.amazonaws.com`,
        "kms:EncryptionContext:SecretARN": secretArn,
        "kms:CallerAccount": model.account,
      },
      policy: model.keyPolicies.get(model.dataKeyArn),
    },
  ];
}

/**
 * The requests that reach an SSM SecureString parameter: ECS's GetParameters, and the decrypt
 * Parameter Store makes with the parameter's ARN as encryption context (`PARAMETER_ARN`).
 */
function parameterRequests(model: ProofModel, parameterArn: string): Request[] {
  return [
    { action: "ssm:GetParameters", resource: parameterArn, context: {} },
    {
      action: "kms:Decrypt",
      resource: model.dataKeyArn,
      context: {
        "kms:ViaService": `ssm.${model.region}.amazonaws.com`,
        "kms:EncryptionContext:PARAMETER_ARN": parameterArn,
        "kms:CallerAccount": model.account,
      },
      policy: model.keyPolicies.get(model.dataKeyArn),
    },
  ];
}

/** The requests that reach files through an access point (or without one: `undefined`). */
function fileRequests(
  model: ProofModel,
  accessPointArn: string | undefined,
  actions: readonly string[],
): Request[] {
  return actions.map((action) => ({
    action,
    resource: model.fileSystemArn,
    context: fileContext(accessPointArn),
    policy: model.fileSystemPolicy,
  }));
}

/** The request context of an NFS client mounting through `accessPointArn` (none: no access point). */
function fileContext(accessPointArn: string | undefined): Record<string, string> {
  const context: Record<string, string> = {};
  if (accessPointArn) context["elasticfilesystem:AccessPointArn"] = accessPointArn;
  return context;
}

const CLIENT = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"];
const ROOT = ["elasticfilesystem:ClientRootAccess"];

/** Every finding of the model: empty when isolation holds. */
export async function prove(model: ProofModel): Promise<Finding[]> {
  const findings: Finding[] = [];
  const check = async (role: ProofRole, requests: readonly Request[], why: string) => {
    for (const r of requests) {
      if ((await decide(model, role, r.action, r.resource, r.context, r.policy)) === "Allowed") {
        findings.push({ role: role.name, tenant: role.tenant, action: r.action, resource: r.resource, why });
      }
    }
  };

  for (const role of model.roles) {
    // Every other tenant's secrets and files: a cross-tenant allow.
    for (const other of model.tenants.filter((t) => t.id !== role.tenant)) {
      const whose = role.tenant
        ? `tenant ${other.id}'s, from tenant ${role.tenant}`
        : `tenant ${other.id}'s, from the platform`;
      for (const secret of other.secretArns)
        await check(role, secretRequests(model, secret), `${whose}: secret ${secret}`);
      for (const parameter of other.parameterArns)
        await check(role, parameterRequests(model, parameter), `${whose}: parameter ${parameter}`);
      await check(role, fileRequests(model, other.accessPointArn, [...CLIENT, ...ROOT]), `${whose}: files`);
    }
    if (!role.tenant) continue;
    // The platform's own: its secrets, the file system root, root access, the backup vaults.
    for (const secret of model.platformSecretArns)
      await check(
        role,
        secretRequests(model, secret),
        `platform secret ${secret}, from tenant ${role.tenant}`,
      );
    await check(
      role,
      fileRequests(model, undefined, [...CLIENT, ...ROOT]),
      `the file system without an access point, from tenant ${role.tenant}`,
    );
    await check(
      role,
      fileRequests(model, model.adminAccessPointArn, [...CLIENT, ...ROOT]),
      `the maintenance access point, from tenant ${role.tenant}`,
    );
    const own = model.tenants.find((t) => t.id === role.tenant)!;
    await check(
      role,
      fileRequests(model, own.accessPointArn, ROOT),
      `root through its own access point, tenant ${role.tenant}`,
    );
    for (const vault of model.vaults) {
      const point = vault.arn.replace(
        /backup-vault:.*$/,
        "recovery-point:00000000-0000-4000-8000-000000000000",
      );
      for (const [action, resource] of [
        ["backup:DeleteRecoveryPoint", point],
        ["backup:StartRestoreJob", point],
        ["backup:DeleteBackupVault", vault.arn],
        ["backup:PutBackupVaultAccessPolicy", vault.arn],
      ] as const) {
        if ((await decide(model, role, action, resource, {}, vault.policy)) === "Allowed")
          findings.push({
            role: role.name,
            tenant: role.tenant,
            action,
            resource,
            why: `backup vault, from tenant ${role.tenant}`,
          });
      }
    }
  }
  return findings;
}

/** What each tenant must reach (the proof is not vacuous): requests the simulator must allow. */
export async function ownAccessGaps(model: ProofModel): Promise<string[]> {
  const gaps: string[] = [];
  for (const tenant of model.tenants) {
    const roles = model.roles.filter((r) => r.tenant === tenant.id);
    const exec = roles.find((r) => /exec-role/.test(r.name))!;
    const task = roles.find((r) => /task-role/.test(r.name))!;
    for (const secret of tenant.secretArns)
      for (const r of secretRequests(model, secret))
        if ((await decide(model, exec, r.action, r.resource, r.context, r.policy)) !== "Allowed")
          gaps.push(`${exec.name} cannot ${r.action} its own ${secret}`);
    for (const parameter of tenant.parameterArns)
      for (const r of parameterRequests(model, parameter))
        if ((await decide(model, exec, r.action, r.resource, r.context, r.policy)) !== "Allowed")
          gaps.push(`${exec.name} cannot ${r.action} its own ${parameter}`);
    for (const r of fileRequests(model, tenant.accessPointArn, CLIENT))
      if ((await decide(model, task, r.action, r.resource, r.context, r.policy)) !== "Allowed")
        gaps.push(`${task.name} cannot ${r.action} through its own access point`);
  }
  return gaps;
}
