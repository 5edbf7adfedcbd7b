/**
 * The environment's mail sender: the `bbws:mailDomain` domain as an Amazon SES identity, with
 * Easy DKIM. When the platform knows the domain's Route 53 zone it publishes the three DKIM
 * records itself; otherwise the operator adds them (the identity's DKIM tokens, README).
 * SES accounts start in the sandbox: request production access once per region and account.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Tags, withComponent } from "../tags";

/** What the identity needs. */
export interface MailIdentityArgs {
  readonly domain: string;
  /** Route 53 zone the DKIM records go into. @default - none: the operator publishes them */
  readonly hostedZoneId?: string;
  readonly tags: Tags;
}

/** Creates the domain identity and, with a zone, its DKIM records. */
export function createMailIdentity(
  name: string,
  args: MailIdentityArgs,
  parent: pulumi.Resource,
): aws.sesv2.EmailIdentity {
  const identity = new aws.sesv2.EmailIdentity(
    `${name}-mail-identity`,
    {
      emailIdentity: args.domain,
      dkimSigningAttributes: { nextSigningKeyLength: "RSA_2048_BIT" },
      tags: withComponent(args.tags, "mail"),
    },
    { parent },
  );
  if (args.hostedZoneId) {
    // Easy DKIM always answers three tokens.
    for (const index of [0, 1, 2]) {
      const token = identity.dkimSigningAttributes.apply((d) => d?.tokens?.[index] ?? "");
      new aws.route53.Record(
        `${name}-mail-dkim-${index}`,
        {
          zoneId: args.hostedZoneId,
          name: pulumi.interpolate`${token}._domainkey.${args.domain}`,
          type: "CNAME",
          ttl: 1800,
          records: [pulumi.interpolate`${token}.dkim.amazonses.com`],
        },
        { parent },
      );
    }
  }
  return identity;
}
