/**
 * Images, telemetry and keys: ECR repositories, CloudWatch log groups and alarms, SNS topics,
 * KMS keys, Secrets Manager secrets and SSM parameters.
 *
 * The pull-through cache's `aws.ecr.RepositoryCreationTemplate` is a different resource type
 * from `aws.ecr.Repository`: its repositories mirror upstream tags that move (6.8-php8.3-apache),
 * so it is deliberately MUTABLE and only the encryption rule applies to it.
 */
import * as aws from "@pulumi/aws";
import { ReportViolation, StackValidationArgs, validateResourceOfType } from "@pulumi/policy";
import { BbwsPolicy, StackIndex, asArray, asRecord, describeRule, known, show, typeToken } from "./common";

const REPOSITORY = typeToken(aws.ecr.Repository);

const IMMUTABLE_TAGS = new Set(["IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"]);

/** Parameter Store's AWS-managed key: every role of the account with kms:Decrypt on it reads the parameter. */
const AWS_MANAGED_SSM_KEY = /^alias\/aws\/ssm$/i;

/** Key specs whose material KMS can rotate automatically. */
const ROTATABLE = (spec: unknown, usage: unknown) =>
  (spec === undefined || spec === "SYMMETRIC_DEFAULT") &&
  (usage === undefined || usage === "ENCRYPT_DECRYPT");

const checkEcrEncryption = (props: unknown, report: ReportViolation) => {
  const configs = asArray<Record<string, unknown>>(asRecord(props)?.encryptionConfigurations);
  if (!configs.some((c) => c?.encryptionType === "KMS")) {
    report(
      `encryptionConfigurations is ${show(configs)}: use [{ encryptionType: "KMS", kmsKey: <data key ARN> }].`,
    );
  }
};

