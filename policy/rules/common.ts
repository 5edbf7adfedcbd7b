/**
 * What every BBWS rule shares: the policy types with a required enforcement level, the
 * description format that names the source controls, and defensive readers for the inputs
 * rules look at (tags, JSON strings, IAM documents, values unknown during preview).
 *
 * Rules never trust that an input is present: the engine passes whatever the program gave,
 * and during `pulumi preview` values computed by other resources are unknown.
 */
import * as policySdk from "@pulumi/policy";
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { TAG } from "../../components/tags";
import { MAINTENANCE_COMPONENT } from "../../components/shared/maintenance";

/** The two levels BBWS uses: mandatory blocks an update, advisory only reports. */
export type BbwsEnforcementLevel = "mandatory" | "advisory";

/** A resource rule of the pack; unlike the SDK type, its level is never left to a default. */
export type BbwsResourcePolicy = ResourceValidationPolicy & {
  readonly enforcementLevel: BbwsEnforcementLevel;
};

/** A stack rule of the pack (sees every resource of the stack at once). */
export type BbwsStackPolicy = StackValidationPolicy & { readonly enforcementLevel: BbwsEnforcementLevel };

/** Any rule of the pack. */
export type BbwsPolicy = BbwsResourcePolicy | BbwsStackPolicy;

/**
 * The description of a rule: the source controls first (Security Hub FSBP ids such as
 * `ECS.2`, Checkov ids such as `CKV_AWS_97`, AWS Config rule identifiers, Well-Architected
 * questions such as `REL11`), then what passes and why.
 */
export function describeRule(controls: readonly string[], text: string): string {
  return `[${controls.join(", ")}] ${text}`;
}

/** The source controls a description names (the bracketed prefix of `describeRule`). */
export function controlsOf(description: string): string[] {
  const match = /^\[([^\]]+)\]/.exec(description);
  return match ? match[1].split(",").map((c) => c.trim()) : [];
}

/**
 * The Pulumi type token of a resource class (e.g. "aws:ecs/service:Service"), as
 * `validateResourceOfType` reads it; the field is internal to the SDK's typings.
 */
export function typeToken(resourceClass: abstract new (...args: never[]) => unknown): string {
  const token = (resourceClass as unknown as { __pulumiType?: unknown }).__pulumiType;
  if (typeof token !== "string" || token === "")
    throw new Error(`${resourceClass.name} has no Pulumi type token`);
  return token;
}

/** The environment used by rules that apply only in production. */
export const PRODUCTION = "prod";

type Props = Record<string, unknown> | undefined | null;

/** A resource's own tag map, or undefined when it has none (or it is unknown). */
export function tagsOf(props: Props): Record<string, unknown> | undefined {
  const tags = known(() => props?.tags);
  return tags && typeof tags === "object" && !Array.isArray(tags)
    ? (tags as Record<string, unknown>)
    : undefined;
}

/** The `bbws:environment` tag every BBWS resource carries explicitly. */
export function environmentOf(props: Props): string | undefined {
  const value = known(() => tagsOf(props)?.[TAG.environment]);
  return typeof value === "string" ? value : undefined;
}

/** True when the resource says it belongs to production. */
export function isProduction(props: Props): boolean {
  return environmentOf(props) === PRODUCTION;
}

/** Component type of a tenant site; every resource of a tenant stack is its descendant. */
export const TENANT_COMPONENT = "bbws:tenant:TenantWordPress";

/** True for a resource created inside a TenantWordPress component (its URN says so). */
export function isTenantUrn(urn: string): boolean {
  // URN: urn:pulumi:<stack>::<project>::<parent types joined by $>::<name>
  const qualifiedType = urn.split("::")[2] ?? "";
  return qualifiedType.split("$").includes(TENANT_COMPONENT);
}

/**
 * True for a resource of the platform's maintenance tasks: under the MaintenanceTasks component
 * and not in a tenant site. These are the only resources allowed root on the shared file system
 * (a `/` access point as 0:0 and ClientRootAccess through it): restore must move a tenant's
 * directory and read `/tenants/.previous`, which no per-tenant access point can reach. Only
 * one-off tasks started by an operator use them; nothing long-running mounts them.
 */
export function isMaintenanceUrn(urn: string): boolean {
  const qualifiedType = urn.split("::")[2] ?? "";
  const chain = qualifiedType.split("$");
  return chain.includes(MAINTENANCE_COMPONENT) && !chain.includes(TENANT_COMPONENT);
}

/** The SDK's preview-time error for values not known yet (exported at runtime, not typed). */
const UnknownValueError = (
  policySdk as unknown as { UnknownValueError?: abstract new (...args: never[]) => Error }
).UnknownValueError;

/** True for the error the SDK throws when a rule reads a value unknown during preview. */
export function isUnknownValueError(error: unknown): boolean {
  return UnknownValueError !== undefined && error instanceof UnknownValueError;
}

/**
 * Reads a value that may be unknown during preview; undefined when it is. Use it where a rule
 * can still decide without the value (stack rules resolving references), never to skip a check.
 */
export function known<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if (isUnknownValueError(error)) return undefined;
    throw error;
  }
}

/** Recently parsed JSON inputs: several rules read the same container definitions or policy. */
const parsedJson = new Map<string, unknown>();
const PARSED_JSON_CACHE_SIZE = 64;

/**
 * Parses a JSON input that may be a string (as the SDK sends it) or already an object. The
 * result may be shared between rules: never modify it.
 */
