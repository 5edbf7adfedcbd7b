/**
 * In-memory fakes for lifecycle tests: a stack backend that records every call, tracks how many
 * operations run at once and fails where told; a final backup that records or fails; a temp
 * copy of a registry; a context and CLI dependencies wired to them.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadStackSettings } from "../../../config/readStackConfig";
import { PlatformSettings } from "../../../config/platformConfig";
import { main as cliMain } from "../../../cli/main";
import { CliRuntime, PortsRequest } from "../../../cli/shell";
import {
  ChangeCounts,
  DeployedState,
  NO_CHANGES,
  StackTarget,
  TenantStackBackend,
  UpOutcome,
} from "../../../tenants/lifecycle/backend";
import { TenantStackConfig } from "../../../tenants/stackConfig";
import { configHash } from "../../../tenants/lifecycle/configState";
import { LifecycleContext } from "../../../tenants/lifecycle/context";
import {
  DeploymentCheck,
  FinalBackup,
  FinalBackupRequest,
  LifecyclePorts,
  TenantFiles,
  TenantFilesRequest,
} from "../../../tenants/lifecycle/ports";
import { ProgressView, TenantState, silentProgress } from "../../../tenants/lifecycle/progress";
import { registryRolloutRecords } from "../../../tenants/lifecycle/rolloutRecords";

/** Where the committed registries and stack files are. */
export const PROJECT_DIR = path.resolve(__dirname, "..", "..", "..");

/** dev's settings, read once. */
let devSettings: PlatformSettings | undefined;
export function settingsOf(environment = "dev"): PlatformSettings {
  if (environment !== "dev") return loadStackSettings(environment, PROJECT_DIR);
  return (devSettings ??= loadStackSettings("dev", PROJECT_DIR));
}

