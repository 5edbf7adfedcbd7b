/**
 * Every rule of the policy pack, on a compliant fixture (no violation) and on a violating one
 * (violations of that rule only, at the rule's level). Each case changes one thing from the
 * compliant resources in tests/helpers/policyFixtures.ts.
 */
import { expect } from "chai";
import { RecordedResource } from "../../offline/stackRun";
import { evaluatePolicies } from "../../offline/policyEvaluator";
import { ALL_POLICIES } from "../../policy/policies";
import {
  ecsTrust,
  fileSystemPolicyStatements,
  fixture,
  good,
  policyDocument,
  stackOf,
  tags,
  tenantSite,
  wordpressContainer,
} from "../helpers/policyFixtures";

interface Case {
  /** Resources of one stack that satisfy the rule. */
  readonly pass: () => RecordedResource[];
  /** Resources of one stack that violate it. */
  readonly fail: () => RecordedResource[];
  /** What the violation message must say. */
  readonly message: RegExp;
}

const prodService = (inputs = {}) =>
  good.service({ tags: tags("prod", "ecs", "acme"), ...inputs }, { tenant: "acme", environment: "prod" });
const taskWith = (container: Record<string, unknown>) => good.taskDefinition(container);
const volumeWith = (efs: Record<string, unknown>) =>
  good.taskDefinition(
    {},
    { volumes: [{ name: "wp-content", efsVolumeConfiguration: { fileSystemId: "fs-0123", ...efs } }] },
  );
const rolePolicy = (statement: Record<string, unknown>) => good.rolePolicy(policyDocument(statement));

/** ALB group with its load balancer and web rules, plus the tasks group reached from it. */
function ingressTiers(
  extra: (groups: { alb: RecordedResource; tasks: RecordedResource }) => RecordedResource[],
) {
  const alb = good.securityGroup("bbws-dev-alb-sg", "sg-alb");
  const tasks = good.securityGroup("bbws-dev-tasks-sg", "sg-tasks");
  const lb = good.loadBalancer("dev", { securityGroups: [alb.id] });
  return [
    alb,
    tasks,
    lb,
    good.ingressRule(alb, 443),
    good.ingressRule(alb, 80),
    good.ingressRule(tasks, 80, { referencedSecurityGroupId: alb.id }),
    ...extra({ alb, tasks }),
  ];
}

function mountTargetIn(mapPublicIpOnLaunch: boolean): RecordedResource[] {
  const subnet = fixture(
    "aws:ec2/subnet:Subnet",
    { vpcId: "vpc-1", cidrBlock: "10.0.0.0/20", mapPublicIpOnLaunch, tags: tags("dev", "network") },
    { id: "subnet-1" },
  );
  const fs = good.fileSystem();
  const target = fixture(
    "aws:efs/mountTarget:MountTarget",
    { fileSystemId: fs.id, subnetId: subnet.id, securityGroups: ["sg-efs"] },
    { dependsOn: [fs, subnet] },
  );
  return [subnet, fs, target];
}

function auroraWith(zones: string[]): RecordedResource[] {
  const cluster = good.dbCluster("prod");
  return [cluster, ...zones.map((zone) => good.dbInstance("prod", zone))];
}

function vpcWithFlowLog(trafficType: string | undefined): RecordedResource[] {
  const vpc = fixture(
    "awsx:ec2:Vpc",
    { cidrBlock: "10.0.0.0/16", tags: tags("dev", "network") },
    { custom: false, id: "" },
  );
  if (!trafficType) return [vpc];
  const log = fixture(
    "aws:ec2/flowLog:FlowLog",
    { vpcId: "vpc-1", trafficType, logDestinationType: "cloud-watch-logs", tags: tags("dev", "network") },
    { dependsOn: [vpc] },
  );
  return [vpc, log];
}

/** An hourly plan with EFS-style cold storage, selecting the given targets. */
function coldPlanSelecting(targets: RecordedResource[], arns: string[]): RecordedResource[] {
  const plan = good.plan([good.hourlyRule({ coldStorageAfter: 30, deleteAfter: 120 })]);
  return [...targets, plan, good.selection(plan, targets, arns)];
}

