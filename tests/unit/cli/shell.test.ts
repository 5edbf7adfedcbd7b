/**
 * The operator CLI as one shell: one exit-code table for every command, errors as JSON
 * documents with --json, results on stdout and progress on stderr, and commands that cannot
 * run (no Pulumi CLI) or run offline leaving tracked files as they were.
 */
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { COMMANDS, main } from "../../../cli/main";
import { defaultPorts } from "../../../cli/lifecycle";
import { READMES_WITH_EXIT_CODES } from "../../../cli/readme";
import { CliRuntime } from "../../../cli/shell";
import { EXIT, renderExitCodes, renderExitCodesMarkdown } from "../../../lib/exitCodes";
import { PROJECT_DIR } from "../../../lib/projectDir";
import { FakeBackend, settingsOf, tempDir, tempRegistry } from "../lifecycle/fakes";
import { FakeSource, mockedClients } from "../ops/fixtures";

/** A runtime capturing stdout and stderr; `ports` and `ops` as given. */
function capture(overrides: Partial<CliRuntime> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const runtime: CliRuntime = {
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    progress: () => ({ stream: { write: (text: string) => err.push(text) }, tty: false }),
    projectDir: PROJECT_DIR,
    settings: (environment) => settingsOf(environment),
    ...overrides,
  };
  return { runtime, out: () => out.join(""), err: () => err.join("") };
}

/** Hashes of every tracked file. */
function trackedFiles(): Record<string, string> {
  const files = execFileSync("git", ["ls-files"], { cwd: PROJECT_DIR, encoding: "utf8" })
    .split("\n")
    .filter(Boolean);
  return Object.fromEntries(
    files
      .filter((file) => fs.existsSync(path.join(PROJECT_DIR, file)))
      .map((file) => [
        file,
        createHash("sha256")
          .update(fs.readFileSync(path.join(PROJECT_DIR, file)))
          .digest("hex"),
      ]),
  );
}

