/**
 * Loads and validates a tenants config list. A bad file stops everything before any stack is
 * touched; every problem of the file is reported at once, each with the file, the line, the
 * entry and the field.
 */
import { BbwsError } from "../../lib/errors";
import * as fs from "fs";
import * as path from "path";
import { Document, LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { PROJECT_DIR } from "../../lib/projectDir";
import { RESERVED_IDS, TenantEntry, registryFileSchema, tenantEntrySchema } from "../../config/tenantEntry";
import { MAX_YAML_ALIASES, describeYamlError } from "../../lib/yamlErrors";
import { entryEdgeProblems, normalizeHost } from "../../config/edgeHosts";

/** One problem in a registry file. */
export interface RegistryProblem {
  readonly file: string;
  readonly line?: number;
  /** e.g. `tenants[2] (id "globex")`. */
  readonly entry?: string;
  /** e.g. `hosts[0]`, `tasks.min`. */
  readonly field?: string;
  readonly message: string;
  /** Position of the entry in the `tenants:` list, when the problem is an entry's. */
  readonly index?: number;
}

/** Formats one problem as `file:line: entry: field: message`. */
export function formatProblem(p: RegistryProblem): string {
  const where = [p.line ? `${p.file}:${p.line}` : p.file, p.entry, p.field].filter(Boolean).join(": ");
  return `${where}: ${p.message}`;
}

/** The registry is invalid; `problems` lists everything wrong with it. */
export class RegistryError extends BbwsError {
  constructor(
    readonly file: string,
    readonly problems: readonly RegistryProblem[],
  ) {
    super(
      "invalidInput",
      `${file} is invalid (${problems.length} problem${problems.length === 1 ? "" : "s"}); nothing was changed:\n` +
        problems.map((p) => `  - ${formatProblem(p)}`).join("\n"),
    );
  }
}

/** A loaded, valid registry. `document` keeps comments and order for edits. */
export interface Registry {
  readonly file: string;
  readonly environment: string;
  readonly tenants: readonly TenantEntry[];
  readonly document: Document;
}

/** Default location of an environment's registry: `tenants/<env>.yaml`. */
export function registryPath(environment: string, projectDir = PROJECT_DIR): string {
  return path.join(projectDir, "tenants", `${environment}.yaml`);
}

/** A registry as read from disk: its text (to detect concurrent edits) and its validated content. */
export interface RegistrySnapshot {
  /** Absolute path. */
  readonly file: string;
  readonly environment: string;
  readonly text: string;
  readonly registry: Registry;
}

/**
 * Reads and validates a registry file: the one registry loader (`loadRegistry`, the edits and
 * ops' tenant lookup all go through it). RegistryError when it is invalid or missing; messages
 * name the file relative to the working directory when it lies below it.
 */
export function readRegistry(
  environment: string,
  file: string = registryPath(environment),
): RegistrySnapshot {
  const absolute = path.resolve(file);
  const relative = path.relative(process.cwd(), absolute);
  const display = relative && !relative.startsWith("..") ? relative : absolute;
  if (!fs.existsSync(absolute)) {
    throw new RegistryError(display, [
      { file: display, message: "no such file; create it with a `tenants:` list" },
    ]);
  }
  const text = fs.readFileSync(absolute, "utf8");
  return { file: absolute, environment, text, registry: parseRegistry(text, display, environment) };
}

/** Reads and validates a registry file (its content only; see readRegistry). */
export function loadRegistry(environment: string, file = registryPath(environment)): Registry {
  return readRegistry(environment, file).registry;
}

/** Validates registry text. `file` is used in messages only. */
export function parseRegistry(text: string, file: string, environment: string): Registry {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, keepSourceTokens: false });
  if (document.errors.length > 0) {
    throw new RegistryError(
      file,
      document.errors.map((e) => ({ file, ...describeYamlError(e, text) })),
    );
  }
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (error) {
    throw new RegistryError(file, [{ file, ...describeYamlError(error, text) }]);
  }
  const lineOf = (pathParts: (string | number)[]): number | undefined => {
    const node = document.getIn(pathParts, true) as { range?: [number, number, number] } | undefined;
    return node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
  };

  const problems: RegistryProblem[] = [];
  const root = registryFileSchema.safeParse(data ?? {});
  if (!root.success) {
    throw new RegistryError(
      file,
      root.error.issues.map((i) => zodProblem(file, i, undefined, [], lineOf)),
    );
  }

  // Rules within and across entries run on every entry that has the fields they read, even
  // when other fields of it are invalid: a file's problems are all reported in one go.
  const entries: IndexedEntry[] = [];
  const candidates: IndexedCandidate[] = [];
  root.data.tenants.forEach((raw, index) => {
    const label = entryLabel(index, raw);
    const parsed = tenantEntrySchema.safeParse(raw);
    if (parsed.success) entries.push({ index, entry: parsed.data });
    else
      for (const issue of parsed.error.issues)
        problems.push({ ...zodProblem(file, issue, label, ["tenants", index], lineOf, raw), index });
    const candidate = asCandidate(raw);
    candidates.push({ index, candidate });
    for (const p of entryProblems(candidate, environment)) {
      problems.push({
        file,
        line: lineOf(["tenants", index, ...p.path]),
        entry: label,
        field: dotted(p.path),
        message: p.message,
        index,
      });
    }
  });
  for (const p of crossEntryProblems(candidates)) {
    problems.push({
      file,
      line: lineOf(["tenants", p.index, ...p.path]),
      entry: entryLabel(p.index, root.data.tenants[p.index]),
      field: dotted(p.path),
      message: p.message,
      index: p.index,
    });
  }
  if (problems.length > 0) throw new RegistryError(file, problems);
  return { file, environment, tenants: entries.map((e) => e.entry), document };
}