function vaultGuarded(guarded: boolean): RecordedResource[] {
  const vault = good.vault("prod");
  if (!guarded) return [vault];
  const lock = fixture(
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
    { backupVaultName: vault.id, minRetentionDays: 7 },
    { environment: "prod", dependsOn: [vault] },
  );
  return [vault, lock];
}

const CASES: Record<string, Case> = {
  // ECS services
  "ecs-service-no-public-ip": {
    pass: () => [good.service()],
    fail: () => [
      good.service({ networkConfiguration: { assignPublicIp: true, subnets: ["subnet-public"] } }),
    ],
    message: /assignPublicIp is true/,
  },
  "ecs-service-circuit-breaker-rollback": {
    pass: () => [good.service()],
    fail: () => [good.service({ deploymentCircuitBreaker: { enable: true, rollback: false } })],
    message: /rollback: true/,
  },
  "ecs-service-zero-downtime-deployments": {
    pass: () => [good.service()],
    fail: () => [good.service({ deploymentMinimumHealthyPercent: 50 })],
    message: /deploymentMinimumHealthyPercent is 50/,
  },
  "ecs-service-platform-version-latest": {
    pass: () => [good.service()],
    fail: () => [good.service({ platformVersion: "1.3.0" })],
    message: /"1.3.0"/,
  },
  "ecs-service-wait-for-steady-state": {
    pass: () => [good.service()],
    fail: () => [good.service({ waitForSteadyState: undefined })],
    message: /waitForSteadyState/,
  },
  "ecs-service-highly-available-in-prod": {
    pass: () => [prodService()],
    fail: () => [
      prodService({ capacityProviderStrategies: [{ capacityProvider: "FARGATE_SPOT", base: 0, weight: 1 }] }),
    ],
    message: /keep no task on FARGATE/,
  },
  "ecs-service-propagates-tags": {
    pass: () => [good.service()],
    fail: () => [good.service({ propagateTags: "NONE" })],
    message: /propagateTags is "NONE"/,
  },

  // ECS task definitions and clusters
  "ecs-task-no-secrets-in-environment": {
    pass: () => [good.taskDefinition()],
    fail: () => [
      taskWith({
        environment: [
          { name: "WORDPRESS_DB_HOST", value: "db:3306" },
          { name: "WORDPRESS_DB_PASSWORD", value: "hunter2hunter2" },
        ],
      }),
    ],
    message: /WORDPRESS_DB_PASSWORD in plain environment/,
  },
  "ecs-task-efs-transit-encryption": {
    pass: () => [good.taskDefinition()],
    fail: () => [
      volumeWith({
        transitEncryption: "DISABLED",
        authorizationConfig: { accessPointId: "fsap-1", iam: "ENABLED" },
      }),
    ],
    message: /transitEncryption "DISABLED"/,
  },
  "ecs-task-efs-access-point-iam": {
    pass: () => [good.taskDefinition()],
    fail: () => [
      volumeWith({
        transitEncryption: "ENABLED",
        authorizationConfig: { accessPointId: "fsap-1", iam: "DISABLED" },
      }),
    ],
    message: /iam "DISABLED"/,
  },
  "ecs-task-role-separation": {
    pass: () => [good.taskDefinition()],
    fail: () => [good.taskDefinition({}, { taskRoleArn: "arn:aws:iam::123456789012:role/acme-exec-role" })],
    message: /executionRoleArn and taskRoleArn are both/,
  },
  "ecs-task-logging": {
    pass: () => [good.taskDefinition()],
    fail: () => [taskWith({ logConfiguration: undefined })],
    message: /no logConfiguration.logDriver/,
  },
  "ecs-task-no-privileged-containers": {
    pass: () => [good.taskDefinition()],
    fail: () => [taskWith({ privileged: true })],
    message: /is privileged/,
  },
  "ecs-task-no-host-namespaces": {
    pass: () => [good.taskDefinition()],
    fail: () => [good.taskDefinition({}, { pidMode: "host" })],
    message: /pidMode is "host"/,
  },
  "ecs-task-read-only-root-filesystem": {
    pass: () => [taskWith({ readonlyRootFilesystem: true })],
    fail: () => [good.taskDefinition()],
    message: /accepted exception/,
  },
  "ecs-task-non-root-user": {
    pass: () => [taskWith({ user: "33:33" })],
    fail: () => [taskWith({ user: "0:0" })],
    message: /runs as "0:0"/,
  },
  "ecs-task-graceful-stop-within-spot-warning": {
    pass: () => [good.taskDefinition()],
    fail: () => [taskWith({ stopTimeout: 300 })],
    message: /stopTimeout 300/,
  },
  "ecs-task-container-health-check": {
    pass: () => [good.taskDefinition()],
    fail: () => [taskWith({ healthCheck: undefined })],
    message: /no healthCheck/,
  },
  "ecs-task-image-by-digest": {
    pass: () => [good.taskDefinition()],
    fail: () => [
      taskWith({
        image: "123456789012.dkr.ecr.af-south-1.amazonaws.com/bbws/dev/wordpress:6.9.0-php8.3-apache",
      }),
    ],
    message: /runs "123456789012\.dkr\.ecr.*:6\.9\.0-php8\.3-apache": name it by digest/,
  },
  "ecs-cluster-container-insights-in-prod": {
    pass: () => [good.ecsCluster("prod", "enabled")],
    fail: () => [good.ecsCluster("prod", "disabled")],
    message: /containerInsights is "disabled"/,
  },

  // EFS
  "efs-file-system-policy-restricts-access": {
    pass: () => {
      const fs = good.fileSystem();
      return [fs, good.fileSystemPolicy(undefined, fs)];
    },
    // Only the TLS deny: any principal with broad EFS rights could mount the root as root.
    fail: () => {
      const fs = good.fileSystem();
      return [fs, good.fileSystemPolicy(fileSystemPolicyStatements("arn:fs", "arn:ap").slice(0, 1), fs)];
    },
    message:
      /lacks a Deny of ClientMount and ClientWrite without an access point .*; a Deny of ClientRootAccess/,
  },
  "efs-encrypted-with-cmk": {
    pass: () => [good.fileSystem()],
    fail: () => [good.fileSystem({ kmsKeyId: undefined })],
    message: /kmsKeyId is not set/,
  },
  "efs-regional": {
    pass: () => [good.fileSystem()],
    fail: () => [good.fileSystem({ availabilityZoneName: "af-south-1a" })],
    message: /Regional/,
  },
  "efs-access-point-root-directory": {
    pass: () => [good.accessPoint()],
    fail: () => [good.accessPoint({ rootDirectory: { path: "/" } })],
    message: /rootDirectory.path is "\/"/,
  },
  "efs-access-point-posix-user": {
    pass: () => [good.accessPoint()],
    fail: () => [good.accessPoint({ posixUser: { uid: 0, gid: 0 } })],
    message: /non-root uid and gid/,
  },
  "efs-tenant-access-point-own-directory": {
    pass: () => [good.accessPoint()],
    fail: () => [
      good.accessPoint({
        rootDirectory: {
          path: "/tenants/globex",
          creationInfo: { ownerUid: 33, ownerGid: 33, permissions: "755" },
        },
      }),
    ],
    message: /tenant acme must use \/tenants\/acme/,
  },
  "efs-mount-targets-in-private-subnets": {
    pass: () => mountTargetIn(false),
    fail: () => mountTargetIn(true),
    message: /maps public IPs on launch/,
  },

  // Aurora
  "rds-cluster-encrypted-with-cmk": {
    pass: () => [good.dbCluster("dev")],
    fail: () => [good.dbCluster("dev", { storageEncrypted: false })],
    message: /storageEncrypted is false/,
  },
  "rds-cluster-protected-in-prod": {
    pass: () => [good.dbCluster("prod")],
    fail: () => [good.dbCluster("prod", { deletionProtection: false })],
    message: /deletionProtection is false/,
  },
  "rds-cluster-backup-retention": {
    pass: () => [good.dbCluster("dev")],
    fail: () => [good.dbCluster("dev", { backupRetentionPeriod: 1 })],
    message: /backupRetentionPeriod is 1 day/,
  },
  "rds-cluster-non-default-master-user": {
    pass: () => [good.dbCluster("dev")],
    fail: () => [good.dbCluster("dev", { masterUsername: "admin" })],
    message: /masterUsername is "admin"/,
  },
  "rds-cluster-require-secure-transport": {
    pass: () => {
      const group = good.clusterParameterGroup("ON");
      return [
        group,
        good.dbCluster("dev", { dbClusterParameterGroupName: group.id }, { dependsOn: [group] }),
      ];
    },
    fail: () => {
      const group = good.clusterParameterGroup(null);
      return [
        group,
        good.dbCluster("dev", { dbClusterParameterGroupName: group.id }, { dependsOn: [group] }),
      ];
    },
    message: /sets require_secure_transport to "nothing": set "ON"/,
  },
  "rds-cluster-audit-logs": {
    pass: () => [good.dbCluster("dev")],
    fail: () => [good.dbCluster("dev", { enabledCloudwatchLogsExports: ["error"] })],
    message: /include "audit"/,
  },
  "rds-cluster-copy-tags-to-snapshot": {
    pass: () => [good.dbCluster("dev")],
    fail: () => [good.dbCluster("dev", { copyTagsToSnapshot: false })],
    message: /copyTagsToSnapshot/,
  },
  "rds-cluster-iam-authentication": {
    pass: () => [good.dbCluster("dev")],
    fail: () => [good.dbCluster("dev", { iamDatabaseAuthenticationEnabled: false })],
    message: /iamDatabaseAuthenticationEnabled/,
  },
  "rds-instance-not-public": {
    pass: () => [good.dbInstance("dev", "af-south-1a")],
    fail: () => [good.dbInstance("dev", "af-south-1a", { publiclyAccessible: true })],
    message: /publiclyAccessible is true/,
  },
  "rds-cluster-multi-az-in-prod": {
    pass: () => auroraWith(["af-south-1a", "af-south-1b"]),
    fail: () => auroraWith(["af-south-1a"]),
    message: /1 instance\(s\) in 1 AZ/,
  },

  // ALB
  "alb-drop-invalid-header-fields": {
    pass: () => [good.loadBalancer("dev")],
    fail: () => [good.loadBalancer("dev", { dropInvalidHeaderFields: false })],
    message: /dropInvalidHeaderFields is false/,
  },
  "alb-desync-mitigation": {
    pass: () => [good.loadBalancer("dev")],
    fail: () => [good.loadBalancer("dev", { desyncMitigationMode: "monitor" })],
    message: /"monitor"/,
  },
  "alb-access-logs": {
    pass: () => [good.loadBalancer("dev")],
    fail: () => [good.loadBalancer("dev", { accessLogs: { bucket: "logs", enabled: false } })],
    message: /enabled: true/,
  },
  "alb-deletion-protection-in-prod": {
    pass: () => [good.loadBalancer("prod")],
    fail: () => [good.loadBalancer("prod", { enableDeletionProtection: false })],
    message: /enableDeletionProtection is false/,
  },
  "alb-web-acl-in-prod": {
    pass: () => {
      const lb = good.loadBalancer("prod");
      return [
        lb,
        fixture("aws:wafv2/webAclAssociation:WebAclAssociation", {
          resourceArn: lb.id,
          webAclArn: "arn:aws:wafv2:af-south-1:123456789012:regional/webacl/bbws-prod-alb-0/1",
        }),
      ];
    },
    fail: () => [good.loadBalancer("prod")],
    message: /bbws-prod-alb-0 has no web ACL/,
  },
  "alb-http-redirects-to-https": {
    pass: () => [good.httpListener()],
    fail: () => [good.httpListener({ defaultActions: [{ type: "forward", targetGroupArn: "arn:tg" }] })],
    message: /\["forward"\]/,
  },
  "alb-https-tls13-policy": {
    pass: () => [good.httpsListener()],
    fail: () => [good.httpsListener({ sslPolicy: "ELBSecurityPolicy-2016-08" })],
    message: /ELBSecurityPolicy-2016-08/,
  },
  "lb-target-group-health-check": {
    pass: () => [good.targetGroup()],
    fail: () => [good.targetGroup({ healthCheck: { enabled: true } })],
    message: /set \{ path, matcher \}/,
  },
  "lb-target-group-deregistration-within-spot-warning": {
    pass: () => [good.targetGroup()],
    fail: () => [good.targetGroup({ deregistrationDelay: undefined })],
    message: /300 \(default\)/,
  },

  // Network
  "no-public-ingress-to-high-risk-ports": {
    pass: () => ingressTiers(() => []),
    fail: () => ingressTiers(({ tasks }) => [good.ingressRule(tasks, 22)]),
    message: /tcp 22-22 from 0.0.0.0\/0/,
  },
  "no-public-ingress-except-alb-web": {
    pass: () => ingressTiers(() => []),
    fail: () => ingressTiers(({ tasks }) => [good.ingressRule(tasks, 80, { cidrIpv6: "::/0" })]),
    message: /which no application load balancer uses/,
  },
  "default-security-group-no-rules": {
    pass: () => [good.defaultSecurityGroup()],
    fail: () => [
      good.defaultSecurityGroup({ ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, self: true }] }),
    ],
    message: /1 ingress and 0 egress/,
  },
  "vpc-flow-logs": {
    pass: () => vpcWithFlowLog("REJECT"),
    fail: () => vpcWithFlowLog(undefined),
    message: /has no flow log/,
  },

  // IAM
  "iam-no-wildcard-actions": {
    pass: () => [rolePolicy({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/*" })],
    fail: () => [rolePolicy({ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::bucket/*" })],
    message: /allows s3:\*, every action of the service/,
  },
  "iam-no-wildcard-resource-for-scoped-actions": {
    pass: () => [rolePolicy({ Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" })],
    fail: () => [rolePolicy({ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" })],
    message: /\["secretsmanager:GetSecretValue"\] on Resource "\*"/,
  },
  "iam-ecs-trust-confused-deputy": {
    pass: () => [good.role()],
    fail: () => [
      good.role({
        assumeRolePolicy: policyDocument(ecsTrust({ StringEquals: { "aws:SourceAccount": "123456789012" } })),
      }),
    ],
    message: /without aws:SourceArn/,
  },
  "kms-decrypt-secrets-encryption-context": {
    pass: () => [
      rolePolicy({
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: "arn:aws:kms:af-south-1:123456789012:key/data",
        Condition: {
          StringEquals: {
            "kms:ViaService": "secretsmanager.af-south-1.amazonaws.com",
            "kms:EncryptionContext:SecretARN":
              "arn:aws:secretsmanager:af-south-1:123456789012:secret:bbws/dev/acme/db-AbCdEf",
          },
        },
      }),
    ],
    // The shared data key through Secrets Manager, for any secret: every tenant's.
    fail: () => [
      rolePolicy({
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: "arn:aws:kms:af-south-1:123456789012:key/data",
        Condition: { StringEquals: { "kms:ViaService": "secretsmanager.af-south-1.amazonaws.com" } },
      }),
    ],
    message: /allows kms:Decrypt for any secret/,
  },
  "iam-role-trust-names-principal": {
    pass: () => [good.role()],
    fail: () => [
      good.role({
        assumeRolePolicy: policyDocument({
          Effect: "Allow",
          Principal: { AWS: "*" },
          Action: "sts:AssumeRole",
        }),
      }),
    ],
    message: /any principal/,
  },
  "efs-client-access-through-access-point": {
    pass: () => [
      rolePolicy({
        Effect: "Allow",
        Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
        Resource: "arn:aws:elasticfilesystem:af-south-1:123456789012:file-system/fs-0123",
        Condition: {
          StringEquals: {
            "elasticfilesystem:AccessPointArn":
              "arn:aws:elasticfilesystem:af-south-1:123456789012:access-point/fsap-acme",
          },
        },
      }),
    ],
    fail: () => [
      rolePolicy({
        Effect: "Allow",
        Action: "elasticfilesystem:Client*",
        Resource: "arn:aws:elasticfilesystem:af-south-1:123456789012:file-system/fs-0123",
      }),
    ],
    message: /ClientRootAccess/,
  },
  "tenant-iam-exact-resources": {
    pass: () => [
      rolePolicy({
        Effect: "Allow",
        Action: "secretsmanager:GetSecretValue",
        Resource: "arn:aws:secretsmanager:af-south-1:123456789012:secret:bbws/dev/acme/db-AbCdEf",
      }),
    ],
    fail: () => [
      rolePolicy({
        Effect: "Allow",
        Action: "secretsmanager:GetSecretValue",
        Resource: "arn:aws:secretsmanager:af-south-1:123456789012:secret:bbws/dev/*",
      }),
    ],
    message: /secret:bbws\/dev\/\*/,
  },

  // ECR, logs, alarms, keys, secrets
  "ecr-scan-on-push": {
    pass: () => [good.repository()],
    fail: () => [good.repository({ imageScanningConfiguration: { scanOnPush: false } })],
    message: /scanOnPush is not true/,
  },
  "ecr-immutable-tags": {
    // The pull-through cache template is MUTABLE on purpose and is another type.
    pass: () => [good.repository(), good.creationTemplate()],
    fail: () => [good.repository({ imageTagMutability: "MUTABLE" })],
    message: /imageTagMutability is "MUTABLE"/,
  },
  "ecr-kms-encryption": {
    pass: () => [good.repository(), good.creationTemplate()],
    fail: () => [good.creationTemplate({ encryptionConfigurations: [{ encryptionType: "AES256" }] })],
    message: /encryptionType: "KMS"/,
  },
  "ecr-lifecycle-policy": {
    pass: () => [good.repository(), good.lifecyclePolicy("bbws/dev/wordpress")],
    fail: () => [good.repository(), good.lifecyclePolicy("another/repository")],
    message: /has no aws.ecr.LifecyclePolicy/,
  },
  "log-group-retention": {
    pass: () => [good.logGroup()],
    fail: () => [good.logGroup({ retentionInDays: undefined })],
    message: /retentionInDays is undefined/,
  },
  "log-group-kms-encryption": {
    pass: () => [good.logGroup()],
    fail: () => [good.logGroup({ kmsKeyId: undefined })],
    message: /telemetry key/,
  },
  "alarm-has-actions": {
    pass: () => [good.alarm()],
    fail: () => [good.alarm({ alarmActions: [] })],
    message: /alarmActions is empty/,
  },
  "sns-topic-encrypted": {
    pass: () => [good.topic()],
    fail: () => [good.topic({ kmsMasterKeyId: undefined })],
    message: /kmsMasterKeyId is not set/,
  },
  "kms-key-rotation": {
    // Asymmetric keys cannot rotate: not applicable.
    pass: () => [
      good.key(),
      good.key({ enableKeyRotation: false, customerMasterKeySpec: "RSA_2048", keyUsage: "SIGN_VERIFY" }),
    ],
    fail: () => [good.key({ enableKeyRotation: false })],
    message: /enableKeyRotation is not true/,
  },
  "secret-uses-cmk": {
    pass: () => [good.secret()],
    fail: () => [good.secret({ kmsKeyId: undefined })],
    message: /data key/,
  },
  "ssm-parameter-securestring-cmk": {
    pass: () => [good.parameter()],
    // SecureString, but under Parameter Store's AWS-managed key: any role with kms:Decrypt on it reads it.
    fail: () => [good.parameter({ keyId: "alias/aws/ssm" })],
    message: /keyId is "alias\/aws\/ssm": encrypt with the environment's data key/,
  },

  // Backup
  "backup-vault-cmk": {
    pass: () => [good.vault("dev")],
    fail: () => [good.vault("dev", { kmsKeyArn: undefined })],
    message: /kmsKeyArn is not set/,
  },
  "backup-plan-lifecycles-valid": {
    pass: () => [good.plan([good.hourlyRule()])],
    // Seed 002's lifecycle: AWS Backup rejects delete-after < cold-storage-after + 90.
    fail: () => [good.plan([good.hourlyRule({ coldStorageAfter: 1, deleteAfter: 7 })])],
    message: /at least cold-storage-after \(1\) \+ 90 = 91 days/,
  },
  "backup-no-cold-storage-for-aurora": {
    pass: () =>
      coldPlanSelecting(
        [good.fileSystem()],
        ["arn:aws:elasticfilesystem:af-south-1:123456789012:file-system/fs-0123"],
      ),
    fail: () =>
      coldPlanSelecting(
        [good.dbCluster("dev")],
        ["arn:aws:rds:af-south-1:123456789012:cluster:bbws-dev-db-1"],
      ),
    message: /Aurora recovery points cannot move to cold storage/,
  },
  "backup-plan-hourly-with-retention": {
    pass: () => [good.plan([good.hourlyRule()])],
    fail: () => [good.plan([good.hourlyRule({ deleteAfter: 7 }, { schedule: "cron(0 5 ? * * *)" })])],
    message: /no rule runs hourly/,
  },
  "backup-vault-locked-in-prod": {
    pass: () => vaultGuarded(true),
    fail: () => vaultGuarded(false),
    message: /neither a Vault Lock nor a policy/,
  },
  "backup-covers-stateful-resources": {
    pass: () => {
      const fs = good.fileSystem();
      const plan = good.plan([good.hourlyRule()]);
      return [
        fs,
        plan,
        good.selection(plan, [fs], ["arn:aws:elasticfilesystem:af-south-1:123456789012:file-system/fs-0123"]),
      ];
    },
    fail: () => [good.fileSystem(), good.plan([good.hourlyRule()])],
    message: /is in no AWS Backup selection/,
  },

  // Tags
  "required-tags": {
    pass: () => [good.service()],
    fail: () => [good.service({ tags: tags("dev", "ecs") })],
    message: /missing bbws:tenant-id among its own tags/,
  },
  "environment-tag-matches-stack": {
    pass: () => [
      good.service({ tags: tags("prod", "ecs", "acme") }, { tenant: "acme", environment: "prod" }),
    ],
    fail: () => [good.service({ tags: tags("dev", "ecs", "acme") }, { tenant: "acme", environment: "prod" })],
    message: /bbws:environment is "dev" in stack prod.acme/,
  },
  "tenant-tag-matches-tenant": {
    pass: () => tenantSite("acme"),
    fail: () => [good.service({ tags: tags("dev", "ecs", "globex") }, { tenant: "acme" })],
    message: /bbws:tenant-id="globex" inside tenant acme/,
  },
};

describe("policy rules", () => {
  it("every rule of the pack has a case, and every case a rule", () => {
    expect(Object.keys(CASES)).to.have.members(ALL_POLICIES.map((p) => p.name));
  });

  for (const policy of ALL_POLICIES) {
    const rule = CASES[policy.name];
    if (!rule) continue;
    describe(policy.name, () => {
      it("reports nothing on its compliant fixture", async () => {
        const report = await evaluatePolicies([stackOf(...rule.pass())], [policy]);
        expect(report.violations).to.deep.equal([]);
      });

      it(`reports its violating fixture (${policy.enforcementLevel})`, async () => {
        const report = await evaluatePolicies([stackOf(...rule.fail())], [policy]);
        expect(report.violations, "violations").to.not.be.empty;
        for (const violation of report.violations) {
          expect(violation.policy).to.equal(policy.name);
          expect(violation.level).to.equal(policy.enforcementLevel);
        }
        expect(report.violations.map((v) => v.message).join("\n")).to.match(rule.message);
      });
    });
  }

  describe("environment-specific rules fire only in prod", () => {
    const devVariants: [string, () => RecordedResource[]][] = [
      [
        "ecs-service-highly-available-in-prod",
        () => [
          good.service({ capacityProviderStrategies: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }] }),
        ],
      ],
      ["ecs-cluster-container-insights-in-prod", () => [good.ecsCluster("dev", "disabled")]],
      ["rds-cluster-protected-in-prod", () => [good.dbCluster("dev")]],
      ["rds-cluster-multi-az-in-prod", () => [good.dbCluster("dev"), good.dbInstance("dev", "af-south-1a")]],
      ["alb-deletion-protection-in-prod", () => [good.loadBalancer("dev")]],
      ["alb-web-acl-in-prod", () => [good.loadBalancer("dev")]],
      ["backup-vault-locked-in-prod", () => [good.vault("dev")]],
    ];
    for (const [name, resources] of devVariants) {
      it(`${name} accepts the dev setting`, async () => {
        const policy = ALL_POLICIES.find((p) => p.name === name)!;
        const report = await evaluatePolicies([stackOf(...resources())], [policy]);
        expect(report.violations).to.deep.equal([]);
      });
    }
  });

  describe("details", () => {
    const run = async (name: string, ...resources: RecordedResource[]) => {
      const policy = ALL_POLICIES.find((p) => p.name === name)!;
      return (await evaluatePolicies([stackOf(...resources)], [policy])).violations.map((v) => v.message);
    };

    it("ECS.8 flags credentials by name and by value, not references to them", async () => {
      const env = (name: string, value: string) => taskWith({ environment: [{ name, value }] });
      expect(await run("ecs-task-no-secrets-in-environment", env("AWS_ACCESS_KEY_ID", "x"))).to.have.length(
        1,
      );
      expect(await run("ecs-task-no-secrets-in-environment", env("WORDPRESS_AUTH_SALT", "x"))).to.have.length(
        1,
      );
      expect(await run("ecs-task-no-secrets-in-environment", env("API_KEY", "x"))).to.have.length(1);
      expect(
        await run("ecs-task-no-secrets-in-environment", env("NOTE", "AKIAABCDEFGHIJKLMNOP")),
      ).to.have.length(1);
      expect(
        await run(
          "ecs-task-no-secrets-in-environment",
          env("WORDPRESS_CONFIG_EXTRA", "define('DB_PASSWORD', 'plain');"),
        ),
      ).to.have.length(1);
      expect(
        await run("ecs-task-no-secrets-in-environment", env("WORDPRESS_DB_PASSWORD_FILE", "/run/secrets/db")),
      ).to.be.empty;
      expect(await run("ecs-task-no-secrets-in-environment", env("WORDPRESS_TABLE_PREFIX", "wp_"))).to.be
        .empty;
      expect(await run("ecs-task-no-secrets-in-environment", env("MONKEY_BUSINESS", "none"))).to.be.empty;
    });

    it("EC2.19 reads inline ingress and aws.ec2.SecurityGroupRule too, and all-protocol rules", async () => {
      const inline = good.securityGroup("db", "sg-db", {
        ingress: [{ protocol: "tcp", fromPort: 3306, toPort: 3306, cidrBlocks: ["0.0.0.0/0"] }],
      });
      const legacy = fixture("aws:ec2/securityGroupRule:SecurityGroupRule", {
        type: "ingress",
        securityGroupId: "sg-x",
        protocol: "-1",
        fromPort: 0,
        toPort: 0,
        ipv6CidrBlocks: ["::/0"],
      });
      expect(await run("no-public-ingress-to-high-risk-ports", inline)).to.have.length(1);
      expect(await run("no-public-ingress-to-high-risk-ports", legacy)).to.deep.equal([
        "ingress allows all traffic from ::/0, which includes an administration or data port: restrict the source.",
      ]);
    });

    it("only an ALB's group may be public, and only on 80 and 443", async () => {
      const on8080 = await run(
        "no-public-ingress-except-alb-web",
        ...ingressTiers(({ alb }) => [good.ingressRule(alb, 8080)]),
      );
      expect(on8080).to.have.length(1);
      expect(on8080[0]).to.match(/on a load balancer group: only TCP 80 and 443/);
      const inlineOnTasks = await run(
        "no-public-ingress-except-alb-web",
        good.securityGroup("open", "sg-open", {
          ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
        }),
      );
      expect(inlineOnTasks).to.have.length(1);
    });

    it("the tenant stack's planned shape passes every rule but the two documented exceptions", async () => {
      const report = await evaluatePolicies([stackOf(...tenantSite("acme"))]);
      expect(report.violations.map((v) => v.policy)).to.have.members([
        "ecs-task-read-only-root-filesystem",
        "ecs-task-non-root-user",
      ]);
      expect(report.violations.every((v) => v.level === "advisory")).to.be.true;
    });

    it("a container without the stock image's needs passes the exceptions", async () => {
      const hardened = wordpressContainer("acme", { readonlyRootFilesystem: true, user: "33:33" });
      const task = good.taskDefinition({}, { containerDefinitions: JSON.stringify([hardened]) });
      expect(await run("ecs-task-read-only-root-filesystem", task)).to.be.empty;
      expect(await run("ecs-task-non-root-user", task)).to.be.empty;
    });
  });
});
