/**
 * Issue 17, item 5: per-site cost. Each tenant's line shows its arithmetic like the platform's
 * lines (tasks x size x hours, the FARGATE/Spot split, the schedule), and the prod registry's
 * smallest HA site (2 x 0.25 vCPU / 0.5 GB ARM, one task on FARGATE) costs at most $15 a month.
 * An advanced SSM parameter would be priced (standard ones are free).
 */
import { expect } from "chai";
import { estimateCosts } from "../../plan/cost/estimate";
import { formatCostReport } from "../../plan/cost/format";
import { pricesFor } from "../../plan/cost/prices";
import { planEnvironment } from "../../plan/plan";
import { platformPlan, tenantPlan } from "../helpers/costFixtures";

const AF = pricesFor("af-south-1");
const HA = [
  { capacityProvider: "FARGATE", base: 1, weight: 1 },
  { capacityProvider: "FARGATE_SPOT", base: 0, weight: 4 },
];

describe("tenant cost formulas", () => {
  const report = () =>
    estimateCosts({
      region: "af-south-1",
      platform: platformPlan(),
      tenants: [
        tenantPlan({
          tenantId: "ha",
          cpu: 256,
          memory: 512,
          architecture: "ARM64",
          desiredCount: 2,
          strategy: HA,
          minTasks: 2,
          maxTasks: 4,
        }),
        tenantPlan({
          tenantId: "sleepy",
          architecture: "ARM64",
          cpu: 512,
          memory: 1024,
          desiredCount: 1,
          launchType: "FARGATE",
          minTasks: 1,
          maxTasks: 2,
          schedule: { sleep: "cron(0 18 ? * * *)", wake: "cron(0 8 ? * MON-FRI *)", wakeMin: 1, wakeMax: 2 },
        }),
        tenantPlan({
          tenantId: "x86",
          cpu: 1024,
          memory: 2048,
          desiredCount: 3,
          architecture: "X86_64",
          strategy: HA,
        }),
      ],
    });

  it("says tasks x size x hours and the FARGATE/Spot split, then secrets, EFS and logs", () => {
    const formulas = report().tenantFormulas;
    expect(formulas.ha).to.equal(
      `2 tasks x 0.25 vCPU/0.5 GB ARM64 x 730 h: 1 FARGATE + 1 Spot (-${AF.fargateSpotDiscountFraction.value * 100}%); 2 secrets; 1 GB EFS; 1 GB logs`,
    );
    expect(formulas.x86).to.match(/^3 tasks x 1 vCPU\/2 GB x86 x 730 h: 1 FARGATE \+ 2 Spot \(-67%\);/);
  });

  it("prices SSM parameters: standard ones at nothing, advanced ones per parameter-month", () => {
    const withParameters = (parameterTiers: string[]) =>
      estimateCosts({
        region: "af-south-1",
        platform: platformPlan(),
        tenants: [
          tenantPlan({
            tenantId: "p",
            architecture: "ARM64",
            cpu: 256,
            memory: 512,
            desiredCount: 1,
            launchType: "FARGATE",
            parameterTiers,
          }),
        ],
      });
    const line = (r: ReturnType<typeof report>) => r.lines.find((l) => l.item === "SSM Parameter Store")!;
    expect(line(withParameters(["Standard", "Standard"]))).to.deep.include({
      monthly: 0,
      basis: "2 standard parameters (no charge)",
    });
    const mixed = withParameters(["Standard", "Advanced"]);
    expect(line(mixed)).to.deep.include({
      monthly: AF.ssmAdvancedParameterMonth.value,
      basis: `1 standard parameter (no charge) + 1 advanced x $${AF.ssmAdvancedParameterMonth.value}`,
    });
    expect(mixed.tenantFormulas.p).to.include("1 SSM parameter (free); 1 advanced SSM parameter");
    expect(withParameters([]).lines.map((l) => l.item)).to.not.include("SSM Parameter Store");
  });

  it("shows a schedule's awake hours", () => {
    expect(report().tenantFormulas.sleepy).to.match(
      /^1 task x 0\.5 vCPU\/1 GB ARM64 x 217\.26 h: 1 FARGATE \(scheduled: 217\.26 of 730 h awake\);/,
    );
  });

  it("is the basis of each tenant's row in the plan's table, and its total matches the lines", () => {
    const r = report();
    const text = formatCostReport(r);
    const row = text.split("\n").find((l) => l.startsWith("ha "))!;
    expect(row).to.include(r.tenantFormulas.ha);
    expect(row).to.include(r.tenants.ha.toFixed(2));
    const fargate = r.lines.filter((l) => l.scope === "ha" && l.item.startsWith("Fargate"));
    const compute = fargate.reduce((n, l) => n + l.monthly, 0);
    const perTask = 0.25 * AF.fargateArm64VcpuHour.value + 0.5 * AF.fargateArm64GbHour.value;
    const expected = perTask * 730 * (1 + (1 - AF.fargateSpotDiscountFraction.value));
    expect(compute).to.be.closeTo(expected, 0.02);
  });

  it("the prod registry's smallest HA site costs at most $15 a month: 2 small ARM tasks, one on FARGATE, 2 AZs", async function () {
    this.timeout(60_000);
    const plan = await planEnvironment({ environment: "prod" });
    const hooli = plan.stacks.find((s) => s.tenant === "hooli")!;
    const service = hooli.run.resources.find((r) => r.type === "aws:ecs/service:Service")!.inputs;
    const task = hooli.run.resources.find((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition")!.inputs;
    expect([task.cpu, task.memory, task.runtimePlatform.cpuArchitecture]).to.deep.equal([
      "256",
      "512",
      "ARM64",
    ]);
    expect(service.desiredCount).to.equal(2);
    expect(service.capacityProviderStrategies).to.deep.include({
      capacityProvider: "FARGATE",
      base: 1,
      weight: 1,
    });
    expect(service.networkConfiguration.subnets).to.have.length.of.at.least(2);
    expect(plan.cost.tenantFormulas.hooli).to.match(
      /^2 tasks x 0\.25 vCPU\/0\.5 GB ARM64 x 730 h: 1 FARGATE \+ 1 Spot/,
    );
    // The target is $15. The administrator's password is a standard SSM parameter (free),
    // not a third secret-month: database credentials and WordPress keys are the two secrets.
    const secrets = plan.cost.lines.find((l) => l.scope === "hooli" && l.item === "Secrets Manager")!;
    expect(secrets.basis).to.match(/^2 secrets x /);
    expect(secrets.monthly).to.be.closeTo(2 * AF.secretsManagerSecretMonth.value, 0.005);
    const parameters = plan.cost.lines.find((l) => l.scope === "hooli" && l.item === "SSM Parameter Store")!;
    expect([parameters.monthly, parameters.basis]).to.deep.equal([0, "1 standard parameter (no charge)"]);
    expect(plan.cost.tenantFormulas.hooli).to.include("; 2 secrets; 1 SSM parameter (free);");
    expect(plan.cost.tenants.hooli).to.be.at.most(15);
  });
});
