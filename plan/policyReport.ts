/**
 * The policy section of `npm run plan`: how many rules ran, then every violation grouped by
 * stack, mandatory ones first. URNs are shortened to the resource's type and name; the JSON plan
 * keeps them whole.
 */
import { PolicyReport, PolicyViolation } from "../offline/policyEvaluator";

/** Mandatory violations: any one of them fails the plan. */
export function mandatoryViolations(report: PolicyReport): PolicyViolation[] {
  return report.violations.filter((v) => v.level === "mandatory");
}

/** `urn:pulumi:dev::bbws::...$aws:ecs/service:Service::acme-service` → stack and short resource. */
function describeUrn(urn: string): { stack: string; resource: string } {
  const parts = urn.split("::");
  if (parts.length < 4) return { stack: "", resource: urn };
  const stack = parts[0].replace(/^urn:pulumi:/, "");
  const type = parts[2].split("$").pop() ?? parts[2];
  return { stack, resource: `${type} ${parts.slice(3).join("::")}` };
}

/** Human-readable policy verdicts. */
export function formatPolicyReport(report: PolicyReport): string {
  const mandatory = mandatoryViolations(report).length;
  const advisory = report.violations.length - mandatory;
  const lines = [`Policy: ${report.rules} rules, ${mandatory} mandatory violation(s), ${advisory} advisory.`];
  const ordered = [...report.violations].sort(
    (a, b) => Number(b.level === "mandatory") - Number(a.level === "mandatory"),
  );
  let stack: string | undefined;
  for (const violation of ordered) {
    const where = describeUrn(violation.urn);
    if (where.stack !== stack) {
      stack = where.stack;
      lines.push(`  ${stack || "(stack)"}`);
    }
    lines.push(
      `    [${violation.level}] ${violation.policy}: ${where.resource}`,
      `      ${violation.message}`,
    );
  }
  return lines.join("\n");
}
