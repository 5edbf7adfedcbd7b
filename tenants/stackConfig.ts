/**
 * Configuration of a tenant stack: written by the lifecycle (and the offline engine) from the
 * registry entry on every run, read and validated by the tenant stack program.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ResolvedTenant } from "../config/tenantSpec";
import { listenerSlotSchema, scheduleSchema } from "../config/tenantEntry";
import { TENANT_PROJECT } from "../config/naming";

/** Configuration keys of a tenant stack (namespace `bbws-tenant`). */
export const TENANT_CONFIG = {
  environment: `${TENANT_PROJECT}:environment`,
  platformStack: `${TENANT_PROJECT}:platformStack`,
  tenant: `${TENANT_PROJECT}:tenant`,
  dropDataOnDestroy: `${TENANT_PROJECT}:dropDataOnDestroy`,
} as const;

const resolvedTenantSchema = z
  .object({
    id: z.string(),
    environment: z.string(),
    hosts: z.array(z.string()).min(1).max(5),
    size: z.object({ cpu: z.number().int(), memory: z.number().int() }).strict(),
    desiredCount: z.number().int().min(0),
    minTasks: z.number().int().min(0),
    maxTasks: z.number().int().min(1),
    highAvailability: z.boolean(),
    capacityStrategy: z
      .array(
        z
          .object({
            capacityProvider: z.enum(["FARGATE", "FARGATE_SPOT"]),
            base: z.number().int().min(0),
            weight: z.number().int().min(0),
          })
          .strict(),
      )
      .min(1),
    schedule: scheduleSchema.optional(),
    image: z.string().optional(),
    listener: listenerSlotSchema,
    containerInsights: z.boolean(),
    healthCheckGracePeriodSeconds: z.number().int().min(0),
    availabilityZones: z.number().int().min(1).max(6),
    protectData: z.boolean(),
  })
  .strict();

/** A tenant stack's configuration. */
export interface TenantStackConfig {
  readonly region: string;
  readonly environment: string;
  /** Fully qualified name of the platform stack, e.g. `acme-org/bbws/dev`. */
  readonly platformStack: string;
  readonly tenant: ResolvedTenant;
  /** Set by `tenants remove --purge` before the destroy: drop the schema and user. */
  readonly dropDataOnDestroy: boolean;
}

/** One configuration value as the Automation API sets it. */
export interface ConfigEntry {
  readonly value: string;
  readonly secret: boolean;
}

/** The stack configuration for a tenant; `setAllConfig` takes it as is. */
export function tenantConfigMap(config: TenantStackConfig): Record<string, ConfigEntry> {
  return {
    "aws:region": { value: config.region, secret: false },
    [TENANT_CONFIG.environment]: { value: config.environment, secret: false },
    [TENANT_CONFIG.platformStack]: { value: config.platformStack, secret: false },
    [TENANT_CONFIG.tenant]: { value: JSON.stringify(config.tenant), secret: false },
    [TENANT_CONFIG.dropDataOnDestroy]: { value: String(config.dropDataOnDestroy), secret: false },
  };
}

/** Reads and validates the running tenant program's configuration. */
export function readTenantStackConfig(): TenantStackConfig {
  const config = new pulumi.Config(TENANT_PROJECT);
  const region = new pulumi.Config("aws").require("region");
  const tenant = resolvedTenantSchema.safeParse(config.requireObject("tenant"));
  if (!tenant.success) {
    const issue = tenant.error.issues[0];
    throw new Error(
      `${TENANT_CONFIG.tenant}: ${issue.path.join(".") || "(root)"}: ${issue.message}; re-run the tenant lifecycle to rewrite it from the registry`,
    );
  }
  const environment = config.require("environment");
  if (tenant.data.environment !== environment) {
    throw new Error(
      `${TENANT_CONFIG.tenant}: belongs to environment "${tenant.data.environment}", the stack to "${environment}"`,
    );
  }
  return {
    region,
    environment,
    platformStack: config.require("platformStack"),
    tenant: tenant.data,
    dropDataOnDestroy: config.getBoolean("dropDataOnDestroy") ?? false,
  };
}
