/**
 * The offline shortcut for dynamic providers (offline/providerSerialization.ts): only a process
 * that opted in (the CLI's entry point) skips Pulumi's serialization; any other keeps it. In
 * child processes: the shortcut changes a process-global function.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { expect } from "chai";
import { OFFLINE_PROVIDER_TEXT, SKIP_SERIALIZATION_ENV } from "../../offline/providerSerialization";

const ROOT = path.resolve(__dirname, "..", "..");

/** Serializes a provider-like closure in a new process after the shortcut was (maybe) applied. */
function serializedText(env: NodeJS.ProcessEnv): [string, string] {
  const script = `
    const { applyOfflineProviderShortcut } = require("./offline/providerSerialization");
    const closure = require("@pulumi/pulumi/runtime/closure/serializeClosure");
    const provider = { create: async (inputs) => ({ id: "x", outs: inputs }) };
    const restore = applyOfflineProviderShortcut();
    const during = closure.serializeFunction(() => provider, { allowSecrets: true });
    restore();
    const after = closure.serializeFunction(() => provider, { allowSecrets: true });
    Promise.all([during, after]).then(([d, a]) => process.stdout.write(JSON.stringify([d.text, a.text])));`;
  const run = spawnSync(process.execPath, ["-r", "./tests/register.js", "-e", script], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true", ...env },
  });
  expect(run.status, run.stderr).to.equal(0);
  return JSON.parse(run.stdout) as [string, string];
}

describe("offline provider serialization shortcut", function () {
  this.timeout(60000);

  it("a process that opted in gets the marker text during an offline run, and real serialization after it", () => {
    const [during, after] = serializedText({ [SKIP_SERIALIZATION_ENV]: "1" });
    expect(during).to.equal(OFFLINE_PROVIDER_TEXT);
    expect(after).to.contain("outs: inputs");
  });

  it("any other process serializes for real", () => {
    const [during] = serializedText({ [SKIP_SERIALIZATION_ENV]: "" });
    expect(during).to.not.equal(OFFLINE_PROVIDER_TEXT);
    expect(during).to.contain("outs: inputs");
  });

  it("a dynamic resource registered after an offline run carries its real provider (Pulumi's cache keeps no marker)", () => {
    const build = spawnSync(process.execPath, ["build.mjs"], { cwd: ROOT, encoding: "utf8" });
    expect(build.status, build.stderr).to.equal(0);
    const script = `
      const pulumi = require("@pulumi/pulumi");
      const { allowOfflineProviderShortcut } = require("./dist/offline/providerSerialization");
      const { runStack } = require("./dist/offline/stackRun");
      const { tenantInstallProvider } = require("./dist/components/tenant/installTask");
      allowOfflineProviderShortcut();
      const texts = [];
      (async () => {
        const offline = await runStack({ project: "p", stack: "s", region: "af-south-1" }, () => {
          new pulumi.dynamic.Resource(tenantInstallProvider, "x", { a: 1 });
        });
        texts.push(offline.resources.some((r) => r.name === "x") ? "planned" : "missing");
        // What a real update would send afterwards, in the same process.
        await pulumi.runtime.setMocks({
          newResource: (a) => { texts.push(String(a.inputs.__provider)); return { id: "i", state: a.inputs }; },
          call: () => ({}),
        }, "p", "s2", false);
        const later = new pulumi.dynamic.Resource(tenantInstallProvider, "y", { a: 1 });
        await new Promise((resolve) => later.urn.apply(resolve));
        process.stdout.write(JSON.stringify(texts));
      })();`;
    const run = spawnSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8" });
    expect(run.status, run.stderr).to.equal(0);
    const [offline, later] = JSON.parse(run.stdout) as [string, string];
    expect(offline).to.equal("planned");
    expect(later).to.contain("exports.handler");
    expect(later).to.not.contain("not serialized");
  });
});
