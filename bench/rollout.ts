/**
 * `npm run bench` (rollout part): an image rollout of 1,000 tenants at wave sizes K = 10, 50
 * and 100, on a virtual clock. The REAL rollout code runs (`rolloutImage`: waves, sagas, the
 * fleet runner, the lock retry, and the real ECS deployment check `ecsDeployments` polling the
 * service-deployments API), against a simulated world: a stack update takes 20-40 s, an ECS
 * deployment 3-6 min, both with jitter, and 1% of updates first meet a locked stack (retried
 * with backoff, as the Automation API backend does). Sinon's fake timers make hours of rollout
 * take seconds of CPU, so it runs in CI.
 *
 * The ideal is what no orchestrator can beat with these latencies: for each wave, its slowest
 * update-then-deployment (ceil(N/K) waves after the canary); the wall time is compared to it.
 */
import * as sinon from "sinon";
import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
} from "@aws-sdk/client-ecs";
import { loadStackSettings } from "../config/readStackConfig";
import { TenantEntry } from "../config/tenantEntry";
import { parseRegistry } from "../tenants/registry/load";
import { DEFAULT_TENANTS_PER_SHARD, allocateListenerSlots } from "../tenants/registry/allocate";
import { NO_CHANGES, StackTarget, TenantStackBackend, UpOutcome } from "../tenants/lifecycle/backend";
import { DEFAULT_LOCK_RETRY, withLockRetry } from "../tenants/lifecycle/lockRetry";
import { RolloutRecords } from "../tenants/lifecycle/ports";
import { RolloutReport, rolloutImage } from "../tenants/lifecycle/commands/rollout";
import { ecsDeployments } from "../ops/lifecyclePorts";
import { generatedRegistry } from "./plan";

/** One simulated rollout. */
export interface RolloutSimulation {
  readonly tenants: number;
  readonly waveSize: number;
  /** @default 1 */
  readonly canary?: number;
  /** Seed of the latencies and failures. @default 17 */
  readonly seed?: number;
  /** Share of stack updates that first meet a locked stack (retried). @default 0.01 */
  readonly lockFailureRate?: number;
  /** Tenants whose deployment the circuit breaker rolls back (the rollout then halts). */
  readonly rollBack?: readonly string[];
  /** Seconds between deployment checks. @default 15 */
  readonly intervalSeconds?: number;
  /** Stack update latency range, seconds. @default [20, 40] */
  readonly updateSeconds?: readonly [number, number];
  /** ECS deployment latency range, seconds. @default [180, 360] */
  readonly deploymentSeconds?: readonly [number, number];
}

/** What a simulated rollout measured (virtual seconds). */
export interface SimulationResult {
  readonly report: RolloutReport;
  readonly wallSeconds: number;
  readonly idealSeconds: number;
  readonly waves: number;
  readonly ecsCalls: number;
  readonly lockRetries: number;
}

/** A small seeded PRNG (mulberry32): the same seed, the same rollout. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface SimulatedDeployment {
  readonly tenantId: string;
  readonly arn: string;
  readonly revisionArn: string;
  readonly taskDefinition: string;
  readonly createdAt: number;
  readonly endsAt: number;
  readonly rollsBack: boolean;
}

/** The simulated AWS: tenant stacks whose updates start ECS deployments. */
class SimulatedWorld implements TenantStackBackend {
  readonly deployments = new Map<string, SimulatedDeployment>();
  /** Per tenant: update start, and when its deployment ends (for the ideal). */
  readonly spans = new Map<string, { start: number; end: number }>();
  ecsCalls = 0;
  lockRetries = 0;
  private readonly revisions = new Map<string, number>();

  constructor(
    private readonly options: Required<Omit<RolloutSimulation, "rollBack">> & {
      rollBack: ReadonlySet<string>;
    },
    private readonly random: () => number,
    private readonly tenantIds: readonly string[] = [],
  ) {}

  private between([low, high]: readonly [number, number]): number {
    return (low + this.random() * (high - low)) * 1000;
  }

  platformStack(environment: string) {
    return Promise.resolve(`organization/bbws/${environment}`);
  }
  /** Every tenant has its stack: the rollout reads each one's outputs first (its certificate). */
  list() {
    return Promise.resolve([...this.tenantIds]);
  }
  deployed() {
    return Promise.resolve(undefined);
  }
  preview() {
    return Promise.resolve(NO_CHANGES);
  }
  destroy() {
    return Promise.resolve(NO_CHANGES);
  }
  remove() {
    return Promise.resolve();
  }
  /** `pulumi stack output` of the Automation API backend: a CLI call of 1-2 s. */
  async outputs(): Promise<Record<string, unknown>> {
    await sleep(this.between([1, 2]));
    return {};
  }

