/**
 * What `tenants add` and `tenants sync` do after a tenant stack update: verify the site
 * (verification.ts) and report the DNS records its customer must create, with whether each is
 * in place yet (looked up through the DnsCheck port: Node's resolver for real stacks, "not
 * checked" offline). Returns the lines shown under the tenant in the summary; a failed
 * verification throws (exit code "unverified"), the other tenants carry on.
 */
import { BbwsError } from "../../lib/errors";
import { LifecycleContext } from "./context";
import { DnsCheck } from "./ports";
import { DEFAULT_VERIFICATION_WAIT, VerificationError, VerificationTarget, verifySite } from "./verification";

/** A record the customer must create, as the tenant stack outputs it. */
export interface CustomerRecordOutput {
  readonly name: string;
  readonly type: string;
  readonly target: string;
  readonly purpose: string;
}

const trim = (name: string) => name.toLowerCase().replace(/\.+$/, "");

/** One line per record: `CNAME www.acme.co.za -> <alb> (traffic): in place | missing (...) | not checked`. */
export async function customerDnsLines(
  records: readonly CustomerRecordOutput[],
  dns: DnsCheck | undefined,
): Promise<string[]> {
  const lines: string[] = [];
  for (const record of records) {
    const head = `customer DNS: ${record.type} ${record.name} -> ${record.target} (${record.purpose})`;
    const type = record.type === "ALIAS" ? "ALIAS" : "CNAME";
    const found = dns ? await dns.lookup(record.name, type) : undefined;
    if (found === undefined) {
      lines.push(`${head}: not checked${dns ? "" : " (offline)"}`);
      continue;
    }
    // An ALIAS/ANAME answers with the ALB's addresses, a CNAME with its name.
    const expected = type === "ALIAS" ? ((await dns!.lookup(record.target, "ALIAS")) ?? []) : [record.target];
    const inPlace = found.some((value) => expected.map(trim).includes(trim(value)));
    lines.push(
      inPlace
        ? `${head}: in place`
        : `${head}: missing (${found.length > 0 ? `found ${found.join(", ")}` : "no record yet"}); the customer creates it at their DNS provider`,
    );
  }
  if (records.some((r) => r.type === "CNAME" && r.purpose.startsWith("traffic")))
    lines.push(
      "customer DNS: at a zone apex (e.g. example.co.za) a CNAME is not allowed: use the DNS provider's ALIAS/ANAME, or redirect the apex to www",
    );
  return lines;
}

/**
 * Refuses (invalidInput, nothing changed) when the platform's certificate does not serve
 * `*.<domain>`: every tenant below the domain would get a certificate for another name.
 */
export async function assertPlatformCertificate(context: LifecycleContext): Promise<void> {
  if (!context.certificateCheck) return;
  const problem = await context.certificateCheck(context.settings());
  if (problem) throw new BbwsError("invalidInput", `${problem}; nothing was changed`);
}

/** The verification target from a tenant stack's outputs (undefined when they predate the edge outputs). */
export function verificationTargetOf(
  tenantId: string,
  outputs: Readonly<Record<string, unknown>>,
): VerificationTarget | undefined {
  const text = (key: string) => {
    const value = outputs[key];
    return typeof value === "string" ? value : undefined;
  };
  // Only the hosts served now: a host whose certificate is pending has no rule to answer it.
  const served = Array.isArray(outputs.servingHosts) ? outputs.servingHosts : outputs.hosts;
  const hosts = Array.isArray(served) ? (served as string[]) : undefined;
  const [clusterName, serviceName, targetGroupArn, loadBalancerDnsName] = [
    text("clusterName"),
    text("serviceName"),
    text("targetGroupArn"),
    text("loadBalancerDnsName"),
  ];
  if (!clusterName || !serviceName || !targetGroupArn || !loadBalancerDnsName || !hosts) return undefined;
  return { tenantId, clusterName, serviceName, targetGroupArn, loadBalancerDnsName, hosts };
}

/**
 * Verifies the updated tenant (the hosts it serves; nothing while its certificate is pending)
 * and reports its customer's DNS; the lines go under its summary row.
 */
export async function onboard(
  context: LifecycleContext,
  tenantId: string,
  outputs: Readonly<Record<string, unknown>>,
  signal?: AbortSignal,
): Promise<string[]> {
  const lines: string[] = [];
  const nothingServed = Array.isArray(outputs.servingHosts) && outputs.servingHosts.length === 0;
  if (context.siteProbe && !nothingServed) {
    const target = verificationTargetOf(tenantId, outputs);
    if (target) {
      const report = await verifySite(target, context.siteProbe, {
        ...(context.verifyWait ?? DEFAULT_VERIFICATION_WAIT),
        signal,
      });
      lines.push(...report.lines.map((l) => `verified: ${l}`));
    } else
      throw new VerificationError(
        "service",
        "the stack's outputs name no service, target group or load balancer to check",
        tenantId,
      );
  }
  const records = Array.isArray(outputs.customerRecords)
    ? (outputs.customerRecords as CustomerRecordOutput[])
    : [];
  lines.push(...(await customerDnsLines(records, context.dns)));
  return lines;
}
