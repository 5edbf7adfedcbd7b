/**
 * The lifecycle's half of a certificate the customer validates (config/certificatePlan.ts):
 * before every update it asks ACM whether the tenant's certificate is issued, and the update
 * serves its hosts only if so; after an update that left it pending, it asks again (waiting
 * up to `--certificate-wait`) and, once ACM has issued it, runs the update that attaches it and
 * creates the host rules and the service. A tenant still pending ends `pending` (exit 14) with
 * the records its customer must create; `tenants sync` finishes it later.
 */
import { sleep } from "../../lib/wait";
import { BbwsError } from "../../lib/errors";
import { PlatformSettings } from "../../config/platformConfig";
import { TenantEntry } from "../../config/tenantEntry";
import { TenantCertificatePlan, planForEntry } from "../../config/certificatePlan";
import { TenantStackBackend } from "./backend";
import { CertificateStatus, CertificateStatusCheck } from "./ports";

/** How long to wait for ACM after an update left the certificate pending. */
export interface CertificateWait {
  /** 0: ask once. */
  readonly timeoutSeconds: number;
  readonly intervalSeconds: number;
}

/** The edge outputs of a tenant stack (tenants/program.ts). */
export interface CertificateOutputs {
  readonly state?: string;
  readonly arn?: string;
  /** Hosts the tenant's certificate covers. */
  readonly hosts: readonly string[];
  /** Hosts of the certificate attached now. */
  readonly servingHosts: readonly string[];
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];

/** The certificate outputs of a stack's outputs. */
export function certificateOutputsOf(outputs: Readonly<Record<string, unknown>>): CertificateOutputs {
  return {
    state: typeof outputs.certificateState === "string" ? outputs.certificateState : undefined,
    arn: typeof outputs.certificateArn === "string" ? outputs.certificateArn : undefined,
    hosts: strings(outputs.certificateHosts),
    servingHosts: strings(outputs.servingCertificateHosts),
  };
}

/** What the ports of this module are. */
export interface CertificatePorts {
  readonly backend: Pick<TenantStackBackend, "outputs">;
  readonly certificates?: CertificateStatusCheck;
}

/**
 * The hosts of the tenant certificate ACM has issued, for the stack configuration of the next
 * update of `entry`: the current certificate's once ACM reports it issued (also one the
 * platform validated until now: a tenant whose zone is no longer managed keeps it), else those
 * of the certificate attached now (so an update never detaches what serves). Without an ACM
 * port, what is attached. None for a tenant whose certificate needs no customer (the
 * configuration then stays the same from its first update on).
 */
export async function issuedCertificateHosts(
  ports: CertificatePorts,
  environment: string,
  tenantId: string,
  stackExists: boolean,
  customerValidated: boolean,
): Promise<string[]> {
  if (!stackExists || !customerValidated) return [];
  return issuedHostsOf(ports.certificates, tenantId, await ports.backend.outputs(environment, tenantId));
}

/** issuedCertificateHosts of a tenant whose certificate the customer validates, from outputs already read. */
export async function issuedHostsOf(
  check: CertificateStatusCheck | undefined,
  tenantId: string,
  raw: Readonly<Record<string, unknown>>,
): Promise<string[]> {
  const outputs = certificateOutputsOf(raw);
  if (outputs.arn && outputs.hosts.length > 0 && check) {
    const status = await check.status(tenantId, outputs.arn);
    if (status.status === "ISSUED") return [...outputs.hosts];
  }
  return outputs.state === "pending" || outputs.state === "issued" ? [...outputs.servingHosts] : [];
}

/** Whether `entry`'s certificate is validated by its customer's records (certificatePlan.ts). */
export function validatedByCustomer(entry: TenantEntry, settings: PlatformSettings): boolean {
  return planForEntry(entry, settings, []).state === "pending";
}

/**
 * What the next update of an existing stack configures as issued (issuedHostsOf), after
 * refusing one that would stop serving its site (assertKeepsServing). None for a tenant whose
 * certificate needs no customer.
 */
export async function nextIssuedHosts(
  check: CertificateStatusCheck | undefined,
  environment: string,
  entry: TenantEntry,
  settings: PlatformSettings,
  current: Readonly<Record<string, unknown>>,
): Promise<string[]> {
  if (!validatedByCustomer(entry, settings)) return [];
  const issued = await issuedHostsOf(check, entry.id, current);
  assertKeepsServing(environment, entry, current, planForEntry(entry, settings, issued));
  return issued;
}

