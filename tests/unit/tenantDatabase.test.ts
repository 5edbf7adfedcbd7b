import { expect } from "chai";
import { mockClient } from "aws-sdk-client-mock";
import { ExecuteStatementCommand, RDSDataClient } from "@aws-sdk/client-rds-data";
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import {
  TenantDatabaseCredentialsState,
  TenantDatabaseState,
  tenantDatabaseCredentialsProvider,
  tenantDatabaseProvider,
} from "../../components/tenant/tenantDatabase";
import { withSerializedProvider } from "../helpers/serializedProvider";
import {
  createStatements,
  deleteStatements,
  grantPattern,
  nativePasswordHash,
  passwordStatements,
  updateStatements,
} from "../../components/tenant/sql";

const PASSWORD = "Q3xq9Zt7Lm2Vb8Nc4Rd6Sf1Gh5Jk0Pw";
// SHA1(SHA1(password)), what MySQL's and MariaDB's PASSWORD() return for it.
const HASH = nativePasswordHash(PASSWORD);

const state = (overrides: Partial<TenantDatabaseState> = {}): TenantDatabaseState => ({
  clusterArn: "arn:aws:rds:af-south-1:123456789012:cluster:bbws-dev-db",
  masterSecretArn: "arn:aws:secretsmanager:af-south-1:123456789012:secret:rds!cluster-abc",
  region: "af-south-1",
  databaseName: "wp_a_b",
  username: "wp_a_b",
  password: PASSWORD,
  maxConnections: 40,
  dropOnDelete: false,
  requireTls: true,
  ...overrides,
});

