/**
 * The BBWS runtime against a real WordPress: Debian's Apache with mod_php, the runtime image's
 * Apache and PHP files (runtime/), WordPress laid out by the official image's own entry point and
 * wp-config-docker.php, the environment of the task definitions the plan generates (verbatim,
 * but for the database host: the test's MariaDB instead of Aurora), and the tenant's schema and
 * user created by the project's own SQL on a TLS MariaDB of the test's own (tlsServer.ts).
 *
 * Two Apache instances play two tasks of one tenant. What is checked is what issue 14 asks:
 * the health endpoint answers while the database is unreachable, install.php is refused, the
 * provisioning install works and changes nothing when re-run, a login on one task is valid on
 * the other, cron runs only through the scheduled command, a 10 MB upload succeeds, and the
 * workers of `maxTasks` tasks stay within the user's connection cap.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import { createStatements } from "../../components/tenant/sql";
import { deriveWordPressKeys } from "../../components/tenant/wordpressKeys";
import { inlineInstallScript } from "../../components/tenant/containerDefinition";
import { TENANT_DATABASE_CONNECTIONS } from "../../config/quotas";
import { TenantEntry } from "../../config/tenantEntry";
import { StackRun } from "../../offline/stackRun";
import { SERVICE_TASK, json, ofType, single } from "../helpers/resources";
import { runTenantEntry } from "../helpers/tenants";
import { TlsServer, startTlsServer } from "./tlsServer";
import {
  ApacheTask,
  RUNTIME_DIR,
  checkPrerequisites,
  freePort,
  layOutWordPress,
  php,
  sleep,
  startApache,
} from "./wordpressRuntime";

const HOST = "itwp.wpdev.example.com";
const ENTRY: TenantEntry = {
  id: "itwp",
  hosts: [HOST],
  size: "medium",
  tasks: { desired: 1, min: 1, max: 2 },
  runtime: { uploadMaxMegabytes: 16, adminEmail: "owner@example.com" },
  listener: { shard: 0, priority: 77 },
};
const DB = {
  databaseName: "wp_itwp",
  username: "wp_itwp",
  password: "Qq1Ww2Ee3Rr4Tt5Yy6Uu7Ii8",
  maxConnections: TENANT_DATABASE_CONNECTIONS,
};
const ADMIN_PASSWORD = "Zz9Xx8Cc7Vv6Bb5Nn4Mm3Ll2";

interface Container {
  name: string;
  environment: { name: string; value: string }[];
  secrets: { name: string; valueFrom: string }[];
}

/** A plain HTTP request with full control of Host and cookies. */
function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: options.method ?? "GET", headers: options.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    req.on("error", reject);
    req.setTimeout(60_000, () => req.destroy(new Error(`timeout: ${url}`)));
    if (options.body) req.write(options.body);
    req.end();
  });
}

/** The request an ALB forwards: the tenant's host, TLS ended at the ALB. */
const viaAlb = (extra: Record<string, string> = {}) => ({
  Host: HOST,
  "X-Forwarded-Proto": "https",
  ...extra,
});

