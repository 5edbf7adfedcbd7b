/**
 * `tenants add`, branch by branch: the entry the options describe (each task count on its
 * own), the operation an existing stack gets, and the adopt note when nothing was retained.
 */
import { expect } from "chai";
import { addTenant, entryFromOptions } from "../../../tenants/lifecycle/commands/add";
import { FakeBackend, contextFor, tempRegistry } from "./fakes";

describe("tenants add, branch by branch", () => {
  describe("entryFromOptions", () => {
    it("leaves tasks out when no count is given, and out of the entry every option not given", () => {
      expect(entryFromOptions({ id: "newco", hosts: ["newco.wpdev.example.com"] })).to.deep.equal({
        id: "newco",
        hosts: ["newco.wpdev.example.com"],
      });
    });

    it("takes each task count on its own, without the ones not given", () => {
      const hosts = ["n.wpdev.example.com"];
      expect(entryFromOptions({ id: "n1", hosts, desired: 2 }).tasks).to.deep.equal({ desired: 2 });
      expect(entryFromOptions({ id: "n2", hosts, min: 1 }).tasks).to.deep.equal({ min: 1 });
      expect(entryFromOptions({ id: "n3", hosts, max: 4 }).tasks).to.deep.equal({ max: 4 });
      expect(entryFromOptions({ id: "n4", hosts, desired: 2, min: 1, max: 4 }).tasks).to.deep.equal({
        desired: 2,
        min: 1,
        max: 4,
      });
    });

    it("copies size, image and high availability, and the hosts as a new array", () => {
      const hosts = ["n.wpdev.example.com"];
      const entry = entryFromOptions({
        id: "n5",
        hosts,
        size: "small",
        image: "6.8.3-php8.3-apache",
        highAvailability: true,
      });
      expect(entry).to.deep.include({ size: "small", image: "6.8.3-php8.3-apache", highAvailability: true });
      expect(entry.hosts).to.deep.equal(hosts);
      expect(entry.hosts).to.not.equal(hosts);
    });
  });

  describe("addTenant", () => {
    it("updates a stack that already exists (an earlier add whose entry was removed by hand)", async () => {
      const backend = new FakeBackend().withStack("newco");
      const context = contextFor(backend, tempRegistry());
      const report = await addTenant(context, { id: "newco", hosts: ["newco.wpdev.example.com"] });
      expect(report.exitCode).to.equal(0);
      const results = report.json.results as { operation: string }[];
      expect(results.map((r) => r.operation)).to.deep.equal(["update"]);
      expect(report.json.command).to.equal("add");
      // What changed is said once, as a note and as a change (for failure reports).
      const added = /^added tenant "newco" to .*dev\.yaml \(ALB shard 0, rule priority 5\)$/;
      expect(
        context.notes.some((n) => added.test(n)),
        context.notes.join("\n"),
      ).to.equal(true);
      expect(context.changes.some((n) => added.test(n))).to.equal(true);
      // Nothing about adoption without --adopt-retained-data; no "entry stays" advice on success.
      expect(context.notes.join("\n")).to.not.contain("--adopt-retained-data");
      expect(report.text).to.not.contain("stays in");
      expect(report.text.split("\n").length).to.be.greaterThan(3);
    });

    it("--adopt-retained-data with nothing retained says so, and adds the tenant", async () => {
      const context = contextFor(new FakeBackend(), tempRegistry());
      const report = await addTenant(context, {
        id: "newco",
        hosts: ["newco.wpdev.example.com"],
        adoptRetainedData: true,
      });
      expect(report.exitCode).to.equal(0);
      expect(context.notes.join("\n")).to.match(
        /--adopt-retained-data: no retained data of "newco" is recorded in .*dev\.tombstones\.yaml; whatever a removal before tombstones left is attached as it is/,
      );
      expect(report.json.adoptedRetainedData).to.equal(false);
    });
  });
});
