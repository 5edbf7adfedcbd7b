/**
 * Edits of a tenants registry (`tenants/<env>.yaml`) that keep its comments, order and layout:
 * the edit is made on the YAML document (the `yaml` package's Document API), the whole resulting
 * text is validated with the same `parseRegistry` every command uses, and only then written,
 * atomically. A file that changed since it was read is not overwritten (another operator's edit
 * would be lost): the command stops and asks for a re-run.
 */
import * as fs from "fs";
import { Document, YAMLMap, YAMLSeq, isMap, isScalar, isSeq } from "yaml";
import { RegistryError, RegistryProblem, RegistrySnapshot, parseRegistry, readRegistry } from "./load";
import { allocateListenerSlots, allocationOptions } from "./allocate";
import { entryEdgeSettingsProblems } from "./edgeRules";
import { needsTenantCertificate, rulesOf } from "../../config/edgeHosts";
import type { PlatformSettings } from "../../config/platformConfig";
import { assertWithinQuotas, registryQuotaUsage } from "../../config/quotas";
import { resolveTenantSpec } from "../../config/tenantSpec";
import { LastRollout, ListenerSlot, TenantEntry } from "../../config/tenantEntry";
import { writeFileAtomic } from "../../lib/atomicWrite";
import { BbwsError } from "../../lib/errors";

/** The registry loader and what it returns, where the edits of what it read live. */
export type { RegistrySnapshot };
export { readRegistry };

/** Field order of new entries (the order the committed registries use). */
const FIELD_ORDER: readonly (keyof TenantEntry)[] = [
  "id",
  "hosts",
  "size",
  "highAvailability",
  "tasks",
  "image",
  "schedule",
  "listener",
];

/** The registry text with `slots` written into the named entries. */
export function withListenerSlots(
  snapshot: RegistrySnapshot,
  slots: ReadonlyMap<string, ListenerSlot>,
): string {
  const document = editable(snapshot);
  const seq = tenantsOf(document);
  seq.items.forEach((item) => {
    const id = isMap(item) ? item.get("id") : undefined;
    const slot = typeof id === "string" ? slots.get(id) : undefined;
    if (slot && isMap(item))
      item.set("listener", document.createNode({ shard: slot.shard, priority: slot.priority }));
  });
  return render(document);
}

/** Command-line options the fields of a new entry come from (for messages about them). */
const OPTION_OF: Readonly<Record<string, string>> = {
  id: "--id",
  hosts: "--domain",
  size: "--size",
  "tasks.desired": "--desired",
  "tasks.min": "--min",
  "tasks.max": "--max",
  image: "--image",
  highAvailability: "--ha",
};

/**
 * Checks a tenant to be added before anything is written (`tenants add`): the whole registry
 * with the new entry must validate, and the environment with it must stay within its quotas
 * (config/quotas.ts). Problems of the new entry name the command-line option and the value,
 * not a line past the end of the file; problems of existing entries keep their real lines.
 * Throws RegistryError (exit 3) or QuotaExceededError (exit 12).
 */
export function checkAddition(
  snapshot: RegistrySnapshot,
  entry: TenantEntry,
  settings: PlatformSettings,
): void {
  const newIndex = snapshot.registry.tenants.length;
  try {
    parseRegistry(withEntry(snapshot, entry), snapshot.registry.file, snapshot.environment);
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    const problems = error.problems.map((p): RegistryProblem => {
      if (p.index !== newIndex) return p;
      const field = p.field ?? "";
      const option = OPTION_OF[field.replace(/\[\d+\]$/, "")];
      return {
        ...p,
        line: undefined,
        entry: `the new tenant "${entry.id}" (not yet in the file)`,
        field: option ? `${field} (${option})` : field || undefined,
      };
    });
    throw new RegistryError(snapshot.registry.file, problems);
  }
  const edgeProblems = entryEdgeSettingsProblems(entry, settings);
  if (edgeProblems.length > 0) {
    throw new RegistryError(
      snapshot.registry.file,
      edgeProblems.map((p) => {
        const field = p.path
          .map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? part : `.${part}`))
          .join("");
        const option = OPTION_OF[field.replace(/\[\d+\]$/, "")];
        return {
          file: snapshot.registry.file,
          entry: `the new tenant "${entry.id}" (not yet in the file)`,
          field: option ? `${field} (${option})` : field,
          message: p.message,
          index: newIndex,
        };
      }),
    );
  }
  const { entries } = allocateListenerSlots(
    [...snapshot.registry.tenants, entry],
    allocationOptions(settings),
  );
  const tenants = entries.map((e) => {
    const spec = resolveTenantSpec(e, settings);
    return {
      id: e.id,
      shard: e.listener!.shard,
      maxTasks: spec.maxTasks,
      serviceDiscovery: spec.serviceDiscovery,
      rules: rulesOf(e.hosts),
      certificates: needsTenantCertificate({ hosts: e.hosts, domain: settings.domain }) ? 1 : 0,
    };
  });
  assertWithinQuotas(
    registryQuotaUsage(tenants, {
      shards: settings.albShards,
      certificates: "hostedZoneId" in settings.certificate ? 1 : 0,
      quotas: settings.quotas,
      database: settings.database,
    }),
    `adding tenant "${entry.id}" to ${snapshot.registry.file}`,
  );
}

