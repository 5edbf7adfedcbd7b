/**
 * The contract of a tenant stack's outputs: what day-2 operations and the lifecycle read back
 * (`stack.outputs()`), and what the tenant program returns.
 */
import * as pulumi from "@pulumi/pulumi";

/** Tenant stack outputs as the program returns them. */
export interface TenantOutputs {
  readonly tenantId: string;
  readonly environment: string;
  readonly hosts: readonly string[];
  readonly clusterName: pulumi.Input<string>;
  readonly serviceName: pulumi.Input<string>;
  readonly serviceArn: pulumi.Input<string>;
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
}

/** Tenant outputs once resolved (what `stack.outputs()` yields). */
export type ResolvedTenantOutputs = {
  readonly [K in keyof TenantOutputs]: TenantOutputs[K] extends pulumi.Input<infer T> ? T : TenantOutputs[K];
};
