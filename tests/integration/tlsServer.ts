/**
 * A MariaDB server of the test's own, with TLS: a fresh data directory, a self-signed
 * certificate made with openssl, a free port on 127.0.0.1. The machine's shared server on 3306
 * has TLS off and must never be reconfigured, while tenant users `REQUIRE SSL`; so the database
 * tests start this one, and stop it (and delete its files) when they are done.
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import mysql from "mysql2/promise";

/** A running server. */
export interface TlsServer {
  readonly host: string;
  readonly port: number;
  /** The certificate clients trust (self-signed: it is its own CA). */
  readonly ca: Buffer;
  /** A root connection over TLS. */
  root(): Promise<mysql.Connection>;
  /** Runs statements as root, in order. */
  runAsRoot(statements: readonly string[]): Promise<void>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilReady(port: number, child: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`mariadbd exited ${child.exitCode}:\n${fs.readFileSync(log, "utf8")}`);
    try {
      const conn = await mysql.createConnection({ host: "127.0.0.1", port, user: "root", password: "" });
      await conn.end();
      return;
    } catch {
      if (Date.now() > deadline)
        throw new Error(`mariadbd did not answer on ${port}:\n${fs.readFileSync(log, "utf8")}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** Starts a TLS-enabled MariaDB on a free port; `stop()` ends it and deletes its directory. */
export async function startTlsServer(): Promise<TlsServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bbws-tls-mariadb-"));
  const file = (name: string) => path.join(dir, name);
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-keyout",
      file("key.pem"),
      "-out",
      file("cert.pem"),
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ],
    { stdio: "ignore" },
  );
  const user = os.userInfo().username;
  execFileSync(
    "mariadb-install-db",
    [
      "--no-defaults",
      `--datadir=${file("data")}`,
      `--user=${user}`,
      "--auth-root-authentication-method=normal",
      "--skip-test-db",
    ],
    { stdio: "ignore" },
  );
  const port = await freePort();
  const log = file("server.log");
  const out = fs.openSync(log, "a");
  const child = spawn(
    "mariadbd",
    [
      "--no-defaults",
      `--datadir=${file("data")}`,
      `--port=${port}`,
      "--bind-address=127.0.0.1",
      `--socket=${file("mysqld.sock")}`,
      `--pid-file=${file("mysqld.pid")}`,
      `--user=${user}`,
      "--skip-log-bin",
      `--ssl-cert=${file("cert.pem")}`,
      `--ssl-key=${file("key.pem")}`,
      `--ssl-ca=${file("cert.pem")}`,
    ],
    { stdio: ["ignore", out, out] },
  );
  try {
    await waitUntilReady(port, child, log);
  } catch (error) {
    child.kill("SIGKILL");
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const ca = fs.readFileSync(file("cert.pem"));
  const root = () =>
    mysql.createConnection({ host: "127.0.0.1", port, user: "root", password: "", ssl: { ca } });
  return {
    host: "127.0.0.1",
    port,
    ca,
    root,
    async runAsRoot(statements) {
      const conn = await root();
      try {
        for (const sql of statements) await conn.query(sql);
      } finally {
        await conn.end();
      }
    },
    async stop() {
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
      });
      fs.closeSync(out);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
