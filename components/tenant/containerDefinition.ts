/**
 * The WordPress container of a tenant's task definition, as plain data (tested directly).
 *
 * Secrets reach the container only through `secrets` (ECS fetches them at task start); plain
 * `environment` carries nothing sensitive.
 */
import * as fs from "fs";
import * as path from "path";
import { RuntimeSpec } from "../../config/tenantSpec";
import { WORDPRESS_KEY_NAMES } from "./wordpressKeys";
import { PROJECT_DIR } from "../../lib/projectDir";

/** Name of the container (the target group and Cloud Map registration refer to it). */
export const CONTAINER_NAME = "wordpress";
/** Name of the EFS volume mounted at wp-content. */
export const CONTENT_VOLUME = "wp-content";
/** Spot gives a two-minute warning; the container must stop within it. */
export const STOP_TIMEOUT_SECONDS = 110;

// --- Runtime (issue 14) ---

/** Name of the cron timer sidecar (runtime/bin/bbws-cron-loop). */
export const CRON_CONTAINER_NAME = "cron";
/** Name of the install task's container (runtime/bin/bbws-install). */
export const INSTALL_CONTAINER_NAME = "install";
/** Port of the runtime image's loopback listener (deep check, cron run): never reachable from the ALB. */
export const LOCAL_PORT = 8081;
/**
 * What the ALB and ECS health checks request, by image flavour: never PHP, never the database.
 * The runtime image serves a static file at /bbws-health (runtime/apache/bbws.conf); the stock
 * image has none, so its checks fetch a static file of WordPress core.
 */
export const HEALTH_CHECK_PATHS: Readonly<Record<RuntimeSpec["flavour"], string>> = {
  bbws: "/bbws-health",
  stock: "/wp-includes/images/blank.gif",
};
/** Where the runtime image installs its files (runtime/apache/bbws-paths.conf). */
export const RUNTIME_DIR = "/usr/local/share/bbws";
/** Upload slack: post_max_size is the upload limit plus room for the form's other fields. */
export const POST_SIZE_SLACK_MEGABYTES = 8;

export interface ContainerDefinitionArgs {
  readonly tenantId: string;
  readonly image: string;
  /** Primary host: WP_HOME and WP_SITEURL. */
  readonly primaryHost: string;
  readonly databaseHost: string;
  readonly databasePort: number;
  readonly databaseName: string;
  readonly databaseSecretArn: string;
  readonly wordpressKeysSecretArn: string;
  readonly logGroupName: string;
  readonly region: string;
  /** Environment name (metrics of the cron timer). */
  readonly environment: string;
  /** The tenant's runtime: flavour, workers, uploads, cron, managed plugins, mail. */
  readonly runtime: RuntimeSpec;
  /** The tenant's SMTP credentials secret (`username`, `password`); absent without mail. */
  readonly smtpSecretArn?: string;
  /**
   * Also verify the database server's certificate, which needs the RDS CA bundle in the image's
   * OpenSSL trust (`openssl.cafile`): the BBWS runtime image ships it. @default false (the stock
   * image: the connection is encrypted, the server not authenticated)
   */
  readonly verifyDatabaseCertificate?: boolean;
}

/**
 * The mysqli flags WordPress connects with (`MYSQL_CLIENT_FLAGS`, read by wpdb::db_connect).
 * MYSQLI_CLIENT_SSL makes the connection TLS, which the tenant's user requires (`REQUIRE SSL`)
 * and the cluster too (`require_secure_transport`). PHP's mysqlnd verifies the server only
 * when it is given a CA or asked to (mysqlnd_vio.c: without CA options the default is
 * "don't verify"), so verification is a separate, explicit flag.
 */
export function databaseClientFlags(verifyCertificate: boolean): string {
  return verifyCertificate ? "MYSQLI_CLIENT_SSL | MYSQLI_CLIENT_SSL_VERIFY_SERVER_CERT" : "MYSQLI_CLIENT_SSL";
}

