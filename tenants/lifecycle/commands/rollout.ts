/**
 * `tenants rollout <env> --image <tag|digest> [ids...]`: a new WordPress image for many tenant
 * stacks, a fleet update in waves.
 *
 * For each tenant (a saga, lib/saga.ts): the stack is updated with its registry entry's
 * configuration and the new image, exactly as `sync` would with that image (undo: update it
 * back to its previous image), except that the update does not wait for ECS steady state.
 * Once every update of a wave has ended, the deployment check confirms all of the wave's
 * deployments together (the `DeploymentCheck` port: ECS's service-deployments API for real
 * stacks, which reports rollbacks and the circuit breaker; Pulumi reports success even when
 * the circuit breaker rolled the deployment back, pulumi-aws#4487, pulumi-awsx#1848). A wave
 * then takes one stack update plus one deployment, not one of each per tenant in turn. The
 * outcome is recorded through the `RolloutRecords` port: the registry for real stacks
 * (`lastRollout` always, and `image` when completed), the offline state offline, or one file
 * per tenant (`--records-dir`, for shards on several machines).
 *
 * Order: the first `canary` tenants one at a time, then waves of `waveSize` tenants at once
 * (each wave is one fleet run: progress, lock retries and failure isolation as in `sync`). A
 * failed canary halts the rollout; a failure in a wave lets that wave's other tenants finish
 * and halts the following waves. Halted tenants are "skipped".
 */
import { PlatformSettings } from "../../../config/platformConfig";
import { LastRollout, TenantEntry, imageSchema } from "../../../config/tenantEntry";
import { BbwsError, RollbackDetectedError, toBbwsError } from "../../../lib/errors";
import { ExitKind, exitCodeOf } from "../../../lib/exitCodes";
import { LogLine, formatDuration } from "../../../lib/progress";
import { Saga } from "../../../lib/saga";
import { TenantStackBackend } from "../backend";
import { LifecycleContext } from "../context";
import { tenantStackConfig } from "../../stackConfig";
import { runFleet } from "../fleet";
import { readInputs, requireKnown } from "../fleetState";
import { nextIssuedHosts } from "../certificates";
import { servesNothing } from "../../../config/tenantOutputs";
import {
  CertificateStatusCheck,
  ConfirmedDeployment,
  DeploymentCheck,
  DeploymentTarget,
  DeploymentVerdict,
  RolloutRecords,
} from "../ports";
import { Shard, inShard } from "../shard";
import { directoryRolloutRecords } from "../rolloutRecords";
import { ProgressView, silentProgress } from "../progress";
import { CommandReport, plainTable } from "../report";

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
  /** Seconds between deployment checks. @default 15 */
  readonly intervalSeconds?: number;
  /** Only the tenants of this stable slice (`--shard i/N`), for a rollout split over machines. */
  readonly shard?: Shard;
}

/** What a rollout works with (the lifecycle's ports; tests pass fakes). */
export interface RolloutDeps {
  readonly backend: TenantStackBackend;
  /** The platform stack's settings (the tenants' defaults and the region). */
  readonly settings: PlatformSettings;
  readonly deployments: DeploymentCheck;
  readonly records: RolloutRecords;
  /** How tenant certificates stand in ACM (the configuration keeps issued ones attached). @default - not asked */
  readonly certificates?: CertificateStatusCheck;
  /** Registry entries in file order, each with its listener slot. */
  readonly entries: readonly TenantEntry[];
  /** The registry file, for messages. */
  readonly registryFile: string;
  readonly platformStack: string;
  /** Progress lines (stderr). */
  readonly log: LogLine;
  /** Per-tenant live progress. @default silent */
  readonly progress?: ProgressView;
  readonly signal?: AbortSignal;
  /** @default Date.now */
  readonly now?: () => number;
}

