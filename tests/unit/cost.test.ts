import { expect } from "chai";
import { CostLine, CostReport, estimateCosts } from "../../plan/cost/estimate";
import { PRICES, PriceTable, pricesFor, withPrices } from "../../plan/cost/prices";
import { StrategyItem, splitTasks } from "../../plan/cost/capacity";
import { cronMinutesOfWeek, weeklyCapacityPeriods } from "../../plan/cost/schedule";
import { CostModelError } from "../../plan/cost/errors";
import { formatCostReport } from "../../plan/cost/format";
import { runPlatform } from "../../offline/platformRun";
import { platformPlan, tenantPlan } from "../helpers/costFixtures";

/** af-south-1 with the two Fargate x86 prices seed 000 section 6.3 uses. */
const SEED_PRICES: PriceTable = withPrices(PRICES, "af-south-1", {
  fargateX86VcpuHour: {
    value: 0.04856,
    source: "seed 000 section 6.3",
    date: "2025-12-13",
    estimated: false,
  },
  fargateX86GbHour: { value: 0.00532, source: "seed 000 section 6.3", date: "2025-12-13", estimated: false },
});
const AF = pricesFor("af-south-1");

/** Seed 000's production shape of a FARGATE base + FARGATE_SPOT weighted strategy. */
const BASE_1_SPOT_4: readonly StrategyItem[] = [
  { capacityProvider: "FARGATE", base: 1, weight: 1 },
  { capacityProvider: "FARGATE_SPOT", base: 0, weight: 4 },
];

const linesOf = (report: CostReport, scope: string, item?: RegExp): CostLine[] =>
  report.lines.filter((l) => l.scope === scope && (!item || item.test(l.item)));
const total = (lines: readonly CostLine[]) =>
  Math.round(lines.reduce((s, l) => s + l.monthly, 0) * 100) / 100;
const computeOf = (report: CostReport, tenantId: string) => total(linesOf(report, tenantId, /^Fargate/));
const onlyLine = (report: CostReport, scope: string, item: RegExp): CostLine => {
  const found = linesOf(report, scope, item);
  expect(found, `exactly one ${scope} line matching ${String(item)}`).to.have.length(1);
  return found[0];
};

