/**
 * AWS Backup rules: encrypted and (in prod) locked vaults, lifecycles AWS Backup accepts,
 * the hourly RPO with at least 7 days of retention, and backup coverage of the stateful
 * resources (the EFS file system and the Aurora cluster).
 *
 * Lifecycle validity reuses `lifecycleErrors` from components/backup/lifecycle.ts, the same
 * function the BackupPlan component validates its configuration with.
 */
import * as aws from "@pulumi/aws";
import { PolicyResource, ReportViolation, StackValidationArgs, validateResourceOfType } from "@pulumi/policy";
import { BackupResourceType, lifecycleErrors } from "../../config/backupLifecycle";
import {
  BbwsPolicy,
  StackIndex,
  asArray,
  asRecord,
  describeRule,
  grants,
  isProduction,
  known,
  show,
  statementsOf,
  tagsOf,
  typeToken,
} from "./common";

const VAULT = typeToken(aws.backup.Vault);
const PLAN = typeToken(aws.backup.Plan);
const SELECTION = typeToken(aws.backup.Selection);
const FILE_SYSTEM = typeToken(aws.efs.FileSystem);
const DB_CLUSTER = typeToken(aws.rds.Cluster);

/** The RPO and retention BBWS promises (AWS Config rule parameters hours/1/7). */
export const REQUIRED_RETENTION_DAYS = 7;

type Rule = Record<string, unknown>;

/** Every lifecycle of a plan rule: its own and its copy actions', with a name for messages. */
function lifecyclesOf(rule: Rule): { where: string; lifecycle: Record<string, unknown> | undefined }[] {
  const name = typeof rule?.ruleName === "string" ? rule.ruleName : "unnamed";
  return [
    { where: `rule ${name}`, lifecycle: asRecord(rule?.lifecycle) },
    ...asArray<Rule>(rule?.copyActions).map((copy, i) => ({
      where: `copy action #${i + 1} of rule ${name}`,
      lifecycle: asRecord(copy?.lifecycle),
    })),
  ];
}

/** `lifecycleErrors` for an SDK lifecycle block; a missing block keeps recovery points forever. */
function lifecycleProblems(
  type: BackupResourceType,
  where: string,
  lifecycle: Record<string, unknown> | undefined,
) {
  if (!lifecycle || lifecycle.deleteAfter === undefined) {
    return [`${where}: no lifecycle.deleteAfter, so recovery points are kept (and billed) forever`];
  }
  return lifecycleErrors(
    type,
    {
      deleteAfterDays: Number(lifecycle.deleteAfter),
      coldStorageAfterDays:
        lifecycle.coldStorageAfter === undefined ? undefined : Number(lifecycle.coldStorageAfter),
    },
    where,
  );
}

/** True when a backup schedule runs at least hourly (cron with every hour, or rate <= 1 hour). */
export function isAtLeastHourly(schedule: unknown): boolean {
  if (typeof schedule !== "string") return false;
  const rate = /^rate\((\d+)\s+(minute|minutes|hour|hours)\)$/i.exec(schedule.trim());
  if (rate) return /^minute/i.test(rate[2]) ? Number(rate[1]) <= 60 : Number(rate[1]) <= 1;
  const cron = /^cron\((.+)\)$/i.exec(schedule.trim());
  if (!cron) return false;
  const hours = cron[1].trim().split(/\s+/)[1];
  return hours === "*" || hours === "*/1" || hours === "0/1" || hours === "0-23";
}

/** True when a selection names an Aurora/RDS resource (by ARN or by depending on a cluster). */
function selectsRds(selection: PolicyResource): boolean {
  const arns = asArray(known(() => selection.props?.resources));
  return (
    arns.some((arn) => typeof arn === "string" && /^arn:[^:]+:rds:/.test(arn)) ||
    selection.dependencies.some((d) => d.type === DB_CLUSTER)
  );
}

