/**
 * Restore of one tenant (seed 002 §5.2, made to work on shared resources): `npm run ops --
 * restore <env> <tenant> (--recovery-point ARN... | --at TIME) [--only files|database]`.
 *
 * Everything is validated before anything changes: the request, the tenant (registry), the
 * platform (maintenance outputs), the recovery points. The run itself is `restoreRun.ts`.
 */
import { RESTORE_POLL_INTERVAL_SECONDS, RESTORE_TIMEOUTS, RestoreTimeouts } from "./defaults";
import { loadTenantContextWithOutputs } from "./context";
import { assertHasService } from "../config/tenantOutputs";
import { OpsDeps } from "./deps";
import { BbwsError } from "../lib/errors";
import { StepTiming } from "../lib/progress";
import { RestoreRequest, checkRestoreRequest } from "./recoveryPoints";
import { RestoreRun } from "./restoreRun";

export { restoreStamp } from "./restoreRun";

/** What to restore (re-exported for callers of restoreTenant). */
export type { RestoreRequest } from "./recoveryPoints";

/** Time limits of a restore and their defaults (in ops/defaults.ts, read by `--help`). */
export { RESTORE_TIMEOUTS, type RestoreTimeouts };

/** Options of a restore. */
export interface RestoreOptions {
  /** Seconds between status checks. @default 15 */
  readonly pollIntervalSeconds?: number;
  /** @default RESTORE_TIMEOUTS */
  readonly timeouts?: Partial<RestoreTimeouts>;
}

/** What a finished restore did and kept. */
export interface RestoreResult {
  readonly environment: string;
  readonly tenantId: string;
  /** Suffix of everything this restore named (`<id>-<stamp>`): UTC `YYYYMMDD-HHMMSS`. */
  readonly stamp: string;
  readonly files?: { readonly recoveryPointArn: string; readonly createdAt?: string };
  readonly database?: {
    readonly recoveryPointArn: string;
    readonly createdAt?: string;
    readonly temporaryClusterId: string;
  };
  /** Tasks the service runs again. */
  readonly desiredCount: number;
  /** Content kept on purpose (previous files, database dumps). */
  readonly kept: readonly string[];
  /** What the restore could not clean up itself (normally nothing). */
  readonly cleanup: readonly string[];
  readonly steps: readonly StepTiming[];
}

/** A database name is spliced into SQL by the copy script: only plain identifiers pass. */
const DATABASE_NAME = /^[a-z][a-z0-9_]{0,63}$/;

/** Restores a tenant's files and/or database; throws a typed error with the clean-up notes. */
export async function restoreTenant(
  environment: string,
  tenantId: string,
  request: RestoreRequest,
  options: RestoreOptions,
  deps: OpsDeps,
): Promise<RestoreResult> {
  checkRestoreRequest(request);
  const context = await loadTenantContextWithOutputs(environment, tenantId, deps);
  assertHasService(tenantId, context.tenant, "restore");
  if (!DATABASE_NAME.test(context.tenant.databaseName)) {
    throw new BbwsError(
      "invalidInput",
      `tenant stack output databaseName ${JSON.stringify(context.tenant.databaseName)} is not a plain MySQL identifier`,
    );
  }
  const run = new RestoreRun(
    context,
    { ...RESTORE_TIMEOUTS, ...options.timeouts },
    options.pollIntervalSeconds ?? RESTORE_POLL_INTERVAL_SECONDS,
    deps,
  );
  return run.execute(request);
}
