/**
 * The WordPress container of a tenant's task definition, as plain data (tested directly).
 *
 * Secrets reach the container only through `secrets` (ECS fetches them at task start); plain
 * `environment` carries nothing sensitive.
 */
import { WORDPRESS_KEY_NAMES } from "./wordpressKeys";

/** Name of the container (the target group and Cloud Map registration refer to it). */
export const CONTAINER_NAME = "wordpress";
/** Name of the EFS volume mounted at wp-content. */
export const CONTENT_VOLUME = "wp-content";
/** Spot gives a two-minute warning; the container must stop within it. */
export const STOP_TIMEOUT_SECONDS = 110;

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

/** PHP appended to wp-config.php by the image (WORDPRESS_CONFIG_EXTRA). */
export function wordpressConfigExtra(primaryHost: string, verifyDatabaseCertificate = false): string {
  const url = `https://${primaryHost}`;
  return [
    `define('WP_HOME', '${url}');`,
    `define('WP_SITEURL', '${url}');`,
    // TLS ends at the ALB: trust its X-Forwarded-Proto so WordPress builds https:// URLs and
    // does not redirect-loop on the admin pages.
    `if (isset($_SERVER['HTTP_X_FORWARDED_PROTO']) && $_SERVER['HTTP_X_FORWARDED_PROTO'] === 'https') { $_SERVER['HTTPS'] = 'on'; }`,
    `define('FORCE_SSL_ADMIN', true);`,
    `define('DISALLOW_FILE_EDIT', true);`,
    `define('MYSQL_CLIENT_FLAGS', ${databaseClientFlags(verifyDatabaseCertificate)});`,
  ].join("\n");
}

/** The container definitions JSON value (an array with the WordPress container). */
export function wordpressContainerDefinitions(a: ContainerDefinitionArgs): object[] {
  if (!/^[a-z0-9.-]+$/.test(a.primaryHost))
    throw new Error(`invalid primary host ${JSON.stringify(a.primaryHost)}`);
  return [
    {
      name: CONTAINER_NAME,
      image: a.image,
      essential: true,
      portMappings: [{ name: "http", containerPort: 80, protocol: "tcp" }],
      environment: [
        { name: "WORDPRESS_DB_HOST", value: `${a.databaseHost}:${a.databasePort}` },
        { name: "WORDPRESS_DB_NAME", value: a.databaseName },
        { name: "WORDPRESS_TABLE_PREFIX", value: "wp_" },
        {
          name: "WORDPRESS_CONFIG_EXTRA",
          value: wordpressConfigExtra(a.primaryHost, a.verifyDatabaseCertificate ?? false),
        },
      ],
      secrets: [
        { name: "WORDPRESS_DB_USER", valueFrom: `${a.databaseSecretArn}:username::` },
        { name: "WORDPRESS_DB_PASSWORD", valueFrom: `${a.databaseSecretArn}:password::` },
        ...WORDPRESS_KEY_NAMES.map((key) => ({
          name: `WORDPRESS_${key}`,
          valueFrom: `${a.wordpressKeysSecretArn}:${key}::`,
        })),
      ],
      mountPoints: [
        { sourceVolume: CONTENT_VOLUME, containerPath: "/var/www/html/wp-content", readOnly: false },
      ],
      healthCheck: {
        // wp-login.php loads WordPress and its database: a 200 (or a 302 before installation)
        // means PHP, the database and wp-content all answer.
        command: [
          "CMD-SHELL",
          "curl -fsS -o /dev/null -H 'X-Forwarded-Proto: https' http://localhost/wp-login.php || exit 1",
        ],
        interval: 30,
        timeout: 5,
        retries: 3,
        startPeriod: 120,
      },
      stopTimeout: STOP_TIMEOUT_SECONDS,
      linuxParameters: { initProcessEnabled: true },
      logConfiguration: {
        logDriver: "awslogs",
        options: {
          "awslogs-group": a.logGroupName,
          "awslogs-region": a.region,
          "awslogs-stream-prefix": a.tenantId,
        },
      },
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
