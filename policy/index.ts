/**
 * The BBWS CrossGuard policy pack: `pulumi preview --policy-pack policy` (see README.md).
 *
 * Constructing a PolicyPack starts the analyzer's gRPC server and never returns: nothing may
 * import this file. Offline runs (tests, the offline engine) evaluate `ALL_POLICIES` through
 * `evaluate.ts`.
 */
import { PolicyPack } from "@pulumi/policy";
import { ALL_POLICIES, PACK_ENFORCEMENT_LEVEL } from "./policies";

new PolicyPack("bbws", {
  description: "BBWS: security and reliability rules for multi-tenant WordPress on ECS Fargate",
  enforcementLevel: PACK_ENFORCEMENT_LEVEL,
  policies: [...ALL_POLICIES],
});
