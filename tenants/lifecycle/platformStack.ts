/**
 * The platform stack a tenant's StackReference reads: `<org>/bbws/<env>`.
 *
 * Resolution, first match wins:
 * 1. `--platform-stack <org>/bbws/<env>`: always right, and needed when the platform lives in
 *    another organization than the operator's default one.
 * 2. The platform project's stacks as the backend lists them (`pulumi stack ls` in the
 *    repository root, which reads Pulumi.yaml and writes nothing): the environment's stack must
 *    exist (tenants cannot be deployed against a platform that was never deployed), and its
 *    organization is read from the listing: a qualified name (`org/bbws/dev`), else the stack's
 *    console URL (`https://app.pulumi.com/<org>/bbws/<env>`).
 * 3. A DIY backend (file://, s3://, gs://, azblob://: `whoAmI().url` is not http(s)) has a
 *    single organization, literally "organization".
 * 4. Pulumi Cloud without a URL in the listing: the user's own organization (`whoAmI().user`),
 *    which is the default organization unless `pulumi org set-default` changed it: pass the name
 *    with --platform-stack then.
 */
import { PROJECT } from "../../config/platformConfig";
import { AutomationWorkspace } from "./automationApi";
import { BbwsError } from "../../lib/errors";

/** The organization of every stack on a DIY backend. */
export const DIY_ORGANIZATION = "organization";

/** Checks an explicit `--platform-stack` value. */
export function checkPlatformStackName(name: string, environment: string): string {
  const parts = name.split("/");
  if (parts.length !== 3 || parts.some((p) => p.length === 0)) {
    throw new BbwsError(
      "usage",
      `--platform-stack "${name}" is not a fully qualified stack name; expected <org>/${PROJECT}/${environment}`,
    );
  }
  return name;
}

/** True for a DIY (self-managed) backend URL. */
export function isDiyBackend(url: string | undefined): boolean {
  return url !== undefined && !/^https?:\/\//i.test(url);
}

/** Resolves `<org>/bbws/<env>` from the platform project's workspace (see the file comment). */
export async function resolvePlatformStack(
  environment: string,
  workspace: AutomationWorkspace,
): Promise<string> {
  const [who, stacks] = await Promise.all([workspace.whoAmI(), workspace.listStacks()]);
  const summary = stacks.find((s) => s.name.split("/").pop() === environment);
  if (!summary) {
    throw new BbwsError(
      "invalidInput",
      `platform stack "${environment}" of project ${PROJECT} was not found on ${who.url ?? "the current backend"} ` +
        `(stacks: ${stacks.map((s) => s.name).join(", ") || "none"}); deploy it first (pulumi up -s ${environment}) ` +
        `or pass --platform-stack <org>/${PROJECT}/${environment}; nothing was changed`,
    );
  }
  const parts = summary.name.split("/");
  if (parts.length === 3) return summary.name;
  if (parts.length === 2) return `${parts[0]}/${PROJECT}/${environment}`;
  if (isDiyBackend(who.url)) return `${DIY_ORGANIZATION}/${PROJECT}/${environment}`;
  const fromUrl = summary.url ? organizationFromUrl(summary.url) : undefined;
  return `${fromUrl ?? who.user}/${PROJECT}/${environment}`;
}

function organizationFromUrl(url: string): string | undefined {
  try {
    const [org, project] = new URL(url).pathname.split("/").filter(Boolean);
    return project === PROJECT ? org : undefined;
  } catch {
    return undefined;
  }
}
