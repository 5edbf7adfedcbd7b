/**
 * Stack outputs read with the Automation API (needs the Pulumi CLI and the backend's
 * credentials). The platform stack is the `bbws` project in the repository root; tenant stacks
 * are inline-program stacks of `bbws-tenant`, each selected in its own workspace directory
 * because selecting a stack rewrites workspace files (pulumi#8186).
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../lib/projectDir";
import { CommandError, LocalWorkspace, OutputMap, StackNotFoundError } from "@pulumi/pulumi/automation";
import { TENANT_PROJECT, tenantStackName } from "../config/naming";
import { ResolvedTenantOutputs, tenantOutputsFrom } from "../config/tenantOutputs";
import { BbwsError } from "../lib/errors";
import { PlatformContract, parsePlatformContract } from "../config/platformContract";

/** Workspace directory of one tenant stack (shared with the tenant lifecycle). */
export function tenantWorkspaceDir(environment: string, tenantId: string, projectDir = PROJECT_DIR): string {
  return path.join(projectDir, ".workspaces", tenantStackName(environment, tenantId));
}

/**
 * ops' StackOutputsSource (ops/context.ts) backed by the Pulumi Automation API. It satisfies the
 * interface structurally: tenants/ sits below ops/ and does not import it.
 */
export class PulumiStackOutputs {
  /** `projectDir`: the repository root (the platform project, and `.workspaces/` of tenant stacks). */
  constructor(private readonly projectDir: string = PROJECT_DIR) {}

  /** The platform contract of the platform stack `<env>`, parsed. */
  async platform(environment: string): Promise<PlatformContract> {
    const outputs = await readOutputs(`platform stack ${environment}`, () =>
      LocalWorkspace.selectStack({ stackName: environment, workDir: this.projectDir }),
    );
    return parsePlatformContract(outputs, { stack: environment, environment });
  }

  /** The outputs of the tenant stack `<env>.<tenantId>`. */
  async tenant(environment: string, tenantId: string): Promise<ResolvedTenantOutputs> {
    const stackName = tenantStackName(environment, tenantId);
    const workDir = tenantWorkspaceDir(environment, tenantId, this.projectDir);
    fs.mkdirSync(workDir, { recursive: true });
    const outputs = await readOutputs(`tenant stack ${stackName}`, () =>
      LocalWorkspace.selectStack(
        // Reading outputs never runs the program; an empty one avoids loading the tenant code.
        { stackName, projectName: TENANT_PROJECT, program: () => Promise.resolve({}) },
        { workDir, projectSettings: { name: TENANT_PROJECT, runtime: "nodejs" } },
      ),
    );
    return tenantOutputsFrom(stackName, outputs);
  }
}

async function readOutputs(
  what: string,
  select: () => Promise<{ outputs(): Promise<OutputMap> }>,
): Promise<Record<string, unknown>> {
  try {
    const stack = await select();
    return unwrap(await stack.outputs());
  } catch (error) {
    if (error instanceof StackNotFoundError) {
      throw new BbwsError("invalidInput", `${what} does not exist (deploy it first)`, { cause: error });
    }
    if (error instanceof CommandError) {
      const stderr = commandStderr(error.message);
      if (/ENOENT/.test(stderr)) {
        throw new BbwsError(
          "invalidInput",
          `reading the ${what} needs the Pulumi CLI, which is not on PATH (https://www.pulumi.com/docs/install/)`,
          { cause: error },
        );
      }
      throw new BbwsError("failed", `pulumi could not read the ${what}: ${stderr}`, { cause: error });
    }
    throw error;
  }
}

/** Output values without their secret flags (ops needs the values themselves). */
export function unwrap(outputs: OutputMap): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([key, output]) => [key, output.value]));
}

/** The stderr part of a CommandError message (`code: ..\n stdout: ..\n stderr: ..\n err?: ..`). */
export function commandStderr(message: string): string {
  const match = /stderr:([\s\S]*?)(?:\n\s*err\?:|$)/.exec(message);
  return (match ? match[1] : message).trim().split("\n")[0];
}
