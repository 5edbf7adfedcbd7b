import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { RegistryError, loadRegistry, parseRegistry, readRegistry } from "../../tenants/registry/load";
import { withEntry } from "../../tenants/registry/edits";
import { registryEntry } from "../../ops/context";
import { AllocationError, allocateListenerSlots } from "../../tenants/registry/allocate";
import { capacityStrategy, resolveTenantSpec } from "../../config/tenantSpec";
import { TenantEntry, isIanaTimeZone } from "../../config/tenantEntry";
import { loadStackSettings } from "../../config/readStackConfig";

const FILE = "tenants/test.yaml";

function problems(text: string, environment = "dev"): string[] {
  try {
    parseRegistry(text, FILE, environment);
  } catch (error) {
    expect(error).to.be.instanceOf(RegistryError);
    expect((error as Error).message).to.match(/nothing was changed/);
    return (error as RegistryError).problems.map(
      (p) => `${p.line ?? "-"}|${p.entry ?? ""}|${p.field ?? ""}|${p.message}`,
    );
  }
  throw new Error("expected the registry to be rejected");
}

const entry = (lines: string) => `tenants:\n  - id: good\n    hosts: [good.example.com]\n${lines}`;

describe("tenants registry", () => {
  it("loads the committed dev and prod registries", () => {
    expect(loadRegistry("dev").tenants.map((t) => t.id)).to.deep.equal([
      "acme",
      "globex",
      "initech",
      "umbrella",
    ]);
    expect(loadRegistry("prod").tenants).to.have.length.of.at.least(2);
  });

  it("reports a YAML syntax error with its line", () => {
    const [problem] = problems("tenants:\n  - id: acme\n    hosts: [acme.example.com\n  - id: b\n");
    expect(problem).to.match(/^3\|\|\|YAML syntax error: a "\[" opened here is never closed/);
  });

  describe("rejects bad entries, naming the file, line, entry and field", () => {
    const cases: [string, string, RegExp][] = [
      [
        "an unknown key (typo)",
        "    hostz: [x.example.com]\n",
        /^4\|tenants\[0\] \(id "good"\)\|\|unknown key "hostz" \(a typo\?\)$/,
      ],
      ["a missing id", "  - hosts: [b.example.com]\n", /\|tenants\[1\]\|id\|required: the tenant id/],
      [
        "missing hosts",
        "  - id: nohosts\n",
        /\|tenants\[1\] \(id "nohosts"\)\|hosts\|required: 1 to 5 host names/,
      ],
      [
        "an invalid DNS name",
        "  - id: bad-host\n    hosts: [Bad_Host.example.com]\n",
        /\|hosts\[0\]\|is not a valid DNS host name/,
      ],
      [
        "a wildcard host",
        "  - id: wild\n    hosts: ['*.example.com']\n",
        /\|hosts\[0\]\|is not a valid DNS host name/,
      ],
      [
        "six hosts",
        "  - id: many\n    hosts: [a.example.com, b.example.com, c.example.com, d.example.com, e.example.com, f.example.com]\n",
        /\|hosts\|takes at most 5 host names \(an ALB rule matches at most 5 values\)/,
      ],
      [
        "an id that cannot name a stack",
        "  - id: Acme_Corp\n    hosts: [acme.example.com]\n",
        /\|id\|must be 3-21 characters of lower-case letters/,
      ],
      [
        "an id with a double hyphen",
        "  - id: ac--me\n    hosts: [acme.example.com]\n",
        /\|id\|must be 3-21 characters/,
      ],
      [
        "an id too long for a MySQL user",
        `  - id: ${"a".repeat(29)}\n    hosts: [long.example.com]\n`,
        /\|id\|must be 3-21 characters/,
      ],
      ["a reserved id", "  - id: admin\n    hosts: [admin.example.com]\n", /\|id\|"admin" is reserved/],
      [
        "min above max",
        "  - id: minmax\n    hosts: [m.example.com]\n    tasks: { min: 3, max: 2 }\n",
        /\|tasks\.min\|min \(3\) is greater than max \(2\)/,
      ],
      [
        "desired outside [min, max]",
        "  - id: desired\n    hosts: [d.example.com]\n    tasks: { desired: 9, min: 1, max: 4 }\n",
        /\|tasks\.desired\|desired \(9\) is outside \[min 1, max 4\]/,
      ],
      [
        "an invalid Fargate size",
        "  - id: sized\n    hosts: [s.example.com]\n    size: 256/4096\n",
        /\|size\|256\/4096 is not a valid Fargate CPU\/memory pair/,
      ],
      [
        "an unknown size tier",
        "  - id: sized\n    hosts: [s.example.com]\n    size: huge\n",
        /\|size\|"huge" is not a size/,
      ],
      [
        "a bad schedule time",
        "  - id: sleepy\n    hosts: [z.example.com]\n    schedule: { sleepAt: '25:00', wakeAt: '07:00' }\n",
        /\|schedule\.sleepAt\|a time of day as HH:MM/,
      ],
      [
        "a non-numeric task count",
        "  - id: words\n    hosts: [w.example.com]\n    tasks: { desired: two }\n",
        /\|tasks\.desired\|expected number, got string/,
      ],
    ];
    for (const [what, lines, expected] of cases) {
      it(`rejects ${what}`, () => {
        const found = problems(entry(lines));
        expect(
          found.some((p) => expected.test(p)),
          found.join("\n"),
        ).to.equal(true);
        expect(
          found.every((p) => /^\d+\|/.test(p)),
          `every problem has a line: ${found.join("\n")}`,
        ).to.equal(true);
      });
    }

    it("rejects time zones that are not IANA zones, naming the file, line, entry, field and value", () => {
      for (const [zone, suggestion] of [
        ["Africa/Johanesburg", "Africa/Johannesburg"],
        ["Mars/Olympus", undefined],
        ["africa/johannesburg", "Africa/Johannesburg"],
        ["GMT+2", undefined],
      ] as const) {
        const found = problems(
          entry(`    schedule: { sleepAt: '19:00', wakeAt: '07:00', timezone: '${zone}' }\n`),
        );
        expect(found).to.have.length(1);
        expect(
          found[0].startsWith(
            `4|tenants[0] (id "good")|schedule.timezone|"${zone}" is not an IANA time zone`,
          ),
        ).to.equal(true, found[0]);
        if (suggestion) expect(found[0]).to.include(`; did you mean "${suggestion}"?`);
        else expect(found[0]).to.not.include("did you mean");
      }
      expect(() =>
        parseRegistry(
          entry("    schedule: { sleepAt: '19:00', wakeAt: '07:00', timezone: Mars/Olympus }\n"),
          FILE,
          "dev",
        ),
      ).to.throw(
        RegistryError,
        `${FILE}:4: tenants[0] (id "good"): schedule.timezone: "Mars/Olympus" is not an IANA time zone`,
      );
    });

    it("accepts real IANA zones, also those ICU does not list (UTC, Etc/GMT±N, renamed zones)", () => {
      for (const zone of [
        "Africa/Johannesburg",
        "UTC",
        "Etc/UTC",
        "Etc/GMT+2",
        "Etc/GMT-14",
        "Europe/Kyiv",
        "Asia/Kolkata",
      ]) {
        expect(isIanaTimeZone(zone), zone).to.equal(true);
        expect(() =>
          parseRegistry(
            entry(`    schedule: { sleepAt: '19:00', wakeAt: '07:00', timezone: '${zone}' }\n`),
            FILE,
            "dev",
          ),
        ).to.not.throw();
      }
      for (const zone of ["Etc/GMT+13", "Mars/Olympus", "utc", "Europe/kyiv", ""])
        expect(isIanaTimeZone(zone), zone).to.equal(false);
    });

    it("takes serviceDiscovery as a boolean only", () => {
      expect(
        parseRegistry(entry("    serviceDiscovery: true\n"), FILE, "dev").tenants[0].serviceDiscovery,
      ).to.equal(true);
      expect(problems(entry("    serviceDiscovery: yes please\n"))[0]).to.match(
        /^4\|tenants\[0\] \(id "good"\)\|serviceDiscovery\|expected boolean, got string$/,
      );
    });

    it("rejects duplicate ids", () => {
      expect(problems(entry("  - id: good\n    hosts: [other.example.com]\n"))).to.deep.equal([
        `4|tenants[1] (id "good")|id|duplicate id; tenants[0] already uses "good"`,
      ]);
    });

    it("rejects a host name served by two tenants", () => {
      expect(problems(entry("  - id: copycat\n    hosts: [good.example.com]\n"))[0]).to.match(
        /\|hosts\[0\]\|host "good.example.com" is already served by tenant "good" \(tenants\[0\]\)/,
      );
    });

    it("rejects two tenants on the same listener priority", () => {
      const text =
        "tenants:\n  - id: one\n    hosts: [one.example.com]\n    listener: { shard: 0, priority: 7 }\n  - id: two\n    hosts: [two.example.com]\n    listener: { shard: 0, priority: 7 }\n";
      expect(problems(text)[0]).to.match(
        /listener\.priority\|priority 7 on shard 0 is already used by tenant "one"/,
      );
    });

    it("rejects a scale-to-zero schedule in prod", () => {
      expect(problems(entry("    schedule: { sleepAt: '19:00', wakeAt: '07:00' }\n"), "prod")[0]).to.match(
        /\|schedule\|scale-to-zero schedules are for dev and test/,
      );
    });

    it("rejects a file without a tenants list", () => {
      expect(problems("tenant:\n  - id: x\n")).to.have.length.at.least(1);
    });

    it("reports every problem of the file at once", () => {
      const found = problems(
        "tenants:\n  - id: Bad\n    hosts: [ok.example.com]\n  - id: fine\n    hosts: [BAD]\n    tasks: { min: 5, max: 1 }\n  - id: fine\n    hosts: [z.example.com]\n",
      );
      expect(found).to.have.length(4);
    });
  });

  describe("one loader", () => {
    const temp = (text: string) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bbws-registry-"));
      const file = path.join(dir, "dev.yaml");
      fs.writeFileSync(file, text);
      return file;
    };

    it("loadRegistry, readRegistry and ops' tenant lookup read the same file the same way", () => {
      const file = temp(entry("    size: medium\n"));
      const snapshot = readRegistry("dev", file);
      expect(snapshot.file).to.equal(file);
      expect(snapshot.text).to.equal(fs.readFileSync(file, "utf8"));
      expect(loadRegistry("dev", file).tenants).to.deep.equal(snapshot.registry.tenants);
      expect(registryEntry("dev", "good", file)).to.deep.equal(snapshot.registry.tenants[0]);
    });

    it("a missing or invalid file is the same RegistryError (invalidInput) from every entry point", () => {
      const missing = path.join(os.tmpdir(), "bbws-no-such-registry", "dev.yaml");
      for (const load of [() => loadRegistry("dev", missing), () => registryEntry("dev", "good", missing)])
        expect(load).to.throw(RegistryError, `${missing} is invalid (1 problem)`);
      const invalid = temp("tenants:\n  - id: good\n");
      for (const load of [() => readRegistry("dev", invalid), () => registryEntry("dev", "good", invalid)]) {
        try {
          load();
          expect.fail("the registry should be refused");
        } catch (error) {
          expect(error).to.be.instanceOf(RegistryError);
          expect((error as RegistryError).kind).to.equal("invalidInput");
          expect((error as RegistryError).problems[0].field).to.equal("hosts");
        }
      }
    });

    it("a new entry keeps every field it has, also fields added to the schema after the writer", () => {
      const file = temp(entry(""));
      const text = withEntry(readRegistry("dev", file), {
        id: "finder",
        hosts: ["finder.example.com"],
        size: "small",
        serviceDiscovery: true,
      });
      const added = parseRegistry(text, FILE, "dev").tenants[1];
      expect(added).to.deep.equal({
        id: "finder",
        hosts: ["finder.example.com"],
        size: "small",
        serviceDiscovery: true,
      });
      expect(text).to.match(
        /- id: finder\n\s+hosts:\n\s+- finder\.example\.com\n\s+size: small\n\s+serviceDiscovery: true\n/,
      );
    });
  });

  describe("listener slot allocation", () => {
    const generated = (n: number): TenantEntry[] =>
      Array.from({ length: n }, (_, i) => ({ id: `tenant-${i}`, hosts: [`t${i}.example.com`] }));

    it("gives 100 generated tenants unique (shard, priority) slots, filling the lowest shard first", () => {
      const { entries, allocated } = allocateListenerSlots(generated(100), { shards: 2 });
      expect(allocated).to.have.length(100);
      const slots = entries.map((e) => `${e.listener!.shard}/${e.listener!.priority}`);
      expect(new Set(slots).size).to.equal(100);
      expect(entries.filter((e) => e.listener!.shard === 0)).to.have.length(95);
      expect(entries.filter((e) => e.listener!.shard === 1)).to.have.length(5);
    });

    it("never moves other tenants when one is removed, and reuses the freed slot", () => {
      const first = allocateListenerSlots(generated(100), { shards: 2 }).entries;
      const without = first.filter((e) => e.id !== "tenant-42");
      const again = allocateListenerSlots(without, { shards: 2 }).entries;
      for (const e of again)
        expect(e.listener, e.id).to.deep.equal(first.find((f) => f.id === e.id)!.listener);
      const added = allocateListenerSlots([...again, { id: "newcomer", hosts: ["new.example.com"] }], {
        shards: 2,
      }).entries;
      expect(added.at(-1)!.listener).to.deep.equal(first.find((f) => f.id === "tenant-42")!.listener);
    });

    it("does not depend on the order of the file", () => {
      const first = allocateListenerSlots(generated(30), { shards: 1 }).entries;
      const reversed = allocateListenerSlots([...first].reverse(), { shards: 1 }).entries;
      for (const e of reversed) expect(e.listener).to.deep.equal(first.find((f) => f.id === e.id)!.listener);
    });

    it("refuses when every shard is full, and a slot on a shard the platform does not have", () => {
      expect(() => allocateListenerSlots(generated(96), { shards: 1 })).to.throw(
        AllocationError,
        /all 1 ALB shard\(s\) are full \(95 tenants, .*\); raise bbws:albShards/,
      );
      expect(() =>
        allocateListenerSlots(
          [{ id: "far", hosts: ["far.example.com"], listener: { shard: 2, priority: 1 } }],
          { shards: 2 },
        ),
      ).to.throw(AllocationError, /lives on ALB shard 2, but the platform has 2 shard\(s\)/);
    });
  });

  describe("resolution against the environment", () => {
    const dev = loadStackSettings("dev");
    const prod = loadStackSettings("prod");
    const base: TenantEntry = {
      id: "site",
      hosts: ["site.example.com"],
      listener: { shard: 0, priority: 1 },
    };

    it("fills gaps from the environment's defaults", () => {
      const t = resolveTenantSpec(base, dev);
      expect(t.size).to.deep.equal(dev.tenant.size);
      expect([t.desiredCount, t.minTasks, t.maxTasks]).to.deep.equal([1, 1, 2]);
      expect(t.highAvailability).to.equal(false);
      const p = resolveTenantSpec(base, prod);
      expect([p.desiredCount, p.minTasks, p.maxTasks]).to.deep.equal([2, 2, 10]);
      expect(p.highAvailability).to.equal(true);
    });

    it("keeps the entry's own bounds consistent when only some are given", () => {
      expect(resolveTenantSpec({ ...base, tasks: { desired: 5 } }, dev)).to.include({
        desiredCount: 5,
        minTasks: 1,
        maxTasks: 5,
      });
      expect(resolveTenantSpec({ ...base, tasks: { max: 1 } }, prod)).to.include({
        desiredCount: 1,
        minTasks: 1,
        maxTasks: 1,
      });
      expect(resolveTenantSpec({ ...base, tasks: { min: 0 } }, dev)).to.include({
        desiredCount: 1,
        minTasks: 0,
        maxTasks: 2,
      });
    });

    it("HA tenants keep an on-demand base even in a Spot-only environment", () => {
      expect(capacityStrategy(true, { fargateBase: 0, fargateWeight: 0, spotWeight: 1 })).to.deep.equal([
        { capacityProvider: "FARGATE", base: 1, weight: 0 },
        { capacityProvider: "FARGATE_SPOT", base: 0, weight: 1 },
      ]);
      expect(capacityStrategy(false, { fargateBase: 0, fargateWeight: 0, spotWeight: 1 })).to.deep.equal([
        { capacityProvider: "FARGATE_SPOT", base: 0, weight: 1 },
      ]);
    });
  });
});
