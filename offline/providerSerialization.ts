/**
 * Dynamic providers are not serialized when a program runs under the offline engine from the
 * operator CLI (`plan`, `tenants ... --offline`).
 *
 * For a real deployment Pulumi serializes each dynamic resource's provider (its functions and
 * what they capture) so that its provider host can load it; to find the source of captured
 * functions it opens an inspector session and enables the debugger, which took ~0.4 s of a
 * 1.6 s `plan dev` on a 2-core machine (the first tenant stack: 423 ms against 50-70 ms for
 * the next ones). Under mocks the text goes nowhere: the mocks never run a provider and the
 * plan never shows it. Whether a provider serializes depends on its code, never on the
 * registry or the configuration that a plan judges, so that is what tests check: each provider
 * is serialized with Pulumi's own function, loaded on its own and exercised
 * (tests/unit/tenantDatabase.test.ts, tests/unit/installTask.test.ts).
 *
 * Opt-in per process, applied per offline run: the CLI's entry point allows it (its plan
 * workers inherit the setting), each offline run turns it on for its own length only, and tests
 * keep the real serialization. A real `pulumi up` through the Automation API (inline programs
 * run in the CLI's process) never runs inside an offline run, so it always serializes.
 */

/** The environment variable a CLI process sets for itself and its plan workers. */
export const SKIP_SERIALIZATION_ENV = "BBWS_OFFLINE_SKIP_PROVIDER_SERIALIZATION";

/** What a provider's serialized text is offline. */
export const OFFLINE_PROVIDER_TEXT =
  "/* not serialized by the offline engine (offline/providerSerialization.ts) */";

/** Lets offline runs of this process (and of the workers it starts) skip the serialization. */
export function allowOfflineProviderShortcut(): void {
  process.env[SKIP_SERIALIZATION_ENV] = "1";
}

/**
 * For the length of one offline run: when allowed, replaces the function
 * `pulumi.dynamic.Resource` calls (runtime/closure/serializeClosure's serializeFunction, looked
 * up on each call) by one that answers OFFLINE_PROVIDER_TEXT, and turns off Pulumi's cache of
 * serialized providers (our providers are module-level objects: a cached marker would be
 * reused by every later resource of the process). Returns what puts both back, so a real
 * deployment in the same process always serializes; a program run through the Automation API
 * (its own async-local store) is served by the real function even during an offline run. If
 * Pulumi moved any of this, nothing changes: the run serializes for real, slower and just as
 * correct.
 */
export function applyOfflineProviderShortcut(): () => void {
  const nothing = () => undefined;
  if (process.env[SKIP_SERIALIZATION_ENV] !== "1") return nothing;
  let closure: Record<string, unknown>;
  let state: { getStore(): { settings: { options: Record<string, unknown> } }; getLocalStore(): unknown };
  try {
    /* eslint-disable @typescript-eslint/no-require-imports */
    closure = require("@pulumi/pulumi/runtime/closure/serializeClosure") as Record<string, unknown>;
    state = require("@pulumi/pulumi/runtime/state") as typeof state;
    /* eslint-enable @typescript-eslint/no-require-imports */
  } catch {
    return nothing; // another layout of @pulumi/pulumi: keep the real serialization
  }
  const real = closure.serializeFunction;
  const options = state.getStore?.()?.settings?.options;
  if (typeof real !== "function" || typeof state.getLocalStore !== "function" || !options) return nothing;
  const cached = options.cacheDynamicProviders;
  options.cacheDynamicProviders = false;
  const markerSerialize = (...args: unknown[]): Promise<unknown> =>
    state.getLocalStore() !== undefined
      ? (real as (...a: unknown[]) => Promise<unknown>)(...args)
      : Promise.resolve({ text: OFFLINE_PROVIDER_TEXT, exportName: "handler", containsSecrets: false });
  closure.serializeFunction = markerSerialize;
  return () => {
    // Only our own replacement is taken back (another copy of this module may have put its own).
    if (closure.serializeFunction === markerSerialize) closure.serializeFunction = real;
    options.cacheDynamicProviders = cached;
  };
}