describe("cost model", () => {
  describe("tenant compute", () => {
    it("prices seed 000's tenant (0.5 vCPU / 1 GB x86, 2 on-demand tasks, 730 h) at $43.22, not the seed's ~$18", () => {
      // GIVEN the seed's tenant and the seed's own af-south-1 Fargate prices
      const tenant = tenantPlan({
        tenantId: "seed",
        cpu: 512,
        memory: 1024,
        desiredCount: 2,
        launchType: "FARGATE",
      });
      // WHEN it is estimated
      const report = estimateCosts({
        region: "af-south-1",
        platform: [],
        tenants: [tenant],
        prices: SEED_PRICES,
      });
      // THEN the arithmetic the seed got wrong comes out right: 35.45 + 7.77
      const vcpu = onlyLine(report, "seed", /^Fargate vCPU, on-demand/);
      const memory = onlyLine(report, "seed", /^Fargate memory, on-demand/);
      expect(vcpu.monthly).to.equal(35.45);
      expect(vcpu.basis).to.equal("0.5 vCPU x 2 tasks x $0.04856 x 730 h");
      expect(memory.monthly).to.equal(7.77);
      expect(memory.basis).to.equal("1 GB x 2 tasks x $0.00532 x 730 h");
      expect(computeOf(report, "seed")).to.equal(43.22);
      expect(linesOf(report, "seed", /Spot/)).to.be.empty;
    });

    it("puts the small HA ARM tenant's 2 tasks as 1 on-demand + 1 Spot, under a third of the seed tenant's compute", () => {
      const seed = tenantPlan({
        tenantId: "seed",
        cpu: 512,
        memory: 1024,
        desiredCount: 2,
        launchType: "FARGATE",
      });
      const small = tenantPlan({
        tenantId: "small",
        cpu: 256,
        memory: 512,
        architecture: "ARM64",
        desiredCount: 2,
        strategy: BASE_1_SPOT_4,
      });
      const report = estimateCosts({
        region: "af-south-1",
        platform: [],
        tenants: [seed, small],
        prices: SEED_PRICES,
      });

      expect(onlyLine(report, "small", /^Fargate vCPU, on-demand \(ARM64\)/).basis).to.equal(
        `0.25 vCPU x 1 task x $${AF.fargateArm64VcpuHour.value} x 730 h`,
      );
      const spot = onlyLine(report, "small", /^Fargate vCPU, Spot \(ARM64\)/);
      expect(spot.basis).to.equal(
        `0.25 vCPU x 1 task x $${AF.fargateArm64VcpuHour.value} x (1 - ${AF.fargateSpotDiscountFraction.value} Spot discount) x 730 h`,
      );
      const expectedSpot =
        0.25 * AF.fargateArm64VcpuHour.value * (1 - AF.fargateSpotDiscountFraction.value) * 730;
      expect(spot.monthly).to.be.closeTo(expectedSpot, 0.005);
      expect(computeOf(report, "small")).to.equal(12.93);
      expect(computeOf(report, "small")).to.be.below(computeOf(report, "seed") / 3);
    });

    it("falls back to the cluster's default strategy from the platform plan when the service has none", () => {
      const tenant = tenantPlan({ tenantId: "dev1", cpu: 256, memory: 512, desiredCount: 1 });
      const platform = platformPlan({
        clusterStrategy: [{ capacityProvider: "FARGATE_SPOT", base: 0, weight: 1 }],
      });
      const report = estimateCosts({ region: "af-south-1", platform, tenants: [tenant] });
      expect(linesOf(report, "dev1", /on-demand/)).to.be.empty;
      expect(linesOf(report, "dev1", /Spot/)).to.have.length(2);
    });

    it("charges a public IPv4 address per task-hour only when tasks get public IPs", () => {
      const open = tenantPlan({
        tenantId: "open",
        cpu: 256,
        memory: 512,
        desiredCount: 2,
        launchType: "FARGATE",
        assignPublicIp: true,
      });
      const closed = tenantPlan({
        tenantId: "closed",
        cpu: 256,
        memory: 512,
        desiredCount: 2,
        launchType: "FARGATE",
      });
      const report = estimateCosts({ region: "af-south-1", platform: [], tenants: [open, closed] });
      expect(onlyLine(report, "open", /Public IPv4/).monthly).to.equal(7.3); // 2 x 730 h x $0.005
      expect(linesOf(report, "closed", /Public IPv4/)).to.be.empty;
    });

    it("counts each tenant's secrets and gives it its EFS share, partly in IA when the file system's lifecycle says so", () => {
      const tenant = tenantPlan({
        tenantId: "acme",
        cpu: 256,
        memory: 512,
        desiredCount: 1,
        launchType: "FARGATE",
        secrets: 3,
      });
      const report = estimateCosts({ region: "af-south-1", platform: platformPlan(), tenants: [tenant] });
      expect(onlyLine(report, "acme", /Secrets Manager/).basis).to.equal("3 secrets x $0.4");
      expect(onlyLine(report, "acme", /Secrets Manager/).monthly).to.equal(1.2);
      const efs = onlyLine(report, "acme", /EFS storage/);
      expect(efs.basis).to.match(/^0\.5 GB Standard x \$0\.405 \+ 0\.5 GB IA x \$0\.0216/);
      expect(efs.monthly).to.equal(0.21);
      const standardOnly = estimateCosts({ region: "af-south-1", platform: [], tenants: [tenant] });
      expect(onlyLine(standardOnly, "acme", /EFS storage/).monthly).to.equal(0.41);
    });
  });

  describe("Spot split (base first, then weights in whole tasks)", () => {
    const cases: [number, number, number][] = [
      // desired, on-demand, spot
      [0, 0, 0],
      [1, 1, 0],
      [2, 1, 1],
      [3, 1, 2],
      [4, 2, 2],
      [6, 2, 4],
      [11, 3, 8],
    ];
    for (const [desired, onDemand, spot] of cases) {
      it(`FARGATE base 1 weight 1 + FARGATE_SPOT weight 4 runs ${desired} tasks as ${onDemand} + ${spot}`, () => {
        expect(splitTasks(desired, BASE_1_SPOT_4)).to.deep.equal({ onDemand, spot });
      });
    }

    it("gives a base larger than the desired count everything, and weight 0 nothing above the base", () => {
      const base2Spot: StrategyItem[] = [
        { capacityProvider: "FARGATE", base: 2, weight: 0 },
        { capacityProvider: "FARGATE_SPOT", weight: 1 },
      ];
      expect(splitTasks(1, base2Spot)).to.deep.equal({ onDemand: 1, spot: 0 });
      expect(splitTasks(5, base2Spot)).to.deep.equal({ onDemand: 2, spot: 3 });
      expect(splitTasks(3, [{ capacityProvider: "FARGATE_SPOT", weight: 1 }])).to.deep.equal({
        onDemand: 0,
        spot: 3,
      });
    });

    it("rejects strategies ECS would reject", () => {
      expect(() =>
        splitTasks(2, [
          { capacityProvider: "FARGATE", base: 1, weight: 1 },
          { capacityProvider: "FARGATE_SPOT", base: 1, weight: 1 },
        ]),
      ).to.throw(CostModelError, /only one capacity provider may have a base/);
      expect(() => splitTasks(2, [{ capacityProvider: "my-asg", weight: 1 }])).to.throw(
        CostModelError,
        /"my-asg" is not FARGATE/,
      );
      expect(() => splitTasks(2, [{ capacityProvider: "FARGATE", base: 1, weight: 0 }])).to.throw(
        CostModelError,
        /1 task\(s\) above the base have nowhere to run/,
      );
    });
  });

  describe("scale-to-zero schedules", () => {
    const SLEEP_EVERY_EVENING = "cron(0 19 ? * * *)";
    const WAKE_WEEKDAYS = "cron(0 7 ? * MON-FRI *)";

    it("reads cron day-of-week names, numbers and ranges", () => {
      expect(cronMinutesOfWeek(WAKE_WEEKDAYS)).to.deep.equal([1, 2, 3, 4, 5].map((d) => d * 1440 + 7 * 60));
      expect(cronMinutesOfWeek("cron(30 6 ? * 2-6 *)")).to.deep.equal(
        cronMinutesOfWeek("cron(30 6 ? * MON,TUE,WED-FRI *)"),
      );
      expect(cronMinutesOfWeek("cron(0 0 ? * FRI-MON *)")).to.deep.equal([0, 1, 5, 6].map((d) => d * 1440));
      expect(cronMinutesOfWeek(SLEEP_EVERY_EVENING)).to.have.length(7);
    });

    it("sleeping at 19:00 every day and waking at 07:00 on weekdays leaves 60 of 168 hours awake", () => {
      const periods = weeklyCapacityPeriods({ minCapacity: 1, maxCapacity: 2 }, [
        { name: "sleep", schedule: SLEEP_EVERY_EVENING, minCapacity: 0, maxCapacity: 0 },
        { name: "wake", schedule: WAKE_WEEKDAYS, minCapacity: 1, maxCapacity: 2 },
      ]);
      const awake = periods.filter((p) => p.maxCapacity > 0).reduce((h, p) => h + p.hoursPerWeek, 0);
      const asleep = periods.filter((p) => p.maxCapacity === 0).reduce((h, p) => h + p.hoursPerWeek, 0);
      expect(awake).to.equal(60);
      expect(asleep).to.equal(108);
    });

    it("bills the tenant's tasks for 260.71 awake hours a month instead of 730", () => {
      const tenant = tenantPlan({
        tenantId: "sleepy",
        cpu: 512,
        memory: 1024,
        desiredCount: 2,
        launchType: "FARGATE",
        minTasks: 1,
        maxTasks: 2,
        schedule: { sleep: SLEEP_EVERY_EVENING, wake: WAKE_WEEKDAYS, wakeMin: 1, wakeMax: 2 },
      });
      const report = estimateCosts({
        region: "af-south-1",
        platform: [],
        tenants: [tenant],
        prices: SEED_PRICES,
      });
      const vcpu = onlyLine(report, "sleepy", /^Fargate vCPU, on-demand/);
      expect(vcpu.basis).to.equal("0.5 vCPU x 2 tasks x $0.04856 x 260.71 h");
      expect(vcpu.monthly).to.equal(12.66); // 35.45 x 60/168
      expect(computeOf(report, "sleepy")).to.equal(15.43);
      expect(
        report.assumptions.some((a) => a.includes('tenant "sleepy"') && a.includes("260.71 h of 730 h")),
      ).to.equal(true);
    });

    it("waking every day keeps 12 hours a day; a wake minimum below desired still runs the desired count", () => {
      const tenant = tenantPlan({
        tenantId: "daily",
        cpu: 512,
        memory: 1024,
        desiredCount: 2,
        launchType: "FARGATE",
        schedule: { sleep: SLEEP_EVERY_EVENING, wake: "cron(0 7 ? * * *)", wakeMin: 1, wakeMax: 4 },
      });
      const report = estimateCosts({
        region: "af-south-1",
        platform: [],
        tenants: [tenant],
        prices: SEED_PRICES,
      });
      expect(onlyLine(report, "daily", /^Fargate vCPU/).basis).to.equal(
        "0.5 vCPU x 2 tasks x $0.04856 x 365 h",
      );
    });
  });

  describe("platform", () => {
    it("counts NAT gateways from the VPC's strategy: Single is 1, OnePerAz over 3 AZs is 3", () => {
      const single = estimateCosts({
        region: "af-south-1",
        platform: platformPlan({ natStrategy: "Single", availabilityZones: 3 }),
        tenants: [],
      });
      const perAz = estimateCosts({
        region: "af-south-1",
        platform: platformPlan({ natStrategy: "OnePerAz", availabilityZones: 3 }),
        tenants: [],
      });
      const none = estimateCosts({
        region: "af-south-1",
        platform: platformPlan({ natStrategy: "None" }),
        tenants: [],
      });
      expect(onlyLine(single, "platform", /^NAT gateways/).basis).to.equal("1 NAT x $0.057 x 730 h");
      expect(onlyLine(single, "platform", /^NAT gateways/).monthly).to.equal(41.61);
      expect(onlyLine(perAz, "platform", /^NAT gateways/).basis).to.equal("3 NAT x $0.057 x 730 h");
      expect(onlyLine(perAz, "platform", /^NAT gateways/).monthly).to.equal(124.83);
      expect(linesOf(none, "platform", /^NAT/)).to.be.empty;
      // Each NAT holds an Elastic IP; the internet-facing ALB one address per AZ.
      expect(onlyLine(perAz, "platform", /Public IPv4/).basis).to.match(/^6 IPv4 \(3 NAT \+ 3 ALB\)/);
    });

    it("prices Aurora at the minimum ACU on every serverless instance", () => {
      const acu = AF.auroraServerlessV2AcuHour.value;
      const small = estimateCosts({
        region: "af-south-1",
        platform: platformPlan({ aurora: { minCapacity: 0.5, instances: 1 } }),
        tenants: [],
      });
      const ha = estimateCosts({
        region: "af-south-1",
        platform: platformPlan({ aurora: { minCapacity: 1, instances: 2 } }),
        tenants: [],
      });
      const line1 = onlyLine(small, "platform", /^Aurora Serverless v2/);
      const line2 = onlyLine(ha, "platform", /^Aurora Serverless v2/);
      expect(line1.basis).to.equal(`0.5 ACU (minimum) x 1 instance x $${acu} x 730 h`);
      expect(line1.monthly).to.equal(59.13);
      expect(line2.basis).to.equal(`1 ACU (minimum) x 2 instances x $${acu} x 730 h`);
      expect(line2.monthly).to.be.closeTo(4 * line1.monthly, 0.01);
    });

    it("prices interface endpoints per AZ, counts the managed Aurora master secret and each KMS key", () => {
      const report = estimateCosts({
        region: "af-south-1",
        platform: platformPlan({ interfaceEndpoints: 5, availabilityZones: 3, kmsKeys: 2 }),
        tenants: [],
      });
      const endpoints = onlyLine(report, "platform", /Interface VPC endpoints/);
      expect(endpoints.basis).to.equal(
        `5 endpoints x 3 AZ x $${AF.vpcInterfaceEndpointAzHour.value} x 730 h`,
      );
      expect(endpoints.monthly).to.equal(147.83); // 15 endpoint-AZs x $0.0135 x 730 h = 147.825
      expect(onlyLine(report, "platform", /Secrets Manager/).basis).to.equal("1 (1 Aurora master) x $0.4");
      expect(onlyLine(report, "platform", /Secrets Manager/).monthly).to.equal(0.4);
      expect(onlyLine(report, "platform", /KMS keys/).monthly).to.equal(2);
    });

    it("prices backups only when a backup plan is planned, with the DR copy at the DR region's rate", () => {
      const tenants = ["a", "b", "c", "d"].map((id) =>
        tenantPlan({ tenantId: id, cpu: 256, memory: 512, desiredCount: 1, launchType: "FARGATE" }),
      );
      const without = estimateCosts({ region: "af-south-1", platform: platformPlan(), tenants });
      expect(linesOf(without, "platform", /Backup/)).to.be.empty;
      expect(without.assumptions.join("\n")).to.match(/No AWS Backup plan/);

      const withDr = estimateCosts({
        region: "af-south-1",
        platform: platformPlan({ backupCopyRegion: "eu-west-1" }),
        tenants,
      });
      // 4 tenants x 1 GB EFS + 10 GB Aurora = 14 GB
      expect(onlyLine(withDr, "platform", /^AWS Backup warm storage$/).basis).to.match(
        /^14 GB \(4 tenants x 1 GB EFS \+ 10 GB Aurora\)/,
      );
      const dr = onlyLine(withDr, "platform", /^AWS Backup warm storage in eu-west-1/);
      expect(dr.basis).to.equal(`14 GB x $${pricesFor("eu-west-1").backupWarmGbMonth.value}`);
      expect(onlyLine(withDr, "platform", /^Backup copy to eu-west-1/).monthly).to.equal(0.48); // 14 x $0.034
    });

    describe("dev and prod plans", function () {
      this.timeout(120_000);
      let dev: CostReport;
      let prod: CostReport;
      before(async () => {
        const devRun = await runPlatform({ stack: "dev" });
        const prodRun = await runPlatform({ stack: "prod" });
        const regionOf = (r: typeof devRun) =>
          r.resources.find((x) => x.type === "pulumi:pulumi:Stack")?.region ?? "";
        dev = estimateCosts({ region: regionOf(devRun), platform: devRun.resources, tenants: [] });
        prod = estimateCosts({ region: regionOf(prodRun), platform: prodRun.resources, tenants: [] });
      });

      it("dev egresses through one NAT instance and its disk, prod through one NAT gateway per AZ (3)", () => {
        expect(linesOf(dev, "platform", /^NAT gateways/)).to.be.empty;
        expect(onlyLine(dev, "platform", /^EC2 instances \(t4g\.nano\)$/).basis).to.equal(
          `1 x $${AF.ec2T4gNanoHour.value} x 730 h`,
        );
        expect(onlyLine(dev, "platform", /^EBS volumes/).basis).to.equal(`8 GB x $${AF.ebsGp3GbMonth.value}`);
        expect(onlyLine(dev, "platform", /^Public IPv4/).basis).to.match(/^3 IPv4 \(1 NAT \+ 2 ALB\)/);
        expect(onlyLine(prod, "platform", /^NAT gateways/).basis).to.match(/^3 NAT x /);
        expect(linesOf(prod, "platform", /^EC2 instances/)).to.be.empty;
      });

      it("derives the rest of each floor from the plan: ALB shards, Aurora instances, endpoints", () => {
        expect(onlyLine(dev, "platform", /^Application Load Balancers/).basis).to.match(/^1 ALB x /);
        expect(onlyLine(prod, "platform", /^Application Load Balancers/).basis).to.match(/^2 ALB x /);
        // dev pauses at 0 ACU; with no tenant awake it is paused all month.
        expect(onlyLine(dev, "platform", /^Aurora Serverless v2/).basis).to.match(
          /^0\.5 ACU \(awake\) x 1 instance x \$[\d.]+ x 0 h awake .*paused at 0 ACU the other 730 h/,
        );
        expect(onlyLine(prod, "platform", /^Aurora Serverless v2/).basis).to.match(
          /^1 ACU \(minimum\) x 2 instances x /,
        );
        expect(linesOf(dev, "platform", /Interface VPC endpoints/)).to.be.empty;
        expect(onlyLine(prod, "platform", /Interface VPC endpoints/).basis).to.match(
          /^5 endpoints x 3 AZ x /,
        );
      });

      it("adds up to a platform floor above zero, prod above dev, with no tenants", () => {
        expect(dev.platformMonthly).to.be.greaterThan(0);
        expect(prod.platformMonthly).to.be.greaterThan(dev.platformMonthly);
        expect(dev.platformMonthly).to.equal(total(linesOf(dev, "platform")));
        expect(dev.totalMonthly).to.equal(dev.platformMonthly);
      });
    });
  });

  describe("report", () => {
    it("totals platform and tenants from the rounded lines and lists its assumptions", () => {
      const tenants = [
        tenantPlan({ tenantId: "a", cpu: 512, memory: 1024, desiredCount: 2, strategy: BASE_1_SPOT_4 }),
        tenantPlan({
          tenantId: "b",
          cpu: 256,
          memory: 512,
          architecture: "ARM64",
          desiredCount: 1,
          launchType: "FARGATE",
        }),
      ];
      const report = estimateCosts({
        region: "us-east-1",
        platform: platformPlan({ region: "us-east-1" }),
        tenants,
      });
      expect(report.currency).to.equal("USD");
      expect(report.tenants.a).to.equal(total(linesOf(report, "a")));
      expect(report.tenants.b).to.equal(total(linesOf(report, "b")));
      expect(report.totalMonthly).to.equal(
        Math.round((report.platformMonthly + report.tenants.a + report.tenants.b) * 100) / 100,
      );
      const assumptions = report.assumptions.join("\n");
      expect(assumptions).to.include("730 hours");
      expect(assumptions).to.include("1 LCU");
      expect(assumptions).to.include("20 GB a month");
      expect(assumptions).to.include("1 GB per tenant (2 tenants = 2 GB)");
      expect(assumptions).to.match(/33% of on-demand|0\.33 of on-demand/);
      expect(assumptions).to.include("Not counted: data transfer out");
    });

    it("honours overridden assumptions", () => {
      const tenant = tenantPlan({
        tenantId: "a",
        cpu: 256,
        memory: 512,
        desiredCount: 1,
        launchType: "FARGATE",
      });
      const report = estimateCosts({
        region: "af-south-1",
        platform: platformPlan({ albs: 2 }),
        tenants: [tenant],
        assumptions: { albLcusPerAlb: 3, logsGbPerTenant: 4 },
      });
      expect(onlyLine(report, "platform", /ALB capacity units/).basis).to.equal(
        `2 ALB x 3 LCU (assumed) x $${AF.albLcuHour.value} x 730 h with tenants awake`,
      );
      expect(onlyLine(report, "a", /CloudWatch Logs/).monthly).to.equal(2.7); // 4 GB x $0.675
    });

    it("lists the estimated prices it used", () => {
      const report = estimateCosts({ region: "af-south-1", platform: platformPlan(), tenants: [] });
      const estimated = report.assumptions.find((a) => a.startsWith("Estimated prices"));
      expect(estimated).to.include("auroraServerlessV2AcuHour");
      expect(estimated).not.to.include("natGatewayHour"); // published Cape Town SKU
    });

    it("renders as a plain-text table: platform lines, one line per tenant, the total, then the assumptions", () => {
      const tenants = [
        tenantPlan({ tenantId: "acme", cpu: 512, memory: 1024, desiredCount: 2, strategy: BASE_1_SPOT_4 }),
      ];
      const report = estimateCosts({ region: "af-south-1", platform: platformPlan(), tenants });
      const text = formatCostReport(report, { title: "dev (af-south-1)" });
      const lines = text.split("\n");
      expect(lines[0]).to.equal("dev (af-south-1)");
      const natRow = lines.find((l) => l.startsWith("platform") && l.includes("NAT gateways"));
      expect(natRow).to.include("41.61").and.include("1 NAT x $0.057 x 730 h");
      const tenantRow = lines.find((l) => l.startsWith("acme"));
      expect(tenantRow).to.include(report.tenants.acme.toFixed(2));
      const totalRow = lines.find((l) => l.startsWith("TOTAL"));
      expect(totalRow).to.include(report.totalMonthly.toLocaleString("en-US", { minimumFractionDigits: 2 }));
      expect(lines.indexOf(totalRow ?? "")).to.be.lessThan(lines.indexOf("Assumptions:"));
      expect(text).to.include(`  ${report.assumptions.length}. `);
      const detailed = formatCostReport(report, { detail: true });
      expect(detailed.split("\n").filter((l) => l.startsWith("acme")).length).to.equal(
        linesOf(report, "acme").length + 1,
      );
    });
  });

  describe("bad input", () => {
    const tenant = (schedule: string) =>
      tenantPlan({
        tenantId: "broken",
        cpu: 256,
        memory: 512,
        desiredCount: 1,
        launchType: "FARGATE",
        schedule: { sleep: schedule, wake: "cron(0 7 ? * * *)", wakeMin: 1, wakeMax: 1 },
      });

    it("rejects a region the price table does not know, naming the ones it does", () => {
      expect(() => estimateCosts({ region: "mars-north-1", platform: [], tenants: [] })).to.throw(
        CostModelError,
        /no prices for region "mars-north-1": the price table knows af-south-1, eu-west-1, us-east-1/,
      );
    });

    it("rejects schedules it cannot parse, naming the tenant, the action and the field", () => {
      expect(() =>
        estimateCosts({ region: "af-south-1", platform: [], tenants: [tenant("cron(0/15 19 ? * * *)")] }),
      ).to.throw(
        CostModelError,
        /tenant "broken": scheduled action "broken-scaling-sleep": schedule "cron\(0\/15 19 \? \* \* \*\)": minutes field "0\/15" is not supported/,
      );
      expect(() =>
        estimateCosts({ region: "af-south-1", platform: [], tenants: [tenant("rate(1 hour)")] }),
      ).to.throw(CostModelError, /is not a cron\(\.\.\.\) expression/);
      expect(() =>
        estimateCosts({ region: "af-south-1", platform: [], tenants: [tenant("cron(0 19 1 * ? *)")] }),
      ).to.throw(CostModelError, /day-of-month field "1" is not supported/);
      expect(() =>
        estimateCosts({ region: "af-south-1", platform: [], tenants: [tenant("cron(0 19 ? * FUNDAY *)")] }),
      ).to.throw(CostModelError, /day-of-week field "FUNDAY"/);
      expect(() =>
        estimateCosts({ region: "af-south-1", platform: [], tenants: [tenant("cron(0 19 ? *)")] }),
      ).to.throw(CostModelError, /has 4 fields/);
    });

    it("rejects task definitions without task-level size, duplicate tenants and invalid assumptions", () => {
      const t = tenantPlan({
        tenantId: "nosize",
        cpu: 256,
        memory: 512,
        desiredCount: 1,
        launchType: "FARGATE",
      });
      const withoutCpu = t.resources.map((r) =>
        r.type === "aws:ecs/taskDefinition:TaskDefinition"
          ? { ...r, inputs: { ...r.inputs, cpu: undefined } }
          : r,
      );
      expect(() =>
        estimateCosts({
          region: "af-south-1",
          platform: [],
          tenants: [{ tenantId: "nosize", resources: withoutCpu }],
        }),
      ).to.throw(
        CostModelError,
        /tenant "nosize": task definition nosize-task needs task-level cpu and memory/,
      );
      expect(() => estimateCosts({ region: "af-south-1", platform: [], tenants: [t, t] })).to.throw(
        CostModelError,
        /tenant "nosize" is listed twice/,
      );
      expect(() =>
        estimateCosts({
          region: "af-south-1",
          platform: [],
          tenants: [],
          assumptions: { efsInfrequentAccessFraction: 2 },
        }),
      ).to.throw(CostModelError, /efsInfrequentAccessFraction is a share between 0 and 1, got 2/);
    });
  });
});