export const ecrLogsKmsPolicies: BbwsPolicy[] = [
  {
    name: "ecr-scan-on-push",
    description: describeRule(
      ["ECR.1", "CKV_AWS_163", "AVD-AWS-0030"],
      "ECR repositories scan images for vulnerabilities on push.",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.ecr.Repository, (repo, _args, report) => {
      if (repo?.imageScanningConfiguration?.scanOnPush !== true) {
        report("imageScanningConfiguration.scanOnPush is not true: set it.");
      }
    }),
  },
  {
    name: "ecr-immutable-tags",
    description: describeRule(
      ["ECR.2", "CKV_AWS_51", "AVD-AWS-0031"],
      "ECR repositories have immutable tags, so a tag always names the image that was tested and " +
        "a circuit-breaker rollback returns to it. (The pull-through cache template is a different " +
        "type and stays MUTABLE on purpose.)",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.ecr.Repository, (repo, _args, report) => {
      const mutability = repo?.imageTagMutability ?? "MUTABLE"; // the ECR default
      if (!IMMUTABLE_TAGS.has(mutability)) {
        report(
          `imageTagMutability is ${show(mutability)}: set "IMMUTABLE" and deploy by unique tag or digest.`,
        );
      }
    }),
  },
  {
    name: "ecr-kms-encryption",
    description: describeRule(
      ["CKV_AWS_136", "AVD-AWS-0033"],
      "ECR repositories, and the repositories the pull-through cache creates, are encrypted with KMS.",
    ),
    enforcementLevel: "mandatory",
    validateResource: [
      validateResourceOfType(aws.ecr.Repository, (repo, _args, report) => checkEcrEncryption(repo, report)),
      validateResourceOfType(aws.ecr.RepositoryCreationTemplate, (template, _args, report) =>
        checkEcrEncryption(template, report),
      ),
    ],
  },
  {
    name: "ecr-lifecycle-policy",
    description: describeRule(
      ["ECR.3"],
      "Every ECR repository of the stack has a lifecycle policy, so old images expire.",
    ),
    enforcementLevel: "mandatory",
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
      const stack = StackIndex.of(args.resources);
      const policies = stack.ofType(typeToken(aws.ecr.LifecyclePolicy));
      for (const repo of stack.ofType(REPOSITORY)) {
        const name = known(() => repo.props?.name);
        const covered = policies.some(
          (p) =>
            stack.referenced(p, "repository", [REPOSITORY]).includes(repo) ||
            (typeof name === "string" && known(() => p.props?.repository) === name),
        );
        if (!covered) report(`repository ${repo.name} has no aws.ecr.LifecyclePolicy: add one.`, repo.urn);
      }
    },
  },
  {
    name: "log-group-retention",
    description: describeRule(
      ["CKV_AWS_66", "CloudWatch.16"],
      "CloudWatch log groups set a retention period (never-expiring logs grow cost without bound).",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (group, _args, report) => {
      const days = group?.retentionInDays;
      if (typeof days !== "number" || days <= 0) {
        report(
          `retentionInDays is ${show(days)}: set the environment's retention (e.g. 7 in dev, 30 in prod).`,
        );
      }
    }),
  },
  {
    name: "log-group-kms-encryption",
    description: describeRule(
      ["CKV_AWS_158", "AVD-AWS-0017"],
      "CloudWatch log groups are encrypted with a customer-managed KMS key (the telemetry key).",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (group, _args, report) => {
      if (!group?.kmsKeyId) report("kmsKeyId is not set: encrypt with the environment's telemetry key.");
    }),
  },
  {
    name: "alarm-has-actions",
    description: describeRule(
      ["CloudWatch.15", "CKV_AWS_319"],
      "CloudWatch alarms notify someone: alarmActions is not empty and actions are enabled.",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.cloudwatch.MetricAlarm, (alarm, _args, report) => {
      if (asArray(alarm?.alarmActions).length === 0) {
        report("alarmActions is empty: notify the environment's alarm topic.");
      }
      if (alarm?.actionsEnabled === false) report("actionsEnabled is false: enable the alarm's actions.");
    }),
  },
  {
    name: "sns-topic-encrypted",
    description: describeRule(
      ["SNS.1", "CKV_AWS_26"],
      "SNS topics are encrypted with a KMS key (alarm notifications name tenants and resources).",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.sns.Topic, (topic, _args, report) => {
      if (!topic?.kmsMasterKeyId)
        report("kmsMasterKeyId is not set: encrypt with the environment's telemetry key.");
    }),
  },
  {
    name: "kms-key-rotation",
    description: describeRule(
      ["KMS.4", "CKV_AWS_7", "AwsSolutions-KMS5"],
      "Symmetric customer-managed KMS keys rotate their key material automatically.",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.kms.Key, (key, args, report) => {
      if (!ROTATABLE(key?.customerMasterKeySpec, key?.keyUsage)) {
        args.notApplicable("asymmetric and HMAC keys cannot rotate automatically");
      }
      if (key?.enableKeyRotation !== true) report("enableKeyRotation is not true: set it.");
    }),
  },
  {
    name: "secret-uses-cmk",
    description: describeRule(
      ["CKV_AWS_149", "AVD-AWS-0098"],
      "Secrets Manager secrets are encrypted with a customer-managed KMS key (the data key), so " +
        "reading one needs kms:Decrypt on that key as well.",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.secretsmanager.Secret, (secret, _args, report) => {
      if (!secret?.kmsKeyId) report("kmsKeyId is not set: encrypt with the environment's data key.");
    }),
  },
  {
    name: "ssm-parameter-securestring-cmk",
    description: describeRule(
      ["CKV2_AWS_34", "CKV_AWS_337"],
      "SSM parameters are SecureString, encrypted with a customer-managed KMS key (the data key): " +
        "BBWS keeps only credentials there, and a String parameter, or one under the AWS-managed " +
        "aws/ssm key, is readable without a grant on the data key.",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.ssm.Parameter, (parameter, _args, report) => {
      if (parameter?.type !== "SecureString")
        report(
          `type is ${show(parameter?.type)}: set "SecureString" (a String parameter is stored in plain text).`,
        );
      const keyId = parameter?.keyId;
      if (!keyId || (typeof keyId === "string" && AWS_MANAGED_SSM_KEY.test(keyId)))
        report(
          `keyId is ${show(keyId)}: encrypt with the environment's data key, not Parameter Store's AWS-managed key.`,
        );
    }),
  },
];
