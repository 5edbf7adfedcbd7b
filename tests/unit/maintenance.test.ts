import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import {
  ADMIN_MOUNT_PATH,
  DB_COPY_CONTAINER,
  DB_COPY_USER,
  DEFAULT_MYSQL_IMAGE,
  MAINTENANCE_CONTAINER,
  assertDigestPinned,
  createMaintenanceTasks,
  maintenanceExecutionPolicy,
} from "../../components/shared/maintenance";
import { OFFLINE_ACCOUNT_ID } from "../../offline/awsResponses";
import { RecordedResource, StackRun, runStack } from "../../offline/stackRun";
import { evaluatePolicies } from "../../offline/policyEvaluator";
import { ecsPolicies } from "../../policy/rules/ecs";
import { byId, json, ofType, single } from "../helpers/resources";

interface Statement {
  Sid: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
}
interface Container {
  name: string;
  image: string;
  command: string[];
  user: string;
  readonlyRootFilesystem: boolean;
  mountPoints: { sourceVolume: string; containerPath: string; readOnly: boolean }[];
  logConfiguration: { logDriver: string; options: Record<string, string> };
  secrets?: unknown;
  environment?: unknown;
}

const FILE_SYSTEM_ID = "fs-0a1b2c3d4e5f60718";
const FILE_SYSTEM_ARN = `arn:aws:elasticfilesystem:af-south-1:${OFFLINE_ACCOUNT_ID}:file-system/${FILE_SYSTEM_ID}`;
const accessPointArn = (id: string) =>
  `arn:aws:elasticfilesystem:af-south-1:${OFFLINE_ACCOUNT_ID}:access-point/${id}`;
const TELEMETRY_KEY = `arn:aws:kms:af-south-1:${OFFLINE_ACCOUNT_ID}:key/1f2e3d4c-5b6a-7988-9a0b-c1d2e3f4a5b6`;

