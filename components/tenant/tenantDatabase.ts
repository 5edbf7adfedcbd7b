/**
 * A tenant's MySQL credentials and database on the shared Aurora cluster, as two Pulumi dynamic
 * resources that talk to AWS directly: the RDS Data API needs no network path to the cluster, so
 * neither `pulumi up` nor CI has to reach the private subnets.
 *
 * - TenantDatabaseCredentials owns the value of the tenant's database secret. The secret is the
 *   source of truth for the password: the generated password is written only when the secret
 *   has none, an existing one (set by `ops rotate-db-password`) is kept on every create and
 *   update, and the resource's `password` output is the secret's current password. So a
 *   `tenants sync` after a rotation changes nothing, a replaced database user gets the rotated
 *   password, and nothing here ever writes an older password back.
 * - TenantDatabase owns the schema and user. Its password is applied when the user is created
 *   and never changed by an update: after creation the password belongs to the secret.
 *   Deleting the resource keeps the data (the user is locked) unless `dropOnDelete` is set.
 */
import * as pulumi from "@pulumi/pulumi";
import { ExecuteStatementCommand, RDSDataClient } from "@aws-sdk/client-rds-data";
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import {
  TenantDatabaseSpec,
  assertSafe,
  createStatements,
  deleteStatements,
  sqlInputProblems,
  updateStatements,
} from "./sql";

/** Inputs of the dynamic resource, as the provider receives them (plain values). */
export interface TenantDatabaseState extends TenantDatabaseSpec {
  readonly clusterArn: string;
  /** Secret with the cluster's master credentials (Secrets Manager-managed). */
  readonly masterSecretArn: string;
  readonly region: string;
  readonly dropOnDelete: boolean;
  /**
   * The user connects only over TLS (`REQUIRE SSL`). Always true; an input so that users created
   * before the requirement get it with their next update (the old state has no such input).
   */
  readonly requireTls: boolean;
}

/** Runs statements in order through the Data API, as the cluster's master user. */
export async function executeStatements(
  target: Pick<TenantDatabaseState, "clusterArn" | "masterSecretArn" | "region">,
  statements: readonly string[],
): Promise<void> {
  const client = new RDSDataClient({ region: target.region });
  try {
    for (const sql of statements) {
      await client.send(
        new ExecuteStatementCommand({
          resourceArn: target.clusterArn,
          secretArn: target.masterSecretArn,
          sql,
        }),
      );
    }
  } finally {
    client.destroy();
  }
}

/** Properties whose change needs a new schema or user rather than an update in place. */
const REPLACE_ON_CHANGE = ["clusterArn", "databaseName", "username"] as const;
/**
 * Properties an update applies. Not the password: it is applied once, at creation; after that
 * the secret (and `ops rotate-db-password`) own it, and a different value here means only that
 * the stack's generated password is no longer the current one.
 */
const UPDATE_ON_CHANGE = [
  "maxConnections",
  "dropOnDelete",
  "masterSecretArn",
  "region",
  "requireTls",
] as const;

/** The dynamic provider. Kept free of module state: Pulumi serializes it into the stack. */
export const tenantDatabaseProvider: pulumi.dynamic.ResourceProvider = {
  check(_olds: TenantDatabaseState, news: TenantDatabaseState) {
    const failures = sqlInputProblems(news).map((reason) => ({ property: "databaseName", reason }));
    return Promise.resolve({ inputs: news, failures });
  },

  async create(inputs: TenantDatabaseState) {
    await executeStatements(inputs, createStatements(inputs));
    return { id: `${inputs.clusterArn}/${inputs.databaseName}`, outs: inputs };
  },

  diff(_id: string, olds: TenantDatabaseState, news: TenantDatabaseState) {
    const replaces = REPLACE_ON_CHANGE.filter((key) => olds[key] !== news[key]);
    const updates = UPDATE_ON_CHANGE.filter((key) => olds[key] !== news[key]);
    return Promise.resolve({
      changes: replaces.length + updates.length > 0,
      replaces: [...replaces],
      deleteBeforeReplace: false,
    });
  },

  async update(_id: string, olds: TenantDatabaseState, news: TenantDatabaseState) {
    const limitsChanged = (["maxConnections", "masterSecretArn", "requireTls"] as const).some(
      (key) => olds[key] !== news[key],
    );
    // Limits and the TLS requirement only; never the password (see UPDATE_ON_CHANGE).
    if (limitsChanged) await executeStatements(news, updateStatements(news));
    return { outs: news };
  },

  async delete(_id: string, props: TenantDatabaseState) {
    await executeStatements(props, deleteStatements(props, props.dropOnDelete));
  },
};

/** Arguments of a TenantDatabase; pass-through values may be Outputs. */
export interface TenantDatabaseArgs {
  readonly clusterArn: pulumi.Input<string>;
  readonly masterSecretArn: pulumi.Input<string>;
  readonly region: pulumi.Input<string>;
  readonly databaseName: string;
  readonly username: string;
  /** Password the user is created with (the credentials' current password). */
  readonly password: pulumi.Input<string>;
  readonly maxConnections: number;
  /** Drop the schema and user when the resource is deleted. @default false (they are kept, the user locked) */
  readonly dropOnDelete?: boolean;
}

