import { expect } from "chai";
import * as sinon from "sinon";
import { createProgress } from "../../../lib/progress";
import { Compensation, Saga, SagaReport, sagaNotes } from "../../../lib/saga";

/** A compensation that records its name in `ran` when it runs. */
function recording(ran: string[], name: string, extra: Partial<Compensation> = {}): Compensation {
  return {
    name,
    manual: `by hand: ${name}`,
    run: () => {
      ran.push(name);
      return Promise.resolve();
    },
    ...extra,
  };
}

describe("saga", () => {
  describe("finish", () => {
    it("runs the compensations newest first", async () => {
      const ran: string[] = [];
      const saga = new Saga();
      saga.register("cluster", recording(ran, "delete the cluster", { when: "always" }));
      saga.register("scaling", recording(ran, "resume autoscaling", { when: "always" }));
      saga.register("service", recording(ran, "scale back", { when: "always" }));

      const report = await saga.finish(false);

      expect(ran).to.deep.equal(["scale back", "resume autoscaling", "delete the cluster"]);
      expect(report.undone).to.deep.equal(ran);
      expect(report.leftToCleanUp).to.deep.equal([]);
    });

    it("after a success runs only the always-compensations and reports no undo as left", async () => {
      const ran: string[] = [];
      const saga = new Saga();
      saga.register("files", recording(ran, "put the files back"));
      saga.register("manual undo", { name: "revert by hand", manual: "revert it" });
      saga.register("cluster", recording(ran, "delete the cluster", { when: "always" }));

      const report = await saga.finish(true);

      expect(ran).to.deep.equal(["delete the cluster"]);
      expect(report).to.deep.include({ succeeded: true, failedUndos: [], leftToCleanUp: [] });
      expect(saga.isOpen("files")).to.equal(false);
    });

    it("after a failure runs the undos too, and reports manual-only compensations of either kind", async () => {
      const ran: string[] = [];
      const saga = new Saga();
      saga.register("directory", { name: "delete the directory", manual: "delete it", when: "always" });
      saga.register("files", recording(ran, "put the files back"));
      saga.register("manual undo", { name: "revert by hand", manual: "revert it" });

      const report = await saga.finish(false);

      expect(ran).to.deep.equal(["put the files back"]);
      expect(report.leftToCleanUp).to.deep.equal(["delete it", "revert it"]);
    });

    it("with skipUndos leaves the undos' manual lines but still cleans up temporary resources", async () => {
      const ran: string[] = [];
      const saga = new Saga();
      saga.register("stack", recording(ran, "update the stack back"));
      saga.register("cluster", recording(ran, "delete the cluster", { when: "always" }));

      const report = await saga.finish(false, { skipUndos: true });

      expect(ran).to.deep.equal(["delete the cluster"]);
      expect(report.leftToCleanUp).to.deep.equal(["by hand: update the stack back"]);
      expect(saga.isOpen("stack")).to.equal(true);
    });

    it("keeps the manual line of a compensation that resolves false (not finished)", async () => {
      const saga = new Saga();
      saga.register("cluster", {
        name: "delete the cluster",
        when: "always",
        run: () => Promise.resolve(false),
        manual: "wait for the job, then delete the cluster",
      });

      const report = await saga.finish(true);

      expect(report.undone).to.deep.equal([]);
      expect(report.failedUndos).to.deep.equal([]);
      expect(report.leftToCleanUp).to.deep.equal(["wait for the job, then delete the cluster"]);
      expect(saga.isOpen("cluster")).to.equal(true);
    });

    it("reports a failing compensation with its message and manual line, and runs the older ones", async () => {
      const ran: string[] = [];
      const saga = new Saga();
      saga.register("cluster", recording(ran, "delete the cluster", { when: "always" }));
      saga.register("service", {
        name: "scale back",
        when: "always",
        run: () => Promise.reject(new Error("Rate exceeded")),
        manual: "aws ecs update-service ...",
      });

      const report = await saga.finish(false);

      expect(ran).to.deep.equal(["delete the cluster"]);
      expect(report.failedUndos).to.deep.equal([
        { name: "scale back", message: "Rate exceeded", when: "always" },
      ]);
      expect(report.undone).to.deep.equal(["delete the cluster"]);
      expect(report.leftToCleanUp).to.deep.equal(["aws ecs update-service ..."]);
      expect(saga.isOpen("service")).to.equal(true);
    });

    it("runs the saga's compensations as progress steps and logs a failure", async () => {
      const clock = sinon.useFakeTimers();
      const log: string[] = [];
      try {
        const saga = new Saga(createProgress((line) => log.push(line)));
        saga.register("service", {
          name: "scale back",
          when: "always",
          run: () =>
            Promise.reject(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" })),
          manual: "by hand",
        });
        await saga.finish(false);
      } finally {
        clock.restore();
      }

      expect(log).to.deep.equal([
        "[+00:00] scale back ...",
        "[+00:00] scale back: FAILED after 0.0 s",
        "[+00:00] scale back failed: ThrottlingException: Rate exceeded",
      ]);
    });

    it("passes the outcome to the compensation's run and to a name that depends on it", async () => {
      const seen: boolean[] = [];
      const saga = new Saga();
      saga.register("service", {
        name: ({ succeeded }) => `scale back${succeeded ? " with a new deployment" : ""}`,
        when: "always",
        run: ({ succeeded }) => {
          seen.push(succeeded);
          return Promise.resolve();
        },
        manual: "by hand",
      });

      const report = await saga.finish(true);

      expect(seen).to.deep.equal([true]);
      expect(report.undone).to.deep.equal(["scale back with a new deployment"]);
    });

    it("returns the first report when called twice, without running anything again", async () => {
      const ran: string[] = [];
      const saga = new Saga();
      saga.register("files", recording(ran, "put the files back"));

      const first = await saga.finish(false);
      const second = await saga.finish(true);

      expect(second).to.equal(first);
      expect(second.succeeded).to.equal(false);
      expect(ran).to.deep.equal(["put the files back"]);
    });
  });

  describe("register and settle", () => {
    it("does not run or report a settled compensation", async () => {
      const ran: string[] = [];
      const saga = new Saga();
      saga.register("directory", { name: "delete the directory", manual: "delete it", when: "always" });
      saga.register("purge", recording(ran, "stop purging"));
      saga.settle("directory");
      saga.settle("purge");
      saga.settle("never registered");

      const report = await saga.finish(false);

      expect(ran).to.deep.equal([]);
      expect(report.leftToCleanUp).to.deep.equal([]);
      expect(saga.isOpen("purge")).to.equal(false);
      expect(saga.registered("purge")).to.equal(true);
      expect(saga.registered("never registered")).to.equal(false);
    });

    it("replaces an open compensation in its place, and puts a settled key registered again last", async () => {
      const ran: string[] = [];
      const saga = new Saga();
      saga.register("cluster", recording(ran, "delete the cluster (restoring)", { when: "always" }));
      saga.register("task", recording(ran, "deregister", { when: "always" }));
      saga.register("files", recording(ran, "put the files back", { when: "always" }));
      saga.register("cluster", recording(ran, "delete the cluster (restored)", { when: "always" }));
      saga.settle("task");
      saga.register("task", recording(ran, "deregister again", { when: "always" }));

      await saga.finish(false);

      expect(ran).to.deep.equal(["deregister again", "put the files back", "delete the cluster (restored)"]);
    });

    it("step registers the compensation made from its value, and nothing when it fails", async () => {
      const ran: string[] = [];
      const saga = new Saga();
      const arn = await saga.step(
        "register",
        () => Promise.resolve("arn:1"),
        (value) => recording(ran, `deregister ${value}`, { when: "always" }),
      );
      const failed = await saga
        .step(
          "never",
          () => Promise.reject(new Error("denied")),
          () => recording(ran, "must not run", { when: "always" }),
        )
        .catch((error: Error) => error.message);

      await saga.finish(false);

      expect([arn, failed]).to.deep.equal(["arn:1", "denied"]);
      expect(ran).to.deep.equal(["deregister arn:1"]);
    });
  });

  describe("keep and unkeep", () => {
    it("reports kept lines in the order first recorded, replaced in place, without the unkept ones", async () => {
      const saga = new Saga();
      saga.keep("previous", "previous files");
      saga.keep("dumps", "dumps");
      saga.keep("restored", "restored files");
      saga.keep("previous", "previous files, moved");
      saga.unkeep("restored");

      const report = await saga.finish(true);

      expect(report.kept).to.deep.equal(["previous files, moved", "dumps"]);
    });

    it("reports an undo left open with leftAs kept among the kept lines, in place of its key's line", async () => {
      const saga = new Saga();
      const failing = (name: string): Compensation => ({
        name,
        leftAs: "kept",
        run: () => Promise.reject(new Error("rollback task exited 1")),
        manual: `${name}: check the live files first`,
      });
      saga.keep("previous", "previous files");
      saga.keep("dumps", "dumps");
      saga.register("previous", failing("put the previous files back"));
      saga.register("other", failing("put the other files back"));

      const report = await saga.finish(false);

      expect(report.kept).to.deep.equal([
        "put the previous files back: check the live files first",
        "dumps",
        "put the other files back: check the live files first",
      ]);
      expect(report.leftToCleanUp).to.deep.equal([]);
    });

    it("lets a compensation change what is kept while it runs", async () => {
      const saga = new Saga();
      saga.keep("previous", "previous files");
      saga.register("previous", {
        name: "put the previous files back",
        leftAs: "kept",
        run: () => {
          saga.unkeep("previous");
          saga.keep("restored", "restored files");
          return Promise.resolve();
        },
        manual: "check first",
      });

      const report = await saga.finish(false);

      expect(report.kept).to.deep.equal(["restored files"]);
    });
  });

  describe("sagaNotes", () => {
    const report = (over: Partial<SagaReport>): SagaReport => ({
      succeeded: false,
      undone: [],
      failedUndos: [],
      kept: [],
      leftToCleanUp: [],
      ...over,
    });

    it("lists the failed undos, then what was kept, then what is left to clean up", () => {
      expect(
        sagaNotes(
          report({
            failedUndos: [
              { name: "put the previous files back", message: "exited 1", when: "failure" },
              { name: "scale back", message: "Rate exceeded", when: "always" },
            ],
            kept: ["dumps"],
            leftToCleanUp: ["service still at 0 tasks", "task definition"],
          }),
        ),
      ).to.deep.equal([
        "could not put the previous files back: exited 1",
        "kept: dumps",
        "to clean up: service still at 0 tasks",
        "to clean up: task definition",
      ]);
    });

    it("says when nothing is left to clean up", () => {
      expect(sagaNotes(report({ kept: ["dumps"] }))).to.deep.equal([
        "kept: dumps",
        "nothing left to clean up",
      ]);
    });
  });
});