/** How one tenant's rollout ended. */
export type TenantRolloutResult = LastRollout["result"] | "simulated" | "skipped";

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
  /** Where the outcomes were recorded. */
  readonly recordedIn: string;
  readonly tenants: readonly TenantRollout[];
  /** Why the rollout stopped early, when it did. */
  readonly halted?: string;
  /** The error of the tenant that halted the rollout (its kind is the command's). */
  readonly failure?: BbwsError;
}

/** One wave: canaries are waves of one. */
export interface Wave {
  readonly label: string;
  readonly canary: boolean;
  readonly tenantIds: readonly string[];
}

export { ROLLOUT_DEFAULTS } from "../defaults";
import { ROLLOUT_DEFAULTS } from "../defaults";

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

/** Checks an `--image` value; a usage error says what is accepted. */
export function checkImage(image: string): string {
  const parsed = imageSchema.safeParse(image);
  if (!parsed.success)
    throw new BbwsError("usage", `--image ${JSON.stringify(image)} ${parsed.error.issues[0].message}`);
  return parsed.data;
}

/** The registry entries to roll out, in order. */
export function selectTenants(
  environment: string,
  registryFile: string,
  entries: readonly TenantEntry[],
  wanted: readonly string[] | undefined,
): TenantEntry[] {
  if (!wanted?.length) return [...entries];
  const duplicates = wanted.filter((id, i) => wanted.indexOf(id) !== i);
  if (duplicates.length > 0) throw new BbwsError("usage", `tenant ${duplicates[0]} is named twice`);
  requireKnown(
    wanted,
    entries.map((e) => e.id),
    `the ${environment} registry (${registryFile})`,
  );
  return wanted.map((id) => entries.find((e) => e.id === id)!);
}

