import { expect } from "chai";
import * as sinon from "sinon";
import { ListRecoveryPointsByBackupVaultCommand } from "@aws-sdk/client-backup";
import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import { main } from "../../../cli/main";
import { CliRuntime } from "../../../cli/shell";
import { PROJECT_DIR } from "../../../lib/projectDir";
import { EXIT } from "../../../lib/exitCodes";
import { StackOutputsSource } from "../../../ops/context";
import {
  AURORA_POINT,
  EFS_POINT,
  FakeSource,
  Mocks,
  fakeClock,
  mockedClients,
  restoreMocks,
  settle,
  writeRegistry,
} from "../ops/fixtures";
import { mockRestore } from "../ops/restoreFixtures";

describe("ops cli", () => {
  const registryFile = writeRegistry();
  let mocks: Mocks;
  let out: string;
  let err: string;
  let runtime: CliRuntime;
  let sourceCreated: number;

  beforeEach(() => {
    const mocked = mockedClients();
    mocks = mocked.mocks;
    out = "";
    err = "";
    sourceCreated = 0;
    runtime = {
      stdout: (text) => (out += text),
      stderr: (text) => (err += text),
      progress: () => ({ stream: { write: (text: string) => (err += text) }, tty: false }),
      projectDir: PROJECT_DIR,
      ops: () => {
        sourceCreated++;
        return { source: new FakeSource(), clients: () => mocked.clients };
      },
    };
  });
  afterEach(() => restoreMocks(mocks));

  /** `bbws ops <argv>` against the test registry. */
  const run = (...argv: string[]) =>
    main(["ops", ...argv, ...(argv.includes("--help") ? [] : ["--tenants", registryFile])], runtime);

  describe("help", () => {
    it("lists backup, restore and status, and documents the one exit-code table", async () => {
      expect(await run("--help")).to.equal(0);
      expect(out).to.match(/backup \[options\] <env> <tenant>/);
      expect(out).to.match(/restore \[options\] <env> <tenant>/);
      expect(out).to.match(/status \[options\] <env> <tenant>/);
      expect(out).to.match(/rotate-db-password \[options\] <env> <tenant>/);
      // Rollouts are fleet updates: listed under `tenants`, still accepted here.
      expect(out).to.not.match(/rollout \[options\]/);
      for (const row of Object.values(EXIT)) expect(out).to.include(`${row.code}  ${row.meaning}`);
    });

    it("documents every option of backup", async () => {
      expect(await run("backup", "--help")).to.equal(0);
      for (const option of [
        "--efs-timeout <seconds>",
        "--aurora-timeout <seconds>",
        "--wait-for-copies",
        "--copy-timeout <seconds>",
        "--retain-days <days>",
        "--poll-interval <seconds>",
        "--json",
        "Exit codes (the same for every command):",
      ]) {
        expect(out).to.include(option);
      }
      // Seed 002's limits are the defaults (help text may wrap before the number).
      expect(out)
        .to.match(/EFS backup job \(default:\s+300\)/)
        .and.match(/Aurora backup job\s+\(default:\s+600\)/);
    });

    it("documents every option of restore", async () => {
      expect(await run("restore", "--help")).to.equal(0);
      for (const option of [
        "--recovery-point <arn>",
        "--at <time>",
        "--only <part>",
        '"files", "database"',
        "--poll-interval <seconds>",
        "--json",
        "/tenants/.previous/<id>-<stamp>",
        "Exit codes (the same for every command):",
      ]) {
        expect(out).to.include(option);
      }
    });

    it("documents every option of rollout", async () => {
      expect(await run("rollout", "--help")).to.equal(0);
      for (const option of [
        "--image <image>",
        "[ids...]",
        "--tenants <file>",
        "--canary <n>",
        "--wave-size <n>",
        "--timeout <seconds>",
        "--poll-interval <seconds>",
        "--offline",
        "--offline-state <dir>",
        "--platform-stack <name>",
        "--lock-attempts <n>",
        "--json",
        "lastRollout",
        "Exit codes (the same for every command):",
      ]) {
        expect(out).to.include(option);
      }
      expect(out).to.match(/each tenant's deployment may\s+take\s+\(default:\s+300\)/);
    });

    it("documents status", async () => {
      expect(await run("status", "--help")).to.equal(0);
      expect(out).to.include("--json").and.include("Exit codes (the same for every command):");
    });
  });

  it("documents rotate-db-password: its options, the window of failed connections, the sync that keeps it", async () => {
    expect(await run("rotate-db-password", "--help")).to.equal(0);
    for (const option of ["--tenants <file>", "--timeout <seconds>", "--poll-interval <seconds>", "--json"])
      expect(out).to.include(option);
    expect(out).to.match(/old password\s+stops\s+working/);
    expect(out).to.match(/A later `tenants sync` keeps the rotated password/);
  });

  describe("usage errors exit 2 before anything runs", () => {
    const cases: [string, string[], RegExp][] = [
      ["an unknown command", ["rollback", "dev", "acme"], /error: unknown command 'rollback'/],
      [
        "rollout without an image",
        ["rollout", "dev", "acme"],
        /error: required option '--image <image>' not specified/,
      ],
      ["a missing argument", ["backup", "dev"], /error: missing required argument 'tenant'/],
      [
        "rotate-db-password without a tenant",
        ["rotate-db-password", "dev"],
        /error: missing required argument 'tenant'/,
      ],
      [
        "a bad timeout",
        ["backup", "dev", "acme", "--efs-timeout", "soon"],
        /expected a whole number of seconds/,
      ],
      ["a bad environment name", ["status", "Dev!", "acme"], /expected an environment name/],
      [
        "--at without a zone",
        ["restore", "dev", "acme", "--at", "2025-06-01T10:00"],
        /expected an ISO 8601 time with a zone/,
      ],
      [
        "--only with another part",
        ["restore", "dev", "acme", "--at", "2025-06-01T10:00:00Z", "--only", "everything"],
        /Allowed choices are files, database/,
      ],
      [
        "--at and --recovery-point together",
        ["restore", "dev", "acme", "--at", "2025-06-01T10:00:00Z", "--recovery-point", EFS_POINT],
        /^error: give either --recovery-point or --at, not both$/m,
      ],
      [
        "neither --at nor --recovery-point",
        ["restore", "dev", "acme"],
        /^error: give --recovery-point ARN \(once or twice\) or --at TIME$/m,
      ],
    ];
    for (const [what, argv, message] of cases) {
      it(what, async () => {
        expect(await run(...argv)).to.equal(2);
        expect(err).to.match(message);
        expect(out).to.equal("");
        expect(mocks.backup.calls()).to.have.length(0);
      });
    }
  });

  it("prints `error: <message>` without a stack trace and exits 6 (not found) for an unknown tenant", async () => {
    expect(await run("backup", "dev", "initech")).to.equal(6);
    expect(err).to.equal(
      'error: tenant "initech" is not in the dev registry (tenants/dev.yaml lists acme, globex); did you mean "acme"?\n',
    );
    expect(out).to.equal("");
  });

  it("exits 1 with the error name for anything unexpected, still without a stack trace", async () => {
    runtime = {
      ...runtime,
      ops: () => ({
        source: { platform: () => Promise.reject(new TypeError("boom")) } as unknown as StackOutputsSource,
        clients: () => mockedClients().clients,
      }),
    };
    expect(await run("status", "dev", "acme")).to.equal(1);
    expect(err).to.equal("error: TypeError: boom\n");
    expect(err).to.not.match(/\n\s+at /);
  });

  it("prints status as JSON on stdout with --json", async () => {
    mocks.ecs.on(DescribeServicesCommand).resolves({ services: [] });
    mocks.backup.on(ListRecoveryPointsByBackupVaultCommand).resolves({ RecoveryPoints: [] });
    mocks.drBackup.on(ListRecoveryPointsByBackupVaultCommand).resolves({ RecoveryPoints: [] });
    expect(await run("status", "dev", "acme", "--json")).to.equal(0);
    const parsed = JSON.parse(out) as { tenantId: string; service: { status: string } };
    expect(parsed.tenantId).to.equal("acme");
    expect(parsed.service.status).to.equal("MISSING");
    expect(sourceCreated).to.equal(1);
  });

  describe("restore", () => {
    let clock: sinon.SinonFakeTimers;
    beforeEach(() => (clock = fakeClock()));
    afterEach(() => clock.restore());

    it("prints progress on stderr and the result on stdout", async () => {
      mockRestore(mocks);
      const code = await settle(
        clock,
        run("restore", "dev", "acme", "--recovery-point", EFS_POINT, "--recovery-point", AURORA_POINT),
      );
      expect(code).to.equal(0);
      expect(out).to.match(/^Restored acme \(dev\); the service runs 2 task\(s\) again\./);
      expect(out).to.include("kept: previous files: /tenants/.previous/acme-20250601-120000");
      expect(err).to.include("[+00:00] validate the recovery points ...");
      expect(err).to.match(/wait until the service is stable: done in \d+\.\d s/);
    });

    it("exits 1 for a failed swap and prints the site state and the clean-up list under the error", async () => {
      mockRestore(mocks, { swap: 11 });
      const code = await settle(clock, run("restore", "dev", "acme", "--recovery-point", EFS_POINT));
      expect(code).to.equal(1);
      const lines = err.split("\n");
      const at = lines.findIndex((l) => l.startsWith("error: restore of acme (dev) failed: swap failed"));
      expect(at).to.be.greaterThan(0);
      expect(lines[at + 1]).to.equal(
        "  site: files previous, database previous; service acme-wordpress is back to 2 task(s)",
      );
      expect(lines[at + 2]).to.match(
        /^ {2}to clean up: the restored copy of \/tenants\/acme in \/aws-backup-restore_<datetime>\//,
      );
      expect(out).to.equal("");
    });
  });
});
