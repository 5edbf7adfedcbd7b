/**
 * What every lifecycle command is given: the environment, where its registry is, the stack
 * backend, the final backup, the fleet settings and where to report. The CLI builds it from the
 * command line; tests build it with fakes.
 */
import { PlatformSettings } from "../../config/platformConfig";
import { TenantStackBackend } from "./backend";
import { FinalBackup } from "./finalBackup";
import { ProgressView } from "./progress";
import { TenantFiles } from "./tenantFiles";

/** The context of one command run. */
export interface LifecycleContext {
  readonly environment: string;
  /** Registry file (`tenants/<env>.yaml` unless --tenants). */
  readonly registryFile: string;
  readonly backend: TenantStackBackend;
  readonly finalBackup: FinalBackup;
  /** Deletes a removed tenant's files (`remove --purge`). */
  readonly tenantFiles: TenantFiles;
  /** The platform stack's settings (`loadStackSettings(env)`); read when first needed. */
  readonly settings: () => PlatformSettings;
  /** Tenant operations at once. */
  readonly concurrency: number;
  /** Live progress of tenant operations. */
  readonly progress: ProgressView;
  /** Notes for the operator (stderr): allocated slots, what was kept. */
  readonly note: (line: string) => void;
  readonly signal?: AbortSignal;
  /** @default Date.now */
  readonly now?: () => number;
}
