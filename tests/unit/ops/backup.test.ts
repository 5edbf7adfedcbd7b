import { expect } from "chai";
import * as sinon from "sinon";
import {
  DescribeBackupJobCommand,
  DescribeCopyJobCommand,
  ListBackupJobsCommand,
  StartBackupJobCommand,
  StartCopyJobCommand,
} from "@aws-sdk/client-backup";
import { backupTenant, runBackup } from "../../../ops/backup";
import { BbwsError } from "../../../lib/errors";
import {
  AURORA_POINT,
  BACKUP_ROLE,
  CLUSTER_ARN,
  DR_VAULT_ARN,
  EFS_POINT,
  FILE_SYSTEM_ARN,
  FakeSource,
  Mocks,
  NOW,
  VAULT,
  awsError,
  calls,
  fakeClock,
  inputsOf,
  mockedClients,
  opsDeps,
  platformContract,
  rejectionOf,
  restoreMocks,
  settle,
  writeRegistry,
} from "./fixtures";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("ops backup", () => {
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
    mocks.backup.on(ListBackupJobsCommand).resolves({ BackupJobs: [] });
    mocks.backup
      .on(StartBackupJobCommand, { ResourceArn: FILE_SYSTEM_ARN })
      .resolves({ BackupJobId: "efs-job-1" });
    mocks.backup
      .on(StartBackupJobCommand, { ResourceArn: CLUSTER_ARN })
      .resolves({ BackupJobId: "aurora-job-1" });
    mocks.backup
      .on(DescribeBackupJobCommand, { BackupJobId: "efs-job-1" })
      .resolvesOnce({ State: "RUNNING", PercentDone: "40.0" })
      .resolves({ State: "COMPLETED", RecoveryPointArn: EFS_POINT });
    mocks.backup
      .on(DescribeBackupJobCommand, { BackupJobId: "aurora-job-1" })
      .resolvesOnce({ State: "CREATED" })
      .resolvesOnce({ State: "RUNNING" })
      .resolves({ State: "COMPLETED", RecoveryPointArn: AURORA_POINT });
    mocks.backup
      .on(StartCopyJobCommand, { RecoveryPointArn: EFS_POINT })
      .resolves({ CopyJobId: "copy-efs-1" });
    mocks.backup
      .on(StartCopyJobCommand, { RecoveryPointArn: AURORA_POINT })
      .resolves({ CopyJobId: "copy-aurora-1" });
  });
  afterEach(() => {
    clock.restore();
    restoreMocks(mocks);
  });

  const seconds = () => (Date.now() - NOW.getTime()) / 1000;

  it("checks both resources for running jobs, starts both jobs, waits for both, then copies both to the DR vault", async () => {
    const result = await settle(clock, backupTenant("dev", "acme", {}, deps));

    expect(calls(mocks)).to.deep.equal([
      ...Array<string>(6).fill("backup:ListBackupJobs"),
      "backup:StartBackupJob",
      "backup:StartBackupJob",
      // Both jobs are polled side by side every 15 s.
      "backup:DescribeBackupJob",
      "backup:DescribeBackupJob",
      "backup:DescribeBackupJob",
      "backup:DescribeBackupJob",
      "backup:DescribeBackupJob",
      "backup:StartCopyJob",
      "backup:StartCopyJob",
    ]);
    expect(inputsOf(mocks, "backup:ListBackupJobs")).to.deep.equal(
      [FILE_SYSTEM_ARN, CLUSTER_ARN].flatMap((arn) =>
        ["CREATED", "PENDING", "RUNNING"].map((state) => ({ ByResourceArn: arn, ByState: state })),
      ),
    );
    const [efsStart, auroraStart] = inputsOf(mocks, "backup:StartBackupJob");
    for (const [start, arn] of [
      [efsStart, FILE_SYSTEM_ARN],
      [auroraStart, CLUSTER_ARN],
    ]) {
      expect(start).to.deep.include({
        BackupVaultName: VAULT,
        ResourceArn: arn,
        IamRoleArn: BACKUP_ROLE,
        Lifecycle: undefined,
        RecoveryPointTags: {
          "bbws:tenant-id": "acme",
          "bbws:environment": "dev",
          "bbws:backup-type": "on-demand",
          "bbws:backup-reason": "manual",
        },
      });
      expect(start.IdempotencyToken).to.match(UUID);
    }
    expect(inputsOf(mocks, "backup:DescribeBackupJob").map((i) => i.BackupJobId)).to.deep.equal([
      "efs-job-1",
      "aurora-job-1",
      "efs-job-1",
      "aurora-job-1",
      "aurora-job-1",
    ]);
    const copies = inputsOf(mocks, "backup:StartCopyJob");
    for (const copy of copies) expect(copy.IdempotencyToken).to.match(UUID);
    expect(copies.map(({ IdempotencyToken: _token, ...rest }) => rest)).to.deep.equal([
      {
        RecoveryPointArn: EFS_POINT,
        SourceBackupVaultName: VAULT,
        DestinationBackupVaultArn: DR_VAULT_ARN,
        IamRoleArn: BACKUP_ROLE,
        Lifecycle: undefined,
      },
      {
        RecoveryPointArn: AURORA_POINT,
        SourceBackupVaultName: VAULT,
        DestinationBackupVaultArn: DR_VAULT_ARN,
        IamRoleArn: BACKUP_ROLE,
        Lifecycle: undefined,
      },
    ]);
    expect(seconds()).to.equal(30);

    expect(result.backups).to.deep.equal([
      {
        kind: "files",
        resourceType: "EFS",
        resourceArn: FILE_SYSTEM_ARN,
        backupJobId: "efs-job-1",
        recoveryPointArn: EFS_POINT,
        copyJobId: "copy-efs-1",
        copyState: "CREATED",
        drRecoveryPointArn: undefined,
      },
      {
        kind: "database",
        resourceType: "Aurora",
        resourceArn: CLUSTER_ARN,
        backupJobId: "aurora-job-1",
        recoveryPointArn: AURORA_POINT,
        copyJobId: "copy-aurora-1",
        copyState: "CREATED",
        drRecoveryPointArn: undefined,
      },
    ]);
    expect(deps.regions).to.deep.equal([{ region: "af-south-1", drRegion: "eu-west-1" }]);
    expect(log).to.include("[+00:30] wait for the backup jobs: done in 30.0 s");
    expect(result.steps.map((s) => s.name)).to.deep.equal([
      "check for running backup jobs",
      "start backup jobs",
      "wait for the backup jobs",
      `start copies to ${DR_VAULT_ARN}`,
    ]);
  });

  it("waits for the DR copies when asked, and sets the retention on recovery points and copies", async () => {
    mocks.backup.on(DescribeCopyJobCommand, { CopyJobId: "copy-efs-1" }).resolves({
      CopyJob: {
        State: "COMPLETED",
        DestinationRecoveryPointArn: "arn:aws:backup:eu-west-1:111122223333:recovery-point:dr-efs",
      },
    });
    mocks.backup
      .on(DescribeCopyJobCommand, { CopyJobId: "copy-aurora-1" })
      .resolvesOnce({ CopyJob: { State: "RUNNING" } })
      .resolves({
        CopyJob: {
          State: "COMPLETED",
          DestinationRecoveryPointArn: "arn:aws:rds:eu-west-1:111122223333:cluster-snapshot:dr-aurora",
        },
      });

    const result = await settle(
      clock,
      backupTenant("dev", "acme", { waitForCopies: true, deleteAfterDays: 35 }, deps),
    );

    expect(calls(mocks).slice(-5)).to.deep.equal([
      "backup:StartCopyJob",
      "backup:StartCopyJob",
      "backup:DescribeCopyJob",
      "backup:DescribeCopyJob",
      "backup:DescribeCopyJob",
    ]);
    for (const input of [
      ...inputsOf(mocks, "backup:StartBackupJob"),
      ...inputsOf(mocks, "backup:StartCopyJob"),
    ]) {
      expect(input.Lifecycle).to.deep.equal({ DeleteAfterDays: 35 });
    }
    expect(result.backups.map((b) => [b.copyState, b.drRecoveryPointArn])).to.deep.equal([
      ["COMPLETED", "arn:aws:backup:eu-west-1:111122223333:recovery-point:dr-efs"],
      ["COMPLETED", "arn:aws:rds:eu-west-1:111122223333:cluster-snapshot:dr-aurora"],
    ]);
  });

  it("fails with InvalidTenantError for a tenant not in the registry, before any stack or AWS call", async () => {
    const error = await rejectionOf(clock, backupTenant("dev", "initech", {}, deps));
    expect(error).to.be.instanceOf(BbwsError);
    expect(calls(mocks)).to.deep.equal([]);
    expect(source.calls).to.deep.equal([]);
  });

  it("refuses with AlreadyRunningError when a job of the same resource is running, and starts nothing", async () => {
    mocks.backup
      .on(ListBackupJobsCommand, { ByResourceArn: CLUSTER_ARN, ByState: "PENDING" })
      .resolves({ BackupJobs: [{ BackupJobId: "hourly-job-9", State: "PENDING" }] });
    const error = await rejectionOf(clock, backupTenant("dev", "acme", {}, deps));
    expect(error).to.be.instanceOf(BbwsError);
    expect(error.message).to.equal(
      "backup job hourly-job-9 of the Aurora cluster bbws-dev-db-3f9a1c is already PENDING; wait for it to finish (it covers this tenant too) and try again",
    );
    expect(calls(mocks)).to.deep.equal(Array<string>(5).fill("backup:ListBackupJobs"));
  });

  it("maps AlreadyExistsException from StartBackupJob (a job started meanwhile) to AlreadyRunningError", async () => {
    mocks.backup
      .on(StartBackupJobCommand, { ResourceArn: FILE_SYSTEM_ARN })
      .rejects(awsError("AlreadyExistsException"));
    const error = await rejectionOf(clock, backupTenant("dev", "acme", {}, deps));
    expect(error).to.be.instanceOf(BbwsError);
    expect(error.message).to.equal(
      "a backup job of the EFS file system fs-0a1b2c3d4e5f60718 is already running",
    );
  });

  it("times out the EFS job after 300 s by default, without starting any copy", async () => {
    mocks.backup
      .on(DescribeBackupJobCommand, { BackupJobId: "efs-job-1" })
      .resolves({ State: "RUNNING", PercentDone: "12.5" });
    const error = await rejectionOf(clock, backupTenant("dev", "acme", {}, deps));
    expect(error).to.be.instanceOf(BbwsError);
    expect(error.message).to.equal(
      "backup job efs-job-1 of the EFS file system fs-0a1b2c3d4e5f60718 did not finish within 300 s (still RUNNING 12.5%); " +
        "the job keeps running in AWS Backup; `npm run ops -- status` shows its recovery point once done",
    );
    expect(seconds()).to.equal(300);
    expect(calls(mocks)).to.not.include("backup:StartCopyJob");
  });

  it("times out the Aurora job after its own, configurable limit", async () => {
    mocks.backup.on(DescribeBackupJobCommand, { BackupJobId: "aurora-job-1" }).resolves({ State: "RUNNING" });
    const error = await rejectionOf(
      clock,
      backupTenant("dev", "acme", { auroraTimeoutSeconds: 120, pollIntervalSeconds: 30 }, deps),
    );
    expect(error).to.be.instanceOf(BbwsError);
    expect(error.message).to.match(
      /^backup job aurora-job-1 of the Aurora cluster bbws-dev-db-3f9a1c did not finish within 120 s/,
    );
    expect(seconds()).to.equal(120);
    expect(
      inputsOf(mocks, "backup:DescribeBackupJob").filter((i) => i.BackupJobId === "aurora-job-1"),
    ).to.have.length(5);
  });

  it("reports a failed job as UnexpectedError with AWS Backup's reason", async () => {
    mocks.backup
      .on(DescribeBackupJobCommand, { BackupJobId: "aurora-job-1" })
      .resolves({ State: "FAILED", StatusMessage: "Insufficient privileges to perform this action." });
    const error = await rejectionOf(clock, backupTenant("dev", "acme", {}, deps));
    expect(error).to.be.instanceOf(BbwsError);
    expect(error.message).to.equal(
      "backup job aurora-job-1 of the Aurora cluster bbws-dev-db-3f9a1c ended FAILED: Insufficient privileges to perform this action.",
    );
  });

  it("turns an unexpected SDK error into UnexpectedError and says which job already started", async () => {
    mocks.backup
      .on(StartBackupJobCommand, { ResourceArn: CLUSTER_ARN })
      .rejects(awsError("AccessDeniedException", "not authorized to perform backup:StartBackupJob"));
    const error = await rejectionOf(clock, backupTenant("dev", "acme", {}, deps));
    expect(error).to.be.instanceOf(BbwsError);
    expect(error.message).to.equal("AccessDeniedException: not authorized to perform backup:StartBackupJob");
    expect(error.notes).to.deep.equal([
      "backup job efs-job-1 of the EFS file system fs-0a1b2c3d4e5f60718 was started and keeps running",
    ]);
    expect(calls(mocks)).to.not.include("backup:DescribeBackupJob");
  });

  it("runBackup (the lifecycle's final backup) needs no registry entry and tags the reason", async () => {
    const platform = platformContract();
    const result = await settle(
      clock,
      runBackup(
        { environment: "dev", tenantId: "removed-tenant", platform },
        { reason: "final" },
        { ...deps, registryFile: "/nonexistent.yaml" },
      ),
    );
    expect(result.tenantId).to.equal("removed-tenant");
    expect(inputsOf(mocks, "backup:StartBackupJob")[0].RecoveryPointTags).to.deep.equal({
      "bbws:tenant-id": "removed-tenant",
      "bbws:environment": "dev",
      "bbws:backup-type": "on-demand",
      "bbws:backup-reason": "final",
    });
    expect(source.calls).to.deep.equal([]);
  });
});
