/**
 * The stack backend and the final backup a command runs with: the Automation API with ops'
 * real backups, or (`--offline`) the offline engine with simulated backups sharing one state
 * file (one store per process, so its writes stay serialized).
 */
import * as path from "path";
import { defaultClients } from "../ops/clients";
import { PulumiStackOutputs } from "../tenants/stackOutputs";
import { AutomationBackend } from "../tenants/lifecycle/automationBackend";
import { TenantStackBackend } from "../tenants/lifecycle/backend";
import { FinalBackup, offlineFinalBackup, opsFinalBackup } from "../tenants/lifecycle/finalBackup";
import { OfflineBackend } from "../offline/stackBackend";
import { OfflineStateStore, offlineStateDir } from "../offline/state";
import { TenantFiles, offlineTenantFiles, opsTenantFiles } from "../tenants/lifecycle/tenantFiles";

/** Which backend a command runs against. */
export interface ServicesRequest {
  readonly environment: string;
  readonly offline: boolean;
  readonly projectDir: string;
  readonly platformStack?: string;
  readonly lockAttempts: number;
  /** Offline state directory. @default .workspaces/offline/<env> */
  readonly offlineState?: string;
}

/** The stack backend, the final backup and the file deletion of a command. */
export interface Services {
  readonly backend: TenantStackBackend;
  readonly finalBackup: FinalBackup;
  readonly tenantFiles: TenantFiles;
}

/** The real services: Automation API + ops backups, or the offline engine + simulated backups. */
export function defaultServices(request: ServicesRequest, log: (line: string) => void): Services {
  if (request.offline) {
    const store = new OfflineStateStore(
      request.offlineState
        ? path.resolve(request.offlineState)
        : offlineStateDir(request.projectDir, request.environment),
      request.environment,
    );
    return {
      backend: new OfflineBackend({
        store,
        platformStack: request.platformStack,
        projectDir: request.projectDir,
      }),
      finalBackup: offlineFinalBackup(store),
      tenantFiles: offlineTenantFiles(store),
    };
  }
  const opsDeps = { source: new PulumiStackOutputs(request.projectDir), clients: defaultClients, log };
  return {
    backend: new AutomationBackend({
      projectDir: request.projectDir,
      platformStack: request.platformStack,
      lockRetry: { maxAttempts: request.lockAttempts },
    }),
    finalBackup: opsFinalBackup(opsDeps),
    tenantFiles: opsTenantFiles(opsDeps),
  };
}
