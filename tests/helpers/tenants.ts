/** Runs tenant stacks offline against a real platform run, for tests. */
import { PlatformSettings } from "../../config/platformConfig";
import { loadStackSettings } from "../../config/readStackConfig";
import { runPlatform } from "../../offline/platformRun";
import { StackRun } from "../../offline/stackRun";
import { runTenant } from "../../offline/tenantRun";
import { TenantEntry } from "../../config/tenantEntry";
import { loadRegistry } from "../../tenants/registry/load";

const platforms = new Map<string, Promise<StackRun>>();

/** The platform run of a committed stack, computed once per test process. */
export function platformOf(stack: string): Promise<StackRun> {
  if (!platforms.has(stack)) platforms.set(stack, runPlatform({ stack }));
  return platforms.get(stack)!;
}

/** Runs one tenant entry in a committed environment. */
export async function runTenantEntry(
  stack: string,
  entry: TenantEntry,
  options: {
    settings?: PlatformSettings;
    dropDataOnDestroy?: boolean;
    skipSteadyStateWait?: boolean;
    /** @default every host the certificate covers (issued: the plan's steady state) */
    issuedCertificateHosts?: readonly string[];
  } = {},
): Promise<StackRun> {
  const platform = await platformOf(stack);
  return runTenant({
    settings: options.settings ?? loadStackSettings(stack),
    entry,
    platformOutputs: platform.outputs,
    dropDataOnDestroy: options.dropDataOnDestroy,
    skipSteadyStateWait: options.skipSteadyStateWait,
    issuedCertificateHosts: options.issuedCertificateHosts,
  });
}

/** The committed registry entry of a tenant. */
export function registryEntry(stack: string, id: string): TenantEntry {
  const entry = loadRegistry(stack).tenants.find((t) => t.id === id);
  if (!entry) throw new Error(`no tenant ${id} in tenants/${stack}.yaml`);
  return entry;
}

/** A minimal valid entry for generated tenants. */
export function entryFor(id: string, priority: number, extra: Partial<TenantEntry> = {}): TenantEntry {
  return { id, hosts: [`${id}.wpdev.example.com`], listener: { shard: 0, priority }, ...extra };
}
