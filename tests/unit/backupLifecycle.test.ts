import { expect } from "chai";
import {
  BackupLifecycleError,
  COLD_STORAGE_MINIMUM_DAYS,
  assertValidPlanLifecycles,
  lifecycleErrors,
  lifecycleViolations,
  lifecyclesFromSettings,
  planLifecycleViolations,
  validateBackupLifecycles,
} from "../../config/backupLifecycle";
import {
  COMPLETION_WINDOW_MINUTES,
  HOURLY_SCHEDULE,
  RESTORE_TEST_SCHEDULE,
  START_WINDOW_MINUTES,
  cronExpressionProblem,
  hourlyRule,
  restoreTestingName,
} from "../../components/backup/rules";
import {
  FAILURE_EVENTS,
  backupServiceTrustPolicy,
  failuresOnlyFilterPolicy,
  notificationKeyPolicy,
  notificationTopicPolicy,
  serviceRolePolicyArn,
  vaultDeletionGuardPolicy,
} from "../../components/backup/policies";
import {
  DEFAULT_COMPLIANCE_GRACE_DAYS,
  vaultLockProblem,
  vaultLockSettings,
} from "../../components/backup/vaultLock";
import { PRESETS } from "../../config/presets";

interface Statement {
  Sid?: string;
  Effect: string;
  Principal: { AWS?: string; Service?: string };
  Action: string | string[];
  Resource: string;
  Condition?: unknown;
}
const statements = (policy: string) => (JSON.parse(policy) as { Statement: Statement[] }).Statement;
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe("backup lifecycles", () => {
  describe("lifecycleViolations", () => {
    it("rejects seed 002's EFS lifecycle (cold after 1 day, delete after 7) and explains the 90-day minimum", () => {
      const violations = lifecycleViolations(
        "EFS",
        { deleteAfterDays: 7, coldStorageAfterDays: 1 },
        "EFS hourly rule",
      );
      expect(violations.map((v) => v.rule)).to.deep.equal(["cold-storage-minimum-stay"]);
      expect(violations[0].message).to.equal(
        "EFS hourly rule: delete-after (7 days) must be at least cold-storage-after (1) + 90 = 91 days: " +
          "AWS Backup keeps a recovery point in cold storage for at least 90 days (raise delete-after or drop cold storage)",
      );
    });

    it("accepts cold storage exactly 90 days before deletion, and not one day less", () => {
      expect(lifecycleViolations("EFS", { deleteAfterDays: 120, coldStorageAfterDays: 30 }, "r")).to.be.empty;
      expect(
        lifecycleViolations(
          "EFS",
          { deleteAfterDays: 30 + COLD_STORAGE_MINIMUM_DAYS, coldStorageAfterDays: 30 },
          "r",
        ),
      ).to.be.empty;
      expect(
        lifecycleViolations(
          "EFS",
          { deleteAfterDays: 29 + COLD_STORAGE_MINIMUM_DAYS, coldStorageAfterDays: 30 },
          "r",
        ).map((v) => v.rule),
      ).to.deep.equal(["cold-storage-minimum-stay"]);
    });

    it("rejects any cold storage for Aurora, even with a long enough retention", () => {
      const violations = lifecycleViolations(
        "Aurora",
        { deleteAfterDays: 365, coldStorageAfterDays: 30 },
        "Aurora hourly rule",
      );
      expect(violations.map((v) => v.rule)).to.deep.equal(["cold-storage-unsupported"]);
      expect(violations[0].message).to.match(/Aurora recovery points cannot move to cold storage/);
    });

    for (const days of [0, -1, 1.5, Number.NaN]) {
      it(`rejects a delete-after of ${days}`, () => {
        expect(
          lifecycleViolations("Aurora", { deleteAfterDays: days }, "r").map((v) => v.rule),
        ).to.deep.equal(["delete-after-whole-days"]);
      });
    }

    it("rejects a cold-storage-after that is not a whole number of days >= 1", () => {
      expect(
        lifecycleViolations("EFS", { deleteAfterDays: 200, coldStorageAfterDays: 0 }, "r").map((v) => v.rule),
      ).to.deep.equal(["cold-storage-after-whole-days"]);
    });

    it("lifecycleErrors returns the same messages, for existing callers", () => {
      const lifecycle = { deleteAfterDays: 0, coldStorageAfterDays: 1 };
      expect(lifecycleErrors("EFS", lifecycle, "r")).to.deep.equal(
        lifecycleViolations("EFS", lifecycle, "r").map((v) => v.message),
      );
      expect(lifecycleErrors("EFS", lifecycle, "r")).to.have.length(2);
    });
  });

  describe("plan lifecycles", () => {
    it("the presets' lifecycles are all valid", () => {
      for (const [env, preset] of Object.entries(PRESETS)) {
        expect(planLifecycleViolations(lifecyclesFromSettings(preset.backup)), env).to.be.empty;
      }
    });

    it("configuration puts cold storage on the EFS rule only, both rules sharing the retention", () => {
      const lifecycles = lifecyclesFromSettings({
        retentionDays: 120,
        efsColdStorageAfterDays: 30,
        drCopyRetentionDays: 30,
      });
      expect(lifecycles.efs).to.deep.equal({ deleteAfterDays: 120, coldStorageAfterDays: 30 });
      expect(lifecycles.aurora).to.deep.equal({ deleteAfterDays: 120 });
      expect(lifecycles.drCopyRetentionDays).to.equal(30);
    });

    it("assertValidPlanLifecycles throws a BackupLifecycleError naming every broken rule", () => {
      let caught: unknown;
      try {
        assertValidPlanLifecycles("BackupPlan x", {
          efs: { deleteAfterDays: 7, coldStorageAfterDays: 1 },
          aurora: { deleteAfterDays: 7, coldStorageAfterDays: 1 },
          drCopyRetentionDays: 0,
        });
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(BackupLifecycleError);
      const error = caught as BackupLifecycleError;
      expect(error.violations.map((v) => [v.where, v.rule])).to.deep.equal([
        ["EFS hourly rule", "cold-storage-minimum-stay"],
        ["Aurora hourly rule", "cold-storage-unsupported"],
        ["DR copy", "delete-after-whole-days"],
      ]);
      expect(error.message).to.match(/^BackupPlan x: invalid AWS Backup lifecycle:/);
      expect(error.message).to.contain("[cold-storage-minimum-stay]");
    });
  });

  describe("validateBackupLifecycles (configuration)", () => {
    it("blames backupRetentionDays for seed 002's lifecycle, with the value received", () => {
      const problems = validateBackupLifecycles({
        retentionDays: 7,
        efsColdStorageAfterDays: 1,
        drCopyRetentionDays: 30,
      });
      expect(problems).to.have.length(1);
      expect(problems[0]).to.include({ configKey: "backupRetentionDays", received: 7 });
      expect(problems[0].message).to.match(/at least cold-storage-after \(1\) \+ 90 = 91 days/);
    });

    it("blames the cold-storage key with its own value, and the DR key for a bad copy retention", () => {
      const problems = validateBackupLifecycles({
        retentionDays: 200,
        efsColdStorageAfterDays: 0,
        drCopyRetentionDays: -3,
      });
      expect(problems.map((p) => [p.configKey, p.received])).to.deep.equal([
        ["backupEfsColdStorageAfterDays", 0],
        ["backupDrCopyRetentionDays", -3],
      ]);
    });

    it("accepts every preset", () => {
      for (const preset of Object.values(PRESETS))
        expect(validateBackupLifecycles(preset.backup)).to.be.empty;
    });
  });
});

describe("backup rules", () => {
  it("the hourly and monthly schedules have the shape AWS cron requires", () => {
    expect(cronExpressionProblem(HOURLY_SCHEDULE)).to.equal(undefined);
    expect(cronExpressionProblem("cron(0 * * * ? *)")).to.equal(undefined);
    expect(cronExpressionProblem(RESTORE_TEST_SCHEDULE)).to.equal(undefined);
    expect(HOURLY_SCHEDULE.split(" ")[1]).to.equal("*");
  });

  it("cronExpressionProblem catches Unix-style and double-? expressions", () => {
    expect(cronExpressionProblem("cron(0 * * * *)")).to.match(/has 5 fields/);
    expect(cronExpressionProblem("cron(0 * * * * *)")).to.match(
      /exactly one of day-of-month and day-of-week/,
    );
    expect(cronExpressionProblem("cron(0 * ? * ? *)")).to.match(/exactly one/);
    expect(cronExpressionProblem("rate(1 hour)")).to.match(/not of the form/);
  });

  it("an hourly rule maps the lifecycle, copies to the DR vault and tags its recovery points", () => {
    const rule = hourlyRule({
      resourceType: "EFS",
      environment: "prod",
      targetVaultName: "primary",
      lifecycle: { deleteAfterDays: 120, coldStorageAfterDays: 30 },
      drVaultArn: "arn:aws:backup:eu-west-1:123456789012:backup-vault:dr",
      drCopyRetentionDays: 30,
    });
    expect(rule).to.deep.include({
      ruleName: "hourly-efs",
      schedule: HOURLY_SCHEDULE,
      startWindow: START_WINDOW_MINUTES,
      completionWindow: COMPLETION_WINDOW_MINUTES,
    });
    expect(rule.lifecycle).to.deep.equal({ deleteAfter: 120, coldStorageAfter: 30 });
    expect(rule.copyActions).to.deep.equal([
      {
        destinationVaultArn: "arn:aws:backup:eu-west-1:123456789012:backup-vault:dr",
        lifecycle: { deleteAfter: 30 },
      },
    ]);
    expect(rule.recoveryPointTags).to.deep.equal({
      "bbws:backup-type": "automated",
      "bbws:component": "efs",
      "bbws:environment": "prod",
    });
  });

  it("an Aurora rule without cold storage has no coldStorageAfter key at all", () => {
    const rule = hourlyRule({
      resourceType: "Aurora",
      environment: "dev",
      targetVaultName: "v",
      lifecycle: { deleteAfterDays: 7 },
      drVaultArn: "dr",
      drCopyRetentionDays: 30,
    });
    expect(rule.ruleName).to.equal("hourly-aurora");
    expect(rule.lifecycle).to.deep.equal({ deleteAfter: 7 });
    expect((rule.recoveryPointTags as Record<string, string>)["bbws:component"]).to.equal("database");
  });

  it("restore testing names use only letters, digits and underscores, at most 50", () => {
    expect(restoreTestingName("bbws", "prod", "monthly")).to.equal("bbws_prod_monthly");
    const long = restoreTestingName("bbws-x", "a".repeat(80));
    expect(long).to.match(/^[A-Za-z0-9_]{50}$/);
  });
});

describe("vault lock", () => {
  it("governance sets no grace time; compliance sets one (7 days unless given)", () => {
    expect(vaultLockSettings("governance", 35)).to.deep.equal({ minRetentionDays: 35 });
    expect(vaultLockSettings("compliance", 35)).to.deep.equal({
      minRetentionDays: 35,
      changeableForDays: DEFAULT_COMPLIANCE_GRACE_DAYS,
    });
    expect(vaultLockSettings("compliance", 30, 14).changeableForDays).to.equal(14);
  });

  it("refuses a compliance grace time under AWS's 72 hours and a grace time on a governance lock", () => {
    expect(vaultLockProblem("compliance", undefined)).to.equal(undefined);
    expect(vaultLockProblem("compliance", 3)).to.equal(undefined);
    expect(vaultLockProblem("compliance", 2)).to.match(/>= 3 .*72-hour/);
    expect(vaultLockProblem("governance", 5)).to.match(/compliance locks only/);
    expect(vaultLockProblem("governance", undefined)).to.equal(undefined);
  });
});

describe("backup policies", () => {
  it("the vault policy denies deleting recovery points and changing their retention to everyone", () => {
    const [deny, ...rest] = statements(vaultDeletionGuardPolicy());
    expect(rest).to.be.empty;
    expect(deny.Effect).to.equal("Deny");
    expect(deny.Principal).to.deep.equal({ AWS: "*" });
    expect(actions(deny)).to.have.members([
      "backup:DeleteRecoveryPoint",
      "backup:UpdateRecoveryPointLifecycle",
    ]);
    expect(deny.Condition).to.equal(undefined);
  });

  it("the notification key lets AWS Backup encrypt, and the account administer, nothing else", () => {
    const policy = statements(notificationKeyPolicy("123456789012", "aws-cn"));
    expect(policy.map((s) => s.Principal)).to.deep.equal([
      { AWS: "arn:aws-cn:iam::123456789012:root" },
      { Service: "backup.amazonaws.com" },
    ]);
    expect(actions(policy[1])).to.have.members(["kms:GenerateDataKey*", "kms:Decrypt"]);
  });

  it("the topic policy lets AWS Backup publish to that topic only", () => {
    const [allow] = statements(notificationTopicPolicy("arn:aws:sns:af-south-1:123456789012:t"));
    expect(allow).to.deep.include({
      Effect: "Allow",
      Action: "SNS:Publish",
      Resource: "arn:aws:sns:af-south-1:123456789012:t",
    });
    expect(allow.Principal).to.deep.equal({ Service: "backup.amazonaws.com" });
  });

  it("the service role trusts AWS Backup; managed policy ARNs follow the partition", () => {
    const [trust] = statements(backupServiceTrustPolicy());
    expect(trust.Principal).to.deep.equal({ Service: "backup.amazonaws.com" });
    expect(trust.Action).to.equal("sts:AssumeRole");
    expect(serviceRolePolicyArn("aws-us-gov", "AWSBackupServiceRolePolicyForRestores")).to.equal(
      "arn:aws-us-gov:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
    );
  });

  it("notifies on events AWS still emits, and the filter passes failures only", () => {
    const deprecated = [
      "BACKUP_JOB_FAILED",
      "BACKUP_JOB_SUCCESSFUL",
      "BACKUP_JOB_EXPIRED",
      "RESTORE_JOB_FAILED",
    ];
    for (const event of deprecated) expect(FAILURE_EVENTS).to.not.include(event);
    expect(FAILURE_EVENTS).to.include.members([
      "BACKUP_JOB_COMPLETED",
      "COPY_JOB_FAILED",
      "RESTORE_JOB_COMPLETED",
    ]);
    expect(JSON.parse(failuresOnlyFilterPolicy())).to.deep.equal({
      State: [{ "anything-but": "COMPLETED" }],
    });
  });
});
