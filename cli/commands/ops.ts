/**
 * `bbws ops <command> <env> <tenant>` (alias `npm run ops -- ...`): day-2 operations on one
 * tenant of a deployed environment, with the AWS SDK v3 and the default credential chain;
 * stack outputs are read through the Automation API. Image rollouts are fleet updates of tenant
 * stacks: `tenants rollout` (`ops rollout` still works).
 */
import type { OpsDeps } from "../../ops/deps";
import { RESTORE_TIMEOUTS } from "../../ops/defaults";
import { environmentName } from "../options";
import { ActionInput, CommandResult, CommandSpec } from "../shell";

const ENV = {
  name: "<env>",
  description: "environment (platform stack name), e.g. dev",
  parse: environmentName,
};
const TENANT = { name: "<tenant>", description: "tenant id from tenants/<env>.yaml" };

/** The dependencies of an ops command: stack outputs, AWS clients, progress, Ctrl-C. */
async function opsDeps(input: ActionInput): Promise<OpsDeps> {
  const { runtime } = input;
  const resolved =
    runtime.ops?.() ??
    (await (async () => {
      const [{ PulumiStackOutputs }, { defaultClients }] = await Promise.all([
        import("../../tenants/stackOutputs"),
        import("../../ops/clients"),
      ]);
      return { source: new PulumiStackOutputs(runtime.projectDir), clients: defaultClients };
    })());
  const registryFile = input.options.tenants as string | undefined;
  return {
    source: resolved.source,
    clients: resolved.clients,
    registryFile,
    log: input.note,
    signal: runtime.signal,
  };
}

function result(value: unknown, text: string): CommandResult {
  return { exitCode: 0, text, json: value };
}

/** The ops commands. */
export const OPS_COMMANDS: readonly CommandSpec[] = [
  {
    path: ["ops", "backup"],
    description:
      "On-demand AWS Backup jobs of the environment's EFS file system and Aurora cluster, tagged with the tenant, then copies to the DR vault",
    arguments: [ENV, TENANT],
    options: [
      "tenants",
      "efsTimeout",
      "auroraTimeout",
      "waitForCopies",
      "copyTimeout",
      "retainDays",
      "pollInterval",
    ],
    run: async (input) => {
      const [{ backupTenant }, { renderBackup }] = await Promise.all([
        import("../../ops/backup"),
        import("../../ops/render"),
      ]);
      const o = input.options;
      const backup = await backupTenant(
        input.args[0] as string,
        input.args[1] as string,
        {
          efsTimeoutSeconds: o.efsTimeout as number,
          auroraTimeoutSeconds: o.auroraTimeout as number,
          waitForCopies: o.waitForCopies === true,
          copyTimeoutSeconds: o.copyTimeout as number,
          deleteAfterDays: o.retainDays as number | undefined,
          pollIntervalSeconds: o.pollInterval as number,
        },
        await opsDeps(input),
      );
      return result(backup, renderBackup(backup));
    },
  },
  {
    path: ["ops", "restore"],
    description:
      "Restore the tenant's files (/tenants/<id>) and/or database schema from recovery points of the primary vault; " +
      "the service is scaled to 0 during the swap and put back whatever happens",
    arguments: [ENV, TENANT],
    options: ["tenants", "recoveryPoint", "at", "only", "restorePollInterval"],
    help:
      `Time limits (seconds): ${Object.entries(RESTORE_TIMEOUTS)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}.\n` +
      "Previous content is kept: files in /tenants/.previous/<id>-<stamp>; the schema as it was, in the live cluster's point-in-time recovery.",
    run: async (input) => {
      const [{ restoreTenant }, { renderRestore }] = await Promise.all([
        import("../../ops/restore"),
        import("../../ops/render"),
      ]);
      const o = input.options;
      const restored = await restoreTenant(
        input.args[0] as string,
        input.args[1] as string,
        {
          recoveryPointArns: o.recoveryPoint as string[] | undefined,
          at: o.at as Date | undefined,
          only: o.only as "files" | "database" | undefined,
        },
        { pollIntervalSeconds: o.pollInterval as number },
        await opsDeps(input),
      );
      return result(restored, renderRestore(restored));
    },
  },
  {
    path: ["ops", "rotate-db-password"],
    description:
      "A new database password for the tenant: ALTER USER through the RDS Data API (the old password stops working), " +
      "the secret updated, a new deployment, wait until stable; a failure puts the old password back in both places",
    arguments: [ENV, TENANT],
    options: ["tenants", "deploymentTimeout", "rolloutPollInterval"],
    help:
      "Running tasks cannot open new database connections between the password change and the new deployment " +
      "(about as long as a deployment takes). A later `tenants sync` keeps the rotated password.",
    run: async (input) => {
      const [{ rotateDatabasePassword }, { renderRotation }] = await Promise.all([
        import("../../ops/rotatePassword"),
        import("../../ops/render"),
      ]);
      const o = input.options;
      const rotated = await rotateDatabasePassword(
        input.args[0] as string,
        input.args[1] as string,
        { timeoutSeconds: o.timeout as number, pollIntervalSeconds: o.pollInterval as number },
        await opsDeps(input),
      );
      return result(rotated, renderRotation(rotated));
    },
  },
  {
    path: ["ops", "status"],
    description: "The tenant's service, newest recovery points (primary and DR vaults) and last rollout",
    arguments: [ENV, TENANT],
    options: ["tenants"],
    run: async (input) => {
      const [{ tenantStatus }, { renderStatus }] = await Promise.all([
        import("../../ops/status"),
        import("../../ops/render"),
      ]);
      const status = await tenantStatus(
        input.args[0] as string,
        input.args[1] as string,
        await opsDeps(input),
      );
      return result(status, renderStatus(status));
    },
  },
];
