/**
 * What the lifecycle needs from the world besides the stacks themselves, as ports: a final
 * backup before a removal, the deletion of a purged tenant's files, the check that ECS really
 * runs a new deployment, and where rollout outcomes are recorded. The real implementations
 * use AWS (ops/lifecyclePorts.ts) and the registry (rolloutRecords.ts); the offline engine's
 * simulations sit behind the same ports (offline/services.ts). The lifecycle never asks which
 * one it has.
 */
import pLimit from "p-limit";
import { LastRollout } from "../../config/tenantEntry";
import { TenantStackBackend } from "./backend";
import type { PlatformSettings } from "../../config/platformConfig";

/** What a final backup left. */
export interface FinalBackupRecord {
  /** One line for the summary. */
  readonly summary: string;
  /** Recovery point ARNs (primary vault); none when nothing real was backed up. */
  readonly recoveryPoints: readonly string[];
}

/** A request for a final backup. */
export interface FinalBackupRequest {
  readonly environment: string;
  readonly tenantId: string;
  /** The data will be dropped: wait until the DR copies are complete as well. */
  readonly purge: boolean;
  readonly signal?: AbortSignal;
}

/** Takes final backups. Throws when the backup cannot be taken (the removal is then refused). */
export interface FinalBackup {
  take(request: FinalBackupRequest): Promise<FinalBackupRecord>;
}

/** A request to delete one tenant's files. */
export interface TenantFilesRequest {
  readonly environment: string;
  readonly tenantId: string;
  readonly signal?: AbortSignal;
}

/**
 * Deletes a removed tenant's retained data (its schema and user if still there, then its files);
 * resolves to one line for the summary, throws when something remains.
 */
export interface TenantFiles {
  purge(request: TenantFilesRequest): Promise<string>;
}

/** The deployment an update produced, as the tenant stack's outputs name it. */
export interface DeploymentTarget {
  readonly tenantId: string;
  readonly clusterName: string;
  readonly serviceName: string;
  /** The task definition the PRIMARY deployment must run. */
  readonly taskDefinitionArn: string;
  /** When the stack update began (epoch ms): the deployment to check was created after it. */
  readonly updateStartedAt: number;
}

/** How long to wait for a deployment. */
export interface DeploymentWait {
  readonly timeoutSeconds: number;
  readonly intervalSeconds: number;
  readonly signal?: AbortSignal;
}

/** What a confirmed deployment reports. */
export interface ConfirmedDeployment {
  /** How the rollout records it: `completed`, or `simulated` when nothing ran anywhere. */
  readonly result: "completed" | "simulated";
  /** One line for the operator. */
  readonly message: string;
}

/** How one deployment of a wave ended: confirmed, or the error that says why not. */
export type DeploymentVerdict =
  | { readonly tenantId: string; readonly confirmed: ConfirmedDeployment; readonly error?: undefined }
  | { readonly tenantId: string; readonly error: unknown; readonly confirmed?: undefined };

/**
 * Confirms that services run their new task definitions: every deployment of a rollout wave
 * at once (the stack updates do not wait for ECS). Pulumi reports an update as a success even
 * after the circuit breaker rolled it back (pulumi-aws#4487), so this is the check. One verdict
 * per target, in order; a target's error is a RollbackDetectedError for a rollback, a "timeout"
 * error when it does not finish in time. Rejects only when the whole check cannot run
 * (interrupted).
 */
export interface DeploymentCheck {
  confirmAll(targets: readonly DeploymentTarget[], wait: DeploymentWait): Promise<DeploymentVerdict[]>;
}

/** One rollout outcome to record. */
export interface RolloutRecord {
  /** The image the tenant runs from now on (only a completed rollout sets it). */
  readonly image?: string;
  readonly lastRollout: LastRollout;
}

/** Where rollout outcomes are kept: the registry for real stacks, the offline state offline. */
export interface RolloutRecords {
  /** Where the records go, for the operator (a file path). */
  readonly location: string;
  record(environment: string, tenantId: string, record: RolloutRecord): Promise<void>;
}

// ---- Edge: verified onboarding and the customer's DNS (verification.ts, dnsReport.ts) ----

