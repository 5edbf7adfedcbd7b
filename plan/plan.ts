/**
 * The offline engine's main job: plan a whole environment. Runs the platform program and one
 * tenant program per registry entry, exactly as `pulumi up` and the tenant lifecycle would,
 * under the BBWS mocks.
 */
import { PlatformSettings } from "../config/platformConfig";
import { FlatConfig, loadStackSettings } from "../config/readStackConfig";
import { allocateListenerSlots, allocationOptions } from "../tenants/registry/allocate";
import { assertEdgeRules } from "../tenants/registry/edgeRules";
import { loadRegistry, registryPath } from "../tenants/registry/load";
import { tenantStackName } from "../config/naming";
import { runPlatform } from "../offline/platformRun";
import { StackRun } from "../offline/stackRun";
import { runTenant } from "../offline/tenantRun";
import { defaultWorkerCount, startTenantWorkers } from "../offline/tenantWorkers";
import { CostReport, estimateCosts } from "./cost/estimate";
import { PolicyReport, evaluatePolicies } from "../offline/policyEvaluator";
import { ConstraintReport, checkAwsConstraints } from "./awsChecks";
import { QuotaReport } from "../config/quotas";
import { planQuotaUsage } from "./quotas";
import { requireKnown } from "../tenants/lifecycle/fleetState";

/** One planned stack. */
export interface PlannedStack {
  readonly name: string;
  readonly kind: "platform" | "tenant";
  /** Tenant id, for tenant stacks. */
  readonly tenant?: string;
  readonly run: StackRun;
}

/** A planned environment. */
export interface EnvironmentPlan {
  readonly environment: string;
  readonly settings: PlatformSettings;
  readonly registryFile: string;
  readonly stacks: readonly PlannedStack[];
  /** Tenants in the registry (the plan may hold fewer: `only`). */
  readonly registryTenants: number;
  /** Tenants whose listener slot was allocated for this plan only (not yet in the registry). */
  readonly unallocated: readonly string[];
  /** Every rule of the policy pack over every planned resource. */
  readonly policy: PolicyReport;
  /** Monthly cost estimate derived from the planned resources. */
  readonly cost: CostReport;
  /** Every planned resource against AWS's published constraints (plan/awsChecks). */
  readonly constraints: ConstraintReport;
  /** What the plan uses of each account and service quota. */
  readonly quotas: QuotaReport;
}

export interface PlanOptions {
  readonly environment: string;
  /** Registry file. @default tenants/<env>.yaml */
  readonly tenantsFile?: string;
  /** Platform configuration keys to replace (fully qualified), e.g. for benchmarks. */
  readonly configOverrides?: FlatConfig;
  /**
   * Worker processes for tenant programs. @default - one per core once there are enough
   * tenants to pay for starting them (see tenantWorkers.ts); 1 runs everything in-process.
   */
  readonly workers?: number;
  /**
   * Only these registry tenants, against the planned platform (`plan --tenant`): listener slots
   * are still allocated over the whole registry, so each gets the slot a full plan gives it.
   * @default every tenant
   */
  readonly only?: readonly string[];
  /** Called after each stack, for progress output. */
  readonly onStack?: (stack: PlannedStack, done: number, total: number) => void;
}

/** Plans the platform and every tenant of an environment. Throws on invalid input or a failing program. */
export async function planEnvironment(options: PlanOptions): Promise<EnvironmentPlan> {
  const { environment } = options;
  const settings = loadStackSettings(environment, undefined, options.configOverrides);
  const registryFile = options.tenantsFile ?? registryPath(environment);
  const registry = loadRegistry(environment, registryFile);
  assertEdgeRules(registry, settings);
  const allocation = allocateListenerSlots(registry.tenants, allocationOptions(settings, registry));
  const only = options.only;
  if (only)
    requireKnown(
      only,
      allocation.entries.map((e) => e.id),
      `the ${environment} registry (${registry.file})`,
    );
  const entries = only ? allocation.entries.filter((e) => only.includes(e.id)) : allocation.entries;
  const allocated = only ? allocation.allocated.filter((id) => only.includes(id)) : allocation.allocated;

  const total = entries.length + 1;
  const stacks: PlannedStack[] = [];
  const workers = Math.min(
    options.workers ?? defaultWorkerCount(entries.length),
    Math.max(1, entries.length),
  );
  // Started now, the workers load their modules while this process runs the platform.
  const pool = workers > 1 ? startTenantWorkers(workers) : undefined;
  let platformRun: StackRun;
  try {
    platformRun = await runPlatform({ stack: environment, overrides: options.configOverrides });
    stacks.push({ name: environment, kind: "platform", run: platformRun });
    options.onStack?.(stacks[0], 1, total);

    const tenantStack = (index: number, run: StackRun): PlannedStack => ({
      name: tenantStackName(environment, entries[index].id),
      kind: "tenant",
      tenant: entries[index].id,
      run,
    });
    let done = 1;
    if (pool) {
      const runs = await pool.run(
        {
          environment,
          configOverrides: options.configOverrides,
          entries,
          platformOutputs: platformRun.outputs,
        },
        (index, run) => options.onStack?.(tenantStack(index, run), ++done, total),
      );
      runs.forEach((run, index) => stacks.push(tenantStack(index, run)));
    } else {
      for (const [index, entry] of entries.entries()) {
        const stack = tenantStack(
          index,
          await runTenant({ settings, entry, platformOutputs: platformRun.outputs }),
        );
        stacks.push(stack);
        options.onStack?.(stack, ++done, total);
      }
    }
  } finally {
    // Whatever failed, no worker is left waiting (its IPC channel would keep this process alive).
    pool?.close();
  }

  const cost = estimateCosts({
    region: settings.region,
    platform: platformRun.resources,
    tenants: stacks
      .filter((s) => s.kind === "tenant")
      .map((s) => ({ tenantId: s.tenant!, resources: s.run.resources })),
  });
  const byStack = stacks.map((s) => ({ stack: s.name, resources: s.run.resources }));
  const [policy, constraints] = await Promise.all([evaluatePolicies(byStack), checkAwsConstraints(byStack)]);
  const quotas = planQuotaUsage(byStack, settings);
  return {
    environment,
    settings,
    registryFile: registry.file,
    registryTenants: registry.tenants.length,
    stacks,
    unallocated: allocated,
    policy,
    cost,
    constraints,
    quotas,
  };
}
