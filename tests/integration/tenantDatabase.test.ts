/**
 * Runs the exact statements the tenant database provider sends through the Data API against
 * the MySQL-compatible server every build machine runs (MariaDB on 127.0.0.1:3306, root with
 * an empty password), and checks the isolation they promise.
 */
import { expect } from "chai";
import mysql from "mysql2/promise";
import { createStatements, deleteStatements } from "../../components/tenant/sql";

const SERVER = { host: "127.0.0.1", port: 3306 };
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

async function connect(user = "root", password = "", database?: string) {
  return mysql.createConnection({ ...SERVER, user, password, database, multipleStatements: false });
}

async function runAsRoot(statements: string[]) {
  const root = await connect();
  try {
    for (const sql of statements) await root.query(sql);
  } finally {
    await root.end();
  }
}

describe("tenant database SQL against a real MySQL-compatible server", () => {
  before(async () => {
    await runAsRoot([...deleteStatements(tenantA, true), ...deleteStatements(tenantB, true)]);
    await runAsRoot([...createStatements(tenantA), ...createStatements(tenantB)]);
  });
  after(async () => {
    await runAsRoot([...deleteStatements(tenantA, true), ...deleteStatements(tenantB, true)]);
  });

  it("the tenant user creates tables and writes rows in its own schema", async () => {
    const conn = await connect(tenantA.username, tenantA.password, tenantA.databaseName);
    try {
      await conn.query("CREATE TABLE wp_options (option_id INT PRIMARY KEY, option_value TEXT)");
      await conn.query("INSERT INTO wp_options VALUES (1, 'hello')");
      const [rows] = await conn.query("SELECT option_value FROM wp_options");
      expect(rows).to.deep.equal([{ option_value: "hello" }]);
    } finally {
      await conn.end();
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
    try {
      await connect(tenantA.username, tenantA.password, tenantB.databaseName);
      expect.fail("tenant A must not open tenant B's schema");
    } catch (error) {
      expect((error as { code?: string }).code).to.equal("ER_DBACCESS_DENIED_ERROR");
    }
  });

  it("running the create statements again is harmless and keeps the data", async () => {
    await runAsRoot(createStatements(tenantA));
    const conn = await connect(tenantA.username, tenantA.password, tenantA.databaseName);
    try {
      const [rows] = await conn.query("SELECT COUNT(*) AS n FROM wp_options");
      expect(rows).to.deep.equal([{ n: 1 }]);
    } finally {
      await conn.end();
    }
  });

  it("delete without drop locks the user but keeps the schema and its data", async () => {
    await runAsRoot(deleteStatements(tenantA, false));
    try {
      await connect(tenantA.username, tenantA.password, tenantA.databaseName);
      expect.fail("a locked user must not log in");
    } catch (error) {
      // MySQL 8 and MariaDB use different error numbers; both say the account is locked.
      expect((error as Error).message).to.match(/account is locked|Account has been locked/i);
    }
    const root = await connect();
    try {
      const [rows] = await root.query(`SELECT COUNT(*) AS n FROM \`${tenantA.databaseName}\`.wp_options`);
      expect(rows).to.deep.equal([{ n: 1 }]);
    } finally {
      await root.end();
    }
    // Adding the tenant back unlocks it with its (new) password.
    await runAsRoot(createStatements(tenantA));
    const conn = await connect(tenantA.username, tenantA.password, tenantA.databaseName);
    await conn.end();
  });

  it("delete with drop removes the schema and the user", async () => {
    await runAsRoot(deleteStatements(tenantB, true));
    const root = await connect();
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
