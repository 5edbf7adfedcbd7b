/**
 * The tenant stack configuration: what the lifecycle (and the offline engine) sets on a tenant
 * stack before every run, built from the registry entry by `tenantStackConfig`, and read back by
 * the tenant program with `readTenantStackConfig`. The tenant travels as its spec, parsed with
 * the spec's own schema (config/tenantSpec.ts): nothing about a tenant is declared here.
 */
import * as pulumi from "@pulumi/pulumi";
import { PlatformSettings } from "../config/platformConfig";
import { TenantEntry } from "../config/tenantEntry";
import { TenantSpec, parseTenantSpec, resolveTenantSpec } from "../config/tenantSpec";
import { TENANT_PROJECT } from "../config/naming";
import { BbwsError } from "../lib/errors";

/** Configuration keys of a tenant stack (namespace `bbws-tenant`). */
export const TENANT_CONFIG = {
  environment: `${TENANT_PROJECT}:environment`,
  platformStack: `${TENANT_PROJECT}:platformStack`,
  tenant: `${TENANT_PROJECT}:tenant`,
  dropDataOnDestroy: `${TENANT_PROJECT}:dropDataOnDestroy`,
  // Fleet rollouts (issue 17): the update returns once ECS accepted the deployment.
  skipSteadyStateWait: `${TENANT_PROJECT}:skipSteadyStateWait`,
  // Edge (issue 13): what ACM has issued, so a customer-validated certificate's hosts are served.
  issuedCertificateHosts: `${TENANT_PROJECT}:issuedCertificateHosts`,
} as const;

/** One configuration value as the Automation API sets it. */
export interface ConfigEntry {
  readonly value: string;
  readonly secret: boolean;
}

/** A tenant stack's configuration: fully qualified key to value; `setAllConfig` takes it as is. */
export type TenantStackConfig = Readonly<Record<string, ConfigEntry>>;

/** Options of tenantStackConfig. */
export interface TenantStackConfigOptions {
  /** Set by `tenants remove --purge` before the destroy: drop the schema and user. @default false */
  readonly dropDataOnDestroy?: boolean;

  // --- fleet rollouts (issue 17) ---
  /**
   * Set by `tenants rollout`: the service update does not wait for ECS steady state; the
   * rollout confirms every deployment of a wave together afterwards. @default false (waits)
   */
  readonly skipSteadyStateWait?: boolean;

  // --- edge (issue 13) ---
  /**
   * Hosts of the tenant certificate ACM reports as issued (`issuedCertificateHosts` in
   * tenants/lifecycle/certificates.ts asks it before every update). @default [] (none issued)
   */
  readonly issuedCertificateHosts?: readonly string[];
}

/**
 * The configuration of the tenant stack of `entry` (which must have its listener slot):
 * the entry resolved against the environment's settings into its spec, the platform stack it
 * references (fully qualified, e.g. `acme-org/bbws/dev`) and the AWS region.
 */
export function tenantStackConfig(
  settings: PlatformSettings,
  entry: TenantEntry,
  platformStack: string,
  options: TenantStackConfigOptions = {},
): TenantStackConfig {
  const spec = resolveTenantSpec(entry, settings);
  const plain = (value: string): ConfigEntry => ({ value, secret: false });
  return {
    "aws:region": plain(settings.region),
    [TENANT_CONFIG.environment]: plain(settings.environment),
    [TENANT_CONFIG.platformStack]: plain(platformStack),
    [TENANT_CONFIG.tenant]: plain(JSON.stringify(spec)),
    [TENANT_CONFIG.dropDataOnDestroy]: plain(String(options.dropDataOnDestroy ?? false)),
    // Always written: setAllConfig keeps keys it is not given, so a rollout's "true" must be undone.
    [TENANT_CONFIG.skipSteadyStateWait]: plain(String(options.skipSteadyStateWait ?? false)),
    [TENANT_CONFIG.issuedCertificateHosts]: plain(JSON.stringify(options.issuedCertificateHosts ?? [])),
  };
}

/** A tenant stack's configuration as the running tenant program reads it. */
export interface ParsedTenantStackConfig {
  /** The stack's `aws:region`. */
  readonly region: string;
  readonly environment: string;
  /** Fully qualified name of the platform stack, e.g. `acme-org/bbws/dev`. */
  readonly platformStack: string;
  readonly tenant: TenantSpec;
  /** Drop the schema and user when the stack is destroyed. */
  readonly dropDataOnDestroy: boolean;
  /** The service update returns without waiting for steady state (a fleet rollout confirms it). */
  readonly skipSteadyStateWait: boolean;
  /** Hosts of the tenant certificate ACM has issued (the lifecycle's answer before the update). */
  readonly issuedCertificateHosts: readonly string[];
}

/** Reads and validates the running tenant program's configuration. */
export function readTenantStackConfig(): ParsedTenantStackConfig {
  const config = new pulumi.Config(TENANT_PROJECT);
  const region = new pulumi.Config("aws").require("region");
  const tenant = parseTenantSpec(
    config.requireObject("tenant"),
    TENANT_CONFIG.tenant,
    "re-run the tenant lifecycle to rewrite it from the registry",
  );
  const environment = config.require("environment");
  if (tenant.environment !== environment) {
    throw new BbwsError(
      "invalidInput",
      `${TENANT_CONFIG.tenant}: belongs to environment "${tenant.environment}", the stack to "${environment}"`,
    );
  }
  return {
    region,
    environment,
    platformStack: config.require("platformStack"),
    tenant,
    dropDataOnDestroy: config.getBoolean("dropDataOnDestroy") ?? false,
    skipSteadyStateWait: config.getBoolean("skipSteadyStateWait") ?? false,
    issuedCertificateHosts: parseHostList(config.getObject<unknown>("issuedCertificateHosts")),
  };
}

/** The `issuedCertificateHosts` value: a JSON list of host names; absent (an older stack) is none. */
export function parseHostList(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === "string" && v.length > 0)) {
    throw new BbwsError(
      "invalidInput",
      `${TENANT_CONFIG.issuedCertificateHosts}: expected a JSON list of host names, got ${JSON.stringify(value)}; ` +
        "re-run the tenant lifecycle to rewrite it",
    );
  }
  return value;
}
