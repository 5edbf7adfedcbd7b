/**
 * The tombstone rules end to end against a real database: a stack backend whose destroy and
 * create run the tenant database provider's own statements on the test's TLS MariaDB, a purge
 * port that drops what a removal retained. A reused id is refused while the old customer's rows
 * exist; after `remove --purge` the new tenant starts with an empty schema.
 */
import { expect } from "chai";
import mysql from "mysql2/promise";
import { createStatements, deleteStatements } from "../../components/tenant/sql";
import { BbwsError } from "../../lib/errors";
import { addTenant } from "../../tenants/lifecycle/commands/add";
import { removeTenant } from "../../tenants/lifecycle/commands/remove";
import { loadRegistry } from "../../tenants/registry/load";
import { tenantStackConfig } from "../../tenants/stackConfig";
import { FakeBackend, contextFor, settingsOf, tempRegistry } from "../unit/lifecycle/fakes";
import { TlsServer, startTlsServer } from "./tlsServer";

const spec = (password: string) => ({
  databaseName: "wp_globex",
  username: "wp_globex",
  password,
  maxConnections: 5,
});

describe("tombstones against a real database: a reused id never inherits", function () {
  this.timeout(60_000);
  let server: TlsServer;
  before(async () => {
    server = await startTlsServer();
  });
  after(async () => {
    await server?.stop();
  });

  /** A backend whose stacks create and delete the tenant's schema and user on the server. */
  function databaseBackend(password: string): FakeBackend {
    const backend = new FakeBackend();
    const up = backend.up.bind(backend);
    backend.up = async (target) => {
      const outcome = await up(target);
      if (target.tenantId === "globex") await server.runAsRoot(createStatements(spec(password)));
      return outcome;
    };
    const destroy = backend.destroy.bind(backend);
    backend.destroy = async (environment: string, tenantId: string) => {
      const counts = await destroy(environment, tenantId);
      if (tenantId === "globex") await server.runAsRoot(deleteStatements(spec(password), false));
      return counts;
    };
    return backend;
  }
  const rows = async () => {
    const root = await server.root();
    try {
      const [tables] = await root.query(
        "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'wp_globex'",
      );
      return (tables as { n: number }[])[0].n;
    } finally {
      await root.end();
    }
  };

  it("remove keeps the rows and records them; add is refused; remove --purge drops them; add starts empty", async () => {
    const file = tempRegistry();
    const first = "Ff1Ii2Rr3Ss4Tt5Cc6Uu7Ss8Tt9Oo0Mm";
    await server.runAsRoot([...createStatements(spec(first)), "CREATE TABLE wp_globex.wp_orders (id INT)"]);
    const backend = databaseBackend(first);
    const entry = loadRegistry("dev", file).tenants.find((t) => t.id === "globex")!;
    backend.withStack("globex", tenantStackConfig(settingsOf(), entry, "organization/bbws/dev"));

    expect((await removeTenant(contextFor(backend, file), { tenantId: "globex" })).exitCode).to.equal(0);
    expect(await rows()).to.equal(1);

    const second = "Ss1Ee2Cc3Oo4Nn5Dd6Cc7Uu8Ss9Tt0Oo";
    const newcomer = databaseBackend(second);
    try {
      await addTenant(contextFor(newcomer, file), { id: "globex", hosts: ["globex.wpdev.example.com"] });
      expect.fail("add must be refused");
    } catch (error) {
      expect((error as BbwsError).kind).to.equal("refused");
    }
    expect(newcomer.calls.filter((c) => c.op === "up")).to.deep.equal([]);
    expect(await rows()).to.equal(1);

    const purge = contextFor(newcomer, file, {
      tenantFiles: {
        purge: async () => {
          await server.runAsRoot(deleteStatements(spec(first), true));
          return "deleted: /tenants/globex; schema wp_globex and user wp_globex dropped";
        },
      },
    });
    expect((await removeTenant(purge, { tenantId: "globex", purge: true })).exitCode).to.equal(0);
    expect(await rows()).to.equal(0);

    expect(
      (await addTenant(contextFor(newcomer, file), { id: "globex", hosts: ["globex.wpdev.example.com"] }))
        .exitCode,
    ).to.equal(0);
    const conn = await mysql.createConnection({
      host: server.host,
      port: server.port,
      user: "wp_globex",
      password: second,
      database: "wp_globex",
      ssl: { ca: server.ca },
    });
    try {
      const [tables] = await conn.query("SHOW TABLES");
      expect(tables).to.deep.equal([]);
    } finally {
      await conn.end();
    }
  });
});
