/**
 * A tenant's secrets: its database credentials and its eight WordPress keys and salts, each a
 * Secrets Manager secret encrypted with the environment's data key.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Tags, withComponent } from "../tags";
import { deriveWordPressKeys } from "./wordpressKeys";

export interface TenantSecretsArgs {
  readonly environment: string;
  readonly tenantId: string;
  readonly dataKeyArn: pulumi.Input<string>;
  readonly databaseName: string;
  readonly databaseUser: string;
  readonly databaseHost: pulumi.Input<string>;
  readonly databasePort: pulumi.Input<number>;
  /** Days a deleted secret stays recoverable (7 to 30). */
  readonly recoveryWindowInDays: number;
  readonly tags: Tags;
}

export interface TenantSecrets {
  readonly databasePassword: pulumi.Output<string>;
  readonly databaseSecret: aws.secretsmanager.Secret;
  readonly wordpressKeysSecret: aws.secretsmanager.Secret;
}

export function createTenantSecrets(
  name: string,
  args: TenantSecretsArgs,
  parent: pulumi.Resource,
): TenantSecrets {
  const tags = withComponent(args.tags, "secrets");
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
      namePrefix: `bbws/${args.environment}/${args.tenantId}/db-`,
      description: `Database credentials of WordPress tenant ${args.tenantId}`,
      kmsKeyId: args.dataKeyArn,
      recoveryWindowInDays: args.recoveryWindowInDays,
      tags,
    },
    { parent },
  );
  new aws.secretsmanager.SecretVersion(
    `${name}-db-secret-value`,
    {
      secretId: databaseSecret.id,
      secretString: pulumi.jsonStringify({
        engine: "mysql",
        username: args.databaseUser,
        password: password.result,
        host: args.databaseHost,
        port: args.databasePort,
        dbname: args.databaseName,
      }),
    },
    { parent },
  );

  const wordpressKeysSecret = new aws.secretsmanager.Secret(
    `${name}-wordpress-keys`,
    {
      namePrefix: `bbws/${args.environment}/${args.tenantId}/wordpress-keys-`,
      description: `WordPress keys and salts of tenant ${args.tenantId}`,
      kmsKeyId: args.dataKeyArn,
      recoveryWindowInDays: args.recoveryWindowInDays,
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

  return { databasePassword: password.result, databaseSecret, wordpressKeysSecret };
}
