import { expect } from "chai";
import * as sinon from "sinon";
import { DescribeScalableTargetsCommand } from "@aws-sdk/client-application-auto-scaling";
import { DescribeRecoveryPointCommand, ListRecoveryPointsByBackupVaultCommand } from "@aws-sdk/client-backup";
import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import { BbwsError } from "../../../lib/errors";
import { restoreStamp, restoreTenant } from "../../../ops/restore";
import { DB_COPY_SCRIPT, SWAP_SCRIPT } from "../../../ops/scripts";
import { temporaryClusterId } from "../../../ops/tempCluster";
import {
  AURORA_POINT,
  BACKUP_ROLE,
  CLUSTER_ARN,
  DATA_KEY,
  DB_SECRET,
  EFS_POINT,
  FILE_SYSTEM_ARN,
  FakeSource,
  MAINTENANCE_TD,
  Mocks,
  VAULT,
  awsError,
  calls,
  fakeClock,
  inputsOf,
  mockedClients,
  opsDeps,
  legacyPlatformOutputs,
  rejectionOf,
  restoreMocks,
  settle,
  tenantOutputs,
  writeRegistry,
} from "./fixtures";
import {
  DB_COPY_REVISION,
  DB_COPY_TASK_ROLE,
  PREVIOUS_SCHEMA,
  FULL_RESTORE_CALLS,
  STAMP,
  TEMP_CLUSTER,
  TEMP_ENDPOINT,
  mockRestore,
} from "./restoreFixtures";

const NETWORK = {
  awsvpcConfiguration: {
    subnets: ["subnet-0a11aa22bb33cc44d", "subnet-0b22bb33cc44dd55e"],
    securityGroups: ["sg-0task00000000000b"],
    assignPublicIp: "DISABLED",
  },
};
const SCALABLE = {
  ServiceNamespace: "ecs",
  ScalableDimension: "ecs:service:DesiredCount",
  ResourceId: "service/bbws-dev/acme-wordpress",
};

