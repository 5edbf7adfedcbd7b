/**
 * Every rule of the BBWS policy pack, in one list: the pack (policy/index.ts) and the offline
 * evaluator (policy/evaluate.ts) both run exactly this list.
 */
import { BbwsEnforcementLevel, BbwsPolicy } from "./rules/common";
import { albPolicies } from "./rules/alb";
import { backupPolicies } from "./rules/backup";
import { ecrLogsKmsPolicies } from "./rules/ecrLogsKms";
import { ecsPolicies } from "./rules/ecs";
import { efsPolicies } from "./rules/efs";
import { iamPolicies } from "./rules/iam";
import { networkPolicies } from "./rules/network";
import { rdsPolicies } from "./rules/rds";
import { tagPolicies } from "./rules/tags";

export type { BbwsEnforcementLevel, BbwsPolicy } from "./rules/common";

/**
 * The pack's level for a rule that names none. Every rule names one (a test checks it); should
 * one slip through, it fails closed.
 */
export const PACK_ENFORCEMENT_LEVEL: BbwsEnforcementLevel = "mandatory";

/** All rules, grouped by service. */
export const ALL_POLICIES: readonly BbwsPolicy[] = [
  ...ecsPolicies,
  ...efsPolicies,
  ...rdsPolicies,
  ...albPolicies,
  ...networkPolicies,
  ...iamPolicies,
  ...ecrLogsKmsPolicies,
  ...backupPolicies,
  ...tagPolicies,
];
