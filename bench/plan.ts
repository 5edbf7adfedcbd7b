/**
 * `npm run bench`: plans the dev environment with 10, 100 and 1000 generated tenants and
 * prints wall time, resources and resources per second for each size. Targets (2 cores):
 * platform + 100 tenants <= 15 s, 1000 tenants <= 120 s, time linear in tenants.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { DEFAULT_TENANTS_PER_SHARD } from "../tenants/registry/allocate";
import { planEnvironment } from "../plan/plan";
import { planToJson, stringifyPlan } from "../plan/planJson";

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

async function benchmark(count: number, dir: string): Promise<void> {
  const file = path.join(dir, `tenants-${count}.yaml`);
  fs.writeFileSync(file, generatedRegistry(count));
  const shards = Math.max(1, Math.ceil(count / DEFAULT_TENANTS_PER_SHARD));
  const started = process.hrtime.bigint();
  const plan = await planEnvironment({
    environment: "dev",
    tenantsFile: file,
    configOverrides: { "bbws:albShards": String(shards) },
  });
  const planned = Number(process.hrtime.bigint() - started) / 1e9;
  const json = stringifyPlan(planToJson(plan));
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
      `${(json.length / 1e6).toFixed(1)} MB`.padStart(8),
    ].join("  "),
  );
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bbws-bench-"));
  console.log(`bbws bench: dev environment, ${os.cpus().length} CPUs, Node ${process.version}`);
  console.log("tenants     wall s  programs  stacks  resources  res/s  ms/tenant  JSON");
  try {
    for (const count of SIZES) await benchmark(count, dir);
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
