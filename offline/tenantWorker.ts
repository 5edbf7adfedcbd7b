/**
 * A worker process of the offline engine: runs a share of an environment's tenant programs
 * and sends each stack run back to the parent as it completes. Started by tenantWorkers.ts.
 */
import type { TenantEntry } from "../config/tenantEntry";
import type { WorkerRequest, WorkerMessage } from "./tenantWorkers";
import { deferTypescriptLoading } from "../lib/deferTypescript";

// Before Pulumi loads (the modules below load it): a plan never needs TypeScript.
deferTypescriptLoading();

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve, reject) =>
    process.send!(message, (error: Error | null) => (error ? reject(error) : resolve())),
  );
}

async function work(request: WorkerRequest): Promise<void> {
  const [{ loadStackSettings }, { runTenant }] = await Promise.all([
    import("../config/readStackConfig"),
    import("./tenantRun"),
  ]);
  const settings = loadStackSettings(request.environment, undefined, request.configOverrides);
  for (const [index, entry] of request.entries as [number, TenantEntry][]) {
    const run = await runTenant({ settings, entry, platformOutputs: request.platformOutputs });
    await send({ kind: "stack", index, run });
  }
  await send({ kind: "done" });
}

process.once("message", (request: WorkerRequest) => {
  work(request).then(
    () => process.exit(0),
    async (error: unknown) => {
      const { StackRunError } = await import("./stackRun");
      const failure: WorkerMessage =
        error instanceof StackRunError
          ? { kind: "failed", stack: error.stackName, failures: [...error.failures] }
          : { kind: "failed", message: error instanceof Error ? error.message : String(error) };
      await send(failure).catch(() => undefined);
      process.exit(1);
    },
  );
});
