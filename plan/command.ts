/**
 * The `plan` command: plans a whole environment offline and reports every stack, the resource
 * counts, the policy verdicts and the monthly cost; `--json` gives the plan JSON document
 * (format: README, "The plan JSON"). A mandatory policy violation fails the command (kind
 * "policyViolation") after the report is printed.
 */
import * as path from "path";
import { BbwsError } from "../lib/errors";
import { exitCodeOf } from "../lib/exitCodes";
import { formatCostReport } from "./cost/format";
import { EnvironmentPlan, planEnvironment } from "./plan";
import { planJsonChunks, planToJson } from "./planJson";
import { formatPolicyReport, mandatoryViolations } from "./policyReport";
import { renderStackTree, renderSummary } from "./render";
import { ConstraintReport } from "./awsChecks";
import { describeExceeded } from "../config/quotas";
import { formatQuotaReport } from "./quotas";

/** Options of `plan`. */
export interface PlanCommandOptions {
  readonly environment: string;
  /** Registry file. @default tenants/<env>.yaml */
  readonly tenants?: string;
  readonly workers?: number;
  /** Only these registry tenants (`--tenant`), against the planned platform. @default every tenant */
  readonly only?: readonly string[];
  /** Only the counts, policy verdicts and cost. */
  readonly summary?: boolean;
  /** @default planEnvironment */
  readonly plan?: typeof planEnvironment;
}

/** What `plan` prints and how it ends. */
export interface PlanCommandResult {
  readonly exitCode: number;
  readonly text: string;
  readonly json: unknown;
  /** The JSON document's text, one stack at a time (planJsonChunks). */
  readonly jsonText: () => Iterable<string>;
  readonly failure?: BbwsError;
}

/** Plans and renders; throws for invalid input or a failing program. */
export async function planCommand(options: PlanCommandOptions): Promise<PlanCommandResult> {
  const started = Date.now();
  const plan: EnvironmentPlan = await (options.plan ?? planEnvironment)({
    environment: options.environment,
    tenantsFile: options.tenants && path.resolve(options.tenants),
    workers: options.workers,
    only: options.only,
  });

  const out: string[] = [];
  if (!options.summary) for (const stack of plan.stacks) out.push(renderStackTree(stack), "");
  out.push(renderSummary(plan.stacks), "");
  out.push(formatPolicyReport(plan.policy), "");
  out.push(formatConstraintReport(plan.constraints), "");
  out.push(formatQuotaReport(plan.quotas), "");
  out.push(formatCostReport(plan.cost, { title: `Monthly cost estimate (${plan.settings.region})` }), "");
  if (plan.unallocated.length > 0) {
    out.push(
      `Note: ${plan.unallocated.length} tenant(s) have no listener slot in ${plan.registryFile} yet (${plan.unallocated.join(", ")}); ` +
        "this plan allocated one for them, `npm run tenants -- sync` writes it.",
      "",
    );
  }
  // The plan shows these sites as they run once their customer's DNS validates the certificate.
  const customerValidated = plan.stacks.filter((s) => s.run.outputs.certificateState === "issued");
  if (customerValidated.length > 0) {
    out.push(
      `Note: ${customerValidated.map((s) => s.tenant).join(", ")}: certificate validated by the customer's DNS; shown as it runs ` +
        "once ACM has issued it. Until then `tenants add/sync` create the certificate and install the site, " +
        "but no listener rule, redirect or service, and print the records to create (exit 14).",
      "",
    );
  }
  if (plan.registryTenants > plan.stacks.length - 1) {
    out.push(
      `Note: a preview of ${plan.stacks.length - 1} of the registry's ${plan.registryTenants} tenant(s) (--tenant); quotas and cost cover those only.`,
      "",
    );
  }
  const resources = plan.stacks.reduce((n, s) => n + s.run.resources.length, 0);
  out.push(
    `Planned ${plan.stacks.length} stacks (1 platform, ${plan.stacks.length - 1} tenants), ${resources} resources in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
  );

  const { currency, platformMonthly, tenants, totalMonthly } = plan.cost;
  const sections = {
    policy: plan.policy,
    cost: { currency, platformMonthly, tenants, totalMonthly },
    awsChecks: {
      rules: plan.constraints.rules,
      resources: plan.constraints.resources,
      violations: plan.constraints.violations.map((v) => ({ ...v })),
    },
    quotas: plan.quotas.usages.map((u) => ({ ...u, advisory: u.advisory ?? false })),
  };
  return {
    exitCode: exitCodeOf(planFailure(plan)?.kind ?? "ok"),
    text: out.join("\n"),
    // Built only when asked for: the CLI writes the streamed text instead.
    get json() {
      return planToJson(plan, sections);
    },
    jsonText: () => planJsonChunks(plan, sections),
    failure: planFailure(plan),
  };
}

/**
 * How a plan ends: values AWS would refuse first (the update would fail), then crossed quotas
 * (it would fail part-way), then mandatory policy violations.
 */
export function planFailure(
  plan: Pick<EnvironmentPlan, "constraints" | "quotas" | "policy">,
): BbwsError | undefined {
  const refused = plan.constraints.violations.length;
  if (refused > 0)
    return new BbwsError(
      "awsConstraint",
      `${refused} value(s) AWS would refuse; see "AWS checks" above:\n` +
        plan.constraints.violations
          .slice(0, 5)
          .map(
            (v) =>
              `  - ${v.stack}: ${v.type} "${v.resource}": ${v.field}: got ${v.value}; ${v.rule} [${v.source}]`,
          )
          .join("\n"),
    );
  if (plan.quotas.exceeded.length > 0)
    return new BbwsError(
      "quotaExceeded",
      `the plan crosses ${plan.quotas.exceeded.length} quota(s):\n${plan.quotas.exceeded.map((u) => `  - ${describeExceeded(u)}`).join("\n")}`,
    );
  const blocking = mandatoryViolations(plan.policy).length;
  return blocking > 0
    ? new BbwsError("policyViolation", `${blocking} mandatory policy violation(s); see "Policy" above`)
    : undefined;
}

/** The "AWS checks" section: each violation with stack, resource, field, value, rule and source. */
export function formatConstraintReport(report: ConstraintReport): string {
  const head = `AWS checks: ${report.rules} rules over ${report.resources} resources, ${report.violations.length} violation(s).`;
  return [
    head,
    ...report.violations.map(
      (v) =>
        `  ${v.stack}: ${v.type} "${v.resource}": ${v.field}: got ${v.value}; ${v.rule}\n    source: ${v.source}`,
    ),
  ].join("\n");
}
