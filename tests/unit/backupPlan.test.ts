import * as aws from "@pulumi/aws";
import { expect } from "chai";
import { runPlatform } from "../../offline/platformRun";
import { RecordedResource, StackRun, StackRunError, runStack } from "../../offline/stackRun";
import { BackupPlan, BackupPlanArgs } from "../../components/backupPlan";
import { BackupLifecycleError } from "../../config/backupLifecycle";
import { FAILURE_EVENTS } from "../../components/backup/policies";
import {
  COMPLETION_WINDOW_MINUTES,
  HOURLY_SCHEDULE,
  START_WINDOW_MINUTES,
} from "../../components/backup/rules";
import { byId, json, ofType, single } from "../helpers/resources";
import { contractOf } from "../helpers/platform";

const VAULT = "aws:backup/vault:Vault";
const PLAN = "aws:backup/plan:Plan";
const SELECTION = "aws:backup/selection:Selection";
const LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration";
const NOTIFICATIONS = "aws:backup/vaultNotifications:VaultNotifications";
const KEY = "aws:kms/key:Key";

interface Rule {
  ruleName: string;
  schedule: string;
  startWindow: number;
  completionWindow: number;
  targetVaultName: string;
  lifecycle: { deleteAfter: number; coldStorageAfter?: number };
  copyActions: { destinationVaultArn: string; lifecycle: { deleteAfter: number } }[];
  recoveryPointTags: Record<string, string>;
}
interface Statement {
  Effect: string;
  Principal: { AWS?: string; Service?: string };
  Action: string | string[];
  Resource: string;
}
const statements = (policy: unknown) => json<{ Statement: Statement[] }>(policy).Statement;

/** The single rule of the plan protecting `key` (efs or aurora). */
function ruleOf(run: StackRun, key: string): Rule {
  const plan = single(run, PLAN, new RegExp(`-${key}-plan$`));
  expect(plan.inputs.rules, `${plan.name} rules`).to.have.length(1);
  return plan.inputs.rules[0] as Rule;
}
const primaryVault = (run: StackRun) => single(run, VAULT, /-backup-vault$/);
const drVault = (run: StackRun) => single(run, VAULT, /-backup-dr-vault$/);
/** The URN prefix of resources created through the provider named `name`. */
const through = (run: StackRun, name: string) =>
  `${single(run, "pulumi:providers:aws", new RegExp(`^${name}$`)).urn}::`;

