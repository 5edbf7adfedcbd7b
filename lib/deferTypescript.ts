/**
 * Loads TypeScript only if Pulumi really uses it.
 *
 * `@pulumi/pulumi` requires its `typescript-shim` when it loads (runtime/closure/parseFunction),
 * and the shim requires the `typescript` package: ~130 ms of a 1.1 s `plan dev` on a 2-core
 * machine, for a compiler that only the serialization of dynamic providers uses (function text
 * is parsed to find what a closure captures). The offline engine skips that serialization
 * (offline/providerSerialization.ts), so a plan never needs it. This puts a stand-in for the
 * shim in Node's module cache that loads the real module on first use, the way the shim itself
 * would (the `typescript` package, else the copy Pulumi vendors). A real `pulumi up` through
 * the Automation API still serializes: its first use of TypeScript loads it.
 *
 * Call before anything loads `@pulumi/pulumi`; a no-op when it is loaded already or laid out
 * differently.
 */
import Module, { createRequire } from "module";
import * as path from "path";

/** Whether the stand-in is in place (for tests). */
export let typescriptDeferred = false;

export function deferTypescriptLoading(): void {
  let shim: string;
  try {
    shim = require.resolve("@pulumi/pulumi/typescript-shim");
  } catch {
    return;
  }
  if (require.cache[shim]) return;
  let real: Record<string | symbol, unknown> | undefined;
  const load = (): Record<string | symbol, unknown> => {
    if (real) return real;
    const requireFromShim = createRequire(shim);
    try {
      real = requireFromShim("typescript") as Record<string | symbol, unknown>;
    } catch {
      real = requireFromShim(
        path.join(path.dirname(shim), "vendor", "typescript@3.8.3", "typescript.js"),
      ) as Record<string | symbol, unknown>;
    }
    return real;
  };
  // Reflection (Object.keys, spreading) sees the real module's properties: the target takes
  // them on first use, as Proxy invariants require for TypeScript's non-configurable exports.
  const target: Record<string | symbol, unknown> = {};
  let filled = false;
  const filledTarget = () => {
    if (!filled) Object.defineProperties(target, Object.getOwnPropertyDescriptors(load()));
    filled = true;
    return target;
  };
  const standIn = new Module(shim);
  standIn.filename = shim;
  standIn.loaded = true;
  standIn.exports = new Proxy(target, {
    get: (_, key) => load()[key],
    has: (_, key) => key in load(),
    set: (_, key, value) => Reflect.set(load(), key, value),
    ownKeys: () => Reflect.ownKeys(filledTarget()),
    getOwnPropertyDescriptor: (_, key) => Reflect.getOwnPropertyDescriptor(filledTarget(), key),
  });
  require.cache[shim] = standIn;
  typescriptDeferred = true;
}
