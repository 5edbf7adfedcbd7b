/**
 * Verified onboarding: after a tenant stack is created or updated, the site must answer. Three
 * steps, each polled until it passes or the (bounded, configurable) deadline:
 *
 * 1. the ECS service is stable (one deployment, all desired tasks running);
 * 2. every target of the tenant's target group is `healthy` (DescribeTargetHealth);
 * 3. an HTTPS request to each host through the tenant's ALB (connect to the ALB, SNI and Host
 *    = the host) answers with a non-5xx status and a trusted certificate that covers the host.
 *
 * The world is reached through the `SiteProbe` port (ports.ts): AWS and TLS for real stacks
 * (ops/siteProbe.ts), simulated answers offline (reported as simulated). A failure names the
 * step and the reason and has its own exit code ("unverified"); the stack stays as updated.
 */
import { VERIFY_DEFAULTS } from "./defaults";
import { BbwsError } from "../../lib/errors";
import { PollResult, done, pending, pollUntil } from "../../lib/wait";
import { HttpsAnswer, SiteProbe } from "./ports";

/** What is verified: one tenant's service, target group and hosts, from its stack outputs. */
export interface VerificationTarget {
  readonly tenantId: string;
  readonly clusterName: string;
  readonly serviceName: string;
  readonly targetGroupArn: string;
  /** The ALB the requests go through (the shard's DNS name). */
  readonly loadBalancerDnsName: string;
  readonly hosts: readonly string[];
}

/** How long to wait. */
export interface VerificationWait {
  /** For all three steps together. */
  readonly timeoutSeconds: number;
  readonly intervalSeconds: number;
  /** Per HTTPS request. */
  readonly requestTimeoutSeconds: number;
  readonly signal?: AbortSignal;
}

/** @default timeouts of `tenants add/sync --verify-timeout`. */
export const DEFAULT_VERIFICATION_WAIT: Omit<VerificationWait, "signal"> = VERIFY_DEFAULTS;

/** The steps, in order. */
export type VerificationStep = "service" | "targets" | "https";

/** A site that does not answer as it should: the step, the reason, exit code "unverified". */
export class VerificationError extends BbwsError {
  constructor(
    readonly step: VerificationStep,
    readonly reason: string,
    tenantId: string,
  ) {
    super(
      "unverified",
      `tenant ${tenantId} is deployed but not verified: ${STEP_NAMES[step]}: ${reason}; ` +
        `the stack stays as updated: fix the cause and re-run \`tenants sync <env> ${tenantId}\``,
    );
  }
}

const STEP_NAMES: Readonly<Record<VerificationStep, string>> = {
  service: "ECS service not stable",
  targets: "targets not healthy",
  https: "HTTPS check failed",
};

/** What a verified site reports, one line per step. */
export interface VerificationReport {
  readonly simulated: boolean;
  readonly lines: readonly string[];
}

/** Why one HTTPS answer is not acceptable for `host`, or undefined when it is. */
export function httpsProblem(answer: HttpsAnswer, host: string, via: string): string | undefined {
  const where = `https://${host}/ through ${via}`;
  if (answer.kind === "timeout") return `${where} did not answer within ${answer.seconds} s (timeout)`;
  if (answer.kind === "error") return `${where} failed: ${answer.message}`;
  if (answer.certificateProblem)
    return `${where} served the wrong certificate (${answer.certificateProblem})`;
  if (answer.status >= 500)
    return `${where} answered ${answer.status} (a 5xx: the site or its database fails)`;
  return undefined;
}

/**
 * Runs the three steps; resolves with one line per step, throws VerificationError with the
 * first step that did not pass by the deadline (with the last reason seen).
 */
export async function verifySite(
  target: VerificationTarget,
  probe: SiteProbe,
  wait: VerificationWait,
): Promise<VerificationReport> {
  const deadline = Date.now() + wait.timeoutSeconds * 1000;
  const remaining = () => Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
  const step = async <T>(name: VerificationStep, what: string, check: () => Promise<PollResult<T>>) => {
    let last = "";
    try {
      return await pollUntil({
        what,
        timeoutSeconds: remaining(),
        intervalSeconds: wait.intervalSeconds,
        signal: wait.signal,
        check: async () => {
          const result = await check();
          if (!result.done) last = result.status ?? "";
          return result;
        },
      });
    } catch (error) {
      if (error instanceof BbwsError && error.kind === "timeout")
        throw new VerificationError(name, last || error.message, target.tenantId);
      throw error;
    }
  };

  const service = await step("service", `service ${target.serviceName}`, async () => {
    const state = await probe.serviceState(target.clusterName, target.serviceName);
    return state.stable ? done(state.detail) : pending(`service ${target.serviceName} ${state.detail}`);
  });

  const targets = await step("targets", `targets of ${target.targetGroupArn}`, async () => {
    const health = await probe.targetHealth(target.targetGroupArn);
    if (health.length === 0) return pending("no target is registered in the target group");
    const bad = health.find((t) => t.state !== "healthy");
    if (bad)
      return pending(
        `target ${bad.id}:${bad.port} ${bad.state}: ${bad.reason ?? "no reason given"}` +
          (bad.description ? ` (${bad.description})` : ""),
      );
    return done(`${health.length} target(s) healthy`);
  });

  const answers = await step("https", `HTTPS to ${target.hosts.join(", ")}`, async () => {
    const statuses: string[] = [];
    for (const host of target.hosts) {
      const answer = await probe.https({
        address: target.loadBalancerDnsName,
        host,
        timeoutSeconds: wait.requestTimeoutSeconds,
      });
      const problem = httpsProblem(answer, host, target.loadBalancerDnsName);
      if (problem) return pending(problem);
      statuses.push(`${host} ${answer.kind === "answer" ? answer.status : ""}`);
    }
    return done(statuses);
  });

  const tag = probe.simulated ? " (simulated)" : "";
  return {
    simulated: probe.simulated,
    lines: [
      `service stable: ${service}${tag}`,
      `targets: ${targets}${tag}`,
      `https: ${answers.join(", ")}${tag}`,
    ],
  };
}
