/**
 * Runs tenant stack programs offline: the same program the lifecycle gives the Automation API,
 * with the configuration the lifecycle would set, and the platform's outputs behind the
 * StackReference.
 */
import { PlatformSettings } from "../config/platformConfig";
import { TENANT_PROJECT, tenantStackName } from "../config/naming";
import { tenantStackProgram } from "../tenants/program";
import { TenantEntry } from "../config/tenantEntry";
import { resolveTenant } from "../config/tenantSpec";
import { TenantStackConfig, tenantConfigMap } from "../tenants/stackConfig";
import { StackRun, runStack } from "./stackRun";

/** Fully qualified platform stack name as StackReferences name it offline. */
export function offlinePlatformStackName(environment: string): string {
  return `organization/bbws/${environment}`;
}

export interface TenantRunOptions {
  readonly settings: PlatformSettings;
  /** A registry entry with its listener slot. */
  readonly entry: TenantEntry;
  /** Resolved outputs of the environment's platform stack. */
  readonly platformOutputs: Record<string, unknown>;
  readonly dropDataOnDestroy?: boolean;
}

/** The configuration a tenant stack gets (the lifecycle sets the same map). */
export function tenantStackConfig(
  settings: PlatformSettings,
  entry: TenantEntry,
  platformStack: string,
  dropDataOnDestroy = false,
): TenantStackConfig {
  return {
    region: settings.region,
    environment: settings.environment,
    platformStack,
    tenant: resolveTenant(entry, settings),
    dropDataOnDestroy,
  };
}

export function runTenant(options: TenantRunOptions): Promise<StackRun> {
  const platformStack = offlinePlatformStackName(options.settings.environment);
  const config = tenantStackConfig(options.settings, options.entry, platformStack, options.dropDataOnDestroy);
  const flat = Object.fromEntries(Object.entries(tenantConfigMap(config)).map(([k, v]) => [k, v.value]));
  const secretKeys = Object.entries(tenantConfigMap(config))
    .filter(([, v]) => v.secret)
    .map(([k]) => k);
  return runStack(
    {
      project: TENANT_PROJECT,
      stack: tenantStackName(options.settings.environment, options.entry.id),
      region: options.settings.region,
      config: flat,
      secretKeys,
      stackOutputs: { [platformStack]: options.platformOutputs },
    },
    tenantStackProgram,
  );
}