/** What WORDPRESS_CONFIG_EXTRA decides besides the host. */
export interface ConfigExtraOptions {
  readonly verifyDatabaseCertificate?: boolean;
  /** The runtime; without it only the host, TLS and DISALLOW_FILE_EDIT lines are written. */
  readonly runtime?: Pick<RuntimeSpec, "flavour" | "managed">;
}

/**
 * PHP appended to wp-config.php by the image (WORDPRESS_CONFIG_EXTRA). The install guard is
 * here and not only in Apache so that the stock image refuses install.php too.
 */
export function wordpressConfigExtra(primaryHost: string, options: ConfigExtraOptions = {}): string {
  const url = `https://${primaryHost}`;
  const runtime = options.runtime;
  const runtimeLines = runtime
    ? [
        // Installation happens at provisioning (bbws-install); a visitor who reached install.php
        // first would choose the administrator.
        `if (PHP_SAPI !== 'cli' && preg_match('#/wp-admin/(install|setup-config)\\.php$#', $_SERVER['SCRIPT_FILENAME'] ?? '')) { header('HTTP/1.1 403 Forbidden'); exit('This site is installed by its platform.'); }`,
        // Core is part of the image and changes only by image rollout.
        `define('WP_AUTO_UPDATE_CORE', false);`,
        ...(runtime.managed ? [`define('DISALLOW_FILE_MODS', true);`] : []),
        // The runtime image runs cron on a timer (bin/bbws-cron-loop); the stock image has none,
        // so there WordPress keeps its own request-spawned cron.
        ...(runtime.flavour === "bbws" ? [`define('DISABLE_WP_CRON', true);`] : []),
        // The must-use plugin lives in the image, where a tenant cannot change or remove it.
        `$bbws_mu_plugins = (getenv('BBWS_RUNTIME_DIR') ?: '${RUNTIME_DIR}') . '/mu-plugins'; if (is_dir($bbws_mu_plugins)) { define('WPMU_PLUGIN_DIR', $bbws_mu_plugins); }`,
      ]
    : [];
  return [
    `define('WP_HOME', '${url}');`,
    `define('WP_SITEURL', '${url}');`,
    // TLS ends at the ALB: trust its X-Forwarded-Proto so WordPress builds https:// URLs and
    // does not redirect-loop on the admin pages.
    `if (isset($_SERVER['HTTP_X_FORWARDED_PROTO']) && $_SERVER['HTTP_X_FORWARDED_PROTO'] === 'https') { $_SERVER['HTTPS'] = 'on'; }`,
    `define('FORCE_SSL_ADMIN', true);`,
    `define('DISALLOW_FILE_EDIT', true);`,
    `define('MYSQL_CLIENT_FLAGS', ${databaseClientFlags(options.verifyDatabaseCertificate ?? false)});`,
    ...runtimeLines,
  ].join("\n");
}

type NameValue = { name: string; value: string };
type NameValueFrom = { name: string; valueFrom: string };

/**
 * The environment every container of the tenant shares: the image's WORDPRESS_* variables
 * (wp-config-docker.php reads them) and the runtime's BBWS_* settings (runtime/). Plain values
 * only: everything secret is in `sharedSecrets`.
 */
