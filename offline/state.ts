/**
 * The offline backend's record of "deployed" tenant stacks, one JSON file per environment
 * (`.workspaces/offline/<env>/state.json`, git-ignored): per stack, the configuration it was last
 * updated with and its planned resources (URN -> type and a hash of the inputs), plus the
 * simulated final backups, file deletions and rollouts. Writes are serialized within the process and atomic on disk; two
 * processes updating the same environment's file at once are not supported (the last write wins).
 */
import { TenantStackConfig } from "../tenants/stackConfig";
import * as fs from "fs";
import * as path from "path";
import { LastRollout } from "../config/tenantEntry";

import { writeFileAtomic } from "../lib/atomicWrite";

/** One planned resource as the state keeps it. */
export interface OfflineResource {
  readonly type: string;
  /** sha256 of the resource's inputs (stable JSON). */
  readonly inputsHash: string;
}

/** One tenant stack. */
export interface OfflineStackRecord {
  readonly tenantId: string;
  /** Hash of `config` (configState.ts); absent until the first successful update. */
  readonly configHash?: string;
  /** Configuration of the last successful update. */
  readonly config?: TenantStackConfig;
  /** Resources by URN; empty after a destroy. */
  readonly resources: Readonly<Record<string, OfflineResource>>;
  readonly outputs: Readonly<Record<string, unknown>>;
  readonly updatedAt: string;
}

/** A simulated final backup: no AWS backup was taken. */
export interface OfflineBackupRecord {
  readonly tenantId: string;
  readonly reason: "final";
  readonly at: string;
  readonly note: string;
}

/** A simulated deletion of a tenant's files (`remove --purge --offline`). */
export interface OfflinePurgeRecord {
  readonly tenantId: string;
  readonly at: string;
  readonly note: string;
}

/** A simulated rollout outcome (`tenants rollout --offline`): kept here, never in the registry. */
export interface OfflineRolloutRecord {
  readonly image?: string;
  readonly lastRollout: LastRollout;
}

/** The state of one environment. */
export interface OfflineState {
  readonly version: 1;
  readonly environment: string;
  /** By stack name (`<env>.<id>`). */
  readonly stacks: Record<string, OfflineStackRecord>;
  readonly backups: OfflineBackupRecord[];
  /** Absent in state files written before purges were recorded. */
  purges?: OfflinePurgeRecord[];
  /** Simulated rollouts by tenant id; absent in state files written before they were kept here. */
  rollouts?: Record<string, OfflineRolloutRecord>;
}

/** Default state directory of an environment. */
export function offlineStateDir(projectDir: string, environment: string): string {
  return path.join(projectDir, ".workspaces", "offline", environment);
}

/** Reads and updates one environment's state file. */
export class OfflineStateStore {
  /** The state file. */
  readonly file: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    stateDir: string,
    private readonly environment: string,
  ) {
    this.file = path.join(stateDir, "state.json");
  }

  /** The current state (an empty one when the file does not exist yet). */
  read(): OfflineState {
    if (!fs.existsSync(this.file))
      return { version: 1, environment: this.environment, stacks: {}, backups: [] };
    const state = JSON.parse(fs.readFileSync(this.file, "utf8")) as OfflineState;
    if (state.version !== 1 || state.environment !== this.environment) {
      throw new Error(
        `${this.file} is not an offline state of environment ${this.environment}; move it away`,
      );
    }
    return state;
  }

  /** Applies `change` to the state and writes it; calls run one at a time. */
  update<T>(change: (state: OfflineState) => T): Promise<T> {
    const next = this.queue.then(() => {
      const state = this.read();
      const result = change(state);
      writeFileAtomic(this.file, `${JSON.stringify(state, null, 2)}\n`);
      return result;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}
