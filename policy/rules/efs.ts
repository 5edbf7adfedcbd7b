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
  StackIndex,
  asRecord,
  describeRule,
  isTenantUrn,
  known,
  show,
  tagsOf,
  typeToken,
  isMaintenanceUrn,
} from "./common";

const SUBNET = typeToken(aws.ec2.Subnet);

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
