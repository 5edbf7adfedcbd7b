/**
 * The lifecycle's ports as the offline engine simulates them (`--offline`): tenant stacks run
 * under the BBWS mocks (stackBackend.ts), and what would touch AWS (final backups, file
 * deletions, ECS deployments) is recorded in the environment's offline state file instead,
 * saying so in every message. Rollout outcomes are recorded there too, never in the
 * registry: an image that was not really deployed must not reach a tracked file that the next
 * real `sync` would deploy. One state store per process, so its writes stay serialized.
 */
import * as path from "path";
import { tenantRootDirectory } from "../config/naming";
import {
  DeploymentCheck,
  FinalBackup,
  LifecyclePorts,
  RolloutRecords,
  TenantFiles,
} from "../tenants/lifecycle/ports";
import { OfflineBackend } from "./stackBackend";
import { OfflineStateStore, offlineStateDir } from "./state";

/** Where the offline ports keep their state. */
export interface OfflinePortsRequest {
  readonly environment: string;
  /** Repository root (stack files, default state directory). */
  readonly projectDir: string;
  /** Offline state directory. @default .workspaces/offline/<env> */
  readonly stateDir?: string;
  /** Platform stack name tenant configuration carries. @default organization/bbws/<env> */
  readonly platformStack?: string;
  /** @default Date.now */
  readonly now?: () => number;
}

/** The offline engine's ports; see the file comment. */
export function offlinePorts(request: OfflinePortsRequest): LifecyclePorts {
  const stateDir = request.stateDir
    ? path.resolve(request.stateDir)
    : offlineStateDir(request.projectDir, request.environment);
  const store = new OfflineStateStore(stateDir, request.environment);
  const now = request.now ?? Date.now;
  const shown = path.relative(process.cwd(), store.file) || store.file;
  return {
    name: "offline",
    description:
      `offline: tenant stacks are simulated by the offline engine and recorded in ${shown}; ` +
      "nothing in AWS, in a Pulumi backend or in the registry's rollout records changes",
    backend: new OfflineBackend({
      store,
      platformStack: request.platformStack,
      projectDir: request.projectDir,
      now,
    }),
    finalBackup: offlineFinalBackup(store, now),
    tenantFiles: offlineTenantFiles(store, now),
    deployments: simulatedDeployments,
    rolloutRecords: () => offlineRolloutRecords(store),
  };
}

/** A final backup recorded in the state: no AWS backup is taken. */
export function offlineFinalBackup(store: OfflineStateStore, now: () => number = Date.now): FinalBackup {
  return {
    async take({ tenantId }) {
      const note = "offline: no AWS backup was taken (simulated final backup)";
      await store.update((state) => {
        state.backups.push({ tenantId, reason: "final", at: new Date(now()).toISOString(), note });
      });
      return { summary: `${note}, recorded in ${store.file}`, recoveryPoints: [] };
    },
  };
}

/** A deletion of a tenant's files recorded in the state: nothing is deleted. */
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

/** Nothing runs in ECS offline: the simulated stack update is all there is to confirm. */
export const simulatedDeployments: DeploymentCheck = {
  confirm: ({ taskDefinitionArn }) =>
    Promise.resolve({
      result: "simulated",
      message: `offline: the simulated stack now names ${taskDefinitionArn.split("/").pop()}; nothing runs in ECS`,
    }),
};

/** Rollout outcomes kept in the state file (see the file comment). */
export function offlineRolloutRecords(store: OfflineStateStore): RolloutRecords {
  return {
    location: store.file,
    record: (_environment, tenantId, record) =>
      store.update((state) => {
        const previous = state.rollouts?.[tenantId];
        (state.rollouts ??= {})[tenantId] = {
          image: record.image ?? previous?.image,
          lastRollout: record.lastRollout,
        };
      }),
  };
}