/**
 * Refuses (nothing changed) an update that would stop serving a site that serves today: a new
 * primary host whose certificate ACM has not issued leaves nothing to answer (every other host
 * redirects to it).
 */
export function assertKeepsServing(
  environment: string,
  entry: TenantEntry,
  current: Readonly<Record<string, unknown>>,
  next: TenantCertificatePlan,
): void {
  const servedNow = Array.isArray(current.servingHosts) ? current.servingHosts : current.hosts;
  if (next.servingHosts.length > 0 || !Array.isArray(servedNow) || servedNow.length === 0) return;
  const primary = entry.primaryHost ?? entry.hosts[0];
  throw new BbwsError(
    "refused",
    `refused to update ${environment}.${entry.id}: its primary host ${primary} has no issued certificate yet, so the ` +
      `site would serve nothing until ACM issues it (today it serves ${servedNow.join(", ")}). Keep the primary host, ` +
      `add ${primary} to hosts, run \`npm run tenants -- sync ${environment} ${entry.id}\` until its certificate is issued ` +
      "(the records are printed), then make it the primary host; nothing was changed",
  );
}

/** What waiting for a pending certificate found. */
export interface CertificateVerdict {
  readonly issued: boolean;
  readonly status?: CertificateStatus;
}

/**
 * Asks ACM until the certificate is issued or `wait` is over (at least once). A status other
 * than PENDING_VALIDATION (FAILED, VALIDATION_TIMED_OUT...) ends the wait: it will not change.
 */
export async function awaitIssued(
  check: CertificateStatusCheck | undefined,
  tenantId: string,
  certificateArn: string,
  wait: CertificateWait,
  options: { readonly signal?: AbortSignal; readonly now?: () => number } = {},
): Promise<CertificateVerdict> {
  if (!check) return { issued: false };
  const now = options.now ?? Date.now;
  const deadline = now() + wait.timeoutSeconds * 1000;
  for (;;) {
    const status = await check.status(tenantId, certificateArn);
    if (status.status === "ISSUED") return { issued: true, status };
    if (status.status !== "PENDING_VALIDATION" || now() + wait.intervalSeconds * 1000 > deadline)
      return { issued: false, status };
    await sleep(wait.intervalSeconds * 1000, options.signal, "the wait for ACM");
  }
}

/** The lines a pending tenant reports, before its customer DNS lines. */
export function pendingCertificateLines(
  tenantId: string,
  environment: string,
  outputs: CertificateOutputs,
  verdict: CertificateVerdict,
  /** Every host of the tenant is still served (by the certificate issued before). @default false */
  allServed = false,
): string[] {
  const status = verdict.status
    ? `ACM: ${verdict.status.status}${verdict.status.detail ? ` (${verdict.status.detail})` : ""}${verdict.status.simulated ? ", simulated" : ""}`
    : "ACM not asked";
  const final = verdict.status && verdict.status.status !== "PENDING_VALIDATION";
  return [
    `certificate ${outputs.arn ?? ""} for ${outputs.hosts.join(", ")} is not issued (${status})`.replace(
      "  ",
      " ",
    ),
    final
      ? `ACM will not issue it any more: once the validation records are right, replace the certificate (\`pulumi stack -s ${environment}.${tenantId} --show-urns\` names it; \`pulumi up -s ${environment}.${tenantId} --replace <URN>\`) and re-run \`npm run tenants -- sync ${environment} ${tenantId}\``
      : allServed
        ? `every host is still served by the certificate issued before; ACM validates the new one with the records already in place, and the next \`npm run tenants -- sync ${environment} ${tenantId}\` attaches it`
        : outputs.servingHosts.length > 0
          ? `the hosts of the certificate issued before (${outputs.servingHosts.join(", ")}) are still served; the others once ACM issues the new one: \`npm run tenants -- sync ${environment} ${tenantId}\``
          : `nothing is served yet (no host rule, no service); once the customer has created the validation records below and ACM has issued the certificate (minutes), \`npm run tenants -- sync ${environment} ${tenantId}\` serves the site`,
  ];
}
