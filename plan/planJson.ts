/**
 * The machine-readable plan (`npm run plan -- <env> --json FILE`). Its shape is a contract,
 * documented in the README and checked by `PLAN_JSON_SCHEMA` in the tests:
 *
 * { "environment": "dev",
 *   "stacks": [ { "name": "dev" | "dev.<tenant>", "kind": "platform" | "tenant", "tenant"?: "<id>",
 *                 "resources": [ { "urn", "type", "name", "parent": "<urn>" | null, "inputs": {...} } ] } ],
 *   "policy"?: { "rules": n, "violations": [ { "policy", "urn", "message", "level" } ] },
 *   "cost"?: { "currency": "USD", "platformMonthly": n, "tenants": { "<id>": n }, "totalMonthly": n } }
 *
 * `type` is the Pulumi type token; `inputs` are the resolved inputs the program passed, with
 * unknown values as null and secret values as "[secret]". Object keys are sorted, so the same
 * plan always serializes to the same text.
 */
import { z } from "zod";
import { isSecretValue } from "../offline/mocks";
import { EnvironmentPlan } from "./plan";

export const SECRET_PLACEHOLDER = "[secret]";

const resourceSchema = z
  .object({
    urn: z.string().startsWith("urn:pulumi:"),
    type: z.string().regex(/^[a-zA-Z0-9-]+:[a-zA-Z0-9/_-]*:[A-Za-z0-9]+$/),
    name: z.string().min(1),
    parent: z.string().startsWith("urn:pulumi:").nullable(),
    inputs: z.record(z.unknown()),
  })
  .strict();

/** The documented shape of the JSON plan. */
export const PLAN_JSON_SCHEMA = z
  .object({
    environment: z.string(),
    stacks: z.array(
      z
        .object({
          name: z.string(),
          kind: z.enum(["platform", "tenant"]),
          tenant: z.string().optional(),
          resources: z.array(resourceSchema),
        })
        .strict(),
    ),
    policy: z
      .object({
        rules: z.number().int(),
        violations: z.array(
          z
            .object({
              policy: z.string(),
              urn: z.string(),
              message: z.string(),
              level: z.enum(["mandatory", "advisory"]),
            })
            .strict(),
        ),
      })
      .strict()
      .optional(),
    awsChecks: z
      .object({
        rules: z.number().int(),
        resources: z.number().int(),
        violations: z.array(
          z
            .object({
              stack: z.string(),
              urn: z.string(),
              type: z.string(),
              resource: z.string(),
              field: z.string(),
              value: z.string(),
              rule: z.string(),
              source: z.string(),
            })
            .strict(),
        ),
      })
      .strict()
      .optional(),
    quotas: z
      .array(
        z
          .object({
            quota: z.string(),
            scope: z.string(),
            used: z.number(),
            limit: z.number(),
            advisory: z.boolean(),
          })
          .strict(),
      )
      .optional(),
    cost: z
      .object({
        currency: z.literal("USD"),
        platformMonthly: z.number(),
        tenants: z.record(z.number()),
        totalMonthly: z.number(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type PlanJson = z.infer<typeof PLAN_JSON_SCHEMA>;

/** Extra sections later stages add next to `stacks`. */
export interface PlanSections {
  readonly policy?: PlanJson["policy"];
  readonly cost?: PlanJson["cost"];
  readonly awsChecks?: PlanJson["awsChecks"];
  readonly quotas?: PlanJson["quotas"];
}

/** One stack of the JSON document. */
function stackToJson(stack: EnvironmentPlan["stacks"][number]): PlanJson["stacks"][number] {
  return {
    name: stack.name,
    kind: stack.kind,
    ...(stack.tenant ? { tenant: stack.tenant } : {}),
    // Sorted by URN: registration order can vary with timing, the plan text must not.
    resources: [...stack.run.resources]
      .sort((a, b) => a.urn.localeCompare(b.urn))
      .map((r) => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        parent: r.parent,
        inputs: sanitize(r.inputs) as Record<string, unknown>,
      })),
  };
}

/** The sections after `stacks`, in document order. */
function sectionsOf(sections: PlanSections): Omit<PlanJson, "environment" | "stacks"> {
  return {
    ...(sections.policy ? { policy: sections.policy } : {}),
    ...(sections.cost ? { cost: sections.cost } : {}),
    ...(sections.awsChecks ? { awsChecks: sections.awsChecks } : {}),
    ...(sections.quotas ? { quotas: sections.quotas } : {}),
  };
}

/** Builds the JSON document of a plan. */
export function planToJson(plan: EnvironmentPlan, sections: PlanSections = {}): PlanJson {
  return { environment: plan.environment, stacks: plan.stacks.map(stackToJson), ...sectionsOf(sections) };
}

/**
 * The text of `stringifyPlan(planToJson(plan, sections))`, one stack at a time: a 1,000-tenant
 * plan is ~48 MB of JSON, which is never held whole (nor the document it is made of).
 */
export function* planJsonChunks(plan: EnvironmentPlan, sections: PlanSections = {}): Generator<string> {
  // JSON strings hold no raw newline: re-indenting a nested value is a matter of its newlines.
  const nested = (value: unknown, indent: string) =>
    JSON.stringify(value, null, 2).replace(/\n/g, `\n${indent}`);
  yield `{\n  "environment": ${JSON.stringify(plan.environment)},\n  "stacks": [`;
  for (const [i, stack] of plan.stacks.entries())
    yield `${i === 0 ? "" : ","}\n    ${nested(stackToJson(stack), "    ")}`;
  yield plan.stacks.length > 0 ? "\n  ]" : "]";
  for (const [key, value] of Object.entries(sectionsOf(sections)))
    yield `,\n  ${JSON.stringify(key)}: ${nested(value, "  ")}`;
  yield "\n}\n";
}

/** Secrets become "[secret]", unknowns null, object keys sorted. */
export function sanitize(value: unknown): unknown {
  if (isSecretValue(value)) return SECRET_PLACEHOLDER;
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.map(sanitize);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sanitize((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** Serializes with a trailing newline, two-space indentation. */
export function stringifyPlan(json: PlanJson): string {
  return `${JSON.stringify(json, null, 2)}\n`;
}
