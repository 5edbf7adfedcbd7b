/**
 * TenantDatabase: a tenant's MySQL schema and user on the shared Aurora cluster, managed by a
 * Pulumi dynamic provider that talks to the RDS Data API. The Data API needs no network path
 * to the cluster, so neither `pulumi up` nor CI has to reach the private subnets.
 *
 * Deleting the resource keeps the data (the user is locked) unless `dropOnDelete` is set.
 */
import * as pulumi from "@pulumi/pulumi";
import { ExecuteStatementCommand, RDSDataClient } from "@aws-sdk/client-rds-data";
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
    const updates = (
      ["password", "maxConnections", "dropOnDelete", "masterSecretArn", "region"] as const
    ).filter((key) => olds[key] !== news[key]);
    return Promise.resolve({
      changes: replaces.length + updates.length > 0,
      replaces: [...replaces],
      deleteBeforeReplace: false,
    });
  },

  async update(_id: string, olds: TenantDatabaseState, news: TenantDatabaseState) {
    if (olds.password !== news.password || olds.maxConnections !== news.maxConnections) {
      await executeStatements(news, updateStatements(news));
    }
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
      { ...args, dropOnDelete: args.dropOnDelete ?? false, password: pulumi.secret(args.password) },
      { ...opts, additionalSecretOutputs: ["password"] },
      "bbws",
      "TenantDatabase",
    );
  }
}
