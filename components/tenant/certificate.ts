/**
 * A tenant's own TLS certificate, for hosts the environment's wildcard (`*.<domain>`) does not
 * cover: a customer's domain, or a host two labels below the domain. An ACM certificate in the
 * stack's region (the ALB's: ALBs take certificates of their own region only), validated by DNS,
 * attached to the shard's HTTPS listener with a ListenerCertificate (SNI).
 *
 * Validation records are created where the platform manages the zone, and the update waits for
 * ACM. Where the customer creates them, the update never waits: the certificate is created, its
 * records are output, and it is attached (the host rules follow) on the first update after ACM
 * has issued it (config/certificatePlan.ts decides; the lifecycle asks ACM before each update).
 * Certificates are named by their host set, so a pending replacement is a certificate of its
 * own next to the issued one it replaces, which stays attached until then.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { HostEdge, normalizeHost } from "../../config/edgeHosts";
import { TenantCertificatePlan, certificateHostsHash } from "../../config/certificatePlan";
import { Tags, withComponent } from "../tags";

/** How long `pulumi up` waits for ACM when every validation record is ours (DNS propagation). */
export const MANAGED_VALIDATION_TIMEOUT = "45m";
/** How long it waits for a certificate ACM has already issued (the customer's records): a formality. */
export const ISSUED_VALIDATION_TIMEOUT = "5m";

/** What the certificate is for. */
export interface TenantCertificateArgs {
  /** The tenant's hosts, classified; those with `needsCertificate` are on the certificate. */
  readonly hosts: readonly HostEdge[];
  /** What to create (planTenantCertificate). */
  readonly plan: TenantCertificatePlan;
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
  /** The certificate of the tenant's current hosts (issued or not). */
  readonly certificate: aws.acm.Certificate;
  /**
   * Completes only once ACM has issued the certificate that is attached: the host rules depend
   * on it. Undefined while nothing is attached (a first certificate pending).
   */
  readonly validation?: aws.acm.CertificateValidation;
  readonly listenerCertificate?: aws.lb.ListenerCertificate;
  /** The certificate attached to the listener: `certificate`, or the one kept while it is pending. */
  readonly attached?: aws.acm.Certificate;
  /** Records created in managed zones, keyed by host. */
  readonly validationRecords: aws.route53.Record[];
  /** Validation records for the hosts whose zone the platform does not manage. */
  readonly customerValidationRecords: pulumi.Output<ValidationRecord[]>;
}

/** Creates the tenant's certificate(s), or returns undefined when the wildcard covers every host. */
export function createTenantCertificate(
  name: string,
  args: TenantCertificateArgs,
  parent: pulumi.Resource,
): TenantCertificate | undefined {
  const { plan } = args;
  if (plan.state === "none") return undefined;
  const tags = withComponent(args.tags, "ingress");
  const acmCertificate = (hosts: readonly string[]) =>
    new aws.acm.Certificate(
      `${name}-certificate-${certificateHostsHash(hosts)}`,
      {
        domainName: hosts[0],
        subjectAlternativeNames: [...hosts],
        validationMethod: "DNS",
        keyAlgorithm: "EC_prime256v1",
        tags,
      },
      { parent },
    );
  const certificate = acmCertificate(plan.wanted);
  const optionOf = (host: string) =>
    certificate.domainValidationOptions.apply((options) => {
      const option = options.find((o) => o.domainName === host);
      if (!option) throw new Error(`ACM returned no validation option for ${host}`);
      return option;
    });

  const covered = args.hosts.filter((h) => plan.wanted.includes(normalizeHost(h.host)));
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
  const customerValidationRecords = pulumi.all(customerHosts.map((h) => optionOf(h.host))).apply((options) =>
    options.map((o, i) => ({
      host: customerHosts[i].host,
      name: o.resourceRecordName,
      type: o.resourceRecordType,
      value: o.resourceRecordValue,
    })),
  );

  // What the listener serves: the current certificate once issued (or validated by us), else
  // the issued one it replaces, else nothing yet.
  const attached =
    plan.state === "pending" ? (plan.kept ? acmCertificate(plan.kept) : undefined) : certificate;
  if (!attached) return { certificate, validationRecords, customerValidationRecords };
  const validation = new aws.acm.CertificateValidation(
    `${name}-certificate-validation`,
    {
      certificateArn: attached.arn,
      // With every record ours the provider also checks they are the right ones; otherwise ACM
      // has already issued the certificate and this only confirms it.
      validationRecordFqdns: plan.state === "managed" ? validationRecords.map((r) => r.fqdn) : undefined,
    },
    {
      parent,
      customTimeouts: {
        create: plan.state === "managed" ? MANAGED_VALIDATION_TIMEOUT : ISSUED_VALIDATION_TIMEOUT,
      },
    },
  );
  const listenerCertificate = new aws.lb.ListenerCertificate(
    `${name}-listener-certificate`,
    { listenerArn: args.listenerArn, certificateArn: validation.certificateArn },
    { parent },
  );
  return {
    certificate,
    validation,
    listenerCertificate,
    attached,
    validationRecords,
    customerValidationRecords,
  };
}
