/**
 * The configuration a tenant stack must run with: the registry entry resolved against the
 * environment's settings, exactly as the offline engine builds it (`tenantStackConfig`), in the
 * map `stack.setAllConfig` takes (`tenantConfigMap`).
 */
import { PlatformSettings } from "../../config/platformConfig";
import { tenantStackConfig } from "../../offline/tenantRun";
import { TenantEntry } from "../../config/tenantEntry";
import { tenantConfigMap } from "../stackConfig";
import { TenantConfigMap } from "./backend";

/** The configuration map of a registry entry (which must have its listener slot). */
export function desiredConfig(
  settings: PlatformSettings,
  entry: TenantEntry,
  platformStack: string,
  dropDataOnDestroy = false,
): TenantConfigMap {
  return tenantConfigMap(tenantStackConfig(settings, entry, platformStack, dropDataOnDestroy));
}
