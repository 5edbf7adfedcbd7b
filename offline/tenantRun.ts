/**
 * Runs tenant stack programs offline: the same program the lifecycle gives the Automation API,
 * with the configuration the lifecycle would set, and the platform's outputs behind the
 * StackReference.
 */
import { PlatformSettings } from "../config/platformConfig";
import { TENANT_PROJECT, tenantStackName } from "../config/naming";
import { tenantStackProgram } from "../tenants/program";
import { TenantEntry } from "../config/tenantEntry";
import { tenantStackConfig } from "../tenants/stackConfig";
import { StackRun, runStack } from "./stackRun";
import { planForEntry } from "../config/certificatePlan";

/** Fully qualified platform stack name as StackReferences name it offline. */
export function offlinePlatformStackName(environment: string): string {
  return `organization/bbws/${environment}`;
}

/** What a tenant run needs. */
export interface TenantRunOptions {
  readonly settings: PlatformSettings;
  /** A registry entry with its listener slot. */
  readonly entry: TenantEntry;
  /** Resolved outputs of the environment's platform stack (its platform contract). */
  readonly platformOutputs: Record<string, unknown>;
  readonly dropDataOnDestroy?: boolean;
  /** The configuration of a rollout's forward update (no steady-state wait). @default false */
  readonly skipSteadyStateWait?: boolean;
  /**
   * Hosts of the tenant certificate ACM has issued. @default every host it must cover: the
   * plan shows each site as it runs once its certificate is issued, which is also what the
   * quota preflight must count (the first `tenants add` of a certificate the customer
   * validates stops short of the rules and the service until ACM issues it).
   */
  readonly issuedCertificateHosts?: readonly string[];
}

/** Runs the tenant program of `entry` with the configuration the lifecycle would set. */
export function runTenant(options: TenantRunOptions): Promise<StackRun> {
  const platformStack = offlinePlatformStackName(options.settings.environment);
  const config = tenantStackConfig(options.settings, options.entry, platformStack, {
    dropDataOnDestroy: options.dropDataOnDestroy,
    skipSteadyStateWait: options.skipSteadyStateWait,
    issuedCertificateHosts:
      options.issuedCertificateHosts ?? planForEntry(options.entry, options.settings, []).wanted,
  });
  return runStack(
    {
      project: TENANT_PROJECT,
      stack: tenantStackName(options.settings.environment, options.entry.id),
      region: options.settings.region,
      config: Object.fromEntries(Object.entries(config).map(([key, entry]) => [key, entry.value])),
      secretKeys: Object.entries(config)
        .filter(([, entry]) => entry.secret)
        .map(([key]) => key),
      stackOutputs: { [platformStack]: options.platformOutputs },
    },
    tenantStackProgram,
  );
}