export function wordpressEnvironment(a: ContainerDefinitionArgs): NameValue[] {
  const r = a.runtime;
  return [
    { name: "WORDPRESS_DB_HOST", value: `${a.databaseHost}:${a.databasePort}` },
    { name: "WORDPRESS_DB_NAME", value: a.databaseName },
    { name: "WORDPRESS_TABLE_PREFIX", value: "wp_" },
    {
      name: "WORDPRESS_CONFIG_EXTRA",
      value: wordpressConfigExtra(a.primaryHost, {
        verifyDatabaseCertificate: a.verifyDatabaseCertificate ?? false,
        runtime: r,
      }),
    },
    { name: "BBWS_TENANT_ID", value: a.tenantId },
    { name: "BBWS_ENVIRONMENT", value: a.environment },
    { name: "BBWS_PRIMARY_HOST", value: a.primaryHost },
    { name: "BBWS_MAX_REQUEST_WORKERS", value: String(r.maxRequestWorkers) },
    { name: "BBWS_LOCAL_PORT", value: String(LOCAL_PORT) },
    { name: "BBWS_UPLOAD_MAX_SIZE", value: `${r.uploadMaxMegabytes}M` },
    { name: "BBWS_POST_MAX_SIZE", value: `${r.uploadMaxMegabytes + POST_SIZE_SLACK_MEGABYTES}M` },
    { name: "BBWS_CRON_INTERVAL_SECONDS", value: String(r.cronIntervalSeconds) },
    ...(r.mail
      ? [
          { name: "BBWS_SMTP_HOST", value: r.mail.smtpHost },
          { name: "BBWS_SMTP_PORT", value: String(r.mail.smtpPort) },
          { name: "BBWS_MAIL_FROM", value: r.mail.fromAddress },
        ]
      : []),
  ];
}

/** Secrets every WordPress container gets: database credentials, keys and salts, SMTP credentials. */
function sharedSecrets(a: ContainerDefinitionArgs): NameValueFrom[] {
  return [
    { name: "WORDPRESS_DB_USER", valueFrom: `${a.databaseSecretArn}:username::` },
    { name: "WORDPRESS_DB_PASSWORD", valueFrom: `${a.databaseSecretArn}:password::` },
    ...WORDPRESS_KEY_NAMES.map((key) => ({
      name: `WORDPRESS_${key}`,
      valueFrom: `${a.wordpressKeysSecretArn}:${key}::`,
    })),
    ...(a.smtpSecretArn && a.runtime.mail
      ? [
          { name: "BBWS_SMTP_USER", valueFrom: `${a.smtpSecretArn}:username::` },
          { name: "BBWS_SMTP_PASSWORD", valueFrom: `${a.smtpSecretArn}:password::` },
        ]
      : []),
  ];
}

function logConfiguration(a: ContainerDefinitionArgs) {
  return {
    logDriver: "awslogs",
    options: {
      "awslogs-group": a.logGroupName,
      "awslogs-region": a.region,
      "awslogs-stream-prefix": a.tenantId,
    },
  };
}

const contentMount = {
  sourceVolume: CONTENT_VOLUME,
  containerPath: "/var/www/html/wp-content",
  readOnly: false,
};

/** The container health check: a static file, so a database incident never replaces tasks. */
export function containerHealthCheck(flavour: RuntimeSpec["flavour"]) {
  return {
    command: ["CMD-SHELL", `curl -fsS -o /dev/null http://localhost${HEALTH_CHECK_PATHS[flavour]} || exit 1`],
    interval: 30,
    timeout: 5,
    retries: 3,
    startPeriod: 120,
  };
}

function checkPrimaryHost(host: string): void {
  if (!/^[a-z0-9.-]+$/.test(host)) throw new Error(`invalid primary host ${JSON.stringify(host)}`);
}

/**
 * The service's container definitions: WordPress, and with the runtime image the cron timer
 * sidecar, which calls the loopback listener every `cronIntervalSeconds` (it lives in the
 * service's tasks, so a sleeping tenant runs no cron and several tasks run it under one lock).
 */
