/**
 * Runs the policy pack's rules offline, over the resources a stack run recorded (the offline
 * engine, unit tests), the way the Pulumi engine's analyzer would:
 *
 *  - resource rules get each custom resource's inputs, one call per validation function, with
 *    `{ type, props, urn, name, opts, provider?, stackTags, isType, asType, getConfig,
 *    notApplicable }`; `notApplicable` throws a sentinel that is caught here (@pulumi/policy
 *    >= 1.18 calls it when a typed validation meets another type);
 *  - stack rules get every resource of one stack at once, with parents and dependencies
 *    resolved to resource objects.
 *
 * Constructing the PolicyPack itself is impossible in-process (it starts a gRPC server and never
 * returns), so this module never imports policy/index.ts.
 *
 * Speed: validation functions made by `validateResourceOfType` carry their type token
 * (`__pulumiType`), as the SDK's server uses it. They are indexed by type once per policy list,
 * so each resource meets only the functions of its own type plus the untyped ones.
 */
import {
  PolicyConfigSchema,
  PolicyProviderResource,
  PolicyResource,
  PolicyResourceOptions,
  ReportViolation,
  ResourceValidation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidation,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { isSecretValue } from "./mocks";
import { RecordedResource } from "./stackRun";
import { ALL_POLICIES, BbwsEnforcementLevel, PACK_ENFORCEMENT_LEVEL } from "../policy/policies";
import { isUnknownValueError } from "../policy/rules/common";

/** One violation of one rule by one resource (or by a stack, for stack rules). */
export interface PolicyViolation {
  readonly policy: string;
  readonly urn: string;
  readonly message: string;
  readonly level: BbwsEnforcementLevel;
}

/** What an evaluation found: how many rules ran and every violation, in evaluation order. */
export interface PolicyReport {
  readonly rules: number;
  readonly violations: PolicyViolation[];
}

/** The resources of one stack run. */
export interface StackResources {
  readonly stack: string;
  readonly resources: readonly RecordedResource[];
}

/** Any resource-like record the evaluator can read (a RecordedResource or a test fixture). */
export type EvaluatedResource = Pick<RecordedResource, "type" | "name" | "urn" | "inputs" | "custom"> &
  Partial<Pick<RecordedResource, "id" | "read" | "parent" | "protect" | "provider" | "dependencies">>;

/** A rule the evaluator runs: any CrossGuard policy; BBWS rules always name their level. */
export type EvaluatedPolicy = ResourceValidationPolicy | StackValidationPolicy;

/** Thrown by `notApplicable`; not an Error, so throwing it captures no stack trace. */
class NotApplicableSignal {
  constructor(readonly reason?: string) {}
}
const notApplicable = (reason?: string): never => {
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- a sentinel, caught below, never surfaced
  throw new NotApplicableSignal(reason);
};

interface Validator {
  readonly order: number;
  readonly policy: string;
  readonly level: BbwsEnforcementLevel;
  readonly fn: ResourceValidation;
  readonly getConfig: () => object;
}
interface StackRule {
  readonly policy: string;
  readonly level: BbwsEnforcementLevel;
  readonly fn: StackValidation;
  readonly type?: string;
  readonly getConfig: () => object;
}
interface CompiledPolicies {
  readonly rules: number;
  readonly typed: Map<string, Validator[]>;
  readonly untyped: Validator[];
  /** Typed and untyped validators of one type, in policy order (filled lazily). */
  readonly forType: Map<string, Validator[]>;
  readonly stackRules: StackRule[];
}

const typeOf = (value: unknown): string | undefined => {
  const type = (value as { __pulumiType?: unknown } | undefined)?.__pulumiType;
  return typeof type === "string" && type !== "" ? type : undefined;
};

/** The level a rule reports at; "remediate" reports as mandatory, as the engine does. */
function levelOf(policy: EvaluatedPolicy): BbwsEnforcementLevel | undefined {
  const level: string = policy.enforcementLevel ?? PACK_ENFORCEMENT_LEVEL;
  if (level === "disabled") return undefined;
  return level === "advisory" ? "advisory" : "mandatory";
}

/** A rule's configuration: the defaults of its config schema (BBWS sets no pack config). */
function defaultConfig(schema: PolicyConfigSchema | undefined): () => object {
  const config: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(schema?.properties ?? {})) {
    const fallback = (property as { default?: unknown }).default;
    if (fallback !== undefined) config[key] = fallback;
  }
  return () => ({ ...config });
}

const compiled = new WeakMap<readonly EvaluatedPolicy[], CompiledPolicies>();