describe("the BBWS runtime against a real WordPress (Apache + mod_php + MariaDB)", function () {
  this.timeout(180_000);
  let db: TlsServer;
  let work: string;
  let html: string;
  let run: StackRun;
  let web: Container;
  let install: Container;
  let webEnv: Record<string, string>;
  let installEnv: Record<string, string>;
  let taskA: ApacheTask;
  let taskB: ApacheTask;
  const extra: ApacheTask[] = [];

  /**
   * A container's environment as ECS gives it: plain values, then the secrets resolved (a JSON
   * key of a Secrets Manager secret, `<arn>:<key>::`, or a whole SSM parameter, by its ARN).
   */
  function environmentOf(
    container: Container,
    values: Map<string, Record<string, string>>,
    parameters: Map<string, string>,
  ) {
    const env: Record<string, string> = {};
    for (const { name, value } of container.environment) env[name] = value;
    for (const { name, valueFrom } of container.secrets) {
      const match = /^(arn:.+):([A-Za-z_]+)::$/.exec(valueFrom);
      const value = match ? values.get(match[1])?.[match[2]] : parameters.get(valueFrom);
      if (value === undefined) throw new Error(`no test value for secret ${name} (${valueFrom})`);
      env[name] = value;
    }
    // The one change to the planned environment: the test's database instead of Aurora.
    env.WORDPRESS_DB_HOST = `127.0.0.1:${db.port}`;
    return env;
  }

  async function schemaChecksum(): Promise<string> {
    const conn = await db.root();
    try {
      const [tables] = await conn.query(
        "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ? ORDER BY 1",
        [DB.databaseName],
      );
      const names = (tables as { t: string }[]).map((r) => r.t);
      if (names.length === 0) return "";
      const [sums] = await conn.query(
        `CHECKSUM TABLE ${names.map((n) => `\`${DB.databaseName}\`.\`${n}\``).join(", ")}`,
      );
      return JSON.stringify(sums);
    } finally {
      await conn.end();
    }
  }

  before(async () => {
    checkPrerequisites();
    run = await runTenantEntry("dev", ENTRY);
    const taskJson = (re: RegExp) =>
      json<Container[]>(single(run, "aws:ecs/taskDefinition:TaskDefinition", re).inputs.containerDefinitions);
    web = taskJson(SERVICE_TASK).find((c) => c.name === "wordpress")!;
    install = taskJson(/-install-task$/)[0];

    db = await startTlsServer();
    await db.runAsRoot(createStatements(DB));
    const secretArn = (re: RegExp) => single(run, "aws:secretsmanager/secret:Secret", re).id;
    const values = new Map<string, Record<string, string>>([
      [secretArn(/-db-secret$/), { username: DB.username, password: DB.password }],
      [
        secretArn(/-wordpress-keys$/),
        deriveWordPressKeys(Buffer.from("bbws-it-seed-".repeat(4)).toString("base64")),
      ],
    ]);
    // The administrator's password parameter, by the ARN AWS forms from its name.
    const parameter = single(run, "aws:ssm/parameter:Parameter", /-admin-password-parameter$/);
    const parameters = new Map([
      [
        `arn:aws:ssm:${parameter.region}:123456789012:parameter${String(parameter.inputs.name)}`,
        ADMIN_PASSWORD,
      ],
    ]);
    webEnv = environmentOf(web, values, parameters);
    installEnv = environmentOf(install, values, parameters);

    work = fs.mkdtempSync(path.join(os.tmpdir(), "bbws-runtime-it-"));
    html = layOutWordPress(work, webEnv);
    taskA = await startApache(work, "a", html, webEnv);
    taskB = await startApache(work, "b", html, webEnv);
  });

  after(async () => {
    for (const task of [taskA, taskB, ...extra]) await task?.stop();
    await db?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("plans two tasks' worth of workers within the user's connection cap (the environment under test)", () => {
    const workers = Number(webEnv.BBWS_MAX_REQUEST_WORKERS);
    expect(workers).to.equal(12); // min(floor((25 - 1) / 2), floor((1024 - 96 - 64) / 64))
    expect(ENTRY.tasks!.max! * workers).to.be.at.most(TENANT_DATABASE_CONNECTIONS - 1);
    expect(ofType(run, "pulumi-nodejs:dynamic/bbws:TenantInstall")).to.have.length(1);
  });

  it("answers the health endpoint with 200 while the database is unreachable, and the deep check fails", async () => {
    const closed = await freePort();
    const down = await startApache(work, "db-down", html, {
      ...webEnv,
      WORDPRESS_DB_HOST: `127.0.0.1:${closed}`,
    });
    extra.push(down);
    const health = await request(`${down.url}/bbws-health`);
    expect([health.status, health.body.trim()]).to.deep.equal([200, "ok"]);
    // The database really is unreachable for this task: WordPress itself cannot load.
    const page = await request(`${down.url}/`, { headers: viaAlb() });
    expect(page.status).to.equal(500);
    expect(page.body).to.include("Error establishing a database connection");
    const deep = await request(`http://127.0.0.1:${down.localPort}/bbws/deep-check`);
    expect(deep.status).to.not.equal(200);
    await down.stop();
  });

  it("refuses install.php to a visitor before installation; nothing is created", async () => {
    const home = await request(`${taskA.url}/`, { headers: viaAlb() });
    expect(home.status).to.equal(302);
    expect(home.headers.location).to.match(/\/wp-admin\/install\.php$/);
    for (const url of [
      "/wp-admin/install.php",
      "/wp-admin/install.php?step=2",
      "/wp-admin/setup-config.php",
    ]) {
      const body = Buffer.from(
        "weblog_title=mine&user_name=attacker&admin_password=x&admin_password2=x&admin_email=a%40b.c",
      );
      const res = await request(`${taskA.url}${url}`, {
        method: "POST",
        headers: viaAlb({ "Content-Type": "application/x-www-form-urlencoded" }),
        body,
      });
      expect(res.status, url).to.equal(403);
    }
    expect(await schemaChecksum()).to.equal("");
  });

  it("refuses install.php in PHP too (the stock image, without the runtime's Apache file)", async () => {
    const stock = await startApache(work, "stock", html, webEnv, { withRuntimeConfig: false });
    extra.push(stock);
    const res = await request(`${stock.url}/wp-admin/install.php?step=2`, {
      method: "POST",
      headers: viaAlb(),
    });
    expect(res.status).to.equal(403);
    expect(res.body).to.include("installed by its platform");
    await stock.stop();
  });

  it("installs at provisioning with the install task's environment, and a second run changes nothing", async () => {
    const first = php([path.join(RUNTIME_DIR, "bin", "bbws-install")], html, installEnv);
    expect(first.status, first.stderr).to.equal(0);
    expect(first.stdout).to.include("installed WordPress");
    const conn = await db.root();
    const [users] = await conn.query(`SELECT user_login, user_email FROM \`${DB.databaseName}\`.wp_users`);
    await conn.end();
    expect(users).to.deep.equal([{ user_login: "bbws-admin", user_email: "owner@example.com" }]);

    const before = await schemaChecksum();
    const again = php([path.join(RUNTIME_DIR, "bin", "bbws-install")], html, installEnv);
    expect(again.status, again.stderr).to.equal(0);
    expect(again.stdout).to.include("already installed");
    expect(await schemaChecksum()).to.equal(before);
    // The stock image's form of the same install (php -r, one pass) keeps the site and its
    // administrator too.
    const inline = php(["-r", inlineInstallScript()], html, installEnv);
    expect(inline.status, inline.stderr).to.equal(0);
    expect(inline.stdout).to.include("already installed");
    const conn2 = await db.root();
    const [after] = await conn2.query(`SELECT user_login, user_email FROM \`${DB.databaseName}\`.wp_users`);
    await conn2.end();
    expect(after).to.deep.equal(users);
  });

  let cookies = "";
  it("a login on one task is valid on the other (fixed keys and salts)", async () => {
    const body = Buffer.from(
      `log=bbws-admin&pwd=${ADMIN_PASSWORD}&wp-submit=Log+In&redirect_to=%2Fwp-admin%2F&testcookie=1`,
    );
    const login = await request(`${taskA.url}/wp-login.php`, {
      method: "POST",
      headers: viaAlb({
        "Content-Type": "application/x-www-form-urlencoded",
        Cookie: "wordpress_test_cookie=WP%20Cookie%20check",
      }),
      body,
    });
    expect(login.status, login.body.slice(0, 500)).to.equal(302);
    const set = ([] as string[]).concat(login.headers["set-cookie"] ?? []);
    expect(set.some((c) => c.startsWith("wordpress_logged_in_"))).to.equal(true);
    cookies = set.map((c) => c.split(";")[0]).join("; ");
    const dashboard = await request(`${taskB.url}/wp-admin/`, { headers: viaAlb({ Cookie: cookies }) });
    expect(dashboard.status).to.equal(200);
    expect(dashboard.body).to.include("Dashboard");
  });

  it("runs cron only through the scheduled command: not on requests, not through /wp-cron.php", async () => {
    const probe = path.join(work, "cron-probe.php");
    fs.writeFileSync(
      probe,
      [
        "<?php",
        "$_SERVER['HTTP_HOST'] = getenv('BBWS_PRIMARY_HOST');",
        "require getenv('BBWS_WP_ROOT') . '/wp-load.php';",
        "if ($argv[1] === 'schedule') { wp_schedule_single_event(time() - 120, 'bbws_it_event'); }",
        "echo wp_next_scheduled('bbws_it_event') ? 'pending' : 'none';",
      ].join("\n"),
    );
    const env = { ...webEnv, BBWS_WP_ROOT: html };
    expect(php([probe, "schedule"], html, env).stdout).to.equal("pending");
    for (let i = 0; i < 3; i++)
      expect((await request(`${taskA.url}/`, { headers: viaAlb() })).status).to.equal(200);
    const direct = await request(`${taskA.url}/wp-cron.php?doing_wp_cron`, { headers: viaAlb() });
    expect(direct.status).to.equal(403);
    // The loopback listener is not on the public port.
    const publicCron = await request(`${taskA.url}/bbws/cron`, { headers: viaAlb() });
    expect(publicCron.body).to.not.match(/^ran \d+/);
    expect(php([probe, "check"], html, env).stdout).to.equal("pending");

    const timer = execFileSync("sh", [path.join(RUNTIME_DIR, "bin", "bbws-cron-loop")], {
      env: {
        PATH: process.env.PATH,
        BBWS_CRON_INTERVAL_SECONDS: "1",
        BBWS_CRON_RUNS: "1",
        BBWS_LOCAL_PORT: String(taskA.localPort),
        BBWS_TENANT_ID: "itwp",
        BBWS_ENVIRONMENT: "dev",
      },
      encoding: "utf8",
    });
    const metric = JSON.parse(timer.trim()) as Record<string, unknown>;
    // Our event and the core events the install scheduled, all due.
    expect(metric).to.include({ DeepCheckFailed: 0, CronFailed: 0, Tenant: "itwp" });
    expect(metric.cron).to.match(/^ran [1-9]\d*$/);
    expect(JSON.stringify(metric._aws)).to.include("BBWS/WordPress");
    expect(php([probe, "check"], html, env).stdout).to.equal("none");
  });

  it("accepts a 10 MB upload, and refuses one above the entry's 16 MiB limit", async () => {
    const page = await request(`${taskA.url}/wp-admin/media-new.php`, {
      headers: viaAlb({ Cookie: cookies }),
    });
    const nonce = /"_wpnonce":"([0-9a-f]+)"/.exec(page.body)?.[1];
    expect(nonce, "media-form nonce").to.be.a("string");
    const upload = async (megabytes: number) => {
      const boundary = `----bbws${Date.now()}`;
      const field = (name: string, value: string) =>
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
      const body = Buffer.concat([
        Buffer.from(
          field("name", `big-${megabytes}.txt`) +
            field("action", "upload-attachment") +
            field("_wpnonce", nonce!),
        ),
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="async-upload"; filename="big-${megabytes}.txt"\r\nContent-Type: text/plain\r\n\r\n`,
        ),
        Buffer.alloc(megabytes * 1024 * 1024, "bbws runtime upload\n"),
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      return request(`${taskA.url}/wp-admin/async-upload.php`, {
        method: "POST",
        headers: viaAlb({ Cookie: cookies, "Content-Type": `multipart/form-data; boundary=${boundary}` }),
        body,
      });
    };
    const ten = await upload(10);
    expect(ten.status).to.equal(200);
    expect(JSON.parse(ten.body)).to.include({ success: true });
    const twenty = await upload(20);
    expect(JSON.parse(twenty.body)).to.include({ success: false });
  });

  it("holds the connection cap under maxTasks x workers x 2 concurrent requests; more workers would not", async () => {
    fs.writeFileSync(
      path.join(html, "bbws-it-slow.php"),
      "<?php require __DIR__ . '/wp-load.php'; $wpdb->query('SELECT SLEEP(' . (int) $_GET['s'] . ')'); echo $wpdb->last_error === '' ? 'done' : 'db error';",
    );
    const burst = async (tasks: ApacheTask[], perTask: number, seconds: number) => {
      let peak = 0;
      let polling = true;
      const poll = (async () => {
        const conn = await db.root();
        while (polling) {
          const [rows] = await conn.query(
            "SELECT COUNT(*) AS n FROM information_schema.processlist WHERE user = ?",
            [DB.username],
          );
          peak = Math.max(peak, Number((rows as { n: number }[])[0].n));
          await sleep(50);
        }
        await conn.end();
      })();
      const results = await Promise.all(
        tasks.flatMap((t) =>
          Array.from({ length: perTask }, () =>
            request(`${t.url}/bbws-it-slow.php?s=${seconds}`, { headers: viaAlb() }),
          ),
        ),
      );
      polling = false;
      await poll;
      return {
        peak,
        ok: results.filter((r) => r.status === 200 && r.body === "done").length,
        total: results.length,
      };
    };

    const workers = Number(webEnv.BBWS_MAX_REQUEST_WORKERS);
    const sized = await burst([taskA, taskB], workers * 2, 2);
    expect(sized.ok, JSON.stringify(sized)).to.equal(sized.total);
    expect(sized.peak)
      .to.be.at.most(2 * workers)
      .and.at.most(TENANT_DATABASE_CONNECTIONS - 1);
    expect(sized.peak).to.be.at.least(workers); // the workers really were busy at once

    // The control: Apache's stock 150-worker ceiling (here 30) lets requests reach the database's cap.
    await taskB.stop();
    const unsized = await startApache(work, "unsized", html, { ...webEnv, BBWS_MAX_REQUEST_WORKERS: "30" });
    extra.push(unsized);
    // Prefork forks workers gradually (1, 2, 4... a second): long requests let all 30 start.
    const over = await burst([unsized], 30, 6);
    expect(over.ok, JSON.stringify(over)).to.be.below(over.total);
    await unsized.stop();
  });
});
