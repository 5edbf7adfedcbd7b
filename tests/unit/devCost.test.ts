/**
 * Issue 17, item 4: a dev environment under $70 a month without dropping a guarantee of prod.
 * The NAT instance that replaces dev's NAT gateway, the Aurora cluster that pauses at 0 ACU
 * while every tenant sleeps (and the cost model's awake hours), the default tenant schedule,
 * and the inputs AWS or the model would refuse.
 */
import { expect } from "chai";
import { runPlatform } from "../../offline/platformRun";
import { RecordedResource, StackRun } from "../../offline/stackRun";
import { NAT_INSTANCE_AMI, natInstanceUserData } from "../../components/shared/natInstance";
import { ConfigError, RawPlatformConfig, resolvePlatformSettings } from "../../config/platformConfig";
import { estimateCosts } from "../../plan/cost/estimate";
import { pricesFor } from "../../plan/cost/prices";
import { WeeklyMask, utcOffsetMinutes } from "../../plan/cost/schedule";
import { checkAwsConstraints } from "../../plan/awsChecks";
import { parseRegistry, RegistryError } from "../../tenants/registry/load";
import { resolveTenantSpec } from "../../config/tenantSpec";
import { loadStackSettings } from "../../config/readStackConfig";
import { platformPlan, tenantPlan } from "../helpers/costFixtures";
import { ofType, single } from "../helpers/resources";

const AF = pricesFor("af-south-1");
const SLEEP_18 = "cron(0 18 ? * * *)";
const WAKE_8_WEEKDAYS = "cron(0 8 ? * MON-FRI *)";

const raw = (values: Record<string, unknown>, stackName = "dev"): RawPlatformConfig => ({
  stackName,
  region: "af-south-1",
  values: {
    domain: "wpdev.example.com",
    certificateArn: "arn:aws:acm:af-south-1:111122223333:certificate/abc-123",
    ...values,
  },
});

