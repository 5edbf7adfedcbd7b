/**
 * No accidental inheritance: a removal that keeps a tenant's data leaves a tombstone beside the
 * registry, and `add` of that id is refused (exit 4, nothing written) until the data is purged
 * (`remove --purge`) or adopted on purpose (`add --adopt-retained-data`). With fakes (the exact
 * order and content) and with the offline engine (the same rules, the tombstones written to the
 * tracked file exactly as a real run writes them).
 */
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { EXIT } from "../../../lib/exitCodes";
import { loadRegistry } from "../../../tenants/registry/load";
import { tenantStackConfig } from "../../../tenants/stackConfig";
import { removeTenant } from "../../../tenants/lifecycle/commands/remove";
import { addTenant } from "../../../tenants/lifecycle/commands/add";
import { syncTenants } from "../../../tenants/lifecycle/commands/sync";
import {
  appendTombstone,
  loadTombstones,
  parseTombstones,
  retainedData,
  tombstonePath,
} from "../../../tenants/registry/tombstones";
import { main as cliMain } from "../../../cli/main";
import { CliRuntime } from "../../../cli/shell";
import {
  FakeBackend,
  FakeBackup,
  FakeTenantFiles,
  PROJECT_DIR,
  cliDeps,
  contextFor,
  main,
  settingsOf,
  tempDir,
  tempRegistry,
} from "./fakes";

const PLATFORM = "organization/bbws/dev";
const NOW = Date.parse("2026-03-01T10:00:00.000Z");

function deployedFleet(file: string, journal: string[] = []): FakeBackend {
  const backend = new FakeBackend(journal);
  for (const entry of loadRegistry("dev", file).tenants)
    backend.withStack(entry.id, tenantStackConfig(settingsOf(), entry, PLATFORM));
  return backend;
}

