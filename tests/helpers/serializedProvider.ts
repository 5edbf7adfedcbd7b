/**
 * A dynamic provider as Pulumi ships it: serialized with Pulumi's own function (what
 * pulumi.dynamic.Resource does before the provider host loads it), written out and loaded on its
 * own as a module, then handed to `use`. The file is removed afterwards.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

export async function withSerializedProvider<P extends object>(
  provider: P,
  use: (loaded: P) => Promise<void>,
): Promise<void> {
  const serialized = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  // Inside the project, so the module finds its dependencies (the AWS SDK clients).
  const file = path.join(__dirname, "..", "..", `.serialized-provider-${process.pid}-${Date.now()}.js`);
  fs.writeFileSync(file, serialized.text);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    await use((require(file) as Record<string, () => P>)[serialized.exportName]());
  } finally {
    fs.rmSync(file, { force: true });
  }
}
