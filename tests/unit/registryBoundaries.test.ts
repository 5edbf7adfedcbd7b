/**
 * Registry validation and slot allocation at their boundaries: min == max, desired on a bound,
 * a host listed twice by one entry, the exact problem lines, and shards filling up.
 */
import { expect } from "chai";
import { RegistryError, RegistryProblem, formatProblem, parseRegistry } from "../../tenants/registry/load";
import {
  AllocationError,
  DEFAULT_TENANTS_PER_SHARD,
  allocateListenerSlots,
} from "../../tenants/registry/allocate";
import { TenantEntry } from "../../config/tenantEntry";

const FILE = "tenants/test.yaml";

/** The problems of a registry text as `line|entry|field|message`, or [] when it is valid. */
function problemsOf(text: string, environment = "dev"): string[] {
  try {
    parseRegistry(text, FILE, environment);
    return [];
  } catch (error) {
    expect(error).to.be.instanceOf(RegistryError);
    return (error as RegistryError).problems.map(
      (p) => `${p.line ?? "-"}|${p.entry ?? ""}|${p.field ?? ""}|${p.message}`,
    );
  }
}

const one = (lines: string) => `tenants:\n  - id: good\n    hosts: [good.example.com]\n${lines}`;

describe("registry boundaries", () => {
  describe("task counts", () => {
    it("accepts min == max, and desired on either bound", () => {
      expect(problemsOf(one("    tasks: { min: 2, max: 2 }\n"))).to.deep.equal([]);
      expect(problemsOf(one("    tasks: { desired: 2, min: 2, max: 2 }\n"))).to.deep.equal([]);
      expect(problemsOf(one("    tasks: { desired: 1, min: 1, max: 4 }\n"))).to.deep.equal([]);
      expect(problemsOf(one("    tasks: { desired: 4, min: 1, max: 4 }\n"))).to.deep.equal([]);
    });

    it("min one above max, desired one outside a bound, with only one bound given", () => {
      expect(problemsOf(one("    tasks: { min: 3, max: 2 }\n"))).to.deep.equal([
        '4|tenants[0] (id "good")|tasks.min|min (3) is greater than max (2)',
      ]);
      expect(problemsOf(one("    tasks: { desired: 1, min: 2 }\n"))).to.deep.equal([
        '4|tenants[0] (id "good")|tasks.desired|desired (1) is outside [min 2, max -]',
      ]);
      expect(problemsOf(one("    tasks: { desired: 5, max: 4 }\n"))).to.deep.equal([
        '4|tenants[0] (id "good")|tasks.desired|desired (5) is outside [min -, max 4]',
      ]);
      expect(problemsOf(one("    tasks: { desired: 3 }\n"))).to.deep.equal([]);
    });
  });

  describe("schedules", () => {
    it("a schedule is fine in dev and test, refused in prod; sleeping and waking at once is refused", () => {
      const schedule = "    schedule: { sleepAt: '19:00', wakeAt: '07:00' }\n";
      expect(problemsOf(one(schedule), "test")).to.deep.equal([]);
      expect(problemsOf(one(schedule), "prod")).to.deep.equal([
        '4|tenants[0] (id "good")|schedule|scale-to-zero schedules are for dev and test; a production site stays up',
      ]);
      expect(problemsOf(one("    schedule: { sleepAt: '07:00', wakeAt: '07:00' }\n"))).to.deep.equal([
        '4|tenants[0] (id "good")|schedule.wakeAt|wakeAt equals sleepAt; the site would never sleep',
      ]);
    });
  });

  describe("across entries", () => {
    it("a host listed twice by the same entry, and a host of another tenant, are told apart", () => {
      expect(problemsOf("tenants:\n  - id: good\n    hosts: [a.example.com, a.example.com]\n")).to.deep.equal(
        ['3|tenants[0] (id "good")|hosts[1]|host "a.example.com" is listed twice'],
      );
      expect(
        problemsOf(
          "tenants:\n  - id: first\n    hosts: [a.example.com]\n  - id: second\n    hosts: [b.example.com, a.example.com]\n",
        ),
      ).to.deep.equal([
        '5|tenants[1] (id "second")|hosts[1]|host "a.example.com" is already served by tenant "first" (tenants[0])',
      ]);
    });

    it("the same priority on another shard is a different slot", () => {
      const text =
        "tenants:\n" +
        "  - id: first\n    hosts: [a.example.com]\n    listener: { shard: 0, priority: 1 }\n" +
        "  - id: second\n    hosts: [b.example.com]\n    listener: { shard: 1, priority: 1 }\n";
      expect(problemsOf(text)).to.deep.equal([]);
      const clash = text.replace("shard: 1", "shard: 0");
      expect(problemsOf(clash)).to.deep.equal([
        '7|tenants[1] (id "second")|listener.priority|priority 1 on shard 0 is already used by tenant "first"',
      ]);
    });

    it("an entry without an id is checked on its own, never against the others", () => {
      const found = problemsOf(
        "tenants:\n  - id: first\n    hosts: [a.example.com]\n  - hosts: [a.example.com]\n",
      );
      expect(found.some((p) => p.includes("already served"))).to.equal(false);
      expect(found.some((p) => p.startsWith("4|tenants[1]|id|"))).to.equal(true);
    });
  });

  describe("messages", () => {
    it("unknown keys: one or several, the line of the first", () => {
      expect(problemsOf(one("    hostz: [x]\n    sizes: small\n"))).to.deep.equal([
        '4|tenants[0] (id "good")||unknown keys "hostz", "sizes" (a typo?)',
      ]);
    });

    it("a value too long to print whole is shortened and its length given", () => {
      const long = `${"a".repeat(150)}.example.com`;
      const [problem] = problemsOf(`tenants:\n  - id: good\n    hosts: [${long}]\n`);
      expect(problem).to.include(`(got "${"a".repeat(136)}..." (162 characters))`);
    });

    it("formatProblem joins file, line, entry and field, leaving out what is unknown", () => {
      const base: RegistryProblem = { file: FILE, message: "why" };
      expect(formatProblem(base)).to.equal(`${FILE}: why`);
      expect(formatProblem({ ...base, line: 7, entry: "tenants[1]", field: "hosts[0]" })).to.equal(
        `${FILE}:7: tenants[1]: hosts[0]: why`,
      );
      expect(formatProblem({ ...base, line: 0, field: "id" })).to.equal(`${FILE}: id: why`);
    });

    it("RegistryError counts its problems in the message", () => {
      expect(new RegistryError(FILE, [{ file: FILE, message: "a" }]).message).to.equal(
        `${FILE} is invalid (1 problem); nothing was changed:\n  - ${FILE}: a`,
      );
      expect(
        new RegistryError(FILE, [
          { file: FILE, message: "a" },
          { file: FILE, line: 2, message: "b" },
        ]).message,
      ).to.equal(`${FILE} is invalid (2 problems); nothing was changed:\n  - ${FILE}: a\n  - ${FILE}:2: b`);
      expect(new RegistryError(FILE, []).kind).to.equal("invalidInput");
    });
  });

  describe("listener slots", () => {
    const entries = (n: number, extra: (i: number) => Partial<TenantEntry> = () => ({})): TenantEntry[] =>
      Array.from({ length: n }, (_, i) => ({ id: `site${i}`, hosts: [`site${i}.example.com`], ...extra(i) }));

    it("fills a shard to exactly its capacity, then the next one", () => {
      const { entries: placed, allocated } = allocateListenerSlots(entries(4), {
        shards: 2,
        tenantsPerShard: 3,
      });
      expect(placed.map((e) => e.listener)).to.deep.equal([
        { shard: 0, priority: 1 },
        { shard: 0, priority: 2 },
        { shard: 0, priority: 3 },
        { shard: 1, priority: 1 },
      ]);
      expect(allocated).to.deep.equal(["site0", "site1", "site2", "site3"]);
    });

    it("the default capacity is 95 tenants per shard", () => {
      expect(DEFAULT_TENANTS_PER_SHARD).to.equal(95);
      const { entries: placed } = allocateListenerSlots(entries(96), { shards: 2 });
      expect(placed[94].listener).to.deep.equal({ shard: 0, priority: 95 });
      expect(placed[95].listener).to.deep.equal({ shard: 1, priority: 1 });
    });

    it("keeps existing slots, counts them against the capacity, and allocates none for them", () => {
      const given = entries(3, (i) => (i === 1 ? { listener: { shard: 0, priority: 7 } } : {}));
      const { entries: placed, allocated } = allocateListenerSlots(given, { shards: 1, tenantsPerShard: 3 });
      expect(placed.map((e) => e.listener)).to.deep.equal([
        { shard: 0, priority: 1 },
        { shard: 0, priority: 7 },
        { shard: 0, priority: 2 },
      ]);
      expect(allocated).to.deep.equal(["site0", "site2"]);
      expect(() => allocateListenerSlots(entries(4), { shards: 1, tenantsPerShard: 3 })).to.throw(
        AllocationError,
        'cannot place tenant "site3": all 1 ALB shard(s) are full (3 tenants, listener rules per ALB and certificates per ALB counted); raise bbws:albShards',
      );
    });

    it("a slot on the last shard is fine, one beyond it is refused naming the shards", () => {
      const onLast = entries(1, () => ({ listener: { shard: 1, priority: 1 } }));
      expect(allocateListenerSlots(onLast, { shards: 2 }).allocated).to.deep.equal([]);
      expect(() => allocateListenerSlots(onLast, { shards: 1 })).to.throw(
        AllocationError,
        'tenant "site0" lives on ALB shard 1, but the platform has 1 shard(s) (0-0); raise bbws:albShards or move the tenant',
      );
    });

    it("with the registry, a slot beyond the shards names the file, line, entry and field", () => {
      const registry = parseRegistry(
        "tenants:\n  - id: good\n    hosts: [good.example.com]\n  - id: far\n    hosts: [far.example.com]\n    listener: { shard: 3, priority: 1 }\n",
        FILE,
        "dev",
      );
      try {
        allocateListenerSlots(registry.tenants, { shards: 2, registry });
        expect.fail("expected a RegistryError");
      } catch (error) {
        expect(error).to.be.instanceOf(RegistryError);
        expect((error as RegistryError).problems).to.deep.equal([
          {
            file: FILE,
            line: 6,
            entry: 'tenants[1] (id "far")',
            field: "listener.shard",
            message:
              "shard 3 does not exist: the platform has 2 ALB shard(s) (0-1, bbws:albShards); raise bbws:albShards or move the tenant (got 3)",
            index: 1,
          },
        ]);
      }
    });
  });
});
