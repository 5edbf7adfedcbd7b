/**
 * How a visitor reaches a tenant's host names, decided from plain data: which hosts get a
 * Route 53 alias record (a zone the platform manages), which need the tenant's own ACM
 * certificate (the environment's wildcard `*.<domain>` covers exactly one label below the
 * domain), and which DNS records a customer must create for the hosts we cannot manage.
 *
 * Pure functions: the registry checks, the allocation (certificate and rule slots), the tenant
 * component and the lifecycle's DNS report all derive from the same answers.
 */

/** A Route 53 hosted zone the platform may write records in. */
export interface ManagedZone {
  /** The zone's domain, e.g. wpdev.example.com. */
  readonly domain: string;
  readonly hostedZoneId: string;
}

/** What the classification needs to know of a tenant and its environment. */
export interface EdgeInputs {
  /** The tenant's hosts. */
  readonly hosts: readonly string[];
  /** The environment's base domain (`bbws:domain`): its wildcard certificate covers `*.<domain>`. */
  readonly domain: string;
  /** The environment's zone for `domain` (`bbws:hostedZoneId`). @default - no records are managed */
  readonly hostedZoneId?: string;
  /** A customer's zone the operator manages in the same account (registry `dnsZone`). */
  readonly customerZone?: ManagedZone;
}

/** One host, classified. */
export interface HostEdge {
  readonly host: string;
  /** The zone its alias record and certificate validation record go in; undefined: the customer's DNS. */
  readonly zone?: ManagedZone;
  /** True when the environment's wildcard certificate does not cover it: the tenant needs its own. */
  readonly needsCertificate: boolean;
}

/** Lower case, no trailing dot: how host names are compared. */
export function normalizeHost(host: string): string {
  return host.trim().toLowerCase().replace(/\.+$/, "");
}

/** True when `host` lies strictly below `domain`. */
export function isBelow(host: string, domain: string): boolean {
  return normalizeHost(host).endsWith(`.${normalizeHost(domain)}`);
}

/** True when the wildcard `*.<domain>` covers `host` (a wildcard matches exactly one label). */
export function coveredByWildcard(host: string, domain: string): boolean {
  if (!isBelow(host, domain)) return false;
  const label = normalizeHost(host).slice(0, -(normalizeHost(domain).length + 1));
  return label.length > 0 && !label.includes(".");
}

/** The zone a host's records belong in, if the platform manages one. */
export function zoneOf(host: string, inputs: Omit<EdgeInputs, "hosts">): ManagedZone | undefined {
  if (inputs.hostedZoneId && isBelow(host, inputs.domain))
    return { domain: inputs.domain, hostedZoneId: inputs.hostedZoneId };
  const customer = inputs.customerZone;
  if (customer && (normalizeHost(host) === normalizeHost(customer.domain) || isBelow(host, customer.domain)))
    return customer;
  return undefined;
}

/** Every host of a tenant, classified. */
export function classifyHosts(inputs: EdgeInputs): HostEdge[] {
  return inputs.hosts.map((host) => ({
    host,
    zone: zoneOf(host, inputs),
    needsCertificate: !coveredByWildcard(host, inputs.domain),
  }));
}

/** True when the tenant needs its own certificate on its shard's listener (one certificate slot). */
export function needsTenantCertificate(inputs: EdgeInputs): boolean {
  return classifyHosts(inputs).some((h) => h.needsCertificate);
}

/**
 * Listener rules a tenant takes on its shard: the forward rule of its primary host, and one
 * redirect rule for all its other hosts (a rule takes up to 5 host values).
 */
export function rulesOf(hosts: readonly string[]): number {
  return hosts.length > 1 ? 2 : 1;
}

/**
 * The redirect rule's priority: the forward rule's plus this offset. Slots are allocated from 1
 * upward (a few hundred per listener at most), so forward priorities stay below the offset.
 */
export const REDIRECT_PRIORITY_OFFSET = 25000;