describe("BackupPlan", () => {
  let dev: StackRun;
  let prod: StackRun;
  before(async () => {
    dev = await runPlatform({ stack: "dev" });
    prod = await runPlatform({ stack: "prod" });
  });

  describe("plans and rules", () => {
    for (const stack of ["dev", "prod"] as const) {
      it(`${stack}: EFS and Aurora each get one hourly plan, 60-minute start and 120-minute completion windows`, () => {
        const run = stack === "dev" ? dev : prod;
        expect(ofType(run, PLAN)).to.have.length(2);
        for (const key of ["efs", "aurora"]) {
          const rule = ruleOf(run, key);
          expect(rule.ruleName).to.equal(`hourly-${key}`);
          expect(rule.schedule).to.equal(HOURLY_SCHEDULE).and.equal("cron(0 * ? * * *)");
          expect(rule.startWindow).to.equal(START_WINDOW_MINUTES).and.equal(60);
          expect(rule.completionWindow).to.equal(COMPLETION_WINDOW_MINUTES).and.equal(120);
          expect(rule.targetVaultName).to.equal(primaryVault(run).id);
        }
      });
    }

    it("keeps recovery points 7 days in dev and 35 in prod, warm, with DR copies kept 30 days", () => {
      for (const [run, days] of [
        [dev, 7],
        [prod, 35],
      ] as const) {
        for (const key of ["efs", "aurora"]) {
          const rule = ruleOf(run, key);
          expect(rule.lifecycle).to.deep.equal({ deleteAfter: days });
          expect(rule.copyActions.map((c) => c.lifecycle)).to.deep.equal([{ deleteAfter: 30 }]);
        }
      }
    });

    it("with EFS cold storage configured, only the EFS rule tiers to cold; Aurora keeps the same retention warm", async () => {
      const run = await runPlatform({
        stack: "prod",
        overrides: { "bbws:backupEfsColdStorageAfterDays": "30", "bbws:backupRetentionDays": "120" },
      });
      expect(ruleOf(run, "efs").lifecycle).to.deep.equal({ deleteAfter: 120, coldStorageAfter: 30 });
      expect(ruleOf(run, "aurora").lifecycle).to.deep.equal({ deleteAfter: 120 });
    });

    it("copies every recovery point to the DR vault, whose ARN is in eu-west-1", () => {
      for (const run of [dev, prod]) {
        const drArn = contractOf(run).backup.drVaultArn;
        expect(drArn).to.equal(`arn:aws:backup:eu-west-1:123456789012:backup-vault:${drVault(run).id}`);
        for (const key of ["efs", "aurora"]) {
          expect(ruleOf(run, key).copyActions.map((c) => c.destinationVaultArn)).to.deep.equal([drArn]);
        }
      }
      expect(contractOf(prod).backup.drRegion).to.equal("eu-west-1");
      expect(contractOf(prod).backup.vaultArn).to.match(
        /^arn:aws:backup:af-south-1:123456789012:backup-vault:/,
      );
    });

    it("tags recovery points with the backup type, what they protect and the environment", () => {
      expect(ruleOf(prod, "efs").recoveryPointTags).to.deep.equal({
        "bbws:backup-type": "automated",
        "bbws:component": "efs",
        "bbws:environment": "prod",
      });
      expect(ruleOf(dev, "aurora").recoveryPointTags).to.deep.equal({
        "bbws:backup-type": "automated",
        "bbws:component": "database",
        "bbws:environment": "dev",
      });
    });
  });

  describe("selections", () => {
    it("each plan selects exactly its own resource: the platform's EFS file system or Aurora cluster", () => {
      for (const run of [dev, prod]) {
        const selections = ofType(run, SELECTION);
        expect(selections).to.have.length(2);
        /** What the selection attached to the plan protecting `key` selects. */
        const selectedBy = (key: string) => {
          const plan = single(run, PLAN, new RegExp(`-${key}-plan$`));
          return selections.filter((s) => s.inputs.planId === plan.id).map((s) => s.inputs.resources);
        };
        expect(selectedBy("efs")).to.deep.equal([[contractOf(run).storage.fileSystemArn]]);
        expect(selectedBy("aurora")).to.deep.equal([[contractOf(run).database.clusterArn]]);
        expect(contractOf(run).storage.fileSystemArn).to.match(
          /^arn:aws:elasticfilesystem:af-south-1:123456789012:file-system\/fs-/,
        );
        expect(contractOf(run).database.clusterArn).to.match(/^arn:aws:rds:af-south-1:123456789012:cluster:/);
        for (const selection of selections) {
          expect(selection.inputs.iamRoleArn).to.equal(contractOf(run).backup.roleArn);
          expect(selection.inputs.selectionTags ?? []).to.be.empty;
        }
      }
    });

    it("selections wait for the role's policies", () => {
      for (const selection of ofType(prod, SELECTION)) {
        const attachments = ofType(prod, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) =>
          a.name.startsWith("bbws-prod-backup-role-"),
        );
        expect(selection.dependencies).to.include.members(attachments.map((a) => a.urn));
      }
    });
  });

  describe("vaults, keys and regions", () => {
    for (const stack of ["dev", "prod"] as const) {
      it(`${stack}: the DR vault and its key are created through the aws-dr provider in eu-west-1`, () => {
        const run = stack === "dev" ? dev : prod;
        const dr = drVault(run);
        const drKey = single(run, KEY, /-backup-dr-vault-key$/);
        for (const resource of [dr, drKey]) {
          expect(resource.provider, resource.name).to.satisfy((p: string) =>
            p.startsWith(through(run, "aws-dr")),
          );
          expect(resource.region, resource.name).to.equal("eu-west-1");
        }
        expect(dr.inputs.kmsKeyArn).to.equal(`arn:aws:kms:eu-west-1:123456789012:key/${drKey.id}`);
      });
    }

    it("the primary vault has its own rotating key in the stack's region, through the stack's provider", () => {
      const vault = primaryVault(prod);
      const key = single(prod, KEY, /-backup-vault-key$/);
      expect(vault.provider.startsWith(through(prod, "aws"))).to.equal(true);
      expect(vault.region).to.equal("af-south-1");
      expect(vault.inputs.kmsKeyArn).to.equal(`arn:aws:kms:af-south-1:123456789012:key/${key.id}`);
      for (const k of ofType(prod, KEY).filter((k) => k.name.includes("-backup-"))) {
        expect(k.inputs.enableKeyRotation, k.name).to.equal(true);
      }
    });

    it("every resource of the DR region, and only those, goes through the aws-dr provider", () => {
      const drPrefix = through(prod, "aws-dr");
      const viaDr = prod.resources.filter((r) => r.provider.startsWith(drPrefix));
      expect(viaDr.map((r) => r.region)).to.satisfy((regions: string[]) =>
        regions.every((x) => x === "eu-west-1"),
      );
      expect(viaDr.map((r) => r.name)).to.have.members([
        "bbws-prod-backup-dr-vault-key",
        "bbws-prod-backup-dr-vault-key-alias",
        "bbws-prod-backup-dr-vault",
        "bbws-prod-backup-dr-vault-policy",
        "bbws-prod-backup-dr-vault-lock",
        "bbws-prod-backup-dr-events-key",
        "bbws-prod-backup-dr-events-key-alias",
        "bbws-prod-backup-dr-events",
        "bbws-prod-backup-dr-events-policy",
        "bbws-prod-backup-dr-events-email",
        "bbws-prod-backup-dr-vault-notifications",
      ]);
    });

    it("prod protects vaults and keys and keeps recovery points on destroy; dev does neither", () => {
      const protectedOnes = (run: StackRun) =>
        [
          ...ofType(run, VAULT),
          ...ofType(run, KEY).filter((k) => k.name.includes("-backup-")),
        ] as RecordedResource[];
      // 2 vaults, their 2 keys and the DR events key (the primary topic uses the telemetry key).
      expect(protectedOnes(prod)).to.have.length(5);
      for (const r of protectedOnes(prod)) expect(r.protect, r.name).to.equal(true);
      for (const r of protectedOnes(dev)) expect(r.protect, r.name).to.equal(false);
      for (const v of ofType(prod, VAULT)) expect(v.inputs.forceDestroy).to.equal(false);
      for (const v of ofType(dev, VAULT)) expect(v.inputs.forceDestroy).to.equal(true);
    });

    it("each vault's policy denies deleting recovery points and changing their retention", () => {
      for (const run of [dev, prod]) {
        const policies = ofType(run, "aws:backup/vaultPolicy:VaultPolicy");
        expect(policies.map((p) => p.inputs.backupVaultName)).to.have.members(
          ofType(run, VAULT).map((v) => v.id),
        );
        for (const policy of policies) {
          const [deny] = statements(policy.inputs.policy);
          expect(deny.Effect).to.equal("Deny");
          expect(deny.Principal).to.deep.equal({ AWS: "*" });
          expect(deny.Action).to.include.members([
            "backup:DeleteRecoveryPoint",
            "backup:UpdateRecoveryPointLifecycle",
          ]);
        }
      }
    });
  });

  describe("vault lock", () => {
    it("dev has no vault lock", () => {
      expect(ofType(dev, LOCK)).to.be.empty;
    });

    it("prod locks both vaults in governance mode, at each vault's retention", () => {
      const locks = ofType(prod, LOCK);
      expect(locks).to.have.length(2);
      const lockOf = (vault: RecordedResource) =>
        single(prod, LOCK, new RegExp(`^${vault.name}-lock$`)).inputs;
      expect(lockOf(primaryVault(prod))).to.deep.include({
        backupVaultName: primaryVault(prod).id,
        minRetentionDays: 35,
      });
      expect(lockOf(drVault(prod))).to.deep.include({
        backupVaultName: drVault(prod).id,
        minRetentionDays: 30,
      });
      for (const lock of locks) expect(lock.inputs.changeableForDays).to.equal(undefined);
      expect(single(prod, LOCK, /dr-vault-lock$/).region).to.equal("eu-west-1");
    });

    it("a compliance lock gets a 7-day grace time before it becomes immutable", async () => {
      const run = await runPlatform({ stack: "prod", overrides: { "bbws:backupVaultLock": "compliance" } });
      for (const lock of ofType(run, LOCK)) expect(lock.inputs.changeableForDays).to.equal(7);
    });

    it("backupVaultLock none removes the locks from prod", async () => {
      const run = await runPlatform({ stack: "prod", overrides: { "bbws:backupVaultLock": "none" } });
      expect(ofType(run, LOCK)).to.be.empty;
    });
  });

  describe("notifications", () => {
    it("both vaults report failed backup, copy and restore jobs to an encrypted topic in their own region", () => {
      for (const run of [dev, prod]) {
        const notifications = ofType(run, NOTIFICATIONS);
        expect(notifications).to.have.length(2);
        for (const n of notifications) {
          expect(n.inputs.backupVaultEvents)
            .to.have.members([...FAILURE_EVENTS])
            .and.have.members(["BACKUP_JOB_COMPLETED", "COPY_JOB_FAILED", "RESTORE_JOB_COMPLETED"]);
          const topic = byId(run, n.inputs.snsTopicArn);
          expect(topic?.type).to.equal("aws:sns/topic:Topic");
          expect(topic?.region).to.equal(n.region);
          expect(topic?.inputs.kmsMasterKeyId).to.match(
            new RegExp(`^arn:aws:kms:${n.region}:123456789012:key/`),
          );
        }
        expect(notifications.map((n) => n.inputs.backupVaultName)).to.have.members(
          ofType(run, VAULT).map((v) => v.id),
        );
      }
      expect(contractOf(prod).backup.notificationTopicArn).to.match(/^arn:aws:sns:af-south-1:/);
      expect(contractOf(prod).backup.drNotificationTopicArn).to.match(/^arn:aws:sns:eu-west-1:/);
    });

    it("AWS Backup may publish to each topic and use its key; notifications wait for the topic policy", () => {
      for (const n of ofType(prod, NOTIFICATIONS)) {
        const topic = byId(prod, n.inputs.snsTopicArn)!;
        const topicPolicy = ofType(prod, "aws:sns/topicPolicy:TopicPolicy").find(
          (p) => p.inputs.arn === topic.id,
        )!;
        const [publish] = statements(topicPolicy.inputs.policy);
        expect(publish).to.deep.include({ Effect: "Allow", Action: "SNS:Publish", Resource: topic.id });
        expect(publish.Principal).to.deep.equal({ Service: "backup.amazonaws.com" });
        expect(n.dependencies).to.include(topicPolicy.urn);

        const key = ofType(prod, KEY).find((k) => topic.inputs.kmsMasterKeyId.endsWith(`key/${k.id}`))!;
        const backupStatement = statements(key.inputs.policy).find(
          (s) => s.Principal.Service === "backup.amazonaws.com",
        );
        expect(backupStatement?.Action).to.include.members(["kms:GenerateDataKey*", "kms:Decrypt"]);
      }
    });

    it("the alarm address is subscribed to both topics, for failures only", () => {
      const subscriptions = ofType(dev, "aws:sns/topicSubscription:TopicSubscription").filter((s) =>
        s.name.startsWith("bbws-dev-backup-"),
      );
      expect(subscriptions.map((s) => s.inputs.topic)).to.have.members([
        contractOf(dev).backup.notificationTopicArn,
        contractOf(dev).backup.drNotificationTopicArn,
      ]);
      for (const s of subscriptions) {
        expect(s.inputs.endpoint).to.equal("platform-alerts@example.com");
        expect(json(s.inputs.filterPolicy)).to.deep.equal({ State: [{ "anything-but": "COMPLETED" }] });
      }
    });
  });

  describe("service role", () => {
    it("AWS Backup assumes it, with the AWS managed backup and restore policies attached separately", () => {
      const role = single(prod, "aws:iam/role:Role", /-backup-role$/);
      const [trust] = statements(role.inputs.assumeRolePolicy);
      expect(trust.Principal).to.deep.equal({ Service: "backup.amazonaws.com" });
      expect(role.inputs.managedPolicyArns ?? []).to.be.empty;
      const attachments = ofType(prod, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter(
        (a) => a.inputs.role === role.id,
      );
      expect(attachments.map((a) => a.inputs.policyArn)).to.have.members([
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
      ]);
      expect(contractOf(prod).backup.roleArn).to.equal(`arn:aws:iam::123456789012:role/${role.id}`);
    });
  });

  describe("restore testing", () => {
    it("dev has none", () => {
      expect(ofType(dev, "aws:backup/restoreTestingPlan:RestoreTestingPlan")).to.be.empty;
      expect(ofType(dev, "aws:backup/restoreTestingSelection:RestoreTestingSelection")).to.be.empty;
    });

    it("prod restores the latest EFS and Aurora recovery points of the primary vault every month", () => {
      const plan = single(prod, "aws:backup/restoreTestingPlan:RestoreTestingPlan");
      expect(plan.inputs.name).to.match(/^[A-Za-z0-9_]{1,50}$/);
      expect(plan.inputs.scheduleExpression).to.match(/^cron\(\d+ \d+ 1 \* \? \*\)$/);
      expect(plan.inputs.recoveryPointSelection).to.deep.include({
        algorithm: "LATEST_WITHIN_WINDOW",
        includeVaults: [contractOf(prod).backup.vaultArn],
        recoveryPointTypes: ["SNAPSHOT"],
      });
      const selections = ofType(prod, "aws:backup/restoreTestingSelection:RestoreTestingSelection");
      expect(
        selections.map((s) => [s.inputs.protectedResourceType, s.inputs.protectedResourceArns]),
      ).to.have.deep.members([
        ["EFS", [contractOf(prod).storage.fileSystemArn]],
        ["Aurora", [contractOf(prod).database.clusterArn]],
      ]);
      for (const s of selections) {
        expect(s.inputs.restoreTestingPlanName).to.equal(plan.id);
        expect(s.inputs.iamRoleArn).to.equal(contractOf(prod).backup.roleArn);
        expect(s.inputs.name).to.match(/^[A-Za-z0-9_]+$/);
      }
    });
  });

  describe("rejected before anything is created", () => {
    const validArgs = (drProvider: aws.Provider): BackupPlanArgs => ({
      environment: "dev",
      drRegion: "eu-west-1",
      drProvider,
      fileSystemArn: "arn:aws:elasticfilesystem:af-south-1:123456789012:file-system/fs-0123456789abcdef0",
      databaseClusterArn: "arn:aws:rds:af-south-1:123456789012:cluster:bbws-dev",
      lifecycles: { efs: { deleteAfterDays: 7 }, aurora: { deleteAfterDays: 7 }, drCopyRetentionDays: 30 },
      protect: false,
    });

    /** Constructs a BackupPlan in a stack; returns what it threw and what the stack registered. */
    async function attempt(change: (args: BackupPlanArgs) => BackupPlanArgs) {
      let thrown: unknown;
      const run = await runStack({ project: "bbws", stack: "dev", region: "af-south-1" }, () => {
        const drProvider = new aws.Provider("aws-dr", { region: "eu-west-1" });
        try {
          new BackupPlan("bp", change(validArgs(drProvider)));
        } catch (error) {
          thrown = error;
        }
        return {};
      });
      const created = run.resources.filter((r) => r.type.startsWith("aws:") || r.type.startsWith("bbws:"));
      return { thrown, created };
    }

    it("valid arguments create the component (the harness can tell the difference)", async () => {
      const { thrown, created } = await attempt((a) => a);
      expect(thrown).to.equal(undefined);
      expect(created.map((r) => r.type)).to.include.members(["bbws:backup:BackupPlan", VAULT, PLAN]);
    });

    const cases: [string, (a: BackupPlanArgs) => BackupPlanArgs, string, RegExp][] = [
      [
        "seed 002's EFS lifecycle (cold after 1 day, delete after 7)",
        (a) => ({
          ...a,
          lifecycles: { ...a.lifecycles, efs: { deleteAfterDays: 7, coldStorageAfterDays: 1 } },
        }),
        "cold-storage-minimum-stay",
        /delete-after \(7 days\) must be at least cold-storage-after \(1\) \+ 90 = 91 days: AWS Backup keeps a recovery point in cold storage for at least 90 days/,
      ],
      [
        "cold storage on Aurora",
        (a) => ({
          ...a,
          lifecycles: { ...a.lifecycles, aurora: { deleteAfterDays: 365, coldStorageAfterDays: 30 } },
        }),
        "cold-storage-unsupported",
        /Aurora hourly rule: Aurora recovery points cannot move to cold storage/,
      ],
      [
        "a zero retention",
        (a) => ({ ...a, lifecycles: { ...a.lifecycles, efs: { deleteAfterDays: 0 } } }),
        "delete-after-whole-days",
        /EFS hourly rule: delete-after must be a whole number of days >= 1, got 0/,
      ],
      [
        "a negative DR copy retention",
        (a) => ({ ...a, lifecycles: { ...a.lifecycles, drCopyRetentionDays: -5 } }),
        "delete-after-whole-days",
        /DR copy: delete-after must be a whole number of days >= 1, got -5/,
      ],
    ];
    for (const [what, change, rule, message] of cases) {
      it(`rejects ${what} with a BackupLifecycleError naming the rule`, async () => {
        const { thrown, created } = await attempt(change);
        expect(thrown).to.be.instanceOf(BackupLifecycleError);
        const error = thrown as BackupLifecycleError;
        expect(error.violations.map((v) => v.rule)).to.deep.equal([rule]);
        expect(error.message).to.contain(`[${rule}]`).and.match(message);
        expect(created, "resources registered before the error").to.be.empty;
      });
    }

    it("rejects a compliance grace time under 3 days, before anything is created", async () => {
      const { thrown, created } = await attempt((a) => ({
        ...a,
        vaultLock: "compliance",
        vaultLockGraceDays: 1,
      }));
      expect((thrown as Error).message).to.match(/BackupPlan bp: invalid vault lock: .* >= 3/);
      expect(created).to.be.empty;
    });

    it("a custom compliance grace time reaches both locks", async () => {
      const { created } = await attempt((a) => ({ ...a, vaultLock: "compliance", vaultLockGraceDays: 14 }));
      const locks = created.filter((r) => r.type === LOCK);
      expect(locks.map((l) => l.inputs.changeableForDays)).to.deep.equal([14, 14]);
      expect(locks.map((l) => l.inputs.minRetentionDays)).to.have.members([7, 30]);
    });

    it("the platform program refuses seed 002's lifecycle at configuration, naming the key", async () => {
      let caught: unknown;
      try {
        await runPlatform({
          stack: "dev",
          overrides: { "bbws:backupEfsColdStorageAfterDays": "1", "bbws:backupRetentionDays": "7" },
        });
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(StackRunError);
      expect((caught as Error).message).to.match(
        /bbws:backupRetentionDays: got 7; EFS hourly rule: delete-after \(7 days\)/,
      );
    });
  });
});
