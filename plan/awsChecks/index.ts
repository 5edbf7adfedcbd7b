/**
 * `checkAwsConstraints`: the plan's AWS checks over every planned stack (see check.ts and
 * rules.ts; the rules and their sources are listed in docs/plan-checks.md).
 */
import { RecordedResource } from "../../offline/stackRun";
import { ConstraintReport, checkResources } from "./check";
import { AWS_CONSTRAINT_RULES } from "./rules";

export type { ConstraintReport, ConstraintViolation } from "./check";

/** Checks every AWS resource of the stacks against AWS's published constraints. */
export function checkAwsConstraints(
  stacks: readonly { readonly stack: string; readonly resources: readonly RecordedResource[] }[],
): Promise<ConstraintReport> {
  return checkResources(stacks, AWS_CONSTRAINT_RULES);
}
