/**
 * The platform's monthly cost: what an environment costs before and regardless of its tenants,
 * read from the platform stack's planned resources.
 */
import { AURORA_RESUMED_CAPACITY } from "../../config/quotas";
import { CostModelError } from "./errors";
import { INSTANCE_PRICE_KEYS } from "./prices";
import {
  COST_TYPES,
  Context,
  CostLine,
  CostResource,
  asArray,
  line,
  listLength,
  num,
  num2,
  ofType,
  plural,
  price,
  tenantsAwakeHours,
  usd,
} from "./model";

/** awsx.ec2.Vpc defaults when the inputs leave them out. */
const AWSX_DEFAULT_AZS = 3;
const AWSX_DEFAULT_NAT_STRATEGY = "OnePerAz";

/** Prices the platform lines; `tenantCount` sizes what scales with tenants (backups of their EFS data). */
export function priceThePlatform(ctx: Context, tenantCount: number): CostLine[] {
  const lines: CostLine[] = [];
  const add = (item: string, monthly: number, basis: string) =>
    lines.push(line("platform", item, monthly, basis));
  const { hours } = ctx;
  const res = ctx.platform;
  const azs = availabilityZones(res);

  // NAT gateways: awsx creates them from its strategy (one Elastic IP each); raw ones count too.
  const awsxNat = ofType(res, COST_TYPES.vpc).reduce((n, vpc) => n + natGatewaysOf(vpc), 0);
  const rawNat = ofType(res, COST_TYPES.natGateway);
  const natCount = awsxNat + rawNat.length;
  const publicNat = awsxNat + rawNat.filter((n) => n.inputs.connectivityType !== "private").length;
  if (natCount > 0) {
    const p = price(ctx, "natGatewayHour");
    add("NAT gateways", natCount * p * hours, `${natCount} NAT x ${usd(p)} x ${hours} h`);
    const gb = ctx.assume.natGbProcessedPerMonth;
    const perGb = price(ctx, "natGatewayGbProcessed");
    add("NAT data processed", gb * perGb, `${num(gb)} GB (assumed) x ${usd(perGb)}`);
  }

  const loadBalancers = ofType(res, COST_TYPES.loadBalancer);
  const albs = loadBalancers.filter((lb) => (lb.inputs.loadBalancerType ?? "application") === "application");
  for (const other of loadBalancers.filter((lb) => !albs.includes(lb))) {
    ctx.notes.push(`Load balancer ${other.name} (${String(other.inputs.loadBalancerType)}) is not priced.`);
  }
  if (albs.length > 0) {
    const p = price(ctx, "albHour");
    add("Application Load Balancers", albs.length * p * hours, `${albs.length} ALB x ${usd(p)} x ${hours} h`);
    // Load needs sites that answer: while every tenant sleeps the ALBs only turn requests away.
    const lcus = ctx.assume.albLcusPerAlb;
    const lcu = price(ctx, "albLcuHour");
    const busy = tenantsAwakeHours(ctx);
    add(
      "ALB capacity units",
      albs.length * lcus * lcu * busy,
      `${albs.length} ALB x ${num(lcus)} LCU (assumed) x ${usd(lcu)} x ${num2(busy)} h with tenants awake`,
    );
  }

  // An internet-facing ALB holds a public IPv4 address in each of its subnets (AZs).
  const albAddresses = albs
    .filter((lb) => lb.inputs.internal !== true)
    .reduce(
      (n, lb) => n + (listLength(lb.inputs.subnets) ?? listLength(lb.inputs.subnetMappings) ?? azs ?? 0),
      0,
    );
  const ec2Instances = ofType(res, COST_TYPES.instance);
  const instanceAddresses = ec2Instances.filter((i) => i.inputs.associatePublicIpAddress === true).length;
  const natAddresses = publicNat + instanceAddresses;
  const addresses = natAddresses + albAddresses;
  if (addresses > 0) {
    const p = price(ctx, "publicIpv4Hour");
    add(
      "Public IPv4 addresses",
      addresses * p * hours,
      `${addresses} IPv4 (${natAddresses} NAT + ${albAddresses} ALB) x ${usd(p)} x ${hours} h`,
    );
  }
  lines.push(...priceInstances(ctx, ec2Instances));

  const endpoints = ofType(res, COST_TYPES.vpcEndpoint).filter(
    (e) => e.inputs.vpcEndpointType === "Interface",
  );
  if (endpoints.length > 0) {
    const zonesOf = (e: CostResource) => {
      const zones = listLength(e.inputs.subnetIds) ?? azs;
      if (zones === undefined) {
        throw new CostModelError(
          `interface endpoint ${e.name} has no subnetIds and no awsx VPC says how many AZs there are`,
        );
      }
      return zones;
    };
    const endpointAzs = endpoints.map(zonesOf);
    const total = endpointAzs.reduce((a, b) => a + b, 0);
    const p = price(ctx, "vpcInterfaceEndpointAzHour");
    const sameZones = endpointAzs.every((z) => z === endpointAzs[0]);
    add(
      "Interface VPC endpoints",
      total * p * hours,
      sameZones
        ? `${endpoints.length} endpoints x ${endpointAzs[0]} AZ x ${usd(p)} x ${hours} h`
        : `${total} endpoint-AZs x ${usd(p)} x ${hours} h`,
    );
  }

  const clusters = ofType(res, COST_TYPES.auroraCluster);
  const instances = ofType(res, COST_TYPES.auroraInstance);
  for (const cluster of clusters) {
    const mine = instances.filter((i) => clusters.length === 1 || belongsToCluster(i, cluster));
    const serverless = mine.filter((i) => i.inputs.instanceClass === "db.serverless");
    for (const other of mine.filter((i) => !serverless.includes(i))) {
      ctx.notes.push(
        `Aurora instance ${other.name} (${String(other.inputs.instanceClass)}) is a provisioned class: not priced.`,
      );
    }
    const label = clusters.length === 1 ? "Aurora Serverless v2" : `Aurora Serverless v2 (${cluster.name})`;
    if (serverless.length > 0) {
      const min = cluster.inputs.serverlessv2ScalingConfiguration?.minCapacity as unknown;
      if (typeof min !== "number" || !(min >= 0)) {
        throw new CostModelError(
          `Aurora cluster ${cluster.name} has db.serverless instances but serverlessv2ScalingConfiguration.minCapacity ` +
            `is ${JSON.stringify(min)}; it must be a number of ACUs (0 to 256)`,
        );
      }
      const p = price(ctx, "auroraServerlessV2AcuHour");
      const n = serverless.length;
      if (min === 0) {
        // Paused hours cost nothing but storage; awake, it runs at least its smallest step.
        const awake = tenantsAwakeHours(ctx);
        add(
          label,
          AURORA_RESUMED_CAPACITY * n * p * awake,
          `${num(AURORA_RESUMED_CAPACITY)} ACU (awake) x ${n} instance${plural(n)} x ${usd(p)} x ${num2(awake)} h awake ` +
            `(tenants' schedules; paused at 0 ACU the other ${num2(hours - awake)} h)`,
        );
      } else {
        add(
          label,
          min * n * p * hours,
          `${num(min)} ACU (minimum) x ${n} instance${plural(n)} x ${usd(p)} x ${hours} h`,
        );
      }
    }
    const gb = ctx.assume.auroraStorageGb;
    const storage = price(ctx, "auroraStorageGbMonth");
    add(
      clusters.length === 1 ? "Aurora storage" : `Aurora storage (${cluster.name})`,
      gb * storage,
      `${num(gb)} GB (assumed) x ${usd(storage)}`,
    );
  }

  const logsDeclared =
    ofType(res, COST_TYPES.logGroup).length > 0 ||
    ofType(res, COST_TYPES.flowLog).length > 0 ||
    clusters.some((c) => listLength(c.inputs.enabledCloudwatchLogsExports));
  if (logsDeclared && ctx.assume.platformLogsGb > 0) {
    const gb = ctx.assume.platformLogsGb;
    const p = price(ctx, "logsIngestionGb");
    add("CloudWatch Logs ingestion", gb * p, `${num(gb)} GB (assumed) x ${usd(p)}`);
  }

  const secrets = ofType(res, COST_TYPES.secret).length;
  const managed = clusters.filter((c) => c.inputs.manageMasterUserPassword === true).length;
  if (secrets + managed > 0) {
    const p = price(ctx, "secretsManagerSecretMonth");
    const parts = [
      secrets > 0 ? `${secrets} secret${plural(secrets)}` : "",
      managed > 0 ? `${managed} Aurora master` : "",
    ];
    add(
      "Secrets Manager",
      (secrets + managed) * p,
      `${secrets + managed} (${parts.filter(Boolean).join(" + ")}) x ${usd(p)}`,
    );
  }

  const keys = ofType(res, COST_TYPES.kmsKey).length;
  if (keys > 0) {
    const p = price(ctx, "kmsKeyMonth");
    add("KMS keys", keys * p, `${keys} key${plural(keys)} x ${usd(p)}`);
  }

  lines.push(...priceWebFirewall(ctx));
  lines.push(...priceBackups(ctx, tenantCount, clusters.length));
  return lines;
}

