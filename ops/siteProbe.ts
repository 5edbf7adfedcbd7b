/**
 * The real SiteProbe of verified onboarding (tenants/lifecycle/verification.ts): ECS
 * DescribeServices, ELBv2 DescribeTargetHealth, and an HTTPS request through the tenant's ALB
 * with Node's TLS (SNI and Host = the tenant host; the certificate must be trusted and cover
 * the host, checked with `tls.checkServerIdentity`). Redirects are not followed: a 301 of a
 * non-primary host is a good answer. Also the DnsCheck of the customer's records, with Node's
 * resolver.
 */
import * as https from "https";
import * as tls from "tls";
import { promises as dns } from "dns";
import { DescribeServicesCommand, ECSClient } from "@aws-sdk/client-ecs";
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { DnsCheck, HttpsAnswer, HttpsRequest, SiteProbe } from "../tenants/lifecycle/ports";

/** Options of the HTTPS request. */
export interface HttpsProbeOptions {
  /** Trusted CAs instead of Node's bundle (tests with a local TLS server). @default Node's CA bundle */
  readonly ca?: string | Buffer;
  /** TCP port. @default 443 */
  readonly port?: number;
}

/** One HTTPS GET / to `address` with SNI and Host `host`. */
export function httpsProbe(request: HttpsRequest, options: HttpsProbeOptions = {}): Promise<HttpsAnswer> {
  return new Promise((resolve) => {
    const req = https.request({
      host: request.address,
      port: options.port ?? 443,
      servername: request.host,
      method: "GET",
      path: "/",
      headers: { Host: request.host, "User-Agent": "bbws-onboarding-check" },
      ca: options.ca,
      // Checked below, to tell a wrong certificate from a failed connection.
      rejectUnauthorized: false,
      agent: false,
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolve({ kind: "timeout", seconds: request.timeoutSeconds });
    }, request.timeoutSeconds * 1000);
    req.on("response", (res) => {
      clearTimeout(timer);
      const socket = res.socket as tls.TLSSocket;
      const certificate = socket.getPeerCertificate();
      const identity = tls.checkServerIdentity(request.host, certificate);
      const cn = certificate.subject?.CN;
      const names = certificate.subjectaltname ?? (Array.isArray(cn) ? cn.join(", ") : cn) ?? "no name";
      const certificateProblem = identity
        ? `it is for ${names}, not ${request.host}`
        : socket.authorized
          ? undefined
          : `it is not trusted: ${String(socket.authorizationError)}`;
      res.resume();
      resolve({ kind: "answer", status: res.statusCode ?? 0, certificateProblem });
    });
    req.on("error", (error) => {
      clearTimeout(timer);
      resolve({ kind: "error", message: error.message });
    });
    req.end();
  });
}

/** The probe against AWS. */
export function awsSiteProbe(
  clients: () => { readonly ecs: ECSClient; readonly elb: ElasticLoadBalancingV2Client },
  options: HttpsProbeOptions = {},
): SiteProbe {
  return {
    simulated: false,
    async serviceState(cluster, service) {
      const { services } = await clients().ecs.send(
        new DescribeServicesCommand({ cluster, services: [service] }),
      );
      const found = services?.[0];
      if (!found) return { stable: false, detail: "not found" };
      const deployments = found.deployments?.length ?? 0;
      const detail = `${found.runningCount ?? 0}/${found.desiredCount ?? 0} tasks running, ${deployments} deployment(s)`;
      return { stable: deployments === 1 && found.runningCount === found.desiredCount, detail };
    },
    async targetHealth(targetGroupArn) {
      const { TargetHealthDescriptions } = await clients().elb.send(
        new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }),
      );
      return (TargetHealthDescriptions ?? []).map((t) => ({
        id: t.Target?.Id ?? "?",
        port: t.Target?.Port ?? 0,
        state: t.TargetHealth?.State ?? "unknown",
        reason: t.TargetHealth?.Reason,
        description: t.TargetHealth?.Description,
      }));
    },
    https: (request) => httpsProbe(request, options),
  };
}

/** Node's resolver: CNAME targets, or the A addresses an ALIAS/ANAME answers with. */
export const nodeDnsCheck: DnsCheck = {
  async lookup(name, type) {
    try {
      return type === "CNAME" ? await dns.resolveCname(name) : await dns.resolve4(name);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === "ENOTFOUND" || code === "ENODATA") return [];
      throw error;
    }
  },
};