describe("the operator CLI", () => {
  describe("one exit-code table", () => {
    const broken = () => tempRegistry("tenants:\n  - id: BAD\n    hosts: [x.wpdev.example.com]\n");

    it("an invalid registry is exit 3 with a JSON error document in every command that reads it", async () => {
      const file = broken();
      const { clients } = mockedClients();
      const argvs = [
        ["plan", "dev", "--tenants", file, "--json"],
        ["tenants", "sync", "dev", "--tenants", file, "--json"],
        ["tenants", "list", "dev", "--tenants", file, "--json"],
        ["tenants", "rollout", "dev", "--image", "6.9.0-php8.3-apache", "--tenants", file, "--json"],
        ["ops", "backup", "dev", "acme", "--tenants", file, "--json"],
        ["ops", "status", "dev", "acme", "--tenants", file, "--json"],
      ];
      for (const argv of argvs) {
        const run = capture({
          ports: () => ({
            ...defaultPortsFake(),
          }),
          ops: () => ({ source: new FakeSource(), clients: () => clients }),
        });
        const code = await main(argv, run.runtime);
        expect(code, argv.join(" ")).to.equal(EXIT.invalidInput.code);
        const document = JSON.parse(run.out()) as {
          error: { kind: string; message: string };
          exitCode: number;
        };
        expect(document.exitCode, argv.join(" ")).to.equal(3);
        expect(document.error.kind, argv.join(" ")).to.equal("invalidInput");
        expect(document.error.message, argv.join(" ")).to.match(
          /tenants\[0\] \(id "BAD"\): id: must be 3-21 characters/,
        );
        expect(run.err(), argv.join(" ")).to.match(/^error: .*is invalid/m);
      }
    });

    it("a usage error is exit 2 in every group, as a JSON document with --json", async () => {
      for (const argv of [
        ["plan", "--bogus", "--json"],
        ["tenants", "sync", "--json"],
        ["ops", "backup", "dev", "--json"],
      ]) {
        const run = capture();
        expect(await main(argv, run.runtime), argv.join(" ")).to.equal(EXIT.usage.code);
        const document = JSON.parse(run.out()) as { error: { kind: string }; exitCode: number };
        expect(document).to.deep.include({ exitCode: 2 });
        expect(document.error.kind).to.equal("usage");
      }
    });

    it("--help of every command prints the same table", async () => {
      const table = renderExitCodes();
      for (const spec of COMMANDS) {
        const run = capture();
        expect(await main([...spec.path, "--help"], run.runtime), spec.path.join(" ")).to.equal(0);
        expect(run.out(), spec.path.join(" ")).to.include(table);
      }
    });

    it("the READMEs' exit-code tables are generated from the same table", () => {
      for (const name of READMES_WITH_EXIT_CODES) {
        const readme = fs.readFileSync(path.join(PROJECT_DIR, name), "utf8");
        expect(readme, name).to.include(renderExitCodesMarkdown());
      }
    });
  });

  describe("output contract", () => {
    it("results go to stdout, progress and notes to stderr", async () => {
      const file = tempRegistry();
      const backend = new FakeBackend();
      const run = capture({ ports: () => ({ ...defaultPortsFake(), backend }) });
      expect(await main(["tenants", "sync", "dev", "--tenants", file], run.runtime)).to.equal(0);
      expect(run.out()).to.match(/4 tenant stack\(s\): 4 ok\./);
      expect(run.out()).to.not.match(/\] dev\.acme: (queued|updating)/);
      expect(run.err()).to.match(/\] dev\.acme: updating/);
    });
  });

  describe("commands that cannot run change nothing", () => {
    it("`tenants add` without the Pulumi CLI exits 9 and leaves the registry byte-identical", async function () {
      this.timeout(20000);
      const file = tempRegistry();
      const before = fs.readFileSync(file, "utf8");
      const pathBefore = process.env.PATH;
      // Only node's own directory: no `pulumi` to spawn, whatever this machine has installed.
      process.env.PATH = path.dirname(process.execPath);
      try {
        const run = capture({ ports: defaultPorts });
        const code = await main(
          [
            "tenants",
            "add",
            "dev",
            "--id",
            "newco",
            "--domain",
            "newco.wpdev.example.com",
            "--tenants",
            file,
          ],
          run.runtime,
        );
        expect(code).to.equal(EXIT.prerequisite.code);
        expect(run.err()).to.match(/error: the Pulumi CLI was not found on PATH/);
        expect(run.err()).to.not.match(/changed before the failure/);
      } finally {
        process.env.PATH = pathBefore;
      }
      expect(fs.readFileSync(file, "utf8")).to.equal(before);
    });

    it("`tenants sync` without the Pulumi CLI writes no listener slot", async function () {
      this.timeout(20000);
      const file = tempRegistry("tenants:\n  - id: fresh\n    hosts: [fresh.wpdev.example.com]\n");
      const before = fs.readFileSync(file, "utf8");
      const pathBefore = process.env.PATH;
      process.env.PATH = path.dirname(process.execPath);
      try {
        const run = capture({ ports: defaultPorts });
        expect(await main(["tenants", "sync", "dev", "--tenants", file], run.runtime)).to.equal(
          EXIT.prerequisite.code,
        );
        expect(run.err()).to.not.match(/allocated listener slots/);
      } finally {
        process.env.PATH = pathBefore;
      }
      expect(fs.readFileSync(file, "utf8")).to.equal(before);
    });

    it("an offline rollout leaves every tracked file untouched and says where its records are", async function () {
      this.timeout(120000);
      const before = trackedFiles();
      const stateDir = tempDir("bbws-offline-rollout-");
      const run = capture({ ports: defaultPorts });
      const code = await main(
        [
          "tenants",
          "rollout",
          "dev",
          "globex",
          "--image",
          "6.9.0-php8.3-apache",
          "--offline",
          "--offline-state",
          stateDir,
        ],
        run.runtime,
      );
      expect(code, run.err()).to.equal(0);
      expect(trackedFiles()).to.deep.equal(before);
      const state = JSON.parse(fs.readFileSync(path.join(stateDir, "state.json"), "utf8")) as {
        rollouts: Record<string, { image: string }>;
      };
      expect(state.rollouts.globex.image).to.equal("6.9.0-php8.3-apache");
      expect(run.out()).to.include(`Outcomes recorded in ${path.join(stateDir, "state.json")}`);
      expect(run.out()).to.match(/globex\s+│ canary 1 │ simulated/);
    });
  });
});

/** Fake ports for commands that must fail before touching them. */
function defaultPortsFake() {
  return {
    name: "fake",
    description: "fake ports (tests)",
    backend: new FakeBackend(),
    finalBackup: { take: () => Promise.reject(new Error("no backup in this test")) },
    tenantFiles: { purge: () => Promise.reject(new Error("no purge in this test")) },
    deployments: { confirmAll: () => Promise.reject(new Error("no deployment in this test")) },
    rolloutRecords: () => ({ location: "nowhere", record: () => Promise.reject(new Error("no records")) }),
  };
}
