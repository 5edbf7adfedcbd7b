/**
 * How many Apache workers a tenant's task runs (`MaxRequestWorkers`, runtime/apache/mpm_prefork.conf).
 *
 * The BBWS runtime runs PHP inside Apache (mod_php, prefork): every worker serves one request at a
 * time and holds one database connection while it does. So the workers of all the tenant's tasks
 * together must stay within its MySQL user's MAX_USER_CONNECTIONS, and the workers of one task
 * must fit that task's memory. Requests beyond the workers wait in Apache's listen backlog: they
 * are delayed, never refused by the database, and the health endpoint (a static file) still
 * answers as soon as a worker is free.
 */
import { TENANT_DATABASE_CONNECTIONS } from "./quotas";
import { TaskSize } from "./fargateSizes";

/**
 * Database connections kept out of the workers' budget for one-off tasks of the tenant: the
 * provisioning install (components/tenant/installTask.ts) re-runs during updates while the service
 * serves, and an operator may run WP-CLI in a one-off task. The cron run needs none: it runs
 * inside a worker (runtime/local/cron.php).
 */
export const RESERVED_DATABASE_CONNECTIONS = 1;

/**
 * Task memory that is not the workers' (MiB): the Apache parent process, the cron timer sidecar
 * (a shell and curl every minute), the ECS agent's share and the kernel's page cache headroom.
 */
export const TASK_BASE_MEMORY_MIB = 96;

/** OPcache's shared segment (MiB), once per task; runtime/php/bbws.ini sets the same value. */
export const OPCACHE_MEMORY_MIB = 64;

/**
 * Resident memory of one prefork worker serving WordPress (MiB): mod_php, the request's PHP heap
 * (WordPress's front-end limit is 40 MiB, WP_MEMORY_LIMIT) and Apache's own per-child memory.
 * Admin requests may use more (WP_MAX_MEMORY_LIMIT, 256 MiB) but are few at a time.
 */
export const WORKER_MEMORY_MIB = 64;

/**
 * Fewest workers a task may run: with one, a single slow request would hold the only worker
 * and the health check behind it, and ECS would replace a task that is merely busy.
 */
export const MIN_REQUEST_WORKERS = 2;

/** What the worker count derives from. */
export interface WorkerSizingInput {
  /** Task size (its memory in MiB bounds the workers). */
  readonly size: TaskSize;
  /** The most tasks autoscaling may run at once (the service's maximum). */
  readonly maxTasks: number;
  /** The tenant user's MAX_USER_CONNECTIONS. @default TENANT_DATABASE_CONNECTIONS */
  readonly connectionCap?: number;
}

/** The worker count and the two bounds it is the smaller of. */
export interface WorkerSizing {
  /** `MaxRequestWorkers` of every task of the tenant. */
  readonly maxRequestWorkers: number;
  /** Workers the connection budget allows per task. */
  readonly byConnections: number;
  /** Workers the task's memory holds. */
  readonly byMemory: number;
}

/**
 * The workers of one task:
 *
 *   MaxRequestWorkers = min( floor((cap - reserved) / maxTasks),
 *                            floor((taskMemory - base - opcache) / perWorkerMemory) )
 *
 * with cap = the user's MAX_USER_CONNECTIONS (25), reserved = RESERVED_DATABASE_CONNECTIONS (1),
 * base = TASK_BASE_MEMORY_MIB (96), opcache = OPCACHE_MEMORY_MIB (64) and perWorkerMemory =
 * WORKER_MEMORY_MIB (64). So maxTasks x MaxRequestWorkers + reserved <= cap, and the workers of a
 * task fit its memory. The result may fall below MIN_REQUEST_WORKERS: `workerSizingProblem`
 * says why such a tenant is refused.
 */
export function maxRequestWorkers(input: WorkerSizingInput): WorkerSizing {
  const cap = input.connectionCap ?? TENANT_DATABASE_CONNECTIONS;
  const byConnections = Math.floor((cap - RESERVED_DATABASE_CONNECTIONS) / Math.max(1, input.maxTasks));
  const byMemory = Math.floor(
    (input.size.memory - TASK_BASE_MEMORY_MIB - OPCACHE_MEMORY_MIB) / WORKER_MEMORY_MIB,
  );
  return { maxRequestWorkers: Math.max(0, Math.min(byConnections, byMemory)), byConnections, byMemory };
}

/**
 * Why a tenant cannot run (fewer than MIN_REQUEST_WORKERS workers per task), naming the fields
 * to change, or undefined when it can.
 */
export function workerSizingProblem(input: WorkerSizingInput): string | undefined {
  const sizing = maxRequestWorkers(input);
  if (sizing.maxRequestWorkers >= MIN_REQUEST_WORKERS) return undefined;
  const cap = input.connectionCap ?? TENANT_DATABASE_CONNECTIONS;
  if (sizing.byConnections < MIN_REQUEST_WORKERS) {
    const most = Math.floor((cap - RESERVED_DATABASE_CONNECTIONS) / MIN_REQUEST_WORKERS);
    return (
      `tasks.max ${input.maxTasks} leaves ${sizing.byConnections} Apache worker(s) per task: the tenant's ` +
      `${cap} database connections (${RESERVED_DATABASE_CONNECTIONS} kept for one-off tasks) over ${input.maxTasks} tasks, ` +
      `and a task needs at least ${MIN_REQUEST_WORKERS}; lower tasks.max to ${most} or less`
    );
  }
  return (
    `size ${input.size.cpu}/${input.size.memory} leaves ${sizing.byMemory} Apache worker(s) per task: ` +
    `${input.size.memory} MiB minus ${TASK_BASE_MEMORY_MIB + OPCACHE_MEMORY_MIB} MiB for Apache, OPcache and the task, ` +
    `at ${WORKER_MEMORY_MIB} MiB per worker, and a task needs at least ${MIN_REQUEST_WORKERS}; choose a larger size`
  );
}
