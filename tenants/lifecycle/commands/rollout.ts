/**
 * `npm run ops -- rollout <env> --image <tag|digest>`: a new WordPress image for many tenants,
 * in waves, through the tenant lifecycle's stack backend.
 *
 * For each tenant: the stack is updated with its registry entry's configuration and the new
 * image (`desiredConfig`, as `tenants sync` would), then ECS must confirm the result: the
 * PRIMARY deployment runs the task definition the update produced and is COMPLETED
 * (`waitRolledOut`). Pulumi's success alone proves nothing: it reports success when the circuit
 * breaker rolled the deployment back (pulumi-aws#4487, pulumi-awsx#1848).
 *
 * Order: the first `canary` tenants one at a time, then waves of `waveSize` tenants at once. A
 * failed canary halts the rollout; a failure in a wave lets that wave's other tenants finish and
 * halts the following waves. Halted tenants are "skipped".
 *
 * A tenant that fails (rolled back, failed, timed out) has its stack updated back to its previous
 * image, so Pulumi's state matches what ECS runs and the registry keeps that image. The registry
 * records every attempt in the entry's `lastRollout`, and `image` only for completed tenants.
 *
 * Offline (`--offline`) the offline engine updates simulated stacks; nothing runs in ECS, so the
 * check is skipped and the result is recorded as "simulated".
 */
import pLimit from "p-limit";
import { PlatformSettings } from "../../../config/platformConfig";
import { TenantStackBackend } from "../backend";
import { desiredConfig } from "../desiredConfig";
import { commitRegistry, readRegistry, withRollout } from "../../registry/edits";
import { RegistryError, registryPath } from "../../registry/load";
import { LastRollout, TenantEntry, imageSchema } from "../../../config/tenantEntry";
import { ClientFactory } from "../../../ops/clients";
import { unknownTenant } from "../../../ops/context";
import { BbwsError, RollbackDetectedError, toBbwsError } from "../../../lib/errors";
import { LogLine, formatDuration } from "../../../lib/progress";
import { waitRolledOut } from "../../../ops/service";

/** What to roll out where. */
export interface RolloutRequest {
  readonly environment: string;
  /** Image tag, digest (sha256:...) or full reference, as the registry's `image` takes it. */
  readonly image: string;
  /** Tenants in rollout order (the first ones are the canaries). @default every registry entry */
  readonly tenants?: readonly string[];
  /** Tenants rolled out one at a time first; any failure among them halts. @default 1 */
  readonly canary?: number;
  /** Tenants at once after the canaries. @default 5 */
  readonly waveSize?: number;
  /** Seconds each tenant's deployment may take to complete. @default 300 (seed 000) */
  readonly timeoutSeconds?: number;
  /** Seconds between DescribeServices checks. @default 15 */
  readonly intervalSeconds?: number;
}

/** What a rollout works with (the CLI passes the real ones, tests fakes). */
export interface RolloutDeps {
  readonly backend: TenantStackBackend;
  /** The platform stack's settings (the tenants' defaults and the region). */
  readonly settings: PlatformSettings;
  readonly clients: ClientFactory;
  readonly log: LogLine;
  /** Registry file. @default tenants/<env>.yaml */
  readonly registryFile?: string;
  readonly signal?: AbortSignal;
  /** @default Date.now */
  readonly now?: () => number;
}

/** How one tenant's rollout ended. */
export type TenantRolloutResult = LastRollout["result"] | "skipped";

/** One tenant in the report. */
export interface TenantRollout {
  readonly tenantId: string;
  /** "canary 1", "wave 2"... */
  readonly wave: string;
  readonly result: TenantRolloutResult;
  /** The image the tenant ran before (undefined: the environment's default). */
  readonly previousImage?: string;
  /** The task definition the update produced. */
  readonly taskDefinitionArn?: string;
  readonly seconds: number;
  readonly message: string;
}

/** The whole rollout. */
export interface RolloutReport {
  readonly environment: string;
  readonly image: string;
  readonly backend: TenantStackBackend["kind"];
  readonly registry: string;
  readonly tenants: readonly TenantRollout[];
  /** Why the rollout stopped early, when it did. */
  readonly halted?: string;
  /** The error of the tenant that halted the rollout (its exit code is the command's). */
  readonly failure?: BbwsError;
}

/** One wave: canaries are waves of one. */
export interface Wave {
  readonly label: string;
  readonly canary: boolean;
  readonly tenantIds: readonly string[];
}

