/**
 * Deleting a removed tenant's files (`remove --purge`). Destroying the stack deletes the
 * tenant's access point, never the directory behind it; ops' `purgeTenantFiles` runs the
 * platform's maintenance task to delete `/tenants/<id>` and what restores kept of it.
 *
 * Offline (`--offline`) nothing can be deleted: the offline purge records a simulated deletion
 * in the offline state file and says so.
 */
import { ClientFactory } from "../../ops/clients";
import { StackOutputsSource } from "../../ops/context";
import { LogLine } from "../../lib/progress";
import { purgeTenantFiles } from "../../ops/tenantFiles";
import { tenantRootDirectory } from "../../config/naming";
import { OfflineStateStore } from "../../offline/state";

/** A request to delete one tenant's files. */
export interface TenantFilesRequest {
  readonly environment: string;
  readonly tenantId: string;
  readonly signal?: AbortSignal;
}

/** Deletes tenants' files; resolves to one line for the summary, throws when they remain. */
export interface TenantFiles {
  purge(request: TenantFilesRequest): Promise<string>;
}

/** Dependencies of the real deletion. */
export interface OpsTenantFilesDeps {
  readonly source: StackOutputsSource;
  readonly clients: ClientFactory;
  readonly log: LogLine;
}

/** The real deletion, through ops and the maintenance task. */
export function opsTenantFiles(deps: OpsTenantFilesDeps): TenantFiles {
  return {
    async purge({ environment, tenantId, signal }) {
      const platform = await deps.source.platform(environment);
      const result = await purgeTenantFiles(
        { environment, tenantId, platform },
        {},
        { source: deps.source, clients: deps.clients, log: deps.log, signal },
      );
      return `deleted: ${result.removed.join(", ")} on file system ${result.fileSystemId}`;
    },
  };
}

/** The offline simulation; see the file comment. */
export function offlineTenantFiles(store: OfflineStateStore, now: () => number = Date.now): TenantFiles {
  return {
    async purge({ tenantId }) {
      const note = `offline: no files were deleted (simulated deletion of ${tenantRootDirectory(tenantId)})`;
      await store.update((state) => {
        (state.purges ??= []).push({ tenantId, at: new Date(now()).toISOString(), note });
      });
      return `${note}, recorded in ${store.file}`;
    },
  };
}