function entryLabel(index: number, raw: unknown): string {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === "string" ? `tenants[${index}] (id "${id}")` : `tenants[${index}]`;
}

function dotted(parts: readonly (string | number)[]): string {
  return parts.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

function zodProblem(
  file: string,
  issue: z.ZodIssue,
  entry: string | undefined,
  prefix: (string | number)[],
  lineOf: (p: (string | number)[]) => number | undefined,
  raw?: unknown,
): RegistryProblem {
  const fieldPath = [...issue.path];
  let message = issue.message;
  if (issue.code === "unrecognized_keys") {
    message = `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")} (a typo?)`;
    return {
      file,
      line: lineOf([...prefix, ...fieldPath, issue.keys[0]]),
      entry,
      field: dotted(fieldPath) || undefined,
      message,
    };
  }
  if (issue.code === "invalid_type" && issue.received === "undefined") {
    message = issue.message.startsWith("required") ? issue.message : "required";
  } else if (issue.code === "invalid_type") {
    message = `expected ${issue.expected}, got ${issue.received}`;
  } else {
    // Every other problem says which value it is about.
    const value = valueAt(raw, fieldPath);
    if (value !== undefined && (typeof value !== "object" || value === null))
      message = `${message} (got ${printValue(value)})`;
  }
  return {
    file,
    line: lineOf([...prefix, ...fieldPath]) ?? lineOf(prefix),
    entry,
    field: dotted(fieldPath) || undefined,
    message,
  };
}

function valueAt(raw: unknown, path: readonly (string | number)[]): unknown {
  let current = raw;
  for (const part of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[part];
  }
  return current;
}

function printValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 140 ? `${text.slice(0, 137)}..." (${String(value).length} characters)` : text;
}

interface IndexedEntry {
  readonly index: number;
  readonly entry: TenantEntry;
}

/** The fields cross-field rules read, kept only where they have the right type. */
interface Candidate {
  readonly id?: string;
  readonly hosts: readonly (string | undefined)[];
  readonly tasks: { readonly desired?: number; readonly min?: number; readonly max?: number };
  readonly schedule?: { readonly sleepAt?: unknown; readonly wakeAt?: unknown };
  readonly listener?: { readonly shard: number; readonly priority: number };
  readonly primaryHost?: string;
  readonly dnsZone?: { readonly domain: string; readonly hostedZoneId: string };
}
interface IndexedCandidate {
  readonly index: number;
  readonly candidate: Candidate;
}