  async up(target: StackTarget): Promise<UpOutcome> {
    const start = Date.now();
    const locked = this.random() < this.options.lockFailureRate;
    let attempts = 0;
    // The Automation API backend's own lock retry, on the virtual clock.
    await withLockRetry(
      { stackName: `dev.${target.tenantId}`, workDir: "(simulated)" },
      async () => {
        attempts++;
        await sleep(this.between([1, 3]));
        if (locked && attempts === 1) {
          this.lockRetries++;
          throw Object.assign(new Error("the stack is currently locked by 1 lock(s)"), {
            name: "ConcurrentUpdateError",
          });
        }
      },
      { ...DEFAULT_LOCK_RETRY, random: this.random },
    );
    await sleep(this.between(this.options.updateSeconds));
    const revision = (this.revisions.get(target.tenantId) ?? 1) + 1;
    this.revisions.set(target.tenantId, revision);
    const taskDefinition = `arn:aws:ecs:af-south-1:123456789012:task-definition/dev-${target.tenantId}-wordpress:${revision}`;
    const reverting = revision > 2;
    if (!reverting) {
      const createdAt = Date.now();
      const endsAt = createdAt + this.between(this.options.deploymentSeconds);
      const service = `bbws-dev/${target.tenantId}-wordpress`;
      this.deployments.set(`${target.tenantId}-wordpress`, {
        tenantId: target.tenantId,
        arn: `arn:aws:ecs:af-south-1:123456789012:service-deployment/${service}/${revision}`,
        revisionArn: `arn:aws:ecs:af-south-1:123456789012:service-revision/${service}/${revision}`,
        taskDefinition,
        createdAt,
        endsAt,
        rollsBack: this.options.rollBack.has(target.tenantId),
      });
      this.spans.set(target.tenantId, { start, end: endsAt });
    }
    return {
      changes: { ...NO_CHANGES, update: 1 },
      outputs: {
        clusterName: "bbws-dev",
        serviceName: `${target.tenantId}-wordpress`,
        taskDefinitionArn: taskDefinition,
      },
    };
  }

