/**
 * The registry's edge rules that need the environment's settings (the loader knows only the
 * file): no host is the environment's apex, a tenant with several hosts keeps its forward
 * priority below the redirect offset, and a tenant that opts out of the xmlrpc block has its
 * hosts on the platform's allow list. Problems are reported like every registry problem: file,
 * line, entry, field, value and why; nothing is changed.
 */
import type { PlatformSettings } from "../../config/platformConfig";
import { EdgeProblem, REDIRECT_PRIORITY_OFFSET, apexProblems, normalizeHost } from "../../config/edgeHosts";
import { TenantEntry } from "../../config/tenantEntry";
import { Registry, RegistryError, RegistryProblem } from "./load";

/** The edge problems of one entry in an environment. */
export function entryEdgeSettingsProblems(entry: TenantEntry, settings: PlatformSettings): EdgeProblem[] {
  const problems = apexProblems(entry.hosts, settings.domain);
  if (entry.hosts.length > 1 && entry.listener && entry.listener.priority > REDIRECT_PRIORITY_OFFSET)
    problems.push({
      path: ["listener", "priority"],
      message: `a tenant with several hosts keeps its rule priority at most ${REDIRECT_PRIORITY_OFFSET} (its redirect rule takes priority + ${REDIRECT_PRIORITY_OFFSET}); got ${entry.listener.priority}: move the tenant to a free lower priority`,
    });
  if (entry.firewall?.allowXmlrpc && settings.edge.waf) {
    const allowed = new Set(settings.edge.wafXmlrpcAllowedHosts.map(normalizeHost));
    const missing = entry.hosts.filter((h) => !allowed.has(normalizeHost(h)));
    if (missing.length > 0)
      problems.push({
        path: ["firewall", "allowXmlrpc"],
        message:
          `the web firewall of ${settings.environment} still blocks /xmlrpc.php on ${missing.join(", ")}: the firewall is the platform's, ` +
          `so add them to bbws:wafXmlrpcAllowedHosts in Pulumi.${settings.environment}.yaml and update the platform (pulumi up -s ${settings.environment})`,
      });
  }
  return problems;
}

/** Throws RegistryError with every edge problem of the registry's entries (each with its line). */
export function assertEdgeRules(
  registry: Registry,
  settings: PlatformSettings,
  entries: readonly TenantEntry[] = registry.tenants,
): void {
  const text = registry.document.toString();
  const lineOf = (path: (string | number)[]): number | undefined => {
    const node = registry.document.getIn(path, true) as { range?: [number, number, number] } | undefined;
    return node?.range ? text.slice(0, node.range[0]).split("\n").length : undefined;
  };
  const problems: RegistryProblem[] = entries.flatMap((entry, index) =>
    entryEdgeSettingsProblems(entry, settings).map((p) => ({
      file: registry.file,
      line: lineOf(["tenants", index, ...p.path]),
      entry: `tenants[${index}] (id "${entry.id}")`,
      field: p.path
        .map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? part : `.${part}`))
        .join(""),
      message: p.message,
      index,
    })),
  );
  if (problems.length > 0) throw new RegistryError(registry.file, problems);
}
