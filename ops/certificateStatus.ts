/**
 * How a tenant's own certificate stands in ACM (DescribeCertificate), for the lifecycle's
 * pending-certificate state (tenants/lifecycle/certificates.ts): ISSUED, or why not yet (the
 * names whose validation is still pending, ACM's FailureReason).
 */
import { ACMClient, DescribeCertificateCommand } from "@aws-sdk/client-acm";
import type { CertificateStatus, CertificateStatusCheck } from "../tenants/lifecycle/ports";
import { awsErrorName } from "../lib/errors";

/** The check against ACM; the client is made on first use (the region is known by then). */
export function acmCertificateStatus(acm: () => ACMClient): CertificateStatusCheck {
  return {
    async status(_tenantId: string, certificateArn: string): Promise<CertificateStatus> {
      let answer;
      try {
        answer = await acm().send(new DescribeCertificateCommand({ CertificateArn: certificateArn }));
      } catch (error) {
        // Deleted outside Pulumi: not issued, and never will be (a refresh or replace recreates it).
        if (awsErrorName(error) === "ResourceNotFoundException")
          return { status: "NOT_FOUND", detail: "ACM has no such certificate (deleted outside Pulumi?)" };
        throw error;
      }
      const { Certificate } = answer;
      const status = Certificate?.Status ?? "UNKNOWN";
      if (status === "ISSUED") return { status };
      const waiting = (Certificate?.DomainValidationOptions ?? [])
        .filter((o) => o.ValidationStatus && o.ValidationStatus !== "SUCCESS")
        .map((o) => `${o.DomainName}: ${o.ValidationStatus}`);
      const detail = [Certificate?.FailureReason, ...waiting].filter(Boolean).join("; ");
      return detail ? { status, detail } : { status };
    },
  };
}