/** A DNS record the customer must create at their DNS provider. */
export interface CustomerRecord {
  readonly name: string;
  /**
   * CNAME, or ALIAS for a two-label apex (example.com: a CNAME cannot live at a zone apex, the
   * DNS provider's ALIAS/ANAME can). An apex under a multi-label suffix (acme.co.za) cannot be
   * told apart without the public suffix list: reports say so for every CNAME.
   */
  readonly type: "CNAME" | "ALIAS";
  readonly target: string;
  /**
   * Why it is needed: `traffic` (the host itself), `certificate validation`, or `traffic, once
   * the certificate is issued` (a host not served yet: pointed at the ALB before, it would get
   * the environment's certificate).
   */
  readonly purpose: "traffic" | "certificate validation" | "traffic, once the certificate is issued";
}

/**
 * The records a customer creates for hosts outside every managed zone: each host points at the
 * tenant's ALB shard. A host with exactly two labels is a registrable apex (example.com):
 * providers offer ALIAS/ANAME records there.
 */
export function customerTrafficRecords(
  edges: readonly HostEdge[],
  albDnsName: string,
  servingHosts: readonly string[] = edges.map((e) => e.host),
): CustomerRecord[] {
  return edges
    .filter((e) => !e.zone)
    .map((e) => ({
      name: e.host,
      type: e.host.split(".").length <= 2 ? ("ALIAS" as const) : ("CNAME" as const),
      target: albDnsName,
      purpose: servingHosts.includes(e.host)
        ? ("traffic" as const)
        : ("traffic, once the certificate is issued" as const),
    }));
}

/** One problem with a tenant's hosts against its environment (field path within the entry). */
export interface EdgeProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

/** What the entry-level edge checks read. */
export interface EdgeEntry {
  readonly hosts: readonly string[];
  readonly primaryHost?: string;
  readonly dnsZone?: ManagedZone;
}

/**
 * Hosts that are the environment's apex (bbws:domain): the apex is the platform's, and the
 * wildcard certificate does not cover it.
 */
export function apexProblems(hosts: readonly string[], domain: string): EdgeProblem[] {
  const problems: EdgeProblem[] = [];
  hosts.forEach((host, h) => {
    if (normalizeHost(host) === normalizeHost(domain))
      problems.push({
        path: ["hosts", h],
        message: `"${host}" is the environment's apex (bbws:domain); a tenant takes a host below it, e.g. www.${domain}`,
      });
  });
  return problems;
}

/**
 * Problems of one entry's edge fields on their own: a primary host that is not one of the
 * hosts, a customer zone none of whose hosts lie in it.
 */
export function entryEdgeProblems(entry: EdgeEntry): EdgeProblem[] {
  const problems: EdgeProblem[] = [];
  if (
    entry.primaryHost !== undefined &&
    !entry.hosts.map(normalizeHost).includes(normalizeHost(entry.primaryHost))
  )
    problems.push({
      path: ["primaryHost"],
      message: `"${entry.primaryHost}" is not one of the tenant's hosts (${entry.hosts.join(", ")}); the primary host must be listed under hosts`,
    });
  if (
    entry.dnsZone &&
    !entry.hosts.some(
      (h) => normalizeHost(h) === normalizeHost(entry.dnsZone!.domain) || isBelow(h, entry.dnsZone!.domain),
    )
  )
    problems.push({
      path: ["dnsZone", "domain"],
      message: `no host of the tenant lies in "${entry.dnsZone.domain}"; the zone would manage none of them`,
    });
  return problems;
}

/** The hosts in canonical order: the primary first (WordPress's WP_HOME), the others in registry order. */
export function primaryFirst(hosts: readonly string[], primaryHost?: string): string[] {
  if (primaryHost === undefined) return [...hosts];
  const primary = hosts.find((h) => normalizeHost(h) === normalizeHost(primaryHost)) ?? primaryHost;
  return [primary, ...hosts.filter((h) => h !== primary)];
}
