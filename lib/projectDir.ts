/**
 * The repository root: where `Pulumi.yaml`, the stack files, `tenants/<env>.yaml` and the
 * git-ignored `.workspaces/` live. Written once so no module counts `..` of its own.
 */
import * as path from "path";

/** Absolute path of the repository root. */
export const PROJECT_DIR = path.resolve(__dirname, "..");
