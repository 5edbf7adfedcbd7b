/**
 * The repository root: where `Pulumi.yaml`, the stack files, `tenants/<env>.yaml` and the
 * git-ignored `.workspaces/` live. Written once so no module counts `..` of its own.
 */
import * as fs from "fs";
import * as path from "path";

/**
 * The nearest folder at or above `start` that holds `Pulumi.yaml`. The same answer from the
 * sources (ts-node, mocha) and from the compiled modules in `dist/` (npm scripts).
 */
export function findProjectDir(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
    if (path.dirname(dir) === dir)
      throw new Error(`no Pulumi.yaml at or above ${start}: not inside the BBWS project`);
  }
}

/** Absolute path of the repository root. */
export const PROJECT_DIR = findProjectDir(__dirname);
