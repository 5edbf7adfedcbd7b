/**
 * A WordPress "task" outside AWS, for the runtime integration test: Debian's Apache with mod_php
 * (its own instance: own config, ports, PID file and logs, never the system's site), the runtime
 * image's Apache and PHP files from `runtime/` as the Dockerfile installs them, a WordPress core
 * laid out by the official image's real entry point, and the environment of the planned task
 * definition. `.ci/run` installs apache2, libapache2-mod-php, php-mysql and Debian's wordpress
 * package (6.1.9), whose core stands in for the image's.
 *
 * What the base image contributes besides our files is reproduced in `baseConfig` (docker-php.conf
 * and the default site's document root); nothing of runtime/ is rewritten.
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";

/** The repository's runtime/ folder. */
export const RUNTIME_DIR = path.join(__dirname, "..", "..", "runtime");
/** The official image's entry point and wp-config-docker.php, verbatim. */
export const DOCKER_LIBRARY_DIR = path.join(__dirname, "fixtures", "docker-library-wordpress");
const MODULES = "/usr/lib/apache2/modules";
const DEBIAN_WORDPRESS = "/usr/share/wordpress";
const DEBIAN_PHP_CONF_D = "/etc/php/8.2/apache2/conf.d";

/** What the test needs installed; a missing piece fails with the command that installs it. */
export function checkPrerequisites(): void {
  const missing = [
    ["/usr/sbin/apache2", "apache2"],
    [path.join(MODULES, "libphp8.2.so"), "libapache2-mod-php"],
    [path.join(DEBIAN_PHP_CONF_D, "20-mysqli.ini"), "php-mysql"],
    [path.join(DEBIAN_WORDPRESS, "wp-includes", "version.php"), "wordpress"],
    ["/usr/bin/php", "php-cli"],
  ].filter(([file]) => !fs.existsSync(file));
  if (missing.length > 0) {
    throw new Error(
      `the runtime integration test needs ${missing.map(([, pkg]) => pkg).join(", ")}: ` +
        `apt-get install -y apache2 libapache2-mod-php php-mysql wordpress (as .ci/run does)`,
    );
  }
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Lays out WordPress as the image does at container start: a copy of the core in the image's
 * source directory (Debian's core here, with wp-config-docker.php beside it), then the official
 * entry point, run as `docker-ensure-installed.sh`, copies it into `htmlDir` and writes
 * wp-config.php from the WORDPRESS_* environment. The entry point is the verbatim file; its
 * source directory `/usr/src/wordpress` is the one path pointed at the test's copy.
 */
export function layOutWordPress(workDir: string, environment: Record<string, string>): string {
  const sourceDir = path.join(workDir, "usr-src-wordpress");
  const htmlDir = path.join(workDir, "html");
  fs.mkdirSync(sourceDir, { recursive: true });
  // Debian's wp-config.php reads /etc/wordpress; the image's core has none (the entry point writes one).
  execFileSync("cp", ["-rL", `${DEBIAN_WORDPRESS}/.`, sourceDir]);
  fs.rmSync(path.join(sourceDir, "wp-config.php"), { force: true });
  fs.copyFileSync(
    path.join(DOCKER_LIBRARY_DIR, "wp-config-docker.php"),
    path.join(sourceDir, "wp-config-docker.php"),
  );
  // The tenant's EFS directory, mounted at wp-content before the entry point runs.
  fs.mkdirSync(path.join(htmlDir, "wp-content"), { recursive: true });
  const binDir = path.join(workDir, "bin");
  fs.mkdirSync(binDir, { recursive: true });
  const entryPoint = fs
    .readFileSync(path.join(DOCKER_LIBRARY_DIR, "docker-entrypoint.sh"), "utf8")
    .replaceAll("/usr/src/wordpress", sourceDir);
  const ensureInstalled = path.join(binDir, "docker-ensure-installed.sh");
  fs.writeFileSync(ensureInstalled, entryPoint, { mode: 0o755 });
  execFileSync(ensureInstalled, ["true"], { cwd: htmlDir, env: { PATH: process.env.PATH, ...environment } });
  if (!fs.existsSync(path.join(htmlDir, "wp-config.php")))
    throw new Error("the entry point wrote no wp-config.php");
  // www-data writes uploads into wp-content (the access point's POSIX user on EFS).
  execFileSync("chown", ["-R", "www-data:www-data", htmlDir]);
  fs.chmodSync(workDir, 0o755);
  return htmlDir;
}

/** One Apache + mod_php instance: a WordPress task. */
export interface ApacheTask {
  readonly port: number;
  readonly localPort: number;
  readonly url: string;
  readonly errorLog: string;
  stop(): Promise<void>;
}

/**
 * The base image's part of the Apache configuration (php:8.3-apache's docker-php.conf and the
 * default site), then the runtime's own files exactly as the Dockerfile installs them:
 * mods-available/mpm_prefork.conf, conf-enabled/bbws-paths.conf (here: runtime/ itself), bbws.conf.
 */
function baseConfig(dir: string, htmlDir: string, port: number, withRuntimeConfig: boolean): string {
  const modules = [
    "mpm_prefork",
    "authz_core",
    "authz_host",
    "alias",
    "dir",
    "mime",
    "rewrite",
    "remoteip",
    "env",
  ].map((m) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`);
  return [
    `ServerRoot ${dir}`,
    `PidFile ${dir}/httpd.pid`,
    `ErrorLog ${dir}/error.log`,
    "LogLevel warn",
    ...modules,
    `LoadModule php_module ${MODULES}/libphp8.2.so`,
    "User www-data",
    "Group www-data",
    "ServerName localhost",
    `Listen 127.0.0.1:${port}`,
    "TypesConfig /etc/mime.types",
    `PHPIniDir ${dir}`,
    `DocumentRoot ${htmlDir}`,
    "<FilesMatch \\.php$>",
    "  SetHandler application/x-httpd-php",
    "</FilesMatch>",
    "DirectoryIndex disabled",
    "DirectoryIndex index.php index.html",
    `<Directory ${htmlDir}>`,
    "  Options -Indexes +FollowSymLinks",
    "  AllowOverride All",
    "  Require all granted",
    "</Directory>",
    // The image's remoteip.conf.
    "RemoteIPHeader X-Forwarded-For",
    "RemoteIPInternalProxy 127.0.0.0/8",
    ...(withRuntimeConfig
      ? [
          `Include ${RUNTIME_DIR}/apache/mpm_prefork.conf`,
          `Define BBWS_RUNTIME_DIR ${RUNTIME_DIR}`,
          `Include ${RUNTIME_DIR}/apache/bbws.conf`,
        ]
      : []),
    "",
  ].join("\n");
}

/**
 * The base image's PHP ini (error-logging.ini: errors to the log, never to the visitor); the
 * runtime's bbws.ini is read from runtime/php through PHP_INI_SCAN_DIR, after Debian's modules.
 */
const BASE_PHP_INI = ["display_errors = Off", "log_errors = On", "html_errors = Off", ""].join("\n");

/** Starts an Apache task with `environment`; `withRuntimeConfig: false` is the stock image. */
export async function startApache(
  workDir: string,
  name: string,
  htmlDir: string,
  environment: Record<string, string>,
  options: { withRuntimeConfig?: boolean } = {},
): Promise<ApacheTask> {
  const withRuntimeConfig = options.withRuntimeConfig ?? true;
  const dir = path.join(workDir, `apache-${name}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  const localPort = await freePort();
  fs.writeFileSync(path.join(dir, "php.ini"), BASE_PHP_INI);
  fs.writeFileSync(path.join(dir, "httpd.conf"), baseConfig(dir, htmlDir, port, withRuntimeConfig));
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    ...environment,
    BBWS_LOCAL_PORT: String(localPort),
    BBWS_WP_ROOT: htmlDir,
    BBWS_RUNTIME_DIR: RUNTIME_DIR,
    PHP_INI_SCAN_DIR: withRuntimeConfig ? `${DEBIAN_PHP_CONF_D}:${RUNTIME_DIR}/php` : DEBIAN_PHP_CONF_D,
  };
  const child: ChildProcess = spawn("apache2", ["-f", path.join(dir, "httpd.conf"), "-k", "start"], {
    env,
    stdio: "pipe",
  });
  let output = "";
  child.stdout?.on("data", (d) => (output += String(d)));
  child.stderr?.on("data", (d) => (output += String(d)));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  const errorLog = path.join(dir, "error.log");
  const url = `http://127.0.0.1:${port}`;
  const log = () => (fs.existsSync(errorLog) ? fs.readFileSync(errorLog, "utf8") : "");
  if (code !== 0) throw new Error(`apache2 ${name} did not start (exit ${code}): ${output}\n${log()}`);
  await waitForPort(port, () => `${output}\n${log()}`);
  return {
    port,
    localPort,
    url,
    errorLog,
    async stop() {
      const pidFile = path.join(dir, "httpd.pid");
      if (!fs.existsSync(pidFile)) return;
      const pid = Number(fs.readFileSync(pidFile, "utf8").trim());
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        return;
      }
      for (let i = 0; i < 50 && fs.existsSync(pidFile); i++) await sleep(100);
    },
  };
}

async function waitForPort(port: number, diagnostics: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.end();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port}:\n${diagnostics()}`);
    await sleep(100);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the PHP CLI with the task's environment (as the install task's or an operator's command). */
export function php(
  args: string[],
  cwd: string,
  environment: Record<string, string>,
): { status: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync("php", args, {
      cwd,
      env: {
        PATH: process.env.PATH,
        ...environment,
        PHP_INI_SCAN_DIR: `/etc/php/8.2/cli/conf.d:${RUNTIME_DIR}/php`,
      },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    return { status: 0, stdout, stderr: "" };
  } catch (error) {
    const e = error as { status: number; stdout: string; stderr: string };
    return { status: e.status, stdout: String(e.stdout), stderr: String(e.stderr) };
  }
}
