/**
 * The tenant's pure helpers: the WordPress container definition, the image it runs, its keys,
 * the secrets' recovery window and the scale-to-zero crons (no stack run needed).
 */
import { expect } from "chai";
import {
  CONTAINER_NAME,
  CONTENT_VOLUME,
  STOP_TIMEOUT_SECONDS,
  INSTALL_CONTAINER_NAME,
  databaseClientFlags,
  installContainerDefinitions,
  resolveImage,
  wordpressConfigExtra,
  wordpressContainerDefinitions,
} from "../../../components/tenant/containerDefinition";
import { WORDPRESS_KEY_NAMES, deriveWordPressKeys } from "../../../components/tenant/wordpressKeys";
import { recoveryWindowInDays } from "../../../components/tenant/secrets";
import { scheduleCrons } from "../../../components/tenant/schedule";

const RUNTIME = {
  flavour: "bbws" as const,
  maxRequestWorkers: 5,
  adminUser: "bbws-admin",
  adminEmail: "admin@acme.example.com",
  uploadMaxMegabytes: 64,
  cronIntervalSeconds: 60,
  managed: false,
  searchEngines: false,
};

const ARGS = {
  tenantId: "acme",
  environment: "dev",
  runtime: RUNTIME,
  image: "123456789012.dkr.ecr.af-south-1.amazonaws.com/bbws:6.8",
  primaryHost: "acme.example.com",
  databaseHost: "db.cluster-x.af-south-1.rds.amazonaws.com",
  databasePort: 3306,
  databaseName: "wp_acme",
  databaseSecretArn: "arn:aws:secretsmanager:af-south-1:123456789012:secret:db-AbC",
  wordpressKeysSecretArn: "arn:aws:secretsmanager:af-south-1:123456789012:secret:keys-DeF",
  logGroupName: "/bbws/dev/wordpress",
  region: "af-south-1",
};

