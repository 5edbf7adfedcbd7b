/**
 * `ops rotate-db-password`: the exact AWS calls of a rotation (aws-sdk-client-mock), the SQL it
 * sends (the password's stored form only), and the put-back of each failure: the old password
 * back on the user and as the secret's AWSCURRENT, and the tasks back on it.
 */
import { expect } from "chai";
import * as sinon from "sinon";
import { DescribeServicesCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { ExecuteStatementCommand } from "@aws-sdk/client-rds-data";
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { nativePasswordHash } from "../../../components/tenant/sql";
import { BbwsError } from "../../../lib/errors";
import { newPassword, rotateDatabasePassword } from "../../../ops/rotatePassword";
import {
  CLUSTER_ARN,
  DB_SECRET,
  FakeSource,
  Input,
  Mocks,
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
  tenantOutputs,
  writeRegistry,
} from "./fixtures";
import { FakeService } from "./restoreFixtures";

const OLD = "Oo1Ll2Dd3Pp4Aa5Ss6Ss7Ww8Oo9Rr0Dd1Xx2Yy3Zz";
const CURRENT_VERSION = "11111111-1111-4111-8111-111111111111";
const SECRET_VALUE = {
  engine: "mysql",
  username: "wp_acme",
  password: OLD,
  host: "bbws-dev-db.cluster-abc.af-south-1.rds.amazonaws.com",
  port: 3306,
  dbname: "wp_acme",
};

describe("ops rotate-db-password", () => {
  const registryFile = writeRegistry();
  let clock: sinon.SinonFakeTimers;
  let mocks: Mocks;
  let deps: ReturnType<typeof opsDeps>;
  let service: FakeService;
  let mocked: ReturnType<typeof mockedClients>;

  beforeEach(() => {
    clock = fakeClock();
    mocked = mockedClients();
    mocks = mocked.mocks;
    deps = opsDeps(mocked.clients, new FakeSource(), registryFile);
    service = new FakeService("normal", 2);
    mocks.ecs.on(DescribeServicesCommand).callsFake(() => service.describe());
    mocks.ecs.on(UpdateServiceCommand).callsFake((input: Input) => service.update(input));
    mocks.rdsData.on(ExecuteStatementCommand).resolves({ numberOfRecordsUpdated: 0 });
    mocks.secretsManager
      .on(GetSecretValueCommand)
      .resolves({ VersionId: CURRENT_VERSION, SecretString: JSON.stringify(SECRET_VALUE) });
    mocks.secretsManager
      .on(PutSecretValueCommand)
      .callsFake((input: Input) => ({ VersionId: input.ClientRequestToken }));
    mocks.secretsManager.on(UpdateSecretVersionStageCommand).resolves({});
  });
  afterEach(() => {
    clock.restore();
    restoreMocks(mocks);
  });

  const sentSql = () => inputsOf(mocks, "rdsData:ExecuteStatement").map((i: Input) => i.sql as string);
  const newSecret = () => JSON.parse(inputsOf(mocks, "secretsManager:PutSecretValue")[0].SecretString);
  const rotate = () =>
    rotateDatabasePassword("dev", "acme", { pollIntervalSeconds: 5, timeoutSeconds: 60 }, deps);

  it("sets a new password on the user, then the secret, then deploys and waits until stable", async () => {
    const result = await settle(clock, rotate());

    expect(calls(mocks)).to.deep.equal([
      "ecs:DescribeServices",
      "secretsManager:GetSecretValue",
      "rdsData:ExecuteStatement",
      "secretsManager:PutSecretValue",
      "ecs:UpdateService",
      // IN_PROGRESS, then COMPLETED on the new deployment.
      "ecs:DescribeServices",
      "ecs:DescribeServices",
    ]);
    const password = newSecret().password as string;
    expect(password)
      .to.match(/^[A-Za-z0-9]{40}$/)
      .and.not.equal(OLD);
    // The rest of the secret is kept as it was.
    expect(newSecret()).to.deep.equal({ ...SECRET_VALUE, password });
    // ALTER USER without RETAIN CURRENT PASSWORD: the old password stops working at once.
    expect(sentSql()).to.deep.equal([
      `ALTER USER 'wp_acme'@'%' IDENTIFIED WITH mysql_native_password AS '${nativePasswordHash(password)}'`,
    ]);
    expect(inputsOf(mocks, "rdsData:ExecuteStatement")[0]).to.include({
      resourceArn: CLUSTER_ARN,
      secretArn: platformContract().database.masterSecretArn,
    });
    expect(inputsOf(mocks, "secretsManager:PutSecretValue")[0]).to.include({ SecretId: DB_SECRET });
    expect(inputsOf(mocks, "ecs:UpdateService")).to.deep.equal([
      { cluster: "bbws-dev", service: "acme-wordpress", forceNewDeployment: true },
    ]);
    expect(result).to.deep.include({
      tenantId: "acme",
      user: "wp_acme",
      secretArn: DB_SECRET,
      previousVersionId: CURRENT_VERSION,
      versionId: inputsOf(mocks, "secretsManager:PutSecretValue")[0].ClientRequestToken,
      deploymentId: "ecs-svc/2222222222222222222",
    });
  });

  it("sends no password, old or new, in any SQL text (the audit log records DCL statements)", async () => {
    await settle(clock, rotate());
    const password = newSecret().password as string;
    for (const sql of sentSql()) expect(sql).to.not.include(password).and.not.include(OLD);
  });

  it("a deployment the circuit breaker fails puts both back and redeploys on the old password", async () => {
    service = new FakeService("deployment-fails", 2);
    const error = await rejectionOf(clock, rotate());

    expect(error).to.be.instanceOf(BbwsError);
    expect(error.message).to.match(
      /^password rotation of acme \(dev\) failed: deployment .* failed: ECS deployment circuit breaker/,
    );
    const rotated = inputsOf(mocks, "secretsManager:PutSecretValue")[0].ClientRequestToken;
    expect(inputsOf(mocks, "secretsManager:UpdateSecretVersionStage")).to.deep.equal([
      {
        SecretId: DB_SECRET,
        VersionStage: "AWSCURRENT",
        MoveToVersionId: CURRENT_VERSION,
        RemoveFromVersionId: rotated,
      },
    ]);
    const [, putBack] = sentSql();
    expect(putBack).to.equal(
      `ALTER USER 'wp_acme'@'%' IDENTIFIED WITH mysql_native_password AS '${nativePasswordHash(OLD)}'`,
    );
    // Newest first: the secret, then the user, then the tasks (two deployments in all).
    const order = calls(mocks).filter((c) =>
      ["secretsManager:UpdateSecretVersionStage", "rdsData:ExecuteStatement", "ecs:UpdateService"].includes(
        c,
      ),
    );
    expect(order).to.deep.equal([
      "rdsData:ExecuteStatement",
      "ecs:UpdateService",
      "secretsManager:UpdateSecretVersionStage",
      "rdsData:ExecuteStatement",
      "ecs:UpdateService",
    ]);
    // This fake fails every deployment, the put-back's too: reported, with the command to run.
    expect(error.notes).to.deep.equal([
      `put back: make version ${CURRENT_VERSION} of the secret current again; give user wp_acme its previous password back`,
      "could not bring the tasks back to the previous password (a new deployment): deployment ecs-svc/2222222222222222222 " +
        "of service acme-wordpress failed: ECS deployment circuit breaker: tasks failed to start.",
      "to clean up: service acme-wordpress may run tasks with the new password: aws ecs update-service --cluster bbws-dev " +
        "--service acme-wordpress --force-new-deployment",
    ]);
  });

  it("a secret that cannot be written puts the old password back on the user and deploys nothing", async () => {
    mocks.secretsManager.on(PutSecretValueCommand).rejects(awsError("AccessDeniedException"));
    mocks.secretsManager
      .on(UpdateSecretVersionStageCommand)
      .rejects(awsError("InvalidParameterException", "version is not AWSCURRENT"));
    const error = await rejectionOf(clock, rotate());
    expect(error.message).to.match(/AccessDeniedException/);
    expect(sentSql()).to.deep.equal([
      `ALTER USER 'wp_acme'@'%' IDENTIFIED WITH mysql_native_password AS '${nativePasswordHash(newPasswordOf())}'`,
      `ALTER USER 'wp_acme'@'%' IDENTIFIED WITH mysql_native_password AS '${nativePasswordHash(OLD)}'`,
    ]);
    expect(calls(mocks)).to.not.include("ecs:UpdateService");
    // The secret never moved: AWSCURRENT is still the old version, nothing is left to clean up.
    expect(error.notes).to.include("nothing left to clean up");
  });

  it("a failed ALTER USER changes nothing else", async () => {
    mocks.rdsData
      .on(ExecuteStatementCommand)
      .rejectsOnce(new Error("Communications link failure"))
      .resolves({});
    const error = await rejectionOf(clock, rotate());
    expect(error.message).to.match(/Communications link failure/);
    expect(calls(mocks)).to.not.include("secretsManager:PutSecretValue");
    expect(calls(mocks)).to.not.include("ecs:UpdateService");
  });

  it("refuses while a deployment runs, before any change (busy)", async () => {
    service.deployments = 2;
    const error = await rejectionOf(clock, rotate());
    expect((error as BbwsError).kind).to.equal("busy");
    expect(calls(mocks)).to.deep.equal(["ecs:DescribeServices"]);
  });

  it("refuses a secret that does not hold the tenant's user, before any change", async () => {
    mocks.secretsManager.on(GetSecretValueCommand).resolves({
      VersionId: CURRENT_VERSION,
      SecretString: JSON.stringify({ ...SECRET_VALUE, username: "wp_globex" }),
    });
    const error = await rejectionOf(clock, rotate());
    expect((error as BbwsError).kind).to.equal("invalidInput");
    expect(calls(mocks)).to.not.include("rdsData:ExecuteStatement");
  });

  it("refuses a tenant without a service yet (its certificate waits for the customer), before any AWS call", async () => {
    const waiting = opsDeps(
      mocked.clients,
      new FakeSource(undefined, { ...tenantOutputs(), certificateState: "pending", servingHosts: [] }),
      registryFile,
    );
    const error = await rejectionOf(
      clock,
      rotateDatabasePassword("dev", "acme", { pollIntervalSeconds: 5, timeoutSeconds: 60 }, waiting),
    );
    expect((error as BbwsError).kind).to.equal("refused");
    expect((error as BbwsError).message).to.match(/no ECS service yet, its certificate waits/);
    expect(calls(mocks)).to.deep.equal([]);
  });

  it("generates 40 letters and digits, different every time", () => {
    const seen = new Set(Array.from({ length: 50 }, newPassword));
    expect(seen.size).to.equal(50);
    for (const p of seen) expect(p).to.match(/^[A-Za-z0-9]{40}$/);
  });

  /** The password the failed rotation set (from its PutSecretValue). */
  function newPasswordOf(): string {
    return JSON.parse(inputsOf(mocks, "secretsManager:PutSecretValue")[0].SecretString).password;
  }
});