describe("ops restore", () => {
  const registryFile = writeRegistry();
  let clock: sinon.SinonFakeTimers;
  let mocks: Mocks;
  let deps: ReturnType<typeof opsDeps>;
  let source: FakeSource;
  let log: string[];

  beforeEach(() => {
    clock = fakeClock();
    const mocked = mockedClients();
    mocks = mocked.mocks;
    source = new FakeSource();
    log = [];
    deps = opsDeps(mocked.clients, source, registryFile, log);
  });
  afterEach(() => {
    clock.restore();
    restoreMocks(mocks);
  });

  describe("happy path", () => {
    it("restores both parts beside the site, stops it, swaps, copies, puts everything back and waits for a stable service", async () => {
      mockRestore(mocks);
      const result = await settle(
        clock,
        restoreTenant("dev", "acme", { recoveryPointArns: [EFS_POINT, AURORA_POINT] }, {}, deps),
      );

      expect(calls(mocks)).to.deep.equal(FULL_RESTORE_CALLS);

      expect(inputsOf(mocks, "backup:DescribeRecoveryPoint")).to.deep.equal([
        { BackupVaultName: VAULT, RecoveryPointArn: EFS_POINT },
        { BackupVaultName: VAULT, RecoveryPointArn: AURORA_POINT },
      ]);
      const [efsRestore, auroraRestore] = inputsOf(mocks, "backup:StartRestoreJob");
      expect(efsRestore).to.deep.equal({
        RecoveryPointArn: EFS_POINT,
        ResourceType: "EFS",
        IamRoleArn: BACKUP_ROLE,
        IdempotencyToken: `bbws-acme-${STAMP}`,
        Metadata: {
          "file-system-id": "fs-0a1b2c3d4e5f60718",
          newFileSystem: "false",
          Encrypted: "true",
          KmsKeyId: DATA_KEY,
          PerformanceMode: "generalPurpose",
          CreationToken: `bbws-acme-${STAMP}`,
          // From the file system root, not from the tenant's access point.
          ItemsToRestore: '["/tenants/acme"]',
        },
      });
      expect(auroraRestore).to.deep.equal({
        RecoveryPointArn: AURORA_POINT,
        ResourceType: "Aurora",
        IamRoleArn: BACKUP_ROLE,
        IdempotencyToken: TEMP_CLUSTER,
        CopySourceTagsToRestoredResource: false,
        Metadata: {
          DBClusterIdentifier: TEMP_CLUSTER,
          Engine: "aurora-mysql",
          EngineMode: "provisioned",
          DBSubnetGroupName: "bbws-dev-db-subnets-1a2b3c4",
          VpcSecurityGroupIds: '["sg-0db0000000000000d"]',
          Port: "3306",
          KmsKeyId: DATA_KEY,
        },
      });
      expect(inputsOf(mocks, "rds:ModifyDBCluster")).to.deep.equal([
        {
          DBClusterIdentifier: TEMP_CLUSTER,
          ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 4 },
          ApplyImmediately: true,
        },
      ]);
      expect(inputsOf(mocks, "rds:CreateDBInstance")).to.deep.equal([
        {
          DBInstanceIdentifier: `${TEMP_CLUSTER}-1`,
          DBClusterIdentifier: TEMP_CLUSTER,
          Engine: "aurora-mysql",
          DBInstanceClass: "db.serverless",
          PubliclyAccessible: false,
          Tags: [
            { Key: "bbws:tenant-id", Value: "acme" },
            { Key: "bbws:purpose", Value: "restore" },
          ],
        },
      ]);

      const [registered] = inputsOf(mocks, "ecs:RegisterTaskDefinition");
      expect(registered.family).to.equal("bbws-dev-db-copy-acme");
      expect(registered.containerDefinitions[0].secrets).to.deep.equal([
        { name: "DB_USER", valueFrom: `${DB_SECRET}:username::` },
        { name: "MYSQL_PWD", valueFrom: `${DB_SECRET}:password::` },
      ]);
      // The tenant's own execution role (it reads that tenant's secrets only), the platform's
      // deny-all task role, no volume, the non-root user, logs in the tenant's own streams.
      expect(registered).to.include({
        executionRoleArn: tenantOutputs().executionRoleArn,
        taskRoleArn: DB_COPY_TASK_ROLE,
        cpu: "512",
      });
      expect(registered.volumes).to.equal(undefined);
      expect(registered.containerDefinitions[0]).to.deep.include({
        user: "999:999",
        mountPoints: [],
        logConfiguration: {
          logDriver: "awslogs",
          options: {
            "awslogs-group": "/bbws/dev/wordpress",
            "awslogs-region": "af-south-1",
            "awslogs-stream-prefix": "acme",
          },
        },
      });

      expect(inputsOf(mocks, "autoScaling:RegisterScalableTarget")).to.deep.equal([
        {
          ...SCALABLE,
          SuspendedState: {
            DynamicScalingInSuspended: true,
            DynamicScalingOutSuspended: true,
            ScheduledScalingSuspended: true,
          },
        },
        {
          ...SCALABLE,
          SuspendedState: {
            DynamicScalingInSuspended: false,
            DynamicScalingOutSuspended: false,
            ScheduledScalingSuspended: false,
          },
        },
      ]);
      expect(inputsOf(mocks, "ecs:UpdateService")).to.deep.equal([
        { cluster: "bbws-dev", service: "acme-wordpress", desiredCount: 0 },
        { cluster: "bbws-dev", service: "acme-wordpress", desiredCount: 2, forceNewDeployment: true },
      ]);

      const [swap, copy] = inputsOf(mocks, "ecs:RunTask");
      const overrides = (
        script: string,
        container: string,
        extra: { name: string; value: string }[] = [],
      ) => ({
        containerOverrides: [
          {
            name: container,
            command: ["sh", "-c", script],
            environment: [
              { name: "TENANT_ID", value: "acme" },
              { name: "RESTORE_STAMP", value: STAMP },
              ...extra,
            ],
          },
        ],
      });
      const common = {
        cluster: "bbws-dev",
        capacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1 }],
        platformVersion: "LATEST",
        networkConfiguration: NETWORK,
        startedBy: "bbws-ops-restore-acme",
        enableECSManagedTags: true,
        propagateTags: "TASK_DEFINITION",
      };
      expect(swap).to.deep.equal({
        ...common,
        taskDefinition: MAINTENANCE_TD,
        overrides: overrides(SWAP_SCRIPT, "maintenance"),
      });
      expect(copy).to.deep.equal({
        ...common,
        taskDefinition: DB_COPY_REVISION,
        overrides: overrides(DB_COPY_SCRIPT, "db-copy", [
          { name: "DB_NAME", value: "wp_acme" },
          { name: "SOURCE_HOST", value: TEMP_ENDPOINT },
          {
            name: "LIVE_HOST",
            value: "bbws-dev-db-3f9a1c.cluster-c1a2b3c4d5e6.af-south-1.rds.amazonaws.com",
          },
          { name: "DB_PORT", value: "3306" },
        ]),
      });
      // No credential ever travels in overrides.
      expect(JSON.stringify(inputsOf(mocks, "ecs:RunTask"))).to.not.match(/password|MYSQL_PWD|secret/i);

      expect(inputsOf(mocks, "rds:DeleteDBInstance")).to.deep.equal([
        { DBInstanceIdentifier: `${TEMP_CLUSTER}-1` },
      ]);
      expect(inputsOf(mocks, "rds:DeleteDBCluster")).to.deep.equal([
        { DBClusterIdentifier: TEMP_CLUSTER, SkipFinalSnapshot: true },
      ]);
      expect(inputsOf(mocks, "ecs:DeregisterTaskDefinition")).to.deep.equal([
        { taskDefinition: DB_COPY_REVISION },
      ]);

      expect(result).to.deep.include({
        environment: "dev",
        tenantId: "acme",
        stamp: STAMP,
        desiredCount: 2,
        cleanup: [],
      });
      expect(result.files).to.deep.equal({
        recoveryPointArn: EFS_POINT,
        createdAt: "2025-06-01T09:00:00.000Z",
      });
      expect(result.database).to.deep.equal({
        recoveryPointArn: AURORA_POINT,
        createdAt: "2025-06-01T09:05:00.000Z",
        temporaryClusterId: TEMP_CLUSTER,
      });
      expect(result.kept).to.deep.equal([
        `previous files: /tenants/.previous/acme-${STAMP} on file system fs-0a1b2c3d4e5f60718`,
        PREVIOUS_SCHEMA,
      ]);
      expect(result.steps.every((s) => s.ok)).to.equal(true);
      expect(log.filter((line) => / done in \d+\.\d s$/.test(line))).to.have.length(result.steps.length);
      expect(log).to.include("[+00:15] restore /tenants/acme beside the live files: done in 15.0 s");
    });

    it("with --at, restores the newest completed points created at or before the time; --only files leaves the database alone", async () => {
      mockRestore(mocks);
      const at = new Date("2025-06-01T10:30:00Z");
      mocks.backup
        .on(ListRecoveryPointsByBackupVaultCommand)
        .resolvesOnce({
          RecoveryPoints: [
            {
              RecoveryPointArn: "rp-09",
              Status: "COMPLETED",
              CreationDate: new Date("2025-06-01T09:00:00Z"),
            },
            {
              RecoveryPointArn: "rp-1030",
              Status: "COMPLETED",
              CreationDate: new Date("2025-06-01T10:30:00Z"),
            },
            {
              RecoveryPointArn: "rp-10-partial",
              Status: "PARTIAL",
              CreationDate: new Date("2025-06-01T10:15:00Z"),
            },
          ],
          NextToken: "page-2",
        })
        .resolvesOnce({
          RecoveryPoints: [
            {
              RecoveryPointArn: "rp-10",
              Status: "COMPLETED",
              CreationDate: new Date("2025-06-01T10:00:00Z"),
            },
          ],
        });

      const result = await settle(clock, restoreTenant("dev", "acme", { at, only: "files" }, {}, deps));

      expect(inputsOf(mocks, "backup:ListRecoveryPointsByBackupVault")).to.deep.equal([
        {
          BackupVaultName: VAULT,
          ByResourceArn: FILE_SYSTEM_ARN,
          ByCreatedBefore: new Date("2025-06-01T10:30:01Z"),
          NextToken: undefined,
        },
        {
          BackupVaultName: VAULT,
          ByResourceArn: FILE_SYSTEM_ARN,
          ByCreatedBefore: new Date("2025-06-01T10:30:01Z"),
          NextToken: "page-2",
        },
      ]);
      expect(
        inputsOf(mocks, "backup:StartRestoreJob").map((i) => [i.ResourceType, i.RecoveryPointArn]),
      ).to.deep.equal([["EFS", "rp-1030"]]);
      expect(calls(mocks)).to.deep.equal([
        "backup:ListRecoveryPointsByBackupVault",
        "backup:ListRecoveryPointsByBackupVault",
        "ecs:DescribeServices",
        "autoScaling:DescribeScalableTargets",
        "backup:StartRestoreJob",
        "backup:DescribeRestoreJob",
        "backup:DescribeRestoreJob",
        "autoScaling:RegisterScalableTarget",
        "ecs:UpdateService",
        "ecs:DescribeServices",
        "ecs:DescribeServices",
        "ecs:RunTask",
        "ecs:DescribeTasks",
        "ecs:DescribeTasks",
        "ecs:UpdateService",
        "autoScaling:RegisterScalableTarget",
        "ecs:DescribeServices",
        "ecs:DescribeServices",
      ]);
      expect(result.database).to.equal(undefined);
      expect(result.kept).to.deep.equal([
        `previous files: /tenants/.previous/acme-${STAMP} on file system fs-0a1b2c3d4e5f60718`,
      ]);
    });

    it("restores a sleeping tenant (desired 0) and skips autoscaling when the service has no scalable target", async () => {
      mockRestore(mocks, { desiredCount: 0 });
      mocks.autoScaling.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [] });
      await settle(clock, restoreTenant("dev", "acme", { recoveryPointArns: [EFS_POINT] }, {}, deps));
      expect(calls(mocks)).to.not.include("autoScaling:RegisterScalableTarget");
      expect(inputsOf(mocks, "ecs:UpdateService").map((i) => i.desiredCount)).to.deep.equal([0, 0]);
    });
  });

  describe("validation, before anything changes", () => {
    it("fails with InvalidTenantError for an unknown tenant, without any stack or AWS call", async () => {
      const error = await rejectionOf(
        clock,
        restoreTenant("dev", "initech", { recoveryPointArns: [EFS_POINT] }, {}, deps),
      );
      expect(error).to.be.instanceOf(BbwsError);
      expect(calls(mocks)).to.deep.equal([]);
      expect(source.calls).to.deep.equal([]);
    });

    it("refuses --at together with --recovery-point (UsageError), and neither", async () => {
      for (const request of [{ recoveryPointArns: [EFS_POINT], at: new Date() }, {}]) {
        const error = await rejectionOf(clock, restoreTenant("dev", "acme", request, {}, deps));
        expect(error).to.be.instanceOf(BbwsError);
      }
      expect(calls(mocks)).to.deep.equal([]);
    });

    it("refuses a platform of contract version 1 (no maintenance tasks yet) before any AWS call", async () => {
      const error = await rejectionOf(
        clock,
        restoreTenant(
          "dev",
          "acme",
          { recoveryPointArns: [EFS_POINT] },
          {},
          { ...deps, source: new FakeSource(legacyPlatformOutputs()) },
        ),
      );
      expect(error).to.be.instanceOf(BbwsError);
      expect((error as BbwsError).kind).to.equal("invalidInput");
      expect(error.message).to.equal(
        "platform stack dev has no contract version (version 1, before outputs were versioned); this code " +
          "reads contract version 2: update the platform first: pulumi up -s dev",
      );
      expect(calls(mocks)).to.deep.equal([]);
    });

    it("fails with NotFoundError for a recovery point that is not in the vault", async () => {
      mocks.backup.on(DescribeRecoveryPointCommand).rejects(awsError("ResourceNotFoundException"));
      const error = await rejectionOf(
        clock,
        restoreTenant("dev", "acme", { recoveryPointArns: [EFS_POINT] }, {}, deps),
      );
      expect(error).to.be.instanceOf(BbwsError);
      expect(error.message).to.equal(`recovery point ${EFS_POINT} is not in backup vault ${VAULT}`);
      expect(calls(mocks)).to.deep.equal(["backup:DescribeRecoveryPoint"]);
    });

    it("fails with NotFoundError when no completed point exists at or before --at", async () => {
      mocks.backup.on(ListRecoveryPointsByBackupVaultCommand).resolves({
        RecoveryPoints: [
          {
            RecoveryPointArn: "rp-late",
            Status: "COMPLETED",
            CreationDate: new Date("2025-06-01T11:00:00Z"),
          },
        ],
      });
      const error = await rejectionOf(
        clock,
        restoreTenant("dev", "acme", { at: new Date("2025-06-01T10:00:00Z") }, {}, deps),
      );
      expect(error).to.be.instanceOf(BbwsError);
      expect(error.message).to.equal(
        `no completed recovery point of the EFS file system fs-0a1b2c3d4e5f60718 in backup vault ${VAULT} was created at or before 2025-06-01T10:00:00.000Z`,
      );
      expect(calls(mocks)).to.deep.equal(["backup:ListRecoveryPointsByBackupVault"]);
    });

    it("fails with InvalidRestoreTargetError for a recovery point of another file system", async () => {
      const other = "arn:aws:elasticfilesystem:af-south-1:111122223333:file-system/fs-0ther0000000000000";
      mocks.backup.on(DescribeRecoveryPointCommand).resolves({ ResourceArn: other, Status: "COMPLETED" });
      const error = await rejectionOf(
        clock,
        restoreTenant("dev", "acme", { recoveryPointArns: [EFS_POINT] }, {}, deps),
      );
      expect(error).to.be.instanceOf(BbwsError);
      expect(error.message).to.equal(
        `recovery point ${EFS_POINT} is a backup of ${other}, not of this environment's EFS file system fs-0a1b2c3d4e5f60718 or Aurora cluster bbws-dev-db-3f9a1c`,
      );
      expect(calls(mocks)).to.deep.equal(["backup:DescribeRecoveryPoint"]);
    });

    it("fails with InvalidRestoreTargetError for a recovery point that is not COMPLETED", async () => {
      mocks.backup
        .on(DescribeRecoveryPointCommand)
        .resolves({ ResourceArn: FILE_SYSTEM_ARN, Status: "PARTIAL" });
      const error = await rejectionOf(
        clock,
        restoreTenant("dev", "acme", { recoveryPointArns: [EFS_POINT] }, {}, deps),
      );
      expect(error).to.be.instanceOf(BbwsError);
      expect(error.message).to.equal(
        `recovery point ${EFS_POINT} is PARTIAL; only COMPLETED recovery points can be restored`,
      );
    });

    it("fails with InvalidRestoreTargetError when --only contradicts the recovery point, or one resource is given twice", async () => {
      mocks.backup
        .on(DescribeRecoveryPointCommand)
        .resolves({ ResourceArn: CLUSTER_ARN, Status: "COMPLETED" });
      const only = await rejectionOf(
        clock,
        restoreTenant("dev", "acme", { recoveryPointArns: [AURORA_POINT], only: "files" }, {}, deps),
      );
      expect(only).to.be.instanceOf(BbwsError);
      expect(only.message).to.equal(
        `recovery point ${AURORA_POINT} is a backup of the Aurora cluster bbws-dev-db-3f9a1c, but --only files was given`,
      );
      const twice = await rejectionOf(
        clock,
        restoreTenant("dev", "acme", { recoveryPointArns: [AURORA_POINT, AURORA_POINT] }, {}, deps),
      );
      expect(twice).to.be.instanceOf(BbwsError);
      expect(calls(mocks)).to.not.include("backup:StartRestoreJob");
    });

    it("refuses with AlreadyRunningError while a deployment of the service is in progress", async () => {
      const service = mockRestore(mocks);
      service.deployments = 2;
      mocks.ecs.on(DescribeServicesCommand).callsFake(() => service.describe());
      const error = await rejectionOf(
        clock,
        restoreTenant("dev", "acme", { recoveryPointArns: [EFS_POINT] }, {}, deps),
      );
      expect(error).to.be.instanceOf(BbwsError);
      expect(calls(mocks)).to.deep.equal(["backup:DescribeRecoveryPoint", "ecs:DescribeServices"]);
    });
    it("refuses with AlreadyRunningError while autoscaling is suspended (what another restore in progress leaves)", async () => {
      mockRestore(mocks);
      mocks.autoScaling.on(DescribeScalableTargetsCommand).resolves({
        ScalableTargets: [
          {
            ServiceNamespace: "ecs",
            ResourceId: "service/bbws-dev/acme-wordpress",
            ScalableDimension: "ecs:service:DesiredCount",
            MinCapacity: 1,
            MaxCapacity: 3,
            RoleARN:
              "arn:aws:iam::111122223333:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
            CreationTime: new Date("2025-01-01T00:00:00Z"),
            SuspendedState: {
              DynamicScalingInSuspended: true,
              DynamicScalingOutSuspended: true,
              ScheduledScalingSuspended: true,
            },
          },
        ],
      });
      const error = await rejectionOf(
        clock,
        restoreTenant("dev", "acme", { recoveryPointArns: [EFS_POINT] }, {}, deps),
      );
      expect(error).to.be.instanceOf(BbwsError);
      expect(error.message).to.match(
        /^autoscaling of service acme-wordpress is suspended: another restore may be running/,
      );
      expect(calls(mocks)).to.deep.equal([
        "backup:DescribeRecoveryPoint",
        "ecs:DescribeServices",
        "autoScaling:DescribeScalableTargets",
      ]);
    });
  });

  describe("names", () => {
    it("stamps in UTC as YYYYMMDD-HHMMSS", () => {
      expect(restoreStamp(new Date("2025-06-01T07:08:09.123Z"))).to.equal("20250601-070809");
    });

    it("keeps temporary cluster ids within RDS limits (61 + '-1'), without doubled or trailing hyphens", () => {
      expect(temporaryClusterId("dev", "acme", STAMP)).to.equal(TEMP_CLUSTER);
      const long = temporaryClusterId("staging", "a-very-long-tenant-identifier", STAMP);
      expect(long.length).to.be.at.most(61);
      expect(long).to.match(/^bbws-staging-restore-[a-z0-9-]+[a-z0-9]-20250601-120000$/);
      expect(long).to.not.include("--");
    });
  });
});