/** A tenant's schema and user on the shared cluster. */
export class TenantDatabase extends pulumi.dynamic.Resource {
  declare readonly databaseName: pulumi.Output<string>;
  declare readonly username: pulumi.Output<string>;

  constructor(name: string, args: TenantDatabaseArgs, opts: pulumi.CustomResourceOptions = {}) {
    assertSafe({
      databaseName: args.databaseName,
      username: args.username,
      maxConnections: args.maxConnections,
    });
    super(
      tenantDatabaseProvider,
      name,
      {
        ...args,
        dropOnDelete: args.dropOnDelete ?? false,
        requireTls: true,
        password: pulumi.secret(args.password),
      },
      { ...opts, additionalSecretOutputs: ["password"] },
      "bbws",
      "TenantDatabase",
    );
  }
}

/** Inputs of the credentials resource, as its provider receives them. */
export interface TenantDatabaseCredentialsState {
  /** The tenant's database secret (created by the stack, without a value). */
  readonly secretArn: string;
  readonly region: string;
  readonly username: string;
  readonly host: string;
  readonly port: number;
  readonly dbname: string;
  /** Generated password: written only when the secret has none. */
  readonly password: string;
}

/** The JSON a database secret holds (what ECS injects and what the restore's db-copy reads). */
export interface DatabaseSecretValue {
  readonly engine: "mysql";
  readonly username: string;
  readonly password: string;
  readonly host: string;
  readonly port: number;
  readonly dbname: string;
}

/**
 * The secret's current value, or undefined when it has none yet (a new secret has no
 * AWSCURRENT version: GetSecretValue answers ResourceNotFoundException).
 */
export async function currentSecretValue(
  client: SecretsManagerClient,
  secretArn: string,
): Promise<Partial<DatabaseSecretValue> | undefined> {
  try {
    const found = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    if (!found.SecretString) return undefined;
    const parsed: unknown = JSON.parse(found.SecretString);
    return parsed && typeof parsed === "object" ? parsed : undefined;
  } catch (error) {
    if ((error as { name?: string }).name === "ResourceNotFoundException") return undefined;
    throw error;
  }
}

/** Writes the value the secret must hold, keeping a password it already has; returns the value. */
async function reconcileCredentials(inputs: TenantDatabaseCredentialsState): Promise<DatabaseSecretValue> {
  const client = new SecretsManagerClient({ region: inputs.region });
  try {
    const current = await currentSecretValue(client, inputs.secretArn);
    const password =
      typeof current?.password === "string" && /^[A-Za-z0-9]{16,128}$/.test(current.password)
        ? current.password
        : inputs.password;
    const desired: DatabaseSecretValue = {
      engine: "mysql",
      username: inputs.username,
      password,
      host: inputs.host,
      port: inputs.port,
      dbname: inputs.dbname,
    };
    const same =
      current !== undefined &&
      (Object.keys(desired) as (keyof DatabaseSecretValue)[]).every((key) => current[key] === desired[key]);
    if (!same) {
      await client.send(
        new PutSecretValueCommand({ SecretId: inputs.secretArn, SecretString: JSON.stringify(desired) }),
      );
    }
    return desired;
  } finally {
    client.destroy();
  }
}

/** The credentials provider (see the file comment). */
export const tenantDatabaseCredentialsProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: TenantDatabaseCredentialsState) {
    const value = await reconcileCredentials(inputs);
    return { id: inputs.secretArn, outs: { ...inputs, password: value.password } };
  },

  diff(_id: string, olds: TenantDatabaseCredentialsState, news: TenantDatabaseCredentialsState) {
    // The generated password is not compared: it only matters while the secret has none.
    const keys = ["secretArn", "region", "username", "host", "port", "dbname"] as const;
    const changed = keys.filter((key) => olds[key] !== news[key]);
    return Promise.resolve({
      changes: changed.length > 0,
      replaces: changed.includes("secretArn") ? ["secretArn"] : [],
      deleteBeforeReplace: false,
    });
  },

  async update(_id: string, _olds: TenantDatabaseCredentialsState, news: TenantDatabaseCredentialsState) {
    const value = await reconcileCredentials(news);
    return { outs: { ...news, password: value.password } };
  },

  // The secret goes with its aws.secretsmanager.Secret (recoverable for its recovery window).
  delete: () => Promise.resolve(),
};

/** Arguments of TenantDatabaseCredentials. */
export interface TenantDatabaseCredentialsArgs {
  readonly secretArn: pulumi.Input<string>;
  readonly region: pulumi.Input<string>;
  readonly username: string;
  readonly host: pulumi.Input<string>;
  readonly port: pulumi.Input<number>;
  readonly dbname: string;
  /** Generated password, written only when the secret has no value yet. */
  readonly password: pulumi.Input<string>;
}

/** The value of a tenant's database secret. */
export class TenantDatabaseCredentials extends pulumi.dynamic.Resource {
  /** The secret's current password (the generated one only until the first rotation). */
  declare readonly password: pulumi.Output<string>;

  constructor(name: string, args: TenantDatabaseCredentialsArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(
      tenantDatabaseCredentialsProvider,
      name,
      { ...args, password: pulumi.secret(args.password) },
      { ...opts, additionalSecretOutputs: ["password"] },
      "bbws",
      "TenantDatabaseCredentials",
    );
  }
}
