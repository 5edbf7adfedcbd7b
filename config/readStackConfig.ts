/**
 * Reads a platform stack's configuration, either from the running Pulumi program or from a
 * committed `Pulumi.<stack>.yaml` (the tenant lifecycle and the offline engine need the
 * platform's settings without running it).
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { YAMLError, parse } from "yaml";
import { BbwsError } from "../lib/errors";
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
  let document: { config?: Record<string, unknown> };
  try {
    document = (parse(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  } catch (error) {
    const where = error instanceof YAMLError && error.linePos ? `${file}:${error.linePos[0].line}` : file;
    throw new BbwsError(
      "invalidInput",
      `${where}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
      {
        cause: error,
      },
    );
  }
  const flat: FlatConfig = {};
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(document.config ?? {})) {
    if (value !== null && typeof value === "object") {
      throw new BbwsError(
        "invalidInput",
        `${file}: ${key} holds an object; BBWS keys are plain values (secrets are not needed by the platform)`,
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
