/**
 * A tenant's outgoing mail: SMTP credentials for Amazon SES. SES's SMTP interface authenticates
 * with an IAM user's access key and a password derived from its secret key (SigV4,
 * `sesSmtpPasswordV4`); roles cannot log in to SMTP, so each tenant gets its own user, allowed
 * to send only from its own address on the environment's verified domain. The credentials go
 * into a Secrets Manager secret that ECS injects (BBWS_SMTP_USER / BBWS_SMTP_PASSWORD), where
 * the runtime's must-use plugin reads them (runtime/mu-plugins/bbws.php).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as naming from "../../config/naming";
import { RuntimeSpec, TenantSpec } from "../../config/tenantSpec";
import { Tags, withComponent } from "../tags";
import { TenantPlatform } from "./platformInputs";
import { recoveryWindowInDays } from "./secrets";

/** What the mail credentials read. */
export interface TenantMailArgs {
  readonly spec: Pick<TenantSpec, "id" | "environment" | "protectData">;
  /** The tenant's mail settings (from address, SES domain). */
  readonly mail: NonNullable<RuntimeSpec["mail"]>;
  readonly platform: Pick<TenantPlatform, "keys" | "region" | "accountId" | "partition">;
  readonly tags: Tags;
}

/** The SMTP credentials secret. */
export interface TenantMail {
  readonly smtpSecret: aws.secretsmanager.Secret;
  readonly smtpSecretValue: aws.secretsmanager.SecretVersion;
  readonly user: aws.iam.User;
}

/** The one statement of the SMTP user's policy: send, only as the tenant's own address. */
export function smtpSendPolicy(identityArn: string, fromAddress: string): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "SendAsTheTenantOnly",
        Effect: "Allow",
        Action: ["ses:SendRawEmail"],
        Resource: identityArn,
        Condition: { StringEquals: { "ses:FromAddress": fromAddress } },
      },
    ],
  };
}

/** Creates the SMTP user, its access key and the secret holding the SMTP credentials. */
export function createTenantMail(name: string, args: TenantMailArgs, parent: pulumi.Resource): TenantMail {
  const { spec, platform, mail } = args;
  const tags = withComponent(args.tags, "mail");
  const user = new aws.iam.User(`${name}-smtp-user`, { path: "/bbws/smtp/", tags }, { parent });
  const identityArn = pulumi.interpolate`arn:${platform.partition}:ses:${platform.region}:${platform.accountId}:identity/${mail.domain}`;
  new aws.iam.UserPolicy(
    `${name}-smtp-policy`,
    {
      user: user.name,
      policy: identityArn.apply((arn) => JSON.stringify(smtpSendPolicy(arn, mail.fromAddress))),
    },
    { parent },
  );
  const key = new aws.iam.AccessKey(`${name}-smtp-key`, { user: user.name }, { parent });
  const smtpSecret = new aws.secretsmanager.Secret(
    `${name}-smtp-secret`,
    {
      namePrefix: `${naming.secretName(spec.environment, spec.id, "smtp")}-`,
      description: `SES SMTP credentials of WordPress tenant ${spec.id}`,
      kmsKeyId: platform.keys.dataKeyArn,
      recoveryWindowInDays: recoveryWindowInDays(spec.protectData),
      tags,
    },
    { parent },
  );
  const smtpSecretValue = new aws.secretsmanager.SecretVersion(
    `${name}-smtp-secret-value`,
    {
      secretId: smtpSecret.id,
      secretString: pulumi.secret(
        pulumi.jsonStringify({ username: key.id, password: key.sesSmtpPasswordV4 }),
      ),
    },
    { parent },
  );
  return { smtpSecret, smtpSecretValue, user };
}
