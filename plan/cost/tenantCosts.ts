/**
 * A tenant's monthly cost: what one more site adds, read from its tenant stack's planned
 * resources (the children of its TenantWordPress component), with the platform plan for what
 * the tenant inherits (the cluster's default strategy, the EFS lifecycle).
 */
import { StrategyItem, splitTasks } from "./capacity";
import { CostModelError } from "./errors";
import {
  COST_TYPES,
  Context,
  CostLine,
  CostResource,
  TenantPlan,
  asArray,
  line,
  num,
  num2,
  numberOr,
  ofType,
  optionalNumber,
  plural,
  price,
  unwrapSecret,
  usd,
} from "./model";
import { PriceKey } from "./prices";
import {
  CapacityBounds,
  HOURS_PER_WEEK,
  ScheduledLimits,
  utcOffsetMinutes,
  weeklyCapacityPeriods,
} from "./schedule";

/** The install task runs again at every install task definition change: about one rollout a month. */
const INSTALL_HOURS_PER_MONTH = 10 / 60;

/** Task size and architecture of a task definition. */
interface TaskSize {
  readonly vcpu: number;
  readonly gb: number;
  readonly arm: boolean;
}

/** Prices one tenant's lines. */
export function priceTheTenant(ctx: Context, tenant: TenantPlan): CostLine[] {
  const where = `tenant "${tenant.tenantId}"`;
  const res = tenant.resources;
  const lines: CostLine[] = [];
  const add = (item: string, monthly: number, basis: string) =>
    lines.push(line(tenant.tenantId, item, monthly, basis));

  const services = ofType(res, COST_TYPES.service);
  const taskDefinitions = ofType(res, COST_TYPES.taskDefinition);
  const targets = ofType(res, COST_TYPES.scalableTarget);
  const actions = ofType(res, COST_TYPES.scheduledAction);
  let publicTaskHours = 0;
  const formula: string[] = [];

  for (const service of services) {
    const serviceName = String(service.inputs.name ?? service.name);
    const here = services.length === 1 ? where : `${where} service ${serviceName}`;
    const prefix = services.length === 1 ? "" : `${serviceName}: `;
    const size = taskSize(taskDefinitionOf(service, taskDefinitions, here), here);
    const strategy = strategyOf(ctx, service, here);
    const desired = (service.inputs.desiredCount as unknown) ?? 0;
    if (typeof desired !== "number" || !Number.isInteger(desired) || desired < 0) {
      throw new CostModelError(
        `${here}: desiredCount must be a whole number >= 0, got ${JSON.stringify(desired)}`,
      );
    }

    // Scaling resources address the service as service/<cluster>/<name>; a single service owns them all.
    const mine = (r: CostResource) =>
      services.length === 1 || String(r.inputs.resourceId ?? "").endsWith(`/${serviceName}`);
    const target = targets.find(mine);
    const initial: CapacityBounds = {
      minCapacity: numberOr(target?.inputs.minCapacity, 0),
      maxCapacity: numberOr(target?.inputs.maxCapacity, Number.POSITIVE_INFINITY),
    };
    const scheduled = actions.filter(mine).map((a): ScheduledLimits => ({
      name: a.name,
      schedule: String(a.inputs.schedule ?? ""),
      minCapacity: optionalNumber(a.inputs.scalableTargetAction?.minCapacity),
      maxCapacity: optionalNumber(a.inputs.scalableTargetAction?.maxCapacity),
    }));
    let periods;
    try {
      periods = weeklyCapacityPeriods(initial, scheduled);
    } catch (error) {
      if (error instanceof CostModelError) throw new CostModelError(`${here}: ${error.message}`);
      throw error;
    }

    const zone = actions.filter(mine).find((a) => typeof a.inputs.timezone === "string")?.inputs.timezone;
    const utcOffset = utcOffsetMinutes(zone as string | undefined);
    const onDemand = new Usage();
    const spot = new Usage();
    let awakeHours = 0;
    for (const period of periods) {
      const hours = (period.hoursPerWeek * ctx.hours) / HOURS_PER_WEEK;
      const running = Math.min(Math.max(desired, period.minCapacity), period.maxCapacity);
      const split = splitTasks(running, strategy, here);
      onDemand.add(split.onDemand, hours);
      spot.add(split.spot, hours);
      if (running > 0) {
        awakeHours += hours;
        ctx.tenantsAwake.mark(period, utcOffset);
      }
    }
    if (scheduled.length > 0) {
      ctx.notes.push(
        `${here}: scheduled actions (${scheduled.map((s) => s.schedule).join(", ")}) leave tasks running ` +
          `${num2(awakeHours)} h of ${ctx.hours} h a month.`,
      );
    }

    const arch = size.arm ? "ARM64" : "x86";
    const vcpuKey: PriceKey = size.arm ? "fargateArm64VcpuHour" : "fargateX86VcpuHour";
    const gbKey: PriceKey = size.arm ? "fargateArm64GbHour" : "fargateX86GbHour";
    const vcpuPrice = price(ctx, vcpuKey);
    const gbPrice = price(ctx, gbKey);
    if (onDemand.taskHours > 0) {
      add(
        `${prefix}Fargate vCPU, on-demand (${arch})`,
        size.vcpu * onDemand.taskHours * vcpuPrice,
        `${num(size.vcpu)} vCPU x ${onDemand.describe(usd(vcpuPrice))}`,
      );
      add(
        `${prefix}Fargate memory, on-demand (${arch})`,
        size.gb * onDemand.taskHours * gbPrice,
        `${num(size.gb)} GB x ${onDemand.describe(usd(gbPrice))}`,
      );
    }
    if (spot.taskHours > 0) {
      const discount = price(ctx, "fargateSpotDiscountFraction");
      const factor = `${usd(vcpuPrice)} x (1 - ${num(discount)} Spot discount)`;
      add(
        `${prefix}Fargate vCPU, Spot (${arch})`,
        size.vcpu * spot.taskHours * vcpuPrice * (1 - discount),
        `${num(size.vcpu)} vCPU x ${spot.describe(factor)}`,
      );
      add(
        `${prefix}Fargate memory, Spot (${arch})`,
        size.gb * spot.taskHours * gbPrice * (1 - discount),
        `${num(size.gb)} GB x ${spot.describe(`${usd(gbPrice)} x (1 - ${num(discount)} Spot discount)`)}`,
      );
    }
    formula.push(
      `${prefix}${taskFormula(size, onDemand, spot, price(ctx, "fargateSpotDiscountFraction"))}` +
        (scheduled.length > 0 ? ` (scheduled: ${num2(awakeHours)} of ${ctx.hours} h awake)` : ""),
    );
    if (service.inputs.networkConfiguration?.assignPublicIp === true) {
      publicTaskHours += onDemand.taskHours + spot.taskHours;
    }
  }

  if (publicTaskHours > 0) {
    const p = price(ctx, "publicIpv4Hour");
    add("Public IPv4 (assignPublicIp)", publicTaskHours * p, `${num2(publicTaskHours)} task-h x ${usd(p)}`);
  }

  // Runtime (issue 14): the one-off install task and the cron timer.
  const install = taskDefinitions.find((td) => String(td.inputs.family ?? "").endsWith("-install"));
  if (install) {
    const size = taskSize(install, `${where} install task`);
    const hourly = size.arm
      ? size.vcpu * price(ctx, "fargateArm64VcpuHour") + size.gb * price(ctx, "fargateArm64GbHour")
      : size.vcpu * price(ctx, "fargateX86VcpuHour") + size.gb * price(ctx, "fargateX86GbHour");
    add(
      "Install task (one-off)",
      hourly * INSTALL_HOURS_PER_MONTH,
      `1 run of ~10 min a month (a rollout) x ${size.vcpu} vCPU/${size.gb} GB on Fargate`,
    );
    add(
      "Cron timer",
      0,
      "a sidecar of the service's tasks: no task-hours of its own (README: The runtime image)",
    );
  }

  const secrets = ofType(res, COST_TYPES.secret).length;
  if (secrets > 0) {
    const p = price(ctx, "secretsManagerSecretMonth");
    add("Secrets Manager", secrets * p, `${secrets} secret${plural(secrets)} x ${usd(p)}`);
  }

  if (secrets > 0) formula.push(`${secrets} secret${plural(secrets)}`);

  // Parameter Store: standard parameters cost nothing; advanced ones are billed per month.
  const parameters = ofType(res, COST_TYPES.ssmParameter);
  const advanced = parameters.filter((p) => p.inputs.tier === "Advanced").length;
  const standard = parameters.length - advanced;
  if (parameters.length > 0) {
    const p = advanced > 0 ? price(ctx, "ssmAdvancedParameterMonth") : 0;
    add(
      "SSM Parameter Store",
      advanced * p,
      [
        standard > 0 ? `${standard} standard parameter${plural(standard)} (no charge)` : "",
        advanced > 0 ? `${advanced} advanced x ${usd(p)}` : "",
      ]
        .filter(Boolean)
        .join(" + "),
    );
    if (standard > 0) formula.push(`${standard} SSM parameter${plural(standard)} (free)`);
    if (advanced > 0) formula.push(`${advanced} advanced SSM parameter${plural(advanced)}`);
  }

  if (ofType(res, COST_TYPES.accessPoint).length > 0 && ctx.assume.efsGbPerTenant > 0) {
    formula.push(`${num(ctx.assume.efsGbPerTenant)} GB EFS`);
    const gb = ctx.assume.efsGbPerTenant;
    const standard = price(ctx, "efsStandardGbMonth");
    if (efsMovesToInfrequentAccess(ctx.platform)) {
      const iaGb = gb * ctx.assume.efsInfrequentAccessFraction;
      const ia = price(ctx, "efsInfrequentAccessGbMonth");
      add(
        "EFS storage",
        (gb - iaGb) * standard + iaGb * ia,
        `${num(gb - iaGb)} GB Standard x ${usd(standard)} + ${num(iaGb)} GB IA x ${usd(ia)} (assumed)`,
      );
    } else {
      add("EFS storage", gb * standard, `${num(gb)} GB (assumed) x ${usd(standard)}`);
    }
  }

  if (taskDefinitions.some(logsToCloudWatch) && ctx.assume.logsGbPerTenant > 0) {
    const gb = ctx.assume.logsGbPerTenant;
    const p = price(ctx, "logsIngestionGb");
    add("CloudWatch Logs ingestion", gb * p, `${num(gb)} GB (assumed) x ${usd(p)}`);
    formula.push(`${num(gb)} GB logs`);
  }
  ctx.tenantFormulas.set(tenant.tenantId, formula.join("; "));
  return lines;
}

