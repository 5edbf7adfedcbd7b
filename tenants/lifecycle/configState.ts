/**
 * How the lifecycle tells whether a stack runs the configuration the registry implies: a hash
 * of the whole configuration map, recorded with the stack after every successful update (a
 * stack tag with the Automation API, the state file offline). The workspace's own config file
 * is not the truth: it is git-ignored (another machine has none) and holds the configuration of
 * the last attempt, even a failed one.
 */
import { TenantStackConfig } from "../stackConfig";
import { createHash } from "crypto";
import { TENANT_CONFIG } from "../stackConfig";

/** Stack tag holding the hash of the configuration of the last successful update. */
export const CONFIG_HASH_TAG = "bbws:config-sha256";

/**
 * Keys that say how an update runs, not what the stack is (a rollout's steady-state wait):
 * neither the hash nor the differences count them, so a rolled-out stack reads "in sync".
 */
const HOW_NOT_WHAT: ReadonlySet<string> = new Set([TENANT_CONFIG.skipSteadyStateWait]);

/** A stable hash of a configuration map (key order does not matter). */
export function configHash(config: TenantStackConfig): string {
  const entries = Object.keys(config)
    .filter((key) => !HOW_NOT_WHAT.has(key))
    .sort()
    .map((key) => [key, config[key].value, config[key].secret]);
  return createHash("sha256").update(JSON.stringify(entries)).digest("hex");
}

/**
 * What differs between two configurations, as an operator reads it: configuration keys, and
 * for the resolved tenant (one JSON value) the fields inside it, e.g. `tenant.size`.
 */
export function configDifferences(desired: TenantStackConfig, current: TenantStackConfig): string[] {
  const keys = [...new Set([...Object.keys(desired), ...Object.keys(current)])]
    .filter((key) => !HOW_NOT_WHAT.has(key))
    .sort();
  const differences: string[] = [];
  for (const key of keys) {
    const want = desired[key];
    const have = current[key];
    if (want?.value === have?.value && Boolean(want?.secret) === Boolean(have?.secret)) continue;
    if (key === TENANT_CONFIG.tenant && want && have) {
      differences.push(...jsonFieldDifferences(want.value, have.value).map((field) => `tenant.${field}`));
    } else {
      differences.push(key.replace(/^bbws-tenant:/, ""));
    }
  }
  return differences;
}

function jsonFieldDifferences(a: string, b: string): string[] {
  let left: Record<string, unknown>;
  let right: Record<string, unknown>;
  try {
    left = JSON.parse(a) as Record<string, unknown>;
    right = JSON.parse(b) as Record<string, unknown>;
  } catch {
    return ["(value)"];
  }
  const fields = [...new Set([...Object.keys(left), ...Object.keys(right)])].sort();
  return fields.filter((f) => JSON.stringify(left[f]) !== JSON.stringify(right[f]));
}
