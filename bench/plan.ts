/**
 * `npm run bench`: plans the dev environment with 10, 100 and 1000 generated tenants and
 * prints wall time, resources, resources per second and the peak memory of the process tree
 * (this process and its plan workers) for each size; then the preview of one tenant
 * (`plan dev --tenant ID`, a new process as an operator runs it, and in-process against the
 * 1000-tenant registry). Targets (issue 17, 2 cores): 100 tenants <= 5 s, 1000 tenants
 * <= 30 s and <= 1 GB, one tenant <= 3 s.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { DEFAULT_TENANTS_PER_SHARD } from "../tenants/registry/allocate";
import { planEnvironment } from "../plan/plan";
import { planJsonChunks } from "../plan/planJson";
import { allowOfflineProviderShortcut } from "../offline/providerSerialization";

const SIZES = (process.env.BBWS_BENCH_SIZES ?? "10,100,1000").split(",").map(Number);
const TIERS = ["small", "medium", "large", "512/2048"];

/** A registry of `count` valid tenants, spread over the shards they need. */
export function generatedRegistry(count: number): string {
  const tenants = Array.from({ length: count }, (_, i) => ({
    id: `bench-${String(i).padStart(4, "0")}`,
    // Below the dev domain: covered by its wildcard certificate, so no tenant needs a certificate slot.
    hosts: [`site${i}.wpdev.example.com`],
    size: TIERS[i % TIERS.length],
    ...(i % 3 === 0 ? { highAvailability: true, tasks: { desired: 2, min: 2, max: 4 } } : {}),
    ...(i % 5 === 0
      ? { schedule: { sleepAt: "20:00", wakeAt: "06:30", timezone: "Africa/Johannesburg" } }
      : {}),
  }));
  return stringify({ tenants });
}

/** Resident memory of a process and its descendants, in bytes (Linux /proc; 0 elsewhere). */
export function treeRss(pid: number = process.pid): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    const children = fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
    return rss + children.reduce((sum, child) => sum + treeRss(child), 0);
  } catch {
    return 0;
  }
}

/** Samples the process tree's memory while `work` runs; resolves with its result and the peak. */
async function withPeakMemory<T>(work: () => Promise<T>): Promise<{ result: T; peakBytes: number }> {
  let peak = treeRss();
  const timer = setInterval(() => (peak = Math.max(peak, treeRss())), 100);
  try {
    const result = await work();
    // The main process's own high-water mark, in case sampling missed its peak while it was busy.
    peak = Math.max(peak, treeRss(), process.resourceUsage().maxRSS * 1024);
    return { result, peakBytes: peak };
  } finally {
    clearInterval(timer);
  }
}

async function benchmark(count: number, dir: string): Promise<void> {
  const file = path.join(dir, `tenants-${count}.yaml`);
  fs.writeFileSync(file, generatedRegistry(count));
  const shards = Math.max(1, Math.ceil(count / DEFAULT_TENANTS_PER_SHARD));
  const started = process.hrtime.bigint();
  // The plan, then its JSON written as the CLI's --json --output writes it (one stack at a
  // time), both inside the memory measurement.
  const jsonFile = path.join(dir, `plan-${count}.json`);
  const { result, peakBytes } = await withPeakMemory(async () => {
    const plan = await planEnvironment({
      environment: "dev",
      tenantsFile: file,
      configOverrides: { "bbws:albShards": String(shards) },
    });
    const planned = Number(process.hrtime.bigint() - started) / 1e9;
    const fd = fs.openSync(jsonFile, "w");
    let jsonBytes = 0;
    try {
      for (const piece of planJsonChunks(plan)) jsonBytes += fs.writeSync(fd, piece);
    } finally {
      fs.closeSync(fd);
    }
    return { plan, planned, jsonBytes };
  });
  const { plan, planned, jsonBytes } = result;
  const total = Number(process.hrtime.bigint() - started) / 1e9;
  const resources = plan.stacks.reduce((n, s) => n + s.run.resources.length, 0);
  console.log(
    [
      String(count).padStart(5),
      `${total.toFixed(1).padStart(7)} s`,
      `${planned.toFixed(1).padStart(7)} s`,
      String(plan.stacks.length).padStart(6),
      String(resources).padStart(9),
      `${Math.round(resources / total)}`.padStart(7),
      `${((total * 1000) / count).toFixed(1).padStart(8)}`,
      `${(jsonBytes / 1e6).toFixed(1)} MB`.padStart(8),
      `${Math.round(peakBytes / 1e6)} MB`.padStart(9),
    ].join("  "),
  );
}

/** One tenant's preview: the CLI in a new process (committed dev registry), and in-process in a 1000-tenant registry. */
async function previewOne(dir: string): Promise<void> {
  const cli = path.join(__dirname, "..", "cli", "main.js");
  if (fs.existsSync(cli)) {
    const started = process.hrtime.bigint();
    const run = spawnSync(
      process.execPath,
      [
        path.join(__dirname, "..", "..", "run.mjs"),
        "cli/main",
        "plan",
        "dev",
        "--tenant",
        "globex",
        "--summary",
      ],
      {
        encoding: "utf8",
      },
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(
      `one tenant: \`plan dev --tenant globex\` (new process, dev registry): ${seconds.toFixed(1)} s, exit ${run.status}`,
    );
  }
  const file = path.join(dir, "tenants-1000.yaml");
  if (!fs.existsSync(file)) fs.writeFileSync(file, generatedRegistry(1000));
  const started = process.hrtime.bigint();
  const plan = await planEnvironment({
    environment: "dev",
    tenantsFile: file,
    configOverrides: { "bbws:albShards": String(Math.ceil(1000 / DEFAULT_TENANTS_PER_SHARD)) },
    only: ["bench-0500"],
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const resources = plan.stacks.reduce((n, s) => n + s.run.resources.length, 0);
  console.log(
    `one tenant of 1000 (in-process, platform + bench-0500): ${seconds.toFixed(1)} s, ${resources} resources`,
  );
}

/**
 * The cost figures of issue 17's table, from the committed plans: the dev platform floor
 * (target $70) and the smallest production HA site, hooli in tenants/prod.yaml (target $15).
 */
async function costs(): Promise<void> {
  const dev = await planEnvironment({ environment: "dev" });
  const prod = await planEnvironment({ environment: "prod" });
  console.log(`dev platform floor: $${dev.cost.platformMonthly.toFixed(2)}/month (target <= $70)`);
  const hooli = prod.cost.tenants.hooli;
  if (hooli !== undefined) {
    console.log(
      `smallest prod HA tenant (hooli): $${hooli.toFixed(2)}/month (target <= $15): ${prod.cost.tenantFormulas.hooli}`,
    );
  }
}

async function main(): Promise<void> {
  // As the CLI plans: offline runs skip serializing dynamic providers (offline/providerSerialization.ts).
  allowOfflineProviderShortcut();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bbws-bench-"));
  console.log(`bbws bench: dev environment, ${os.cpus().length} CPUs, Node ${process.version}`);
  console.log("tenants     wall s  programs  stacks  resources  res/s  ms/tenant  JSON      peak tree");
  try {
    for (const count of SIZES) await benchmark(count, dir);
    await previewOne(dir);
    await costs();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// Importable (the generator is used by tests and the CI smoke test) without running the bench.
if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
