/**
 * The shell scripts the one-off maintenance tasks run (given through RunTask overrides, so
 * they must stay well under the 8 KiB overrides limit). Values arrive as environment variables,
 * never spliced into the script text, and are checked before anything runs. Each failure mode
 * has its own exit code, so ops knows what state the tenant was left in without reading the logs.
 *
 * The file scripts (swap, rollback, purge) run as root on the whole file system (the
 * administrative access point, see components/shared/maintenance.ts); each touches only these
 * paths, seen from the file system root mounted at ADMIN_MOUNT_PATH, and never follows a
 * symbolic link found in restored (tenant-controlled) content:
 *   /tenants/<id>                       the live directory (the tenant's access point root)
 *   /aws-backup-restore_<datetime>/     where AWS Backup puts item-level restores
 *   /tenants/.previous/<id>-<stamp>     the live directory, moved aside by the swap
 *   /restore/<id>-<stamp>/              what a rolled-back swap keeps
 *
 * The database copy runs in the db-copy task, which mounts no file system: its dumps live in
 * the container's own /tmp and go with the task.
 */
import { ADMIN_MOUNT_PATH } from "../components/shared/maintenance";

/** What a script exit code means. */
export interface ExitMeaning {
  readonly message: string;
  /** True when the script guarantees it changed nothing live (or put it back). */
  readonly liveIntact: boolean;
}

/** Swap exit codes. */
export const SWAP_EXIT = { noRestoredCopy: 10, movedBack: 11 } as const;
/** Database copy exit codes. */
export const DB_COPY_EXIT = {
  sourceDumpFailed: 20,
  liveDumpFailed: 21,
  importFailedPutBack: 22,
  importFailedNotPutBack: 23,
} as const;

/** Paths of one restore, as seen from the file system root. */
export function restorePaths(tenantId: string, stamp: string) {
  return {
    live: `/tenants/${tenantId}`,
    previous: `/tenants/.previous/${tenantId}-${stamp}`,
    workDir: `/restore/${tenantId}-${stamp}`,
    /** Where a rolled-back swap keeps the restored files. */
    rolledBackFiles: `/restore/${tenantId}-${stamp}/files`,
  };
}

/** Refuses a tenant id or stamp that is not what ops sends (no `/`, no `..`, no glob). */
const CHECK_INPUT = `case "$TENANT_ID" in ""|-*|*[!a-z0-9-]*) echo "refusing tenant id '$TENANT_ID'" >&2; exit 64;; esac
case "$RESTORE_STAMP" in [0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9][0-9][0-9]) ;; *) echo "refusing stamp '$RESTORE_STAMP'" >&2; exit 64;; esac
`;

const PRELUDE = `set -eu
${CHECK_INPUT}root=${ADMIN_MOUNT_PATH}
live="$root/tenants/$TENANT_ID"
previous="$root/tenants/.previous/$TENANT_ID-$RESTORE_STAMP"
work="$root/restore/$TENANT_ID-$RESTORE_STAMP"
`;

/**
 * Moves the live directory aside and the newest restored copy into its place, owned by
 * www-data (33:33). Ownership is fixed before anything live moves; if the second move fails
 * the first is undone. The restored copy comes from tenant content: it must be a real
 * directory (not a link), and `chown -h` changes links themselves, never what they point at,
 * so a link in a tenant's uploads cannot hand another tenant's files to anyone.
 */
export const SWAP_SCRIPT = `${PRELUDE}src=""
# Newest restore directory first: several may hold this tenant after earlier attempts.
for d in $(ls -dt "$root"/aws-backup-restore_* 2>/dev/null); do
  if [ -d "$d/tenants/$TENANT_ID" ] && [ ! -L "$d/tenants/$TENANT_ID" ] && [ ! -L "$d/tenants" ]; then src="$d/tenants/$TENANT_ID"; break; fi
done
if [ -z "$src" ]; then echo "no restored copy of tenants/$TENANT_ID under $root/aws-backup-restore_*" >&2; exit ${SWAP_EXIT.noRestoredCopy}; fi
echo "restored copy: $src"
chown -R -h 33:33 "$src"
mkdir -p "$root/tenants/.previous"
if [ -e "$live" ]; then mv "$live" "$previous"; echo "previous content: $previous"; fi
if ! mv "$src" "$live"; then
  if [ -e "$previous" ]; then mv "$previous" "$live"; fi
  echo "could not move the restored copy into place; previous content put back" >&2
  exit ${SWAP_EXIT.movedBack}
fi
chmod 755 "$live"
rmdir "$(dirname "$src")" "$(dirname "$(dirname "$src")")" 2>/dev/null || true
echo "swapped"
`;

/**
 * Undoes a swap: the live directory (the restored copy) goes to the restore's work directory and
 * the previous content comes back. Safe to run when nothing was swapped (no previous: no-op).
 */
export const ROLLBACK_FILES_SCRIPT = `${PRELUDE}if [ ! -e "$previous" ]; then echo "nothing to roll back"; exit 0; fi
mkdir -p "$work"
if [ -e "$live" ]; then mv "$live" "$work/files"; echo "restored copy kept at $work/files"; fi
mv "$previous" "$live"
echo "previous content is live again"
`;

