/**
 * The TLS certificate of the HTTPS listeners: an existing ACM certificate, or a wildcard
 * certificate for the environment's domain issued and DNS-validated in its Route 53 zone.
 *
 * An existing certificate must be of the stack's account (ALBs use certificates of their own
 * account and region only; the region is checked with the configuration, platformConfig.ts):
 * the program stops before any listener is planned with it.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BbwsError } from "../../lib/errors";
import { certificateArnParts } from "../../config/platformConfig";
import { Tags, withComponent } from "../tags";

export type CertificateArgs =
  | { readonly arn: string; readonly accountId: pulumi.Input<string> }
  | { readonly hostedZoneId: string; readonly domain: string; readonly tags: Tags };

/** The problem with using `arn` in `accountId`, or undefined. */
export function certificateAccountProblem(arn: string, accountId: string): string | undefined {
  const parts = certificateArnParts(arn);
  if (!parts || parts.account === accountId) return undefined;
  return (
    `bbws:certificateArn ${arn} belongs to account ${parts.account}, but the stack deploys to account ${accountId}: ` +
    "an ALB takes ACM certificates of its own account only; import or request the certificate in this account"
  );
}

/** Returns the ARN of a validated certificate, issuing one when only a zone is given. */
export function listenerCertificateArn(
  name: string,
  args: CertificateArgs,
  parent: pulumi.Resource,
): pulumi.Output<string> {
  if ("arn" in args) {
    const { arn } = args;
    return pulumi.output(args.accountId).apply((accountId) => {
      const problem = certificateAccountProblem(arn, accountId);
      if (problem) throw new BbwsError("invalidInput", problem);
      return arn;
    });
  }

  const certificate = new aws.acm.Certificate(
    `${name}-certificate`,
    {
      domainName: `*.${args.domain}`,
      subjectAlternativeNames: [args.domain],
      validationMethod: "DNS",
      keyAlgorithm: "EC_prime256v1",
      tags: withComponent(args.tags, "ingress"),
    },
    { parent },
  );
  // `*.domain` and `domain` share one validation record, so one record validates both names.
  const option = certificate.domainValidationOptions.apply((options) => options[0]);
  const record = new aws.route53.Record(
    `${name}-certificate-validation-record`,
    {
      zoneId: args.hostedZoneId,
      name: option.apply((o) => o.resourceRecordName),
      type: option.apply((o) => o.resourceRecordType),
      records: [option.apply((o) => o.resourceRecordValue)],
      ttl: 300,
      allowOverwrite: true,
    },
    { parent },
  );
  const validation = new aws.acm.CertificateValidation(
    `${name}-certificate-validation`,
    { certificateArn: certificate.arn, validationRecordFqdns: [record.fqdn] },
    { parent },
  );
  return validation.certificateArn;
}