/**
 * EC2 instances (the NAT instance): instance hours by type and their gp3 root volumes, read
 * from the launch templates they start from (one volume per instance per template).
 */
function priceInstances(ctx: Context, instances: readonly CostResource[]): CostLine[] {
  if (instances.length === 0) return [];
  const lines: CostLine[] = [];
  const byType = new Map<string, number>();
  for (const instance of instances) {
    const type = String(instance.inputs.instanceType ?? "");
    const key = INSTANCE_PRICE_KEYS[type];
    if (!key) {
      throw new CostModelError(
        `EC2 instance ${instance.name}: instanceType ${JSON.stringify(type)} has no price; ` +
          `priced types: ${Object.keys(INSTANCE_PRICE_KEYS).join(", ")} (plan/cost/prices.ts)`,
      );
    }
    byType.set(type, (byType.get(type) ?? 0) + 1);
  }
  for (const [type, count] of byType) {
    const p = price(ctx, INSTANCE_PRICE_KEYS[type]);
    lines.push(
      line(
        "platform",
        `EC2 instances (${type})`,
        count * p * ctx.hours,
        `${count} x ${usd(p)} x ${ctx.hours} h`,
      ),
    );
  }
  const gb = ofType(ctx.platform, COST_TYPES.launchTemplate).reduce(
    (n, t) =>
      n +
      asArray(t.inputs.blockDeviceMappings).reduce<number>(
        (m, d) => m + Number((d as { ebs?: { volumeSize?: unknown } })?.ebs?.volumeSize ?? 0),
        0,
      ),
    0,
  );
  if (gb > 0) {
    const p = price(ctx, "ebsGp3GbMonth");
    lines.push(line("platform", "EBS volumes (gp3)", gb * p, `${num(gb)} GB x ${usd(p)}`));
  }
  return lines;
}

