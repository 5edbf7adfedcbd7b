/**
 * The rollout benchmark's harness (bench/rollout.ts): the real rollout code on a virtual clock
 * against simulated stacks and ECS. Checks that virtual hours pass in real seconds, that the
 * measured wall time is the waves' own latencies plus the polling (within 5% of the ideal),
 * that the same seed gives the same run, and that a rolled-back deployment still halts.
 */
import { expect } from "chai";
import { seededRandom, simulateRollout } from "../../../bench/rollout";

describe("rollout benchmark harness (virtual clock)", function () {
  this.timeout(60_000);

  it("rolls 41 tenants out in waves of 10 within 5% of the ideal, hours of virtual time in real seconds", async () => {
    const realStart = Date.now();
    const result = await simulateRollout({ tenants: 41, waveSize: 10 });
    const realSeconds = (Date.now() - realStart) / 1000;
    expect(result.report.tenants.every((t) => t.result === "completed")).to.equal(true);
    // canary 1, then 40 tenants in 4 waves of 10.
    expect(result.waves).to.equal(5);
    // Every wave takes at least the shortest update plus the shortest deployment (20 s + 180 s).
    expect(result.idealSeconds).to.be.at.least(5 * 200);
    expect(result.wallSeconds).to.be.at.least(result.idealSeconds);
    expect(result.wallSeconds / result.idealSeconds).to.be.lessThan(1.05);
    expect(realSeconds).to.be.lessThan(result.wallSeconds / 20);
    // One ListServiceDeployments per service, then the wave's deployments described together.
    expect(result.ecsCalls).to.be.lessThan(41 * 3 + 5 * 30);
  });

  it("is deterministic for a seed, and different seeds give different latencies", async () => {
    const a = await simulateRollout({ tenants: 12, waveSize: 5, seed: 3 });
    const b = await simulateRollout({ tenants: 12, waveSize: 5, seed: 3 });
    const c = await simulateRollout({ tenants: 12, waveSize: 5, seed: 4 });
    expect(a.wallSeconds).to.equal(b.wallSeconds);
    expect(a.idealSeconds).to.equal(b.idealSeconds);
    expect(c.wallSeconds).to.not.equal(a.wallSeconds);
    const random = seededRandom(1);
    const draws = Array.from({ length: 1000 }, random);
    expect(Math.min(...draws)).to.be.at.least(0);
    expect(Math.max(...draws)).to.be.lessThan(1);
  });

  it("retries locked stacks and halts after the wave whose deployment the circuit breaker rolls back", async () => {
    const result = await simulateRollout({
      tenants: 21,
      waveSize: 5,
      lockFailureRate: 0.5,
      rollBack: ["bench-0007"],
    });
    expect(result.lockRetries).to.be.greaterThan(0);
    const byId = new Map(result.report.tenants.map((t) => [t.tenantId, t]));
    expect(byId.get("bench-0007")).to.include({ result: "rolled-back", wave: "wave 2" });
    expect(result.report.halted).to.equal("bench-0007 (wave 2) rolled-back");
    expect(
      result.report.tenants
        .filter((t) => t.wave === "wave 2" && t.tenantId !== "bench-0007")
        .every((t) => t.result === "completed"),
    ).to.equal(true);
    expect(
      result.report.tenants
        .filter((t) => ["wave 3", "wave 4"].includes(t.wave))
        .every((t) => t.result === "skipped"),
    ).to.equal(true);
  });
});
