/**
 * `npm run bench:cli`: how fast the operator CLI answers `--help` and usage errors, the way an
 * operator runs it (a new process each time, through the same entry point as the npm scripts).
 * Prints the median of BBWS_BENCH_RUNS runs (default 5) per command line, in milliseconds, and
 * the slowest. Target: every line under 1000 ms on the build machines (2 cores). A process of
 * its own per run: an in-process timing would hide module loading, which is the cost measured.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { PROJECT_DIR } from "../lib/projectDir";
import { COMMANDS } from "../cli/main";

const RUNS = Number(process.env.BBWS_BENCH_RUNS ?? 5);
/** What the npm scripts run: run.mjs (incremental build, lazy source maps), then dist/cli/main.js. */
const RUN = path.join(PROJECT_DIR, "run.mjs");

/** Command lines to time: every command's --help, then usage errors of each group. */
function commandLines(): { label: string; argv: string[]; code: number }[] {
  const lines = [
    { label: "--help", argv: ["--help"], code: 0 },
    ...["tenants", "ops"].map((group) => ({ label: `${group} --help`, argv: [group, "--help"], code: 0 })),
    ...COMMANDS.filter((c) => !c.hidden).map((c) => ({
      label: `${c.path.join(" ")} --help`,
      argv: [...c.path, "--help"],
      code: 0,
    })),
  ];
  const usage = [
    ["plan"],
    ["plan", "Dev!"],
    ["tenants", "sync"],
    ["tenants", "add", "dev", "--domain", "x.example.com"],
    ["tenants", "rollout", "dev", "--image", "latest tag!"],
    ["ops", "backup", "dev"],
    ["ops", "restore", "dev", "acme", "--at", "yesterday"],
    ["bogus"],
  ];
  return [...lines, ...usage.map((argv) => ({ label: argv.join(" "), argv, code: 2 }))];
}

function time(argv: string[]): { ms: number; code: number | null } {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [RUN, "cli/main", ...argv], {
    cwd: PROJECT_DIR,
    encoding: "utf8",
  });
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, code: result.status };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function main(): void {
  console.log(`CLI answers (median of ${RUNS} runs, new process each; target < 1000 ms)`);
  console.log(`${"command line".padEnd(58)}  exit  median ms`);
  let slowest = 0;
  let wrongCodes = 0;
  for (const line of commandLines()) {
    const runs = Array.from({ length: RUNS }, () => time(line.argv));
    const ms = median(runs.map((r) => r.ms));
    slowest = Math.max(slowest, ms);
    const code = runs[0].code;
    if (code !== line.code) wrongCodes++;
    console.log(
      `${line.label.slice(0, 58).padEnd(58)}  ${String(code).padStart(4)}  ${ms.toFixed(0).padStart(9)}`,
    );
  }
  const npm = median(
    Array.from({ length: RUNS }, () => {
      const started = process.hrtime.bigint();
      spawnSync("npm", ["run", "-s", "tenants", "--", "--help"], { cwd: PROJECT_DIR, encoding: "utf8" });
      return Number(process.hrtime.bigint() - started) / 1e6;
    }),
  );
  console.log(
    `${"npm run -s tenants -- --help (through npm)".padEnd(58)}  ${"".padStart(4)}  ${npm.toFixed(0).padStart(9)}`,
  );
  console.log(`slowest: ${slowest.toFixed(0)} ms; with npm's own start: ${npm.toFixed(0)} ms`);
  if (wrongCodes > 0) {
    console.log(`${wrongCodes} command line(s) exited with an unexpected code`);
    process.exitCode = 1;
  }
}

main();
