// `npm test`: every check of the project, in less wall time than running them one by one.
//
//   1. typecheck: the TypeScript program of tsconfig.json, every diagnostic `tsc --noEmit` reports;
//   2. lint: `eslint .` with the project's eslint.config.mjs, its type-aware rules reading the
//      SAME program (typescript-eslint's `parserOptions.programs`) instead of building a second
//      one through the project service: the program is the costly part of both tools;
//   3. the unit tests: mocha (.mocharc.json) with its files spread over two worker processes,
//      started first in a child process so it runs beside 1 and 2.
//
// Each check reports in full and the command fails if any failed. `npm run typecheck`,
// `npm run lint` and `npm run test:unit` still run each one alone.
import { spawn } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);

/**
 * Test files in two worker processes: every file plans into temporary directories and its own
 * Pulumi mocks (one set per process), none shares a port, a file or an environment variable.
 */
const MOCHA_PARALLEL = ["--parallel", "--jobs", "2"];

/** Starts mocha as `npm run test:unit` does, its output streaming to ours; resolves with its exit code. */
function startUnitTests() {
  const child = spawn(process.execPath, [require.resolve("mocha/bin/mocha.js"), ...MOCHA_PARALLEL], {
    cwd: ROOT,
    env: {
      ...process.env,
      TS_NODE_TRANSPILE_ONLY: "true",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  return new Promise((resolve) => {
    child.on("error", (error) => {
      process.stderr.write(`mocha did not start: ${error.message}\n`);
      resolve(1);
    });
    child.on("close", (code) => resolve(code ?? 1));
  });
}

/** Builds the tsconfig.json program once and reports its diagnostics as tsc would. */
function typecheck(ts) {
  const host = {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    },
  };
  const parsed = ts.getParsedCommandLineOfConfigFile(
    path.join(ROOT, "tsconfig.json"),
    { noEmit: true },
    host,
  );
  const compilerHost = ts.createCompilerHost(parsed.options, true);
  const program = ts.createProgram({
    rootNames: parsed.fileNames,
    options: parsed.options,
    projectReferences: parsed.projectReferences,
    host: compilerHost,
  });
  const diagnostics = [...parsed.errors, ...ts.getPreEmitDiagnostics(program)];
  const text = ts.formatDiagnosticsWithColorAndContext(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => ROOT,
    getNewLine: () => "\n",
  });
  return { program, errors: diagnostics.length, text };
}

/** `eslint .` with the project's configuration, type information from `program`. */
async function lint(program) {
  const { ESLint } = require("eslint");
  const eslint = new ESLint({
    cwd: ROOT,
    overrideConfig: { languageOptions: { parserOptions: { projectService: false, programs: [program] } } },
  });
  const results = await eslint.lintFiles(["."]);
  const formatter = await eslint.loadFormatter("stylish");
  const errors = results.reduce((n, r) => n + r.errorCount + r.fatalErrorCount, 0);
  return { errors, text: await formatter.format(results) };
}

async function main() {
  const started = Date.now();
  const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const unitTests = startUnitTests();
  const failed = [];

  const ts = require("typescript");
  const checked = typecheck(ts);
  process.stdout.write(`typecheck: ${checked.errors} error(s) (${seconds()})\n${checked.text}`);
  if (checked.errors > 0) failed.push("typecheck");

  const linted = await lint(checked.program);
  process.stdout.write(`lint: ${linted.errors} error(s) (${seconds()})\n${linted.text}`);
  if (linted.errors > 0) failed.push("lint");

  const testsExit = await unitTests;
  process.stdout.write(`unit tests: exit ${testsExit} (${seconds()})\n`);
  if (testsExit !== 0) failed.push("unit tests");

  if (failed.length > 0) {
    process.stdout.write(`npm test: FAILED: ${failed.join(", ")}\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(`npm test: typecheck, lint and unit tests passed in ${seconds()}\n`);
  }
}

main().catch((error) => {
  process.stderr.write(`npm test: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
