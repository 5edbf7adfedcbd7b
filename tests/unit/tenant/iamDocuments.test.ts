/**
 * The tenant's IAM documents as AWS receives them: every statement, action, resource and
 * condition (a wrong Sid is harmless, a wrong action or resource breaks a task start or opens
 * another tenant's data).
 */
import { expect } from "chai";
import {
  ExecutionPolicyArgs,
  ecsTasksTrustPolicy,
  executionPolicy,
  taskPolicy,
} from "../../../components/tenant/iamPolicies";

const SECRETS = [
  "arn:aws:secretsmanager:af-south-1:123456789012:secret:bbws/dev/acme/db-AbC",
  "arn:aws:secretsmanager:af-south-1:123456789012:secret:bbws/dev/acme/wordpress-keys-DeF",
];
const PARAMETERS = ["arn:aws:ssm:af-south-1:123456789012:parameter/bbws/dev/acme/admin-password"];
const EXECUTION: ExecutionPolicyArgs = {
  tenantId: "acme",
  region: "af-south-1",
  secretArns: SECRETS,
  parameterArns: PARAMETERS,
  dataKeyArn: "arn:aws:kms:af-south-1:123456789012:key/data",
  logGroupArn: "arn:aws:logs:af-south-1:123456789012:log-group:/bbws/dev/wordpress",
  repositoryArns: ["arn:aws:ecr:af-south-1:123456789012:repository/bbws/dev/wordpress"],
  pullThroughRepositoryArn: "arn:aws:ecr:af-south-1:123456789012:repository/bbws-dev-ecr-public/*",
};

describe("tenant IAM documents", () => {
  it("the trust policy admits ECS tasks of this account and region only", () => {
    expect(
      JSON.parse(
        ecsTasksTrustPolicy({ accountId: "123456789012", partition: "aws-cn", region: "cn-north-1" }),
      ),
    ).to.deep.equal({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "ecs-tasks.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: {
            StringEquals: { "aws:SourceAccount": "123456789012" },
            ArnLike: { "aws:SourceArn": "arn:aws-cn:ecs:cn-north-1:123456789012:*" },
          },
        },
      ],
    });
  });

  it("the execution policy reads the tenant's secrets and parameters, writes its log streams and pulls its images", () => {
    const document = executionPolicy(EXECUTION);
    expect(JSON.parse(document)).to.deep.equal({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ReadOwnSecrets",
          Effect: "Allow",
          Action: "secretsmanager:GetSecretValue",
          Resource: SECRETS,
        },
        {
          Sid: "DecryptOwnSecrets",
          Effect: "Allow",
          Action: "kms:Decrypt",
          Resource: "arn:aws:kms:af-south-1:123456789012:key/data",
          Condition: {
            StringEquals: {
              "kms:ViaService": "secretsmanager.af-south-1.amazonaws.com",
              "kms:EncryptionContext:SecretARN": SECRETS,
            },
          },
        },
        // ECS resolves a parameter `valueFrom` with GetParameters, on exactly the tenant's ARN.
        {
          Sid: "ReadOwnParameters",
          Effect: "Allow",
          Action: "ssm:GetParameters",
          Resource: PARAMETERS,
        },
        // Parameter Store decrypts with the parameter's ARN as context, through SSM only.
        {
          Sid: "DecryptOwnParameters",
          Effect: "Allow",
          Action: "kms:Decrypt",
          Resource: "arn:aws:kms:af-south-1:123456789012:key/data",
          Condition: {
            StringEquals: {
              "kms:ViaService": "ssm.af-south-1.amazonaws.com",
              "kms:EncryptionContext:PARAMETER_ARN": PARAMETERS,
            },
          },
        },
        {
          Sid: "WriteOwnLogStreams",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: "arn:aws:logs:af-south-1:123456789012:log-group:/bbws/dev/wordpress:log-stream:acme/*",
        },
        { Sid: "RegistryLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        {
          Sid: "PullImages",
          Effect: "Allow",
          Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
          Resource: [
            "arn:aws:ecr:af-south-1:123456789012:repository/bbws/dev/wordpress",
            "arn:aws:ecr:af-south-1:123456789012:repository/bbws-dev-ecr-public/*",
          ],
        },
        {
          Sid: "FillPullThroughCache",
          Effect: "Allow",
          Action: ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
          Resource: "arn:aws:ecr:af-south-1:123456789012:repository/bbws-dev-ecr-public/*",
        },
      ],
    });
  });

  it("without parameters, grants neither ssm:GetParameters nor a Parameter Store decrypt (IAM refuses an empty Resource)", () => {
    const statements = JSON.parse(executionPolicy({ ...EXECUTION, parameterArns: [] })).Statement as {
      Sid: string;
      Action: string;
      Resource: unknown;
    }[];
    const sids = statements.map((s) => s.Sid);
    expect(sids).to.not.include("ReadOwnParameters");
    expect(sids).to.not.include("DecryptOwnParameters");
    expect(statements.filter((s) => s.Action === "kms:Decrypt")).to.have.length(1);
    for (const s of statements) expect(s.Resource, s.Sid).to.not.deep.equal([]);
  });

  it("the task policy mounts and writes the file system through the tenant's access point only", () => {
    expect(JSON.parse(taskPolicy({ fileSystemArn: "arn:fs", accessPointArn: "arn:ap" }))).to.deep.equal({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "MountOwnAccessPointOnly",
          Effect: "Allow",
          Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
          Resource: "arn:fs",
          Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": "arn:ap" } },
        },
      ],
    });
  });
});