describe("tenant database (dynamic provider, RDS Data API)", () => {
  const rdsData = mockClient(RDSDataClient);
  beforeEach(() => {
    rdsData.reset();
    rdsData.on(ExecuteStatementCommand).resolves({ numberOfRecordsUpdated: 0 });
  });
  const sentSql = () => rdsData.commandCalls(ExecuteStatementCommand).map((c) => c.args[0].input.sql);

  it("create: makes the schema, a TLS-only user and a grant on that schema only, as the cluster's master secret", async () => {
    const result = await tenantDatabaseProvider.create(state());
    expect(sentSql()).to.deep.equal([
      "CREATE DATABASE IF NOT EXISTS `wp_a_b` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
      `CREATE USER IF NOT EXISTS 'wp_a_b'@'%' IDENTIFIED WITH mysql_native_password AS '${HASH}' REQUIRE SSL WITH MAX_USER_CONNECTIONS 40`,
      `ALTER USER 'wp_a_b'@'%' IDENTIFIED WITH mysql_native_password AS '${HASH}' REQUIRE SSL WITH MAX_USER_CONNECTIONS 40`,
      "ALTER USER 'wp_a_b'@'%' ACCOUNT UNLOCK",
      "GRANT ALL PRIVILEGES ON `wp\\_a\\_b`.* TO 'wp_a_b'@'%'",
    ]);
    for (const call of rdsData.commandCalls(ExecuteStatementCommand)) {
      expect(call.args[0].input).to.include({
        resourceArn: state().clusterArn,
        secretArn: state().masterSecretArn,
      });
    }
    expect(result.id).to.equal(`${state().clusterArn}/wp_a_b`);
  });

  it("never sends a password in SQL text: the audit log records DCL statements", async () => {
    await tenantDatabaseProvider.create(state());
    await tenantDatabaseProvider.update!("id", state({ maxConnections: 10 }), state());
    const statements = [...sentSql(), ...passwordStatements(state()), ...updateStatements(state())];
    for (const sql of statements) expect(sql).to.not.include(PASSWORD);
    expect(HASH).to.match(/^\*[0-9A-F]{40}$/);
    // The documented MySQL value for the password "password".
    expect(nativePasswordHash("password")).to.equal("*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19");
  });

  it("update: a new limit (or the TLS requirement an older user lacks) is one ALTER USER; never the password", async () => {
    await tenantDatabaseProvider.update!("id", state({ maxConnections: 20 }), state());
    expect(sentSql()).to.deep.equal(["ALTER USER 'wp_a_b'@'%' REQUIRE SSL WITH MAX_USER_CONNECTIONS 40"]);
    rdsData.resetHistory();
    const { requireTls: _, ...olderState } = state();
    await tenantDatabaseProvider.update!("id", olderState, state());
    expect(sentSql()).to.deep.equal(["ALTER USER 'wp_a_b'@'%' REQUIRE SSL WITH MAX_USER_CONNECTIONS 40"]);
    rdsData.resetHistory();
    await tenantDatabaseProvider.update!(
      "id",
      state(),
      state({ password: "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp" }),
    );
    await tenantDatabaseProvider.update!("id", state(), state({ dropOnDelete: true }));
    expect(sentSql()).to.deep.equal([]);
  });

  it("diff: a new schema, user or cluster replaces; a new limit updates; a different password changes nothing", async () => {
    expect(
      await tenantDatabaseProvider.diff!("id", state(), state({ databaseName: "wp_other" })),
    ).to.deep.include({ changes: true, replaces: ["databaseName"] });
    expect(await tenantDatabaseProvider.diff!("id", state(), state({ maxConnections: 41 }))).to.deep.include({
      changes: true,
      replaces: [],
    });
    // After a rotation the secret's password is not the stack's generated one: that is no change.
    expect(
      await tenantDatabaseProvider.diff!(
        "id",
        state(),
        state({ password: "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp" }),
      ),
    ).to.deep.include({ changes: false });
    expect(await tenantDatabaseProvider.diff!("id", state(), state())).to.deep.include({ changes: false });
  });

  it("delete keeps the data by default: the user is locked, nothing is dropped", async () => {
    await tenantDatabaseProvider.delete!("id", state());
    expect(sentSql()).to.deep.equal(["ALTER USER IF EXISTS 'wp_a_b'@'%' ACCOUNT LOCK"]);
    expect(sentSql().join(" ")).to.not.match(/DROP/);
  });

  it("delete drops the schema and user only when explicitly asked", async () => {
    await tenantDatabaseProvider.delete!("id", state({ dropOnDelete: true }));
    expect(sentSql()).to.deep.equal(["DROP DATABASE IF EXISTS `wp_a_b`", "DROP USER IF EXISTS 'wp_a_b'@'%'"]);
  });

  it("rejects hostile identifiers before any statement is sent", async () => {
    for (const hostile of [
      "wp_x`; DROP DATABASE mysql; --",
      "wp_x' OR '1'='1",
      "WP_UPPER",
      "wp_x.y",
      "",
      "wp_" + "a".repeat(40),
    ]) {
      expect(() => createStatements({ ...state(), databaseName: hostile })).to.throw(/^refusing/);
      expect(() => createStatements({ ...state(), username: hostile })).to.throw(/^refusing/);
      const check = await tenantDatabaseProvider.check!(state(), state({ databaseName: hostile }));
      expect(check.failures).to.have.length(1);
    }
    expect(() => createStatements({ ...state(), password: "abc'); DROP USER x; --" })).to.throw(
      /refusing password/,
    );
    try {
      await tenantDatabaseProvider.create(state({ username: "wp_x'@'%' IDENTIFIED BY 'p" }));
      expect.fail("create should refuse");
    } catch (error) {
      expect((error as Error).name).to.equal("UnsafeSqlInputError");
      expect((error as Error).message).to.match(/refusing user name/);
    }
    expect(rdsData.commandCalls(ExecuteStatementCommand)).to.have.length(0);
  });

  it("works as Pulumi ships it: serialized, loaded on its own, still validating and sending SQL", async () => {
    // What pulumi.dynamic.Resource does with the provider before the provider host loads it.
    await withSerializedProvider(tenantDatabaseProvider, async (loaded) => {
      const refused = await loaded.check!(state(), state({ username: "wp_x'; DROP USER root; --" }));
      expect(refused.failures!.map((f) => f.reason)).to.deep.equal([
        `refusing user name "wp_x'; DROP USER root; --": use 1-32 of a-z, 0-9 and _, starting with a letter`,
      ]);
      await loaded.create(state());
      expect(sentSql()).to.have.length(5);
      expect(sentSql()[1]).to.include(`AS '${HASH}' REQUIRE SSL`);
      expect(sentSql()[4]).to.equal("GRANT ALL PRIVILEGES ON `wp\\_a\\_b`.* TO 'wp_a_b'@'%'");
    });
  });

  it("escapes the GRANT wildcards so one tenant's grant never covers another schema", () => {
    expect(grantPattern("wp_a_b")).to.equal("wp\\_a\\_b");
    expect(deleteStatements({ databaseName: "wp_acme", username: "wp_acme" }, false)).to.have.length(1);
  });

  it("a Data API failure stops the sequence and surfaces", async () => {
    rdsData.on(ExecuteStatementCommand).rejectsOnce(new Error("Communications link failure"));
    try {
      await tenantDatabaseProvider.create(state());
      expect.fail("create should fail");
    } catch (error) {
      expect((error as Error).message).to.equal("Communications link failure");
    }
    expect(rdsData.commandCalls(ExecuteStatementCommand)).to.have.length(1);
  });
});

