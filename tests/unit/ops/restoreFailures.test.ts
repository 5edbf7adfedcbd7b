import { expect } from "chai";
import * as sinon from "sinon";
import { DescribeRestoreJobCommand } from "@aws-sdk/client-backup";
import { RunTaskCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { DeleteDBClusterCommand, DescribeDBInstancesCommand } from "@aws-sdk/client-rds";
import { BbwsError } from "../../../lib/errors";
import { restoreTenant } from "../../../ops/restore";
import { ROLLBACK_FILES_SCRIPT } from "../../../ops/scripts";
import {
  AURORA_POINT,
  EFS_POINT,
  FakeSource,
  Input,
  MAINTENANCE_TD,
  Mocks,
  NOW,
  awsError,
  calls,
  fakeClock,
  inputsOf,
  mockedClients,
  opsDeps,
  rejectionOf,
  restoreMocks,
  writeRegistry,
} from "./fixtures";
import {
  FULL_RESTORE_CALLS,
  PUT_BACK_CALLS,
  PREVIOUS_SCHEMA,
  STAMP,
  TASK_ARNS,
  TEMP_CLUSTER,
  UNTIL_STOPPED,
  mockRestore,
} from "./restoreFixtures";

const BOTH = { recoveryPointArns: [EFS_POINT, AURORA_POINT] };
const FS = "file system fs-0a1b2c3d4e5f60718";
const RESTORE_DIRECTORY =
  "to clean up: the restored copy of /tenants/acme in /aws-backup-restore_<datetime>/ at the root of file system " +
  "fs-0a1b2c3d4e5f60718 (EFS restore job efs-restore-1, which may still be running): delete that directory";
const DUMPS = `kept: ${PREVIOUS_SCHEMA}`;

describe("ops restore failures: the site is put back", () => {
  const registryFile = writeRegistry();
  let clock: sinon.SinonFakeTimers;
  let mocks: Mocks;
  let deps: ReturnType<typeof opsDeps>;

  beforeEach(() => {
    clock = fakeClock();
    const mocked = mockedClients();
    mocks = mocked.mocks;
    deps = opsDeps(mocked.clients, new FakeSource(), registryFile);
  });
  afterEach(() => {
    clock.restore();
    restoreMocks(mocks);
  });

  /** The service was scaled back to its previous count, without a new deployment. */
  const expectScaledBack = () =>
    expect(inputsOf(mocks, "ecs:UpdateService")).to.deep.equal([
      { cluster: "bbws-dev", service: "acme-wordpress", desiredCount: 0 },
      { cluster: "bbws-dev", service: "acme-wordpress", desiredCount: 2 },
    ]);
  /** Autoscaling was suspended, then put back as it was. */
  const expectScalingResumed = () =>
    expect(
      inputsOf(mocks, "autoScaling:RegisterScalableTarget").map(
        (i) => i.SuspendedState.ScheduledScalingSuspended,
      ),
    ).to.deep.equal([true, false]);
  /** The temporary cluster and its instance were deleted without a final snapshot. */
  const expectTemporaryClusterDeleted = () => {
    expect(inputsOf(mocks, "rds:DeleteDBInstance")).to.deep.equal([
      { DBInstanceIdentifier: `${TEMP_CLUSTER}-1` },
    ]);
    expect(inputsOf(mocks, "rds:DeleteDBCluster")).to.deep.equal([
      { DBClusterIdentifier: TEMP_CLUSTER, SkipFinalSnapshot: true },
    ]);
  };
  const runTasks = () =>
    inputsOf(mocks, "ecs:RunTask").map((i: Input) =>
      i.overrides.containerOverrides[0].command[2] === ROLLBACK_FILES_SCRIPT
        ? "rollback"
        : i.taskDefinition === MAINTENANCE_TD
          ? "swap"
          : "copy",
    );

  it("swap exits 11 (restored copy not moved, previous put back by the script): no copy, site scaled back, cluster deleted", async () => {
    mockRestore(mocks, { swap: 11 });
    const error = await rejectionOf(clock, restoreTenant("dev", "acme", BOTH, {}, deps));

    expect(calls(mocks)).to.deep.equal([
      ...UNTIL_STOPPED,
      "ecs:RunTask",
      "ecs:DescribeTasks",
      "ecs:DescribeTasks",
      ...PUT_BACK_CALLS,
    ]);
    expect(error).to.be.instanceOf(BbwsError);
    expect(error.message).to.equal(
      "restore of acme (dev) failed: swap failed: the restored copy could not be moved into place; the previous content was put back " +
        "(logs: /bbws/dev/maintenance, task 0swap0000000000000000000000000)",
    );
    expect(error.notes).to.deep.equal([
      "site: files previous, database previous; service acme-wordpress is back to 2 task(s)",
      RESTORE_DIRECTORY,
    ]);
    expectScaledBack();
    expectScalingResumed();
    expectTemporaryClusterDeleted();
  });

  it("swap killed half-way (exit 137): the previous files are put back by a rollback task before scaling back", async () => {
    mockRestore(mocks, { swap: 137 });
    const error = await rejectionOf(clock, restoreTenant("dev", "acme", BOTH, {}, deps));

    expect(calls(mocks)).to.deep.equal([
      ...UNTIL_STOPPED,
      ...["ecs:RunTask", "ecs:DescribeTasks", "ecs:DescribeTasks"],
      ...["ecs:RunTask", "ecs:DescribeTasks", "ecs:DescribeTasks"],
      ...PUT_BACK_CALLS,
    ]);
    expect(runTasks()).to.deep.equal(["swap", "rollback"]);
    expect(error.message).to.match(/swap failed: the swap task exited 137/);
    expect(error.notes![0]).to.equal(
      "site: files previous, database previous; service acme-wordpress is back to 2 task(s)",
    );
    expectScaledBack();
  });

  it("database copy fails after the swap (import failed, previous schema re-imported): files are put back too", async () => {
    mockRestore(mocks, { copy: 22 });
    const error = await rejectionOf(clock, restoreTenant("dev", "acme", BOTH, {}, deps));

    expect(calls(mocks)).to.deep.equal([
      ...UNTIL_STOPPED,
      ...["ecs:RunTask", "ecs:DescribeTasks", "ecs:DescribeTasks"],
      ...["ecs:RunTask", "ecs:DescribeTasks", "ecs:DescribeTasks"],
      ...["ecs:RunTask", "ecs:DescribeTasks", "ecs:DescribeTasks"],
      ...PUT_BACK_CALLS,
    ]);
    expect(runTasks()).to.deep.equal(["swap", "copy", "rollback"]);
    expect(error).to.be.instanceOf(BbwsError);
    expect(error.message).to.equal(
      "restore of acme (dev) failed: database copy failed: the import failed; the previous content was imported back " +
        "(logs: /bbws/dev/wordpress, stream acme/db-copy/0copy0000000000000000000000000)",
    );
    expect(error.notes).to.deep.equal([
      "site: files previous, database previous; service acme-wordpress is back to 2 task(s)",
      `kept: the restored files: /restore/acme-${STAMP}/files on ${FS}`,
      "nothing left to clean up",
    ]);
    expectScaledBack();
    expectScalingResumed();
    expectTemporaryClusterDeleted();
  });

  it("database copy fails and cannot put the schema back (exit 23): the notes say the database is unknown and how to recover it", async () => {
    mockRestore(mocks, { copy: 23 });
    const error = await rejectionOf(clock, restoreTenant("dev", "acme", BOTH, {}, deps));
    expect(error.notes!.slice(0, 2)).to.deep.equal([
      "site: files previous, database unknown; service acme-wordpress is back to 2 task(s)",
      DUMPS,
    ]);
    expectScaledBack();
  });

  it("a rollback that fails too keeps the previous files' location in the notes", async () => {
    mockRestore(mocks, { copy: 20, rollback: 1 });
    const error = await rejectionOf(clock, restoreTenant("dev", "acme", BOTH, {}, deps));
    expect(error.notes).to.deep.equal([
      "site: files restored, database previous; service acme-wordpress is back to 2 task(s)",
      "could not put the previous files back: rollback failed: the rollback task exited 1 (logs: /bbws/dev/maintenance, task 0rollback000000000000000000000)",
      `kept: previous files (check /tenants/acme first): /tenants/.previous/acme-${STAMP} on ${FS}`,
      "nothing left to clean up",
    ]);
    expectScaledBack();
  });

  it("a swap task that never stops is stopped at its time limit, rolled back, and reported as a timeout", async () => {
    mockRestore(mocks, { swap: "never" });
    const error = await rejectionOf(
      clock,
      restoreTenant("dev", "acme", BOTH, { timeouts: { swap: 60 } }, deps),
    );
    expect(error).to.be.instanceOf(BbwsError);
    expect(error.message).to.match(
      /^restore of acme \(dev\) failed: maintenance task 0swap0+ did not finish within 60 s \(still RUNNING\)/,
    );
    expect(inputsOf(mocks, "ecs:StopTask")).to.deep.equal([
      {
        cluster: "bbws-dev",
        task: TASK_ARNS.swap,
        reason: `bbws ops: maintenance task 0swap0000000000000000000000000 did not finish within 60 s (still RUNNING)`,
      },
    ]);
    expect(runTasks()).to.deep.equal(["swap", "rollback"]);
    expect(error.notes).to.include(`task ${TASK_ARNS.swap} was stopped`);
    expectScaledBack();
    expectTemporaryClusterDeleted();
  });

  it("an EFS restore job that times out changes nothing live: the service is never scaled", async () => {
    mockRestore(mocks);
    mocks.backup
      .on(DescribeRestoreJobCommand, { RestoreJobId: "efs-restore-1" })
      .resolves({ Status: "RUNNING" });
    const error = await rejectionOf(
      clock,
      restoreTenant("dev", "acme", BOTH, { timeouts: { efsRestore: 120 } }, deps),
    );
    expect(error).to.be.instanceOf(BbwsError);
    expect((Date.now() - NOW.getTime()) / 1000).to.equal(120);
    for (const change of ["ecs:UpdateService", "autoScaling:RegisterScalableTarget", "ecs:RunTask"]) {
      expect(calls(mocks)).to.not.include(change);
    }
    expect(inputsOf(mocks, "backup:StartRestoreJob").map((i) => i.ResourceType)).to.deep.equal(["EFS"]);
    expect(error.notes).to.deep.equal([
      "site: files previous, database previous; service acme-wordpress was not stopped",
      RESTORE_DIRECTORY,
    ]);
  });

  it("a temporary instance that never becomes available: the cluster is deleted, the site never stopped", async () => {
    mockRestore(mocks);
    mocks.rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ DBInstanceStatus: "creating" }] });
    const error = await rejectionOf(
      clock,
      restoreTenant("dev", "acme", BOTH, { timeouts: { temporaryInstance: 300 } }, deps),
    );
    expect(error).to.be.instanceOf(BbwsError);
    expect(calls(mocks)).to.not.include("ecs:UpdateService");
    expectTemporaryClusterDeleted();
    expect(error.notes!.filter((n) => n.includes(TEMP_CLUSTER))).to.deep.equal([]);
  });

  it("an Aurora restore job still running at its limit leaves the temporary cluster on the clean-up list", async () => {
    mockRestore(mocks);
    mocks.backup
      .on(DescribeRestoreJobCommand, { RestoreJobId: "aurora-restore-1" })
      .resolves({ Status: "RUNNING" });
    mocks.rds.on(DeleteDBClusterCommand).rejects(awsError("DBClusterNotFoundFault"));
    const error = await rejectionOf(
      clock,
      restoreTenant("dev", "acme", BOTH, { timeouts: { auroraRestore: 60 } }, deps),
    );
    expect(error).to.be.instanceOf(BbwsError);
    expect(error.notes).to.include(
      `to clean up: temporary Aurora cluster ${TEMP_CLUSTER} (restore job aurora-restore-1; if it is still running, wait for it): ` +
        `aws rds delete-db-instance --db-instance-identifier ${TEMP_CLUSTER}-1; aws rds delete-db-cluster --db-cluster-identifier ${TEMP_CLUSTER} --skip-final-snapshot`,
    );
    expect(calls(mocks)).to.not.include("rds:DeleteDBInstance");
  });

  it("a service that never drains is scaled back after the drain limit", async () => {
    mockRestore(mocks, { service: "never-drains" });
    const error = await rejectionOf(
      clock,
      restoreTenant("dev", "acme", BOTH, { timeouts: { drain: 90 } }, deps),
    );
    expect(error).to.be.instanceOf(BbwsError);
    expect(error.message).to.match(
      /service acme-wordpress to stop its tasks did not finish within 90 s \(still 2 running, 0 pending\)/,
    );
    expect(calls(mocks)).to.not.include("ecs:RunTask");
    expectScaledBack();
    expectScalingResumed();
    expectTemporaryClusterDeleted();
  });

  it("a service not stable 300 s after the restore is a timeout; the restored content and what was kept are listed", async () => {
    mockRestore(mocks, { service: "never-stable" });
    const error = await rejectionOf(clock, restoreTenant("dev", "acme", BOTH, {}, deps));
    expect(error).to.be.instanceOf(BbwsError);
    expect(error.message).to.match(
      /service acme-wordpress to become stable did not finish within 300 s \(still IN_PROGRESS, 2\/2 running\)/,
    );
    expect(calls(mocks).slice(0, FULL_RESTORE_CALLS.length - 1)).to.deep.equal(
      FULL_RESTORE_CALLS.slice(0, -1),
    );
    expect(error.notes).to.deep.equal([
      "site: files restored, database restored; service acme-wordpress is back to 2 task(s)",
      `kept: previous files: /tenants/.previous/acme-${STAMP} on ${FS}`,
      DUMPS,
      "nothing left to clean up",
    ]);
  });

  it("a deployment the circuit breaker rolls back is an UnexpectedError, not a success", async () => {
    mockRestore(mocks, { service: "deployment-fails" });
    const error = await rejectionOf(clock, restoreTenant("dev", "acme", BOTH, {}, deps));
    expect(error).to.be.instanceOf(BbwsError);
    expect(error.message).to.match(
      /deployment ecs-svc\/2222222222222222222 of service acme-wordpress failed: ECS deployment circuit breaker/,
    );
  });

  it("an unexpected SDK error (RunTask denied) is an UnexpectedError; nothing ran, so nothing is rolled back", async () => {
    mockRestore(mocks);
    mocks.ecs
      .on(RunTaskCommand)
      .rejects(awsError("AccessDeniedException", "not authorized to perform: iam:PassRole"));
    const error = await rejectionOf(clock, restoreTenant("dev", "acme", BOTH, {}, deps));
    expect(error).to.be.instanceOf(BbwsError);
    expect(error.message).to.equal(
      "restore of acme (dev) failed: AccessDeniedException: not authorized to perform: iam:PassRole",
    );
    expect(calls(mocks)).to.deep.equal([...UNTIL_STOPPED, "ecs:RunTask", ...PUT_BACK_CALLS]);
    expect(error.notes![0]).to.equal(
      "site: files previous, database previous; service acme-wordpress is back to 2 task(s)",
    );
  });

  it("Ctrl-C while draining: the site is put back, then OperationAbortedError (exit 130)", async () => {
    mockRestore(mocks, { service: "never-drains" });
    const controller = new AbortController();
    const running = restoreTenant("dev", "acme", BOTH, {}, { ...deps, signal: controller.signal });
    running.catch(() => undefined);
    while (!calls(mocks).includes("ecs:UpdateService")) await clock.tickAsync(1000);
    controller.abort();
    const error = await rejectionOf(clock, running);
    expect(error).to.be.instanceOf(BbwsError);
    expect(error.message).to.equal(
      "restore of acme (dev) failed: interrupted while waiting for service acme-wordpress to stop its tasks",
    );
    expectScaledBack();
    expectScalingResumed();
    expectTemporaryClusterDeleted();
  });

  it("when scaling back fails, the notes say the service is still at 0 and give the command to fix it", async () => {
    const service = mockRestore(mocks, { swap: 11 });
    let updates = 0;
    mocks.ecs.on(UpdateServiceCommand).callsFake((input: Input) => {
      if (++updates === 2) throw awsError("ThrottlingException", "Rate exceeded");
      return service.update(input);
    });
    const error = await rejectionOf(clock, restoreTenant("dev", "acme", BOTH, {}, deps));
    expect(error.notes![0]).to.equal(
      "site: files previous, database previous; service acme-wordpress is STILL AT 0 TASKS",
    );
    expect(error.notes).to.include(
      "to clean up: service acme-wordpress is still at 0 tasks: aws ecs update-service --cluster bbws-dev --service acme-wordpress --desired-count 2 --force-new-deployment",
    );
    // The rest of the put-back still ran.
    expectScalingResumed();
    expectTemporaryClusterDeleted();
  });
});
