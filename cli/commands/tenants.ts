/**
 * `bbws tenants <command> <env>` (alias `npm run tenants -- <command> <env>`): the tenant
 * lifecycle. Makes the tenant stacks of an environment (`<env>.<id>`, project bbws-tenant) match
 * its registry `tenants/<env>.yaml`, and rolls images out to them, through the Pulumi
 * Automation API or, with `--offline`, the offline engine (no Pulumi CLI, no AWS).
 */
import { lifecycleContext } from "../lifecycle";
import { LIFECYCLE_OPTIONS, environmentName } from "../options";
import { ActionInput, CommandResult, CommandSpec } from "../shell";
import type { Shard } from "../../tenants/lifecycle/shard";

const ENV = {
  name: "<env>",
  description: "environment (a Pulumi.<env>.yaml must exist), e.g. dev",
  parse: environmentName,
};

const EXAMPLES = `Examples:
  npm run tenants -- list dev --preview
  npm run tenants -- sync dev --concurrency 8
  npm run tenants -- add dev --id acme --domain acme.example.com --size small
  npm run tenants -- remove dev acme
  npm run tenants -- remove dev acme --purge        # also deletes data a removal kept
  npm run tenants -- add dev --id acme --domain acme.example.com --adopt-retained-data
  npm run tenants -- rollout dev --image 6.8.3-php8.3-apache --canary 1 --wave-size 10
  npm run tenants -- sync dev --offline --tenants /tmp/dev.yaml`;

/** Runs a lifecycle command module's function with the command's context. */
async function lifecycle(
  input: ActionInput,
  run: (context: Awaited<ReturnType<typeof lifecycleContext>>) => Promise<CommandResult>,
): Promise<CommandResult> {
  const context = await lifecycleContext(input, input.args[0] as string);
  return run(context);
}

/** The lifecycle commands. */
export const TENANT_COMMANDS: readonly CommandSpec[] = [
  {
    path: ["tenants", "list"],
    description:
      "Registry entries against tenant stacks: in sync, certificate pending (waiting for the customer's DNS), missing stack, orphan stack, pending changes; then each customer's DNS records, in place or not.",
    arguments: [ENV],
    options: [...LIFECYCLE_OPTIONS, "preview", "concurrency"],
    help: EXAMPLES,
    run: (input) =>
      lifecycle(input, async (context) => {
        const { listTenants } = await import("../../tenants/lifecycle/commands/list");
        return listTenants(context, { preview: input.options.preview === true });
      }),
  },
  {
    path: ["tenants", "sync"],
    description:
      "Create or update every tenant stack so it matches the registry (after writing missing listener slots into it); orphan stacks are reported, and removed only with --prune.",
    arguments: [ENV, { name: "[ids...]", description: "only these tenants (default: all)" }],
    options: [...LIFECYCLE_OPTIONS, "prune", "concurrency", "verifyTimeout", "certificateWait"],
    help: EXAMPLES,
    run: (input) =>
      lifecycle(input, async (context) => {
        const { syncTenants } = await import("../../tenants/lifecycle/commands/sync");
        return syncTenants(context, {
          tenantIds: input.args[1] as string[],
          prune: input.options.prune === true,
        });
      }),
  },
  {
    path: ["tenants", "add"],
    description:
      "Validate a new tenant, write its entry (with its listener slot) into the registry keeping comments and order, then deploy only its stack. A failed deploy keeps the entry (exit 1); a command that cannot run (no Pulumi CLI, no platform stack) writes nothing. An id whose data an earlier removal kept is refused (exit 4) unless --adopt-retained-data.",
    arguments: [ENV],
    options: [
      ...LIFECYCLE_OPTIONS,
      "id",
      "domain",
      "size",
      "desired",
      "min",
      "max",
      "image",
      "ha",
      "adoptRetainedData",
      "verifyTimeout",
      "certificateWait",
    ],
    help: EXAMPLES,
    run: (input) =>
      lifecycle(input, async (context) => {
        const { addTenant } = await import("../../tenants/lifecycle/commands/add");
        const o = input.options;
        return addTenant(context, {
          id: o.id as string,
          hosts: o.domain as string[],
          size: o.size as string | undefined,
          desired: o.desired as number | undefined,
          min: o.min as number | undefined,
          max: o.max as number | undefined,
          image: o.image as string | undefined,
          highAvailability: o.ha as boolean | undefined,
          adoptRetainedData: o.adoptRetainedData === true,
        });
      }),
  },
  {
    path: ["tenants", "remove"],
    description:
      "Remove a tenant: final backup (refused if it cannot be taken), destroy its stack keeping its data (database user locked, schema and EFS directory kept), remove the stack, record what is kept in the tombstones beside the registry, then remove its registry entry. With --purge the data goes too; --purge of a tenant already removed deletes the data its tombstone says is kept.",
    arguments: [ENV, { name: "<id>", description: "tenant id" }],
    options: [...LIFECYCLE_OPTIONS, "purge"],
    help: EXAMPLES,
    run: (input) =>
      lifecycle(input, async (context) => {
        const { removeTenant } = await import("../../tenants/lifecycle/commands/remove");
        return removeTenant(context, {
          tenantId: input.args[1] as string,
          purge: input.options.purge === true,
        });
      }),
  },
  {
    path: ["tenants", "preview"],
    description:
      "Per tenant, what an update would change: creates, updates, replaces, deletes and unchanged resources.",
    arguments: [ENV, { name: "[ids...]", description: "only these tenants (default: all)" }],
    options: [...LIFECYCLE_OPTIONS, "concurrency"],
    help: EXAMPLES,
    run: (input) =>
      lifecycle(input, async (context) => {
        const { previewTenants } = await import("../../tenants/lifecycle/commands/preview");
        return previewTenants(context, { tenantIds: input.args[1] as string[] });
      }),
  },
  rolloutSpec(["tenants", "rollout"], false),
  // The command's first home: kept working for scripts that call it there.
  rolloutSpec(["ops", "rollout"], true),
];

function rolloutSpec(path: readonly string[], hidden: boolean): CommandSpec {
  return {
    path,
    hidden,
    description:
      "Roll a new WordPress image out to tenant stacks: canaries one at a time, then waves; each wave updates its stacks (without waiting for ECS), " +
      "then confirms all its deployments together through ECS's service-deployments API (SUCCESSFUL; a rollback or a triggered circuit breaker is a failure, " +
      "and the stack is put back). A failed canary halts the rollout; a failed wave halts the next waves.",
    arguments: [
      ENV,
      {
        name: "[ids...]",
        description:
          "tenants to roll out, in order (the first are the canaries; default: every registry entry)",
      },
    ],
    options: [
      ...LIFECYCLE_OPTIONS,
      "rolloutImage",
      "canary",
      "waveSize",
      "deploymentTimeout",
      "rolloutPollInterval",
      "shard",
      "recordsDir",
    ],
    help:
      "Outcomes are recorded per tenant: in the registry for real stacks (lastRollout, and image when completed), in the offline state with --offline.\n" +
      EXAMPLES,
    run: (input) =>
      lifecycle(input, async (context) => {
        const { rolloutTenants } = await import("../../tenants/lifecycle/commands/rollout");
        const o = input.options;
        return rolloutTenants(context, {
          image: o.image as string,
          tenants: input.args[1] as string[],
          canary: o.canary as number,
          waveSize: o.waveSize as number,
          timeoutSeconds: o.timeout as number,
          intervalSeconds: o.pollInterval as number,
          shard: o.shard as Shard | undefined,
          recordsDir: o.recordsDir as string | undefined,
        });
      }),
  };
}
