/**
 * Atomic file replacement: write a temporary file beside the target, then rename it over the
 * target. A reader (or a run interrupted half-way) sees the old file or the new one, never a
 * truncated one: what makes re-running after Ctrl-C safe for the registry and the offline state.
 */
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";

/** Replaces `file` with `text` atomically, keeping the file's permissions. */
export function writeFileAtomic(file: string, text: string): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const mode = fs.existsSync(file) ? fs.statSync(file).mode & 0o777 : 0o644;
  try {
    const fd = fs.openSync(temp, "w", mode);
    try {
      fs.writeFileSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}