/**
 * Copies one schema from the temporary cluster into the live one with the tenant's own user
 * (MYSQL_PWD and DB_USER come from the tenant's secret), over TLS (both clusters require it).
 * Both dumps are taken, into the container's own /tmp, before anything live changes; a failed
 * import puts the previous dump back. The restored dump is tenant data that the client reads
 * as commands: `--commands=OFF` turns off the client's own commands (`\\! shell`, `source`...,
 * MySQL WL#16949), and the task has no file system, no AWS permission and no root to reach.
 */
export const DB_COPY_SCRIPT = `set -eu
${CHECK_INPUT}case "$DB_NAME" in ""|*[!a-z0-9_]*) echo "refusing schema '$DB_NAME'" >&2; exit 64;; esac
work="\${TMPDIR:-/tmp}/bbws-restore-$TENANT_ID-$RESTORE_STAMP"
mkdir -p "$work"
# No PROCESS privilege (tablespaces) and no GTID statements: the tenant user has neither right.
dump="mysqldump --user=$DB_USER --port=$DB_PORT --ssl-mode=REQUIRED --single-transaction --no-tablespaces --set-gtid-purged=OFF --hex-blob --default-character-set=utf8mb4"
client="mysql --user=$DB_USER --port=$DB_PORT --host=$LIVE_HOST --ssl-mode=REQUIRED --commands=OFF --default-character-set=utf8mb4"
$dump --host="$SOURCE_HOST" "$DB_NAME" > "$work/restored.sql" || { echo "dump of the restored schema failed" >&2; exit ${DB_COPY_EXIT.sourceDumpFailed}; }
$dump --host="$LIVE_HOST" "$DB_NAME" > "$work/previous.sql" || { echo "dump of the live schema failed" >&2; exit ${DB_COPY_EXIT.liveDumpFailed}; }
# Tables created after the backup (a plugin installed since) must go too: drop everything first.
drop_all() {
  $client -N -e "SELECT CONCAT('DROP ', IF(table_type = 'VIEW', 'VIEW', 'TABLE'), ' IF EXISTS \\\`', table_name, '\\\`;') FROM information_schema.tables WHERE table_schema = '$DB_NAME'" > "$work/drop.sql" || return 1
  { echo "SET FOREIGN_KEY_CHECKS=0;"; cat "$work/drop.sql"; } | $client "$DB_NAME"
}
if drop_all && $client "$DB_NAME" < "$work/restored.sql"; then echo "schema $DB_NAME restored"; exit 0; fi
echo "import failed; putting the previous content back" >&2
if drop_all && $client "$DB_NAME" < "$work/previous.sql"; then exit ${DB_COPY_EXIT.importFailedPutBack}; fi
exit ${DB_COPY_EXIT.importFailedNotPutBack}
`;

/** Meaning of a swap exit code. */
export function swapExitMeaning(code: number): ExitMeaning {
  switch (code) {
    case SWAP_EXIT.noRestoredCopy:
      return {
        message: "no restored copy of the tenant's directory was found on the file system",
        liveIntact: true,
      };
    case SWAP_EXIT.movedBack:
      return {
        message: "the restored copy could not be moved into place; the previous content was put back",
        liveIntact: true,
      };
    default:
      return { message: `the swap task exited ${code}`, liveIntact: false };
  }
}

/** Meaning of a database copy exit code. */
export function dbCopyExitMeaning(code: number): ExitMeaning {
  switch (code) {
    case DB_COPY_EXIT.sourceDumpFailed:
      return { message: "the dump of the restored schema failed (nothing live changed)", liveIntact: true };
    case DB_COPY_EXIT.liveDumpFailed:
      return { message: "the dump of the live schema failed (nothing live changed)", liveIntact: true };
    case DB_COPY_EXIT.importFailedPutBack:
      return { message: "the import failed; the previous content was imported back", liveIntact: true };
    case DB_COPY_EXIT.importFailedNotPutBack:
      return {
        message: "the import failed and putting the previous content back failed too",
        liveIntact: false,
      };
    default:
      return { message: `the database copy task exited ${code}`, liveIntact: false };
  }
}

/** Exit code of the purge script when it refuses its input. */
export const PURGE_EXIT = { refused: 30 } as const;

/** Glob of the suffix restores add to what they keep (`-<YYYYMMDD-HHMMSS>`, see restore.ts). */
const STAMP_GLOB = "-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9][0-9][0-9]";

/**
 * Deletes a removed tenant's files: its live directory and what its restores kept aside
 * (`/tenants/.previous/<id>-<stamp>`, `/restore/<id>-<stamp>`). The stamp glob has a fixed
 * length, so tenant `acme` never matches `acme-2-<stamp>` of tenant `acme-2`. Deleting what is
 * already gone succeeds: a re-run after an interruption finishes the job.
 */
export const PURGE_SCRIPT = `set -eu
root=${ADMIN_MOUNT_PATH}
case "$TENANT_ID" in ""|-*|*[!a-z0-9-]*) echo "refusing tenant id '$TENANT_ID'" >&2; exit ${PURGE_EXIT.refused};; esac
for path in "$root/tenants/$TENANT_ID" "$root/tenants/.previous/$TENANT_ID"${STAMP_GLOB} "$root/restore/$TENANT_ID"${STAMP_GLOB}; do
  if [ -e "$path" ]; then rm -rf -- "$path"; echo "deleted \${path#$root}"; fi
done
echo "no files of $TENANT_ID left"
`;
