/**
 * Container image references as registries parse them (the OCI distribution `reference`
 * grammar, github.com/distribution/reference `regexp.go`): `[domain/]path[:tag][@digest]`,
 * path components of lower-case alphanumerics joined by `.`, `_`, `__` or dashes, tags of at most
 * 128 word characters, dots and dashes, and a `sha256` digest of exactly 64 hex characters
 * (OCI image spec, "Digests"). A registry entry's `image` is a tag or a digest of the
 * environment's own repository, or a full reference.
 */

const TAG = /^[\w][\w.-]{0,127}$/;
const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::\d+)?$/;

/** Why `digest` is not a sha256 digest, or undefined when it is one. */
function digestProblem(digest: string): string | undefined {
  if (SHA256_DIGEST.test(digest)) return undefined;
  const [algorithm, hex = ""] = digest.split(":");
  if (algorithm !== "sha256") return `the digest algorithm must be sha256, got "${algorithm}"`;
  if (!/^[a-f0-9]*$/.test(hex)) return "a sha256 digest holds lower-case hex characters only";
  return `a sha256 digest has 64 hex characters, this one ${hex.length} (a truncated digest?)`;
}

/**
 * Why `value` is not a valid `image` (a tag, `sha256:<64 hex>` or a full reference with a tag or
 * digest), or undefined when it is one.
 */
export function imageReferenceProblem(value: string): string | undefined {
  if (value.startsWith("sha256:")) return digestProblem(value);
  if (TAG.test(value)) return undefined;
  if (!value.includes("/")) {
    return "is neither a tag (letters, digits, '_', '.', '-', at most 128) nor a digest (sha256:<64 hex>) nor a full reference (registry/path:tag)";
  }
  const at = value.indexOf("@");
  const digest = at >= 0 ? value.slice(at + 1) : undefined;
  const withTag = at >= 0 ? value.slice(0, at) : value;
  const lastSlash = withTag.lastIndexOf("/");
  const colon = withTag.indexOf(":", lastSlash);
  const tag = colon >= 0 ? withTag.slice(colon + 1) : undefined;
  const name = colon >= 0 ? withTag.slice(0, colon) : withTag;
  if (digest !== undefined) {
    const problem = digestProblem(digest);
    if (problem) return problem;
  }
  if (tag !== undefined && !TAG.test(tag))
    return `the tag "${tag}" is not valid (letters, digits, '_', '.', '-', at most 128, not starting with '.' or '-')`;
  if (tag === undefined && digest === undefined)
    return "a full reference needs a tag or a digest (registry/path:tag or registry/path@sha256:<64 hex>), so that deployments are repeatable";
  const parts = name.split("/");
  // The first part is a registry host when it looks like one (a dot, a port or localhost).
  const [first, ...rest] = parts;
  const isDomain = first.includes(".") || first.includes(":") || first === "localhost";
  if (isDomain && !DOMAIN.test(first)) return `"${first}" is not a registry host name`;
  const path = isDomain ? rest : parts;
  if (path.length === 0) return "names a registry but no repository";
  const bad = path.find((component) => !PATH_COMPONENT.test(component));
  if (bad !== undefined)
    return `the repository path component "${bad}" is not valid (lower-case letters and digits, joined by '.', '_', '__' or '-')`;
  if (name.length > 255) return `the repository name has ${name.length} characters, at most 255`;
  return undefined;
}
