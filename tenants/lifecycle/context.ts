/**
 * What every lifecycle command is given: the environment, where its registry is, the ports it
 * acts through (stacks, final backups, file deletion, deployment checks, rollout records), the
 * fleet settings and where to report. The CLI builds it from the command line and the chosen
 * ports; tests build it with fakes.
 */
import { PlatformSettings } from "../../config/platformConfig";
import { TenantStackBackend } from "./backend";
import {
  CertificateCheck,
  CertificateStatusCheck,
  DeploymentCheck,
  DnsCheck,
  FinalBackup,
  RolloutRecords,
  SiteProbe,
  TenantFiles,
} from "./ports";
import type { VerificationWait } from "./verification";
import type { CertificateWait } from "./certificates";
import { ProgressView } from "./progress";

/** The context of one command run. */
export interface LifecycleContext {
  readonly environment: string;
  /** Registry file (`tenants/<env>.yaml` unless --tenants). */
  readonly registryFile: string;
  /** Label of the ports in reports ("automation", "offline"); never a switch. */
  readonly backendName: string;
  readonly backend: TenantStackBackend;
  readonly finalBackup: FinalBackup;
  /** Deletes a removed tenant's files (`remove --purge`). */
  readonly tenantFiles: TenantFiles;
  /** Confirms a rollout's deployments. */
  readonly deployments: DeploymentCheck;
  /** Where rollout outcomes are recorded. */
  readonly rolloutRecords: RolloutRecords;
  /** The platform stack's settings (`loadStackSettings(env)`); read when first needed. */
  readonly settings: () => PlatformSettings;
  /** Tenant operations at once. */
  readonly concurrency: number;
  /** Live progress of tenant operations. */
  readonly progress: ProgressView;
  /** Notes for the operator (stderr): allocated slots, what was kept. */
  readonly note: (line: string) => void;
  /** Records a durable change the command made (a registry write), for failure reports. */
  readonly changed: (line: string) => void;
  readonly signal?: AbortSignal;
  /** @default Date.now */
  readonly now?: () => number;
  // ---- Edge ----
  /** Verifies each deployed site after add/sync. @default - none: the update is the end */
  readonly siteProbe?: SiteProbe;
  /** Checks the records a customer must create. @default - reported as not checked */
  readonly dns?: DnsCheck;
  /** Checks the listeners' certificate covers `*.<domain>` before anything changes. @default - not checked */
  readonly certificateCheck?: CertificateCheck;
  /** Bounds of the verification (`--verify-timeout`). @default DEFAULT_VERIFICATION_WAIT */
  readonly verifyWait?: Omit<VerificationWait, "signal">;
  /** How tenant certificates stand in ACM. @default - not asked */
  readonly certificates?: CertificateStatusCheck;
  /**
   * How long add/sync wait for ACM to issue a pending certificate before reporting the tenant
   * pending (`--certificate-wait`). @default CERTIFICATE_WAIT_DEFAULTS (0 s: ask once)
   */
  readonly certificateWait?: CertificateWait;
}
