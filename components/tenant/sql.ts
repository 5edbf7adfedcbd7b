/**
 * The SQL that gives a tenant its own MySQL schema and user, and takes them away.
 *
 * Statements are plain text (the RDS Data API and a MySQL client run the same strings) and
 * use only syntax Aurora MySQL 8 and MariaDB share, so integration tests run them against a
 * real server. Identifiers and the password are validated against strict patterns first:
 * nothing that reaches these strings can close a quote.
 */

/** MySQL user names are at most 32 characters; schema names follow the same pattern here. */
const IDENTIFIER = /^[a-z][a-z0-9_]{0,31}$/;
/** Generated passwords are alphanumeric; anything else is refused rather than escaped. */
const PASSWORD = /^[A-Za-z0-9]{16,128}$/;

/**
 * Name of the error thrown for an identifier or password that could change a statement's
 * meaning. A plain Error with this name rather than a subclass: Pulumi serializes the dynamic
 * provider's code, and serialized Error subclasses lose their message.
 */
export const UNSAFE_SQL_INPUT = "UnsafeSqlInputError";

/** What a tenant's database consists of. */
export interface TenantDatabaseSpec {
  readonly databaseName: string;
  readonly username: string;
  readonly password: string;
  /** Concurrent connections the tenant's user may hold (noisy-neighbour guard). */
  readonly maxConnections: number;
}

/** What is wrong with a spec, one sentence per problem; empty when it is safe. */
export function sqlInputProblems(
  spec: Pick<TenantDatabaseSpec, "databaseName" | "username"> & Partial<TenantDatabaseSpec>,
): string[] {
  const problems: string[] = [];
  if (!IDENTIFIER.test(spec.databaseName)) {
    problems.push(
      `refusing database name ${JSON.stringify(spec.databaseName)}: use 1-32 of a-z, 0-9 and _, starting with a letter`,
    );
  }
  if (!IDENTIFIER.test(spec.username)) {
    problems.push(
      `refusing user name ${JSON.stringify(spec.username)}: use 1-32 of a-z, 0-9 and _, starting with a letter`,
    );
  }
  if (spec.password !== undefined && !PASSWORD.test(spec.password)) {
    problems.push("refusing password [secret]: use 16-128 letters and digits");
  }
  if (
    spec.maxConnections !== undefined &&
    (!Number.isInteger(spec.maxConnections) || spec.maxConnections < 1 || spec.maxConnections > 10000)
  ) {
    problems.push(
      `refusing max connections ${String(spec.maxConnections)}: use a whole number from 1 to 10000`,
    );
  }
  return problems;
}

/** Throws an UnsafeSqlInputError-named Error naming every problem of the spec. */
export function assertSafe(
  spec: Pick<TenantDatabaseSpec, "databaseName" | "username"> & Partial<TenantDatabaseSpec>,
): void {
  const problems = sqlInputProblems(spec);
  if (problems.length === 0) return;
  const error = new Error(problems.join("; "));
  error.name = UNSAFE_SQL_INPUT;
  throw error;
}

/**
 * In a database-level GRANT, `_` and `%` are wildcards: an unescaped `wp_a_b` would also grant
 * on tenant `acb`'s schema `wp_acb`. Escaping them makes the grant name exactly one schema.
 */
export function grantPattern(databaseName: string): string {
  return databaseName.replace(/[_%]/g, (c) => `\\${c}`);
}

const user = (name: string) => `'${name}'@'%'`;

/** Creates (or re-activates) the schema and user; safe to run again. */
export function createStatements(spec: TenantDatabaseSpec): string[] {
  assertSafe(spec);
  return [
    `CREATE DATABASE IF NOT EXISTS \`${spec.databaseName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    `CREATE USER IF NOT EXISTS ${user(spec.username)} IDENTIFIED BY '${spec.password}' WITH MAX_USER_CONNECTIONS ${spec.maxConnections}`,
    // The user may survive an earlier removal (data is retained): bring it to the new password
    // and limits, and unlock it.
    `ALTER USER ${user(spec.username)} IDENTIFIED BY '${spec.password}' WITH MAX_USER_CONNECTIONS ${spec.maxConnections}`,
    `ALTER USER ${user(spec.username)} ACCOUNT UNLOCK`,
    `GRANT ALL PRIVILEGES ON \`${grantPattern(spec.databaseName)}\`.* TO ${user(spec.username)}`,
  ];
}

/** Changes the password and connection limit of an existing user. */
export function updateStatements(spec: TenantDatabaseSpec): string[] {
  assertSafe(spec);
  return [
    `ALTER USER ${user(spec.username)} IDENTIFIED BY '${spec.password}' WITH MAX_USER_CONNECTIONS ${spec.maxConnections}`,
  ];
}

/**
 * Removing a tenant keeps its data: the user is locked (no site can log in) and the schema
 * stays. Dropping both happens only when explicitly asked for.
 */
export function deleteStatements(
  spec: Pick<TenantDatabaseSpec, "databaseName" | "username">,
  drop: boolean,
): string[] {
  assertSafe(spec);
  if (!drop) return [`ALTER USER IF EXISTS ${user(spec.username)} ACCOUNT LOCK`];
  return [`DROP DATABASE IF EXISTS \`${spec.databaseName}\``, `DROP USER IF EXISTS ${user(spec.username)}`];
}
