/**
 * TypeScript loads only when Pulumi uses it (lib/deferTypescript.ts): not for loading
 * `@pulumi/pulumi` or for a plan, and still for a real serialization of a dynamic provider. In
 * child processes of the compiled code (dist/, built first): the stand-in lives in Node's
 * module cache, and the tests' own loader (ts-node) would load TypeScript itself.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";

const ROOT = path.resolve(__dirname, "..", "..");
/** Whether TypeScript's compiler module is loaded. */
const LOADED = String.raw`Object.keys(require.cache).some((k) => /[\\/]typescript[\\/]lib[\\/]typescript\.js$/.test(k))`;

function node(args: string[]): { stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8" });
  expect(run.status, run.stderr).to.equal(0);
  return run;
}

describe("TypeScript deferred until Pulumi uses it", function () {
  this.timeout(60000);
  before(() => node(["build.mjs"]));

  it("loading @pulumi/pulumi leaves it unloaded; a real serialization loads it and works", () => {
    const { stdout } = node([
      "-e",
      `require("./dist/lib/deferTypescript").deferTypescriptLoading();
       const pulumi = require("@pulumi/pulumi");
       const before = ${LOADED};
       const shim = require("@pulumi/pulumi/typescript-shim");
       const reflected = Object.keys(shim).includes("createSourceFile") && typeof { ...shim }.SyntaxKind === "object";
       const provider = { create: async (inputs) => ({ id: "x", outs: inputs }) };
       pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true }).then((s) =>
         process.stdout.write(JSON.stringify({ before, reflected, after: ${LOADED}, text: s.text })));`,
    ]);
    const result = JSON.parse(stdout) as {
      before: boolean;
      reflected: boolean;
      after: boolean;
      text: string;
    };
    expect(result.before).to.equal(false);
    expect(result.reflected, "Object.keys and spreading see TypeScript's exports").to.equal(true);
    expect(result.after).to.equal(true);
    expect(result.text).to.contain("outs: inputs");
  });

  it("the CLI plans without ever loading it", () => {
    const hook = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bbws-ts-")), "hook.js");
    fs.writeFileSync(
      hook,
      `process.on("exit", () => process.stderr.write("TYPESCRIPT_LOADED=" + ${LOADED}));\n`,
    );
    const { stderr } = node(["-r", hook, "run.mjs", "cli/main", "plan", "dev", "--summary"]);
    expect(stderr).to.contain("TYPESCRIPT_LOADED=false");
    fs.rmSync(path.dirname(hook), { recursive: true, force: true });
  });
});
