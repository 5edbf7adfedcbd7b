/**
 * `tenants preview <env> [ID...]`: what `sync` would change, per tenant (creates, updates,
 * replaces, deletes and unchanged resources from the preview's change summary). Nothing is
 * deployed and the registry is not written (missing listener slots are allocated in memory).
 * With the Automation API a tenant without a stack gets an empty one: Pulumi previews only
 * existing stacks.
 */
import { formatChanges } from "../backend";
import { LifecycleContext } from "../context";
import { tenantStackConfig } from "../../stackConfig";
import { issuedCertificateHosts, validatedByCustomer } from "../certificates";
import { FleetTask, fleetExitCode, fleetOptions, runFleet, skipped } from "../fleet";
import { orphansOf, readInputs, requireKnown, stackOf, withStacks } from "../fleetState";
import { CommandReport, renderPreview, resultsJson } from "../report";

/** Options of `preview`. */
export interface PreviewOptions {
  /** Only these tenants. @default every entry */
  readonly tenantIds?: readonly string[];
}

/** Previews the environment's tenant stacks. */
export async function previewTenants(
  context: LifecycleContext,
  options: PreviewOptions = {},
): Promise<CommandReport> {
  const state = await withStacks(context, readInputs(context));
  const ids = options.tenantIds?.length ? options.tenantIds : state.entries.map((e) => e.id);
  requireKnown(
    ids,
    state.entries.map((e) => e.id),
    state.snapshot.registry.file,
  );
  if (state.unallocated.length > 0) {
    context.note(
      `listener slots of ${state.unallocated.join(", ")} are not in ${state.snapshot.registry.file} yet: previewed with the slots \`sync\` would write`,
    );
  }
  const tasks: FleetTask[] = state.entries
    .filter((entry) => ids.includes(entry.id))
    .map((entry) => ({
      tenantId: entry.id,
      stack: stackOf(context, entry.id),
      operation: "preview" as const,
      async run(step, signal) {
        step("previewing");
        const issued = await issuedCertificateHosts(
          context,
          context.environment,
          entry.id,
          state.existing.has(entry.id),
          validatedByCustomer(entry, state.settings),
        );
        const changes = await context.backend.preview(
          {
            environment: context.environment,
            tenantId: entry.id,
            config: tenantStackConfig(state.settings, entry, state.platformStack, {
              issuedCertificateHosts: issued,
            }),
          },
          { signal },
        );
        return { message: formatChanges(changes), changes };
      },
    }));
  const results = await runFleet(tasks, fleetOptions(context));
  const orphans = options.tenantIds?.length
    ? []
    : orphansOf(state).map((id) =>
        skipped(
          id,
          stackOf(context, id),
          "orphan",
          "orphan stack (no registry entry): `sync --prune` would remove it",
        ),
      );
  const exitCode = fleetExitCode(results);
  return {
    exitCode,
    text: renderPreview([...results, ...orphans]),
    json: {
      command: "preview",
      environment: context.environment,
      backend: context.backendName,
      registry: state.snapshot.file,
      platformStack: state.platformStack,
      results: resultsJson([...results, ...orphans]),
      exitCode,
    },
  };
}