describe("tombstones: no accidental inheritance of a removed tenant's data", () => {
  describe("the tombstone file", () => {
    it("lives beside the registry: dev.yaml -> dev.tombstones.yaml", () => {
      expect(tombstonePath("/repo/tenants/dev.yaml")).to.equal("/repo/tenants/dev.tombstones.yaml");
      expect(tombstonePath("/tmp/x/custom.yml")).to.equal("/tmp/x/custom.tombstones.yaml");
    });

    it("is an append-only history that keeps its comments; the newest record of an id counts", () => {
      const file = path.join(tempDir(), "dev.tombstones.yaml");
      appendTombstone(file, {
        id: "hooli",
        event: "removed",
        at: "2026-01-01T00:00:00.000Z",
        retained: { database: { schema: "wp_hooli", user: "wp_hooli", userLocked: true } },
      });
      fs.writeFileSync(
        file,
        fs.readFileSync(file, "utf8").replace("tombstones:", "# kept for the audit\ntombstones:"),
      );
      appendTombstone(file, { id: "hooli", event: "purged", at: "2026-01-02T00:00:00.000Z" });
      const text = fs.readFileSync(file, "utf8");
      expect(text).to.match(/^# Tombstones of removed tenants/);
      expect(text).to.include("# kept for the audit");
      const all = loadTombstones(file);
      expect(all.map((t) => t.event)).to.deep.equal(["removed", "purged"]);
      expect(retainedData(all, "hooli")).to.equal(undefined);
      expect(retainedData(all.slice(0, 1), "hooli")?.retained?.database?.schema).to.equal("wp_hooli");
    });

    it("a malformed file stops the command with the file and the field (exit 3), nothing written", () => {
      expect(() =>
        parseTombstones("tombstones:\n  - id: x\n    event: vanished\n    at: now\n", "t.yaml"),
      ).to.throw(/t\.yaml is invalid at tombstones\.0\.event/);
      expect(() => parseTombstones("tombstones: [", "t.yaml")).to.throw(/t\.yaml is not valid YAML/);
    });
  });

  describe("remove records what it kept", () => {
    it("after the destroy and before the entry goes: schema, user, files, secrets' window, the final backup", async () => {
      const file = tempRegistry();
      const journal: string[] = [];
      const backend = deployedFleet(file, journal);
      const tombstones = tombstonePath(file);
      const originalRemove = backend.remove.bind(backend);
      backend.remove = async (environment, tenantId) => {
        // Written as soon as the destroy returned: no data outlives its record.
        expect(loadTombstones(tombstones).map((t) => t.id)).to.deep.equal(["globex"]);
        await originalRemove(environment, tenantId);
      };
      const context = contextFor(backend, file, { finalBackup: new FakeBackup(journal), now: () => NOW });

      const report = await removeTenant(context, { tenantId: "globex" });

      expect(report.exitCode).to.equal(0);
      expect(loadTombstones(tombstones)).to.deep.equal([
        {
          id: "globex",
          event: "removed",
          at: "2026-03-01T10:00:00.000Z",
          retained: {
            database: { schema: "wp_globex", user: "wp_globex", userLocked: true },
            files: {
              paths: ["/tenants/globex", "/tenants/.previous/globex-<stamp>", "/restore/globex-<stamp>"],
            },
            secrets: {
              names: ["bbws/dev/globex/db-*", "bbws/dev/globex/wordpress-keys-*"],
              recoveryWindowDays: 7,
              deletedAfter: "2026-03-08T10:00:00.000Z",
            },
          },
          finalBackup: { recoveryPoints: ["arn:rp"] },
          note: "tenants remove dev globex",
        },
      ]);
      expect(context.changes).to.include(`recorded the removed tombstone of "globex" in ${tombstones}`);
      const [result] = (report.json as { results: { message: string; details: string[] }[] }).results;
      expect(result.message).to.match(/tombstone in .*dev\.tombstones\.yaml/);
      expect(result.details.join("\n")).to.match(
        /`tenants add` of "globex" is refused until the data is purged/,
      );
    });

    it("--purge records that the database went with the stack, then that everything was purged", async () => {
      const file = tempRegistry();
      const backend = deployedFleet(file);
      const report = await removeTenant(
        contextFor(backend, file, { tenantFiles: new FakeTenantFiles(), now: () => NOW }),
        { tenantId: "acme", purge: true },
      );
      expect(report.exitCode).to.equal(0);
      const records = loadTombstones(tombstonePath(file));
      expect(records.map((t) => [t.event, Object.keys(t.retained ?? {})])).to.deep.equal([
        ["removed", ["files", "secrets"]],
        ["purged", ["secrets"]],
      ]);
      expect(retainedData(records, "acme")).to.equal(undefined);
    });

    it("sync --prune of an orphan stack records its tombstone too", async () => {
      const file = tempRegistry();
      const backend = deployedFleet(file).withStack("oldco", {});
      const report = await syncTenants(contextFor(backend, file, { now: () => NOW }), {
        prune: true,
        tenantIds: ["oldco"],
      });
      expect(report.exitCode).to.equal(0);
      expect(retainedData(loadTombstones(tombstonePath(file)), "oldco")?.retained?.database).to.deep.equal({
        schema: "wp_oldco",
        user: "wp_oldco",
        userLocked: true,
      });
    });
  });

  describe("add refuses an id whose data is retained", () => {
    async function removed(id = "globex") {
      const file = tempRegistry();
      await removeTenant(contextFor(deployedFleet(file), file, { now: () => NOW }), { tenantId: id });
      return file;
    }

    it("exit 4, naming what is kept and the two ways out; the registry, the tombstones and the stacks stay as they are", async () => {
      const file = await removed();
      const registryBefore = fs.readFileSync(file);
      const tombstonesBefore = fs.readFileSync(tombstonePath(file));
      const backend = new FakeBackend();
      const deps = cliDeps(() => ({ backend, finalBackup: new FakeBackup() }));

      const code = await main(
        ["add", "dev", "--tenants", file, "--id", "globex", "--domain", "new-globex.example.com"],
        deps,
      );

      expect(code).to.equal(EXIT.refused.code);
      const err = deps.err();
      expect(err).to.match(
        /refused to add "globex": a tenant of that id was removed on 2026-03-01T10:00:00.000Z and its data is retained/,
      );
      expect(err).to.match(/remove dev globex --purge/);
      expect(err).to.match(/--adopt-retained-data/);
      expect(err).to.match(/retained: database wp_globex \(user wp_globex, locked\)/);
      expect(err).to.match(/retained: files \/tenants\/globex/);
      expect(err).to.match(/retained: final backup: arn:rp/);
      expect(err).to.match(/nothing was changed/);
      expect(fs.readFileSync(file).equals(registryBefore)).to.equal(true);
      expect(fs.readFileSync(tombstonePath(file)).equals(tombstonesBefore)).to.equal(true);
      expect(backend.calls.filter((c) => c.op === "up")).to.deep.equal([]);
    });

    it("sync refuses to create a stack for an entry put back by hand, and syncs the others", async () => {
      const file = await removed();
      // Someone writes the removed tenant's entry back into the registry by hand.
      const original = loadRegistry("dev", tempRegistry()).tenants.find((t) => t.id === "globex")!;
      fs.appendFileSync(
        file,
        `  - id: globex\n    hosts: [${original.hosts.join(", ")}]\n    listener: { shard: 0, priority: 9 }\n`,
      );
      const backend = deployedFleet(tempRegistry());
      backend.stacks.delete("globex");
      const report = await syncTenants(contextFor(backend, file));

      expect(report.exitCode).to.equal(EXIT.refused.code);
      const results = (report.json as { results: { tenantId: string; result: string; message: string }[] })
        .results;
      const globex = results.find((r) => r.tenantId === "globex")!;
      expect(globex.result).to.equal("refused");
      expect(globex.message).to.match(
        /refused to create dev\.globex: a removal of "globex" on 2026-03-01T10:00:00.000Z kept its data/,
      );
      expect(backend.calls.some((c) => c.op === "up" && c.tenantId === "globex")).to.equal(false);
      expect(results.filter((r) => r.tenantId !== "globex").every((r) => r.result === "ok")).to.equal(true);
    });

    it("--adopt-retained-data re-attaches it on purpose: the entry is written, the adoption recorded, the stack deployed", async () => {
      const file = await removed();
      const backend = new FakeBackend();
      const context = contextFor(backend, file, { now: () => NOW });
      const report = await addTenant(context, {
        id: "globex",
        hosts: ["globex.wpdev.example.com"],
        adoptRetainedData: true,
      });
      expect(report.exitCode).to.equal(0);
      expect(loadRegistry("dev", file).tenants.map((t) => t.id)).to.include("globex");
      const records = loadTombstones(tombstonePath(file));
      expect(records.at(-1)).to.deep.include({
        id: "globex",
        event: "adopted",
        at: "2026-03-01T10:00:00.000Z",
      });
      expect(retainedData(records, "globex")).to.equal(undefined);
      expect(backend.calls.filter((c) => c.op === "up").map((c) => c.tenantId)).to.deep.equal(["globex"]);
      expect((report.json as { adoptedRetainedData: boolean }).adoptedRetainedData).to.equal(true);
    });

    it("after `remove --purge` of the tombstoned id (no entry, no stack left), a new tenant of that id is welcome", async () => {
      const file = await removed();
      const journal: string[] = [];
      const backup = new FakeBackup(journal);
      const files = new FakeTenantFiles(journal);
      const backend = new FakeBackend(journal);
      const context = contextFor(backend, file, { finalBackup: backup, tenantFiles: files, now: () => NOW });

      const purged = await removeTenant(context, { tenantId: "globex", purge: true });

      expect(purged.exitCode).to.equal(0);
      // A final backup that waits for its DR copies, then the schema, user and files.
      expect(journal).to.deep.equal(["backup:globex", "files:globex"]);
      expect(backup.requests.map((r) => r.purge)).to.deep.equal([true]);
      expect(loadTombstones(tombstonePath(file)).map((t) => t.event)).to.deep.equal(["removed", "purged"]);
      const added = await addTenant(context, { id: "globex", hosts: ["globex.wpdev.example.com"] });
      expect(added.exitCode).to.equal(0);
    });

    it("remove without --purge of a tombstoned id says its data is retained and how to delete it (exit 6)", async () => {
      const file = await removed();
      const deps = cliDeps(() => ({ backend: new FakeBackend() }));
      const code = await main(["remove", "dev", "globex", "--tenants", file], deps);
      expect(code).to.equal(EXIT.notFound.code);
      expect(deps.err()).to.match(
        /nothing to remove; its data is retained .*remove dev globex --purge` deletes it/,
      );
    });

    it("an id that was only ever purged, or never removed, is added as before", async () => {
      const file = tempRegistry();
      appendTombstone(tombstonePath(file), { id: "newco", event: "purged", at: "2026-01-01T00:00:00.000Z" });
      const report = await addTenant(contextFor(new FakeBackend(), file), {
        id: "newco",
        hosts: ["newco.example.com"],
      });
      expect(report.exitCode).to.equal(0);
    });
  });

  describe("offline, the same rules and the same tracked file", () => {
    function offlineRuntime(): CliRuntime & { out: () => string; err: () => string } {
      let out = "";
      let err = "";
      return {
        stdout: (text) => (out += text),
        stderr: (text) => (err += text),
        progress: () => ({ stream: { write: (text: string) => (err += text) }, tty: false }),
        settings: (environment) => settingsOf(environment),
        projectDir: PROJECT_DIR,
        now: () => NOW,
        out: () => out,
        err: () => err,
      };
    }
    const tenants = (args: string[], file: string, state: string) =>
      cliMain(
        ["tenants", ...args, "--tenants", file, "--offline", "--offline-state", state],
        offlineRuntime(),
      );

    it("remove writes the tombstone, add is refused, remove --purge clears it, add works", async function () {
      this.timeout(120_000);
      const file = tempRegistry();
      const state = tempDir("bbws-offline-");
      expect(await tenants(["sync", "dev", "umbrella"], file, state)).to.equal(0);
      expect(await tenants(["remove", "dev", "umbrella"], file, state)).to.equal(0);
      expect(retainedData(loadTombstones(tombstonePath(file)), "umbrella")).to.not.equal(undefined);

      const refused = offlineRuntime();
      const code = await cliMain(
        [
          "tenants",
          "add",
          "dev",
          "--id",
          "umbrella",
          "--domain",
          "umbrella.wpdev.example.com",
          "--tenants",
          file,
          "--offline",
          "--offline-state",
          state,
        ],
        refused,
      );
      expect(code).to.equal(EXIT.refused.code);
      expect(refused.err()).to.match(/data is retained/);

      expect(await tenants(["remove", "dev", "umbrella", "--purge"], file, state)).to.equal(0);
      expect(
        await tenants(
          ["add", "dev", "--id", "umbrella", "--domain", "umbrella.wpdev.example.com"],
          file,
          state,
        ),
      ).to.equal(0);
      expect(loadTombstones(tombstonePath(file)).map((t) => t.event)).to.deep.equal(["removed", "purged"]);
    });
  });
});
