/**
 * Runs tenant programs in worker processes. Each tenant stack is independent, so the engine
 * spreads them over the machine's cores: the Pulumi runtime keeps its state per process, and
 * one process runs one program at a time.
 */
import { fork } from "child_process";
import * as os from "os";
import * as path from "path";
import { FlatConfig } from "../config/readStackConfig";
import { TenantEntry } from "../config/tenantEntry";
import { StackRun, StackRunError } from "./stackRun";

/** What the parent sends a worker. */
export interface WorkerRequest {
  readonly environment: string;
  readonly configOverrides?: FlatConfig;
  /** Registry entries with their position in the registry. */
  readonly entries: readonly (readonly [number, TenantEntry])[];
  readonly platformOutputs: Record<string, unknown>;
}

/** What a worker sends back. */
export type WorkerMessage =
  | { readonly kind: "stack"; readonly index: number; readonly run: StackRun }
  | { readonly kind: "done" }
  | {
      readonly kind: "failed";
      readonly stack?: string;
      readonly failures?: { resource?: string; message: string }[];
      readonly message?: string;
    };

/** Below this many tenants per worker, starting a process (~0.6 s to load Pulumi and the AWS provider) costs more than it saves. */
const TENANTS_PER_WORKER_MINIMUM = 25;

/** `.js` when this module runs compiled (dist/), `.ts` when it runs from the sources (ts-node). */
const WORKER_EXTENSION = path.extname(__filename);

/**
 * Node options of a worker: the sources need a TypeScript loader (the parent's, named by
 * BBWS_TS_LOADER, else ts-node's); compiled modules need nothing but the source maps that the
 * parent has enabled too.
 */
function workerExecArgv(): string[] {
  return [`--max-old-space-size=${WORKER_HEAP_MB}`, ...loaderExecArgv()];
}

/**
 * A worker's heap cap. Its live heap stays near 65 MB however many tenants it runs (measured:
 * no state is kept between runs), but uncapped V8 lets each worker grow to ~420 MB before it
 * collects, which took the 1000-tenant plan's process tree to 1.1-1.2 GB. Capped, the tree
 * stays near 770 MB for about 2 s more of collection (`npm run bench`).
 */
export const WORKER_HEAP_MB = 512;

function loaderExecArgv(): string[] {
  if (WORKER_EXTENSION === ".ts")
    return ["-r", process.env.BBWS_TS_LOADER ?? require.resolve("ts-node/register/transpile-only")];
  return process.execArgv.includes("--enable-source-maps") ? ["--enable-source-maps"] : [];
}

/** Workers to use for `tenants` tenants when none is asked for. */
export function defaultWorkerCount(tenants: number): number {
  const cores = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(cores, Math.floor(tenants / TENANTS_PER_WORKER_MINIMUM)));
}

/** Worker processes started ahead of their work: they load their modules meanwhile. */
export interface TenantWorkerPool {
  /**
   * Runs every entry's tenant program across the pool; calls `onRun` as runs arrive and
   * resolves with the runs in registry order. Once only.
   */
  run(
    request: Omit<WorkerRequest, "entries"> & { readonly entries: readonly TenantEntry[] },
    onRun: (index: number, run: StackRun) => void,
  ): Promise<StackRun[]>;
  /** Stops workers that were never given work (the platform run failed). */
  close(): void;
}

/**
 * Starts `workers` processes now. A worker needs ~0.6 s to load Pulumi and the AWS provider:
 * started before the platform run, that happens while the parent runs the platform.
 */
export function startTenantWorkers(workers: number): TenantWorkerPool {
  const children = Array.from({ length: workers }, () =>
    fork(path.join(__dirname, `tenantWorker${WORKER_EXTENSION}`), [], {
      execArgv: workerExecArgv(),
      serialization: "advanced",
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    }),
  );
  const stopWorkers = () => children.forEach((child) => child.exitCode === null && child.kill());
  return {
    close: stopWorkers,
    async run(request, onRun) {
      const runs: StackRun[] = new Array<StackRun>(request.entries.length);
      const indexed = request.entries.map((entry, index) => [index, entry] as const);
      const size = Math.ceil(indexed.length / children.length);
      const chunks = children.map((_, w) => indexed.slice(w * size, (w + 1) * size));
      // One failed worker stops the others: the plan has failed, their work would be wasted.
      const stopAll = (error: unknown) => {
        stopWorkers();
        throw error;
      };
      await Promise.all(
        children.map((child, w) => {
          if (chunks[w].length === 0) {
            child.kill();
            return Promise.resolve();
          }
          return new Promise<void>((resolve, reject) => {
            let finished = false;
            child.on("message", (message: WorkerMessage) => {
              if (message.kind === "stack") {
                runs[message.index] = message.run;
                onRun(message.index, message.run);
              } else if (message.kind === "done") {
                finished = true;
                resolve();
              } else {
                finished = true;
                reject(
                  message.stack
                    ? new StackRunError(message.stack, message.failures ?? [])
                    : new Error(`a plan worker failed: ${message.message ?? "unknown error"}`),
                );
              }
            });
            child.on("error", reject);
            child.on("exit", (code, signal) => {
              if (!finished)
                reject(
                  new Error(
                    `a plan worker (tenants ${chunks[w][0][1].id} to ${chunks[w][chunks[w].length - 1][1].id}) ` +
                      `exited ${signal ? `on ${signal}` : `with code ${code}`} before finishing` +
                      (signal === "SIGABRT" || code === 134
                        ? ` (out of memory? workers run with a ${WORKER_HEAP_MB} MB heap)`
                        : ""),
                  ),
                );
            });
            const message: WorkerRequest = { ...request, entries: chunks[w] };
            child.send(message);
          });
        }),
      ).catch(stopAll);
      return runs;
    },
  };
}
