/**
 * Reads a platform stack's configuration, either from the running Pulumi program or from a
 * committed `Pulumi.<stack>.yaml` (the tenant lifecycle and the offline engine need the
 * platform's settings without running it).
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parseDocument } from "yaml";
import { BbwsError } from "../lib/errors";
import { MAX_YAML_ALIASES, describeYamlError, lineAt } from "../lib/yamlErrors";
import { PROJECT_DIR } from "../lib/projectDir";
import { PROJECT, PlatformSettings, RawPlatformConfig, resolvePlatformSettings } from "./platformConfig";

/** Reads and validates the configuration of the running platform program. */
export function readPlatformSettings(): PlatformSettings {
  const values: Record<string, unknown> = {};
  const prefix = `${PROJECT}:`;
  for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
    if (key.startsWith(prefix)) values[key.slice(prefix.length)] = value;
  }
  const region = new pulumi.Config("aws").get("region");
  return resolvePlatformSettings({ stackName: pulumi.getStack(), region, values });
}

/** Stack configuration as a flat map of fully qualified keys to string values. */
export type FlatConfig = Record<string, string>;

/** Reads `Pulumi.<stack>.yaml` from the project directory into raw platform configuration. */
export function readStackFile(
  stackName: string,
  projectDir = PROJECT_DIR,
): { raw: RawPlatformConfig; flat: FlatConfig; file: string } {
  const file = path.join(projectDir, `Pulumi.${stackName}.yaml`);
  if (!fs.existsSync(file)) {
    throw new BbwsError(
      "invalidInput",
      `${file} does not exist: no stack configuration for "${stackName}" (create it with \`pulumi stack init ${stackName}\`)`,
    );
  }
  const text = fs.readFileSync(file, "utf8");
  let document: { config?: Record<string, unknown> };
  const fail = (line: number | undefined, message: string, cause?: unknown): never => {
    throw new BbwsError("invalidInput", `${line ? `${file}:${line}` : file}: ${message}`, { cause });
  };
  const parsed = parseDocument(text);
  if (parsed.errors.length > 0) {
    const problem = describeYamlError(parsed.errors[0], text);
    fail(problem.line, problem.message, parsed.errors[0]);
  }
  try {
    document = (parsed.toJS({ maxAliasCount: MAX_YAML_ALIASES }) ?? {}) as {
      config?: Record<string, unknown>;
    };
  } catch (error) {
    const problem = describeYamlError(error, text);
    return fail(problem.line, problem.message, error);
  }
  if (document === null || typeof document !== "object" || Array.isArray(document))
    fail(undefined, "must be a mapping with a `config:` section");
  const flat: FlatConfig = {};
  const values: Record<string, unknown> = {};
  const lineOfKey = (key: string) => {
    const section = parsed.get("config", true) as
      { items?: { key?: { value?: unknown; range?: number[] } }[] } | undefined;
    const range = section?.items?.find((pair) => pair.key?.value === key)?.key?.range;
    return range ? lineAt(text, range[0]) : undefined;
  };
  for (const [key, value] of Object.entries(document.config ?? {})) {
    if (value !== null && typeof value === "object") {
      const secure = (value as Record<string, unknown>).secure !== undefined;
      fail(
        lineOfKey(key),
        secure
          ? `${key} is a secure (encrypted) value, but BBWS reads platform keys as plain values and never needs a secret here; ` +
              `set it in plain text with \`pulumi config set ${key} <value>\` (no --secret)`
          : `${key} holds ${Array.isArray(value) ? "a list" : "an object"} (got ${JSON.stringify(value).slice(0, 60)}); BBWS keys are plain values`,
      );
    }
    flat[key] = String(value);
    if (key.startsWith(`${PROJECT}:`)) values[key.slice(PROJECT.length + 1)] = String(value);
  }
  return { raw: { stackName, region: flat["aws:region"], values }, flat, file };
}

/**
 * Settings of a platform stack read from its committed stack file, optionally with some keys
 * replaced (fully qualified, e.g. `bbws:albShards`).
 */
export function loadStackSettings(
  stackName: string,
  projectDir?: string,
  overrides: FlatConfig = {},
): PlatformSettings {
  const { raw, file } = readStackFile(stackName, projectDir);
  const values = { ...raw.values };
  for (const [key, value] of Object.entries(overrides)) {
    if (key.startsWith(`${PROJECT}:`)) values[key.slice(PROJECT.length + 1)] = value;
  }
  return resolvePlatformSettings(
    { ...raw, region: overrides["aws:region"] ?? raw.region, values },
    path.basename(file),
  );
}
