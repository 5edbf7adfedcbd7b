import { expect } from "chai";
import { EXIT, combineKinds } from "../../../lib/exitCodes";
import { BbwsError } from "../../../lib/errors";
import { StackLockedError } from "../../../tenants/lifecycle/lockRetry";
import { FleetTask, fleetExitCode, runFleet } from "../../../tenants/lifecycle/fleet";
import { createProgressView } from "../../../tenants/lifecycle/progress";
import { RecordingProgress } from "./fakes";

function task(id: string, run: FleetTask["run"]): FleetTask {
  return { tenantId: id, stack: `dev.${id}`, operation: "update", run };
}

describe("lifecycle fleet", () => {
  it("never runs more tasks at once than the concurrency limit, and uses all of it", async () => {
    let inFlight = 0;
    let max = 0;
    const tasks = Array.from({ length: 10 }, (_, i) =>
      task(`t${i}`, async (step) => {
        step("updating");
        max = Math.max(max, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5 + (i % 3) * 5));
        inFlight--;
        return {};
      }),
    );
    const results = await runFleet(tasks, { concurrency: 3, progress: new RecordingProgress() });
    expect(max).to.equal(3);
    expect(results.map((r) => r.result)).to.deep.equal(Array(10).fill("ok"));
  });

  it("keeps going when some tenants fail, and says which in the results and the exit code", async () => {
    const progress = new RecordingProgress();
    const results = await runFleet(
      [
        task("a", () => Promise.resolve({ message: "fine" })),
        task("b", () => Promise.reject(new Error("AccessDenied: no"))),
        task("c", () => Promise.resolve({ message: "fine" })),
      ],
      { concurrency: 1, progress },
    );
    expect(results.map((r) => [r.tenantId, r.result, r.message])).to.deep.equal([
      ["a", "ok", "fine"],
      ["b", "failed", "AccessDenied: no"],
      ["c", "ok", "fine"],
    ]);
    expect(fleetExitCode(results)).to.equal(EXIT.failed.code);
    expect(progress.changes.filter((c) => c.key === "dev.b").map((c) => c.state)).to.deep.equal([
      "queued",
      "failed",
    ]);
  });

  it("classifies refusals and locks, and the most specific exit code wins (4 over 5 over 1)", async () => {
    const results = await runFleet(
      [
        task("a", () => Promise.reject(new StackLockedError("dev.a", "/w/dev.a", 5, "locked"))),
        task("b", () => Promise.reject(new BbwsError("refused", "no backup"))),
        task("c", () => Promise.reject(new Error("boom"))),
      ],
      { concurrency: 2, progress: new RecordingProgress() },
    );
    expect(results.map((r) => r.result)).to.deep.equal(["locked", "refused", "failed"]);
    expect(fleetExitCode(results)).to.equal(EXIT.refused.code);
    expect(combineKinds(["failed", "busy", "failed"])).to.equal("busy");
    expect(combineKinds(["busy", "refused", "timeout"])).to.equal("refused");
    expect(combineKinds(["ok", "ok"])).to.equal("ok");
  });

  it("does not start queued tasks once aborted (Ctrl-C), and reports them cancelled", async () => {
    const controller = new AbortController();
    const started: string[] = [];
    const results = await runFleet(
      ["a", "b", "c"].map((id) =>
        task(id, () => {
          started.push(id);
          controller.abort();
          return Promise.resolve({});
        }),
      ),
      { concurrency: 1, progress: new RecordingProgress(), signal: controller.signal },
    );
    expect(started).to.deep.equal(["a"]);
    expect(results.map((r) => r.result)).to.deep.equal(["ok", "cancelled", "cancelled"]);
    expect(fleetExitCode(results)).to.equal(EXIT.failed.code);
  });

  it("writes one plain line per state change when not on a terminal, with elapsed time", () => {
    let text = "";
    let clock = 0;
    const view = createProgressView({
      stream: { write: (t: string) => (text += t) },
      tty: false,
      now: () => clock,
    });
    view.update("dev.a", "queued");
    clock = 2000;
    view.update("dev.a", "updating");
    view.update("dev.a", "updating");
    clock = 65000;
    view.update("dev.a", "done", "+1 ~0 ±0 -0 =3");
    view.stop();
    expect(text.split("\n").filter(Boolean)).to.deep.equal([
      "[00:00] dev.a: queued",
      "[00:02] dev.a: updating",
      "[01:05] dev.a: done after 01:03: +1 ~0 ±0 -0 =3",
    ]);
  });
});
