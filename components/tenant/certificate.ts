/**
 * A tenant's own TLS certificate, for hosts the environment's wildcard (`*.<domain>`) does not
 * cover: a customer's domain, or a host two labels below the domain. An ACM certificate in the
 * stack's region (the ALB's: ALBs take certificates of their own region only), validated by DNS,
 * attached to the shard's HTTPS listener with a ListenerCertificate (SNI). Validation records
 * are created where the platform manages the zone; otherwise the customer creates them (the
 * tenant stack outputs them) and the validation waits for ACM to issue the certificate.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { HostEdge } from "../../config/edgeHosts";
import { Tags, withComponent } from "../tags";

/** How long `pulumi up` waits for ACM when every validation record is ours (DNS propagation). */
export const MANAGED_VALIDATION_TIMEOUT = "45m";
/**
 * How long it waits when the customer creates the records. Short on purpose: the update fails
 * with the records to create, and the next `tenants sync` finishes once they exist.
 */
export const CUSTOMER_VALIDATION_TIMEOUT = "10m";

/** What the certificate is for. */
export interface TenantCertificateArgs {
  /** The tenant's hosts, classified; those with `needsCertificate` are on the certificate. */
  readonly hosts: readonly HostEdge[];
  /** HTTPS listener of the tenant's shard. */
  readonly listenerArn: pulumi.Input<string>;
  readonly tags: Tags;
}

/** A validation record the customer creates at their DNS provider. */
export interface ValidationRecord {
  readonly host: string;
  readonly name: string;
  readonly type: string;
  readonly value: string;
}

/** The tenant certificate and what depends on it. */
export interface TenantCertificate {
  readonly certificate: aws.acm.Certificate;
  /** Completes only once ACM has issued the certificate: the host rules depend on it. */
  readonly validation: aws.acm.CertificateValidation;
  readonly listenerCertificate: aws.lb.ListenerCertificate;
  /** Records created in managed zones, keyed by host. */
  readonly validationRecords: aws.route53.Record[];
  /** Validation records for the hosts whose zone the platform does not manage. */
  readonly customerValidationRecords: pulumi.Output<ValidationRecord[]>;
}

/** Creates the tenant's certificate, or returns undefined when the wildcard covers every host. */
export function createTenantCertificate(
  name: string,
  args: TenantCertificateArgs,
  parent: pulumi.Resource,
): TenantCertificate | undefined {
  const covered = args.hosts.filter((h) => h.needsCertificate);
  if (covered.length === 0) return undefined;
  const tags = withComponent(args.tags, "ingress");

  const certificate = new aws.acm.Certificate(
    `${name}-certificate`,
    {
      domainName: covered[0].host,
      subjectAlternativeNames: covered.map((h) => h.host),
      validationMethod: "DNS",
      keyAlgorithm: "EC_prime256v1",
      tags,
    },
    // A host change replaces the certificate: the new one is attached before the old one goes.
    { parent, deleteBeforeReplace: false },
  );
  const optionOf = (host: string) =>
    certificate.domainValidationOptions.apply((options) => {
      const option = options.find((o) => o.domainName === host);
      if (!option) throw new Error(`ACM returned no validation option for ${host}`);
      return option;
    });

  const validationRecords = covered
    .filter((h) => h.zone)
    .map((h) => {
      const option = optionOf(h.host);
      return new aws.route53.Record(
        `${name}-certificate-validation-${h.host}`,
        {
          zoneId: h.zone!.hostedZoneId,
          name: option.resourceRecordName,
          type: option.resourceRecordType,
          records: [option.resourceRecordValue],
          ttl: 300,
          // A re-issued certificate for the same host has the same record: take it over.
          allowOverwrite: true,
        },
        { parent },
      );
    });
  const customerHosts = covered.filter((h) => !h.zone);
  const validation = new aws.acm.CertificateValidation(
    `${name}-certificate-validation`,
    {
      certificateArn: certificate.arn,
      // With every record ours the provider also checks they are the right ones; with the
      // customer's records it only waits for ACM to report the certificate issued.
      validationRecordFqdns: customerHosts.length === 0 ? validationRecords.map((r) => r.fqdn) : undefined,
    },
    {
      parent,
      customTimeouts: {
        create: customerHosts.length === 0 ? MANAGED_VALIDATION_TIMEOUT : CUSTOMER_VALIDATION_TIMEOUT,
      },
    },
  );
  const listenerCertificate = new aws.lb.ListenerCertificate(
    `${name}-listener-certificate`,
    { listenerArn: args.listenerArn, certificateArn: validation.certificateArn },
    { parent },
  );
  const customerValidationRecords = pulumi.all(customerHosts.map((h) => optionOf(h.host))).apply((options) =>
    options.map((o, i) => ({
      host: customerHosts[i].host,
      name: o.resourceRecordName,
      type: o.resourceRecordType,
      value: o.resourceRecordValue,
    })),
  );
  return { certificate, validation, listenerCertificate, validationRecords, customerValidationRecords };
}
