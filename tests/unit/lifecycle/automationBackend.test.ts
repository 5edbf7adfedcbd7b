import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import {
  ConcurrentUpdateError,
  ConfigMap,
  InlineProgramArgs,
  LocalWorkspaceOptions,
  StackNotFoundError,
  StackSummary,
  WhoAmIResult,
} from "@pulumi/pulumi/automation";
import { main } from "./fakes";
import {
  AutomationApi,
  AutomationStack,
  AutomationWorkspace,
} from "../../../tenants/lifecycle/automationApi";
import { AutomationBackend } from "../../../tenants/lifecycle/automationBackend";
import { CONFIG_HASH_TAG, configHash } from "../../../tenants/lifecycle/configState";
import { StackLockedError } from "../../../tenants/lifecycle/lockRetry";
import { EXIT } from "../../../lib/exitCodes";
import { backoffDelay } from "../../../tenants/lifecycle/lockRetry";
import { loadRegistry } from "../../../tenants/registry/load";
import { tenantStackConfig } from "../../../tenants/stackConfig";
import { FakeBackup, cliDeps, settingsOf, tempDir, tempRegistry } from "./fakes";

const DIY_LOCK =
  "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n" +
  "  file:///state/.pulumi/locks/organization/bbws-tenant/dev.acme/7a1c.json: created by ci@runner-12 (pid 4242) at 2026-05-01T10:00:00Z";

/** A LocalWorkspace-like fake: records every call with the workspace directory it ran in. */
class FakeAutomation implements AutomationApi {
  readonly log: string[] = [];
  readonly stacks = new Map<string, { config: ConfigMap; tags: Record<string, string> }>();
  /** How many times an operation (`up:dev.acme`) throws ConcurrentUpdateError before it works. */
  readonly locks = new Map<string, number>();
  readonly failures = new Map<string, Error>();
  summaries: StackSummary[] = [];
  platformSummaries: StackSummary[] = [{ name: "dev", current: false }];
  who: WhoAmIResult = { user: "alice", url: "file:///state" };
  programs: InlineProgramArgs["program"][] = [];
  settings: LocalWorkspaceOptions["projectSettings"][] = [];

  createOrSelectStack(args: InlineProgramArgs, options: LocalWorkspaceOptions): Promise<AutomationStack> {
    this.record(args, options, "createOrSelect");
    if (!this.stacks.has(args.stackName)) this.stacks.set(args.stackName, { config: {}, tags: {} });
    return Promise.resolve(this.stack(args.stackName, options.workDir!));
  }

  selectStack(args: InlineProgramArgs, options: LocalWorkspaceOptions): Promise<AutomationStack> {
    this.record(args, options, "select");
    if (!this.stacks.has(args.stackName)) {
      return Promise.reject(new StackNotFoundError(`error: no stack named '${args.stackName}' found`));
    }
    return Promise.resolve(this.stack(args.stackName, options.workDir!));
  }

  createWorkspace(options: LocalWorkspaceOptions): Promise<AutomationWorkspace> {
    return Promise.resolve(this.workspace(options.workDir!));
  }

  private record(args: InlineProgramArgs, options: LocalWorkspaceOptions, what: string) {
    this.log.push(`${what} ${args.stackName} @${options.workDir}`);
    this.programs.push(args.program);
    this.settings.push(options.projectSettings);
    expect(args.projectName).to.equal("bbws-tenant");
  }

  private workspace(workDir: string): AutomationWorkspace {
    return {
      listStacks: () => {
        this.log.push(`listStacks @${workDir}`);
        return Promise.resolve(workDir.includes(".workspaces") ? this.summaries : this.platformSummaries);
      },
      removeStack: (name) => this.op(`removeStack:${name}`, workDir, () => void this.stacks.delete(name)),
      whoAmI: () => Promise.resolve(this.who),
    };
  }

