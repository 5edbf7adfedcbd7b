// `node build.mjs`: compiles the TypeScript sources into dist/ with SWC (native speed, one file
// at a time, no type check: `npm test` type-checks) so the CLI, the docs generator and the
// benchmarks start in plain Node instead of ts-node. Run by npm's `prepare` (so `npm ci` builds)
// and before every npm script that runs dist/, where it only recompiles the files that changed:
// a source newer than its output is rebuilt, an output whose source is gone is deleted, and a
// change of this file or of tsconfig.json rebuilds everything. Source maps point stack traces
// (run.mjs, or `node --enable-source-maps`) at the .ts lines.
//
// Files of other kinds under the source folders (Dockerfiles, policy pack files...) are copied
// beside the compiled modules, so code that reads a file next to itself (`__dirname`) finds it
// in dist/ too. `pulumi up` does not use dist/: Pulumi runs index.ts through its own ts-node.
import * as fs from "node:fs";
import * as path from "node:path";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const ROOT = path.dirname(fileURLToPath(import.meta.url));
const OUT = path.join(ROOT, "dist");
const STAMP = path.join(OUT, ".build.json");
/** Folders whose files are never product sources. */
const SKIPPED = new Set(["node_modules", "tests", "dist", "bin", ".workspaces", ".stryker-tmp", "reports"]);

/** The tsconfig include patterns as folders (`lib/**\/*.ts` -> lib) and the root's own files. */
function sourceRoots(tsconfig) {
  return tsconfig.include
    .map((pattern) => pattern.split("/")[0])
    .filter((first) => !first.includes("*") && !SKIPPED.has(first));
}

/** Every file under `dir` (relative to ROOT), skipping generated and dependency folders. */
function walk(dir, files) {
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED.has(entry.name)) walk(relative, files);
    } else if (entry.isFile() && !entry.name.endsWith(".md") && !entry.name.endsWith(".d.ts")) {
      files.push(relative);
    }
  }
  return files;
}

/** SWC options equivalent to what ts-node --swc derives from tsconfig.json (CommonJS, ES2022). */
function swcOptions(compilerOptions) {
  return {
    module: { type: "commonjs", noInterop: !compilerOptions.esModuleInterop, strictMode: true },
    jsc: {
      parser: { syntax: "typescript" },
      target: compilerOptions.target.toLowerCase(),
      keepClassNames: true,
      transform: { useDefineForClassFields: true },
    },
    sourceMaps: true,
  };
}

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

function main() {
  const tsconfigText = fs.readFileSync(path.join(ROOT, "tsconfig.json"), "utf8");
  const tsconfig = JSON.parse(tsconfigText);
  const options = swcOptions(tsconfig.compilerOptions);
  const fingerprint = createHash("sha256")
    .update(fs.readFileSync(fileURLToPath(import.meta.url)))
    .update(tsconfigText)
    .digest("hex");
  let stamp;
  try {
    stamp = JSON.parse(fs.readFileSync(STAMP, "utf8"));
  } catch {
    stamp = undefined;
  }
  const full = stamp?.fingerprint !== fingerprint;

  const sources = fs.readdirSync(ROOT).filter((name) => name.endsWith(".ts") && !name.endsWith(".d.ts"));
  for (const root of sourceRoots(tsconfig)) if (fs.existsSync(path.join(ROOT, root))) walk(root, sources);

  const expected = new Set([STAMP]);
  let swc;
  let compiled = 0;
  for (const source of sources) {
    const from = path.join(ROOT, source);
    const isTs = source.endsWith(".ts");
    const to = path.join(OUT, isTs ? source.replace(/\.ts$/, ".js") : source);
    expected.add(to);
    if (isTs) expected.add(`${to}.map`);
    if (!full && mtime(to) >= mtime(from)) continue;
    fs.mkdirSync(path.dirname(to), { recursive: true });
    if (isTs) {
      swc ??= createRequire(import.meta.url)("@swc/core");
      const output = swc.transformFileSync(from, {
        ...options,
        filename: from,
        sourceFileName: path.relative(path.dirname(to), from),
      });
      fs.writeFileSync(`${to}.map`, output.map);
      fs.writeFileSync(to, `${output.code}\n//# sourceMappingURL=${path.basename(to)}.map\n`);
    } else {
      fs.copyFileSync(from, to);
    }
    compiled++;
  }

  // A module deleted from the sources must not stay importable from dist/.
  let removed = 0;
  if (fs.existsSync(OUT)) {
    for (const output of walkAbsolute(OUT, [])) {
      if (!expected.has(output)) {
        fs.rmSync(output);
        removed++;
      }
    }
  }
  if (full || compiled > 0 || removed > 0) {
    fs.mkdirSync(OUT, { recursive: true });
    fs.writeFileSync(STAMP, JSON.stringify({ fingerprint }));
  }
  if (process.argv.includes("--verbose") || full) {
    process.stderr.write(`build: ${compiled} file(s) compiled or copied into dist/, ${removed} removed\n`);
  }
}

function walkAbsolute(dir, files) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walkAbsolute(full, files);
    else files.push(full);
  }
  return files;
}

main();