export const ROLLOUT_DEFAULTS = { canary: 1, waveSize: 5, timeoutSeconds: 300, intervalSeconds: 15 } as const;

/** Splits tenants into canary waves of one, then waves of `waveSize`. */
export function planWaves(tenantIds: readonly string[], canary: number, waveSize: number): Wave[] {
  if (!Number.isInteger(canary) || canary < 0)
    throw new BbwsError("usage", `--canary must be a whole number >= 0, got ${canary}`);
  if (!Number.isInteger(waveSize) || waveSize < 1)
    throw new BbwsError("usage", `--wave-size must be a whole number >= 1, got ${waveSize}`);
  const canaries = tenantIds.slice(0, canary);
  const rest = tenantIds.slice(canary);
  const waves: Wave[] = canaries.map((id, i) => ({
    label: `canary ${i + 1}`,
    canary: true,
    tenantIds: [id],
  }));
  for (let i = 0; i < rest.length; i += waveSize) {
    waves.push({ label: `wave ${i / waveSize + 1}`, canary: false, tenantIds: rest.slice(i, i + waveSize) });
  }
  return waves;
}

/** The registry entries to roll out, in order; UsageError / InvalidTenantError on bad input. */
export function selectTenants(
  environment: string,
  entries: readonly TenantEntry[],
  wanted: readonly string[] | undefined,
): TenantEntry[] {
  if (!wanted) return [...entries];
  const duplicates = wanted.filter((id, i) => wanted.indexOf(id) !== i);
  if (duplicates.length > 0) throw new BbwsError("usage", `--tenants names ${duplicates[0]} twice`);
  return wanted.map((id) => {
    const entry = entries.find((e) => e.id === id);
    if (!entry)
      throw unknownTenant(
        environment,
        id,
        entries.map((e) => e.id),
      );
    return entry;
  });
}

