/**
 * Physical names as AWS and `@pulumi/aws` make and accept them, written once: the offline
 * engine generates auto-names with these rules (and fails where the real provider fails), the
 * plan's AWS checks hold explicit names to the API limits, and the registry derives the longest
 * tenant id from them so that every name made from an id fits.
 *
 * Auto-naming (pulumi-aws `provider/resources.go`, `setAutonaming(255, "-")` plus the per-type
 * overrides; pulumi-terraform-bridge `AutoName` -> `resource.NewUniqueHex(prefix, 7, maxlen)`):
 * a resource with a `name` input that the program leaves out gets `<logical name>-` and 7 random
 * hex characters; when `<logical name>-` plus 7 exceeds the type's maximum the provider refuses
 * the resource ("name '<prefix>' plus 7 random chars is longer than maximum length <n>"), it
 * never truncates. A `namePrefix` makes Terraform append a 26-character unique suffix
 * (terraform-plugin-sdk `id.UniqueIDSuffixLength`).
 */

/** Random hex characters the provider appends to an auto-name (`Randlen: 7`). */
export const AUTO_NAME_RANDOM_LENGTH = 7;
/** Characters Terraform appends to a `namePrefix` (`id.UniqueIDSuffixLength`). */
export const NAME_PREFIX_SUFFIX_LENGTH = 26;

/** An AWS limit on a physical name, with the API reference it comes from. */
export interface NameLimit {
  /** The input that holds the name. */
  readonly property: string;
  readonly maxLength: number;
  /** Characters (and shape) AWS accepts, when it restricts them. */
  readonly pattern?: RegExp;
  /** What `pattern` means, in words. */
  readonly allowed?: string;
  readonly source: string;
}

