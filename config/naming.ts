/**
 * Names derived from an environment and a tenant id. They are external contracts: operators
 * see them in the console, day-2 operations look resources up by them, and renaming one
 * replaces resources. Tenant ids are validated by the registry schema before they get here.
 */

/** Pulumi project of the tenant stacks (the platform project is `bbws`). */
export const TENANT_PROJECT = "bbws-tenant";

/** Tenant stack name: one stack per tenant and environment. */
export function tenantStackName(environment: string, tenantId: string): string {
  return `${environment}.${tenantId}`;
}

/** Parses a tenant stack name back into environment and tenant id. */
export function parseTenantStackName(
  stackName: string,
): { environment: string; tenantId: string } | undefined {
  const match = /^([a-z][a-z0-9-]*)\.([a-z][a-z0-9-]*)$/.exec(stackName.split("/").pop() ?? "");
  return match ? { environment: match[1], tenantId: match[2] } : undefined;
}

/** ECS cluster of an environment. */
export function clusterName(environment: string): string {
  return `bbws-${environment}`;
}

/** ECS service of a tenant (unique within the environment's cluster). */
export function serviceName(tenantId: string): string {
  return `${tenantId}-wordpress`;
}

/** Task definition family of a tenant. */
export function taskFamily(environment: string, tenantId: string): string {
  return `${environment}-${tenantId}-wordpress`;
}

/** The tenant's directory on the shared EFS file system (its access point's root). */
export function tenantRootDirectory(tenantId: string): string {
  return `/tenants/${tenantId}`;
}

/** MySQL schema and user of a tenant: `wp_` + the id with hyphens as underscores. */
export function databaseName(tenantId: string): string {
  return `wp_${tenantId.replace(/-/g, "_")}`;
}
export function databaseUser(tenantId: string): string {
  return databaseName(tenantId);
}

/** Secrets Manager names of a tenant's secrets. */
export function secretName(
  environment: string,
  tenantId: string,
  purpose: "db" | "wordpress-keys" | "smtp",
): string {
  return `bbws/${environment}/${tenantId}/${purpose}`;
}

/**
 * SSM Parameter Store names of a tenant's parameters: `/bbws/<env>/<id>/<purpose>`, a path (so
 * `get-parameters-by-path /bbws/<env>/<id>` lists a tenant's, and IAM can name them by prefix).
 * Fixed names, not prefixes: a deleted parameter is gone at once, there is no recovery window
 * to collide with.
 */
export function parameterName(environment: string, tenantId: string, purpose: "admin-password"): string {
  return `/bbws/${environment}/${tenantId}/${purpose}`;
}