  /** The slice of ECS the deployment check calls, answered from the simulated deployments. */
  ecs(): ECSClient {
    const byArn = () => new Map([...this.deployments.values()].map((d) => [d.arn, d]));
    const send = (command: unknown): Promise<unknown> => {
      this.ecsCalls++;
      if (command instanceof ListServiceDeploymentsCommand) {
        const d = this.deployments.get(command.input.service!);
        return Promise.resolve({
          serviceDeployments: d
            ? [
                {
                  serviceDeploymentArn: d.arn,
                  targetServiceRevisionArn: d.revisionArn,
                  createdAt: new Date(d.createdAt),
                },
              ]
            : [],
        });
      }
      if (command instanceof DescribeServiceRevisionsCommand) {
        const revisions = new Map(
          [...this.deployments.values()].map((d) => [d.revisionArn, d.taskDefinition]),
        );
        return Promise.resolve({
          serviceRevisions: command.input.serviceRevisionArns!.map((arn) => ({
            serviceRevisionArn: arn,
            taskDefinition: revisions.get(arn),
          })),
        });
      }
      if (command instanceof DescribeServiceDeploymentsCommand) {
        const known = byArn();
        return Promise.resolve({
          serviceDeployments: command.input.serviceDeploymentArns!.map((arn) => {
            const d = known.get(arn)!;
            const finished = Date.now() >= d.endsAt;
            return {
              serviceDeploymentArn: arn,
              status: !finished ? "IN_PROGRESS" : d.rollsBack ? "ROLLBACK_SUCCESSFUL" : "SUCCESSFUL",
              ...(finished && d.rollsBack
                ? {
                    rollback: { reason: "ECS deployment circuit breaker: tasks failed to start." },
                    deploymentCircuitBreaker: { status: "TRIGGERED", failureCount: 3, threshold: 3 },
                  }
                : {}),
            };
          }),
        });
      }
      return Promise.reject(new Error(`the simulated ECS does not answer ${String(command)}`));
    };
    return { send } as unknown as ECSClient;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Registry entries of `count` generated tenants with their listener slots. */
function generatedEntries(count: number): { entries: TenantEntry[]; shards: number } {
  const shards = Math.max(1, Math.ceil(count / DEFAULT_TENANTS_PER_SHARD));
  const registry = parseRegistry(generatedRegistry(count), "(generated)", "dev");
  return { entries: allocateListenerSlots(registry.tenants, { shards, registry }).entries, shards };
}

/** Runs one rollout on a virtual clock; restores the real clock before returning. */
export async function simulateRollout(simulation: RolloutSimulation): Promise<SimulationResult> {
  const options = {
    canary: 1,
    seed: 17,
    lockFailureRate: 0.01,
    intervalSeconds: 15,
    updateSeconds: [20, 40] as const,
    deploymentSeconds: [180, 360] as const,
    ...simulation,
    rollBack: new Set(simulation.rollBack ?? []),
  };
  const { entries, shards } = generatedEntries(options.tenants);
  const settings = loadStackSettings("dev", undefined, { "bbws:albShards": String(shards) });
  const clock = sinon.useFakeTimers({
    now: 0,
    toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"],
    loopLimit: 10_000_000,
  });
  try {
    const world = new SimulatedWorld(
      options,
      seededRandom(options.seed),
      entries.map((e) => e.id),
    );
    const records: RolloutRecords = { location: "(memory)", record: () => Promise.resolve() };
    const rollout = rolloutImage(
      {
        environment: "dev",
        image: "6.9.0-php8.3-apache",
        canary: options.canary,
        waveSize: options.waveSize,
        timeoutSeconds: 1800,
        intervalSeconds: options.intervalSeconds,
      },
      {
        backend: world,
        settings,
        deployments: ecsDeployments(() => world.ecs()),
        records,
        entries,
        registryFile: "(generated)",
        platformStack: "organization/bbws/dev",
        log: () => undefined,
      },
    );
    let finished = false;
    rollout.then(
      () => (finished = true),
      () => (finished = true),
    );
    while (!finished) await clock.runAllAsync();
    const report = await rollout;
    const wallSeconds = Date.now() / 1000;

    // Ideal: waves back to back, each as long as its slowest update-then-deployment.
    const byWave = new Map<string, number>();
    for (const t of report.tenants) {
      const span = world.spans.get(t.tenantId);
      if (span) byWave.set(t.wave, Math.max(byWave.get(t.wave) ?? 0, span.end - span.start));
    }
    const idealSeconds = [...byWave.values()].reduce((sum, ms) => sum + ms, 0) / 1000;
    return {
      report,
      wallSeconds,
      idealSeconds,
      waves: byWave.size,
      ecsCalls: world.ecsCalls,
      lockRetries: world.lockRetries,
    };
  } finally {
    clock.restore();
  }
}

function hms(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.round(seconds % 60);
  return `${h}h${String(m).padStart(2, "0")}m${String(s).padStart(2, "0")}s`;
}

/** Prints the rollout benchmark; returns false when a rollout is further than 5% from its ideal. */
export async function rolloutBenchmark(tenants = 1000, waveSizes = [10, 50, 100]): Promise<boolean> {
  console.log(
    `rollout of ${tenants} tenants on a virtual clock (outputs read 1-2 s, update 20-40 s, deployment 3-6 min, jitter, 1% locked stacks retried; canary 1; checks every 15 s)`,
  );
  console.log("    K  waves  wall (virtual)  ideal        over ideal  ECS calls  lock retries  CPU s");
  let within = true;
  for (const waveSize of waveSizes) {
    const cpu = process.cpuUsage();
    const result = await simulateRollout({ tenants, waveSize });
    const cpuSeconds = (process.cpuUsage(cpu).user + process.cpuUsage(cpu).system) / 1e6;
    const over = (result.wallSeconds / result.idealSeconds - 1) * 100;
    const completed = result.report.tenants.filter((t) => t.result === "completed").length;
    if (over > 5 || completed !== tenants) within = false;
    console.log(
      [
        String(waveSize).padStart(5),
        String(result.waves).padStart(6),
        hms(result.wallSeconds).padStart(15),
        hms(result.idealSeconds).padStart(12),
        `${over.toFixed(1)}%`.padStart(11),
        String(result.ecsCalls).padStart(10),
        String(result.lockRetries).padStart(13),
        cpuSeconds.toFixed(1).padStart(6),
        completed === tenants ? "" : `  (${completed} completed)`,
      ].join(" "),
    );
  }
  return within;
}

if (require.main === module) {
  rolloutBenchmark().then(
    (within) => {
      if (!within) {
        console.error("bench: a rollout is more than 5% over its ideal, or did not complete every tenant");
        process.exitCode = 1;
      }
    },
    (error: unknown) => {
      console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exitCode = 1;
    },
  );
}
