import { expect } from "chai";
import * as sinon from "sinon";
import { BbwsError } from "../../../lib/errors";
import { done, pending, pollUntil, sleep, waitAll } from "../../../lib/wait";
import { NOW, fakeClock, rejectionOf, settle } from "./fixtures";

describe("ops wait", () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => (clock = fakeClock()));
  afterEach(() => clock.restore());

  /** A check answering `pending` n times, then done; it records when it ran (seconds since NOW). */
  const countingCheck = (pendingTimes: number) => {
    const at: number[] = [];
    const check = () => {
      at.push((Date.now() - NOW.getTime()) / 1000);
      return Promise.resolve(at.length > pendingTimes ? done("ready") : pending(`attempt ${at.length}`));
    };
    return { at, check };
  };

  it("checks at once and returns without sleeping when the first check is done", async () => {
    const { at, check } = countingCheck(0);
    expect(await pollUntil({ what: "x", timeoutSeconds: 10, intervalSeconds: 5, check })).to.equal("ready");
    expect(at).to.deep.equal([0]);
  });

  it("polls every interval until done", async () => {
    const { at, check } = countingCheck(3);
    const value = await settle(
      clock,
      pollUntil({ what: "x", timeoutSeconds: 300, intervalSeconds: 15, check }),
    );
    expect(value).to.equal("ready");
    expect(at).to.deep.equal([0, 15, 30, 45]);
  });

  it("checks one last time at the deadline, then throws OperationTimeoutError naming what, the status and the hint", async () => {
    const { at, check } = countingCheck(1000);
    const error = await rejectionOf(
      clock,
      pollUntil({
        what: "EFS backup job 42",
        timeoutSeconds: 40,
        intervalSeconds: 15,
        onTimeout: "it keeps running",
        check,
      }),
    );
    expect(error).to.be.instanceOf(BbwsError);
    expect(error.message).to.equal(
      "EFS backup job 42 did not finish within 40 s (still attempt 4); it keeps running",
    );
    expect(at).to.deep.equal([0, 15, 30, 40]);
  });

  it("lets an error thrown by the check end the wait", async () => {
    let n = 0;
    const check = () => (++n === 2 ? Promise.reject(new Error("FAILED")) : Promise.resolve(pending()));
    const error = await rejectionOf(
      clock,
      pollUntil({ what: "x", timeoutSeconds: 100, intervalSeconds: 10, check }),
    );
    expect(error.message).to.equal("FAILED");
    expect(n).to.equal(2);
  });

  it("stops with OperationAbortedError when the signal aborts during a sleep", async () => {
    const controller = new AbortController();
    const { at, check } = countingCheck(1000);
    const waiting = pollUntil({
      what: "the swap task",
      timeoutSeconds: 600,
      intervalSeconds: 15,
      signal: controller.signal,
      check,
    });
    waiting.catch(() => undefined);
    await clock.tickAsync(20_000);
    controller.abort();
    const error = await rejectionOf(clock, waiting);
    expect(error).to.be.instanceOf(BbwsError);
    expect(error.message).to.equal("interrupted while waiting for the swap task");
    expect(at).to.deep.equal([0, 15]);
  });

  it("sleep rejects at once on an already aborted signal", async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await rejectionOf(clock, sleep(1000, controller.signal));
    expect(error).to.be.instanceOf(BbwsError);
  });

  describe("waitAll", () => {
    it("returns every value in order", async () => {
      const values = await settle(
        clock,
        waitAll([
          (signal) =>
            pollUntil({
              what: "a",
              timeoutSeconds: 100,
              intervalSeconds: 10,
              signal,
              check: countingCheck(2).check,
            }),
          () => Promise.resolve("b"),
        ]),
      );
      expect(values).to.deep.equal(["ready", "b"]);
    });

    it("aborts the other waits when one fails, and reports the first failure rather than the aborts", async () => {
      const slow = countingCheck(1000);
      const error = await rejectionOf(
        clock,
        waitAll([
          (signal) =>
            pollUntil({
              what: "aurora",
              timeoutSeconds: 600,
              intervalSeconds: 15,
              signal,
              check: slow.check,
            }),
          (signal) =>
            pollUntil({
              what: "efs",
              timeoutSeconds: 30,
              intervalSeconds: 15,
              signal,
              check: countingCheck(1000).check,
            }),
        ]),
      );
      expect(error).to.be.instanceOf(BbwsError);
      expect(error.message).to.match(/^efs did not finish within 30 s/);
      // The Aurora wait stopped with the EFS timeout, not at its own 600 s deadline.
      expect(slow.at.at(-1)).to.be.at.most(30);
    });
  });
});
