// `node run.mjs <module> [args...]`: what the npm scripts run (`npm run plan -- dev` is
// `node run.mjs cli/main plan dev`). One process instead of two, and no eager source maps:
//
// 1. brings dist/ up to date (build.mjs, incremental: a no-op when nothing changed);
// 2. maps stack traces to the .ts sources when one is printed (source-map-support reads a map
//    only then; `node --enable-source-maps` reads the map of every module as it loads, about
//    3,000 of them in @pulumi/*, ~0.1 s of a 1.1 s `plan dev`);
// 3. runs dist/<module>.js as the main module (`require.main === module` holds in it).
import * as path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const ROOT = path.dirname(fileURLToPath(import.meta.url));
const [, , target, ...args] = process.argv;
if (!target) {
  process.stderr.write("usage: node run.mjs <module under dist/, e.g. cli/main> [args...]\n");
  process.exit(2);
}
await import("./build.mjs");
const require = createRequire(import.meta.url);
require("source-map-support").install({ environment: "node" });
process.argv = [process.argv[0], path.join(ROOT, "dist", `${target}.js`), ...args];
require("node:module").runMain();
