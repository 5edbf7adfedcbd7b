/**
 * Tenant stacks simulated with the offline engine, for machines without the Pulumi CLI or AWS
 * (`--offline`). The orchestration is the same as with real stacks; only this backend differs:
 *
 * - `up` and `preview` run the real tenant program (`tenantStackProgram`) under the BBWS mocks
 *   with exactly the configuration map the Automation API would set, the platform's outputs
 *   (from an offline run of the platform program) behind the StackReference;
 * - the planned resources are compared with the ones recorded at the last `up` (URN, type,
 *   inputs hash) to count creates, updates, replaces (type changed), deletes and sames;
 * - `up` records the new resources and configuration, `destroy` empties the record and
 *   `remove` deletes it (refusing, like `pulumi stack rm`, while resources remain).
 *
 * Updates are not told from replacements (that takes a provider's diff): an input change
 * counts as an update.
 */
import { createHash } from "crypto";
import { TENANT_PROJECT, parseTenantStackName, tenantStackName } from "../config/naming";
import { tenantStackProgram } from "../tenants/program";
import { TENANT_CONFIG } from "../tenants/stackConfig";
import { DYNAMIC_PROVIDER_INPUT } from "./mocks";
import { runPlatform } from "./platformRun";
import { StackRun, runStack } from "./stackRun";
import { offlinePlatformStackName } from "./tenantRun";
import {
  ChangeCounts,
  DeployedState,
  NO_CHANGES,
  StackTarget,
  TenantStackBackend,
  UpOutcome,
} from "../tenants/lifecycle/backend";
import { TenantStackConfig } from "../tenants/stackConfig";
import { configHash } from "../tenants/lifecycle/configState";
import { OfflineResource, OfflineStateStore } from "./state";

/** Options of the offline backend. */
export interface OfflineBackendOptions {
  /** The environment's state file store. */
  readonly store: OfflineStateStore;
  /** Platform stack name the tenant configuration carries. @default organization/bbws/<env> */
  readonly platformStack?: string;
  /** Repository root (platform stack files). @default the repository */
  readonly projectDir?: string;
  /** Outputs of the platform stack. @default an offline run of the platform program */
  readonly platformOutputs?: (environment: string) => Promise<Record<string, unknown>>;
  /** Clock for `updatedAt`. @default Date.now */
  readonly now?: () => number;
}

/** A backend simulated by the offline engine; see the file comment. */
export class OfflineBackend implements TenantStackBackend {
  private readonly platforms = new Map<string, Promise<Record<string, unknown>>>();

  constructor(private readonly options: OfflineBackendOptions) {}

  platformStack(environment: string): Promise<string> {
    return Promise.resolve(this.options.platformStack ?? offlinePlatformStackName(environment));
  }

  list(environment: string): Promise<string[]> {
    const ids = Object.keys(this.options.store.read().stacks)
      .map((name) => parseTenantStackName(name))
      .filter((parsed) => parsed?.environment === environment)
      .map((parsed) => parsed!.tenantId)
      .sort();
    return Promise.resolve(ids);
  }

  deployed(environment: string, tenantId: string): Promise<DeployedState | undefined> {
    const record = this.options.store.read().stacks[tenantStackName(environment, tenantId)];
    return Promise.resolve(record && { configHash: record.configHash, config: record.config });
  }

  async preview(target: StackTarget): Promise<ChangeCounts> {
    const run = await this.run(target);
    const record = this.options.store.read().stacks[tenantStackName(target.environment, target.tenantId)];
    return compareResources(record?.resources ?? {}, resourcesOf(run));
  }

  async up(target: StackTarget): Promise<UpOutcome> {
    const run = await this.run(target);
    const name = tenantStackName(target.environment, target.tenantId);
    const after = resourcesOf(run);
    const changes = await this.options.store.update((state) => {
      const counts = compareResources(state.stacks[name]?.resources ?? {}, after);
      state.stacks[name] = {
        tenantId: target.tenantId,
        configHash: configHash(target.config),
        config: target.config,
        resources: after,
        outputs: run.outputs,
        updatedAt: this.timestamp(),
      };
      return counts;
    });
    return { changes, outputs: run.outputs };
  }

