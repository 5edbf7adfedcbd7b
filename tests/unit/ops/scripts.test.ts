/**
 * The maintenance scripts run for real with `sh` against a temporary directory standing in for
 * the file system root; chown, mysql and mysqldump are shims (no root, no database needed).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import { ADMIN_MOUNT_PATH } from "../../../components/shared/maintenance";
import {
  DB_COPY_EXIT,
  DB_COPY_SCRIPT,
  ROLLBACK_FILES_SCRIPT,
  SWAP_EXIT,
  SWAP_SCRIPT,
} from "../../../ops/scripts";

const STAMP = "20250601-120000";

describe("ops maintenance scripts (run with sh)", function () {
  if (process.platform === "win32") return;
  let root: string;
  let bin: string;
  let log: string;
  /** The db-copy container's own /tmp (the task mounts no file system). */
  let tmp: string;

  beforeEach(() => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bbws-scripts-"));
    root = path.join(dir, "efs");
    bin = path.join(dir, "bin");
    log = path.join(dir, "calls.log");
    tmp = path.join(dir, "tmp");
    fs.mkdirSync(root);
    fs.mkdirSync(bin);
    fs.mkdirSync(tmp);
    fs.writeFileSync(log, "");
    shim("chown", `echo "chown $*" >> ${log}`);
  });

  function shim(name: string, body: string): void {
    fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  }
  function write(relative: string, content = relative): void {
    fs.mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
    fs.writeFileSync(path.join(root, relative), content);
  }
  const exists = (relative: string) => fs.existsSync(path.join(root, relative));
  const read = (relative: string) => fs.readFileSync(path.join(root, relative), "utf8");
  function run(
    script: string,
    env: Record<string, string> = {},
  ): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync("sh", ["-c", script.replace(`root=${ADMIN_MOUNT_PATH}`, `root=${root}`)], {
      env: {
        PATH: `${bin}:${process.env.PATH ?? ""}`,
        TENANT_ID: "acme",
        RESTORE_STAMP: STAMP,
        TMPDIR: tmp,
        ...env,
      },
      encoding: "utf8",
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }
  /** Two restore directories: an older one from an earlier attempt and the newest. */
  function restoredCopies(): void {
    write("aws-backup-restore_2025-05-01T10-00-00-000Z/tenants/acme/stale.txt");
    write("aws-backup-restore_2025-06-01T11-59-00-000Z/tenants/acme/wp-content.txt", "restored");
    const old = new Date("2025-05-01T10:00:00Z");
    fs.utimesSync(path.join(root, "aws-backup-restore_2025-05-01T10-00-00-000Z"), old, old);
  }

  describe("swap", () => {
    it("moves the live directory aside and the newest restored copy in, owned by 33:33, and removes the empty restore directory", () => {
      write("tenants/acme/wp-content.txt", "live");
      write("tenants/globex/wp-content.txt", "other tenant");
      restoredCopies();
      const result = run(SWAP_SCRIPT);
      expect(result.status, result.stderr).to.equal(0);
      expect(read("tenants/acme/wp-content.txt")).to.equal("restored");
      expect(read(`tenants/.previous/acme-${STAMP}/wp-content.txt`)).to.equal("live");
      expect(read("tenants/globex/wp-content.txt")).to.equal("other tenant");
      expect(exists("aws-backup-restore_2025-06-01T11-59-00-000Z")).to.equal(false);
      expect(exists("aws-backup-restore_2025-05-01T10-00-00-000Z/tenants/acme/stale.txt")).to.equal(true);
      // -h: a link in restored (tenant) content is changed itself, never what it points at.
      expect(fs.readFileSync(log, "utf8")).to.equal(
        `chown -R -h 33:33 ${root}/aws-backup-restore_2025-06-01T11-59-00-000Z/tenants/acme\n`,
      );
    });

    it("never takes a restored copy that is a symbolic link (it could point at another tenant's directory)", () => {
      write("tenants/acme/wp-content.txt", "live");
      write("tenants/globex/wp-content.txt", "other tenant");
      fs.mkdirSync(path.join(root, "aws-backup-restore_2025-06-01T11-59-00-000Z/tenants"), {
        recursive: true,
      });
      fs.symlinkSync(
        path.join(root, "tenants/globex"),
        path.join(root, "aws-backup-restore_2025-06-01T11-59-00-000Z/tenants/acme"),
      );
      const result = run(SWAP_SCRIPT);
      expect(result.status).to.equal(SWAP_EXIT.noRestoredCopy);
      expect(read("tenants/acme/wp-content.txt")).to.equal("live");
      expect(read("tenants/globex/wp-content.txt")).to.equal("other tenant");
      expect(fs.readFileSync(log, "utf8")).to.equal("");
    });

    for (const [what, env] of [
      ["a tenant id with a path in it", { TENANT_ID: "../globex" }],
      ["a tenant id that is an option", { TENANT_ID: "-rf" }],
      ["a stamp with a glob", { RESTORE_STAMP: "*" }],
    ] as const) {
      it(`refuses ${what} before touching anything`, () => {
        write("tenants/acme/wp-content.txt", "live");
        restoredCopies();
        for (const script of [SWAP_SCRIPT, ROLLBACK_FILES_SCRIPT, DB_COPY_SCRIPT]) {
          const result = run(script, { DB_NAME: "wp_acme", ...env });
          expect(result.status, script.slice(0, 40)).to.equal(64);
        }
        expect(read("tenants/acme/wp-content.txt")).to.equal("live");
        expect(fs.readFileSync(log, "utf8")).to.equal("");
      });
    }

    it(`exits ${SWAP_EXIT.noRestoredCopy} and touches nothing when no restored copy exists`, () => {
      write("tenants/acme/wp-content.txt", "live");
      write("aws-backup-restore_2025-06-01T11-59-00-000Z/tenants/globex/x.txt");
      const result = run(SWAP_SCRIPT);
      expect(result.status).to.equal(SWAP_EXIT.noRestoredCopy);
      expect(read("tenants/acme/wp-content.txt")).to.equal("live");
      expect(exists("tenants/.previous")).to.equal(false);
    });

    it(`exits ${SWAP_EXIT.movedBack} and puts the live directory back when the restored copy cannot be moved in`, () => {
      write("tenants/acme/wp-content.txt", "live");
      restoredCopies();
      shim("mv", `case "$1" in *aws-backup-restore_*) exit 1;; esac\nexec /bin/mv "$@"`);
      const result = run(SWAP_SCRIPT);
      expect(result.status).to.equal(SWAP_EXIT.movedBack);
      expect(read("tenants/acme/wp-content.txt")).to.equal("live");
      expect(exists(`tenants/.previous/acme-${STAMP}`)).to.equal(false);
    });
  });

  describe("rollback", () => {
    it("puts the previous directory back and keeps the restored one in the restore's work directory", () => {
      write("tenants/acme/wp-content.txt", "live");
      restoredCopies();
      expect(run(SWAP_SCRIPT).status).to.equal(0);
      const result = run(ROLLBACK_FILES_SCRIPT);
      expect(result.status, result.stderr).to.equal(0);
      expect(read("tenants/acme/wp-content.txt")).to.equal("live");
      expect(read(`restore/acme-${STAMP}/files/wp-content.txt`)).to.equal("restored");
      expect(exists(`tenants/.previous/acme-${STAMP}`)).to.equal(false);
    });

    it("brings the previous directory back when a swap died between its two moves", () => {
      write(`tenants/.previous/acme-${STAMP}/wp-content.txt`, "live");
      expect(run(ROLLBACK_FILES_SCRIPT).status).to.equal(0);
      expect(read("tenants/acme/wp-content.txt")).to.equal("live");
    });

    it("does nothing when nothing was swapped", () => {
      write("tenants/acme/wp-content.txt", "live");
      const result = run(ROLLBACK_FILES_SCRIPT);
      expect(result.status).to.equal(0);
      expect(result.stdout).to.include("nothing to roll back");
      expect(read("tenants/acme/wp-content.txt")).to.equal("live");
    });
  });

  describe("database copy", () => {
    const env = {
      DB_NAME: "wp_acme",
      SOURCE_HOST: "temporary.cluster",
      LIVE_HOST: "live.cluster",
      DB_PORT: "3306",
      DB_USER: "wp_acme",
      MYSQL_PWD: "not-on-any-command-line",
    };
    beforeEach(() => {
      // mysqldump: prints which host it dumped; FAIL_DUMP names a host whose dump fails.
      shim(
        "mysqldump",
        `for a in "$@"; do case "$a" in --host=*) host="\${a#--host=}";; esac; done
echo "mysqldump $*" >> ${log}
[ "$host" = "\${FAIL_DUMP:-}" ] && exit 2
echo "-- dump of $host"`,
      );
      // mysql: -N lists the drops; otherwise it imports stdin. FAIL_IMPORT names dumps whose import fails.
      shim(
        "mysql",
        `case " $* " in *" -N "*) echo "query: $*" >> ${log}; echo "DROP TABLE IF EXISTS \\\`wp_plugin_table\\\`;"; exit 0;; esac
input=$(cat)
echo "import: $input" | tr '\\n' ' ' >> ${log}; echo >> ${log}
case "$input" in *"dump of temporary.cluster"*) [ "\${FAIL_IMPORT:-}" = restored ] || [ "\${FAIL_IMPORT:-}" = both ] && exit 1;; esac
case "$input" in *"dump of live.cluster"*) [ "\${FAIL_IMPORT:-}" = both ] && exit 1;; esac
exit 0`,
      );
    });
    const imports = () =>
      fs
        .readFileSync(log, "utf8")
        .split("\n")
        .filter((l) => l.startsWith("import:"))
        .map((l) => l.replace(/\s+/g, " ").trim());

    it("dumps both schemas first into its own /tmp, drops every live table, imports the restored dump, never touching the file system", () => {
      const result = run(DB_COPY_SCRIPT, env);
      expect(result.status, result.stderr).to.equal(0);
      const work = path.join(tmp, `bbws-restore-acme-${STAMP}`);
      expect(fs.readFileSync(path.join(work, "restored.sql"), "utf8")).to.equal(
        "-- dump of temporary.cluster\n",
      );
      expect(fs.readFileSync(path.join(work, "previous.sql"), "utf8")).to.equal("-- dump of live.cluster\n");
      expect(fs.readdirSync(root)).to.deep.equal([]);
      expect(imports()).to.deep.equal([
        "import: SET FOREIGN_KEY_CHECKS=0; DROP TABLE IF EXISTS `wp_plugin_table`;",
        "import: -- dump of temporary.cluster",
      ]);
      const queries = fs
        .readFileSync(log, "utf8")
        .split("\n")
        .filter((l) => l.startsWith("query:"));
      expect(queries).to.deep.equal([
        "query: --user=wp_acme --port=3306 --host=live.cluster --ssl-mode=REQUIRED --commands=OFF --default-character-set=utf8mb4 -N -e " +
          "SELECT CONCAT('DROP ', IF(table_type = 'VIEW', 'VIEW', 'TABLE'), ' IF EXISTS `', table_name, '`;') " +
          "FROM information_schema.tables WHERE table_schema = 'wp_acme'",
      ]);
      const dumps = fs
        .readFileSync(log, "utf8")
        .split("\n")
        .filter((l) => l.startsWith("mysqldump"));
      expect(dumps).to.have.length(2);
      for (const line of dumps) {
        expect(line)
          .to.include("--single-transaction")
          .and.include("--no-tablespaces")
          .and.include("--ssl-mode=REQUIRED")
          .and.include("--user=wp_acme");
        expect(line).to.not.include("not-on-any-command-line");
      }
    });

    it(`exits ${DB_COPY_EXIT.sourceDumpFailed} without touching the live schema when the restored schema cannot be dumped`, () => {
      expect(run(DB_COPY_SCRIPT, { ...env, FAIL_DUMP: "temporary.cluster" }).status).to.equal(
        DB_COPY_EXIT.sourceDumpFailed,
      );
      expect(imports()).to.deep.equal([]);
    });

    it(`exits ${DB_COPY_EXIT.liveDumpFailed} without touching the live schema when the live schema cannot be dumped`, () => {
      expect(run(DB_COPY_SCRIPT, { ...env, FAIL_DUMP: "live.cluster" }).status).to.equal(
        DB_COPY_EXIT.liveDumpFailed,
      );
      expect(imports()).to.deep.equal([]);
    });

    it(`exits ${DB_COPY_EXIT.importFailedPutBack} after importing the previous dump back when the import fails`, () => {
      expect(run(DB_COPY_SCRIPT, { ...env, FAIL_IMPORT: "restored" }).status).to.equal(
        DB_COPY_EXIT.importFailedPutBack,
      );
      expect(imports().filter((l) => !l.includes("DROP"))).to.deep.equal([
        "import: -- dump of temporary.cluster",
        "import: -- dump of live.cluster",
      ]);
    });

    it(`exits ${DB_COPY_EXIT.importFailedNotPutBack} when putting the previous dump back fails too`, () => {
      expect(run(DB_COPY_SCRIPT, { ...env, FAIL_IMPORT: "both" }).status).to.equal(
        DB_COPY_EXIT.importFailedNotPutBack,
      );
    });
  });

  it("fit in RunTask overrides (8 KiB in all) with room to spare", () => {
    for (const script of [SWAP_SCRIPT, ROLLBACK_FILES_SCRIPT, DB_COPY_SCRIPT])
      expect(Buffer.byteLength(script)).to.be.below(4096);
  });
});