/** Runs the rollout; never throws for a tenant's failure (the report carries it). */
export async function rolloutImage(request: RolloutRequest, deps: RolloutDeps): Promise<RolloutReport> {
  const { environment } = request;
  const image = checkImage(request.image);
  const selected = selectTenants(environment, deps.registryFile, deps.entries, request.tenants);
  if (selected.length === 0) throw new BbwsError("usage", `${deps.registryFile} has no tenants to roll out`);
  const shard = request.shard;
  const targets = shard ? selected.filter((t) => inShard(t.id, shard)) : selected;
  if (targets.length === 0)
    throw new BbwsError(
      "usage",
      `shard ${shard!.index}/${shard!.count} holds none of the ${selected.length} tenant(s)`,
    );
  const waves = planWaves(
    targets.map((t) => t.id),
    request.canary ?? ROLLOUT_DEFAULTS.canary,
    request.waveSize ?? ROLLOUT_DEFAULTS.waveSize,
  );

  // Stacks that exist: their outputs say what certificate is issued (an update must keep it).
  const existing = new Set(await deps.backend.list(environment));
  const now = deps.now ?? Date.now;
  const started = now();
  const log = (line: string) => deps.log(`[${formatDuration((now() - started) / 1000)}] ${line}`);
  const progress = deps.progress ?? silentProgress;
  const wait = {
    timeoutSeconds: request.timeoutSeconds ?? ROLLOUT_DEFAULTS.timeoutSeconds,
    intervalSeconds: request.intervalSeconds ?? ROLLOUT_DEFAULTS.intervalSeconds,
    signal: deps.signal,
  };

  type Outcome = TenantRollout & { error?: BbwsError };
  const rollOne = async (
    entry: TenantEntry,
    wave: Wave,
    check: WaveCheck,
    step: (state: "updating" | "confirming" | "reverting") => void,
  ): Promise<Outcome> => {
    const begin = now();
    // Forward: the update returns once ECS has the deployment; the wave check confirms it.
    // Back: a revert waits for steady state, as a sync does.
    let issuedCertificateHosts: readonly string[] = [];
    const target = (config: TenantEntry, skipSteadyStateWait = false) => ({
      environment,
      tenantId: entry.id,
      config: tenantStackConfig(deps.settings, config, deps.platformStack, {
        skipSteadyStateWait,
        issuedCertificateHosts,
      }),
    });
    let awaitingCheck = true;
    const saga = new Saga();
    let taskDefinitionArn: string | undefined;
    let result: TenantRolloutResult;
    let message: string;
    let error: BbwsError | undefined;
    const previous = entry.image ?? "the environment's default image";
    try {
      if (existing.has(entry.id)) {
        const current = await deps.backend.outputs(environment, entry.id);
        if (servesNothing(current)) {
          // No service to deploy to until its certificate is issued; `sync` creates it later.
          check.skip();
          awaitingCheck = false;
          log(`${entry.id}: skipped: its certificate waits for the customer's DNS (no service yet)`);
          return {
            tenantId: entry.id,
            wave: wave.label,
            result: "skipped",
            previousImage: entry.image,
            seconds: Math.round((now() - begin) / 1000),
            message: `certificate pending, no service yet: not rolled out (set its image in the registry and \`sync\` it once served)`,
          };
        }
        issuedCertificateHosts = await nextIssuedHosts(
          deps.certificates,
          environment,
          entry,
          deps.settings,
          current,
        );
      }
      log(`${entry.id} (${wave.label}): updating the stack to ${image}`);
      step("updating");
      const outcome = await saga.step(
        `update ${entry.id} to ${image}`,
        () => deps.backend.up(target({ ...entry, image }, true), { signal: deps.signal }),
        () => ({
          name: `${entry.id}: stack updated back to ${previous}`,
          run: async () => {
            step("reverting");
            await deps.backend.up(target(entry), { signal: deps.signal });
          },
          manual:
            `${entry.id}: the stack still names ${image}: run \`npm run tenants -- sync ${environment} ${entry.id}\` ` +
            `to put it back on ${previous}`,
        }),
      );
      taskDefinitionArn = stringOutput(outcome.outputs, "taskDefinitionArn", entry.id);
      const deployment: DeploymentTarget = {
        tenantId: entry.id,
        clusterName: stringOutput(outcome.outputs, "clusterName", entry.id),
        serviceName: stringOutput(outcome.outputs, "serviceName", entry.id),
        taskDefinitionArn,
        updateStartedAt: begin,
      };
      log(
        `${entry.id}: updated to ${taskDefinitionArn.split("/").pop()}; its deployment is confirmed with the wave`,
      );
      step("confirming");
      awaitingCheck = false;
      const confirmed = await check.confirm(deployment);
      result = confirmed.result;
      message = confirmed.message;
      await saga.finish(true);
      log(`${entry.id}: ${result}`);
    } catch (thrown) {
      // Nothing of this tenant to confirm: the wave check must not wait for it.
      if (awaitingCheck) check.skip();
      awaitingCheck = false;
      error = toBbwsError(thrown);
      result = error instanceof RollbackDetectedError ? "rolled-back" : "failed";
      message = error.message;
      log(`${entry.id}: ${result}: ${error.message}`);
      // Put the stack back on the image ECS runs, unless the operator is stopping everything.
      const report = await saga.finish(false, { skipUndos: error.kind === "interrupted" });
      error.notes.push(...report.undone);
      for (const undo of report.failedUndos) error.notes.push(`${undo.name} failed (${undo.message})`);
      error.notes.push(...report.leftToCleanUp);
    }
    // Recorded after the fact: records that cannot be written never turn a good rollout into a revert.
    try {
      await deps.records.record(environment, entry.id, {
        image: result === "completed" || result === "simulated" ? image : undefined,
        lastRollout: {
          image,
          at: new Date(now()).toISOString(),
          result: result === "simulated" ? "completed" : result,
          taskDefinitionArn,
        },
      });
    } catch (recordError) {
      const note = `${entry.id}: not recorded in ${deps.records.location} (${toBbwsError(recordError).message})`;
      error ??= new BbwsError("failed", `${entry.id} was ${result}, but the outcome could not be recorded`);
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

  const results: Outcome[] = [];
  let halted: string | undefined;
  let failure: BbwsError | undefined;
  for (let w = 0; w < waves.length; w++) {
    const wave = waves[w];
    if (wave.tenantIds.length === 0) continue; // its tenant became a canary
    const entries = wave.tenantIds.map((id) => targets.find((t) => t.id === id)!);
    if (halted || deps.signal?.aborted) {
      halted ??= "interrupted";
      results.push(...entries.map((e) => skipped(e, wave, halted!)));
      continue;
    }
    log(`${wave.label}: ${wave.tenantIds.join(", ")}`);
    const outcomes = new Map<string, Outcome>();
    const check = new WaveCheck(
      entries.length,
      (deployments) => {
        log(`${wave.label}: confirming ${deployments.length} deployment(s) together`);
        return deps.deployments.confirmAll(deployments, wait);
      },
      deps.signal,
    );
    await runFleet(
      entries.map((entry) => ({
        tenantId: entry.id,
        stack: `${environment}.${entry.id}`,
        operation: "update",
        async run(step) {
          const outcome = await rollOne(entry, wave, check, step);
          outcomes.set(entry.id, outcome);
          // The fleet shows the tenant failed; the outcome keeps the rollout's own result.
          if (outcome.error) throw outcome.error;
          return { message: outcome.result };
        },
      })),
      { concurrency: entries.length, progress, signal: deps.signal, now, stopProgress: false },
    );
    const ended: Outcome[] = entries.map((e) => outcomes.get(e.id) ?? skipped(e, wave, "interrupted"));
    results.push(...ended);
    const failed = ended.find((o) => o.error);
    if (failed) {
      failure = failed.error;
      halted = `${failed.tenantId} (${wave.label}) ${failed.result}`;
    } else if (wave.canary && ended.every((o) => o.result === "skipped")) {
      // A canary with nothing to deploy to (no service yet) proves nothing: the next tenant is one.
      const n = waves.findIndex((later, i) => i > w && !later.canary && later.tenantIds.length > 0);
      if (n > 0) {
        const [id, ...rest] = waves[n].tenantIds;
        waves[n] = { ...waves[n], tenantIds: rest };
        waves.splice(w + 1, 0, { label: `${wave.label} (${id} instead)`, canary: true, tenantIds: [id] });
        log(`${wave.label}: nothing deployed (no service yet); ${id} is the canary instead`);
      }
    }
  }
  progress.stop();
  return {
    environment,
    image,
    recordedIn: deps.records.location,
    tenants: results.map(({ error: _error, ...rest }) => rest),
    halted,
    failure,
  };
}

/**
 * A wave's deployments, confirmed in one check once every tenant of the wave has either
 * updated its stack (`confirm`) or ended without a deployment to check (`skip`). An abort runs
 * the check with what it has, so no tenant waits for one that will never start.
 */
export class WaveCheck {
  private readonly targets: DeploymentTarget[] = [];
  private readonly waiting = new Map<
    string,
    { resolve: (confirmed: ConfirmedDeployment) => void; reject: (error: unknown) => void }
  >();
  private started = false;

  constructor(
    private remaining: number,
    private readonly check: (targets: readonly DeploymentTarget[]) => Promise<DeploymentVerdict[]>,
    signal?: AbortSignal,
  ) {
    signal?.addEventListener("abort", () => this.startWhenReady(true), { once: true });
  }

  /** Resolves when the wave's check confirms `target`'s deployment; rejects with its error. */
  confirm(target: DeploymentTarget): Promise<ConfirmedDeployment> {
    return new Promise((resolve, reject) => {
      if (this.started) {
        reject(
          new BbwsError("interrupted", `${target.tenantId}: interrupted before its deployment was checked`),
        );
        return;
      }
      this.targets.push(target);
      this.waiting.set(target.tenantId, { resolve, reject });
      this.remaining--;
      this.startWhenReady(false);
    });
  }

  /** A tenant of the wave ended without a deployment to confirm. */
  skip(): void {
    this.remaining--;
    this.startWhenReady(false);
  }

  private startWhenReady(aborted: boolean): void {
    if (this.started || (!aborted && this.remaining > 0) || this.targets.length === 0) return;
    this.started = true;
    const targets = [...this.targets];
    this.check(targets).then(
      (verdicts) => {
        for (const verdict of verdicts) {
          const waiter = this.waiting.get(verdict.tenantId);
          if (verdict.confirmed) waiter?.resolve(verdict.confirmed);
          else waiter?.reject(verdict.error);
        }
      },
      (error: unknown) => {
        for (const waiter of this.waiting.values()) waiter.reject(error);
      },
    );
  }
}

/** Options of the `rollout` command. */
export type RolloutOptions = Omit<RolloutRequest, "environment"> & {
  /** Record outcomes as one file per tenant in this directory instead (shards on several machines). */
  readonly recordsDir?: string;
};

/** The `rollout` command: a rollout over the context's ports, rendered as a command report. */
export async function rolloutTenants(
  context: LifecycleContext,
  options: RolloutOptions,
): Promise<CommandReport> {
  checkImage(options.image);
  const inputs = readInputs(context);
  // Validated before any stack is touched: an unknown id or a bad number changes nothing.
  selectTenants(context.environment, inputs.snapshot.registry.file, inputs.entries, options.tenants);
  planWaves([], options.canary ?? ROLLOUT_DEFAULTS.canary, options.waveSize ?? ROLLOUT_DEFAULTS.waveSize);
  const platformStack = await context.backend.platformStack(context.environment);
  const { recordsDir: _recordsDir, ...request } = options;
  const report = await rolloutImage(
    { ...request, environment: context.environment },
    {
      backend: context.backend,
      settings: inputs.settings,
      deployments: context.deployments,
      certificates: context.certificates,
      records: options.recordsDir ? directoryRolloutRecords(options.recordsDir) : context.rolloutRecords,
      entries: inputs.entries,
      registryFile: inputs.snapshot.registry.file,
      platformStack,
      log: context.note,
      progress: context.progress,
      signal: context.signal,
      now: context.now,
    },
  );
  const kind: ExitKind = report.failure?.kind ?? "ok";
  const { failure, ...result } = report;
  return {
    exitCode: exitCodeOf(kind),
    text: renderRollout(report),
    json: {
      command: "rollout",
      backend: context.backendName,
      ...result,
      ...(failure ? { error: { kind: failure.kind, message: failure.message, notes: failure.notes } } : {}),
      exitCode: exitCodeOf(kind),
    },
    ...(failure
      ? {
          failure: new BbwsError(failure.kind, `rollout halted: ${report.halted}: ${failure.message}`, {
            cause: failure,
            notes: failure.notes,
          }),
        }
      : {}),
  };
}

/** The rollout as a table, the halt and where the outcomes were recorded. */
export function renderRollout(report: RolloutReport): string {
  const table = plainTable(["Tenant", "Wave", "Result", "Seconds", "Message"], [null, null, null, null, 70]);
  for (const t of report.tenants) {
    table.push([t.tenantId, t.wave, t.result, String(t.seconds), t.message.split("\n")[0]]);
  }
  const counts: Record<string, number> = {};
  for (const t of report.tenants) counts[t.result] = (counts[t.result] ?? 0) + 1;
  const summary = Object.entries(counts)
    .map(([result, n]) => `${n} ${result}`)
    .join(", ");
  return [
    `Rollout of ${report.image} to ${report.environment}:`,
    table.toString(),
    ...(report.halted ? [`Halted: ${report.halted}.`] : []),
    `${report.tenants.length} tenant(s): ${summary}. Outcomes recorded in ${report.recordedIn}.`,
  ].join("\n");
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
    throw new BbwsError("failed", `the ${tenantId} stack has no output ${key} after the update`);
  }
  return value;
}