describe("tenant database credentials (dynamic provider, the secret as the source of truth)", () => {
  const secrets = mockClient(SecretsManagerClient);
  const SECRET = "arn:aws:secretsmanager:af-south-1:123456789012:secret:bbws/dev/acme/db-20250101-AbCdEf";
  const ROTATED = "Rr7Ot4At3Ed2Pa1Ss9Wo8Rd6Xx5Yy4Zz3Qq2";
  const inputs = (
    overrides: Partial<TenantDatabaseCredentialsState> = {},
  ): TenantDatabaseCredentialsState => ({
    secretArn: SECRET,
    region: "af-south-1",
    username: "wp_acme",
    host: "bbws-dev-db.cluster-abc.af-south-1.rds.amazonaws.com",
    port: 3306,
    dbname: "wp_acme",
    password: PASSWORD,
    ...overrides,
  });
  const value = (password: string, overrides: Record<string, unknown> = {}) =>
    JSON.stringify({
      engine: "mysql",
      username: "wp_acme",
      password,
      host: inputs().host,
      port: 3306,
      dbname: "wp_acme",
      ...overrides,
    });
  beforeEach(() => {
    secrets.reset();
    secrets.on(PutSecretValueCommand).resolves({ VersionId: "v-new" });
  });
  const written = () =>
    secrets.commandCalls(PutSecretValueCommand).map((c) => JSON.parse(c.args[0].input.SecretString!));

  it("writes the generated password into a secret that has none yet", async () => {
    secrets
      .on(GetSecretValueCommand)
      .rejects(Object.assign(new Error("no AWSCURRENT"), { name: "ResourceNotFoundException" }));
    const created = await tenantDatabaseCredentialsProvider.create(inputs());
    expect(written()).to.deep.equal([JSON.parse(value(PASSWORD))]);
    expect(created.outs.password).to.equal(PASSWORD);
  });

  it("keeps a rotated password: a sync, a re-created resource or a new host never writes the generated one back", async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: value(ROTATED), VersionId: "v-rotated" });
    const created = await tenantDatabaseCredentialsProvider.create(inputs());
    expect(written()).to.deep.equal([]);
    expect(created.outs.password).to.equal(ROTATED);

    const moved = await tenantDatabaseCredentialsProvider.update!(
      SECRET,
      inputs(),
      inputs({ host: "bbws-dev-db-2.cluster-abc.af-south-1.rds.amazonaws.com" }),
    );
    expect(written()).to.deep.equal([
      JSON.parse(value(ROTATED, { host: "bbws-dev-db-2.cluster-abc.af-south-1.rds.amazonaws.com" })),
    ]);
    expect(moved.outs.password).to.equal(ROTATED);
  });

  it("diff: the generated password is not compared, so the next sync after a rotation changes nothing", async () => {
    expect(
      await tenantDatabaseCredentialsProvider.diff!(
        SECRET,
        inputs(),
        inputs({ password: "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp" }),
      ),
    ).to.deep.include({ changes: false });
    expect(
      await tenantDatabaseCredentialsProvider.diff!(SECRET, inputs(), inputs({ port: 3307 })),
    ).to.deep.include({ changes: true, replaces: [] });
    expect(
      await tenantDatabaseCredentialsProvider.diff!(SECRET, inputs(), inputs({ secretArn: `${SECRET}x` })),
    ).to.deep.include({ changes: true, replaces: ["secretArn"] });
  });

  it("works as Pulumi ships it: serialized, loaded on its own, still keeping the secret's password", async () => {
    await withSerializedProvider(tenantDatabaseCredentialsProvider, async (loaded) => {
      secrets.on(GetSecretValueCommand).resolves({ SecretString: value(ROTATED), VersionId: "v-rotated" });
      const created = await loaded.create(inputs());
      expect(created.outs.password).to.equal(ROTATED);
      expect(written()).to.deep.equal([]);
    });
  });

  it("replaces a value that is not a password it could keep", async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: value("short"), VersionId: "v1" });
    await tenantDatabaseCredentialsProvider.create(inputs());
    expect(written().map((w) => w.password)).to.deep.equal([PASSWORD]);
  });
});
