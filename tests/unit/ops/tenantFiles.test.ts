/**
 * `remove --purge` deletes a tenant's files with the maintenance task: the exact ECS calls, the
 * task's failure modes, the timeout (fake timers), and the script itself run with `sh` against a
 * temporary directory standing in for the file system root.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import * as sinon from "sinon";
import { DescribeTasksCommand, RunTaskCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import { ExecuteStatementCommand } from "@aws-sdk/client-rds-data";
import { ADMIN_MOUNT_PATH } from "../../../components/shared/maintenance";
import { BbwsError } from "../../../lib/errors";
import { PURGE_EXIT, PURGE_SCRIPT } from "../../../ops/scripts";
import { purgeTenantFiles } from "../../../ops/tenantFiles";
import {
  FakeSource,
  MAINTENANCE_TD,
  Mocks,
  REGION,
  ACCOUNT,
  callLog,
  fakeClock,
  mockedClients,
  opsDeps,
  legacyPlatformOutputs,
  platformContract,
  rejectionOf,
  restoreMocks,
  settle,
  writeRegistry,
} from "./fixtures";

const TASK = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/bbws-dev/0f1e2d3c4b5a69788796a5b4c3d2e1f0`;

describe("ops: deleting a removed tenant's files", () => {
  const registryFile = writeRegistry();
  let clock: sinon.SinonFakeTimers;
  let mocks: Mocks;
  let deps: ReturnType<typeof opsDeps>;

  beforeEach(() => {
    clock = fakeClock();
    const mocked = mockedClients();
    mocks = mocked.mocks;
    mocks.rdsData.on(ExecuteStatementCommand).resolves({ numberOfRecordsUpdated: 0 });
    deps = opsDeps(mocked.clients, new FakeSource(), registryFile);
  });
  afterEach(() => {
    clock.restore();
    restoreMocks(mocks);
  });

  const stopped = (exitCode?: number, stoppedReason?: string) => ({
    tasks: [
      {
        taskArn: TASK,
        lastStatus: "STOPPED",
        stoppedReason,
        containers: [{ name: "maintenance", exitCode }],
      },
    ],
  });
  const target = () => ({ environment: "dev", tenantId: "acme", platform: platformContract() });

  it("runs the purge script in the maintenance task, privately, then waits for it to stop", async () => {
    mocks.ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK }] });
    mocks.ecs
      .on(DescribeTasksCommand)
      .resolvesOnce({ tasks: [{ taskArn: TASK, lastStatus: "RUNNING" }] })
      .resolves(stopped(0));
    const result = await settle(clock, purgeTenantFiles(target(), {}, deps));

    const log = callLog(mocks);
    // A tenant removed before without --purge still has its schema and user: they go first.
    expect(log.map((c) => c.call)).to.deep.equal([
      "rdsData:ExecuteStatement",
      "rdsData:ExecuteStatement",
      "ecs:RunTask",
      "ecs:DescribeTasks",
      "ecs:DescribeTasks",
    ]);
    expect(log.slice(0, 2).map((c) => c.input)).to.deep.equal(
      ["DROP DATABASE IF EXISTS `wp_acme`", "DROP USER IF EXISTS 'wp_acme'@'%'"].map((sql) => ({
        resourceArn: platformContract().database.clusterArn,
        secretArn: platformContract().database.masterSecretArn,
        sql,
      })),
    );
    expect(result.database).to.deep.equal({ schema: "wp_acme", user: "wp_acme" });
    const run = log[2].input;
    expect(run.taskDefinition).to.equal(MAINTENANCE_TD);
    expect(run.cluster).to.equal("bbws-dev");
    expect(run.networkConfiguration.awsvpcConfiguration.assignPublicIp).to.equal("DISABLED");
    expect(run.capacityProviderStrategy).to.deep.equal([{ capacityProvider: "FARGATE", weight: 1 }]);
    expect(run.overrides.containerOverrides).to.deep.equal([
      {
        name: "maintenance",
        command: ["sh", "-c", PURGE_SCRIPT],
        environment: [{ name: "TENANT_ID", value: "acme" }],
      },
    ]);
    expect(result.removed[0]).to.equal("/tenants/acme");
    expect(result.taskArn).to.equal(TASK);
  });

  it("fails naming the log group and the task when the script fails or refuses", async () => {
    mocks.ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK }] });
    mocks.ecs.on(DescribeTasksCommand).resolves(stopped(PURGE_EXIT.refused));
    const error = await rejectionOf(clock, purgeTenantFiles(target(), {}, deps));
    expect(error).to.be.instanceOf(BbwsError);
    expect(error.message).to.match(/refused the tenant id.*\/bbws\/dev\/maintenance, task 0f1e2d3c/);

    mocks.ecs.on(DescribeTasksCommand).resolves(stopped(undefined, "CannotPullContainerError"));
    const pull = await rejectionOf(clock, purgeTenantFiles(target(), {}, deps));
    expect(pull.message).to.match(/stopped without an exit code: CannotPullContainerError/);
  });

  it("stops the task when it does not finish in time", async () => {
    mocks.ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK }] });
    mocks.ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: TASK, lastStatus: "RUNNING" }] });
    mocks.ecs.on(StopTaskCommand).resolves({});
    const error = await rejectionOf(clock, purgeTenantFiles(target(), { timeoutSeconds: 60 }, deps));
    expect(error).to.be.instanceOf(BbwsError);
    expect(callLog(mocks).at(-1)!.call).to.equal("ecs:StopTask");
  });

  it("touches no file when the schema cannot be dropped (the removal keeps its entry and can be re-run)", async () => {
    mocks.rdsData.on(ExecuteStatementCommand).rejects(new Error("Communications link failure"));
    const error = await rejectionOf(clock, purgeTenantFiles(target(), {}, deps));
    expect(error.message).to.match(/Communications link failure/);
    expect(callLog(mocks).map((c) => c.call)).to.deep.equal(["rdsData:ExecuteStatement"]);
  });

  it("asks for a platform update, without any AWS call, when the platform predates the maintenance task", async () => {
    // The lifecycle's purge reads the platform through its source, then purges.
    const source = new FakeSource(legacyPlatformOutputs());
    const error = await rejectionOf(
      clock,
      source
        .platform("dev")
        .then((platform) => purgeTenantFiles({ environment: "dev", tenantId: "acme", platform }, {}, deps)),
    );
    expect(error).to.be.instanceOf(BbwsError);
    expect(error.message).to.match(
      /has no contract version .*: update the platform first: pulumi up -s dev$/,
    );
    expect(callLog(mocks)).to.deep.equal([]);
  });
});

describe("the purge script (run with sh)", function () {
  if (process.platform === "win32") return;
  let root: string;

  beforeEach(() => {
    root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bbws-purge-")), "efs");
    for (const dir of [
      "tenants/acme/wp-content/uploads",
      "tenants/acme-2/wp-content",
      "tenants/.previous/acme-20250601-120000",
      "tenants/.previous/acme-2-20250601-120000",
      "restore/acme-20250601-120000",
      "restore/acme-2-20250601-120000",
      "aws-backup-restore_2025-06-01T11-59-00-000Z/tenants/acme",
    ])
      fs.mkdirSync(path.join(root, dir), { recursive: true });
  });

  const run = (tenantId: string) =>
    spawnSync("sh", ["-c", PURGE_SCRIPT.replace(`root=${ADMIN_MOUNT_PATH}`, `root=${root}`)], {
      env: { PATH: process.env.PATH ?? "", TENANT_ID: tenantId },
      encoding: "utf8",
    });
  const left = () =>
    ["tenants", "tenants/.previous", "restore"].flatMap((d) =>
      fs.readdirSync(path.join(root, d)).map((n) => `${d}/${n}`),
    );

  it("deletes the tenant's directory and what its restores kept, and nothing of tenant acme-2", () => {
    const result = run("acme");
    expect(result.status, result.stderr).to.equal(0);
    expect(left().sort()).to.deep.equal([
      "restore/acme-2-20250601-120000",
      "tenants/.previous",
      "tenants/.previous/acme-2-20250601-120000",
      "tenants/acme-2",
    ]);
    expect(result.stdout).to.include("deleted /tenants/acme\n");
    // A restore directory AWS Backup made is not the tenant's to delete: it belongs to the file system.
    expect(fs.existsSync(path.join(root, "aws-backup-restore_2025-06-01T11-59-00-000Z"))).to.equal(true);
  });

  it("succeeds again when everything is already gone (a re-run after an interruption)", () => {
    expect(run("acme").status).to.equal(0);
    const again = run("acme");
    expect(again.status).to.equal(0);
    expect(again.stdout).to.not.include("deleted");
  });

  for (const hostile of ["", "..", "acme/../../", "a b", "*"]) {
    it(`refuses the tenant id ${JSON.stringify(hostile)} and deletes nothing`, () => {
      const before = left();
      expect(run(hostile).status).to.equal(PURGE_EXIT.refused);
      expect(left()).to.deep.equal(before);
    });
  }
});