/** True when `selection` covers `target`: by reference, ARN or tag. */
function selectionCovers(stack: StackIndex, selection: PolicyResource, target: PolicyResource): boolean {
  const arns = asArray(known(() => selection.props?.resources));
  const arn = known(() => target.props?.arn);
  if (stack.dependsOn(selection, target) || (typeof arn === "string" && arns.includes(arn))) return true;
  const tags = tagsOf(target.props) ?? {};
  const byTag = asArray<Rule>(known(() => selection.props?.selectionTags)).some(
    (t) =>
      typeof t?.type === "string" &&
      t.type.toUpperCase() === "STRINGEQUALS" &&
      typeof t.key === "string" &&
      tags[t.key] === t.value,
  );
  if (byTag) return true;
  const equals = asArray<Rule>(known(() => selection.props?.conditions)).flatMap((c) =>
    asArray<Rule>(asRecord(c)?.stringEquals),
  );
  return (
    equals.length > 0 &&
    (arns.length === 0 || arns.includes("*")) &&
    equals.every(
      (e) => typeof e?.key === "string" && tags[e.key.replace(/^aws:ResourceTag\//, "")] === e.value,
    )
  );
}

export const backupPolicies: BbwsPolicy[] = [
  {
    name: "backup-vault-cmk",
    description: describeRule(
      ["Backup.1", "CKV_AWS_166"],
      "Backup vaults (the primary and the DR vault) encrypt recovery points with a customer-managed KMS key.",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.backup.Vault, (vault, _args, report) => {
      if (!vault?.kmsKeyArn)
        report("kmsKeyArn is not set: give the vault its own CMK (in the vault's region).");
    }),
  },
  {
    name: "backup-plan-lifecycles-valid",
    description: describeRule(
      ["REL09"],
      "Every rule and copy action of a backup plan has a lifecycle AWS Backup accepts: delete-after " +
        "set, and at least cold-storage-after + 90 days when cold storage is used.",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.backup.Plan, (plan, _args, report) => {
      for (const rule of asArray<Rule>(plan?.rules)) {
        for (const { where, lifecycle } of lifecyclesOf(rule)) {
          for (const problem of lifecycleProblems("EFS", where, lifecycle)) report(problem);
        }
      }
    }),
  },
  {
    name: "backup-no-cold-storage-for-aurora",
    description: describeRule(
      ["REL09"],
      "Backup plans that select Aurora clusters use no cold storage: AWS Backup offers cold storage " +
        "for EFS, not for Aurora.",
    ),
    enforcementLevel: "mandatory",
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
      const stack = StackIndex.of(args.resources);
      for (const selection of stack.ofType(SELECTION)) {
        if (!selectsRds(selection)) continue;
        for (const plan of stack.referenced(selection, "planId", [PLAN])) {
          for (const rule of asArray<Rule>(known(() => plan.props?.rules))) {
            for (const { where, lifecycle } of lifecyclesOf(rule)) {
              if (lifecycle?.coldStorageAfter === undefined) continue;
              for (const problem of lifecycleProblems("Aurora", `plan ${plan.name}, ${where}`, lifecycle)) {
                report(`${problem} (selection ${selection.name} includes Aurora)`, plan.urn);
              }
            }
          }
        }
      }
    },
  },
  {
    name: "backup-plan-hourly-with-retention",
    description: describeRule(
      ["BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK", "REL09"],
      `Backup plan rules run at least hourly (RPO 1 h) and keep recovery points at least ${REQUIRED_RETENTION_DAYS} ` +
        "days (AWS Config rule parameters requiredFrequencyUnit=hours, requiredFrequencyValue=1, " +
        `requiredRetentionDays=${REQUIRED_RETENTION_DAYS}). Advisory: an extra daily or monthly rule is fine.`,
    ),
    enforcementLevel: "advisory",
    validateResource: validateResourceOfType(aws.backup.Plan, (plan, _args, report) => {
      const rules = asArray<Rule>(plan?.rules);
      if (!rules.some((r) => isAtLeastHourly(r?.schedule))) {
        report(
          `no rule runs hourly (schedules ${show(rules.map((r) => r?.schedule))}): add cron(0 * ? * * *).`,
        );
      }
      for (const rule of rules) {
        const days = Number(asRecord(rule?.lifecycle)?.deleteAfter ?? Infinity);
        if (days < REQUIRED_RETENTION_DAYS) {
          report(
            `rule ${show(rule?.ruleName)} keeps recovery points ${days} day(s): keep at least ${REQUIRED_RETENTION_DAYS}.`,
          );
        }
      }
    }),
  },
  {
    name: "backup-vault-locked-in-prod",
    description: describeRule(
      ["BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED", "REL09"],
      "In prod, every backup vault has a Vault Lock or a vault policy denying " +
        "backup:DeleteRecoveryPoint, so neither ransomware nor a mistake can delete the backups.",
    ),
    enforcementLevel: "mandatory",
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
      const stack = StackIndex.of(args.resources);
      const locks = stack.ofType(typeToken(aws.backup.VaultLockConfiguration));
      const denyPolicies = stack
        .ofType(typeToken(aws.backup.VaultPolicy))
        .filter((p) =>
          statementsOf(known(() => p.props?.policy)).some(
            (s) => s.effect === "Deny" && s.actions.some((a) => grants(a, "backup:DeleteRecoveryPoint")),
          ),
        );
      for (const vault of stack.ofType(VAULT)) {
        if (!isProduction(vault.props)) continue;
        const guarded = [...locks, ...denyPolicies].some(
          (g) => stack.dependsOn(g, vault) || stack.referenced(g, "backupVaultName", [VAULT]).includes(vault),
        );
        if (!guarded) {
          report(
            `vault ${vault.name} has neither a Vault Lock nor a policy denying DeleteRecoveryPoint.`,
            vault.urn,
          );
        }
      }
    },
  },
  {
    name: "backup-covers-stateful-resources",
    description: describeRule(
      ["EFS.2", "CKV2_AWS_18", "CKV2_AWS_8"],
      "The EFS file systems and Aurora clusters of a stack are in an AWS Backup selection (by " +
        "reference, ARN or tag). Advisory: an AWS Organizations backup policy can cover them from " +
        "outside the stack.",
    ),
    enforcementLevel: "advisory",
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
      const stack = StackIndex.of(args.resources);
      const selections = stack.ofType(SELECTION);
      const efsBackupPolicies = stack
        .ofType(typeToken(aws.efs.BackupPolicy))
        .filter((p) => asRecord(known(() => p.props?.backupPolicy))?.status === "ENABLED");
      for (const target of stack.ofType(FILE_SYSTEM, DB_CLUSTER)) {
        const covered =
          selections.some((s) => selectionCovers(stack, s, target)) ||
          efsBackupPolicies.some((p) => stack.referenced(p, "fileSystemId", [FILE_SYSTEM]).includes(target));
        if (!covered)
          report(`${target.name} is in no AWS Backup selection: add it to the hourly plan.`, target.urn);
      }
    },
  },
];