function compile(policies: readonly EvaluatedPolicy[]): CompiledPolicies {
  const cached = compiled.get(policies);
  if (cached) return cached;
  const typed = new Map<string, Validator[]>();
  const untyped: Validator[] = [];
  const stackRules: StackRule[] = [];
  let rules = 0;
  policies.forEach((policy, order) => {
    const level = levelOf(policy);
    if (!level) return;
    rules++;
    const getConfig = defaultConfig(policy.configSchema);
    if ("validateStack" in policy && typeof policy.validateStack === "function") {
      stackRules.push({
        policy: policy.name,
        level,
        fn: policy.validateStack,
        type: typeOf(policy.validateStack),
        getConfig,
      });
    }
    if ("validateResource" in policy && policy.validateResource) {
      const fns = Array.isArray(policy.validateResource)
        ? policy.validateResource
        : [policy.validateResource];
      for (const fn of fns) {
        const validator: Validator = { order, policy: policy.name, level, fn, getConfig };
        const type = typeOf(fn);
        if (!type) untyped.push(validator);
        else typed.set(type, [...(typed.get(type) ?? []), validator]);
      }
    }
  });
  const result: CompiledPolicies = { rules, typed, untyped, forType: new Map(), stackRules };
  compiled.set(policies, result);
  return result;
}

function validatorsFor(policies: CompiledPolicies, type: string): Validator[] {
  let list = policies.forType.get(type);
  if (!list) {
    list = [...(policies.typed.get(type) ?? []), ...policies.untyped].sort((a, b) => a.order - b.order);
    policies.forType.set(type, list);
  }
  return list;
}

/** Inputs without Pulumi's secret wrappers; objects without secrets are returned as they are. */
function plain(value: unknown): unknown {
  if (isSecretValue(value)) return plain(value.value);
  if (Array.isArray(value)) {
    let changed = false;
    const items = value.map((item) => {
      const p = plain(item);
      if (p !== item) changed = true;
      return p;
    });
    return changed ? items : value;
  }
  if (value && typeof value === "object") {
    let changed = false;
    const entries = Object.entries(value).map(([k, v]) => {
      const p = plain(v);
      if (p !== v) changed = true;
      return [k, p] as const;
    });
    return changed ? Object.fromEntries(entries) : value;
  }
  return value;
}

