/**
 * `--shard i/N` and `--records-dir`: a fleet rollout split over machines. Every tenant falls
 * in exactly one shard, by its id alone (stable when others come and go), and each tenant's
 * outcome goes to a file of its own.
 */
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { inShard, parseShard, shardOf } from "../../../tenants/lifecycle/shard";
import { directoryRolloutRecords } from "../../../tenants/lifecycle/rolloutRecords";
import { rolloutImage } from "../../../tenants/lifecycle/commands/rollout";
import { FakeBackend, confirmedDeployments, settingsOf, tempDir, tempRegistry } from "./fakes";
import { loadRegistry } from "../../../tenants/registry/load";
import { StackTarget, UpOutcome } from "../../../tenants/lifecycle/backend";

const ids = Array.from({ length: 1000 }, (_, i) => `site-${i}`);

/** A fake backend whose stacks have the outputs the rollout reads. */
class OutputsBackend extends FakeBackend {
  override async up(target: StackTarget): Promise<UpOutcome> {
    const outcome = await super.up(target);
    return {
      ...outcome,
      outputs: {
        clusterName: "bbws-dev",
        serviceName: `${target.tenantId}-wordpress`,
        taskDefinitionArn: `arn:aws:ecs:af-south-1:123456789012:task-definition/dev-${target.tenantId}-wordpress:2`,
      },
    };
  }
}

describe("rollout shards", () => {
  it("puts every tenant in exactly one of N shards, evenly, by its id alone", () => {
    for (const count of [1, 3, 10]) {
      const sizes = new Array<number>(count).fill(0);
      for (const id of ids) {
        const owners = Array.from({ length: count }, (_, i) => inShard(id, { index: i + 1, count }));
        expect(owners.filter(Boolean), id).to.have.length(1);
        sizes[shardOf(id, count) - 1]++;
      }
      // 1000 ids: each shard within 35% of its fair share (more than 3 standard deviations at 10 shards).
      for (const size of sizes) expect(size).to.be.within((1000 / count) * 0.65, (1000 / count) * 1.35);
    }
    // Stable: the same id, the same shard, whatever else the registry holds.
    expect(shardOf("acme", 4)).to.equal(shardOf("acme", 4));
    expect(ids.map((id) => shardOf(id, 4))).to.deep.equal(
      [...ids]
        .reverse()
        .map((id) => shardOf(id, 4))
        .reverse(),
    );
  });

  it("parses i/N and refuses anything else", () => {
    expect(parseShard("2/4")).to.deep.equal({ index: 2, count: 4 });
    for (const bad of ["0/4", "5/4", "1/0", "2", "a/b", "-1/3"])
      expect(() => parseShard(bad), bad).to.throw(/expected i\/N with 1 <= i <= N/);
  });

  it("rolls out only its shard's tenants and records each in its own file", async () => {
    const registryFile = tempRegistry();
    const records = tempDir("bbws-records-");
    const entries = loadRegistry("dev", registryFile).tenants;
    const backend = new OutputsBackend();
    const shard = { index: 1, count: 2 };
    const report = await rolloutImage(
      { environment: "dev", image: "6.9.0-php8.3-apache", shard, canary: 0 },
      {
        backend,
        settings: settingsOf("dev"),
        deployments: confirmedDeployments,
        records: directoryRolloutRecords(records),
        entries,
        registryFile,
        platformStack: "organization/bbws/dev",
        log: () => undefined,
      },
    );
    const mine = entries.map((e) => e.id).filter((id) => shardOf(id, 2) === 1);
    expect(mine.length).to.be.greaterThan(0).and.lessThan(entries.length);
    expect(report.tenants.map((t) => t.tenantId)).to.deep.equal(mine);
    expect(fs.readdirSync(path.join(records, "dev")).sort()).to.deep.equal(
      mine.map((id) => `${id}.json`).sort(),
    );
    const written = JSON.parse(fs.readFileSync(path.join(records, "dev", `${mine[0]}.json`), "utf8")) as {
      image: string;
      lastRollout: { result: string };
    };
    expect(written.image).to.equal("6.9.0-php8.3-apache");
    expect(written.lastRollout.result).to.equal("completed");
  });
});
