/**
 * The cost model's data shapes and the small helpers every part of it shares: the report, the
 * resource types it reads, the pricing context and number formatting for `basis` strings.
 */
import { HOURS_PER_WEEK, WeeklyMask } from "./schedule";
import type { RecordedResource } from "../../offline/stackRun";
import { CostAssumptions } from "./assumptions";
import { PriceKey, PriceTable, RegionPrices, pricesFor } from "./prices";

/** The parts of a recorded resource the cost model reads. */
export type CostResource = Pick<RecordedResource, "type" | "name" | "inputs" | "region" | "id">;

/** The planned resources of one tenant stack. */
export interface TenantPlan {
  readonly tenantId: string;
  readonly resources: readonly CostResource[];
}

export interface CostInput {
  /** Region of the environment: selects the price table. */
  readonly region: string;
  /** Resources of the platform stack. */
  readonly platform: readonly CostResource[];
  /** Resources of each tenant stack. */
  readonly tenants: readonly TenantPlan[];
  /** @default PRICES */
  readonly prices?: PriceTable;
  /** Overrides of DEFAULT_ASSUMPTIONS. */
  readonly assumptions?: Partial<CostAssumptions>;
}

/** One priced item. */
export interface CostLine {
  /** "platform", or the tenant id. */
  readonly scope: string;
  readonly item: string;
  /** USD per month, rounded to cents. */
  readonly monthly: number;
  /** The arithmetic, e.g. "0.5 vCPU x 2 tasks x $0.04856 x 730 h". */
  readonly basis: string;
}

export interface CostReport {
  readonly currency: "USD";
  /** Sum of the platform lines. */
  readonly platformMonthly: number;
  /** Sum of each tenant's lines, by tenant id. */
  readonly tenants: Record<string, number>;
  readonly totalMonthly: number;
  readonly lines: CostLine[];
  /**
   * Each tenant's arithmetic in one line, by tenant id ("2 tasks x 0.25 vCPU/0.5 GB ARM64 x 730 h:
   * 1 FARGATE + 1 Spot (-67%); 2 secrets; 1 SSM parameter (free); 1 GB EFS; 1 GB logs"), shown
   * next to its total.
   */
  readonly tenantFormulas: Record<string, string>;
  /** Every assumption, in plain words. */
  readonly assumptions: string[];
}

/** Resource types the model reads. */
export const COST_TYPES = {
  vpc: "awsx:ec2:Vpc",
  natGateway: "aws:ec2/natGateway:NatGateway",
  loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
  vpcEndpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
  auroraCluster: "aws:rds/cluster:Cluster",
  auroraInstance: "aws:rds/clusterInstance:ClusterInstance",
  fileSystem: "aws:efs/fileSystem:FileSystem",
  instance: "aws:ec2/instance:Instance",
  launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
  accessPoint: "aws:efs/accessPoint:AccessPoint",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  flowLog: "aws:ec2/flowLog:FlowLog",
  secret: "aws:secretsmanager/secret:Secret",
  ssmParameter: "aws:ssm/parameter:Parameter",
  kmsKey: "aws:kms/key:Key",
  backupPlan: "aws:backup/plan:Plan",
  backupVault: "aws:backup/vault:Vault",
  clusterCapacityProviders: "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
  taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
  service: "aws:ecs/service:Service",
  scalableTarget: "aws:appautoscaling/target:Target",
  scheduledAction: "aws:appautoscaling/scheduledAction:ScheduledAction",
  webAcl: "aws:wafv2/webAcl:WebAcl",
} as const;

/** State shared by the pricing of one report. */
export interface Context {
  readonly region: string;
  readonly table: PriceTable;
  readonly prices: RegionPrices;
  readonly assume: CostAssumptions;
  readonly hours: number;
  readonly platform: readonly CostResource[];
  /** Prices read, to list the estimated ones among the assumptions. */
  readonly used: Map<string, { region: string; key: PriceKey }>;
  /** Assumptions that arise from the resources (schedules, things not priced). */
  readonly notes: string[];
  /** Each tenant's arithmetic in one line (filled by the tenants' pricing). */
  readonly tenantFormulas: Map<string, string>;
  /** When any tenant task runs: a database at 0 ACU is awake then (filled by the tenants' pricing). */
  readonly tenantsAwake: WeeklyMask;
}

/** Hours a month some tenant has a task running (what keeps a pausable database and the ALBs busy). */
export function tenantsAwakeHours(ctx: Context): number {
  return (ctx.tenantsAwake.hoursPerWeek * ctx.hours) / HOURS_PER_WEEK;
}

export function price(ctx: Context, key: PriceKey, region = ctx.region): number {
  ctx.used.set(`${region}/${key}`, { region, key });
  return pricesFor(region, ctx.table)[key].value;
}

export function line(scope: string, item: string, monthly: number, basis: string): CostLine {
  return { scope, item, monthly: cents(monthly), basis };
}

export function sum(lines: readonly CostLine[]): number {
  return cents(lines.reduce((total, l) => total + l.monthly, 0));
}

/** Rounds to cents (half away from zero on the decimal value, not its binary approximation). */
export function cents(value: number): number {
  return Math.round(Number((value * 100).toPrecision(12))) / 100;
}

export function ofType(resources: readonly CostResource[], type: string): CostResource[] {
  return resources.filter((r) => r.type === type);
}

export function asArray(value: unknown): unknown[] {
  const plain = unwrapSecret(value);
  return Array.isArray(plain) ? plain : [];
}

export function listLength(value: unknown): number | undefined {
  const plain = unwrapSecret(value);
  return Array.isArray(plain) && plain.length > 0 ? plain.length : undefined;
}

/** Pulumi's secret marker (`runtime.specialSigKey` / `specialSecretSig`), read without the SDK. */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export function unwrapSecret(value: unknown): unknown {
  if (
    value &&
    typeof value === "object" &&
    (value as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG
  ) {
    return unwrapSecret((value as { value?: unknown }).value);
  }
  return value;
}

export function numberOr(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

export function optionalNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** A number without float noise: 0.5, 0.04856, 1.35. */
export function num(value: number): string {
  return String(Number(value.toFixed(6)));
}

/** Hours and task-hours: at most 2 decimals. */
export function num2(value: number): string {
  return String(Number(value.toFixed(2)));
}

export function usd(value: number): string {
  return `$${num(value)}`;
}

export function plural(n: number): string {
  return n === 1 ? "" : "s";
}
