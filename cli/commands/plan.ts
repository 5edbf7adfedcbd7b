/**
 * `bbws plan <env>` (alias `npm run plan -- <env>`): the whole environment, offline. Runs the
 * real programs under the BBWS mocks and prints every stack, the resource counts, the policy
 * verdicts and the monthly cost.
 */
import { environmentName } from "../options";
import { CommandSpec } from "../shell";

/** The plan command. */
export const PLAN_COMMANDS: readonly CommandSpec[] = [
  {
    path: ["plan"],
    description:
      "Plan a whole BBWS environment offline: the platform stack and one stack per tenant, with policy verdicts and monthly cost.",
    arguments: [
      {
        name: "<environment>",
        description: "stack / environment to plan (a Pulumi.<environment>.yaml must exist), e.g. dev or prod",
        parse: environmentName,
      },
    ],
    options: ["tenants", "summary", "workers", "planTenant"],
    help: "With --json the document is the plan JSON (format: README, 'The plan JSON'); --output writes it to a file.",
    run: async (input) => {
      const { planCommand } = await import("../../plan/command");
      return planCommand({
        environment: input.args[0] as string,
        tenants: input.options.tenants as string | undefined,
        workers: input.options.workers as number | undefined,
        only: input.options.tenant as string[] | undefined,
        summary: input.options.summary === true,
        plan: input.runtime.plan,
      });
    },
  },
];
