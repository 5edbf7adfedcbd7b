/**
 * The worker formula (config/runtimeSizing.ts) at every Fargate size tier and task maximum, and
 * the refusal of tenants it cannot serve.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { SIZE_TIERS } from "../../config/fargateSizes";
import { TENANT_DATABASE_CONNECTIONS } from "../../config/quotas";
import {
  MIN_REQUEST_WORKERS,
  OPCACHE_MEMORY_MIB,
  RESERVED_DATABASE_CONNECTIONS,
  TASK_BASE_MEMORY_MIB,
  WORKER_MEMORY_MIB,
  maxRequestWorkers,
  workerSizingProblem,
} from "../../config/runtimeSizing";
import { resolveTenantSpec } from "../../config/tenantSpec";
import { loadStackSettings } from "../../config/readStackConfig";
import { entryFor } from "../helpers/tenants";

describe("runtime sizing: Apache workers per task", () => {
  // Independently written expectations: [tier, maxTasks] -> workers.
  const expected: [string, number, number][] = [
    ["small", 1, 5], // memory: (512 - 160) / 64 = 5.5
    ["small", 2, 5],
    ["small", 5, 4], // connections: 24 / 5 = 4.8
    ["small", 12, 2],
    ["medium", 1, 13], // memory: 864 / 64 = 13.5
    ["medium", 2, 12], // connections: 24 / 2
    ["medium", 3, 8],
    ["large", 1, 24], // connections: 24; memory would allow 29
    ["large", 4, 6],
    ["xlarge", 1, 24], // memory would allow 61
    ["xlarge", 10, 2],
    ["xlarge", 12, 2],
  ];
  for (const [tier, maxTasks, workers] of expected) {
    it(`${tier} with at most ${maxTasks} task(s): ${workers} workers`, () => {
      expect(maxRequestWorkers({ size: SIZE_TIERS[tier], maxTasks }).maxRequestWorkers).to.equal(workers);
    });
  }

  it("never lets maxTasks x workers (plus the reserved connection) exceed the cap, nor workers the memory", () => {
    for (const size of Object.values(SIZE_TIERS)) {
      for (let maxTasks = 1; maxTasks <= 30; maxTasks++) {
        for (const cap of [5, 10, 25, 40, 100]) {
          const { maxRequestWorkers: w } = maxRequestWorkers({ size, maxTasks, connectionCap: cap });
          expect(maxTasks * w + RESERVED_DATABASE_CONNECTIONS).to.be.at.most(cap);
          expect(TASK_BASE_MEMORY_MIB + OPCACHE_MEMORY_MIB + w * WORKER_MEMORY_MIB).to.be.at.most(
            size.memory,
          );
          // ...and it is the largest such count: one more worker breaks a bound.
          const oneMore = w + 1;
          expect(
            maxTasks * oneMore + RESERVED_DATABASE_CONNECTIONS > cap ||
              TASK_BASE_MEMORY_MIB + OPCACHE_MEMORY_MIB + oneMore * WORKER_MEMORY_MIB > size.memory,
          ).to.equal(true);
        }
      }
    }
  });

  it("refuses fewer than the floor, naming the field to change and the limit", () => {
    expect(workerSizingProblem({ size: SIZE_TIERS.medium, maxTasks: 12 })).to.equal(undefined);
    const problem = workerSizingProblem({ size: SIZE_TIERS.medium, maxTasks: 13 });
    expect(problem).to.match(/tasks\.max 13 leaves 1 Apache worker/);
    expect(problem).to.include(`${TENANT_DATABASE_CONNECTIONS} database connections`);
    expect(problem).to.include("lower tasks.max to 12 or less");
    expect(MIN_REQUEST_WORKERS).to.equal(2);
  });

  it("the plan refuses such a registry entry with a clear error naming the tenant and fields", () => {
    const dev = loadStackSettings("dev");
    expect(() => resolveTenantSpec(entryFor("crowded", 5, { tasks: { min: 1, max: 20 } }), dev)).to.throw(
      /tenant "crowded" \(fields size, tasks\.max\): tasks\.max 20 leaves 1 Apache worker\(s\) per task/,
    );
    expect(
      resolveTenantSpec(entryFor("roomy", 6, { size: "large", tasks: { max: 2 } }), dev).runtime
        .maxRequestWorkers,
    ).to.equal(12);
  });

  it("the PHP ini sizes OPcache as the formula counts it", () => {
    const ini = fs.readFileSync(path.join(__dirname, "..", "..", "runtime", "php", "bbws.ini"), "utf8");
    expect(/^opcache\.memory_consumption = (\d+)$/m.exec(ini)?.[1]).to.equal(String(OPCACHE_MEMORY_MIB));
  });
});