export function parseJson(value: unknown): unknown {
  if (typeof value !== "string") return value ?? undefined;
  if (parsedJson.has(value)) return parsedJson.get(value);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  if (parsedJson.size >= PARSED_JSON_CACHE_SIZE) parsedJson.delete(parsedJson.keys().next().value as string);
  parsedJson.set(value, parsed);
  return parsed;
}

/** A value as an array: arrays as they are, a single value wrapped, nothing as []. */
export function asArray<T = unknown>(value: unknown): T[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]) as T[];
}

/** A record, or undefined for anything else (missing input, string, array). */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** One container of a task definition's `containerDefinitions`, as far as rules read it. */
export interface ContainerDefinition {
  readonly name?: string;
  readonly environment?: readonly { readonly name?: string; readonly value?: unknown }[];
  readonly secrets?: readonly { readonly name?: string; readonly valueFrom?: string }[];
  readonly logConfiguration?: { readonly logDriver?: string };
  readonly privileged?: boolean;
  readonly readonlyRootFilesystem?: boolean;
  readonly user?: string;
  readonly stopTimeout?: number;
  readonly healthCheck?: unknown;
  readonly essential?: boolean;
}

/**
 * The containers of a task definition (`containerDefinitions` is a JSON string in the SDK);
 * undefined when the value is missing or not a JSON array.
 */
export function containersOf(props: Props): ContainerDefinition[] | undefined {
  const parsed = parseJson(props?.containerDefinitions);
  if (!Array.isArray(parsed)) return undefined;
  return parsed.filter((c): c is ContainerDefinition => !!asRecord(c));
}

/** A statement of an IAM policy document, normalised to arrays. */
export interface PolicyStatement {
  readonly sid?: string;
  readonly effect: string;
  readonly actions: string[];
  readonly notActions: string[];
  readonly resources: string[];
  readonly notResources: string[];
  readonly principal: unknown;
  readonly condition: Record<string, unknown> | undefined;
}

/** The statements of an IAM policy document given as a JSON string or an object. */
export function statementsOf(document: unknown): PolicyStatement[] {
  const parsed = asRecord(parseJson(document));
  if (!parsed) return [];
  return asArray(parsed.Statement)
    .map(asRecord)
    .filter((s): s is Record<string, unknown> => !!s)
    .map((s) => ({
      sid: typeof s.Sid === "string" ? s.Sid : undefined,
      effect: typeof s.Effect === "string" ? s.Effect : "Allow",
      actions: asArray(s.Action).filter((a): a is string => typeof a === "string"),
      notActions: asArray(s.NotAction).filter((a): a is string => typeof a === "string"),
      resources: asArray(s.Resource).filter((r): r is string => typeof r === "string"),
      notResources: asArray(s.NotResource).filter((r): r is string => typeof r === "string"),
      principal: s.Principal,
      condition: asRecord(s.Condition),
    }));
}

const actionPatterns = new Map<string, RegExp>();

/** True when an IAM action pattern (with * and ?) grants `action` (case-insensitive, as IAM). */
export function grants(pattern: string, action: string): boolean {
  let regex = actionPatterns.get(pattern);
  if (!regex) {
    const source = pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".");
    regex = new RegExp(`^${source}$`, "i");
    actionPatterns.set(pattern, regex);
  }
  return regex.test(action);
}

/** A short name for messages: the statement's Sid or its position. */
export function statementLabel(statement: PolicyStatement, index: number): string {
  return statement.sid ? `statement "${statement.sid}"` : `statement #${index + 1}`;
}

/** A value for messages: JSON, shortened. */
export function show(value: unknown): string {
  const text = value === undefined ? "undefined" : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

const indexes = new WeakMap<readonly PolicyResource[], StackIndex>();

/** Resources of a stack, indexed for the lookups stack rules make. */
export class StackIndex {
  private readonly byId = new Map<string, PolicyResource>();
  private readonly byType = new Map<string, PolicyResource[]>();

  /** The index of a stack's resources, built once however many stack rules ask for it. */
  static of(resources: readonly PolicyResource[]): StackIndex {
    let index = indexes.get(resources);
    if (!index) {
      index = new StackIndex(resources);
      indexes.set(resources, index);
    }
    return index;
  }

  constructor(readonly resources: readonly PolicyResource[]) {
    for (const r of resources) {
      const list = this.byType.get(r.type);
      if (list) list.push(r);
      else this.byType.set(r.type, [r]);
      // AnalyzeStack sees outputs, and bridged AWS resources have their id among them.
      const id = known(() => r.props?.id);
      if (typeof id === "string" && id !== "") this.byId.set(id, r);
    }
  }

  /** Every resource of one of the types. */
  ofType(...types: string[]): PolicyResource[] {
    return types.flatMap((t) => this.byType.get(t) ?? []);
  }

  /** True when `resource` depends on `target` (any of its inputs came from it). */
  dependsOn(resource: PolicyResource, target: PolicyResource): boolean {
    return resource.dependencies?.includes(target) ?? false;
  }

  /**
   * The resources a property of `resource` refers to: through the engine's property
   * dependencies when it recorded them (they also work during preview), else through the ids
   * the property holds.
   */
  referenced(resource: PolicyResource, property: string, types: readonly string[]): PolicyResource[] {
    const viaDependencies = (resource.propertyDependencies?.[property] ?? []).filter((r) =>
      types.includes(r.type),
    );
    if (viaDependencies.length > 0) return viaDependencies;
    const ids =
      known(() => asArray(resource.props?.[property]).filter((id): id is string => typeof id === "string")) ??
      [];
    return ids
      .map((id) => this.byId.get(id))
      .filter((r): r is PolicyResource => !!r && types.includes(r.type));
  }
}