/**
 * One service's task arithmetic: "2 tasks x 0.25 vCPU/0.5 GB ARM64 x 730 h: 1 FARGATE + 1 Spot
 * (-67%)", or task-hours per provider when the count changes over the week.
 */
function taskFormula(size: TaskSize, onDemand: Usage, spot: Usage, discount: number): string {
  const shape = `${num(size.vcpu)} vCPU/${num(size.gb)} GB ${size.arm ? "ARM64" : "x86"}`;
  const providers = [
    { label: "FARGATE", usage: onDemand },
    { label: `Spot (-${num(discount * 100)}%)`, usage: spot },
  ].filter((p) => p.usage.taskHours > 0);
  if (providers.length === 0) return `0 tasks (${shape})`;
  // One task count on every provider, all for the same hours: "2 tasks x <shape> x 730 h: 1 FARGATE + 1 Spot".
  const steady = providers.map((p) => ({ label: p.label, run: p.usage.steady() }));
  const hours = steady[0].run?.hours;
  if (steady.every((p) => p.run && p.run.hours === hours)) {
    const tasks = steady.reduce((n, p) => n + p.run!.tasks, 0);
    const split = steady.map((p) => `${p.run!.tasks} ${p.label}`).join(" + ");
    return `${tasks} task${plural(tasks)} x ${shape} x ${num2(hours!)} h: ${split}`;
  }
  return `${shape} x ${providers.map((p) => `${num2(p.usage.taskHours)} ${p.label} task-h`).join(" + ")}`;
}

