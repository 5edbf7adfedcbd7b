/**
 * Everything a command needs about an environment and a tenant: the registry entry, the
 * platform contract and the tenant stack outputs. Outputs come through a small interface so
 * tests inject a fake and never need the Pulumi CLI (the real source is
 * `tenants/stackOutputs.ts`, which parses the platform's outputs with `parsePlatformContract`).
 *
 * The tenant is checked against `tenants/<env>.yaml` first: an unknown tenant fails before any
 * stack or AWS call.
 */
import { closest } from "fastest-levenshtein";
import { PlatformContract, parsePlatformContract } from "../config/platformContract";
import { ResolvedTenantOutputs } from "../config/tenantOutputs";
import { loadRegistry, registryPath } from "../tenants/registry/load";
import { TenantEntry } from "../config/tenantEntry";
import { BbwsError } from "../lib/errors";

/** Where stack outputs come from. */
export interface StackOutputsSource {
  /** The platform contract of the platform stack `<env>`, parsed (`parsePlatformContract`). */
  platform(environment: string): Promise<PlatformContract>;
  /** Outputs of the tenant stack `<env>.<tenantId>`. */
  tenant(environment: string, tenantId: string): Promise<ResolvedTenantOutputs>;
}

/** What a command knows about its tenant. */
export interface TenantContext {
  readonly environment: string;
  readonly tenantId: string;
  readonly entry: TenantEntry;
  readonly platform: PlatformContract;
}

/** A context with the tenant stack's outputs as well. */
export interface TenantContextWithOutputs extends TenantContext {
  readonly tenant: ResolvedTenantOutputs;
}

/** How to load a context. */
export interface ContextDeps {
  readonly source: StackOutputsSource;
  /** Registry file. @default tenants/<env>.yaml */
  readonly registryFile?: string;
}

/** The registry entry of a tenant; BbwsError (notFound) when the registry has none. */
export function registryEntry(environment: string, tenantId: string, registryFile?: string): TenantEntry {
  const { tenants } = loadRegistry(environment, registryFile ?? registryPath(environment));
  const entry = tenants.find((t) => t.id === tenantId);
  if (entry) return entry;
  throw unknownTenant(
    environment,
    tenantId,
    tenants.map((t) => t.id),
  );
}

/** The error for a tenant id the registry does not list, suggesting the closest one. */
export function unknownTenant(environment: string, tenantId: string, ids: readonly string[]): BbwsError {
  const suggestion = ids.length > 0 ? `; did you mean "${closest(tenantId, [...ids])}"?` : "";
  return new BbwsError(
    "notFound",
    `tenant "${tenantId}" is not in the ${environment} registry (tenants/${environment}.yaml lists ` +
      `${ids.length > 0 ? ids.join(", ") : "no tenants"})${suggestion}`,
  );
}

/** Loads the registry entry and the platform outputs (and the tenant's outputs when asked). */
export async function loadTenantContext(
  environment: string,
  tenantId: string,
  deps: ContextDeps,
): Promise<TenantContext> {
  const entry = registryEntry(environment, tenantId, deps.registryFile);
  const platform = await deps.source.platform(environment);
  return { environment, tenantId, entry, platform };
}

/** Like loadTenantContext, with the tenant stack's outputs. */
export async function loadTenantContextWithOutputs(
  environment: string,
  tenantId: string,
  deps: ContextDeps,
): Promise<TenantContextWithOutputs> {
  const context = await loadTenantContext(environment, tenantId, deps);
  const tenant = await deps.source.tenant(environment, tenantId);
  return { ...context, tenant };
}

/**
 * Parses the raw outputs of the platform stack `<env>` (as `pulumi stack output` gives them) as
 * the platform contract. A platform of an older contract version, or one whose outputs do not
 * satisfy it, throws BbwsError (invalidInput) saying to run `pulumi up -s <env>`.
 */
export function platformContractFrom(
  environment: string,
  raw: Readonly<Record<string, unknown>>,
): PlatformContract {
  return parsePlatformContract(raw, { stack: environment, environment });
}
