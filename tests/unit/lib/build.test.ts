/**
 * The compiled CLI (issue 17, startup): npm scripts run dist/ in plain Node, never ts-node;
 * build.mjs keeps dist/ in step with the sources (rebuilds what changed, deletes what is gone,
 * maps stack traces back to the .ts lines); the project root is found from dist/ too.
 */
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR, findProjectDir } from "../../../lib/projectDir";

const scripts = (
  JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  }
).scripts;

/** A throwaway project with build.mjs, tsconfig.json and the given sources. */
function scratchProject(sources: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bbws-build-"));
  fs.copyFileSync(path.join(PROJECT_DIR, "build.mjs"), path.join(dir, "build.mjs"));
  fs.writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { target: "ES2022", esModuleInterop: true },
      include: ["*.ts", "lib/**/*.ts", "tests/**/*.ts"],
    }),
  );
  fs.symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(dir, "node_modules"));
  for (const [file, text] of Object.entries(sources)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

function build(dir: string): void {
  const result = spawnSync(process.execPath, ["build.mjs"], { cwd: dir, encoding: "utf8" });
  expect(result.status, result.stderr).to.equal(0);
}

/** Sets a file's modification time `seconds` into the future (a later edit). */
function touchLater(file: string, seconds: number): void {
  const later = new Date(Date.now() + seconds * 1000);
  fs.utimesSync(file, later, later);
}

describe("compiled CLI (build.mjs, dist/)", () => {
  it("runs every CLI, docs and benchmark script from dist/ through run.mjs (incremental build first), never ts-node", () => {
    for (const name of ["bbws", "plan", "tenants", "ops", "docs", "bench:cli"]) {
      expect(scripts[name], name).to.match(/^node run\.mjs [\w/]+/);
    }
    const runners = Object.entries(scripts).filter(([name]) => !name.startsWith("test"));
    for (const [name, script] of runners) expect(script, name).not.to.include("ts-node");
    for (const [, script] of Object.entries(scripts)) {
      for (const [, module] of script.matchAll(/node run\.mjs ([\w/]+)/g)) {
        expect(fs.existsSync(path.join(PROJECT_DIR, `${module}.ts`)), module).to.equal(true);
      }
    }
    expect(scripts.prepare, "npm ci builds dist/ through the prepare lifecycle").to.include("node build.mjs");
  });

  it("run.mjs builds what changed, maps a stack trace to the .ts line, and runs the module as main", () => {
    const dir = scratchProject({
      "lib/fail.ts":
        'export function fail(): never {\n  const why: string = "planned";\n  throw new Error(why);\n}\n',
      "main.ts":
        'import { fail } from "./lib/fail";\nif (require.main === module) {\n  console.log(process.argv.slice(2).join(" "));\n  fail();\n}\n',
    });
    fs.copyFileSync(path.join(PROJECT_DIR, "run.mjs"), path.join(dir, "run.mjs"));
    const run = spawnSync(process.execPath, ["run.mjs", "main", "plan", "dev"], {
      cwd: dir,
      encoding: "utf8",
    });
    expect(fs.existsSync(path.join(dir, "dist", "main.js")), "built on the way").to.equal(true);
    expect(run.stdout).to.equal("plan dev\n");
    expect(run.stderr, "the stack trace names the .ts line that threw").to.match(/lib\/fail\.ts:3:/);
    expect(run.status).to.not.equal(0);
    const usage = spawnSync(process.execPath, ["run.mjs"], { cwd: dir, encoding: "utf8" });
    expect(usage.status).to.equal(2);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("finds the project root from the sources and from dist/, and refuses a folder outside it", () => {
    expect(findProjectDir(path.join(PROJECT_DIR, "dist", "lib"))).to.equal(PROJECT_DIR);
    expect(findProjectDir(path.join(PROJECT_DIR, "lib"))).to.equal(PROJECT_DIR);
    expect(() => findProjectDir(os.tmpdir())).to.throw(/no Pulumi\.yaml at or above/);
  });

  it("compiles with source maps, rebuilds a changed source, deletes the output of a removed one, skips tests", () => {
    const dir = scratchProject({
      "lib/fail.ts":
        'export function fail(): never {\n  const why: string = "planned";\n  throw new Error(why);\n}\n',
      "lib/gone.ts": "export const gone = 1;\n",
      "lib/asset.txt": "copied\n",
      "tests/x.test.ts": "export const x = 1;\n",
      "main.ts": 'import { fail } from "./lib/fail";\nfail();\n',
    });
    build(dir);
    const dist = path.join(dir, "dist");
    expect(fs.readFileSync(path.join(dist, "lib", "asset.txt"), "utf8")).to.equal("copied\n");
    expect(fs.existsSync(path.join(dist, "tests"))).to.equal(false);
    const run = spawnSync(process.execPath, ["--enable-source-maps", "dist/main.js"], {
      cwd: dir,
      encoding: "utf8",
    });
    expect(run.stderr, "the stack trace names the .ts line that threw").to.match(/lib\/fail\.ts:3:/);

    fs.rmSync(path.join(dir, "lib", "gone.ts"));
    fs.writeFileSync(
      path.join(dir, "lib", "fail.ts"),
      'export function fail(): void {\n  console.log("edited");\n}\n',
    );
    touchLater(path.join(dir, "lib", "fail.ts"), 5);
    build(dir);
    expect(fs.existsSync(path.join(dist, "lib", "gone.js"))).to.equal(false);
    expect(fs.existsSync(path.join(dist, "lib", "gone.js.map"))).to.equal(false);
    const edited = spawnSync(process.execPath, ["dist/main.js"], { cwd: dir, encoding: "utf8" });
    expect(edited.stdout).to.equal("edited\n");
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
