import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { mockClient } from "aws-sdk-client-mock";
import { ExecuteStatementCommand, RDSDataClient } from "@aws-sdk/client-rds-data";
import { TenantDatabaseState, tenantDatabaseProvider } from "../../components/tenant/tenantDatabase";
import { createStatements, deleteStatements, grantPattern } from "../../components/tenant/sql";

const state = (overrides: Partial<TenantDatabaseState> = {}): TenantDatabaseState => ({
  clusterArn: "arn:aws:rds:af-south-1:123456789012:cluster:bbws-dev-db",
  masterSecretArn: "arn:aws:secretsmanager:af-south-1:123456789012:secret:rds!cluster-abc",
  region: "af-south-1",
  databaseName: "wp_a_b",
  username: "wp_a_b",
  password: "Q3xq9Zt7Lm2Vb8Nc4Rd6Sf1Gh5Jk0Pw",
  maxConnections: 40,
  dropOnDelete: false,
  ...overrides,
});

describe("tenant database (dynamic provider, RDS Data API)", () => {
  const rdsData = mockClient(RDSDataClient);
  beforeEach(() => {
    rdsData.reset();
    rdsData.on(ExecuteStatementCommand).resolves({ numberOfRecordsUpdated: 0 });
  });
  const sentSql = () => rdsData.commandCalls(ExecuteStatementCommand).map((c) => c.args[0].input.sql);

  it("create: makes the schema, the user and a grant on that schema only, as the cluster's master secret", async () => {
    const result = await tenantDatabaseProvider.create(state());
    expect(sentSql()).to.deep.equal([
      "CREATE DATABASE IF NOT EXISTS `wp_a_b` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
      "CREATE USER IF NOT EXISTS 'wp_a_b'@'%' IDENTIFIED BY 'Q3xq9Zt7Lm2Vb8Nc4Rd6Sf1Gh5Jk0Pw' WITH MAX_USER_CONNECTIONS 40",
      "ALTER USER 'wp_a_b'@'%' IDENTIFIED BY 'Q3xq9Zt7Lm2Vb8Nc4Rd6Sf1Gh5Jk0Pw' WITH MAX_USER_CONNECTIONS 40",
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

  it("update: a new password or limit is one ALTER USER; nothing else is touched", async () => {
    await tenantDatabaseProvider.update!(
      "id",
      state(),
      state({ password: "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp" }),
    );
    expect(sentSql()).to.deep.equal([
      "ALTER USER 'wp_a_b'@'%' IDENTIFIED BY 'Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp' WITH MAX_USER_CONNECTIONS 40",
    ]);
    rdsData.resetHistory();
    await tenantDatabaseProvider.update!("id", state(), state({ dropOnDelete: true }));
    expect(sentSql()).to.deep.equal([]);
  });

  it("diff: a new schema, user or cluster replaces; a new password updates in place", async () => {
    expect(
      await tenantDatabaseProvider.diff!("id", state(), state({ databaseName: "wp_other" })),
    ).to.deep.include({ changes: true, replaces: ["databaseName"] });
    expect(
      await tenantDatabaseProvider.diff!(
        "id",
        state(),
        state({ password: "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp" }),
      ),
    ).to.deep.include({ changes: true, replaces: [] });
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
    const serialized = await pulumi.runtime.serializeFunction(() => tenantDatabaseProvider, {
      allowSecrets: true,
    });
    const file = path.join(__dirname, "..", "..", `.serialized-provider-${process.pid}.js`);
    fs.writeFileSync(file, serialized.text);
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const loaded = (require(file) as Record<string, () => typeof tenantDatabaseProvider>)[
        serialized.exportName
      ]();
      const refused = await loaded.check!(state(), state({ username: "wp_x'; DROP USER root; --" }));
      expect(refused.failures!.map((f) => f.reason)).to.deep.equal([
        `refusing user name "wp_x'; DROP USER root; --": use 1-32 of a-z, 0-9 and _, starting with a letter`,
      ]);
      await loaded.create(state());
      expect(sentSql()).to.have.length(5);
      expect(sentSql()[4]).to.equal("GRANT ALL PRIVILEGES ON `wp\\_a\\_b`.* TO 'wp_a_b'@'%'");
    } finally {
      fs.rmSync(file, { force: true });
    }
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
