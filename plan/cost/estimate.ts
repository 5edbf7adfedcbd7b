/**
 * Monthly cost of an environment, derived from its PLANNED RESOURCES (what the offline engine
 * recorded for the platform stack and each tenant stack), never from presets: if a preset
 * changes, or a stack overrides it, the estimate follows the resources that would be created.
 *
 * Platform (fixed, whatever the number of tenants): NAT gateways, ALBs, public IPv4 addresses,
 * interface endpoints, Aurora's ACU floor and storage, platform logs, secrets, KMS keys and,
 * when a backup plan is planned, backup storage and the copy to the DR region.
 * Tenant (what one more site adds): Fargate tasks (size, count, Spot share, schedule), its
 * secrets and SSM parameters (standard ones free), its share of EFS and its logs.
 *
 * Pure: reads plain resource records, needs no Pulumi runtime.
 */
import { resolveAssumptions } from "./assumptions";
import { CostModelError } from "./errors";
import { Context, CostInput, CostReport, cents, num, num2, plural, sum, tenantsAwakeHours } from "./model";
import { pausesAtZero, priceThePlatform } from "./platformCosts";
import { AURORA_RESUMED_CAPACITY } from "../../config/quotas";
import { PRICES, pricesFor } from "./prices";
import { HOURS_PER_WEEK, WeeklyMask } from "./schedule";
import { efsMovesToInfrequentAccess, priceTheTenant } from "./tenantCosts";

export type { CostAssumptions } from "./assumptions";
export type { CostInput, CostLine, CostReport, CostResource, TenantPlan } from "./model";

/** Estimates the monthly cost of one environment from its planned resources. */
export function estimateCosts(input: CostInput): CostReport {
  const table = input.prices ?? PRICES;
  const prices = pricesFor(input.region, table);
  const assume = resolveAssumptions(input.assumptions);
  const ids = new Set<string>();
  for (const tenant of input.tenants) {
    if (ids.has(tenant.tenantId)) throw new CostModelError(`tenant "${tenant.tenantId}" is listed twice`);
    ids.add(tenant.tenantId);
  }
  const ctx: Context = {
    region: input.region,
    table,
    prices,
    assume,
    hours: assume.hoursPerMonth,
    platform: input.platform,
    used: new Map(),
    notes: [],
    tenantsAwake: new WeeklyMask(),
    tenantFormulas: new Map(),
  };

  // Tenants first: when they run decides when a pausable database is awake.
  const tenantLines = input.tenants.map((tenant) => ({ tenant, lines: priceTheTenant(ctx, tenant) }));
  const platformLines = priceThePlatform(ctx, input.tenants.length);

  const platformMonthly = sum(platformLines);
  const tenants: Record<string, number> = {};
  for (const { tenant, lines } of tenantLines) tenants[tenant.tenantId] = sum(lines);
  const totalMonthly = cents(platformMonthly + Object.values(tenants).reduce((a, b) => a + b, 0));
  return {
    currency: "USD",
    platformMonthly,
    tenants,
    totalMonthly,
    lines: [...platformLines, ...tenantLines.flatMap((t) => t.lines)],
    tenantFormulas: Object.fromEntries(ctx.tenantFormulas),
    assumptions: describeAssumptions(ctx, input.tenants.length),
  };
}

/** How the Aurora line was reached: around the clock at its minimum, or awake only with the tenants. */
function auroraAssumption(ctx: Context): string {
  const stores = `it stores ${num(ctx.assume.auroraStorageGb)} GB.`;
  if (!pausesAtZero(ctx.platform)) {
    return `Aurora Serverless v2 runs at its minimum ACUs on every instance around the clock; ${stores}`;
  }
  const awake = tenantsAwakeHours(ctx);
  return (
    `Aurora Serverless v2 pauses at 0 ACU: it is awake, at ${num(AURORA_RESUMED_CAPACITY)} ACU, whenever a tenant has a ` +
    `task running (its visitors and its cron keep it awake) and paused otherwise: awake ${num2(awake)} h of ` +
    `${ctx.hours} h a month under the tenants' schedules (an always-on tenant keeps it awake all month); ${stores}`
  );
}

function describeAssumptions(ctx: Context, tenantCount: number): string[] {
  const a = ctx.assume;
  const efsTotal = a.efsGbPerTenant * tenantCount;
  const out = [
    `A month is ${a.hoursPerMonth} hours; always-on resources bill every hour of it.`,
    `Prices are ${ctx.region} list prices in USD, on-demand, without free tier, Savings Plans or taxes (sources and dates: offline/cost/prices.ts).`,
    `Fargate Spot costs ${num(1 - ctx.prices.fargateSpotDiscountFraction.value)} of on-demand (a ${num(ctx.prices.fargateSpotDiscountFraction.value * 100)}% discount); Spot prices float.`,
    "Tasks split between FARGATE and FARGATE_SPOT as ECS places them: the base first, the rest by weight in whole tasks (leftover tasks to the largest weighted share).",
    "Each service runs its planned desiredCount, held within the autoscaling min/max in force; scaling out under load is not modelled.",
    `Schedules repeat weekly (${HOURS_PER_WEEK} h, scaled to ${a.hoursPerMonth} h a month); time zones and daylight-saving shifts are ignored.`,
    `Each ALB uses ${num(a.albLcusPerAlb)} LCU whenever a tenant has a task running, and none while every tenant sleeps (${num2(tenantsAwakeHours(ctx))} h of ${ctx.hours} h a month are awake).`,
    `NAT gateways process ${num(a.natGbProcessedPerMonth)} GB a month in total.`,
    `EFS holds ${num(a.efsGbPerTenant)} GB per tenant (${tenantCount} tenant${plural(tenantCount)} = ${num(efsTotal)} GB)` +
      (efsMovesToInfrequentAccess(ctx.platform)
        ? `, ${num(a.efsInfrequentAccessFraction * 100)}% of it in Infrequent Access (the file system's lifecycle moves files there).`
        : ", all in Standard."),
    auroraAssumption(ctx),
    `CloudWatch Logs ingest ${num(a.logsGbPerTenant)} GB a month per tenant and ${num(a.platformLogsGb)} GB for the platform (flow logs, database logs).`,
    "Secrets Manager counts every planned secret plus the Aurora master secret when RDS manages it; SSM Parameter Store standard parameters cost nothing (advanced ones are priced per month); KMS counts $1 per key (rotated key material adds up to $2 per key later).",
    "Not counted: data transfer out to the internet and across AZs, EFS elastic throughput (reads $0.03/GB, writes $0.06/GB in us-east-1), Aurora I/O, ALB/endpoint data processing, Container Insights, ECR and S3 storage, Route 53 and Cloud Map, SNS, alarms, API requests, ephemeral storage above 20 GB.",
  ];
  const estimated = [...ctx.used.values()]
    .filter(({ region, key }) => pricesFor(region, ctx.table)[key].estimated)
    .map(({ region, key }) => (region === ctx.region ? key : `${key} (${region})`));
  if (estimated.length > 0) {
    out.push(
      `Estimated prices (no published regional price; derivation in prices.ts): ${estimated.join(", ")}.`,
    );
  }
  return [...out, ...ctx.notes];
}
