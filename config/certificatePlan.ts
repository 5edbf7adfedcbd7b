/**
 * Which of a tenant's hosts the load balancer may answer for now, decided from plain data: a
 * visitor must never see the wrong certificate, so a host on the tenant's own certificate is
 * served only once ACM has issued that certificate.
 *
 * - `none`: the environment's wildcard covers every host.
 * - `managed`: every validation record is in a zone the platform manages; the stack update
 *   creates them and waits for ACM (minutes), so the rules can simply depend on the validation.
 * - `issued` / `pending`: at least one host is validated by a record the customer creates. The
 *   update never waits for that: the certificate is created, its records are reported, and the
 *   host rules (and the service behind them) follow on the first run after ACM has issued it
 *   (`issuedHosts`, which the lifecycle reads from ACM before every update). While a changed
 *   certificate is pending, the issued one it replaces stays attached for the hosts it covers.
 *
 * Pure: the tenant component builds its resources from the answer; tests enumerate the cases.
 */
import { createHash } from "node:crypto";
import { HostEdge, classifyHosts, normalizeHost } from "./edgeHosts";
import { PlatformSettings } from "./platformConfig";
import { TenantEntry } from "./tenantEntry";
import { resolveTenantSpec } from "./tenantSpec";

/** How the tenant's own certificate stands. */
export type CertificateState = "none" | "managed" | "issued" | "pending";

/** The tenant's certificates and the hosts served now. */
export interface TenantCertificatePlan {
  readonly state: CertificateState;
  /** Hosts the certificate must cover (sorted, lower case); empty for `none`. */
  readonly wanted: readonly string[];
  /**
   * The issued certificate kept attached while `wanted` is pending (a host change), as the hosts
   * it covers (sorted). @default - none
   */
  readonly kept?: readonly string[];
  /** Hosts the listener rules answer for now; empty while the primary host has no certificate. */
  readonly servingHosts: readonly string[];
}

/** What the plan reads. */
export interface CertificatePlanInputs {
  /** The tenant's hosts, classified (edgeHosts.ts). */
  readonly hosts: readonly HostEdge[];
  readonly primaryHost: string;
  /**
   * Hosts of the tenant certificate ACM reports as issued (the lifecycle's answer before the
   * update). @default [] (nothing issued yet)
   */
  readonly issuedHosts?: readonly string[];
}

/** Sorted, normalized, without duplicates: how certificate host sets are compared and named. */
export function certificateHostSet(hosts: readonly string[]): string[] {
  return [...new Set(hosts.map(normalizeHost))].sort();
}

/** 8 hex characters naming a certificate by its hosts: a changed set is another certificate. */
export function certificateHostsHash(hosts: readonly string[]): string {
  return createHash("sha256").update(certificateHostSet(hosts).join(",")).digest("hex").slice(0, 8);
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((host, i) => host === b[i]);

/** Decides the tenant's certificate state and the hosts it serves now. */
export function planTenantCertificate(inputs: CertificatePlanInputs): TenantCertificatePlan {
  const all = inputs.hosts.map((h) => h.host);
  const wanted = certificateHostSet(inputs.hosts.filter((h) => h.needsCertificate).map((h) => h.host));
  if (wanted.length === 0) return { state: "none", wanted, servingHosts: all };
  const customerValidated = inputs.hosts.some((h) => h.needsCertificate && !h.zone);
  if (!customerValidated) return { state: "managed", wanted, servingHosts: all };

  const issued = certificateHostSet(inputs.issuedHosts ?? []);
  if (sameSet(issued, wanted)) return { state: "issued", wanted, servingHosts: all };

  // Pending: the wildcard's hosts, and those the previously issued certificate still covers.
  const keptHosts = new Set(issued);
  const kept = issued.length > 0 && all.some((h) => keptHosts.has(normalizeHost(h))) ? issued : undefined;
  const covered = inputs.hosts
    .filter((h) => !h.needsCertificate || (kept !== undefined && keptHosts.has(normalizeHost(h.host))))
    .map((h) => h.host);
  // Every other host redirects to the primary: without its certificate nothing is served.
  const servingHosts = covered.includes(inputs.primaryHost) ? covered : [];
  return { state: "pending", wanted, ...(kept ? { kept } : {}), servingHosts };
}

/** The certificate plan of a registry entry in its environment, with `issuedHosts` issued. */
export function planForEntry(
  entry: TenantEntry,
  settings: PlatformSettings,
  issuedHosts: readonly string[],
): TenantCertificatePlan {
  const spec = resolveTenantSpec(entry, settings);
  return planTenantCertificate({
    hosts: classifyHosts({ hosts: spec.hosts, ...spec.edge }),
    primaryHost: spec.primaryHost,
    issuedHosts,
  });
}