/** The registry text with `entry` appended to the `tenants:` list. */
export function withEntry(snapshot: RegistrySnapshot, entry: TenantEntry): string {
  const document = editable(snapshot);
  const seq = tenantsOf(document);
  // Known fields in the committed order, then any other field the entry has (a field added to
  // the schema is written without an edit here).
  const ordered: Record<string, unknown> = {};
  for (const key of FIELD_ORDER) if (entry[key] !== undefined) ordered[key] = entry[key];
  for (const [key, value] of Object.entries(entry))
    if (value !== undefined && !(key in ordered)) ordered[key] = value;
  const node = document.createNode(ordered) as YAMLMap;
  // Follow the file's layout: block style, and a blank line between entries if it has them.
  seq.flow = false;
  node.spaceBefore =
    seq.items.length > 0 && (seq.items.length === 1 || seq.items.slice(1).some(hasSpaceBefore));
  seq.items.push(node);
  return render(document);
}

/** The registry text without the entry of `tenantId` (its own comments go with it). */
export function withoutEntry(snapshot: RegistrySnapshot, tenantId: string): string {
  const document = editable(snapshot);
  const seq = tenantsOf(document);
  const index = seq.items.findIndex((item) => isMap(item) && item.get("id") === tenantId);
  if (index < 0) return snapshot.text;
  seq.items.splice(index, 1);
  if (index === 0) {
    // Comments above the first entry are parsed as the list's: the last paragraph is the
    // removed entry's own comment, earlier paragraphs are about the list and stay.
    const paragraphs = (seq.commentBefore ?? "").split("\n\n");
    paragraphs.pop();
    seq.commentBefore = paragraphs.length > 0 ? paragraphs.join("\n\n") : undefined;
    const first = seq.items[0] as { spaceBefore?: boolean } | undefined;
    if (first && seq.commentBefore === undefined) first.spaceBefore = false;
  }
  return render(document);
}

/**
 * The registry text with a rollout recorded in the named entry: always its `lastRollout`, and its
 * `image` when given (only a completed rollout changes what the tenant runs).
 */
export function withRollout(
  snapshot: RegistrySnapshot,
  tenantId: string,
  record: { readonly image?: string; readonly lastRollout: LastRollout },
): string {
  const document = editable(snapshot);
  const entry = tenantsOf(document).items.find((item) => isMap(item) && item.get("id") === tenantId);
  if (!isMap(entry))
    throw new BbwsError("invalidInput", `${snapshot.registry.file} has no tenant "${tenantId}"`);
  if (record.image !== undefined) setInOrder(entry, "image", record.image);
  // Dropped values (an absent task definition) must not be written as `null`.
  const lastRollout = Object.fromEntries(
    Object.entries(record.lastRollout).filter(([, v]) => v !== undefined),
  );
  entry.set("lastRollout", document.createNode(lastRollout));
  return render(document);
}

/** Sets `key`, placing a new key where FIELD_ORDER puts it (before the first later field present). */
function setInOrder(entry: YAMLMap, key: keyof TenantEntry, value: unknown): void {
  if (entry.has(key)) {
    entry.set(key, value);
    return;
  }
  const later = FIELD_ORDER.slice(FIELD_ORDER.indexOf(key) + 1);
  const index = entry.items.findIndex((pair) => {
    const name = isScalar(pair.key) ? pair.key.value : pair.key;
    return later.includes(name as keyof TenantEntry);
  });
  entry.set(key, value);
  if (index >= 0) entry.items.splice(index, 0, entry.items.pop()!);
}

/**
 * Validates `text` as the environment's whole registry and writes it atomically. RegistryError
 * (nothing written) when invalid; InvalidInputError when the file changed since `snapshot`.
 */
export function commitRegistry(snapshot: RegistrySnapshot, text: string): RegistrySnapshot {
  const display = snapshot.registry.file;
  const registry = parseRegistry(text, display, snapshot.environment);
  const current = fs.existsSync(snapshot.file) ? fs.readFileSync(snapshot.file, "utf8") : undefined;
  if (current !== snapshot.text) {
    throw new BbwsError(
      "invalidInput",
      `${display} changed while this command ran (another edit?); nothing was written: re-run the command`,
    );
  }
  if (text !== snapshot.text) writeFileAtomic(snapshot.file, text);
  return { ...snapshot, text, registry };
}

function editable(snapshot: RegistrySnapshot): Document {
  // The loaded document keeps comments; a clone leaves the snapshot as it was read.
  return snapshot.registry.document.clone();
}

function tenantsOf(document: Document): YAMLSeq {
  const seq = document.get("tenants", true);
  if (!isSeq(seq)) throw new Error("the registry has no `tenants:` list");
  return seq;
}

function hasSpaceBefore(node: unknown): boolean {
  return Boolean((node as { spaceBefore?: boolean }).spaceBefore);
}

function render(document: Document): string {
  // Never fold long values, and write flow lists as people do (`[a, b]`): untouched entries
  // come out as they went in.
  return document.toString({ lineWidth: 0, flowCollectionPadding: false });
}
