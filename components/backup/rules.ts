/**
 * The backup rules of a BBWS environment: hourly snapshots (RPO 1 h) of the EFS file system and
 * the Aurora cluster, copied to the DR vault, and the monthly restore test.
 *
 * AWS Backup applies every rule of a plan to every resource assigned to the plan (and, when two
 * rules fire together, keeps only the one with the longer retention). Per-resource lifecycles
 * and recovery point tags therefore need one plan per resource type, each with one rule and a
 * selection of that resource only: seed 002's single plan with an EFS rule and an RDS rule
 * would have backed up both resources under whichever rule kept longer, tagged "efs".
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { TAG } from "../tags";
import { BackupResourceType, Lifecycle } from "../../config/backupLifecycle";

/**
 * Top of every hour, UTC. AWS Backup takes six-field EventBridge cron expressions in which
 * exactly one of day-of-month and day-of-week is `?`; `cron(0 * * * ? *)` (seed 002) is the
 * same schedule. One hour is the shortest interval AWS Backup schedules snapshots at.
 */
export const HOURLY_SCHEDULE = "cron(0 * ? * * *)";
/** A job that has not started within an hour is cancelled: the next hourly job replaces it. */
export const START_WINDOW_MINUTES = 60;
/** A started job gets two hours to finish before AWS Backup cancels it. */
export const COMPLETION_WINDOW_MINUTES = 120;
/** Restore tests run at 03:00 UTC on the first day of every month. */
export const RESTORE_TEST_SCHEDULE = "cron(0 3 1 * ? *)";
/** Recovery points BBWS's plans create carry this `bbws:backup-type` (ops' on-demand jobs differ). */
export const SCHEDULED_BACKUP_TYPE = "automated";
/** Tag key naming how a recovery point came to be. */
export const BACKUP_TYPE_TAG = "bbws:backup-type";

/** What BBWS needs to know of each protected resource type. */
export interface BackupTarget {
  /** Key in logical names and rule names. */
  readonly key: string;
  /** `bbws:component` of the protected resource, repeated on its recovery points. */
  readonly component: string;
  /** `protectedResourceType` of AWS Backup restore testing. */
  readonly restoreTestingType: string;
}

/** The protected resource types. */
export const BACKUP_TARGETS: Readonly<Record<BackupResourceType, BackupTarget>> = {
  EFS: { key: "efs", component: "efs", restoreTestingType: "EFS" },
  Aurora: { key: "aurora", component: "database", restoreTestingType: "Aurora" },
};

/**
 * Checks an AWS Backup cron expression's shape: six fields, exactly one of day-of-month and
 * day-of-week `?`. Returns the problem, or undefined when AWS would accept the shape.
 */
export function cronExpressionProblem(expression: string): string | undefined {
  const match = /^cron\((.*)\)$/.exec(expression);
  if (!match) return `"${expression}" is not of the form cron(<six fields>)`;
  const fields = match[1].trim().split(/\s+/);
  if (fields.length !== 6) {
    return `"${expression}" has ${fields.length} fields; AWS cron takes six (minute hour day-of-month month day-of-week year)`;
  }
  const questionMarks = [fields[2], fields[4]].filter((f) => f === "?").length;
  if (questionMarks !== 1) {
    return `"${expression}": exactly one of day-of-month and day-of-week must be "?"`;
  }
  return undefined;
}

/** Arguments of one hourly rule. */
export interface HourlyRuleArgs {
  readonly resourceType: BackupResourceType;
  readonly environment: string;
  readonly targetVaultName: pulumi.Input<string>;
  readonly lifecycle: Lifecycle;
  readonly drVaultArn: pulumi.Input<string>;
  readonly drCopyRetentionDays: number;
}

/** The hourly rule of one resource type, with its copy to the DR vault. */
export function hourlyRule(args: HourlyRuleArgs): aws.types.input.backup.PlanRule {
  const target = BACKUP_TARGETS[args.resourceType];
  return {
    ruleName: `hourly-${target.key}`,
    targetVaultName: args.targetVaultName,
    schedule: HOURLY_SCHEDULE,
    scheduleExpressionTimezone: "Etc/UTC",
    startWindow: START_WINDOW_MINUTES,
    completionWindow: COMPLETION_WINDOW_MINUTES,
    lifecycle: {
      deleteAfter: args.lifecycle.deleteAfterDays,
      ...(args.lifecycle.coldStorageAfterDays === undefined
        ? {}
        : { coldStorageAfter: args.lifecycle.coldStorageAfterDays }),
    },
    recoveryPointTags: {
      [BACKUP_TYPE_TAG]: SCHEDULED_BACKUP_TYPE,
      [TAG.component]: target.component,
      [TAG.environment]: args.environment,
    },
    // Copies stay warm: a DR copy is read in a disaster, when a cold-tier restore is slowest.
    copyActions: [
      { destinationVaultArn: args.drVaultArn, lifecycle: { deleteAfter: args.drCopyRetentionDays } },
    ],
  };
}

/**
 * Restore testing names allow only letters, digits and underscores (at most 50), unlike every
 * other AWS Backup name, so Pulumi's hyphenated auto-names are refused.
 */
export function restoreTestingName(...parts: string[]): string {
  return parts
    .join("_")
    .replace(/[^A-Za-z0-9_]/g, "_")
    .slice(0, 50);
}