/** What ECS says of a service: stable, or what it is still doing. */
export interface ServiceState {
  readonly stable: boolean;
  /** e.g. `2/2 tasks running, 1 deployment`, or `1/2 tasks running, 2 deployments`. */
  readonly detail: string;
}

/** One target of a target group (DescribeTargetHealth). */
export interface TargetHealthState {
  readonly id: string;
  readonly port: number;
  /** `healthy`, `unhealthy`, `initial`, `draining`, `unused`... */
  readonly state: string;
  /** e.g. `Target.ResponseCodeMismatch`. */
  readonly reason?: string;
  readonly description?: string;
}

/** One HTTPS request: connect to `address`, SNI and Host header `host`, GET /. */
export interface HttpsRequest {
  readonly address: string;
  readonly host: string;
  readonly timeoutSeconds: number;
}

/** What an HTTPS request got. `certificateProblem`: the certificate does not cover the host or is untrusted. */
export type HttpsAnswer =
  | { readonly kind: "answer"; readonly status: number; readonly certificateProblem?: string }
  | { readonly kind: "timeout"; readonly seconds: number }
  | { readonly kind: "error"; readonly message: string };

/** Looks at a deployed site: ECS, the target group, HTTPS through the ALB. */
export interface SiteProbe {
  /** True when nothing real is asked (offline): reports say "simulated". */
  readonly simulated: boolean;
  serviceState(cluster: string, service: string): Promise<ServiceState>;
  targetHealth(targetGroupArn: string): Promise<TargetHealthState[]>;
  https(request: HttpsRequest): Promise<HttpsAnswer>;
}

/** Answers whether a DNS record the customer must create is in place. */
export interface DnsCheck {
  /** The values `name` has for `type` (CNAME targets, or A addresses for ALIAS); undefined: not checked. */
  lookup(name: string, type: "CNAME" | "ALIAS"): Promise<readonly string[] | undefined>;
}

/** What ACM says of a tenant's own certificate (DescribeCertificate). */
export interface CertificateStatus {
  /** ISSUED, PENDING_VALIDATION, FAILED, VALIDATION_TIMED_OUT, EXPIRED, REVOKED or INACTIVE. */
  readonly status: string;
  /** Why it is not issued, when ACM says (FailureReason, the names still pending). */
  readonly detail?: string;
  /** True when nothing real was asked (offline). */
  readonly simulated?: boolean;
}

/** Asks ACM how a tenant certificate stands. */
export interface CertificateStatusCheck {
  status(tenantId: string, certificateArn: string): Promise<CertificateStatus>;
}

/** Everything a lifecycle command runs against. */
export interface LifecyclePorts {
  /** "automation" (real stacks) or "offline" (the offline engine): a label for reports, never a switch. */
  readonly name: string;
  /** One line for the operator: what these ports act on (printed before a command runs). */
  readonly description: string;
  readonly backend: TenantStackBackend;
  readonly finalBackup: FinalBackup;
  readonly tenantFiles: TenantFiles;
  readonly deployments: DeploymentCheck;
  /** Where rollouts are recorded, given the registry file the command works on. */
  readonly rolloutRecords: (registryFile: string) => RolloutRecords;
  /** Verifies a deployed site (tenants add/sync). @default - no verification */
  readonly siteProbe?: SiteProbe;
  /** Checks the customer's DNS records. @default - not checked */
  readonly dns?: DnsCheck;
  /** Why the platform's `bbws:certificateArn` does not serve `*.<domain>` (ACM), or undefined. @default - not checked */
  readonly certificateCheck?: CertificateCheck;
  /** How tenant certificates stand in ACM. @default - not asked: what the stack serves stays as it is */
  readonly certificates?: CertificateStatusCheck;
}

/** Checks the listeners' certificate against ACM before a tenant is deployed. */
export type CertificateCheck = (settings: PlatformSettings) => Promise<string | undefined>;

/**
 * One backup at a time: every tenant's backup is a job of the same file system and cluster,
 * and AWS Backup refuses a second job of a resource while one runs.
 */
export function serialized(backup: FinalBackup): FinalBackup {
  const limit = pLimit(1);
  return { take: (request) => limit(() => backup.take(request)) };
}
