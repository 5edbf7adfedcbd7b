/**
 * `tenants list <env>`: registry entries against existing tenant stacks.
 *
 * - in sync: the stack's last successful update ran with the configuration the entry implies;
 * - missing stack: an entry without a stack (`sync` creates it);
 * - orphan stack: a stack without an entry (`sync --prune` removes it, after a final backup);
 * - certificate pending: in sync, but its certificate waits for the customer's DNS records
 *   (printed under the table): `sync` serves its hosts once ACM has issued it;
 * - pending changes: the configuration differs (the fields are named when known), the entry has
 *   no listener slot yet, or, with `--preview`, a preview shows changes (a platform output
 *   change, drift);
 * - error: the stack could not be read or previewed (exit 1).
 */
import pLimit from "p-limit";
import { TenantEntry } from "../../../config/tenantEntry";
import { ChangeCounts, formatChanges, hasChanges } from "../backend";
import { configDifferences, configHash } from "../configState";
import { LifecycleContext } from "../context";
import { tenantStackConfig } from "../../stackConfig";
import { certificateOutputsOf, issuedHostsOf, validatedByCustomer } from "../certificates";
import { planForEntry } from "../../../config/certificatePlan";
import { CustomerRecordOutput, customerDnsLines } from "../onboarding";
import { messageOf } from "../../../lib/errors";
import { EXIT } from "../../../lib/exitCodes";
import { FleetState, orphansOf, readInputs, stackOf, withStacks } from "../fleetState";
import { CommandReport, plainTable } from "../report";

/** Status of one tenant. */
export type ListStatus =
  "in sync" | "certificate pending" | "missing stack" | "orphan stack" | "pending changes" | "error";

/** One row of the listing. */
export interface ListRow {
  readonly tenantId: string;
  readonly stack: string;
  readonly status: ListStatus;
  readonly detail: string;
  /** With --preview: the preview's counts. */
  readonly changes?: ChangeCounts;
  /**
   * The DNS records the tenant's customer must create, each with whether it is in place
   * (onboarding.ts `customerDnsLines`), and how its certificate stands. @default - none
   */
  readonly edge?: readonly string[];
}

/** Options of `list`. */
export interface ListOptions {
  /** Also preview every existing stack. */
  readonly preview?: boolean;
}

/** Lists the environment's tenants and stacks. */
export async function listTenants(
  context: LifecycleContext,
  options: ListOptions = {},
): Promise<CommandReport> {
  const state = await withStacks(context, readInputs(context));
  const limit = pLimit(Math.max(1, context.concurrency));
  const rows = await Promise.all(
    state.entries.map((entry) => limit(() => entryRow(context, state, entry, options))),
  );
  context.progress.stop();
  for (const id of orphansOf(state)) {
    rows.push({
      tenantId: id,
      stack: stackOf(context, id),
      status: "orphan stack",
      detail: "no registry entry; `sync --prune` destroys it after a final backup",
    });
  }

  const table = plainTable(["Tenant", "Stack", "Status", "Detail"], [null, null, null, 70]);
  for (const row of rows) table.push([row.tenantId, row.stack, row.status, row.detail]);
  // What customers must create, copyable: not wrapped inside a cell.
  const edge = rows.flatMap((r) =>
    r.edge && r.edge.length > 0 ? [`${r.stack}:`, ...r.edge.map((line) => `  ${line}`)] : [],
  );
  const counts = rows.reduce<Record<string, number>>(
    (c, r) => ({ ...c, [r.status]: (c[r.status] ?? 0) + 1 }),
    {},
  );
  const exitCode = rows.some((r) => r.status === "error") ? EXIT.failed.code : EXIT.ok.code;
  return {
    exitCode,
    text: `${table.toString()}\n${edge.map((line) => `${line}\n`).join("")}${Object.entries(counts)
      .map(([status, n]) => `${n} ${status}`)
      .join(", ")} (${context.backendName} backend, registry ${state.snapshot.registry.file}).`,
    json: {
      command: "list",
      environment: context.environment,
      backend: context.backendName,
      registry: state.snapshot.file,
      platformStack: state.platformStack,
      tenants: rows,
      exitCode,
    },
  };
}

async function entryRow(
  context: LifecycleContext,
  state: FleetState,
  entry: TenantEntry,
  options: ListOptions,
): Promise<ListRow> {
  const stack = stackOf(context, entry.id);
  const row = (status: ListStatus, detail: string, changes?: ChangeCounts): ListRow => ({
    tenantId: entry.id,
    stack,
    status,
    detail,
    ...(changes ? { changes } : {}),
  });
  if (!state.existing.has(entry.id)) return row("missing stack", "`sync` creates it");
  try {
    const outputs = await context.backend.outputs(context.environment, entry.id);
    const issued = validatedByCustomer(entry, state.settings)
      ? await issuedHostsOf(context.certificates, entry.id, outputs)
      : [];
    const records = Array.isArray(outputs.customerRecords)
      ? (outputs.customerRecords as CustomerRecordOutput[])
      : [];
    const edgeLines = await customerDnsLines(records, context.dns);
    const desired = tenantStackConfig(state.settings, entry, state.platformStack, {
      issuedCertificateHosts: issued,
    });
    const deployed = await context.backend.deployed(context.environment, entry.id);
    const reasons: string[] = [];
    const certificate = certificateOutputsOf(outputs);
    // Would the next update serve every host? The same decision the tenant program makes.
    const issuedNow = planForEntry(entry, state.settings, issued).state !== "pending";
    // Waiting for the customer is no drift: nothing would change until ACM issues it.
    const waiting =
      certificate.state === "pending" && !issuedNow
        ? `certificate for ${certificate.hosts.join(", ")} pending validation (the customer's records are below)`
        : undefined;
    if (certificate.state === "pending" && issuedNow)
      reasons.push(`certificate for ${certificate.hosts.join(", ")} issued: \`sync\` serves its hosts`);
    if (state.unallocated.includes(entry.id)) reasons.push("no listener slot in the registry yet");
    if (!deployed?.configHash) reasons.push("never updated by the lifecycle");
    else if (deployed.configHash !== configHash(desired)) {
      reasons.push(
        deployed.config
          ? `configuration differs: ${configDifferences(desired, deployed.config).join(", ")}`
          : "configuration differs from the last update",
      );
    }
    let changes: ChangeCounts | undefined;
    if (options.preview) {
      context.progress.update(stack, "previewing");
      changes = await context.backend.preview(
        { environment: context.environment, tenantId: entry.id, config: desired },
        { signal: context.signal },
      );
      context.progress.update(stack, "done", formatChanges(changes));
      if (hasChanges(changes)) reasons.push(`preview: ${formatChanges(changes)}`);
    }
    const listed =
      reasons.length > 0
        ? row("pending changes", [waiting, ...reasons].filter(Boolean).join("; "), changes)
        : waiting
          ? row("certificate pending", waiting, changes)
          : row("in sync", "", changes);
    return edgeLines.length > 0 ? { ...listed, edge: edgeLines } : listed;
  } catch (error) {
    context.progress.update(stack, "failed", messageOf(error));
    return row("error", messageOf(error));
  }
}