function isTypeOf(type: string, resourceClass: unknown): boolean {
  const classType = typeOf(resourceClass);
  if (classType) return classType === type;
  const isInstance = (resourceClass as { isInstance?: (o: unknown) => boolean })?.isInstance;
  return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

function optionsOf(resource: EvaluatedResource): PolicyResourceOptions {
  return {
    protect: resource.protect ?? false,
    ignoreChanges: [],
    aliases: [],
    additionalSecretOutputs: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    ...(resource.parent ? { parent: resource.parent } : {}),
  };
}

/** Only custom resources that the program registers meet resource rules (as in the engine). */
function meetsResourceRules(resource: EvaluatedResource): boolean {
  return resource.custom && !resource.read && !resource.type.startsWith("pulumi:");
}

type Rule = { readonly policy: string; readonly level: BbwsEnforcementLevel };

/** What a validation's throw means: not applicable, unknown during preview, or a broken rule. */
function settle(rule: Rule, urn: string, error: unknown, violations: PolicyViolation[]): void {
  if (error instanceof NotApplicableSignal) return;
  if (isUnknownValueError(error)) {
    // The engine turns this into an advisory diagnostic during preview; do the same.
    violations.push({
      policy: rule.policy,
      urn,
      message: `can't run policy '${rule.policy}' during preview: ${(error as Error).message}`,
      level: "advisory",
    });
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  throw new Error(`policy ${rule.policy} failed on ${urn}: ${message}`);
}

/**
 * Calls one validation. Returns a promise only when the validation did: most are synchronous,
 * and not awaiting them keeps 30,000 resources fast.
 */
function call(
  rule: Rule,
  urn: string,
  invoke: (report: ReportViolation) => Promise<void> | void,
  violations: PolicyViolation[],
): Promise<void> | undefined {
  const report: ReportViolation = (message: string, reportedUrn?: string) =>
    violations.push({ policy: rule.policy, urn: reportedUrn ?? urn, message, level: rule.level });
  try {
    const result = invoke(report);
    if (result instanceof Promise) return result.catch((error) => settle(rule, urn, error, violations));
  } catch (error) {
    settle(rule, urn, error, violations);
  }
  return undefined;
}

function evaluateResourceWith(
  policies: CompiledPolicies,
  resource: EvaluatedResource,
  props: Record<string, unknown>,
  provider: PolicyProviderResource | undefined,
  violations: PolicyViolation[],
): Promise<void> | undefined {
  const validators = validatorsFor(policies, resource.type);
  if (validators.length === 0) return undefined;
  const type = resource.type;
  // One argument object per resource, as every validation of it sees the same values; only the
  // rule's configuration differs.
  const args: ResourceValidationArgs = {
    type,
    props,
    urn: resource.urn,
    name: resource.name,
    opts: optionsOf(resource),
    stackTags: new Map(),
    isType: (cls) => isTypeOf(type, cls),
    asType: ((cls: unknown) => (isTypeOf(type, cls) ? props : undefined)) as ResourceValidationArgs["asType"],
    getConfig: validators[0].getConfig as ResourceValidationArgs["getConfig"],
    notApplicable,
    ...(provider ? { provider } : {}),
  };
  // Synchronous until a validation returns a promise; the rest then runs after it.
  const runFrom = (first: number): Promise<void> | undefined => {
    for (let i = first; i < validators.length; i++) {
      const validator = validators[i];
      args.getConfig = validator.getConfig as ResourceValidationArgs["getConfig"];
      const pending = call(validator, resource.urn, (report) => validator.fn(args, report), violations);
      if (pending) return pending.then(() => runFrom(i + 1));
    }
    return undefined;
  };
  return runFrom(0);
}

/**
 * Runs the resource rules on one resource. Components, `pulumi:*` resources and reads are
 * ignored, and each rule meets only resources of the types it applies to.
 */
export async function evaluateResource(
  resource: EvaluatedResource,
  policies: readonly EvaluatedPolicy[] = ALL_POLICIES,
): Promise<PolicyViolation[]> {
  const violations: PolicyViolation[] = [];
  if (!meetsResourceRules(resource)) return violations;
  const props = plain(resource.inputs) as Record<string, unknown>;
  await evaluateResourceWith(compile(policies), resource, props, undefined, violations);
  return violations;
}

/** The resources of a stack as stack rules see them (outputs: inputs plus the id). */
function stackPolicyResources(
  resources: readonly EvaluatedResource[],
  props: readonly Record<string, unknown>[],
  providers: Map<string, PolicyProviderResource>,
): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  const policyResources = resources.map((resource, i) => {
    const type = resource.type;
    const withId = resource.id && props[i].id === undefined ? { ...props[i], id: resource.id } : props[i];
    const provider = providers.get(resource.provider ?? "");
    const policyResource: PolicyResource = {
      type,
      props: withId,
      urn: resource.urn,
      name: resource.name,
      opts: optionsOf(resource),
      dependencies: [],
      // Not recorded by the offline engine; rules fall back on ids (see StackIndex.referenced).
      propertyDependencies: {},
      isType: (cls) => isTypeOf(type, cls),
      asType: ((cls: unknown) => (isTypeOf(type, cls) ? withId : undefined)) as PolicyResource["asType"],
      ...(provider ? { provider } : {}),
    };
    byUrn.set(resource.urn, policyResource);
    return policyResource;
  });
  resources.forEach((resource, i) => {
    const parent = resource.parent ? byUrn.get(resource.parent) : undefined;
    if (parent) policyResources[i].parent = parent;
    policyResources[i].dependencies = (resource.dependencies ?? [])
      .map((urn) => byUrn.get(urn))
      .filter((r): r is PolicyResource => !!r);
  });
  return policyResources;
}

/** Providers of a stack by the reference resources record (`<urn>::<id>`). */
function providersOf(resources: readonly EvaluatedResource[], props: readonly Record<string, unknown>[]) {
  const providers = new Map<string, PolicyProviderResource>();
  resources.forEach((r, i) => {
    if (!r.type.startsWith("pulumi:providers:")) return;
    const provider = { type: r.type, props: props[i], urn: r.urn, name: r.name };
    providers.set(`${r.urn}::${r.id ?? ""}`, provider);
  });
  return providers;
}

/**
 * Evaluates every rule over the resources of each stack: resource rules per custom resource,
 * stack rules once per stack. Violations come in stack order, then resource order.
 */
export async function evaluatePolicies(
  stacks: readonly StackResources[],
  policies: readonly EvaluatedPolicy[] = ALL_POLICIES,
): Promise<PolicyReport> {
  const compiledPolicies = compile(policies);
  const violations: PolicyViolation[] = [];
  for (const { resources } of stacks) {
    const props = resources.map((r) => plain(r.inputs ?? {}) as Record<string, unknown>);
    const providers = providersOf(resources, props);
    for (let i = 0; i < resources.length; i++) {
      const resource = resources[i];
      if (!meetsResourceRules(resource)) continue;
      const provider = providers.get(resource.provider);
      const pending = evaluateResourceWith(compiledPolicies, resource, props[i], provider, violations);
      if (pending) await pending;
    }
    if (compiledPolicies.stackRules.length === 0) continue;
    // The engine hands stack rules every resource except providers.
    const members = resources.filter((r) => !r.type.startsWith("pulumi:providers:"));
    const memberProps = props.filter((_, i) => !resources[i].type.startsWith("pulumi:providers:"));
    const stackResources = stackPolicyResources(members, memberProps, providers);
    const stackUrn = members.find((r) => r.type === "pulumi:pulumi:Stack")?.urn ?? "";
    for (const rule of compiledPolicies.stackRules) {
      if (rule.type && !members.some((r) => r.type === rule.type)) continue;
      const args: StackValidationArgs = {
        resources: stackResources,
        stackTags: new Map(),
        getConfig: rule.getConfig as StackValidationArgs["getConfig"],
        notApplicable,
      };
      const pending = call(rule, stackUrn, (report) => rule.fn(args, report), violations);
      if (pending) await pending;
    }
  }
  return { rules: compiledPolicies.rules, violations };
}
