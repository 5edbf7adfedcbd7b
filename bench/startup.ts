/**
 * `npm run bench` (first part): the start-up figures of issue 17, each in new processes as a
 * user runs them.
 *
 * - the time plain Node takes to load @pulumi/pulumi, @pulumi/aws and @pulumi/awsx (the
 *   baseline: no program can start faster than its libraries load);
 * - `npm run -s plan -- dev` (target: at most twice the baseline);
 * - `npm test` in this checkout (target: 60 s; `npm test` keeps no cache, so a clean clone
 *   differs only by the file system's cache). BBWS_BENCH_SKIP_TEST=1 leaves it out.
 *
 * Medians of BBWS_BENCH_RUNS runs (default 5; `npm test` runs once).
 */
import { spawnSync } from "child_process";
import { PROJECT_DIR } from "../lib/projectDir";

const RUNS = Number(process.env.BBWS_BENCH_RUNS ?? 5);

/** Wall seconds of one run of `command args`; throws when it fails. */
function seconds(command: string, args: string[]): number {
  const started = process.hrtime.bigint();
  const run = spawnSync(command, args, { cwd: PROJECT_DIR, encoding: "utf8" });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0)
    throw new Error(`${command} ${args.join(" ")} exited ${run.status}: ${run.stderr.slice(-500)}`);
  return elapsed;
}

function median(command: string, args: string[]): number {
  const runs = Array.from({ length: RUNS }, () => seconds(command, args)).sort((a, b) => a - b);
  return runs[Math.floor(runs.length / 2)];
}

function main(): void {
  const load = median(process.execPath, [
    "-e",
    'require("@pulumi/pulumi"); require("@pulumi/aws"); require("@pulumi/awsx")',
  ]);
  const plan = median("npm", ["run", "-s", "plan", "--", "dev"]);
  console.log(`start-up (median of ${RUNS} runs, new process each)`);
  console.log(`  load @pulumi/pulumi + aws + awsx in plain Node: ${load.toFixed(2)} s`);
  console.log(
    `  npm run plan -- dev: ${plan.toFixed(2)} s = ${(plan / load).toFixed(2)} x the load (target <= 2 x = ${(2 * load).toFixed(2)} s)`,
  );
  if (process.env.BBWS_BENCH_SKIP_TEST === "1") return;
  const test = seconds("npm", ["test", "--silent"]);
  console.log(`  npm test (typecheck, lint, unit tests; no cache): ${test.toFixed(1)} s (target <= 60 s)`);
}

main();