function refusal(values: Record<string, unknown>, stackName = "dev"): string {
  try {
    resolvePlatformSettings(raw(values, stackName));
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error(`expected ${JSON.stringify(values)} to be refused`);
}

describe("dev cost: NAT instance, pausing Aurora, sleeping tenants", function () {
  this.timeout(60_000);
  let dev: StackRun;
  before(async () => {
    dev = await runPlatform({ stack: "dev" });
  });

  describe("NAT instance (natGateways: instance)", () => {
    const ofDev = (type: string) => ofType(dev, type);

    it("is one t4g instance in the first public subnet, forwarding (source/dest check off), with a public IPv4", () => {
      const instance = single(dev, "aws:ec2/instance:Instance").inputs;
      expect(instance.instanceType).to.equal("t4g.nano");
      expect(instance.sourceDestCheck).to.equal(false);
      expect(instance.associatePublicIpAddress).to.equal(true);
      // A public subnet: not one of the private subnets the database lives in.
      const privateSubnets = single(dev, "aws:rds/subnetGroup:SubnetGroup").inputs.subnetIds as string[];
      expect(privateSubnets).to.have.length(2);
      expect(String(instance.subnetId)).to.match(/^subnet-/);
      expect(privateSubnets).not.to.include(instance.subnetId);
      expect(instance.maintenanceOptions).to.deep.equal({ autoRecovery: "default" });
    });

    it("boots an arm64 AL2023 image with IMDSv2 only, an encrypted gp3 disk and no instance role", () => {
      const template = single(dev, "aws:ec2/launchTemplate:LaunchTemplate").inputs;
      expect(template.imageId).to.equal(NAT_INSTANCE_AMI);
      expect(NAT_INSTANCE_AMI).to.match(/arm64$/); // t4g is Graviton
      expect(template.metadataOptions.httpTokens).to.equal("required");
      expect(template.blockDeviceMappings[0].ebs).to.include({ volumeType: "gp3", encrypted: "true" });
      expect(template.iamInstanceProfile).to.equal(undefined);
      const userData = Buffer.from(template.userData, "base64").toString("utf8");
      expect(userData).to.equal(natInstanceUserData("10.20.0.0/16"));
    });

    it("masquerades only the VPC's traffic and drops other forwarding", () => {
      const script = natInstanceUserData("10.20.0.0/16");
      expect(script).to.include("iptables -P FORWARD DROP");
      expect(script).to.match(/-t nat -A POSTROUTING -s 10\.20\.0\.0\/16 -o "\$uplink" -j MASQUERADE/);
      expect(script).to.include("net.ipv4.ip_forward = 1");
      expect(script).to.include("upgrade_type = security");
    });

    it("takes from the VPC and sends to the internet only HTTPS and SMTP submission", () => {
      const group = single(dev, "aws:ec2/securityGroup:SecurityGroup", /nat-sg/);
      const mine = (r: RecordedResource) => r.inputs.securityGroupId === group.id;
      const ingress = ofDev("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(mine);
      const egress = ofDev("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").filter(mine);
      expect(
        ingress.map((r) => [r.inputs.fromPort, r.inputs.toPort, r.inputs.cidrIpv4]),
      ).to.have.deep.members([
        [443, 443, "10.20.0.0/16"],
        [587, 587, "10.20.0.0/16"],
      ]);
      expect(egress.map((r) => [r.inputs.fromPort, r.inputs.cidrIpv4])).to.have.deep.members([
        [443, "0.0.0.0/0"],
        [587, "0.0.0.0/0"],
      ]);
      for (const rule of [...ingress, ...egress]) expect(rule.inputs.ipProtocol).to.equal("tcp");
      const instance = single(dev, "aws:ec2/instance:Instance").inputs;
      expect(instance.vpcSecurityGroupIds).to.deep.equal([group.id]);
    });

    it("is the default route of every private subnet's route table (one per AZ), through its network interface", () => {
      const routes = ofDev("aws:ec2/route:Route");
      expect(routes).to.have.length(2);
      const tables = routes.map((r) => r.inputs.routeTableId);
      expect(new Set(tables).size).to.equal(2);
      for (const route of routes) {
        expect(route.inputs.destinationCidrBlock).to.equal("0.0.0.0/0");
        expect(String(route.inputs.networkInterfaceId)).to.match(/^eni-|\S/);
        expect(route.inputs.natGatewayId).to.equal(undefined);
      }
    });
  });

  describe("Aurora pauses at 0 ACU", () => {
    it("dev's cluster may pause after 5 idle minutes on Aurora MySQL 3.08", () => {
      const cluster = single(dev, "aws:rds/cluster:Cluster").inputs;
      expect(cluster.serverlessv2ScalingConfiguration).to.deep.equal({
        minCapacity: 0,
        maxCapacity: 4,
        secondsUntilAutoPause: 300,
      });
      expect(cluster.engineVersion).to.match(/mysql_aurora\.3\.(0[89]|[1-9]\d)/);
    });

    it("AWS checks refuse an auto-pause delay outside 300-86,400 s and 0 ACU before Aurora MySQL 3.08", async () => {
      const cluster = (engineVersion: string, scaling: Record<string, number>): RecordedResource => ({
        ...single(dev, "aws:rds/cluster:Cluster"),
        inputs: {
          ...single(dev, "aws:rds/cluster:Cluster").inputs,
          engineVersion,
          serverlessv2ScalingConfiguration: scaling,
        },
      });
      const report = await checkAwsConstraints([
        {
          stack: "dev",
          resources: [
            cluster("8.0.mysql_aurora.3.08.2", {
              minCapacity: 0,
              maxCapacity: 4,
              secondsUntilAutoPause: 299,
            }),
            cluster("8.0.mysql_aurora.3.07.1", {
              minCapacity: 0,
              maxCapacity: 4,
              secondsUntilAutoPause: 300,
            }),
            cluster("8.0.mysql_aurora.3.07.1", { minCapacity: 0.5, maxCapacity: 4 }),
            cluster("8.0.mysql_aurora.3.08.2", {
              minCapacity: 0,
              maxCapacity: 4,
              secondsUntilAutoPause: 86400,
            }),
          ],
        },
      ]);
      expect(report.violations.map((v) => [v.field, String(v.value)])).to.have.deep.members([
        ["serverlessv2ScalingConfiguration.secondsUntilAutoPause", "299"],
        ["serverlessv2ScalingConfiguration.minCapacity", "0"],
      ]);
      const engine = report.violations.find((v) => v.field.endsWith("minCapacity"))!;
      expect(engine.rule).to.match(/3\.08 or later; engineVersion is 8\.0\.mysql_aurora\.3\.07\.1/);
      expect(engine.source).to.match(/Aurora User Guide/);
    });

    it("prod keeps a floor of capacity and never pauses", async () => {
      const prod = await runPlatform({ stack: "prod" });
      const scaling = single(prod, "aws:rds/cluster:Cluster").inputs.serverlessv2ScalingConfiguration;
      expect(scaling.minCapacity).to.be.at.least(1);
      expect(scaling).not.to.have.property("secondsUntilAutoPause");
    });
  });

  describe("awake hours in the cost model", () => {
    const pausing = () => platformPlan({ aurora: { minCapacity: 0, instances: 1 } });
    const tenant = (id: string, schedule?: { sleep: string; wake: string; timezone?: string }) =>
      tenantPlan({
        tenantId: id,
        cpu: 256,
        memory: 512,
        desiredCount: 1,
        launchType: "FARGATE",
        minTasks: 1,
        maxTasks: 2,
        schedule: schedule && { ...schedule, wakeMin: 1, wakeMax: 2 },
      });
    const auroraLine = (report: ReturnType<typeof estimateCosts>) =>
      report.lines.find((l) => l.scope === "platform" && l.item === "Aurora Serverless v2")!;

    it("bills 0.5 ACU only while some tenant runs: 50 h a week of working hours = 217.26 h a month", () => {
      const report = estimateCosts({
        region: "af-south-1",
        platform: pausing(),
        tenants: [tenant("a", { sleep: SLEEP_18, wake: WAKE_8_WEEKDAYS })],
      });
      const line = auroraLine(report);
      expect(line.basis).to.match(/^0\.5 ACU \(awake\) x 1 instance x \$[\d.]+ x 217\.26 h awake/);
      expect(line.monthly).to.equal(Number((0.5 * AF.auroraServerlessV2AcuHour.value * 217.26).toFixed(2)));
      expect(report.assumptions.join("\n")).to.match(/pauses at 0 ACU.*awake 217\.26 h of 730 h/);
      const lcu = report.lines.find((l) => l.item === "ALB capacity units")!;
      expect(lcu.basis).to.match(/x 217\.26 h with tenants awake$/);
    });

    it("adds tenants' hours as they overlap in UTC: the same local hours two zones apart make 60 h a week", () => {
      const report = estimateCosts({
        region: "af-south-1",
        platform: pausing(),
        tenants: [
          tenant("jhb", { sleep: SLEEP_18, wake: WAKE_8_WEEKDAYS, timezone: "Africa/Johannesburg" }),
          tenant("utc", { sleep: SLEEP_18, wake: WAKE_8_WEEKDAYS, timezone: "UTC" }),
        ],
      });
      // 08:00-18:00 in UTC+2 is 06:00-16:00 UTC; with 08:00-18:00 UTC: 06:00-18:00, 12 h x 5 days.
      expect(auroraLine(report).basis).to.include("x 260.71 h awake");
    });

    it("an always-on tenant keeps the database awake all month; no tenant leaves it paused", () => {
      const always = estimateCosts({
        region: "af-south-1",
        platform: pausing(),
        tenants: [tenant("a", { sleep: SLEEP_18, wake: WAKE_8_WEEKDAYS }), tenant("b")],
      });
      expect(auroraLine(always).basis).to.include("x 730 h awake");
      const none = estimateCosts({ region: "af-south-1", platform: pausing(), tenants: [] });
      expect(auroraLine(none).monthly).to.equal(0);
      expect(auroraLine(none).basis).to.include("paused at 0 ACU the other 730 h");
    });

    it("a cluster with a floor above 0 is billed at its minimum around the clock, whatever the tenants do", () => {
      const report = estimateCosts({
        region: "af-south-1",
        platform: platformPlan({ aurora: { minCapacity: 0.5, instances: 1 } }),
        tenants: [tenant("a", { sleep: SLEEP_18, wake: WAKE_8_WEEKDAYS })],
      });
      expect(auroraLine(report).basis).to.match(/^0\.5 ACU \(minimum\) x 1 instance x \$[\d.]+ x 730 h$/);
    });

    it("reads zone offsets from IANA data and wraps periods past Saturday midnight", () => {
      expect(utcOffsetMinutes("Africa/Johannesburg")).to.equal(120);
      expect(utcOffsetMinutes("America/New_York")).to.equal(-300); // January: no daylight saving
      expect(utcOffsetMinutes("Asia/Kolkata")).to.equal(330);
      expect(utcOffsetMinutes(undefined)).to.equal(0);
      expect(() => utcOffsetMinutes("Mars/Olympus")).to.throw(/not an IANA time zone/);
      const mask = new WeeklyMask();
      mask.mark({ startMinute: 6 * 1440 + 23 * 60, hoursPerWeek: 2 }); // Saturday 23:00, 2 h
      mask.mark({ startMinute: 0, hoursPerWeek: 0.5 }); // Sunday 00:00-00:30, inside the first
      expect(mask.hoursPerWeek).to.equal(2);
      const shifted = new WeeklyMask();
      shifted.mark({ startMinute: 60, hoursPerWeek: 1 }, 120); // 01:00 at UTC+2 is Saturday 23:00 UTC
      shifted.mark({ startMinute: 6 * 1440 + 23 * 60, hoursPerWeek: 1 });
      expect(shifted.hoursPerWeek).to.equal(1);
    });

    it("the committed dev plan's platform floor is at most $70 a month", async () => {
      // The floor the issue measures: the platform lines with dev's own tenants' schedules.
      const { planEnvironment } = await import("../../plan/plan");
      const plan = await planEnvironment({ environment: "dev" });
      expect(plan.cost.platformMonthly).to.be.at.most(70);
      const nat = plan.cost.lines.find((l) => l.item === "EC2 instances (t4g.nano)");
      expect(nat, "the NAT instance is priced").to.not.equal(undefined);
    });
  });

  describe("default tenant schedule", () => {
    it("dev tenants without a schedule sleep on the environment's default; `schedule: none` stays on", () => {
      const settings = loadStackSettings("dev");
      const registry = parseRegistry(
        [
          "tenants:",
          "  - id: sleepy",
          "    hosts: [sleepy.wpdev.example.com]",
          "    listener: {shard: 0, priority: 1}",
          "  - id: awake",
          "    hosts: [awake.wpdev.example.com]",
          "    schedule: none",
          "    listener: {shard: 0, priority: 2}",
        ].join("\n"),
        "tenants/dev.yaml",
        "dev",
      );
      const [sleepy, awake] = registry.tenants.map((e) => resolveTenantSpec(e, settings));
      expect(sleepy.schedule).to.deep.equal(settings.tenant.schedule);
      expect(awake.schedule).to.equal(undefined);
    });

    it("a schedule that is neither an object nor none is refused with file, entry and field", () => {
      expect(() =>
        parseRegistry(
          ["tenants:", "  - id: bad", "    hosts: [bad.wpdev.example.com]", "    schedule: never"].join("\n"),
          "tenants/dev.yaml",
          "dev",
        ),
      )
        .to.throw(RegistryError)
        .with.property("message")
        .that.matches(
          /tenants\/dev\.yaml:4: tenants\[0\] \(id "bad"\): schedule: a schedule \{sleepAt.*or "none".*\(got "never"\)/,
        );
    });

    it("refuses bad default-schedule settings, naming the key", () => {
      expect(refusal({ tenantSleepAt: "25:00" })).to.match(
        /bbws:tenantSleepAt: got "25:00"; allowed: a time of day as HH:MM/,
      );
      expect(refusal({ tenantSleepAt: "none", tenantWakeAt: "08:00" })).to.match(
        /bbws:tenantWakeAt.*has no effect with tenantSleepAt: none/,
      );
      // prod has no default schedule to complete, and may not sleep at all.
      expect(refusal({ tenantWakeAt: "08:00" }, "prod")).to.match(/bbws:tenantSleepAt.*required/);
      expect(refusal({ tenantSleepAt: "18:00", tenantWakeAt: "08:00" }, "prod")).to.match(
        /bbws:tenantSleepAt.*a production site stays up/,
      );
      expect(refusal({ tenantSleepAt: "08:00", tenantWakeAt: "08:00" })).to.match(
        /must differ from tenantWakeAt/,
      );
      expect(refusal({ tenantScheduleTimezone: "Africa/Johanesburg" })).to.match(
        /bbws:tenantScheduleTimezone.*did you mean "Africa\/Johannesburg"/,
      );
      expect(refusal({ dbAutoPauseSeconds: "120" })).to.match(/bbws:dbAutoPauseSeconds.*300 to 86400/);
      expect(refusal({ natInstanceType: "m5.large" })).to.match(/bbws:natInstanceType.*t4g\.nano/);
      expect(refusal({ natGateways: "nat" })).to.match(/bbws:natGateways.*single, onePerAz, instance/);
      const always = resolvePlatformSettings(raw({ tenantSleepAt: "none" }));
      expect(always.tenant.schedule).to.equal(undefined);
    });
  });
});
