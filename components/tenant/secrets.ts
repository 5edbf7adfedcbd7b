/**
 * A tenant's secrets: its database credentials and its eight WordPress keys and salts, each a
 * Secrets Manager secret encrypted with the environment's data key; and the WordPress
 * administrator's password, an SSM SecureString parameter encrypted with the same key.
 *
 * The administrator's password is a parameter, not a secret: only the one-off install task reads
 * it, nothing rotates it, and a standard parameter is free where a secret costs $0.40 a month
 * (a third of the smallest production site's secrets). Its login and e-mail address are not
 * secret (the tenant spec says them), so the install task gets them as plain environment. ECS
 * reads the parameter through the NAT (443 out) even where interface endpoints are on: an `ssm`
 * endpoint (about $30 a month in prod's 3 AZs) is not worth one read per install.
 *
 * The database secret's value is written by TenantDatabaseCredentials (tenantDatabase.ts), not
 * by an aws.secretsmanager.SecretVersion: the generated password is only its first value, and
 * `ops rotate-db-password` replaces it later. A SecretVersion would hold the generated password
 * in the state and write it back whenever it is re-created; the credentials resource keeps the
 * secret's current password instead (the secret is the source of truth).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as naming from "../../config/naming";
import { TenantSpec } from "../../config/tenantSpec";
import { Tags, withComponent } from "../tags";
import { TenantPlatform } from "./platformInputs";
import { deriveWordPressKeys } from "./wordpressKeys";
import { TenantDatabaseCredentials } from "./tenantDatabase";

/** What the secrets read. */
export interface TenantSecretsArgs {
  /** Names and descriptions (`bbws/<env>/<id>/...`), and `protectData`: a deleted secret stays recoverable 30 days, else 7. */
  readonly spec: Pick<TenantSpec, "id" | "environment" | "protectData">;
  /** The data key the secrets are encrypted with, the database endpoint they carry, the region. */
  readonly platform: Pick<TenantPlatform, "keys" | "database" | "region">;
  /** Tags of the tenant; `bbws:component` is added. */
  readonly tags: Tags;
}

/** Days a deleted secret stays recoverable: the longest Secrets Manager allows for production data. */
export function recoveryWindowInDays(protectData: boolean): number {
  return protectData ? 30 : 7;
}

/** The tenant's secrets and the database password. */
export interface TenantSecrets {
  /** The database secret's current password (the generated one until the first rotation). */
  readonly databasePassword: pulumi.Output<string>;
  readonly databaseSecret: aws.secretsmanager.Secret;
  readonly wordpressKeysSecret: aws.secretsmanager.Secret;
  /**
   * The WordPress administrator's password (`/bbws/<env>/<id>/admin-password`, SecureString):
   * only the install task reads it, and must not start before it exists.
   */
  readonly adminPasswordParameter: aws.ssm.Parameter;
}

/** Length of the generated administrator password (letters and digits: no shell or JSON quoting). */
export const ADMIN_PASSWORD_LENGTH = 32;

/** Creates the database credentials secret, the WordPress keys secret and the administrator's password parameter. */
export function createTenantSecrets(
  name: string,
  args: TenantSecretsArgs,
  parent: pulumi.Resource,
): TenantSecrets {
  const { spec, platform } = args;
  const tags = withComponent(args.tags, "secrets");
  const recoveryWindow = recoveryWindowInDays(spec.protectData);
  // Letters and digits only: the password is embedded in SQL, where nothing may close a quote.
  const password = new random.RandomPassword(
    `${name}-db-password`,
    { length: 40, special: false },
    { parent },
  );
  const seed = new random.RandomBytes(`${name}-wordpress-keys-seed`, { length: 48 }, { parent });

  // Name prefixes, not fixed names: a deleted secret keeps its name for the recovery window,
  // and a tenant removed and added back must not collide with its own old secret.
  const databaseSecret = new aws.secretsmanager.Secret(
    `${name}-db-secret`,
    {
      namePrefix: `${naming.secretName(spec.environment, spec.id, "db")}-`,
      description: `Database credentials of WordPress tenant ${spec.id}`,
      kmsKeyId: platform.keys.dataKeyArn,
      recoveryWindowInDays: recoveryWindow,
      tags,
    },
    { parent },
  );
  const credentials = new TenantDatabaseCredentials(
    `${name}-db-credentials`,
    {
      secretArn: databaseSecret.arn,
      region: platform.region,
      username: naming.databaseUser(spec.id),
      host: platform.database.endpoint,
      port: platform.database.port,
      dbname: naming.databaseName(spec.id),
      password: password.result,
    },
    { parent },
  );

  const wordpressKeysSecret = new aws.secretsmanager.Secret(
    `${name}-wordpress-keys`,
    {
      namePrefix: `${naming.secretName(spec.environment, spec.id, "wordpress-keys")}-`,
      description: `WordPress keys and salts of tenant ${spec.id}`,
      kmsKeyId: platform.keys.dataKeyArn,
      recoveryWindowInDays: recoveryWindow,
      tags,
    },
    { parent },
  );
  new aws.secretsmanager.SecretVersion(
    `${name}-wordpress-keys-value`,
    {
      secretId: wordpressKeysSecret.id,
      secretString: pulumi.secret(seed.base64.apply((s) => JSON.stringify(deriveWordPressKeys(s)))),
    },
    { parent },
  );

  // The administrator the provisioning install creates; an operator reads the password here.
  const adminPassword = new random.RandomPassword(
    `${name}-admin-password`,
    { length: ADMIN_PASSWORD_LENGTH, special: false },
    { parent },
  );
  const adminPasswordParameter = new aws.ssm.Parameter(
    `${name}-admin-password-parameter`,
    {
      name: naming.parameterName(spec.environment, spec.id, "admin-password"),
      description: `WordPress administrator password of tenant ${spec.id}`,
      type: "SecureString",
      // Standard: free, 4 KB, 10,000 per account and region (config/quotas.ts); advanced
      // parameters cost $0.05 a month each and buy nothing here.
      tier: "Standard",
      keyId: platform.keys.dataKeyArn,
      value: pulumi.secret(adminPassword.result),
      tags,
    },
    // A password changed in WordPress afterwards is WordPress's: the install runs only once.
    { parent },
  );

  return {
    databasePassword: credentials.password,
    databaseSecret,
    wordpressKeysSecret,
    adminPasswordParameter,
  };
}