const tempDirs: string[] = [];
// Root-level hook (this module is loaded with the spec files): temp registries and states go.
after(() => {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A temp directory removed after the test run. */
export function tempDir(prefix = "bbws-lifecycle-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** A temp copy of `tenants/<env>.yaml` (or of `text`); returns its path. */
export function tempRegistry(text?: string, environment = "dev"): string {
  const file = path.join(tempDir(), `${environment}.yaml`);
  fs.writeFileSync(
    file,
    text ?? fs.readFileSync(path.join(PROJECT_DIR, "tenants", `${environment}.yaml`), "utf8"),
  );
  return file;
}

/** A test step's failure, by tenant id and operation. */
type Failure = Error | (() => Error);

/** A recorded call. */
export interface BackendCall {
  readonly op: "up" | "preview" | "destroy" | "remove" | "deployed" | "list" | "outputs";
  readonly tenantId?: string;
  readonly config?: TenantStackConfig;
}

/** The fake backend. */
export class FakeBackend implements TenantStackBackend {
  /** Stacks by tenant id: the configuration of their last successful up (undefined: none yet). */
  readonly stacks = new Map<string, { config?: TenantStackConfig; resources: number }>();
  readonly calls: BackendCall[] = [];
  inFlight = 0;
  maxInFlight = 0;
  /** Milliseconds each up/preview/destroy takes. */
  delayMs = 0;
  /** Failures to throw, by `<op>:<tenantId>`; a function runs at each call. */
  readonly failures = new Map<string, Failure>();
  constructor(
    /** Shared log of successful backend and backup steps, in order. */
    readonly journal: string[] = [],
    readonly platform = "organization/bbws/dev",
  ) {}

  /** Pretends a stack exists, optionally deployed with `config`. */
  withStack(tenantId: string, config?: TenantStackConfig): this {
    this.stacks.set(tenantId, { config, resources: config ? 27 : 0 });
    return this;
  }

  platformStack(): Promise<string> {
    return Promise.resolve(this.platform);
  }

  list(_environment: string): Promise<string[]> {
    this.calls.push({ op: "list" });
    return Promise.resolve([...this.stacks.keys()].sort());
  }

  deployed(_environment: string, tenantId: string): Promise<DeployedState | undefined> {
    this.calls.push({ op: "deployed", tenantId });
    const stack = this.stacks.get(tenantId);
    return Promise.resolve(
      stack && { configHash: stack.config && configHash(stack.config), config: stack.config },
    );
  }

  preview(target: StackTarget): Promise<ChangeCounts> {
    return this.work("preview", target.tenantId, target.config, () => {
      const stack = this.stacks.get(target.tenantId);
      if (!stack?.config) return { ...NO_CHANGES, create: 27 };
      return configHash(stack.config) === configHash(target.config)
        ? { ...NO_CHANGES, same: 27 }
        : { ...NO_CHANGES, update: 1, same: 26 };
    });
  }

  up(target: StackTarget): Promise<UpOutcome> {
    return this.work("up", target.tenantId, target.config, () => {
      const existed = this.stacks.get(target.tenantId)?.config;
      this.stacks.set(target.tenantId, { config: target.config, resources: 27 });
      return { changes: existed ? { ...NO_CHANGES, same: 27 } : { ...NO_CHANGES, create: 27 }, outputs: {} };
    });
  }

  destroy(_environment: string, tenantId: string): Promise<ChangeCounts> {
    return this.work("destroy", tenantId, undefined, () => {
      const stack = this.stacks.get(tenantId);
      if (!stack) return NO_CHANGES;
      const deleted = stack.resources;
      stack.resources = 0;
      return { ...NO_CHANGES, delete: deleted };
    });
  }

  remove(_environment: string, tenantId: string): Promise<void> {
    return this.work("remove", tenantId, undefined, () => {
      const stack = this.stacks.get(tenantId);
      if (stack && stack.resources > 0) throw new Error(`stack ${tenantId} still has resources`);
      this.stacks.delete(tenantId);
    });
  }

  outputs(_environment: string, _tenantId: string): Promise<Record<string, unknown>> {
    return Promise.resolve({});
  }

  /** Configurations given to up, by tenant, in call order. */
  upConfigs(tenantId: string): TenantStackConfig[] {
    return this.calls.filter((c) => c.op === "up" && c.tenantId === tenantId).map((c) => c.config!);
  }

  private async work<T>(
    op: BackendCall["op"],
    tenantId: string,
    config: TenantStackConfig | undefined,
    run: () => T,
  ) {
    this.calls.push({ op, tenantId, config });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      const failure = this.failures.get(`${op}:${tenantId}`);
      if (failure) throw failure instanceof Error ? failure : failure();
      const result = run();
      this.journal.push(`${op}:${tenantId}`);
      return result;
    } finally {
      this.inFlight--;
    }
  }
}

/** A final backup that records its calls in the journal, or fails. */
export class FakeBackup implements FinalBackup {
  readonly requests: FinalBackupRequest[] = [];
  failure?: Error;

  constructor(readonly journal: string[] = []) {}

  take(request: FinalBackupRequest) {
    this.requests.push(request);
    if (this.failure) return Promise.reject(this.failure);
    this.journal.push(`backup:${request.tenantId}`);
    return Promise.resolve({
      summary: `final backup of ${request.tenantId}`,
      recoveryPoints: ["arn:rp"],
    });
  }
}

/** Records file deletions in the shared journal; `failure` makes them fail. */
export class FakeTenantFiles implements TenantFiles {
  readonly requests: TenantFilesRequest[] = [];
  failure?: Error;

  constructor(readonly journal: string[] = []) {}

  purge(request: TenantFilesRequest) {
    this.requests.push(request);
    if (this.failure) return Promise.reject(this.failure);
    this.journal.push(`files:${request.tenantId}`);
    return Promise.resolve(`deleted: /tenants/${request.tenantId}`);
  }
}

/** A progress view that records every state change. */
export class RecordingProgress implements ProgressView {
  readonly changes: { key: string; state: TenantState }[] = [];
  update(key: string, state: TenantState): void {
    this.changes.push({ key, state });
  }
  stop(): void {}
}

/** A deployment check that confirms every deployment at once. */
export const confirmedDeployments: DeploymentCheck = {
  confirmAll: (targets) =>
    Promise.resolve(
      targets.map((t) => ({
        tenantId: t.tenantId,
        confirmed: { result: "completed", message: "confirmed (fake)" },
      })),
    ),
};

/** A lifecycle context around fakes. */
export function contextFor(
  backend: TenantStackBackend,
  registryFile: string,
  overrides: Partial<LifecycleContext> = {},
): LifecycleContext & { notes: string[]; changes: string[] } {
  const notes: string[] = [];
  const changes: string[] = [];
  return {
    environment: "dev",
    registryFile,
    backendName: "fake",
    backend,
    finalBackup: new FakeBackup(),
    tenantFiles: new FakeTenantFiles(),
    deployments: confirmedDeployments,
    rolloutRecords: registryRolloutRecords(registryFile),
    settings: () => settingsOf("dev"),
    concurrency: 4,
    progress: silentProgress,
    note: (line) => notes.push(line),
    changed: (line) => changes.push(line),
    notes,
    changes,
    ...overrides,
  };
}

/** Ports around fakes: what a test gives, fakes for the rest. */
export type FakePorts = Pick<LifecyclePorts, "backend"> & Partial<LifecyclePorts>;

/** A CLI runtime around fakes, capturing stdout and stderr (progress goes to stderr). */
export function cliDeps(
  ports: (request: PortsRequest) => FakePorts | LifecyclePorts | Promise<LifecyclePorts>,
): CliRuntime & { out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return {
    stdout: (text) => (out += text),
    stderr: (text) => (err += text),
    progress: () => ({ stream: { write: (text: string) => (err += text) }, tty: false }),
    ports: async (request) => ({
      name: "fake",
      description: "fake ports (tests)",
      finalBackup: new FakeBackup(),
      tenantFiles: new FakeTenantFiles(),
      deployments: confirmedDeployments,
      rolloutRecords: registryRolloutRecords,
      ...(await ports(request)),
    }),
    settings: (environment) => settingsOf(environment),
    projectDir: PROJECT_DIR,
    out: () => out,
    err: () => err,
  };
}

/** `bbws tenants <argv>` in-process. */
export function main(argv: readonly string[], runtime: CliRuntime): Promise<number> {
  return cliMain(["tenants", ...argv], runtime);
}
