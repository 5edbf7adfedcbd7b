/** Exit codes of `npm run plan`, documented in the README. */
export const PLAN_EXIT = {
  ok: 0,
  /** A stack program failed (an error in the program or a resource the engine refused). */
  programFailed: 1,
  /** The command line was wrong. */
  usage: 2,
  /** The stack configuration or the tenants registry is invalid. */
  invalidInput: 3,
  /** The plan violates a mandatory policy. */
  mandatoryViolation: 4,
} as const;
