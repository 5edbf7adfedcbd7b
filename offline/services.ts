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
  CertificateStatusCheck,
  DeploymentCheck,
  DeploymentVerdict,
  FinalBackup,
  LifecyclePorts,
  RolloutRecords,
  SiteProbe,
  TenantFiles,
} from "../tenants/lifecycle/ports";
import { OfflineBackend } from "./stackBackend";
import { OfflineStateStore, offlineStateDir } from "./state";
import { OfflineFault, faultFor, strike } from "./faults";
import { TenantStackBackend } from "../tenants/lifecycle/backend";
import { withLockRetry } from "../tenants/lifecycle/lockRetry";
import { tenantStackName } from "../config/naming";

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
  /** Faults to inject (`--offline-fault`, offline/faults.ts). */
  readonly faults?: readonly OfflineFault[];
  /** Attempts on a (simulated) locked stack. @default 5 */
  readonly lockAttempts?: number;
}

/** The offline engine's ports; see the file comment. */
export function offlinePorts(request: OfflinePortsRequest): LifecyclePorts {
  const stateDir = request.stateDir
    ? path.resolve(request.stateDir)
    : offlineStateDir(request.projectDir, request.environment);
  const store = new OfflineStateStore(stateDir, request.environment);
  const now = request.now ?? Date.now;
  const shown = path.relative(process.cwd(), store.file) || store.file;
  const faults = request.faults ?? [];
  const backend = new OfflineBackend({
    store,
    platformStack: request.platformStack,
    projectDir: request.projectDir,
    now,
  });
  return {
    name: "offline",
    description:
      `offline: tenant stacks are simulated by the offline engine and recorded in ${shown}; ` +
      "nothing in AWS, in a Pulumi backend or in the registry's rollout records changes" +
      (faults.length > 0 ? `; injecting faults: ${faults.map((f) => f.spec).join(", ")}` : ""),
    backend:
      faults.length > 0
        ? withFaults(backend, faults, request.environment, stateDir, request.lockAttempts)
        : backend,
    finalBackup: withBackupFaults(offlineFinalBackup(store, now), faults, request.environment),
    tenantFiles: offlineTenantFiles(store, now),
    deployments: withDeploymentFaults(simulatedDeployments, faults, request.environment),
    rolloutRecords: () => offlineRolloutRecords(store),
    siteProbe: simulatedSiteProbe,
    certificates: simulatedCertificates(faults),
    // No DNS is looked up offline: the customer's records are reported as not checked.
    dns: undefined,
  };
}

/**
 * Verification offline: the same three steps run against simulated answers (a stable service,
 * one healthy target, a 200 with the right certificate), and every line says simulated.
 */
export const simulatedSiteProbe: SiteProbe = {
  simulated: true,
  serviceState: () => Promise.resolve({ stable: true, detail: "1/1 tasks running, 1 deployment(s)" }),
  targetHealth: () => Promise.resolve([{ id: "10.0.11.7", port: 80, state: "healthy" }]),
  https: () => Promise.resolve({ kind: "answer", status: 200 }),
};

/**
 * The backend with `--offline-fault`s: a faulty phase fails before the simulated operation
 * runs; locks go through the same retry as real stacks (quickly: the simulated lock never clears).
 */
export function withFaults(
  backend: TenantStackBackend,
  faults: readonly OfflineFault[],
  environment: string,
  stateDir: string,
  lockAttempts = 5,
): TenantStackBackend {
  const guarded = <T>(
    tenantId: string,
    phase: "preview" | "up" | "destroy" | "remove",
    run: () => Promise<T>,
  ) =>
    withLockRetry(
      { stackName: tenantStackName(environment, tenantId), workDir: stateDir },
      async () => {
        const fault = faultFor(faults, tenantId, phase);
        if (fault) await strike(fault, tenantStackName(environment, tenantId));
        return run();
      },
      { maxAttempts: lockAttempts, baseDelayMs: 20, maxDelayMs: 100 },
    );
  return {
    platformStack: (env) => backend.platformStack(env),
    list: (env) => backend.list(env),
    deployed: (env, id) => backend.deployed(env, id),
    outputs: (env, id) => backend.outputs(env, id),
    preview: (target, context) => guarded(target.tenantId, "preview", () => backend.preview(target, context)),
    up: (target, context) => guarded(target.tenantId, "up", () => backend.up(target, context)),
    destroy: (env, id, context) => guarded(id, "destroy", () => backend.destroy(env, id, context)),
    remove: (env, id) => guarded(id, "remove", () => backend.remove(env, id)),
  };
}

function withBackupFaults(
  backup: FinalBackup,
  faults: readonly OfflineFault[],
  environment: string,
): FinalBackup {
  return {
    async take(request) {
      const fault = faultFor(faults, request.tenantId, "backup");
      if (fault) await strike(fault, tenantStackName(environment, request.tenantId));
      return backup.take(request);
    },
  };
}

function withDeploymentFaults(
  check: DeploymentCheck,
  faults: readonly OfflineFault[],
  environment: string,
): DeploymentCheck {
  return {
    async confirmAll(targets, wait) {
      const struck = await Promise.all(
        targets.map(async (target): Promise<DeploymentVerdict | undefined> => {
          const fault = faultFor(faults, target.tenantId, "deploy");
          if (!fault) return undefined;
          // A hung deployment is waited for as long as the rollout's --timeout says.
          return strike(fault, tenantStackName(environment, target.tenantId), {
            hangMs: wait.timeoutSeconds * 1000,
            signal: wait.signal,
          }).catch((error: unknown) => ({ tenantId: target.tenantId, error }));
        }),
      );
      const healthy = targets.filter((_, i) => !struck[i]);
      const checked = await check.confirmAll(healthy, wait);
      return targets.map((t, i) => struck[i] ?? checked[healthy.indexOf(t)]);
    },
  };
}

/**
 * ACM offline: every tenant certificate is issued (simulated), unless a `certificate` fault
 * says otherwise: `hang` keeps it pending validation (the customer never creates the records),
 * `error` and `locked` make it FAILED.
 */
export function simulatedCertificates(faults: readonly OfflineFault[]): CertificateStatusCheck {
  return {
    status(tenantId) {
      const fault = faultFor(faults, tenantId, "certificate");
      if (!fault) return Promise.resolve({ status: "ISSUED", simulated: true });
      return Promise.resolve(
        fault.kind === "hang"
          ? { status: "PENDING_VALIDATION", detail: `--offline-fault ${fault.spec}`, simulated: true }
          : { status: "FAILED", detail: `--offline-fault ${fault.spec}`, simulated: true },
      );
    },
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
  confirmAll: (targets) =>
    Promise.resolve(
      targets.map(({ tenantId, taskDefinitionArn }) => ({
        tenantId,
        confirmed: {
          result: "simulated",
          message: `offline: the simulated stack now names ${taskDefinitionArn.split("/").pop()}; nothing runs in ECS`,
        },
      })),
    ),
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
