/**
 * Tombstones: what each removal of a tenant left behind, and where, kept in a tracked file beside
 * the registry (`tenants/<env>.yaml` -> `tenants/<env>.tombstones.yaml`). Removing a tenant
 * without `--purge` keeps its schema (user locked), its EFS directory, its secrets for their
 * recovery window and its final backup; a later `add` of the same id would otherwise attach a
 * new customer to the old one's database and files. `add` reads the tombstones and refuses an
 * id whose data is retained, unless the operator purges it (`remove --purge`) or adopts it on
 * purpose (`add --adopt-retained-data`).
 *
 * The file is a history, append-only: one record per event (`removed`, `purged`, `adopted`);
 * the newest record of an id says where its data stands. Tombstones are registry-side data, not
 * simulated results: `--offline` writes them exactly as a real run does. Writes are atomic
 * (lib/atomicWrite.ts) and keep the file's comments.
 */
import * as fs from "fs";
import * as path from "path";
import { isSeq, parseDocument } from "yaml";
import { z } from "zod";
import { databaseName, databaseUser, secretName, tenantRootDirectory } from "../../config/naming";
import { writeFileAtomic } from "../../lib/atomicWrite";
import { BbwsError } from "../../lib/errors";

/** What happened to a tenant id's data. */
export const TOMBSTONE_EVENTS = ["removed", "purged", "adopted"] as const;
export type TombstoneEvent = (typeof TOMBSTONE_EVENTS)[number];

const text = z.string().min(1);

/** What a removal kept, and where. */
export const retainedSchema = z
  .object({
    /** The schema and its user, still on the environment's Aurora cluster. */
    database: z.object({ schema: text, user: text, userLocked: z.boolean() }).strict().optional(),
    /** Paths on the environment's shared EFS file system (glob suffixes for what restores kept). */
    files: z
      .object({ paths: z.array(text).min(1) })
      .strict()
      .optional(),
    /** Secrets Manager secrets (name prefixes), recoverable until `deletedAfter`. */
    secrets: z
      .object({
        names: z.array(text).min(1),
        recoveryWindowDays: z.number().int().min(7).max(30),
        deletedAfter: text,
      })
      .strict()
      .optional(),
  })
  .strict();

/** One record of the tombstone file. */
export const tombstoneSchema = z
  .object({
    id: text,
    event: z.enum(TOMBSTONE_EVENTS),
    /** ISO time of the event. */
    at: text,
    /** What is retained (after `removed`). */
    retained: retainedSchema.optional(),
    /** The final backup taken before the removal or purge: recovery points of the primary vault. */
    finalBackup: z
      .object({ recoveryPoints: z.array(text) })
      .strict()
      .optional(),
    /** One line for people: why or how (e.g. the command that did it). */
    note: z.string().optional(),
  })
  .strict();

/** One record of the tombstone file. */
export type Tombstone = z.infer<typeof tombstoneSchema>;
/** What a removal kept. */
export type Retained = z.infer<typeof retainedSchema>;

const fileSchema = z.object({ tombstones: z.array(tombstoneSchema).nullable().optional() }).strict();

const HEADER =
  "Tombstones of removed tenants: what each removal kept and where (written by `npm run tenants -- remove`).\n" +
  "`tenants add` refuses an id whose data is kept here, unless you `remove <env> <id> --purge` it or\n" +
  "`add ... --adopt-retained-data` on purpose. Append-only history: the newest record of an id counts.";

/** The tombstone file of a registry file: `dev.yaml` -> `dev.tombstones.yaml`, in the same directory. */
export function tombstonePath(registryFile: string): string {
  const dir = path.dirname(registryFile);
  const base = path.basename(registryFile).replace(/\.ya?ml$/i, "");
  return path.join(dir, `${base}.tombstones.yaml`);
}

/** A file name for messages: relative to the working directory when it lies below it. */
function display(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith("..") ? relative : file;
}

/** The tombstones of a file (none when it does not exist); BbwsError (invalidInput) when it is malformed. */
export function loadTombstones(file: string): Tombstone[] {
  if (!fs.existsSync(file)) return [];
  return parseTombstones(fs.readFileSync(file, "utf8"), display(file));
}

/** Parses tombstone file text; `file` is for messages. */
export function parseTombstones(source: string, file: string): Tombstone[] {
  const document = parseDocument(source);
  if (document.errors.length > 0) {
    throw new BbwsError(
      "invalidInput",
      `${file} is not valid YAML (${document.errors[0].message.split("\n")[0]}); nothing was changed`,
    );
  }
  const parsed = fileSchema.safeParse(document.toJS() ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BbwsError(
      "invalidInput",
      `${file} is invalid at ${issue.path.join(".") || "(root)"}: ${issue.message}; nothing was changed`,
    );
  }
  return parsed.data.tombstones ?? [];
}

