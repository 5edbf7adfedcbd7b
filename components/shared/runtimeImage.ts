/**
 * The tenants' runtime image: `runtime/` (Dockerfile, Apache and PHP configuration, must-use
 * plugin, entry points) built for ARM64 and pushed to the environment's ECR repository with
 * `@pulumi/docker-build` (BuildKit on the machine that runs `pulumi up`), or a pre-built image by
 * digest, or the official image as it is (the fallback). Tenants run the result by digest.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import { RuntimeImageSource } from "../../config/platformConfig";
import { PROJECT_DIR } from "../../lib/projectDir";

/** The build context: the repository's `runtime/` folder. */
export const RUNTIME_CONTEXT = path.join(PROJECT_DIR, "runtime");

/** Every file of a directory, as paths relative to it, sorted (a stable order to hash). */
function filesOf(dir: string, prefix = ""): string[] {
  return fs
    .readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .flatMap((entry) => {
      const relative = path.posix.join(prefix, entry.name);
      return entry.isDirectory() ? filesOf(dir, relative) : [relative];
    })
    .sort();
}

/**
 * The image tag: `runtime-` and the first 16 hex digits of a SHA-256 over the context's file
 * names and contents. The repository's tags are immutable, so a tag must name one content: a
 * changed file gives a new tag (and a new digest), an unchanged context the same tag.
 */
export function runtimeImageTag(context = RUNTIME_CONTEXT): string {
  const hash = crypto.createHash("sha256");
  for (const file of filesOf(context)) {
    hash.update(`${file}\0`);
    hash.update(fs.readFileSync(path.join(context, file)));
    hash.update("\0");
  }
  return `runtime-${hash.digest("hex").slice(0, 16)}`;
}

/** What the runtime image needs from the platform. */
export interface RuntimeImageArgs {
  readonly source: RuntimeImageSource;
  /** The environment's repository (build pushes here). */
  readonly repository: aws.ecr.Repository;
  /** The official image through the pull-through cache (the `stock` source). */
  readonly stockImage: pulumi.Input<string>;
}

/** The image tenants run by default and how it was made. */
export interface RuntimeImage {
  /** Reference tenants run: `<repository>@sha256:...` when built, the given one, or the stock image. */
  readonly reference: pulumi.Output<string>;
  /** The built image, when the platform builds it. */
  readonly image?: dockerBuild.Image;
}

/** The runtime image of the environment (see the file comment). */
export function createRuntimeImage(
  name: string,
  args: RuntimeImageArgs,
  parent: pulumi.Resource,
): RuntimeImage {
  if (args.source.kind === "stock") return { reference: pulumi.output(args.stockImage) };
  if (args.source.kind === "reference") return { reference: pulumi.output(args.source.reference) };

  const registry = aws.ecr.getAuthorizationTokenOutput(
    { registryId: args.repository.registryId },
    { parent },
  );
  const tag = runtimeImageTag();
  const image = new dockerBuild.Image(
    `${name}-runtime-image`,
    {
      context: { location: RUNTIME_CONTEXT },
      dockerfile: { location: path.join(RUNTIME_CONTEXT, "Dockerfile") },
      // Tenant tasks run on Graviton (taskDefinition.ts).
      platforms: ["linux/arm64"],
      push: true,
      tags: [pulumi.interpolate`${args.repository.repositoryUrl}:${tag}`],
      registries: [
        {
          address: args.repository.repositoryUrl,
          username: registry.userName,
          password: pulumi.secret(registry.password),
        },
      ],
    },
    { parent },
  );
  // By digest: what the repository holds under that tag, never what the tag may later name.
  return { reference: pulumi.interpolate`${args.repository.repositoryUrl}@${image.digest}`, image };
}
