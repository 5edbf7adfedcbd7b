/**
 * The lifecycle's ports (tenants/lifecycle/ports.ts) implemented with ops and the AWS SDK:
 * the final backup goes through `runBackup` (reason "final": on-demand jobs of the
 * environment's EFS file system and Aurora cluster tagged with the tenant, then copies to the
 * DR vault), a purge deletes what is left of a removed tenant (its schema and user if still
 * there, through the Data API, and `/tenants/<id>` with the platform's maintenance task), and a
 * deployment is confirmed with ECS `DescribeServices`.
 */
import { ECSClient } from "@aws-sdk/client-ecs";
import { LogLine } from "../lib/progress";
import { StackOutputsSource } from "./context";
import { ClientFactory } from "./clients";
import { BackupResult, runBackup } from "./backup";
import { purgeTenantFiles } from "./tenantFiles";
import { confirmServiceDeployments } from "./serviceDeployments";
import { DeploymentCheck, FinalBackup, TenantFiles, serialized } from "../tenants/lifecycle/ports";

/** What the real ports need. */
export interface OpsPortsDeps {
  /** Platform stack outputs (vaults, file system, cluster). */
  readonly source: StackOutputsSource;
  readonly clients: ClientFactory;
  /** ops' progress lines. */
  readonly log: LogLine;
}

/** The final backup through ops' runBackup, one at a time. */
export function opsFinalBackup(deps: OpsPortsDeps): FinalBackup {
  return serialized({
    async take({ environment, tenantId, purge, signal }) {
      const platform = await deps.source.platform(environment);
      const result = await runBackup(
        { environment, tenantId, platform },
        { reason: "final", waitForCopies: purge },
        { source: deps.source, clients: deps.clients, log: deps.log, signal },
      );
      return finalBackupRecord(result);
    },
  });
}

function finalBackupRecord(result: BackupResult) {
  return {
    summary: `final backup in ${result.backupVaultName}: ${result.backups
      .map((b) => `${b.resourceType} ${b.recoveryPointArn} (DR copy ${b.copyState})`)
      .join(", ")}`,
    recoveryPoints: result.backups.map((b) => b.recoveryPointArn),
  };
}

/** Deletes a purged tenant's retained data: schema and user (if still there), then files. */
export function opsTenantFiles(deps: OpsPortsDeps): TenantFiles {
  return {
    async purge({ environment, tenantId, signal }) {
      const platform = await deps.source.platform(environment);
      const result = await purgeTenantFiles(
        { environment, tenantId, platform },
        {},
        { source: deps.source, clients: deps.clients, log: deps.log, signal },
      );
      return (
        `deleted: ${result.removed.join(", ")} on file system ${result.fileSystemId}; ` +
        `schema ${result.database.schema} and user ${result.database.user} dropped`
      );
    },
  };
}

/** Confirms a wave's deployments with ECS's service-deployments API (ops/serviceDeployments.ts). */
export function ecsDeployments(ecs: () => ECSClient): DeploymentCheck {
  return { confirmAll: (targets, wait) => confirmServiceDeployments(ecs(), targets, wait) };
}
