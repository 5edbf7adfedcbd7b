/**
 * IAM documents of a tenant. Each tenant has its own execution and task roles, and each
 * policy names only that tenant's secrets, parameters, log streams and access point.
 */

/**
 * Trust policy for ECS tasks of this account only (confused-deputy protection): aws:SourceAccount
 * and aws:SourceArn. The ARN cannot name the cluster: "Using the aws:SourceArn condition key to
 * specify a specific cluster is not currently supported, you should use the wildcard to specify
 * all clusters" (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html).
 */
export function ecsTasksTrustPolicy(args: { accountId: string; partition: string; region: string }): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "ecs-tasks.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:SourceAccount": args.accountId },
          ArnLike: { "aws:SourceArn": `arn:${args.partition}:ecs:${args.region}:${args.accountId}:*` },
        },
      },
    ],
  });
}

export interface ExecutionPolicyArgs {
  readonly tenantId: string;
  readonly region: string;
  /** The tenant's Secrets Manager secrets: database credentials, WordPress keys (and SMTP with mail). */
  readonly secretArns: readonly string[];
  /** The tenant's SSM SecureString parameters: the administrator's password. */
  readonly parameterArns: readonly string[];
  readonly dataKeyArn: string;
  readonly logGroupArn: string;
  /** Repositories the task may pull from (ARNs; a trailing `/*` covers a prefix). */
  readonly repositoryArns: readonly string[];
  /** Pull-through cache repositories, which the first pull creates and imports into. */
  readonly pullThroughRepositoryArn: string;
}

/**
 * kms:Decrypt of the shared data key, for these secrets only. Secrets Manager decrypts a secret
 * with the secret's ARN as encryption context (`SecretARN`), and kms:ViaService says the call
 * came through Secrets Manager: without both, a role holding this grant could decrypt anything
 * the data key protects (https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html).
 */
export function secretsDecryptStatement(
  sid: string,
  dataKeyArn: string,
  region: string,
  secretArns: readonly string[],
): object {
  return viaServiceDecrypt(
    sid,
    dataKeyArn,
    `secretsmanager.${region}.amazonaws.com`,
    "SecretARN",
    secretArns,
  );
}

/** kms:Decrypt of `dataKeyArn` through one service only, for requests naming one of `values` in `contextKey`. */
function viaServiceDecrypt(
  sid: string,
  dataKeyArn: string,
  viaService: string,
  contextKey: string,
  values: readonly string[],
): object {
  return {
    Sid: sid,
    Effect: "Allow",
    Action: "kms:Decrypt",
    Resource: dataKeyArn,
    Condition: {
      StringEquals: { "kms:ViaService": viaService, [`kms:EncryptionContext:${contextKey}`]: [...values] },
    },
  };
}

/**
 * kms:Decrypt of the shared data key, for these SSM SecureString parameters only. Parameter Store
 * encrypts and decrypts a standard SecureString with the parameter's ARN as encryption context
 * (`PARAMETER_ARN`), not Secrets Manager's `SecretARN`, so it needs its own statement: one
 * statement naming both contexts would require both keys in every request and match neither
 * (https://docs.aws.amazon.com/kms/latest/developerguide/services-parameter-store.html).
 */
export function parametersDecryptStatement(
  sid: string,
  dataKeyArn: string,
  region: string,
  parameterArns: readonly string[],
): object {
  return viaServiceDecrypt(sid, dataKeyArn, `ssm.${region}.amazonaws.com`, "PARAMETER_ARN", parameterArns);
}

/** What ECS may do on the tenant's behalf to start its tasks: pull, log, read its secrets and parameters. */
export function executionPolicy(a: ExecutionPolicyArgs): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ReadOwnSecrets",
        Effect: "Allow",
        Action: "secretsmanager:GetSecretValue",
        Resource: [...a.secretArns],
      },
      secretsDecryptStatement("DecryptOwnSecrets", a.dataKeyArn, a.region, a.secretArns),
      // ECS reads a `valueFrom` parameter ARN with ssm:GetParameters (not GetParameter). No
      // parameters, no statements: IAM refuses an empty Resource.
      ...(a.parameterArns.length > 0
        ? [
            {
              Sid: "ReadOwnParameters",
              Effect: "Allow",
              Action: "ssm:GetParameters",
              Resource: [...a.parameterArns],
            },
            parametersDecryptStatement("DecryptOwnParameters", a.dataKeyArn, a.region, a.parameterArns),
          ]
        : []),
      {
        Sid: "WriteOwnLogStreams",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `${a.logGroupArn}:log-stream:${a.tenantId}/*`,
      },
      // GetAuthorizationToken has no resource-level permissions: AWS requires "*" here.
      { Sid: "RegistryLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
      {
        Sid: "PullImages",
        Effect: "Allow",
        Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
        Resource: [...a.repositoryArns, a.pullThroughRepositoryArn],
      },
      {
        Sid: "FillPullThroughCache",
        Effect: "Allow",
        Action: ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
        Resource: a.pullThroughRepositoryArn,
      },
    ],
  });
}

/** What the WordPress container itself may do: mount and write the file system, through its access point only. */
export function taskPolicy(args: { fileSystemArn: string; accessPointArn: string }): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "MountOwnAccessPointOnly",
        Effect: "Allow",
        Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
        Resource: args.fileSystemArn,
        Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": args.accessPointArn } },
      },
    ],
  });
}
