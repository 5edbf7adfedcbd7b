/**
 * `npm run plan -- <env> [--tenants FILE] [--json FILE] [--summary]`: the whole environment,
 * offline. Runs the real programs under the BBWS mocks and prints every stack, the resource
 * counts, the policy verdicts and the monthly cost.
 */
import * as fs from "fs";
import * as path from "path";
import { Command, InvalidArgumentError } from "commander";
import { ConfigError } from "../../config/platformConfig";
import { RegistryError } from "../../tenants/registry/load";
import { AllocationError } from "../../tenants/registry/allocate";
import { PLAN_EXIT } from "../../offline/exitCodes";
import { EnvironmentPlan, planEnvironment } from "../../plan/plan";
import { planToJson, stringifyPlan } from "../../plan/planJson";
import { renderStackTree, renderSummary } from "../../plan/render";
import { StackRunError } from "../../offline/stackRun";
import { formatCostReport } from "../../plan/cost/format";
import { CostModelError } from "../../plan/cost/errors";
import { formatPolicyReport, mandatoryViolations } from "../../plan/policyReport";

interface PlanCliOptions {
  readonly tenants?: string;
  readonly workers?: number;
  readonly json?: string;
  readonly summary?: boolean;
}

/** What `main` calls; tests replace parts of it. */
export interface PlanCliDependencies {
  readonly plan: typeof planEnvironment;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const DEFAULT_DEPENDENCIES: PlanCliDependencies = {
  plan: planEnvironment,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

export async function main(
  argv: readonly string[],
  deps: PlanCliDependencies = DEFAULT_DEPENDENCIES,
): Promise<number> {
  const program = new Command("plan")
    .description(
      "Plan a whole BBWS environment offline: the platform stack and one stack per tenant, with policy verdicts and monthly cost.",
    )
    .argument(
      "<environment>",
      "stack / environment to plan (a Pulumi.<environment>.yaml must exist), e.g. dev or prod",
      environmentName,
    )
    .option("--tenants <file>", "tenants registry to plan instead of tenants/<environment>.yaml")
    .option("--json <file>", "also write the machine-readable plan (format: README, 'The plan JSON')")
    .option("--summary", "print only the resource counts, policy verdicts and cost, not every stack's tree")
    .option(
      "--workers <n>",
      "worker processes for tenant programs (default: one per core for large registries)",
      positiveInteger,
    )
    .addHelpText(
      "after",
      `
Exit codes:
  ${PLAN_EXIT.ok}  planned, no mandatory policy violation
  ${PLAN_EXIT.programFailed}  a stack program failed (the stack, the resource and the error are named)
  ${PLAN_EXIT.usage}  the command line was wrong
  ${PLAN_EXIT.invalidInput}  invalid stack configuration or tenants registry (every problem listed)
  ${PLAN_EXIT.mandatoryViolation}  the plan violates a mandatory policy (listed under "Policy")`,
    )
    .exitOverride()
    .configureOutput({ writeOut: deps.stdout, writeErr: deps.stderr });

  let environment: string;
  let options: PlanCliOptions;
  try {
    program.parse(argv, { from: "user" });
    environment = program.args[0];
    options = program.opts<PlanCliOptions>();
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    return code === 0 ? PLAN_EXIT.ok : PLAN_EXIT.usage;
  }

  const started = Date.now();
  let plan: EnvironmentPlan;
  try {
    plan = await deps.plan({
      environment,
      tenantsFile: options.tenants && path.resolve(options.tenants),
      workers: options.workers,
    });
  } catch (error) {
    return reportFailure(error, deps.stderr);
  }

  const out: string[] = [];
  if (!options.summary) for (const stack of plan.stacks) out.push(renderStackTree(stack), "");
  out.push(renderSummary(plan.stacks), "");
  out.push(formatPolicyReport(plan.policy), "");
  out.push(formatCostReport(plan.cost, { title: `Monthly cost estimate (${plan.settings.region})` }), "");
  if (plan.unallocated.length > 0) {
    out.push(
      `Note: ${plan.unallocated.length} tenant(s) have no listener slot in ${plan.registryFile} yet (${plan.unallocated.join(", ")}); ` +
        "this plan allocated one for them, `npm run tenants -- sync` writes it.",
      "",
    );
  }
  const resources = plan.stacks.reduce((n, s) => n + s.run.resources.length, 0);
  out.push(
    `Planned ${plan.stacks.length} stacks (1 platform, ${plan.stacks.length - 1} tenants), ${resources} resources in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
  );
  deps.stdout(`${out.join("\n")}\n`);

  if (options.json) {
    const { currency, platformMonthly, tenants, totalMonthly } = plan.cost;
    fs.writeFileSync(
      options.json,
      stringifyPlan(
        planToJson(plan, {
          policy: plan.policy,
          cost: { currency, platformMonthly, tenants, totalMonthly },
        }),
      ),
    );
    deps.stderr(`Wrote ${options.json}\n`);
  }
  const blocking = mandatoryViolations(plan.policy).length;
  if (blocking > 0) {
    deps.stderr(`plan: ${blocking} mandatory policy violation(s); see "Policy" above.\n`);
    return PLAN_EXIT.mandatoryViolation;
  }
  return PLAN_EXIT.ok;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("a whole number >= 1");
  return n;
}

function environmentName(value: string): string {
  if (!/^[a-z][a-z0-9-]*$/.test(value))
    throw new InvalidArgumentError("an environment name such as dev or prod");
  return value;
}

/** Prints a failure as the user can act on it (no stack trace) and returns the exit code. */
function reportFailure(error: unknown, stderr: (text: string) => void): number {
  const invalidInput =
    error instanceof ConfigError ||
    error instanceof RegistryError ||
    error instanceof AllocationError ||
    error instanceof CostModelError ||
    (error instanceof Error && /does not exist: no stack configuration/.test(error.message));
  if (invalidInput || error instanceof StackRunError) {
    stderr(`plan: ${error.message}\n`);
    return invalidInput ? PLAN_EXIT.invalidInput : PLAN_EXIT.programFailed;
  }
  stderr(`plan: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
  return PLAN_EXIT.programFailed;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`plan: unexpected error: ${String(error)}\n`);
      process.exit(PLAN_EXIT.programFailed);
    },
  );
}