describe("createMaintenanceTasks", () => {
  let run: StackRun;
  before(async () => {
    run = await runStack({ project: "bbws", stack: "dev", region: "af-south-1" }, () => {
      const parent = new pulumi.ComponentResource("bbws:test:Host", "host");
      const tasks = createMaintenanceTasks(
        "bbws-dev",
        {
          environment: "dev",
          region: "af-south-1",
          accountId: OFFLINE_ACCOUNT_ID,
          partition: "aws",
          fileSystemId: FILE_SYSTEM_ID,
          fileSystemArn: FILE_SYSTEM_ARN,
          telemetryKeyArn: TELEMETRY_KEY,
          logRetentionDays: 7,
          pullThroughPrefix: "bbws-dev-ecr-public",
          tags: { "bbws:environment": "dev" },
        },
        parent,
      );
      return { ...tasks };
    });
  });

  const taskDefinition = (family: string) =>
    ofType(run, "aws:ecs/taskDefinition:TaskDefinition").find(
      (t) => t.inputs.family === family,
    ) as RecordedResource;
  const containerOf = (family: string) =>
    json<Container[]>(taskDefinition(family).inputs.containerDefinitions);
  const policyOf = (role: RecordedResource) =>
    json<{ Statement: Statement[] }>(
      ofType(run, "aws:iam/rolePolicy:RolePolicy").find((p) => p.inputs.role === role.id)!.inputs.policy,
    ).Statement;
  const roleByArn = (arn: unknown) => byId(run, String(arn).split("/").pop()) as RecordedResource;

  it("creates an administrative access point at the file system root with POSIX user 0:0", () => {
    const ap = single(run, "aws:efs/accessPoint:AccessPoint");
    expect(ap.inputs.fileSystemId).to.equal(FILE_SYSTEM_ID);
    expect(ap.inputs.rootDirectory).to.deep.equal({ path: "/" });
    expect(ap.inputs.posixUser).to.deep.equal({ uid: 0, gid: 0 });
    expect(ap.inputs.tags).to.include({ "bbws:component": "maintenance", "bbws:environment": "dev" });
  });

  it("defines a shell task and a MySQL client task: Fargate, ARM64, stable families, images from the pull-through cache", () => {
    const prefix = `${OFFLINE_ACCOUNT_ID}.dkr.ecr.af-south-1.amazonaws.com/bbws-dev-ecr-public`;
    for (const [family, container, image, cpu, memory] of [
      ["bbws-dev-maintenance", MAINTENANCE_CONTAINER, `${prefix}/docker/library/alpine:3.20`, "256", "512"],
      ["bbws-dev-db-copy", DB_COPY_CONTAINER, `${prefix}/${DEFAULT_MYSQL_IMAGE}`, "512", "1024"],
    ]) {
      const td = taskDefinition(family);
      expect(td.inputs).to.deep.include({
        cpu,
        memory,
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "ARM64" },
      });
      const [c] = containerOf(family);
      expect(c.name).to.equal(container);
      expect(c.image).to.equal(image);
      // Each run brings its command; a bare run fails loudly instead of doing something.
      expect(c.command).to.deep.equal([
        "sh",
        "-c",
        "echo 'give the command through RunTask overrides' >&2; exit 64",
      ]);
      expect(c.secrets).to.equal(undefined);
      expect(c.environment).to.equal(undefined);
    }
    expect(containerOf("bbws-dev-maintenance")[0].readonlyRootFilesystem).to.equal(true);
  });

  it("pins the MySQL client image by digest and refuses one that is not pinned", () => {
    expect(containerOf("bbws-dev-db-copy")[0].image).to.match(/@sha256:[0-9a-f]{64}$/);
    expect(() => assertDigestPinned("docker/library/mysql:8.4", "the db-copy image")).to.throw(
      /not pinned by digest/,
    );
    expect(() => assertDigestPinned(DEFAULT_MYSQL_IMAGE, "the db-copy image")).to.not.throw();
  });

  it("mounts the file system only in the shell task, through the admin access point with TLS and IAM auth", () => {
    const ap = single(run, "aws:efs/accessPoint:AccessPoint");
    expect(taskDefinition("bbws-dev-maintenance").inputs.volumes).to.deep.equal([
      {
        name: "efs-admin",
        efsVolumeConfiguration: {
          fileSystemId: FILE_SYSTEM_ID,
          transitEncryption: "ENABLED",
          authorizationConfig: { accessPointId: ap.id, iam: "ENABLED" },
        },
      },
    ]);
    expect(containerOf("bbws-dev-maintenance")[0].mountPoints).to.deep.equal([
      { sourceVolume: "efs-admin", containerPath: ADMIN_MOUNT_PATH, readOnly: false },
    ]);
  });

  it("runs the db-copy client as the image's non-root user with no file system at all", () => {
    const td = taskDefinition("bbws-dev-db-copy");
    expect(td.inputs.volumes ?? []).to.deep.equal([]);
    const [c] = containerOf("bbws-dev-db-copy");
    expect(c.mountPoints).to.deep.equal([]);
    expect(c.user).to.equal(DB_COPY_USER);
    expect(c.user.split(":")[0]).to.not.equal("0");
  });

  it("logs both tasks to their own encrypted log group with a stream prefix per task", () => {
    const group = single(run, "aws:cloudwatch/logGroup:LogGroup");
    expect(group.inputs).to.include({
      name: "/bbws/dev/maintenance",
      retentionInDays: 7,
      kmsKeyId: TELEMETRY_KEY,
    });
    expect(containerOf("bbws-dev-db-copy")[0].logConfiguration).to.deep.equal({
      logDriver: "awslogs",
      options: {
        "awslogs-group": "/bbws/dev/maintenance",
        "awslogs-region": "af-south-1",
        "awslogs-stream-prefix": "db-copy",
      },
    });
  });

  it("lets the shell task role mount, write and act as root only through the admin access point", () => {
    const ap = single(run, "aws:efs/accessPoint:AccessPoint");
    expect(policyOf(roleByArn(taskDefinition("bbws-dev-maintenance").inputs.taskRoleArn))).to.deep.equal([
      {
        Sid: "AdministerThroughAdminAccessPointOnly",
        Effect: "Allow",
        Action: [
          "elasticfilesystem:ClientMount",
          "elasticfilesystem:ClientWrite",
          "elasticfilesystem:ClientRootAccess",
        ],
        Resource: FILE_SYSTEM_ARN,
        Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": accessPointArn(ap.id) } },
      },
    ]);
  });

  it("gives the db-copy task its own task role, which denies everything", () => {
    const shellRole = taskDefinition("bbws-dev-maintenance").inputs.taskRoleArn;
    const dbCopyRole = taskDefinition("bbws-dev-db-copy").inputs.taskRoleArn;
    expect(dbCopyRole).to.not.equal(shellRole);
    expect(policyOf(roleByArn(dbCopyRole))).to.deep.equal([
      { Sid: "NothingAtAll", Effect: "Deny", Action: "*", Resource: "*" },
    ]);
  });

  it("gives each task its own execution role; none reads a secret", () => {
    const shell = roleByArn(taskDefinition("bbws-dev-maintenance").inputs.executionRoleArn);
    const dbCopy = roleByArn(taskDefinition("bbws-dev-db-copy").inputs.executionRoleArn);
    expect(shell.id).to.not.equal(dbCopy.id);
    for (const family of ["bbws-dev-maintenance", "bbws-dev-db-copy"]) {
      expect(taskDefinition(family).inputs.executionRoleArn).to.not.equal(
        taskDefinition(family).inputs.taskRoleArn,
      );
    }
    const actions = (statements: Statement[]) => statements.flatMap((s) => [s.Action].flat());
    for (const role of [shell, dbCopy]) {
      expect(
        actions(policyOf(role)).filter((a) => a.startsWith("secretsmanager:") || a.startsWith("kms:")),
      ).to.deep.equal([]);
    }
    // Pulls only through the environment's cache; writes only its own log streams.
    const pull = policyOf(shell).find((s) => s.Sid === "PullThroughCache")!;
    expect(pull.Resource).to.equal(
      `arn:aws:ecr:af-south-1:${OFFLINE_ACCOUNT_ID}:repository/bbws-dev-ecr-public/*`,
    );
    expect(policyOf(dbCopy).find((s) => s.Sid === "WriteOwnLogStreams")!.Resource).to.match(
      /:log-group:\/bbws\/dev\/maintenance:log-stream:db-copy\/\*$/,
    );
  });

  it("roles trust only ECS tasks of this account and region", () => {
    for (const role of ofType(run, "aws:iam/role:Role")) {
      const [statement] = json<{
        Statement: { Principal: unknown; Condition: Record<string, Record<string, string>> }[];
      }>(role.inputs.assumeRolePolicy).Statement;
      expect(statement.Principal).to.deep.equal({ Service: "ecs-tasks.amazonaws.com" });
      expect(statement.Condition.StringEquals["aws:SourceAccount"]).to.equal(OFFLINE_ACCOUNT_ID);
      expect(statement.Condition.ArnLike["aws:SourceArn"]).to.equal(
        `arn:aws:ecs:af-south-1:${OFFLINE_ACCOUNT_ID}:*`,
      );
    }
  });

  it("returns what ops needs: access point, families and revisions, role ARNs, log group", () => {
    const outputs = run.outputs;
    const ap = single(run, "aws:efs/accessPoint:AccessPoint");
    expect(outputs.accessPointId).to.equal(ap.id);
    expect(outputs.accessPointArn).to.equal(accessPointArn(ap.id));
    expect(outputs.taskDefinitionFamily).to.equal("bbws-dev-maintenance");
    expect(outputs.dbCopyTaskDefinitionFamily).to.equal("bbws-dev-db-copy");
    expect(outputs.taskDefinitionArn).to.match(/:task-definition\/bbws-dev-maintenance:\d+$/);
    expect(outputs.dbCopyTaskDefinitionArn).to.match(/:task-definition\/bbws-dev-db-copy:\d+$/);
    expect(outputs.logGroupName).to.equal("/bbws/dev/maintenance");
    expect(outputs.taskRoleArn).to.equal(taskDefinition("bbws-dev-maintenance").inputs.taskRoleArn);
    expect(outputs.executionRoleArn).to.equal(taskDefinition("bbws-dev-maintenance").inputs.executionRoleArn);
    expect(outputs.dbCopyExecutionRoleArn).to.equal(
      taskDefinition("bbws-dev-db-copy").inputs.executionRoleArn,
    );
    expect(outputs.dbCopyTaskRoleArn).to.equal(taskDefinition("bbws-dev-db-copy").inputs.taskRoleArn);
  });

  it("passes every mandatory ECS rule of the policy pack", async () => {
    const report = await evaluatePolicies([{ stack: "dev", resources: run.resources }], ecsPolicies);
    expect(report.violations.filter((v) => v.level === "mandatory")).to.deep.equal([]);
  });

  it("builds an execution policy with no secrets statement", () => {
    const base = {
      logGroupArn: "arn:aws:logs:af-south-1:1:log-group:/x",
      streamPrefix: "maintenance",
      pullThroughRepositoryArn: "arn:aws:ecr:af-south-1:1:repository/p/*",
    };
    expect(JSON.parse(maintenanceExecutionPolicy(base)).Statement.map((s: Statement) => s.Sid)).to.deep.equal(
      ["RegistryLogin", "PullThroughCache", "WriteOwnLogStreams"],
    );
  });
});
