/**
 * The SQL that gives a tenant its own MySQL schema and user, and takes them away.
 *
 * Statements are plain text (the RDS Data API and a MySQL client run the same strings) and
 * use only syntax Aurora MySQL 8 and MariaDB share, so integration tests run them against a
 * real server. Identifiers and the password are validated against strict patterns first:
 * nothing that reaches these strings can close a quote.
 *
 * No statement carries a password. Aurora MySQL's Advanced Auditing writes the text of every
 * statement of an audited class to the audit log "in plain text" (QUERY_DCL: "returns only data
 * control language (DCL) queries", the `object` field being "the executed query";
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Auditing.html), and
 * the cluster exports that log to CloudWatch Logs with CONNECT,QUERY_DCL,QUERY_DDL on (RDS.45):
 * an `IDENTIFIED BY '<password>'` would land there. CloudTrail is not the leak: for Aurora
 * provisioned and Serverless v2 the Data API's ExecuteStatement is a data event whose `sql`,
 * `database` and `schema` are masked ("**********"; "Event data doesn't reveal the database
 * name, schema name, or SQL statements in requests to the Data API",
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/logging-using-cloudtrail-data-api.html).
 * So users are identified `WITH mysql_native_password AS '<hash>'`: the statement holds only
 * the stored form of the password (SHA1(SHA1(password)), which does not log in by itself), and
 * the audit log keeps working for every DCL statement.
 */
import { createHash } from "crypto";

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
 * The stored form of a password for the mysql_native_password plugin: `*` and the upper-case
 * hex of SHA1(SHA1(password)), what MySQL's and MariaDB's PASSWORD() return. Only the client's
 * SHA1(password) answers the login challenge, so the stored form does not log in.
 */
export function nativePasswordHash(password: string): string {
  const stage1 = createHash("sha1").update(password, "utf8").digest();
  return `*${createHash("sha1").update(stage1).digest("hex").toUpperCase()}`;
}

/**
 * In a database-level GRANT, `_` and `%` are wildcards: an unescaped `wp_a_b` would also grant
 * on tenant `acb`'s schema `wp_acb`. Escaping them makes the grant name exactly one schema.
 */
export function grantPattern(databaseName: string): string {
  return databaseName.replace(/[_%]/g, (c) => `\\${c}`);
}

const user = (name: string) => `'${name}'@'%'`;
const identified = (password: string) =>
  `IDENTIFIED WITH mysql_native_password AS '${nativePasswordHash(password)}'`;
/**
 * Tenant users connect only over TLS, whatever the server's require_secure_transport says
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Security.html).
 */
const limits = (spec: Pick<TenantDatabaseSpec, "maxConnections">) =>
  `REQUIRE SSL WITH MAX_USER_CONNECTIONS ${spec.maxConnections}`;

/**
 * Creates (or re-activates) the schema and user; safe to run again. A user that survives an
 * earlier removal (its data retained) is brought to the new password and limits and unlocked:
 * the lifecycle refuses that case unless the operator asks to adopt the retained data
 * (`tenants add --adopt-retained-data`, see tenants/registry/tombstones.ts).
 */
export function createStatements(spec: TenantDatabaseSpec): string[] {
  assertSafe(spec);
  return [
    `CREATE DATABASE IF NOT EXISTS \`${spec.databaseName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    `CREATE USER IF NOT EXISTS ${user(spec.username)} ${identified(spec.password)} ${limits(spec)}`,
    `ALTER USER ${user(spec.username)} ${identified(spec.password)} ${limits(spec)}`,
    `ALTER USER ${user(spec.username)} ACCOUNT UNLOCK`,
    `GRANT ALL PRIVILEGES ON \`${grantPattern(spec.databaseName)}\`.* TO ${user(spec.username)}`,
  ];
}

/**
 * Brings an existing user to its connection limit and TLS requirement. Never its password:
 * after creation the password belongs to `ops rotate-db-password` and the secret (see
 * tenantDatabase.ts).
 */
export function updateStatements(
  spec: Pick<TenantDatabaseSpec, "databaseName" | "username" | "maxConnections">,
): string[] {
  assertSafe(spec);
  return [`ALTER USER ${user(spec.username)} ${limits(spec)}`];
}

/** Sets a user's password (rotation, and its put-back); the old password stops working at once. */
export function passwordStatements(
  spec: Pick<TenantDatabaseSpec, "databaseName" | "username" | "password">,
): string[] {
  assertSafe(spec);
  return [`ALTER USER ${user(spec.username)} ${identified(spec.password)}`];
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
