/**
 * One tenant's stack update as `tenants add` and `tenants sync` run it: the configuration with
 * what ACM has issued (certificates.ts), the update, a second update once a certificate the
 * first one left pending is issued, then the onboarding (verification and the customer's DNS).
 */
import { PlatformSettings } from "../../config/platformConfig";
import { TenantEntry } from "../../config/tenantEntry";
import { tenantStackConfig } from "../stackConfig";
import { ChangeCounts, StackTarget, formatChanges } from "./backend";
import {
  awaitIssued,
  certificateOutputsOf,
  nextIssuedHosts,
  pendingCertificateLines,
  validatedByCustomer,
} from "./certificates";
import { CERTIFICATE_WAIT_DEFAULTS } from "./defaults";
import { BbwsError } from "../../lib/errors";
import { LifecycleContext } from "./context";
import { FleetTask, TaskOutcome } from "./fleet";
import { onboard } from "./onboarding";

/** What is deployed. */
export interface DeployRequest {
  /** The registry entry, with its listener slot. */
  readonly entry: TenantEntry;
  readonly settings: PlatformSettings;
  /** Fully qualified platform stack name. */
  readonly platformStack: string;
  /** Whether the tenant's stack exists already. */
  readonly stackExists: boolean;
}

const sum = (a: ChangeCounts, b: ChangeCounts): ChangeCounts => ({
  create: a.create + b.create,
  update: a.update + b.update,
  replace: a.replace + b.replace,
  delete: a.delete + b.delete,
  same: b.same,
});

/** Updates the tenant's stack and onboards it; `pending` while its certificate waits for the customer. */
export async function deployTenant(
  context: LifecycleContext,
  request: DeployRequest,
  step: Parameters<FleetTask["run"]>[0],
  signal?: AbortSignal,
): Promise<TaskOutcome> {
  const { entry } = request;
  const target = (issued: readonly string[]): StackTarget => ({
    environment: context.environment,
    tenantId: entry.id,
    config: tenantStackConfig(request.settings, entry, request.platformStack, {
      issuedCertificateHosts: issued,
    }),
  });
  const issued =
    request.stackExists && validatedByCustomer(entry, request.settings)
      ? await nextIssuedHosts(
          context.certificates,
          context.environment,
          entry,
          request.settings,
          await context.backend.outputs(context.environment, entry.id),
        )
      : [];
  step("updating");
  const first = await context.backend.up(target(issued), { signal });
  let { changes, outputs } = first;

  const details: string[] = [...(first.warnings ?? [])];
  let pending = false;
  const certificate = certificateOutputsOf(outputs);
  if (certificate.state === "pending" && certificate.arn) {
    step("confirming");
    const verdict = await awaitIssued(
      context.certificates,
      entry.id,
      certificate.arn,
      context.certificateWait ?? CERTIFICATE_WAIT_DEFAULTS,
      { signal, now: context.now },
    );
    if (verdict.issued) {
      // Issued meanwhile: attach it and serve its hosts (rules, redirect, DNS, service).
      step("updating");
      const second = await context.backend.up(target(certificate.hosts), { signal });
      changes = sum(changes, second.changes);
      outputs = second.outputs;
      details.push(
        ...(second.warnings ?? []),
        `certificate for ${certificate.hosts.join(", ")} issued${verdict.status?.simulated ? " (simulated)" : ""}: attached, hosts served`,
      );
    } else {
      // Pending only while a host is not served: with every host on the certificate kept
      // attached (a host removed), the new one is a formality its existing records complete.
      const served = Array.isArray(outputs.servingHosts) ? outputs.servingHosts.length : 0;
      const hosts = Array.isArray(outputs.hosts) ? outputs.hosts.length : 0;
      const lines = pendingCertificateLines(
        entry.id,
        context.environment,
        certificate,
        verdict,
        served >= hosts,
      );
      // ACM will not issue it (FAILED, VALIDATION_TIMED_OUT, deleted): a failure, not a wait.
      if (verdict.status && verdict.status.status !== "PENDING_VALIDATION")
        throw new BbwsError(
          "failed",
          [`${entry.id}: the stack was updated, but ${lines[0]}`, ...lines.slice(1)].join("\n"),
        );
      pending = served < hosts;
      details.push(...lines);
    }
  }
  step("confirming");
  details.push(...(await onboard(context, entry.id, outputs, signal)));
  return {
    message: `${formatChanges(changes)}${pending ? "; certificate pending: waiting for the customer's DNS" : ""}`,
    changes,
    details,
    pending,
  };
}
