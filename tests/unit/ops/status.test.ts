import { expect } from "chai";
import { ListRecoveryPointsByBackupVaultCommand, ListTagsCommand } from "@aws-sdk/client-backup";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { ListTagsForResourceCommand } from "@aws-sdk/client-rds";
import { BbwsError } from "../../../lib/errors";
import { renderStatus } from "../../../ops/render";
import { tenantStatus } from "../../../ops/status";
import {
  CLUSTER_ARN,
  DR_VAULT,
  FILE_SYSTEM_ARN,
  FakeSource,
  Mocks,
  VAULT,
  calls,
  inputsOf,
  mockedClients,
  opsDeps,
  restoreMocks,
  writeRegistry,
} from "./fixtures";

const TD = "arn:aws:ecs:af-south-1:111122223333:task-definition/dev-acme-wordpress:7";
const IMAGE = "111122223333.dkr.ecr.af-south-1.amazonaws.com/bbws/dev/wordpress:6.8.3-php8.3-apache";
const hourly = { BackupPlanId: "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b", BackupRuleName: "efs-hourly" };
const at = (time: string) => new Date(`2025-06-01T${time}:00.000Z`);

describe("ops status", () => {
  const registryFile = writeRegistry();
  let mocks: Mocks;
  let deps: ReturnType<typeof opsDeps>;
  let source: FakeSource;

  beforeEach(() => {
    const mocked = mockedClients();
    mocks = mocked.mocks;
    source = new FakeSource();
    deps = opsDeps(mocked.clients, source, registryFile);
    mocks.ecs.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceName: "acme-wordpress",
          status: "ACTIVE",
          desiredCount: 2,
          runningCount: 2,
          pendingCount: 0,
          deployments: [
            { id: "ecs-svc/1", status: "PRIMARY", rolloutState: "COMPLETED", taskDefinition: TD },
          ],
        },
      ],
    });
    mocks.ecs.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: { containerDefinitions: [{ name: "wordpress", image: IMAGE }] },
    });
    mocks.backup.on(ListRecoveryPointsByBackupVaultCommand, { ByResourceArn: FILE_SYSTEM_ARN }).resolves({
      RecoveryPoints: [
        {
          RecoveryPointArn: "efs-hourly-10",
          Status: "COMPLETED",
          CreationDate: at("10:00"),
          CreatedBy: hourly,
        },
        { RecoveryPointArn: "efs-ondemand-partial", Status: "PARTIAL", CreationDate: at("11:45") },
        { RecoveryPointArn: "efs-ondemand-globex", Status: "COMPLETED", CreationDate: at("11:30") },
        {
          RecoveryPointArn: "efs-hourly-11",
          Status: "COMPLETED",
          CreationDate: at("11:00"),
          CreatedBy: hourly,
        },
        { RecoveryPointArn: "efs-ondemand-acme", Status: "COMPLETED", CreationDate: at("08:00") },
      ],
    });
    mocks.backup.on(ListTagsCommand, { ResourceArn: "efs-ondemand-globex" }).resolves({
      Tags: { "bbws:tenant-id": "globex", "bbws:backup-type": "on-demand" },
    });
    mocks.backup.on(ListTagsCommand, { ResourceArn: "efs-ondemand-acme" }).resolves({
      Tags: { "bbws:tenant-id": "acme", "bbws:backup-type": "on-demand" },
    });
    mocks.backup.on(ListRecoveryPointsByBackupVaultCommand, { ByResourceArn: CLUSTER_ARN }).resolves({
      RecoveryPoints: [
        {
          RecoveryPointArn: "aurora-hourly-11",
          Status: "COMPLETED",
          CreationDate: at("11:00"),
          CreatedBy: hourly,
        },
        { RecoveryPointArn: "aurora-ondemand-acme", Status: "COMPLETED", CreationDate: at("08:00") },
      ],
    });
    mocks.rds.on(ListTagsForResourceCommand, { ResourceName: "aurora-ondemand-acme" }).resolves({
      TagList: [
        { Key: "bbws:tenant-id", Value: "acme" },
        { Key: "bbws:backup-type", Value: "on-demand" },
      ],
    });
    mocks.drBackup.on(ListRecoveryPointsByBackupVaultCommand, { ByResourceArn: FILE_SYSTEM_ARN }).resolves({
      RecoveryPoints: [
        {
          RecoveryPointArn: "dr-efs-hourly-10",
          Status: "COMPLETED",
          CreationDate: at("10:00"),
          CreatedBy: hourly,
        },
      ],
    });
    mocks.drBackup
      .on(ListRecoveryPointsByBackupVaultCommand, { ByResourceArn: CLUSTER_ARN })
      .resolves({ RecoveryPoints: [] });
  });
  afterEach(() => restoreMocks(mocks));

  it("reports the service, the running image, the newest points per vault (tenant-tagged on-demand ones) and the last rollout", async () => {
    const status = await tenantStatus("dev", "acme", deps);

    expect(calls(mocks)).to.deep.equal([
      "ecs:DescribeServices",
      "ecs:DescribeTaskDefinition",
      "backup:ListRecoveryPointsByBackupVault",
      "backup:ListTags",
      "backup:ListTags",
      "backup:ListRecoveryPointsByBackupVault",
      "rds:ListTagsForResource",
      "drBackup:ListRecoveryPointsByBackupVault",
      "drBackup:ListRecoveryPointsByBackupVault",
    ]);
    expect(inputsOf(mocks, "ecs:DescribeServices")).to.deep.equal([
      { cluster: "bbws-dev", services: ["acme-wordpress"] },
    ]);
    expect(inputsOf(mocks, "ecs:DescribeTaskDefinition")).to.deep.equal([{ taskDefinition: TD }]);
    expect(
      inputsOf(mocks, "backup:ListRecoveryPointsByBackupVault").map((i) => [
        i.BackupVaultName,
        i.ByResourceArn,
      ]),
    ).to.deep.equal([
      [VAULT, FILE_SYSTEM_ARN],
      [VAULT, CLUSTER_ARN],
    ]);
    expect(
      inputsOf(mocks, "drBackup:ListRecoveryPointsByBackupVault").map((i) => i.BackupVaultName),
    ).to.deep.equal([DR_VAULT, DR_VAULT]);
    // Newest first; the partial point is skipped without a tag lookup.
    expect(inputsOf(mocks, "backup:ListTags").map((i) => i.ResourceArn)).to.deep.equal([
      "efs-ondemand-globex",
      "efs-ondemand-acme",
    ]);

    expect(status.service).to.deep.equal({
      name: "acme-wordpress",
      status: "ACTIVE",
      desiredCount: 2,
      runningCount: 2,
      pendingCount: 0,
      rolloutState: "COMPLETED",
      rolloutStateReason: undefined,
      taskDefinition: TD,
      image: IMAGE,
      deployments: 1,
    });
    const point = (arn: string, time: string) => ({ arn, createdAt: at(time).toISOString() });
    expect(status.recoveryPoints).to.deep.equal([
      {
        vault: "primary",
        vaultName: VAULT,
        region: "af-south-1",
        resource: "files",
        resourceType: "EFS",
        scheduled: point("efs-hourly-11", "11:00"),
        onDemand: point("efs-ondemand-acme", "08:00"),
      },
      {
        vault: "primary",
        vaultName: VAULT,
        region: "af-south-1",
        resource: "database",
        resourceType: "Aurora",
        scheduled: point("aurora-hourly-11", "11:00"),
        onDemand: point("aurora-ondemand-acme", "08:00"),
      },
      {
        vault: "dr",
        vaultName: DR_VAULT,
        region: "eu-west-1",
        resource: "files",
        resourceType: "EFS",
        scheduled: point("dr-efs-hourly-10", "10:00"),
        onDemand: undefined,
      },
      {
        vault: "dr",
        vaultName: DR_VAULT,
        region: "eu-west-1",
        resource: "database",
        resourceType: "Aurora",
        scheduled: undefined,
        onDemand: undefined,
      },
    ]);
    expect(status.lastRollout).to.deep.equal({
      image: "6.8.3-php8.3-apache",
      at: "2025-05-30T09:00:00Z",
      result: "completed",
      taskDefinitionArn: TD,
    });

    const text = renderStatus(status);
    for (const expected of [
      "acme-wordpress",
      "2/2/0",
      "COMPLETED",
      IMAGE,
      "efs-hourly-11",
      "aurora-ondemand-acme",
      "last rollout: completed 6.8.3-php8.3-apache",
    ]) {
      expect(text).to.include(expected);
    }
  });

  it("reports a missing service instead of failing, and reads no task definition", async () => {
    mocks.ecs
      .on(DescribeServicesCommand)
      .resolves({ services: [], failures: [{ arn: "acme-wordpress", reason: "MISSING" }] });
    const status = await tenantStatus("dev", "acme", deps);
    expect(status.service.status).to.equal("MISSING");
    expect(calls(mocks)).to.not.include("ecs:DescribeTaskDefinition");
  });

  it("fails with InvalidTenantError for an unknown tenant, without any stack or AWS call", async () => {
    const error = await tenantStatus("dev", "initech", deps).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(BbwsError);
    expect(calls(mocks)).to.deep.equal([]);
    expect(source.calls).to.deep.equal([]);
  });
});