  private stack(name: string, workDir: string): AutomationStack {
    const state = () => this.stacks.get(name)!;
    const summary = (changes: Record<string, number>) => ({ summary: { resourceChanges: changes } });
    return {
      name,
      workspace: this.workspace(workDir),
      setAllConfig: (config) =>
        this.op(`setAllConfig:${name}`, workDir, () => void (state().config = { ...config })),
      getAllConfig: () => Promise.resolve(state().config),
      setTag: (key, value) => this.op(`setTag:${name}`, workDir, () => void (state().tags[key] = value)),
      listTags: () => Promise.resolve(state().tags),
      preview: () => this.op(`preview:${name}`, workDir, () => ({ changeSummary: { create: 3, same: 1 } })),
      up: (options) => {
        expect(options?.onOutput).to.be.a("function");
        return this.op(`up:${name}`, workDir, () => ({
          ...summary({ create: 27 }),
          outputs: { serviceName: { value: "x", secret: false } },
        }));
      },
      destroy: () => this.op(`destroy:${name}`, workDir, () => summary({ delete: 27 })),
      outputs: () => Promise.resolve({}),
    };
  }

  private op<T>(key: string, workDir: string, run: () => T): Promise<T> {
    const left = this.locks.get(key) ?? 0;
    if (left > 0) {
      this.locks.set(key, left - 1);
      this.log.push(`${key} LOCKED`);
      return Promise.reject(new ConcurrentUpdateError(DIY_LOCK));
    }
    const failure = this.failures.get(key);
    if (failure) return Promise.reject(failure);
    this.log.push(`${key} @${workDir}`);
    return Promise.resolve(run());
  }
}

function setup(options: { lockAttempts?: number } = {}) {
  const api = new FakeAutomation();
  const projectDir = tempDir();
  const sleeps: number[] = [];
  const backend = new AutomationBackend({
    api,
    projectDir,
    lockRetry: {
      maxAttempts: options.lockAttempts ?? 5,
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
      random: () => 0.5,
    },
  });
  return { api, projectDir, backend, sleeps };
}

const ws = (projectDir: string, stack: string) => path.join(projectDir, ".workspaces", stack);