  destroy(environment: string, tenantId: string): Promise<ChangeCounts> {
    const name = tenantStackName(environment, tenantId);
    return this.options.store.update((state) => {
      const record = state.stacks[name];
      if (!record) return NO_CHANGES;
      state.stacks[name] = { ...record, resources: {}, outputs: {}, updatedAt: this.timestamp() };
      return { ...NO_CHANGES, delete: Object.keys(record.resources).length };
    });
  }

  remove(environment: string, tenantId: string): Promise<void> {
    const name = tenantStackName(environment, tenantId);
    return this.options.store.update((state) => {
      const record = state.stacks[name];
      if (!record) return;
      const left = Object.keys(record.resources).length;
      if (left > 0) {
        throw new Error(
          `stack ${name} still has ${left} resources; destroy it first (pulumi stack rm refuses too)`,
        );
      }
      delete state.stacks[name];
    });
  }

  outputs(environment: string, tenantId: string): Promise<Record<string, unknown>> {
    const record = this.options.store.read().stacks[tenantStackName(environment, tenantId)];
    if (!record)
      return Promise.reject(
        new Error(`tenant stack ${tenantStackName(environment, tenantId)} does not exist`),
      );
    return Promise.resolve({ ...record.outputs });
  }

  private async run(target: StackTarget): Promise<StackRun> {
    const { config } = target;
    const platformStack = valueOf(config, TENANT_CONFIG.platformStack);
    const platformOutputs = await this.platformOutputs(target.environment);
    return runStack(
      {
        project: TENANT_PROJECT,
        stack: tenantStackName(target.environment, target.tenantId),
        region: valueOf(config, "aws:region"),
        config: Object.fromEntries(Object.entries(config).map(([key, entry]) => [key, entry.value])),
        secretKeys: Object.entries(config)
          .filter(([, entry]) => entry.secret)
          .map(([key]) => key),
        stackOutputs: { [platformStack]: platformOutputs },
      },
      tenantStackProgram,
    );
  }

  private platformOutputs(environment: string): Promise<Record<string, unknown>> {
    let outputs = this.platforms.get(environment);
    if (!outputs) {
      outputs =
        this.options.platformOutputs?.(environment) ??
        runPlatform({ stack: environment, projectDir: this.options.projectDir }).then((run) => run.outputs);
      this.platforms.set(environment, outputs);
    }
    return outputs;
  }

  private timestamp(): string {
    return new Date(this.options.now?.() ?? Date.now()).toISOString();
  }
}

function valueOf(config: TenantStackConfig, key: string): string {
  const entry = config[key];
  if (!entry) throw new Error(`tenant configuration has no ${key}`);
  return entry.value;
}

/** URN -> type and inputs hash of a run's resources (reads of existing resources excluded). */
export function resourcesOf(run: StackRun): Record<string, OfflineResource> {
  const resources: Record<string, OfflineResource> = {};
  for (const resource of run.resources) {
    if (resource.read) continue;
    // A dynamic provider's serialized code is not an input an operator changes.
    const { [DYNAMIC_PROVIDER_INPUT]: _code, ...inputs } = resource.inputs as Record<string, unknown>;
    resources[resource.urn] = {
      type: resource.type,
      inputsHash: createHash("sha256").update(stableJson(inputs)).digest("hex"),
    };
  }
  return resources;
}

/** Counts what turning `before` into `after` takes. */
export function compareResources(
  before: Readonly<Record<string, OfflineResource>>,
  after: Readonly<Record<string, OfflineResource>>,
): ChangeCounts {
  const counts: { -readonly [K in keyof ChangeCounts]: number } = { ...NO_CHANGES };
  for (const [urn, resource] of Object.entries(after)) {
    const old = before[urn];
    if (!old) counts.create++;
    else if (old.type !== resource.type) counts.replace++;
    else if (old.inputsHash !== resource.inputsHash) counts.update++;
    else counts.same++;
  }
  for (const urn of Object.keys(before)) if (!(urn in after)) counts.delete++;
  return counts;
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const object = value as Record<string, unknown>;
    return `{${Object.keys(object)
      .sort()
      .filter((key) => object[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${stableJson(object[key])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