function asCandidate(raw: unknown): Candidate {
  const r = (raw ?? {}) as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === "number" ? v : undefined);
  const tasks = (r.tasks ?? {}) as Record<string, unknown>;
  const listener = r.listener as Record<string, unknown> | undefined;
  return {
    id: typeof r.id === "string" ? r.id : undefined,
    hosts: Array.isArray(r.hosts) ? r.hosts.map((h) => (typeof h === "string" ? h : undefined)) : [],
    tasks: { desired: num(tasks.desired), min: num(tasks.min), max: num(tasks.max) },
    schedule: r.schedule && typeof r.schedule === "object" ? r.schedule : undefined,
    listener:
      listener && typeof listener.shard === "number" && typeof listener.priority === "number"
        ? { shard: listener.shard, priority: listener.priority }
        : undefined,
    primaryHost: typeof r.primaryHost === "string" ? r.primaryHost : undefined,
    dnsZone:
      r.dnsZone && typeof (r.dnsZone as Record<string, unknown>).domain === "string"
        ? (r.dnsZone as { domain: string; hostedZoneId: string })
        : undefined,
  };
}

interface EntryProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

/** Rules within one entry that the schema alone cannot express. */
function entryProblems(entry: Candidate, environment: string): EntryProblem[] {
  const problems: EntryProblem[] = [];
  if (entry.id !== undefined && RESERVED_IDS.has(entry.id)) {
    problems.push({ path: ["id"], message: `"${entry.id}" is reserved; choose another id` });
  }
  const { desired, min, max } = entry.tasks;
  if (min !== undefined && max !== undefined && min > max) {
    problems.push({ path: ["tasks", "min"], message: `min (${min}) is greater than max (${max})` });
  }
  if (
    desired !== undefined &&
    ((min !== undefined && desired < min) || (max !== undefined && desired > max))
  ) {
    problems.push({
      path: ["tasks", "desired"],
      message: `desired (${desired}) is outside [min ${min ?? "-"}, max ${max ?? "-"}]`,
    });
  }
  if (entry.schedule && environment === "prod") {
    problems.push({
      path: ["schedule"],
      message: "scale-to-zero schedules are for dev and test; a production site stays up",
    });
  }
  const hosts = entry.hosts.filter((h): h is string => h !== undefined);
  problems.push(...entryEdgeProblems({ hosts, primaryHost: entry.primaryHost, dnsZone: entry.dnsZone }));
  if (entry.schedule && entry.schedule.sleepAt === entry.schedule.wakeAt) {
    problems.push({
      path: ["schedule", "wakeAt"],
      message: "wakeAt equals sleepAt; the site would never sleep",
    });
  }
  return problems;
}

/** Rules across entries: unique ids, unique hosts, unique listener slots. */
function crossEntryProblems(entries: readonly IndexedCandidate[]): (EntryProblem & { index: number })[] {
  const problems: (EntryProblem & { index: number })[] = [];
  const firstId = new Map<string, number>();
  const firstHost = new Map<string, { index: number; id: string }>();
  const firstSlot = new Map<string, { index: number; id: string }>();
  for (const { index, candidate: entry } of entries) {
    const id = entry.id;
    if (id === undefined) continue;
    const previous = firstId.get(id);
    if (previous !== undefined)
      problems.push({
        index,
        path: ["id"],
        message: `duplicate id; tenants[${previous}] already uses "${id}"`,
      });
    else firstId.set(id, index);

    entry.hosts.forEach((host, h) => {
      if (host === undefined) return;
      // `Shop.Example.com.` and `shop.example.com` are one name to DNS and to the ALB.
      const key = normalizeHost(host);
      const owner = firstHost.get(key);
      if (owner && owner.id !== id) {
        problems.push({
          index,
          path: ["hosts", h],
          message: `host "${host}" is already served by tenant "${owner.id}" (tenants[${owner.index}])`,
        });
      } else if (owner) {
        problems.push({ index, path: ["hosts", h], message: `host "${host}" is listed twice` });
      } else firstHost.set(key, { index, id });
    });

    if (entry.listener) {
      const key = `${entry.listener.shard}/${entry.listener.priority}`;
      const owner = firstSlot.get(key);
      if (owner) {
        problems.push({
          index,
          path: ["listener", "priority"],
          message: `priority ${entry.listener.priority} on shard ${entry.listener.shard} is already used by tenant "${owner.id}"`,
        });
      } else firstSlot.set(key, { index, id });
    }
  }
  return problems;
}
