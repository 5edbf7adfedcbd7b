/**
 * The one exit-code table of every BBWS command (`plan`, `tenants ...`, `ops ...`). Scripts and
 * CI branch on these codes, so a code means the same thing whichever command returns it; the
 * `--help` text and the README's table are generated from this list (`renderExitCodes`), and a
 * test checks that the README matches it.
 */

/** One row of the table. */
export interface ExitCodeRow {
  readonly code: number;
  readonly meaning: string;
}

/** Every outcome a command can end with, by kind. */
export const EXIT = {
  ok: { code: 0, meaning: "success (`list` and `preview` also exit 0 when changes are pending)" },
  failed: {
    code: 1,
    meaning:
      "an operation failed: a stack program or update, an AWS call, a job, task or deployment (also one the circuit breaker rolled back), or at least one tenant of a fleet run (the others still ran; see the summary)",
  },
  usage: {
    code: 2,
    meaning: "the command line is wrong: unknown command or option, missing or malformed argument",
  },
  invalidInput: {
    code: 3,
    meaning:
      "invalid tenants registry, stack configuration or platform stack (missing, or of another contract version); nothing was changed",
  },
  refused: {
    code: 4,
    meaning:
      "refused for safety (a removal whose final backup could not be taken, or a new stack for an id whose data a removal kept); nothing was changed",
  },
  busy: {
    code: 5,
    meaning:
      "busy: a stack stayed locked after every retry (the message gives the `pulumi cancel` command), or a job or deployment of the same resource is running",
  },
  notFound: {
    code: 6,
    meaning:
      "not found: a tenant that is not in the registry, a stack or a recovery point that does not exist",
  },
  unusableRecoveryPoint: { code: 7, meaning: "the recovery point exists but cannot restore this tenant" },
  timeout: { code: 8, meaning: "a job, task or deployment did not finish in time" },
  prerequisite: {
    code: 9,
    meaning:
      "a prerequisite is missing (the Pulumi CLI, a backend login, cloud credentials); nothing was changed",
  },
  policyViolation: { code: 10, meaning: 'the plan violates a mandatory policy (listed under "Policy")' },
  interrupted: { code: 130, meaning: "interrupted with Ctrl-C (a restore puts the site back first)" },
  awsConstraint: {
    code: 11,
    meaning:
      'the plan has values AWS would refuse: names, enum values, ranges, IAM actions and condition keys, tags (listed under "AWS checks", each with its source)',
  },
  quotaExceeded: {
    code: 12,
    meaning:
      "the plan or the new tenant crosses an account or service quota (IAM roles, per-ALB limits, services, access points, database connections); nothing was changed",
  },
  unverified: {
    code: 13,
    meaning:
      "a tenant stack was updated, but its site failed verification (ECS service not stable, a target unhealthy, an HTTPS answer 5xx, the wrong certificate, or no answer in time); the stack stays, re-run `tenants sync` after the fix",
  },
  pending: {
    code: 14,
    meaning:
      "a tenant waits for its customer's DNS: its certificate is not issued yet, so none of its hosts on it is served (the records to create are printed); `tenants sync` serves them once ACM has issued it",
  },
} as const satisfies Record<string, ExitCodeRow>;

/** A kind of outcome. */
export type ExitKind = keyof typeof EXIT;
/** A kind of failure (every outcome but success). */
export type FailureKind = Exclude<ExitKind, "ok">;

/**
 * When the tenants of one fleet run fail differently, the kind that needs an operator most wins:
 * a refusal is about data, a lock or a running job needs a look before a re-run, a timeout may
 * still be running. Kinds not listed rank below them and above a plain failure.
 */
const PRECEDENCE: readonly ExitKind[] = ["refused", "busy", "timeout"];

function rank(kind: ExitKind): number {
  if (kind === "ok") return 0;
  // Waiting for a customer is not a failure: any failure of another tenant wins over it.
  if (kind === "pending") return 0.5;
  if (kind === "failed") return 1;
  const index = PRECEDENCE.indexOf(kind);
  return index < 0 ? 2 : 2 + PRECEDENCE.length - index;
}

/** The kind a run whose parts ended with `kinds` ends with. */
export function combineKinds(kinds: readonly ExitKind[]): ExitKind {
  return kinds.reduce<ExitKind>((worst, kind) => (rank(kind) > rank(worst) ? kind : worst), "ok");
}

/** The process exit code of a kind. */
export function exitCodeOf(kind: ExitKind): number {
  return EXIT[kind].code;
}

/** The kind of a process exit code (undefined for a code the table does not have). */
export function kindOfExitCode(code: number): ExitKind | undefined {
  return (Object.keys(EXIT) as ExitKind[]).find((kind) => EXIT[kind].code === code);
}

/** The table as `--help` prints it. */
export function renderExitCodes(): string {
  const rows = Object.values(EXIT).map((row) => `  ${String(row.code).padStart(3)}  ${row.meaning}`);
  return [
    "Exit codes (the same for every command):",
    ...rows,
    `  When tenants of one run end differently: ${PRECEDENCE.map((k) => EXIT[k].code).join(" over ")} over any other failure (3, 6, 13...) over ${EXIT.failed.code} over ${EXIT.pending.code} (waiting is no failure).`,
  ].join("\n");
}

/** The table as the README shows it (Markdown). */
export function renderExitCodesMarkdown(): string {
  return [
    "| exit code | meaning |",
    "|---|---|",
    ...Object.values(EXIT).map((row) => `| ${row.code} | ${row.meaning.replace(/\|/g, "\\|")} |`),
    "",
    `When tenants of one run end differently, ${PRECEDENCE.map((k) => EXIT[k].code).join(" wins over ")} wins over any other failure (3, 6, 13...), which wins over ${EXIT.failed.code}; ${EXIT.pending.code} (waiting, no failure) ranks below them all.`,
  ].join("\n");
}
