/**
 * EFS rules: the shared file system (encryption, Regional) and the per-tenant access points
 * that isolate tenants on it (POSIX user, own directory), plus where mount targets live.
 */
import * as aws from "@pulumi/aws";
import { StackValidationArgs, ReportViolation, validateResourceOfType } from "@pulumi/policy";
import { TAG } from "../../components/tags";
import { tenantRootDirectory } from "../../config/naming";
import {
  BbwsPolicy,
  PolicyStatement,
  StackIndex,
  asArray,
  asRecord,
  grants,
  statementsOf,
  describeRule,
  isTenantUrn,
  known,
  show,
  tagsOf,
  typeToken,
  isMaintenanceUrn,
} from "./common";

const SUBNET = typeToken(aws.ec2.Subnet);
const FILE_SYSTEM = typeToken(aws.efs.FileSystem);
const FILE_SYSTEM_POLICY = typeToken(aws.efs.FileSystemPolicy);

const MOUNT = "elasticfilesystem:ClientMount";
const WRITE = "elasticfilesystem:ClientWrite";
const ROOT = "elasticfilesystem:ClientRootAccess";

/** The value of a condition `operator` on `key` (keys compared case-insensitively, as IAM does). */
function conditionValue(s: PolicyStatement, operator: string, key: string): unknown[] | undefined {
  const block = asRecord(s.condition?.[operator]);
  const found = Object.entries(block ?? {}).find(([k]) => k.toLowerCase() === key.toLowerCase());
  return found ? asArray(found[1]) : undefined;
}

const deniesToEveryone = (s: PolicyStatement) => {
  const principal = asRecord(s.principal);
  return s.effect === "Deny" && (s.principal === "*" || asArray(principal?.AWS).includes("*"));
};
const covers = (s: PolicyStatement, action: string) => s.actions.some((a) => grants(a, action));

/**
 * What a file system policy lacks of the three denies BBWS needs (see
 * components/shared/fileSystem.ts), one phrase each; empty when it has them all.
 */
export function fileSystemPolicyGaps(document: unknown): string[] {
  const statements = statementsOf(document).filter(deniesToEveryone);
  const gaps: string[] = [];
  const tls = statements.some(
    (s) =>
      covers(s, MOUNT) && conditionValue(s, "Bool", "aws:SecureTransport")?.map(String).includes("false"),
  );
  if (!tls) gaps.push('a Deny of NFS without TLS (Bool aws:SecureTransport "false")');
  const withoutAccessPoint = statements.some(
    (s) =>
      covers(s, MOUNT) &&
      covers(s, WRITE) &&
      conditionValue(s, "Null", "elasticfilesystem:AccessPointArn")?.map(String).includes("true"),
  );
  if (!withoutAccessPoint)
    gaps.push(
      'a Deny of ClientMount and ClientWrite without an access point (Null elasticfilesystem:AccessPointArn "true")',
    );
  const root = statements.some(
    (s) =>
      covers(s, ROOT) &&
      (s.condition === undefined ||
        conditionValue(s, "StringNotEquals", "elasticfilesystem:AccessPointArn") !== undefined ||
        conditionValue(s, "ArnNotEquals", "elasticfilesystem:AccessPointArn") !== undefined),
  );
  if (!root) gaps.push("a Deny of ClientRootAccess except through the maintenance access point");
  return gaps;
}

/** uid/gid 0 would make every file of the file system writable through the access point. */
const isNonRootId = (id: unknown) => typeof id === "number" && Number.isInteger(id) && id > 0;