/** Task-hours on one capacity provider, with how they arose (for the basis). */
class Usage {
  taskHours = 0;
  /** Hours by task count, for counts > 0. */
  private readonly byCount = new Map<number, number>();

  add(tasks: number, hours: number): void {
    if (tasks === 0 || hours === 0) return;
    this.taskHours += tasks * hours;
    this.byCount.set(tasks, (this.byCount.get(tasks) ?? 0) + hours);
  }

  /** The one task count that ran and for how long, when there was one. */
  steady(): { tasks: number; hours: number } | undefined {
    if (this.byCount.size !== 1) return undefined;
    const [[tasks, hours]] = [...this.byCount];
    return { tasks, hours };
  }

  /** "2 tasks x $p x 730 h" when one task count ran, else "521.43 task-h x $p". */
  describe(priceFactor: string): string {
    if (this.byCount.size === 1) {
      const [[tasks, hours]] = [...this.byCount];
      return `${tasks} task${plural(tasks)} x ${priceFactor} x ${num2(hours)} h`;
    }
    return `${num2(this.taskHours)} task-h x ${priceFactor}`;
  }
}

function taskDefinitionOf(service: CostResource, all: readonly CostResource[], where: string): CostResource {
  const ref = String(service.inputs.taskDefinition ?? "");
  const match = all.find((td) => {
    const family = String(td.inputs.family ?? "");
    return (
      ref !== "" &&
      (ref === td.id ||
        ref === family ||
        ref.startsWith(`${family}:`) ||
        ref.endsWith(`task-definition/${family}`) ||
        ref.includes(`task-definition/${family}:`))
    );
  });
  if (match) return match;
  if (all.length === 1) return all[0];
  throw new CostModelError(
    `${where}: the service's task definition ${JSON.stringify(ref)} is not among the tenant's ` +
      `${all.length} task definition(s)`,
  );
}