/** True when the plan's Aurora cluster may pause (Serverless v2 at minimum 0 ACU). */
export function pausesAtZero(res: readonly CostResource[]): boolean {
  return ofType(res, COST_TYPES.auroraCluster).some(
    (c) => c.inputs.serverlessv2ScalingConfiguration?.minCapacity === 0,
  );
}

/** AWS WAF: each web ACL, each of its rules (a managed rule group is one), and the requests it inspects. */
function priceWebFirewall(ctx: Context): CostLine[] {
  const acls = ofType(ctx.platform, COST_TYPES.webAcl);
  if (acls.length === 0) return [];
  const rules = acls.reduce((n, acl) => n + (listLength(acl.inputs.rules) ?? 0), 0);
  const aclMonth = price(ctx, "wafWebAclMonth");
  const ruleMonth = price(ctx, "wafRuleMonth");
  const perMillion = price(ctx, "wafMillionRequests");
  const millions = ctx.assume.wafMillionRequestsPerAcl * acls.length;
  ctx.notes.push(
    `Each web ACL inspects ${num(ctx.assume.wafMillionRequestsPerAcl)} million requests a month (AWS WAF bills per million).`,
  );
  return [
    line(
      "platform",
      "AWS WAF web ACLs and rules",
      acls.length * aclMonth + rules * ruleMonth,
      `${acls.length} web ACL${plural(acls.length)} x ${usd(aclMonth)} + ${rules} rules x ${usd(ruleMonth)}`,
    ),
    line(
      "platform",
      "AWS WAF requests",
      millions * perMillion,
      `${num(millions)} million requests (assumed) x ${usd(perMillion)}`,
    ),
  ];
}

/** Number of AZs of the (first) awsx VPC, when the plan has one. */
function availabilityZones(res: readonly CostResource[]): number | undefined {
  const vpc = ofType(res, COST_TYPES.vpc)[0];
  return vpc ? vpcAzCount(vpc) : undefined;
}