export const efsPolicies: BbwsPolicy[] = [
  {
    name: "efs-encrypted-with-cmk",
    description: describeRule(
      ["EFS.1", "EFS.8", "CKV_AWS_42", "CKV_AWS_184"],
      "EFS file systems are encrypted at rest with a customer-managed KMS key (encrypted: true and kmsKeyId).",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.efs.FileSystem, (fs, _args, report) => {
      if (fs?.encrypted !== true) report(`encrypted is ${show(fs?.encrypted)}: set encrypted: true.`);
      if (!fs?.kmsKeyId) report("kmsKeyId is not set: encrypt with the environment's data key (a CMK).");
    }),
  },
  {
    name: "efs-regional",
    description: describeRule(
      ["aws-efs-filesystem-disallow-single-availability-zone", "REL10"],
      "EFS file systems are Regional (no availabilityZoneName): a One Zone file system takes every " +
        "tenant down with its AZ.",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.efs.FileSystem, (fs, _args, report) => {
      if (fs?.availabilityZoneName) {
        report(
          `availabilityZoneName is ${show(fs.availabilityZoneName)}: remove it for a Regional file system.`,
        );
      }
    }),
  },
  {
    name: "efs-access-point-root-directory",
    description: describeRule(
      ["EFS.3", "CKV_AWS_329"],
      "EFS access points enforce a root directory other than / and say how to create it " +
        "(creationInfo owner and permissions; without it the first mount fails with No such file " +
        "or directory). Exception: the platform's maintenance access point is `/` by design.",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.efs.AccessPoint, (ap, args, report) => {
      // Documented exception: the maintenance access point is the file system root (isMaintenanceUrn).
      if (isMaintenanceUrn(args.urn)) return;
      const root = asRecord(ap?.rootDirectory);
      const path = root?.path;
      if (typeof path !== "string" || path === "" || path === "/") {
        report(`rootDirectory.path is ${show(path)}: set a directory of its own, e.g. /tenants/<tenant-id>.`);
      }
      const creation = asRecord(root?.creationInfo);
      if (
        !creation ||
        creation.ownerUid === undefined ||
        creation.ownerGid === undefined ||
        !creation.permissions
      ) {
        report(
          `rootDirectory.creationInfo is ${show(creation)}: set { ownerUid: 33, ownerGid: 33, permissions: "755" }.`,
        );
      }
    }),
  },
  {
    name: "efs-access-point-posix-user",
    description: describeRule(
      ["EFS.4", "CKV_AWS_330"],
      "EFS access points enforce a non-root POSIX user and group (33:33, www-data in the WordPress " +
        "image). Exception: the platform's maintenance access point is 0:0 by design.",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.efs.AccessPoint, (ap, args, report) => {
      // Documented exception: maintenance tasks act as root to move tenants' directories.
      if (isMaintenanceUrn(args.urn)) return;
      const user = asRecord(ap?.posixUser);
      if (!user) {
        report("posixUser is not set: set { uid: 33, gid: 33 } so every access goes through that identity.");
        return;
      }
      if (!isNonRootId(user.uid) || !isNonRootId(user.gid)) {
        report(`posixUser is ${show(user)}: use a non-root uid and gid such as { uid: 33, gid: 33 }.`);
      }
    }),
  },
  {
    name: "efs-tenant-access-point-own-directory",
    description: describeRule(
      ["EFS.3", "EFS.4"],
      "A tenant's access point is rooted at /tenants/<its tenant id> (from its bbws:tenant-id " +
        "tag): two tenants sharing a directory would read and overwrite each other's files.",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.efs.AccessPoint, (ap, args, report) => {
      if (!isTenantUrn(args.urn)) return;
      const tenantId = tagsOf(ap)?.[TAG.tenantId];
      const path = asRecord(ap?.rootDirectory)?.path;
      if (typeof tenantId !== "string" || tenantId === "") {
        report(`the tenant access point has no ${TAG.tenantId} tag: its directory cannot be checked.`);
      } else if (path !== tenantRootDirectory(tenantId)) {
        report(
          `rootDirectory.path is ${show(path)}: tenant ${tenantId} must use ${tenantRootDirectory(tenantId)}.`,
        );
      }
    }),
  },
  {
    name: "efs-file-system-policy-restricts-access",
    description: describeRule(
      ["SEC08-BP04", "SEC03-BP02"],
      "Every EFS file system has a file system policy that denies, to every principal, NFS without " +
        "TLS, mounts and writes without an access point, and root access except through the " +
        "platform's maintenance access point: a principal with broad EFS rights in its identity " +
        "policy must still not mount the root and see every tenant's files.",
    ),
    enforcementLevel: "mandatory",
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
      const stack = StackIndex.of(args.resources);
      const policies = stack.ofType(FILE_SYSTEM_POLICY);
      for (const fs of stack.ofType(FILE_SYSTEM)) {
        // A policy's own id is its file system's id, so ids alone cannot tell them apart: compare
        // the policy's fileSystemId with the file system's id, or follow the engine's dependencies.
        const fsId = known(() => fs.props?.id);
        const mine = policies.filter(
          (p) =>
            (fsId !== undefined && known(() => p.props?.fileSystemId) === fsId) ||
            (p.propertyDependencies?.fileSystemId ?? []).includes(fs),
        );
        if (mine.length === 0) {
          report(
            `file system ${fs.name} has no aws.efs.FileSystemPolicy: add one with the three denies (createFileSystemPolicy).`,
            fs.urn,
          );
          continue;
        }
        for (const policy of mine) {
          const document = known(() => policy.props?.policy);
          if (document === undefined) continue; // computed during preview: checked on the update
          const gaps = fileSystemPolicyGaps(document);
          if (gaps.length > 0)
            report(`file system policy ${policy.name} lacks ${gaps.join("; ")}.`, policy.urn);
        }
      }
    },
  },
  {
    name: "efs-mount-targets-in-private-subnets",
    description: describeRule(
      ["EFS.6"],
      "EFS mount targets are not in subnets that assign public IPs on launch. Checked when the " +
        "subnet is part of the stack (a real preview sees awsx's subnets; the offline engine does " +
        "not, because awsx.ec2.Vpc is a remote component).",
    ),
    enforcementLevel: "mandatory",
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
      const stack = StackIndex.of(args.resources);
      for (const target of stack.ofType(typeToken(aws.efs.MountTarget))) {
        for (const subnet of stack.referenced(target, "subnetId", [SUBNET])) {
          if (known(() => subnet.props?.mapPublicIpOnLaunch) === true) {
            report(
              `mount target ${target.name} is in subnet ${subnet.name}, which maps public IPs on launch: use a private subnet.`,
              target.urn,
            );
          }
        }
      }
    },
  },
];