function taskSize(td: CostResource, where: string): TaskSize {
  const cpu = Number(td.inputs.cpu);
  const memory = Number(td.inputs.memory);
  if (!(cpu > 0) || !(memory > 0)) {
    throw new CostModelError(
      `${where}: task definition ${td.name} needs task-level cpu and memory (Fargate requires both), ` +
        `got cpu ${JSON.stringify(td.inputs.cpu)} and memory ${JSON.stringify(td.inputs.memory)}`,
    );
  }
  const platform = td.inputs.runtimePlatform ?? {};
  const os: unknown = platform.operatingSystemFamily;
  if (os !== undefined && os !== "LINUX") {
    throw new CostModelError(
      `${where}: task definition ${td.name} runs ${JSON.stringify(os)}; only LINUX is priced`,
    );
  }
  const arch: unknown = platform.cpuArchitecture ?? "X86_64";
  if (arch !== "ARM64" && arch !== "X86_64") {
    throw new CostModelError(
      `${where}: task definition ${td.name} cpuArchitecture ${JSON.stringify(arch)} is not ARM64 or X86_64`,
    );
  }
  return { vcpu: cpu / 1024, gb: memory / 1024, arm: arch === "ARM64" };
}

/**
 * The service's own strategy; else its launch type (FARGATE = all on-demand); else the
 * cluster's default strategy from the platform plan, which ECS applies to such services.
 */
function strategyOf(ctx: Context, service: CostResource, where: string): readonly StrategyItem[] {
  const own = asArray(service.inputs.capacityProviderStrategies) as StrategyItem[];
  if (own.length > 0) return own;
  const launchType: unknown = service.inputs.launchType;
  if (launchType === "FARGATE") return [{ capacityProvider: "FARGATE", weight: 1 }];
  if (launchType !== undefined) {
    throw new CostModelError(`${where}: launchType ${JSON.stringify(launchType)} is not FARGATE; not priced`);
  }
  const defaults = ofType(ctx.platform, COST_TYPES.clusterCapacityProviders)
    .map((c) => asArray(c.inputs.defaultCapacityProviderStrategies) as StrategyItem[])
    .find((s) => s.length > 0);
  if (!defaults) {
    throw new CostModelError(
      `${where}: the service has no capacityProviderStrategies or launchType, and the platform plan has ` +
        "no cluster default strategy: cannot tell where its tasks run",
    );
  }
  return defaults;
}

/** True when the platform's file system moves cold files to Infrequent Access. */
export function efsMovesToInfrequentAccess(platform: readonly CostResource[]): boolean {
  return ofType(platform, COST_TYPES.fileSystem).some((fs) =>
    asArray(fs.inputs.lifecyclePolicies).some((p) => (p as { transitionToIa?: unknown }).transitionToIa),
  );
}

function logsToCloudWatch(td: CostResource): boolean {
  const definitions = unwrapSecret(td.inputs.containerDefinitions);
  const text = typeof definitions === "string" ? definitions : JSON.stringify(definitions ?? "");
  return text.includes("awslogs");
}
