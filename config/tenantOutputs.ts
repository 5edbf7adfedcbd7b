/**
 * The contract of a tenant stack's outputs: what day-2 operations and the lifecycle read back
 * (`stack.outputs()`), and what the tenant program returns.
 */
import type * as pulumi from "@pulumi/pulumi";
import { BbwsError } from "../lib/errors";

/** Tenant stack outputs as the program returns them. */
export interface TenantOutputs {
  readonly tenantId: string;
  readonly environment: string;
  readonly hosts: readonly string[];
  readonly clusterName: pulumi.Input<string>;
  readonly serviceName: pulumi.Input<string>;
  /** Absent while the site serves nothing (certificateState `pending` without a kept certificate). */
  readonly serviceArn?: pulumi.Input<string>;
  readonly taskDefinitionFamily: string;
  readonly taskDefinitionArn: pulumi.Input<string>;
  /** Image reference the task definition runs. */
  readonly image: pulumi.Input<string>;
  readonly accessPointId: pulumi.Input<string>;
  readonly accessPointArn: pulumi.Input<string>;
  /** Path of the tenant's files on the shared EFS file system, e.g. /tenants/acme. */
  readonly rootDirectory: string;
  readonly databaseName: string;
  readonly databaseUser: string;
  /** Secret with the tenant's database credentials (username, password, host, port, dbname). */
  readonly databaseSecretArn: pulumi.Input<string>;
  readonly wordpressKeysSecretArn: pulumi.Input<string>;
  readonly targetGroupArn: pulumi.Input<string>;
  readonly executionRoleArn: pulumi.Input<string>;
  readonly taskRoleArn: pulumi.Input<string>;

  // ---- Edge: what `tenants add/list/status` report to the operator and the customer ----
  /** The canonical host; every other host redirects to it. */
  readonly primaryHost?: string;
  /** DNS name of the tenant's ALB shard (what customers point their hosts at). */
  readonly loadBalancerDnsName?: pulumi.Input<string>;
  /** The tenant's own ACM certificate, when the wildcard does not cover its hosts. */
  readonly certificateArn?: pulumi.Input<string>;
  /** How the tenant's own certificate stands (config/certificatePlan.ts): none, managed, issued or pending. */
  readonly certificateState?: "none" | "managed" | "issued" | "pending";
  /** Hosts the tenant's own certificate covers (sorted). */
  readonly certificateHosts?: readonly string[];
  /** Hosts the load balancer answers for now (all of them unless a certificate is pending). */
  readonly servingHosts?: readonly string[];
  /** Hosts of the certificate attached to the listener now (what ACM issued). */
  readonly servingCertificateHosts?: readonly string[];
  /** Records the customer must create: name, type, target, purpose (config/edgeHosts.ts). */
  readonly customerRecords?: pulumi.Input<
    readonly { name: string; type: string; target: string; purpose: string }[]
  >;
}

/** Tenant outputs once resolved (what `stack.outputs()` yields). */
export type ResolvedTenantOutputs = {
  readonly [K in keyof TenantOutputs]: TenantOutputs[K] extends pulumi.Input<infer T> ? T : TenantOutputs[K];
};

/** Tenant outputs day-2 operations read. */
const TENANT_KEYS: readonly (keyof ResolvedTenantOutputs)[] = [
  "serviceName",
  "clusterName",
  "databaseName",
  "databaseSecretArn",
  "rootDirectory",
];

/** Checks raw tenant stack outputs: BbwsError (invalidInput) when one ops reads is missing. */
export function tenantOutputsFrom(
  stackName: string,
  raw: Readonly<Record<string, unknown>>,
): ResolvedTenantOutputs {
  const missing = TENANT_KEYS.filter((key) => raw[key] === undefined || raw[key] === "");
  if (missing.length > 0) {
    throw new BbwsError(
      "invalidInput",
      `tenant stack ${stackName} has no output ${missing.join(", ")}; update it (npm run tenants -- sync <env>)`,
    );
  }
  return raw as unknown as ResolvedTenantOutputs;
}

/** True when the stack serves nothing: its first certificate waits for the customer (no service yet). */
export function servesNothing(raw: Readonly<Record<string, unknown>>): boolean {
  return (
    raw.certificateState === "pending" && Array.isArray(raw.servingHosts) && raw.servingHosts.length === 0
  );
}

/**
 * Refuses (nothing changed) an operation that acts through the tenant's ECS service while the
 * tenant has none: its certificate waits for the customer's DNS (certificateState `pending`
 * with nothing served).
 */
export function assertHasService(tenantId: string, outputs: ResolvedTenantOutputs, operation: string): void {
  if (servesNothing(outputs))
    throw new BbwsError(
      "refused",
      `refused to ${operation} tenant ${tenantId}: it has no ECS service yet, its certificate waits for the customer's DNS ` +
        "records (`npm run tenants -- list <env>` prints them; `tenants sync` creates the service once ACM has issued it); nothing was changed",
    );
}