function vpcAzCount(vpc: CostResource): number {
  const names = listLength(vpc.inputs.availabilityZoneNames);
  if (names !== undefined) return names;
  const count = vpc.inputs.numberOfAvailabilityZones ?? AWSX_DEFAULT_AZS;
  if (!Number.isInteger(count) || count < 1) {
    throw new CostModelError(
      `VPC ${vpc.name}: numberOfAvailabilityZones must be a whole number >= 1, got ${count}`,
    );
  }
  return count as number;
}

/** NAT gateways awsx creates for a VPC from `natGateways.strategy`. */
export function natGatewaysOf(vpc: CostResource): number {
  const strategy: unknown = vpc.inputs.natGateways?.strategy ?? AWSX_DEFAULT_NAT_STRATEGY;
  switch (strategy) {
    case "None":
      return 0;
    case "Single":
      return 1;
    case "OnePerAz":
      return vpcAzCount(vpc);
    default:
      throw new CostModelError(
        `VPC ${vpc.name}: natGateways.strategy ${JSON.stringify(strategy)} is not None, Single or OnePerAz`,
      );
  }
}

function belongsToCluster(instance: CostResource, cluster: CostResource): boolean {
  const id = instance.inputs.clusterIdentifier as unknown;
  return id === cluster.id || id === cluster.inputs.clusterIdentifier;
}

/**
 * AWS Backup protects whole file systems and clusters: the EFS data of every tenant and the
 * Aurora storage, kept warm, and copied to the DR region when a rule has a copy action.
 */
function priceBackups(ctx: Context, tenantCount: number, clusterCount: number): CostLine[] {
  const plans = ofType(ctx.platform, COST_TYPES.backupPlan);
  if (plans.length === 0) {
    ctx.notes.push("No AWS Backup plan is among the planned resources: backup storage is not counted.");
    return [];
  }
  ctx.notes.push(
    "AWS Backup keeps about one full copy of the EFS data and the Aurora storage warm; a plan that copies " +
      "to another region sends that much there each month and keeps it warm there too.",
  );
  const lines: CostLine[] = [];
  const hasEfs = ofType(ctx.platform, COST_TYPES.fileSystem).length > 0;
  const efsGb = hasEfs ? ctx.assume.efsGbPerTenant * tenantCount : 0;
  const dbGb = ctx.assume.auroraStorageGb * clusterCount;
  const gb = efsGb + dbGb;
  const what = `${num(gb)} GB (${tenantCount} tenant${plural(tenantCount)} x ${num(ctx.assume.efsGbPerTenant)} GB EFS + ${num(dbGb)} GB Aurora)`;
  const warm = price(ctx, "backupWarmGbMonth");
  lines.push(line("platform", "AWS Backup warm storage", gb * warm, `${what} x ${usd(warm)}`));

  const copies = plans.flatMap((plan) =>
    asArray(plan.inputs.rules).flatMap((rule) => asArray((rule as { copyActions?: unknown }).copyActions)),
  ) as { destinationVaultArn?: unknown }[];
  if (copies.length > 0) {
    const drRegion = destinationRegion(ctx, copies);
    const transfer = price(ctx, "backupCrossRegionTransferGb");
    lines.push(
      line(
        "platform",
        `Backup copy to ${drRegion}`,
        gb * transfer,
        `${num(gb)} GB a month x ${usd(transfer)}`,
      ),
    );
    let drWarm: number;
    if (Object.prototype.hasOwnProperty.call(ctx.table, drRegion)) {
      drWarm = price(ctx, "backupWarmGbMonth", drRegion);
    } else {
      drWarm = warm;
      ctx.notes.push(
        `No price table for the DR region ${drRegion}: its backup storage is priced at ${ctx.region} rates.`,
      );
    }
    lines.push(
      line(
        "platform",
        `AWS Backup warm storage in ${drRegion}`,
        gb * drWarm,
        `${num(gb)} GB x ${usd(drWarm)}`,
      ),
    );
  }
  return lines;
}

/** Region of the copy destination: from its vault ARN, else from a vault planned in another region. */
function destinationRegion(ctx: Context, copies: readonly { destinationVaultArn?: unknown }[]): string {
  for (const copy of copies) {
    const arn = copy.destinationVaultArn;
    if (typeof arn === "string") {
      const region = arn.split(":")[3];
      if (region) return region;
    }
  }
  const foreign = ofType(ctx.platform, COST_TYPES.backupVault).find(
    (v) => v.region && v.region !== ctx.region,
  );
  return foreign?.region ?? ctx.region;
}