describe("tenant container definition and helpers", () => {
  it("defines exactly one essential WordPress container with every field ECS needs", () => {
    const definitions = wordpressContainerDefinitions(ARGS) as { name: string; environment: object[] }[];
    const wordpress = definitions.filter((d) => d.name === CONTAINER_NAME);
    expect(wordpress).to.have.length(1);
    // The runtime's own variables (BBWS_*) are tested with the runtime (tests/unit/runtime*.test.ts).
    const { environment, ...rest } = wordpress[0];
    expect({
      ...rest,
      environment: (environment as { name: string }[]).filter((e) => !e.name.startsWith("BBWS_")),
    }).to.deep.equal({
      name: CONTAINER_NAME,
      image: ARGS.image,
      essential: true,
      portMappings: [{ name: "http", containerPort: 80, protocol: "tcp" }],
      environment: [
        { name: "WORDPRESS_DB_HOST", value: "db.cluster-x.af-south-1.rds.amazonaws.com:3306" },
        { name: "WORDPRESS_DB_NAME", value: "wp_acme" },
        { name: "WORDPRESS_TABLE_PREFIX", value: "wp_" },
        {
          name: "WORDPRESS_CONFIG_EXTRA",
          value: wordpressConfigExtra("acme.example.com", { runtime: RUNTIME }),
        },
      ],
      secrets: [
        { name: "WORDPRESS_DB_USER", valueFrom: `${ARGS.databaseSecretArn}:username::` },
        { name: "WORDPRESS_DB_PASSWORD", valueFrom: `${ARGS.databaseSecretArn}:password::` },
        ...WORDPRESS_KEY_NAMES.map((key) => ({
          name: `WORDPRESS_${key}`,
          valueFrom: `${ARGS.wordpressKeysSecretArn}:${key}::`,
        })),
      ],
      mountPoints: [
        { sourceVolume: CONTENT_VOLUME, containerPath: "/var/www/html/wp-content", readOnly: false },
      ],
      healthCheck: {
        command: ["CMD-SHELL", "curl -fsS -o /dev/null http://localhost/bbws-health || exit 1"],
        interval: 30,
        timeout: 5,
        retries: 3,
        startPeriod: 120,
      },
      stopTimeout: 110,
      linuxParameters: { initProcessEnabled: true },
      logConfiguration: {
        logDriver: "awslogs",
        options: {
          "awslogs-group": "/bbws/dev/wordpress",
          "awslogs-region": "af-south-1",
          "awslogs-stream-prefix": "acme",
        },
      },
    });
    expect(CONTAINER_NAME).to.equal("wordpress");
    expect(CONTENT_VOLUME).to.equal("wp-content");
    // Stops within Spot's two-minute warning, with time to spare for the deregistration.
    expect(STOP_TIMEOUT_SECONDS).to.be.below(120);
  });

  it("the install container takes the administrator's password from its SSM parameter ARN, login and e-mail as plain values", () => {
    const parameterArn = "arn:aws:ssm:af-south-1:123456789012:parameter/bbws/dev/acme/admin-password";
    const [install] = installContainerDefinitions({ ...ARGS, adminPasswordParameterArn: parameterArn }) as {
      name: string;
      environment: { name: string; value: string }[];
      secrets: { name: string; valueFrom: string }[];
    }[];
    expect(install.name).to.equal(INSTALL_CONTAINER_NAME);
    const admin = (list: { name: string }[]) => list.filter((e) => e.name.startsWith("BBWS_ADMIN_"));
    // The whole parameter, by ARN (ECS resolves it with ssm:GetParameters): no `:<json key>::`.
    expect(admin(install.secrets)).to.deep.equal([{ name: "BBWS_ADMIN_PASSWORD", valueFrom: parameterArn }]);
    expect(admin(install.environment)).to.deep.equal([
      { name: "BBWS_ADMIN_USER", value: "bbws-admin" },
      { name: "BBWS_ADMIN_EMAIL", value: "admin@acme.example.com" },
    ]);
    // The service's secrets are the install's too (database, keys), each from its own secret.
    const served = (wordpressContainerDefinitions(ARGS)[0] as { secrets: object[] }).secrets;
    expect(install.secrets.filter((s) => s.name !== "BBWS_ADMIN_PASSWORD")).to.deep.equal(served);
  });

  it("verifies the database certificate only when asked, in the flags and the config", () => {
    expect(databaseClientFlags(false)).to.equal("MYSQLI_CLIENT_SSL");
    expect(databaseClientFlags(true)).to.equal("MYSQLI_CLIENT_SSL | MYSQLI_CLIENT_SSL_VERIFY_SERVER_CERT");
    const [container] = wordpressContainerDefinitions({ ...ARGS, verifyDatabaseCertificate: true }) as {
      environment: { name: string; value: string }[];
    }[];
    const extra = container.environment.find((e) => e.name === "WORDPRESS_CONFIG_EXTRA")!.value;
    expect(extra).to.include(
      "define('MYSQL_CLIENT_FLAGS', MYSQLI_CLIENT_SSL | MYSQLI_CLIENT_SSL_VERIFY_SERVER_CERT);",
    );
    expect(wordpressConfigExtra("a.example.com")).to.include(
      "define('MYSQL_CLIENT_FLAGS', MYSQLI_CLIENT_SSL);",
    );
  });

  it("writes wp-config.php lines for HTTPS behind the ALB, one per line", () => {
    expect(wordpressConfigExtra("acme.example.com").split("\n")).to.deep.equal([
      "define('WP_HOME', 'https://acme.example.com');",
      "define('WP_SITEURL', 'https://acme.example.com');",
      "if (isset($_SERVER['HTTP_X_FORWARDED_PROTO']) && $_SERVER['HTTP_X_FORWARDED_PROTO'] === 'https') { $_SERVER['HTTPS'] = 'on'; }",
      "define('FORCE_SSL_ADMIN', true);",
      "define('DISALLOW_FILE_EDIT', true);",
      "define('MYSQL_CLIENT_FLAGS', MYSQLI_CLIENT_SSL);",
    ]);
  });

  it("refuses a primary host that could break out of the PHP string", () => {
    for (const host of ["acme.example.com'); system('id", "Acme.example.com", "", "a b.example.com"])
      expect(() => wordpressContainerDefinitions({ ...ARGS, primaryHost: host }), host).to.throw(
        `invalid primary host ${JSON.stringify(host)}`,
      );
    expect(() => wordpressContainerDefinitions({ ...ARGS, primaryHost: "a-1.example.com" })).to.not.throw();
  });

  it("resolves the image: default, tag, digest, full reference", () => {
    const repo = "123456789012.dkr.ecr.af-south-1.amazonaws.com/bbws-dev-wordpress";
    const fallback = `${repo}:default`;
    expect(resolveImage(undefined, repo, fallback)).to.equal(fallback);
    expect(resolveImage("", repo, fallback)).to.equal(fallback);
    expect(resolveImage("6.8-php8.3", repo, fallback)).to.equal(`${repo}:6.8-php8.3`);
    const digest = `sha256:${"a".repeat(64)}`;
    expect(resolveImage(digest, repo, fallback)).to.equal(`${repo}@${digest}`);
    expect(resolveImage("public.ecr.aws/docker/library/wordpress:6", repo, fallback)).to.equal(
      "public.ecr.aws/docker/library/wordpress:6",
    );
  });

  it("derives eight distinct, stable 64-character keys from a seed of at least 32 characters", () => {
    const seed = "s".repeat(32);
    const keys = deriveWordPressKeys(seed);
    expect(Object.keys(keys)).to.deep.equal([...WORDPRESS_KEY_NAMES]);
    for (const value of Object.values(keys)) expect(value).to.match(/^[A-Za-z0-9_-]{64}$/);
    expect(new Set(Object.values(keys)).size).to.equal(8);
    expect(deriveWordPressKeys(seed)).to.deep.equal(keys);
    expect(deriveWordPressKeys(`${seed}t`).AUTH_KEY).to.not.equal(keys.AUTH_KEY);
    expect(() => deriveWordPressKeys("s".repeat(31))).to.throw(
      "the WordPress key seed must hold at least 32 characters of randomness",
    );
    expect(WORDPRESS_KEY_NAMES).to.deep.equal([
      "AUTH_KEY",
      "SECURE_AUTH_KEY",
      "LOGGED_IN_KEY",
      "NONCE_KEY",
      "AUTH_SALT",
      "SECURE_AUTH_SALT",
      "LOGGED_IN_SALT",
      "NONCE_SALT",
    ]);
  });

  it("keeps a deleted secret recoverable 30 days for protected data, else 7", () => {
    expect(recoveryWindowInDays(true)).to.equal(30);
    expect(recoveryWindowInDays(false)).to.equal(7);
  });

  it("schedules sleep every evening and wake every morning, or on weekdays only", () => {
    expect(
      scheduleCrons({
        sleepAt: "19:30",
        wakeAt: "06:05",
        timezone: "Africa/Johannesburg",
        weekdaysOnly: false,
      }),
    ).to.deep.equal({
      sleep: "cron(30 19 ? * * *)",
      wake: "cron(5 6 ? * * *)",
      timezone: "Africa/Johannesburg",
    });
    expect(
      scheduleCrons({ sleepAt: "22:00", wakeAt: "07:00", timezone: "UTC", weekdaysOnly: true }),
    ).to.deep.equal({ sleep: "cron(0 22 ? * * *)", wake: "cron(0 7 ? * MON-FRI *)", timezone: "UTC" });
  });
});