/** Runs the rollout; never throws for a tenant's failure (the report carries it). */
export async function rolloutImage(request: RolloutRequest, deps: RolloutDeps): Promise<RolloutReport> {
  const { environment } = request;
  const parsedImage = imageSchema.safeParse(request.image);
  if (!parsedImage.success) {
    throw new BbwsError(
      "usage",
      `--image ${JSON.stringify(request.image)} ${parsedImage.error.issues[0].message}`,
    );
  }
  const image = parsedImage.data;
  const registryFile = deps.registryFile ?? registryPath(environment);
  const registry = readOrConfigurationError(environment, registryFile);
  const targets = selectTenants(environment, registry.tenants, request.tenants);
  if (targets.length === 0) throw new BbwsError("usage", `${registry.file} has no tenants to roll out`);
  const waves = planWaves(
    targets.map((t) => t.id),
    request.canary ?? ROLLOUT_DEFAULTS.canary,
    request.waveSize ?? ROLLOUT_DEFAULTS.waveSize,
  );

  const now = deps.now ?? Date.now;
  const started = now();
  const log = (line: string) => deps.log(`[${formatDuration((now() - started) / 1000)}] ${line}`);
  const platformStack = await deps.backend.platformStack(environment);
  const { ecs } = deps.clients({ region: deps.settings.region, drRegion: deps.settings.drRegion });
  // Registry edits are read-modify-write of one file: one at a time.
  const registryWrites = pLimit(1);
  const record = (tenantId: string, lastRollout: LastRollout) =>
    registryWrites(() => {
      const fresh = readRegistry(environment, registryFile);
      const completed = lastRollout.result === "completed" || lastRollout.result === "simulated";
      commitRegistry(
        fresh,
        withRollout(fresh, tenantId, { image: completed ? image : undefined, lastRollout }),
      );
    });

  const rollOne = async (entry: TenantEntry, wave: Wave): Promise<TenantRollout & { error?: BbwsError }> => {
    const begin = now();
    const target = (config: TenantEntry) => ({
      environment,
      tenantId: entry.id,
      config: desiredConfig(deps.settings, config, platformStack),
    });
    let taskDefinitionArn: string | undefined;
    let result: LastRollout["result"];
    let message: string;
    let error: BbwsError | undefined;
    let updated = false;
    try {
      log(`${entry.id} (${wave.label}): updating the stack to ${image}`);
      const outcome = await deps.backend.up(target({ ...entry, image }), { signal: deps.signal });
      updated = true;
      taskDefinitionArn = stringOutput(outcome.outputs, "taskDefinitionArn", entry.id);
      if (deps.backend.kind === "offline") {
        result = "simulated";
        message = "offline: stack updated, nothing deployed";
      } else {
        const ref = {
          cluster: stringOutput(outcome.outputs, "clusterName", entry.id),
          service: stringOutput(outcome.outputs, "serviceName", entry.id),
        };
        log(`${entry.id}: waiting for ECS to run ${taskDefinitionArn.split("/").pop()}`);
        await waitRolledOut(ecs, ref, taskDefinitionArn, {
          timeoutSeconds: request.timeoutSeconds ?? ROLLOUT_DEFAULTS.timeoutSeconds,
          intervalSeconds: request.intervalSeconds ?? ROLLOUT_DEFAULTS.intervalSeconds,
          signal: deps.signal,
        });
        result = "completed";
        message = "PRIMARY deployment COMPLETED";
      }
      log(`${entry.id}: ${result}`);
    } catch (thrown) {
      error = toBbwsError(thrown);
      result = error instanceof RollbackDetectedError ? "rolled-back" : "failed";
      message = error.message;
      log(`${entry.id}: ${result}: ${error.message}`);
      // Put the stack back on the image ECS runs, unless the operator is stopping everything.
      if (updated && error.kind !== "interrupted") {
        try {
          await deps.backend.up(target(entry), { signal: deps.signal });
          error.notes.push(
            `${entry.id}: stack updated back to ${entry.image ?? "the environment's default image"}`,
          );
        } catch (revertError) {
          error.notes.push(
            `${entry.id}: the stack still names ${image}: updating it back failed (${toBbwsError(revertError).message}); ` +
              `run \`npm run tenants -- sync ${environment} ${entry.id}\``,
          );
        }
      }
    }
    // Recorded after the fact: a registry that cannot be written never turns a good rollout into a revert.
    try {
      await record(entry.id, { image, at: new Date(now()).toISOString(), result, taskDefinitionArn });
    } catch (registryError) {
      const note = `${entry.id}: not recorded in the registry (${toBbwsError(registryError).message})`;
      error ??= new BbwsError("failed", `${entry.id} was ${result}, but the registry could not record it`);
      error.notes.push(result === "completed" ? `${note}: set its image to ${image} by hand` : note);
    }
    return {
      tenantId: entry.id,
      wave: wave.label,
      result,
      previousImage: entry.image,
      taskDefinitionArn,
      seconds: Math.round((now() - begin) / 1000),
      message: [message, ...(error?.notes ?? [])].join("; "),
      error,
    };
  };

  const results: (TenantRollout & { error?: BbwsError })[] = [];
  let halted: string | undefined;
  let failure: BbwsError | undefined;
  for (const wave of waves) {
    const entries = wave.tenantIds.map((id) => targets.find((t) => t.id === id)!);
    if (halted || deps.signal?.aborted) {
      halted ??= "interrupted";
      results.push(...entries.map((e) => skipped(e, wave, halted!)));
      continue;
    }
    log(`${wave.label}: ${wave.tenantIds.join(", ")}`);
    const outcomes = await Promise.all(entries.map((entry) => rollOne(entry, wave)));
    results.push(...outcomes);
    const failed = outcomes.find((o) => o.error);
    if (failed) {
      failure = failed.error;
      halted = `${failed.tenantId} (${wave.label}) ${failed.result}`;
    }
  }
  return {
    environment,
    image,
    backend: deps.backend.kind,
    registry: registry.file,
    tenants: results.map(({ error: _error, ...rest }) => rest),
    halted,
    failure,
  };
}

function readOrConfigurationError(environment: string, file: string) {
  try {
    return readRegistry(environment, file).registry;
  } catch (error) {
    if (error instanceof RegistryError) throw new BbwsError("invalidInput", error.message, { cause: error });
    throw error;
  }
}

function skipped(entry: TenantEntry, wave: Wave, halted: string): TenantRollout {
  return {
    tenantId: entry.id,
    wave: wave.label,
    result: "skipped",
    previousImage: entry.image,
    seconds: 0,
    message: `not started: the rollout halted (${halted})`,
  };
}

function stringOutput(outputs: Record<string, unknown>, key: string, tenantId: string): string {
  const value = outputs[key];
  if (typeof value !== "string" || value === "") {
    throw new Error(`the ${tenantId} stack has no output ${key} after the update`);
  }
  return value;
}