export function wordpressContainerDefinitions(a: ContainerDefinitionArgs): object[] {
  checkPrimaryHost(a.primaryHost);
  const wordpress = {
    name: CONTAINER_NAME,
    image: a.image,
    essential: true,
    portMappings: [{ name: "http", containerPort: 80, protocol: "tcp" }],
    environment: wordpressEnvironment(a),
    secrets: sharedSecrets(a),
    mountPoints: [contentMount],
    healthCheck: containerHealthCheck(a.runtime.flavour),
    stopTimeout: STOP_TIMEOUT_SECONDS,
    linuxParameters: { initProcessEnabled: true },
    logConfiguration: logConfiguration(a),
  };
  if (a.runtime.flavour !== "bbws") return [wordpress];
  const cron = {
    name: CRON_CONTAINER_NAME,
    image: a.image,
    // A failing timer raises the deep-check alarm (no metrics, CronFailed); it must not stop
    // the site.
    essential: false,
    command: ["bbws-cron-loop"],
    dependsOn: [{ containerName: CONTAINER_NAME, condition: "HEALTHY" }],
    environment: [
      { name: "BBWS_TENANT_ID", value: a.tenantId },
      { name: "BBWS_ENVIRONMENT", value: a.environment },
      { name: "BBWS_LOCAL_PORT", value: String(LOCAL_PORT) },
      { name: "BBWS_CRON_INTERVAL_SECONDS", value: String(a.runtime.cronIntervalSeconds) },
    ],
    stopTimeout: 10,
    linuxParameters: { initProcessEnabled: true },
    logConfiguration: logConfiguration(a),
  };
  return [wordpress, cron];
}

/** What the install task's container reads besides the shared arguments. */
export interface InstallContainerArgs extends ContainerDefinitionArgs {
  /**
   * ARN of the administrator's password parameter (SSM SecureString). ECS resolves an SSM
   * parameter ARN in `valueFrom` like a secret's; the login and e-mail address come from the
   * spec (`runtime.adminUser`, `runtime.adminEmail`).
   */
  readonly adminPasswordParameterArn: string;
}

/** The install script of the runtime image, for the stock image (which lacks it) to run with `php -r`. */
export function inlineInstallScript(): string {
  const file = fs.readFileSync(path.join(PROJECT_DIR, "runtime", "bin", "bbws-install"), "utf8");
  return file.replace(/^#!.*\n<\?php\n/, "");
}

/**
 * The command of the install task: the image's entry point copies WordPress into place and writes
 * wp-config.php (docker-ensure-installed.sh), then the install runs.
 */
export function installCommand(flavour: RuntimeSpec["flavour"]): string[] {
  return flavour === "bbws"
    ? ["docker-ensure-installed.sh", "bbws-install"]
    : ["docker-ensure-installed.sh", "php", "-r", inlineInstallScript()];
}

/** The install task's one container: the provisioning install (runtime/bin/bbws-install). */
export function installContainerDefinitions(a: InstallContainerArgs): object[] {
  checkPrimaryHost(a.primaryHost);
  return [
    {
      name: INSTALL_CONTAINER_NAME,
      image: a.image,
      essential: true,
      command: installCommand(a.runtime.flavour),
      environment: [
        ...wordpressEnvironment(a),
        { name: "BBWS_SITE_TITLE", value: a.primaryHost },
        { name: "BBWS_SEARCH_ENGINES", value: a.runtime.searchEngines ? "1" : "0" },
        // Not secret: the registry entry (or its defaults) says them.
        { name: "BBWS_ADMIN_USER", value: a.runtime.adminUser },
        { name: "BBWS_ADMIN_EMAIL", value: a.runtime.adminEmail },
      ],
      secrets: [...sharedSecrets(a), { name: "BBWS_ADMIN_PASSWORD", valueFrom: a.adminPasswordParameterArn }],
      // The first copy of WordPress onto the tenant's EFS directory (themes, plugins) happens here.
      mountPoints: [contentMount],
      stopTimeout: 30,
      linuxParameters: { initProcessEnabled: true },
      logConfiguration: logConfiguration(a),
    },
  ];
}

/**
 * The image a tenant runs: its registry override (a tag or digest of the environment's own
 * repository, or a full reference), or the environment's default.
 */
export function resolveImage(
  override: string | undefined,
  repositoryUrl: string,
  defaultImage: string,
): string {
  if (!override) return defaultImage;
  if (override.startsWith("sha256:")) return `${repositoryUrl}@${override}`;
  if (override.includes("/")) return override;
  return `${repositoryUrl}:${override}`;
}