/** Physical-name limits of the AWS APIs, by Pulumi type. */
export const NAME_LIMITS: Readonly<Record<string, NameLimit>> = {
  "aws:lb/targetGroup:TargetGroup": {
    property: "name",
    maxLength: 32,
    pattern: /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/,
    allowed: "alphanumerics and hyphens, not starting or ending with a hyphen",
    source: "ELBv2 API Reference, CreateTargetGroup: Name",
  },
  "aws:lb/loadBalancer:LoadBalancer": {
    property: "name",
    maxLength: 32,
    pattern: /^(?!internal-)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/,
    allowed: 'alphanumerics and hyphens, not starting or ending with a hyphen nor with "internal-"',
    source: "ELBv2 API Reference, CreateLoadBalancer: Name",
  },
  "aws:iam/role:Role": {
    property: "name",
    maxLength: 64,
    pattern: /^[\w+=,.@-]+$/,
    allowed: "alphanumerics and +=,.@_-",
    source: "IAM API Reference, CreateRole: RoleName",
  },
  "aws:iam/rolePolicy:RolePolicy": {
    property: "name",
    maxLength: 128,
    pattern: /^[\w+=,.@-]+$/,
    allowed: "alphanumerics and +=,.@_-",
    source: "IAM API Reference, PutRolePolicy: PolicyName",
  },
  "aws:cloudwatch/metricAlarm:MetricAlarm": {
    property: "name",
    maxLength: 255,
    source: "CloudWatch API Reference, PutMetricAlarm: AlarmName",
  },
  "aws:cloudwatch/logGroup:LogGroup": {
    property: "name",
    maxLength: 512,
    pattern: /^[\w\-/.#]+$/,
    allowed: "a-z, A-Z, 0-9, '_', '-', '/', '.' and '#'",
    source: "CloudWatch Logs API Reference, CreateLogGroup: logGroupName",
  },
  "aws:ecs/cluster:Cluster": {
    property: "name",
    maxLength: 255,
    pattern: /^[A-Za-z0-9_-]+$/,
    allowed: "letters, digits, hyphens and underscores",
    source: "ECS API Reference, CreateCluster: clusterName",
  },
  "aws:ecs/service:Service": {
    property: "name",
    maxLength: 255,
    pattern: /^[A-Za-z0-9_-]+$/,
    allowed: "letters, digits, hyphens and underscores",
    source: "ECS API Reference, CreateService: serviceName",
  },
  "aws:ecs/taskDefinition:TaskDefinition": {
    property: "family",
    maxLength: 255,
    pattern: /^[A-Za-z0-9_-]+$/,
    allowed: "letters, digits, hyphens and underscores",
    source: "ECS API Reference, RegisterTaskDefinition: family",
  },
  "aws:secretsmanager/secret:Secret": {
    property: "name",
    maxLength: 512,
    pattern: /^[A-Za-z0-9/_+=.@-]+$/,
    allowed: "alphanumerics and /_+=.@-",
    source: "Secrets Manager API Reference, CreateSecret: Name",
  },
  "aws:sns/topic:Topic": {
    property: "name",
    maxLength: 256,
    pattern: /^[A-Za-z0-9_-]+(\.fifo)?$/,
    allowed: "letters, digits, hyphens and underscores",
    source: "SNS API Reference, CreateTopic: Name",
  },
  "aws:backup/vault:Vault": {
    property: "name",
    maxLength: 50,
    pattern: /^[a-zA-Z0-9\-_]{2,50}$/,
    allowed: "2-50 letters, digits, hyphens and underscores",
    source: "AWS Backup API Reference, CreateBackupVault: BackupVaultName",
  },
  "aws:backup/plan:Plan": {
    property: "name",
    maxLength: 50,
    pattern: /^[A-Za-z0-9\-_.]+$/,
    allowed: "letters, digits, hyphens, underscores and dots",
    source: "AWS Backup API Reference, BackupPlanInput: BackupPlanName",
  },
  "aws:backup/selection:Selection": {
    property: "name",
    maxLength: 50,
    pattern: /^[A-Za-z0-9\-_.]+$/,
    allowed: "letters, digits, hyphens, underscores and dots",
    source: "AWS Backup API Reference, BackupSelection: SelectionName",
  },
  "aws:backup/restoreTestingPlan:RestoreTestingPlan": {
    property: "name",
    maxLength: 50,
    pattern: /^[a-zA-Z0-9_]+$/,
    allowed: "letters, digits and underscores (no hyphens)",
    source: "AWS Backup API Reference, RestoreTestingPlanForCreate: RestoreTestingPlanName",
  },
  "aws:backup/restoreTestingSelection:RestoreTestingSelection": {
    property: "name",
    maxLength: 50,
    pattern: /^[a-zA-Z0-9_]+$/,
    allowed: "letters, digits and underscores (no hyphens)",
    source: "AWS Backup API Reference, RestoreTestingSelectionForCreate: RestoreTestingSelectionName",
  },
  "aws:ecr/repository:Repository": {
    property: "name",
    maxLength: 256,
    pattern: /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/,
    allowed: "lower-case path components separated by '/'",
    source: "ECR API Reference, CreateRepository: repositoryName",
  },
  "aws:kms/alias:Alias": {
    property: "name",
    maxLength: 256,
    pattern: /^alias\/(?!aws\/)[a-zA-Z0-9/_-]+$/,
    allowed: "alias/ followed by letters, digits, '/', '_' and '-' (not alias/aws/)",
    source: "KMS API Reference, CreateAlias: AliasName",
  },
  "aws:rds/clusterParameterGroup:ClusterParameterGroup": {
    property: "name",
    maxLength: 255,
    pattern: /^[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]$/,
    allowed: "lower-case letters, digits and single hyphens, starting with a letter",
    source: "RDS API Reference, CreateDBClusterParameterGroup: DBClusterParameterGroupName",
  },
  "aws:rds/subnetGroup:SubnetGroup": {
    property: "name",
    maxLength: 255,
    pattern: /^[a-z0-9 ._-]+$/,
    allowed: "lower-case letters, digits, spaces, periods, underscores and hyphens",
    source: "RDS API Reference, CreateDBSubnetGroup: DBSubnetGroupName",
  },
  "aws:rds/cluster:Cluster": {
    property: "clusterIdentifier",
    maxLength: 63,
    pattern: /^[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]$/,
    allowed: "lower-case letters, digits and single hyphens, starting with a letter",
    source: "RDS API Reference, CreateDBCluster: DBClusterIdentifier",
  },
  "aws:rds/clusterInstance:ClusterInstance": {
    property: "identifier",
    maxLength: 63,
    pattern: /^[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]$/,
    allowed: "lower-case letters, digits and single hyphens, starting with a letter",
    source: "RDS API Reference, CreateDBInstance: DBInstanceIdentifier",
  },
  "aws:s3/bucket:Bucket": {
    property: "bucket",
    maxLength: 63,
    pattern: /^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/,
    allowed: "lower-case letters, digits, dots and hyphens",
    source: "S3 User Guide, general purpose bucket naming rules",
  },
  "aws:ec2/securityGroup:SecurityGroup": {
    property: "name",
    maxLength: 255,
    source: "EC2 API Reference, CreateSecurityGroup: GroupName",
  },
  "aws:appautoscaling/policy:Policy": {
    property: "name",
    maxLength: 256,
    source: "Application Auto Scaling API Reference, PutScalingPolicy: PolicyName",
  },
  "aws:appautoscaling/scheduledAction:ScheduledAction": {
    property: "name",
    maxLength: 256,
    source: "Application Auto Scaling API Reference, PutScheduledAction: ScheduledActionName",
  },
  "aws:servicediscovery/service:Service": {
    property: "name",
    maxLength: 63,
    pattern: /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/,
    allowed: "a DNS label",
    source: "Cloud Map API Reference, CreateService: Name (a DNS label for DNS namespaces)",
  },
};

/** How the provider auto-names one type (see the file comment). */
export interface AutoNameRule {
  /** The input it fills. @default "name" */
  readonly property: string;
  /** Longest name the provider makes; longer prefixes are refused. */
  readonly maxLength: number;
  readonly separator: "-" | "_";
  /** The provider lower-cases the logical name (AutoNameTransform with strings.ToLower). */
  readonly lowerCase?: boolean;
}

/** `setAutonaming(255, "-")`: every type with a `name` input that has no override. */
export const DEFAULT_AUTO_NAME: AutoNameRule = { property: "name", maxLength: 255, separator: "-" };

/** The provider's per-type overrides (pulumi-aws resources.go) for the types BBWS uses. */
export const AUTO_NAME_RULES: Readonly<Record<string, AutoNameRule>> = {
  "aws:lb/targetGroup:TargetGroup": { property: "name", maxLength: 32, separator: "-" },
  "aws:iam/role:Role": { property: "name", maxLength: 64, separator: "-" },
  "aws:sns/topic:Topic": { property: "name", maxLength: 80, separator: "-" },
  "aws:backup/restoreTestingPlan:RestoreTestingPlan": { property: "name", maxLength: 255, separator: "_" },
  "aws:s3/bucket:Bucket": { property: "bucket", maxLength: 63, separator: "-", lowerCase: true },
  "aws:efs/fileSystem:FileSystem": { property: "creationToken", maxLength: 255, separator: "-" },
};

/** The provider's auto-naming rule of a type. */
export function autoNameRule(type: string): AutoNameRule {
  return AUTO_NAME_RULES[type] ?? DEFAULT_AUTO_NAME;
}

/** The provider refused to auto-name a resource: its logical name leaves no room for the suffix. */
export class AutoNameError extends Error {
  constructor(type: string, prefix: string, maxLength: number) {
    super(
      `could not make instance of '${type}': name '${prefix}' plus ${AUTO_NAME_RANDOM_LENGTH} random chars is longer than maximum length ${maxLength}`,
    );
    this.name = "AutoNameError";
  }
}

/**
 * The name the provider gives `logicalName` of `type`: `<logical><separator><7 hex>`, where
 * `randomHex` supplies the 7 characters. Throws AutoNameError exactly where the provider does.
 */
export function providerAutoName(type: string, logicalName: string, randomHex: string): string {
  const rule = autoNameRule(type);
  const prefix = `${rule.lowerCase ? logicalName.toLowerCase() : logicalName}${rule.separator}`;
  if (prefix.length + AUTO_NAME_RANDOM_LENGTH > rule.maxLength)
    throw new AutoNameError(type, prefix, rule.maxLength);
  return prefix + randomHex.slice(0, AUTO_NAME_RANDOM_LENGTH);
}

/**
 * A name a tenant id goes into: its type's limit, what surrounds the id, and whether the provider
 * appends its auto-name suffix. The registry's longest id is the smallest budget of these.
 */
export interface TenantNameBudget {
  readonly what: string;
  readonly maxLength: number;
  /** Characters around the id (`-tg`, `wp_`...). */
  readonly affixLength: number;
  readonly autoNamed: boolean;
}

/** Logical-name suffix of a tenant's target group (`<id>-tg`, auto-named by the provider). */
export const TARGET_GROUP_SUFFIX = "-tg";

/** Every name built from a tenant id whose limit could bind. */
export const TENANT_NAME_BUDGETS: readonly TenantNameBudget[] = [
  {
    what: `target group \`<id>${TARGET_GROUP_SUFFIX}\` (auto-named)`,
    maxLength: Math.min(
      NAME_LIMITS["aws:lb/targetGroup:TargetGroup"].maxLength,
      autoNameRule("aws:lb/targetGroup:TargetGroup").maxLength,
    ),
    affixLength: TARGET_GROUP_SUFFIX.length,
    autoNamed: true,
  },
  {
    what: "IAM roles `<id>-exec-role`, `<id>-task-role` (auto-named)",
    maxLength: NAME_LIMITS["aws:iam/role:Role"].maxLength,
    affixLength: "-exec-role".length,
    autoNamed: true,
  },
  // MySQL 8 user names take at most 32 characters (MySQL Reference Manual, "User Names and
  // Passwords"); the tenant's user is `wp_<id>`.
  { what: "MySQL user `wp_<id>`", maxLength: 32, affixLength: "wp_".length, autoNamed: false },
  {
    what: "Cloud Map service `<id>` (a DNS label)",
    maxLength: NAME_LIMITS["aws:servicediscovery/service:Service"].maxLength,
    affixLength: 0,
    autoNamed: false,
  },
];

/** Room a budget leaves for the id. */
export function idRoom(budget: TenantNameBudget): number {
  return budget.maxLength - budget.affixLength - (budget.autoNamed ? AUTO_NAME_RANDOM_LENGTH + 1 : 0);
}

/** The longest tenant id every derived name has room for. */
export const TENANT_ID_MAX_LENGTH = Math.min(...TENANT_NAME_BUDGETS.map(idRoom));

/** The budget that sets TENANT_ID_MAX_LENGTH (named in the registry's message). */
export const BINDING_NAME_BUDGET = TENANT_NAME_BUDGETS.find((b) => idRoom(b) === TENANT_ID_MAX_LENGTH)!;