describe("automation backend (fake LocalWorkspace)", () => {
  it("selects every tenant stack in its own workspace directory, with the inline tenant program", async () => {
    const { api, projectDir, backend } = setup();
    const file = tempRegistry();
    const deps = cliDeps(() => ({ backend, finalBackup: new FakeBackup() }));

    expect(await main(["sync", "dev", "--tenants", file], deps)).to.equal(0);

    for (const id of ["acme", "globex", "initech", "umbrella"]) {
      const dir = ws(projectDir, `dev.${id}`);
      expect(api.log).to.include(`createOrSelect dev.${id} @${dir}`);
      expect(api.log.filter((l) => l.endsWith(`@${dir}`)).every((l) => l.includes(`dev.${id}`))).to.equal(
        true,
      );
      expect(fs.statSync(dir).isDirectory()).to.equal(true);
    }
    expect(api.settings.every((s) => s?.name === "bbws-tenant" && s.runtime === "nodejs")).to.equal(true);
    expect(api.programs.every((p) => typeof p === "function")).to.equal(true);
  });

  it("sets the entry's whole configuration with setAllConfig before every up, then tags its hash", async () => {
    const { api, projectDir, backend } = setup();
    const file = tempRegistry();
    const entry = loadRegistry("dev", file).tenants[1];
    const config = tenantStackConfig(settingsOf(), entry, "organization/bbws/dev");

    for (let run = 0; run < 2; run++) {
      await backend.up({ environment: "dev", tenantId: entry.id, config });
    }

    const dir = ws(projectDir, "dev.globex");
    const ops = api.log.filter((l) => !l.startsWith("createOrSelect"));
    expect(ops).to.deep.equal(
      Array(2)
        .fill([`setAllConfig:dev.globex @${dir}`, `up:dev.globex @${dir}`, `setTag:dev.globex @${dir}`])
        .flat(),
    );
    expect(api.stacks.get("dev.globex")!.config).to.deep.equal(config);
    expect(api.stacks.get("dev.globex")!.tags[CONFIG_HASH_TAG]).to.equal(configHash(config));
    expect(await backend.deployed("dev", "globex")).to.deep.equal({ configHash: configHash(config), config });
  });

  it("destroys, then removes the stack from its own workspace", async () => {
    const { api, projectDir, backend } = setup();
    api.stacks.set("dev.acme", { config: {}, tags: {} });
    const dir = ws(projectDir, "dev.acme");

    expect(await backend.destroy("dev", "acme")).to.include({ delete: 27 });
    await backend.remove("dev", "acme");

    expect(api.log.filter((l) => /^(destroy|removeStack)/.test(l))).to.deep.equal([
      `destroy:dev.acme @${dir}`,
      `removeStack:dev.acme @${dir}`,
    ]);
    expect(api.stacks.has("dev.acme")).to.equal(false);
    // Never creates a stack to destroy or remove it; a second run is a no-op.
    expect(await backend.destroy("dev", "acme")).to.include({ delete: 0 });
    await backend.remove("dev", "acme");
    expect(api.log.filter((l) => l.startsWith("createOrSelect"))).to.deep.equal([]);
  });

  it("retries ConcurrentUpdateError with growing, jittered waits, then succeeds", async () => {
    const { api, backend, sleeps } = setup();
    api.locks.set("up:dev.acme", 2);
    const entry = loadRegistry("dev").tenants[0];
    const config = tenantStackConfig(settingsOf(), entry, "organization/bbws/dev");

    const outcome = await backend.up({ environment: "dev", tenantId: "acme", config });

    expect(outcome.changes.create).to.equal(27);
    expect(outcome.outputs).to.deep.equal({ serviceName: "x" });
    expect(api.log.filter((l) => l.startsWith("up:"))).to.have.length(3);
    expect(sleeps).to.deep.equal([1500, 3000]);
  });

  it("gives up after the configured attempts with StackLockedError naming the lock and the pulumi cancel command", async () => {
    const { api, projectDir, backend } = setup({ lockAttempts: 3 });
    api.locks.set("up:dev.acme", 99);
    const entry = loadRegistry("dev").tenants[0];
    const config = tenantStackConfig(settingsOf(), entry, "organization/bbws/dev");

    const error = await backend.up({ environment: "dev", tenantId: "acme", config }).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(error).to.be.instanceOf(StackLockedError);
    const locked = error as StackLockedError;
    expect(locked.attempts).to.equal(3);
    expect(locked.workDir).to.equal(ws(projectDir, "dev.acme"));
    expect(locked.message).to.contain("the stack is currently locked by 1 lock(s)");
    expect(locked.cancelCommand).to.match(
      /^\(cd .*\.workspaces\/dev\.acme && pulumi cancel --stack dev\.acme\)$/,
    );
    expect(api.log.filter((l) => l.startsWith("up:"))).to.have.length(3);
    // Never cleared silently: nothing but the attempts ran.
    expect(api.log.some((l) => /cancel/i.test(l))).to.equal(false);
  });

  it("through the CLI: a persistent lock fails that tenant with exit 5 and prints the command; the others still run", async () => {
    const { api } = setup();
    api.locks.set("up:dev.acme", 99);
    const projectDir = tempDir();
    const file = tempRegistry();
    const deps = cliDeps((request) => ({
      backend: new AutomationBackend({
        api,
        projectDir,
        lockRetry: { maxAttempts: request.lockAttempts, sleep: () => Promise.resolve() },
      }),
      finalBackup: new FakeBackup(),
    }));

    const code = await main(["sync", "dev", "--tenants", file, "--lock-attempts", "2"], deps);

    expect(code).to.equal(EXIT.busy.code);
    expect(deps.out()).to.match(/dev\.acme .*locked/);
    expect(deps.out()).to.contain("pulumi cancel --stack dev.acme");
    expect(deps.out()).to.match(/ConcurrentUpdateError after 2 attempts/);
    expect(api.log.filter((l) => l.startsWith("up:dev.acme"))).to.have.length(2);
    expect(api.log.filter((l) => /^up:dev\.(globex|initech|umbrella) @/.test(l))).to.have.length(3);
  });

  it("lists only this environment's tenant stacks from a listing workspace", async () => {
    const { api, projectDir, backend } = setup();
    api.summaries = ["dev.acme", "prod.acme", "acme-org/dev.globex", "dev", "notes", "dev.x.y"].map(
      (name) => ({
        name,
        current: false,
      }),
    );
    expect(await backend.list("dev")).to.deep.equal(["acme", "globex"]);
    expect(api.log).to.include(`listStacks @${path.join(projectDir, ".workspaces", "_list", "dev")}`);
  });

  describe("platform stack name", () => {
    it("is organization/bbws/<env> on a DIY backend", async () => {
      const { backend } = setup();
      expect(await backend.platformStack("dev")).to.equal("organization/bbws/dev");
    });

    it("takes the organization from the console URL on Pulumi Cloud", async () => {
      const { api, backend } = setup();
      api.who = { user: "alice", url: "https://app.pulumi.com/alice" };
      api.platformSummaries = [
        { name: "dev", current: true, url: "https://app.pulumi.com/acme-org/bbws/dev" },
      ];
      expect(await backend.platformStack("dev")).to.equal("acme-org/bbws/dev");
    });

    it("stops with exit 3 before any tenant is touched when the platform stack does not exist", async () => {
      const { api, backend } = setup();
      api.platformSummaries = [{ name: "prod", current: false }];
      const deps = cliDeps(() => ({ backend, finalBackup: new FakeBackup() }));
      const code = await main(["sync", "dev", "--tenants", tempRegistry()], deps);
      expect(code).to.equal(EXIT.invalidInput.code);
      expect(deps.err()).to.match(/platform stack "dev" of project bbws was not found .*--platform-stack/);
      expect(api.log.filter((l) => !l.startsWith("listStacks"))).to.deep.equal([]);
    });

    it("uses --platform-stack as given, and rejects a name that is not <org>/bbws/<env> (exit 2)", async () => {
      const api = new FakeAutomation();
      const explicit = new AutomationBackend({
        api,
        projectDir: tempDir(),
        platformStack: "acme-org/bbws/dev",
      });
      expect(await explicit.platformStack("dev")).to.equal("acme-org/bbws/dev");
      const deps = cliDeps((request) => ({
        backend: new AutomationBackend({ api, projectDir: tempDir(), platformStack: request.platformStack }),
        finalBackup: new FakeBackup(),
      }));
      const code = await main(
        ["preview", "dev", "--tenants", tempRegistry(), "--platform-stack", "dev"],
        deps,
      );
      expect(code).to.equal(EXIT.usage.code);
    });
  });

  it("keeps the engine output in <workspace>/up.log and reports only its error lines", async () => {
    const { api, projectDir, backend } = setup();
    const failure = new Error(
      "code: 255\n stdout: Updating (dev.acme)\n  + aws:ecs:Service acme-svc creating\n stderr: error: update failed\n  error: creating ECS Service (acme-wordpress): InvalidParameterException: subnet-1 not found\n",
    );
    failure.name = "CommandError";
    api.failures.set("up:dev.acme", failure);
    const entry = loadRegistry("dev").tenants[0];
    const config = tenantStackConfig(settingsOf(), entry, "organization/bbws/dev");

    const error = (await backend
      .up({ environment: "dev", tenantId: "acme", config })
      .catch((e: unknown) => e)) as Error;

    expect(error.message).to.match(
      /^error: update failed \| error: creating ECS Service .*subnet-1 not found \(full output: .*up\.log\)$/,
    );
    expect(fs.readFileSync(path.join(ws(projectDir, "dev.acme"), "up.log"), "utf8")).to.contain(
      "Updating (dev.acme)",
    );
  });

  it("reports a failed config tag as a warning, not as a failed update", async () => {
    const { api, backend } = setup();
    api.failures.set("setTag:dev.acme", new Error("error: tags are not supported by this backend"));
    const entry = loadRegistry("dev").tenants[0];
    const config = tenantStackConfig(settingsOf(), entry, "organization/bbws/dev");
    const outcome = await backend.up({ environment: "dev", tenantId: "acme", config });
    expect(outcome.changes.create).to.equal(27);
    expect(outcome.warnings).to.have.length(1);
    expect(outcome.warnings![0]).to.match(
      /update succeeded but the bbws:config-sha256 stack tag could not be set/,
    );
  });

  it("backs off exponentially with jitter, capped", () => {
    const policy = { maxAttempts: 9, baseDelayMs: 1000, maxDelayMs: 8000 };
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(a, policy, () => 0))).to.deep.equal([
      500, 1000, 2000, 4000, 4000,
    ]);
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(a, policy, () => 0.999999))).to.deep.equal([
      1000, 2000, 4000, 8000, 8000,
    ]);
  });
});
