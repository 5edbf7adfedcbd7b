/**
 * Runs the exact statements the tenant database provider and `ops rotate-db-password` send
 * through the Data API against a real MySQL-compatible server, and checks what they promise:
 * isolation between tenants, TLS only, no password in any statement, rotation that retires the
 * old password. The server is the test's own MariaDB with TLS (tlsServer.ts): tenant users
 * `REQUIRE SSL`, and the machine's shared server on 3306 has TLS off (and is never touched).
 */
import { expect } from "chai";
import mysql from "mysql2/promise";
import {
  createStatements,
  deleteStatements,
  passwordStatements,
  updateStatements,
} from "../../components/tenant/sql";
import { TlsServer, startTlsServer } from "./tlsServer";

// Two tenants whose names collide if GRANT's `_` wildcard is not escaped: "a-b" and "axb".
const tenantA = {
  databaseName: "wp_it_a_b",
  username: "wp_it_a_b",
  password: "Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8",
  maxConnections: 5,
};
const tenantB = {
  databaseName: "wp_itxaxb",
  username: "wp_itxaxb",
  password: "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2",
  maxConnections: 5,
};

describe("tenant database SQL against a real MySQL-compatible server (TLS)", function () {
  this.timeout(60_000);
  let server: TlsServer;

  /** A connection over TLS unless `tls` is false. */
  const connect = (user: string, password: string, database?: string, tls = true) =>
    mysql.createConnection({
      host: server.host,
      port: server.port,
      user,
      password,
      database,
      multipleStatements: false,
      ...(tls ? { ssl: { ca: server.ca } } : {}),
    });
  async function refusal(attempt: Promise<mysql.Connection>): Promise<Error & { code?: string }> {
    try {
      const conn = await attempt;
      await conn.end();
    } catch (error) {
      return error as Error & { code?: string };
    }
    throw new Error("the connection was accepted");
  }

  before(async () => {
    server = await startTlsServer();
    await server.runAsRoot([...createStatements(tenantA), ...createStatements(tenantB)]);
  });
  after(async () => {
    await server?.stop();
  });

  it("the tenant user creates tables and writes rows in its own schema, over TLS", async () => {
    const conn = await connect(tenantA.username, tenantA.password, tenantA.databaseName);
    try {
      await conn.query("CREATE TABLE wp_options (option_id INT PRIMARY KEY, option_value TEXT)");
      await conn.query("INSERT INTO wp_options VALUES (1, 'hello')");
      const [rows] = await conn.query("SELECT option_value FROM wp_options");
      expect(rows).to.deep.equal([{ option_value: "hello" }]);
      const [cipher] = await conn.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'");
      expect((cipher as { Value: string }[])[0].Value).to.not.equal("");
    } finally {
      await conn.end();
    }
  });

  it("a tenant user's connection without TLS is refused (REQUIRE SSL), with the right password", async () => {
    const error = await refusal(connect(tenantA.username, tenantA.password, tenantA.databaseName, false));
    expect(error.code).to.equal("ER_ACCESS_DENIED_ERROR");
  });

  it("with require_secure_transport ON (the cluster parameter group) no one connects without TLS", async () => {
    const plainRoot = () =>
      mysql.createConnection({ host: server.host, port: server.port, user: "root", password: "" });
    await server.runAsRoot(["SET GLOBAL require_secure_transport = ON"]);
    try {
      // root (no REQUIRE SSL of its own) is refused without TLS; MariaDB says "Access denied".
      const error = await refusal(plainRoot());
      expect(error.message).to.match(/insecure transport|Access denied/i);
      const conn = await connect(tenantA.username, tenantA.password, tenantA.databaseName);
      await conn.end();
    } finally {
      await server.runAsRoot(["SET GLOBAL require_secure_transport = OFF"]);
    }
    // The control: the same plain connection works once the server no longer requires TLS.
    await (await plainRoot()).end();
  });

  it("the statements carry only the password's stored form, and it logs in with the password", async () => {
    for (const sql of [
      ...createStatements(tenantA),
      ...passwordStatements(tenantA),
      ...updateStatements(tenantA),
    ])
      expect(sql).to.not.include(tenantA.password);
    const root = await server.root();
    try {
      const [rows] = await root.query("SELECT PASSWORD(?) AS stored", [tenantA.password]);
      expect(createStatements(tenantA)[1]).to.include((rows as { stored: string }[])[0].stored);
    } finally {
      await root.end();
    }
  });

  it("is refused on another tenant's schema, even one its name would match as a GRANT pattern", async () => {
    const conn = await connect(tenantA.username, tenantA.password);
    try {
      await conn.query(`CREATE TABLE \`${tenantB.databaseName}\`.stolen (id INT)`);
      expect.fail("tenant A must not create tables in tenant B's schema");
    } catch (error) {
      expect((error as { code?: string }).code).to.be.oneOf([
        "ER_TABLEACCESS_DENIED_ERROR",
        "ER_DBACCESS_DENIED_ERROR",
      ]);
    } finally {
      await conn.end();
    }
    const error = await refusal(connect(tenantA.username, tenantA.password, tenantB.databaseName));
    expect(error.code).to.equal("ER_DBACCESS_DENIED_ERROR");
  });

  it("running the create statements again is harmless and keeps the data", async () => {
    await server.runAsRoot(createStatements(tenantA));
    const conn = await connect(tenantA.username, tenantA.password, tenantA.databaseName);
    try {
      const [rows] = await conn.query("SELECT COUNT(*) AS n FROM wp_options");
      expect(rows).to.deep.equal([{ n: 1 }]);
    } finally {
      await conn.end();
    }
  });

  it("rotation: the new password works, the old one stops at once; the put-back reverses it", async () => {
    const rotated = { ...tenantA, password: "Nn3Ee4Ww5Pp6Aa7Ss8Ss9Ww0Oo1Rr2Dd3" };
    await server.runAsRoot(passwordStatements(rotated));
    const old = await refusal(connect(tenantA.username, tenantA.password, tenantA.databaseName));
    expect(old.code).to.equal("ER_ACCESS_DENIED_ERROR");
    const conn = await connect(rotated.username, rotated.password, rotated.databaseName);
    const [rows] = await conn.query("SELECT COUNT(*) AS n FROM wp_options");
    expect(rows).to.deep.equal([{ n: 1 }]);
    await conn.end();
    // The rotation's put-back: the previous password again, the rotated one refused.
    await server.runAsRoot(passwordStatements(tenantA));
    expect((await refusal(connect(rotated.username, rotated.password))).code).to.equal(
      "ER_ACCESS_DENIED_ERROR",
    );
    await (await connect(tenantA.username, tenantA.password, tenantA.databaseName)).end();
  });

  it("an update keeps the password and the TLS requirement (a user created before REQUIRE SSL gets it)", async () => {
    await server.runAsRoot([`ALTER USER '${tenantB.username}'@'%' REQUIRE NONE`]);
    await (await connect(tenantB.username, tenantB.password, undefined, false)).end();
    await server.runAsRoot(updateStatements(tenantB));
    expect((await refusal(connect(tenantB.username, tenantB.password, undefined, false))).code).to.equal(
      "ER_ACCESS_DENIED_ERROR",
    );
    await (await connect(tenantB.username, tenantB.password)).end();
  });

  describe("what a removal retains, and why a reused id must not get it", () => {
    it("delete without drop locks the user but keeps the schema and its data", async () => {
      await server.runAsRoot(deleteStatements(tenantA, false));
      const error = await refusal(connect(tenantA.username, tenantA.password, tenantA.databaseName));
      // MySQL 8 and MariaDB use different error numbers; both say the account is locked.
      expect(error.message).to.match(/account is locked|Account has been locked/i);
      const root = await server.root();
      try {
        const [rows] = await root.query(`SELECT COUNT(*) AS n FROM \`${tenantA.databaseName}\`.wp_options`);
        expect(rows).to.deep.equal([{ n: 1 }]);
      } finally {
        await root.end();
      }
    });

    it("a new tenant's create statements on a retained id unlock the old user and inherit the old rows (what `add` refuses without --adopt-retained-data)", async () => {
      const newcomer = { ...tenantA, password: "Cc1Uu2Ss3Tt4Oo5Mm6Ee7Rr8Tt9Ww0Oo" };
      await server.runAsRoot(createStatements(newcomer));
      const conn = await connect(newcomer.username, newcomer.password, newcomer.databaseName);
      try {
        const [rows] = await conn.query("SELECT option_value FROM wp_options");
        expect(rows).to.deep.equal([{ option_value: "hello" }]);
      } finally {
        await conn.end();
      }
      await server.runAsRoot(deleteStatements(newcomer, false));
    });

    it("after a purge (drop), the same id starts empty: nothing is inherited", async () => {
      await server.runAsRoot(deleteStatements(tenantA, true));
      await server.runAsRoot(createStatements(tenantA));
      const conn = await connect(tenantA.username, tenantA.password, tenantA.databaseName);
      try {
        const [tables] = await conn.query("SHOW TABLES");
        expect(tables).to.deep.equal([]);
      } finally {
        await conn.end();
      }
    });

    it("delete with drop removes the schema and the user", async () => {
      await server.runAsRoot(deleteStatements(tenantB, true));
      const root = await server.root();
      try {
        const [schemas] = await root.query(
          "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
          [tenantB.databaseName],
        );
        expect(schemas).to.deep.equal([]);
        const [users] = await root.query("SELECT User FROM mysql.user WHERE User = ?", [tenantB.username]);
        expect(users).to.deep.equal([]);
      } finally {
        await root.end();
      }
    });
  });
});