/** Appends one record, atomically, keeping the file's comments; validates the result first. */
export function appendTombstone(file: string, tombstone: Tombstone): void {
  const record = tombstoneSchema.parse(dropUndefined(tombstone));
  const existing = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
  if (existing !== undefined) parseTombstones(existing, display(file));
  const document = parseDocument(existing ?? "tombstones: []\n");
  if (existing === undefined) document.commentBefore = HEADER.replace(/^/gm, " ");
  let list = document.get("tombstones", true);
  if (!isSeq(list)) {
    document.set("tombstones", document.createNode([]));
    list = document.get("tombstones", true);
  }
  if (!isSeq(list)) throw new Error(`${display(file)} has no tombstones list`);
  list.flow = false;
  list.items.push(document.createNode(record));
  const rendered = document.toString({ lineWidth: 0 });
  parseTombstones(rendered, display(file));
  writeFileAtomic(file, rendered);
}

/** The newest record of `tenantId`, if any. */
export function latestTombstone(tombstones: readonly Tombstone[], tenantId: string): Tombstone | undefined {
  for (let i = tombstones.length - 1; i >= 0; i--) if (tombstones[i].id === tenantId) return tombstones[i];
  return undefined;
}

/**
 * The removal whose data a new tenant of this id would inherit (its newest record is `removed`
 * and keeps the schema or files), if any.
 */
export function retainedData(tombstones: readonly Tombstone[], tenantId: string): Tombstone | undefined {
  const latest = latestTombstone(tombstones, tenantId);
  return latest?.event === "removed" && holdsTenantData(latest) ? latest : undefined;
}

/** What a removal keeps, as a tombstone's `retained` (data dropped by a purge update is left out). */
export function retainedAfterRemoval(args: {
  readonly environment: string;
  readonly tenantId: string;
  /** The stack's destroy dropped the schema and user (`remove --purge`). */
  readonly databaseDropped: boolean;
  /** The files were deleted. */
  readonly filesDeleted: boolean;
  /** Days the secrets stay recoverable (7, or 30 where the environment protects data). */
  readonly recoveryWindowDays: number;
  /** When the removal happened (the secrets' deletion was scheduled). */
  readonly at: Date;
}): Retained {
  const { environment, tenantId } = args;
  const deletedAfter = new Date(args.at.getTime() + args.recoveryWindowDays * 86_400_000).toISOString();
  return dropUndefined({
    database: args.databaseDropped
      ? undefined
      : { schema: databaseName(tenantId), user: databaseUser(tenantId), userLocked: true },
    files: args.filesDeleted
      ? undefined
      : {
          paths: [
            tenantRootDirectory(tenantId),
            `/tenants/.previous/${tenantId}-<stamp>`,
            `/restore/${tenantId}-<stamp>`,
          ],
        },
    secrets: {
      names: [
        `${secretName(environment, tenantId, "db")}-*`,
        `${secretName(environment, tenantId, "wordpress-keys")}-*`,
      ],
      recoveryWindowDays: args.recoveryWindowDays,
      deletedAfter,
    },
  });
}

/** What a tombstone says is retained, one phrase per kind of data. */
export function describeRetained(tombstone: Tombstone): string[] {
  const r = tombstone.retained ?? {};
  const lines: string[] = [];
  if (r.database)
    lines.push(
      `database ${r.database.schema} (user ${r.database.user}${r.database.userLocked ? ", locked" : ""}) on the environment's Aurora cluster`,
    );
  if (r.files) lines.push(`files ${r.files.paths.join(", ")} on the environment's shared EFS file system`);
  if (r.secrets)
    lines.push(
      `secrets ${r.secrets.names.join(", ")} (recoverable for ${r.secrets.recoveryWindowDays} days, until ${r.secrets.deletedAfter})`,
    );
  if (tombstone.finalBackup?.recoveryPoints.length)
    lines.push(`final backup: ${tombstone.finalBackup.recoveryPoints.join(", ")}`);
  return lines;
}

/** True when a removal left data that a new tenant with the same id would inherit (schema or files). */
export function holdsTenantData(tombstone: Tombstone): boolean {
  return Boolean(tombstone.retained?.database || tombstone.retained?.files);
}

/** The path of a tombstone file, for messages. */
export function tombstoneDisplay(file: string): string {
  return display(file);
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
