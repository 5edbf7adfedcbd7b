/**
 * Resources for policy tests, shaped like what the offline engine records (RecordedResource):
 * the engine's URNs (a tenant's resources are children of its `bbws:tenant:TenantWordPress`
 * component), realistic ids and ARNs, inputs as the SDK sends them (JSON strings for container
 * definitions and IAM documents).
 *
 * `good` builds one compliant resource per type; tests derive failing variants by overriding
 * inputs. `tenantSite` builds the planned shape of a tenant stack.
 */
import { ResourceInputs } from "../../offline/mocks";
import { RecordedResource } from "../../offline/stackRun";
import { StackResources } from "../../offline/policyEvaluator";

export const ACCOUNT = "123456789012";
export const REGION = "af-south-1";
const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;

export interface FixtureOptions {
  /** Logical name. @default - derived from the type and a counter */
  readonly name?: string;
  /** Physical id. @default - derived from the name */
  readonly id?: string;
  /** Makes the resource a child of this tenant's TenantWordPress component. */
  readonly tenant?: string;
  /** Environment of the stack. @default - the inputs' bbws:environment tag, else "dev" */
  readonly environment?: string;
  /** Resources this one depends on (its inputs came from them). */
  readonly dependsOn?: readonly RecordedResource[];
  /** Parent resource. @default - the tenant component or the stack */
  readonly parent?: RecordedResource;
  /** @default true */
  readonly custom?: boolean;
  /** A `Resource.get` read. @default false */
  readonly read?: boolean;
}

let counter = 0;

/** The stack and project a resource lives in. */
function placement(environment: string, tenant: string | undefined) {
  return tenant
    ? { stack: `${environment}.${tenant}`, project: "bbws-tenant" }
    : { stack: environment, project: "bbws" };
}

const stackUrn = (stack: string, project: string) =>
  `urn:pulumi:${stack}::${project}::pulumi:pulumi:Stack::${project}-${stack}`;
const tenantUrn = (stack: string, project: string, tenant: string) =>
  `urn:pulumi:${stack}::${project}::bbws:tenant:TenantWordPress::${tenant}`;

/** One recorded resource. */
export function fixture(
  type: string,
  inputs: ResourceInputs,
  options: FixtureOptions = {},
): RecordedResource {
  const name = options.name ?? `${type.split(":").pop()!.toLowerCase()}-${++counter}`;
  const tags = inputs.tags as Record<string, string> | undefined;
  const environment = options.environment ?? tags?.["bbws:environment"] ?? "dev";
  const { stack, project } = placement(environment, options.tenant);
  const qualified = options.tenant ? `bbws:tenant:TenantWordPress$${type}` : type;
  const parent =
    options.parent?.urn ??
    (options.tenant ? tenantUrn(stack, project, options.tenant) : stackUrn(stack, project));
  return {
    type,
    name,
    inputs,
    custom: options.custom ?? true,
    id: options.id ?? `${name}-id`,
    region: REGION,
    read: options.read ?? false,
    urn: `urn:pulumi:${stack}::${project}::${qualified}::${name}`,
    parent,
    protect: false,
    provider: "",
    dependencies: (options.dependsOn ?? []).map((r) => r.urn),
  };
}

/**
 * One stack of resources (they must share a stack), with the root stack resource and the
 * TenantWordPress component of tenant resources added as the engine records them.
 */
export function stackOf(...resources: RecordedResource[]): StackResources {
  const [stack, project] = resources[0].urn.replace(/^urn:pulumi:/, "").split("::");
  const root: RecordedResource = {
    type: "pulumi:pulumi:Stack",
    name: `${project}-${stack}`,
    inputs: {},
    custom: false,
    id: "",
    region: REGION,
    read: false,
    urn: stackUrn(stack, project),
    parent: null,
    protect: false,
    provider: "",
    dependencies: [],
  };
  const components = [...new Set(resources.map((r) => r.parent).filter((p): p is string => !!p))]
    .filter((urn) => urn.includes("::bbws:tenant:TenantWordPress::"))
    .filter((urn) => !resources.some((r) => r.urn === urn))
    .map((urn): RecordedResource => ({
      ...root,
      type: "bbws:tenant:TenantWordPress",
      name: urn.split("::").pop()!,
      urn,
      parent: root.urn,
    }));
  return { stack, resources: [root, ...components, ...resources] };
}

/** The tags every BBWS resource carries. */
export function tags(environment: string, component: string, tenant?: string): Record<string, string> {
  return {
    "bbws:environment": environment,
    "bbws:component": component,
    ...(tenant ? { "bbws:tenant-id": tenant } : {}),
  };
}

/** An IAM policy document as the SDK sends it (a JSON string). */
export function policyDocument(...statements: Record<string, unknown>[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** The WordPress container of a tenant, as the planned tenant stack defines it. */
export function wordpressContainer(
  tenant: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const dbSecret = arn("secretsmanager", `secret:bbws/dev/${tenant}/db-AbCdEf`);
  const keysSecret = arn("secretsmanager", `secret:bbws/dev/${tenant}/wordpress-keys-GhIjKl`);
  const keys = ["AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY"].flatMap((k) => [
    k,
    k.replace("KEY", "SALT"),
  ]);
  return {
    name: "wordpress",
    image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/bbws/dev/wordpress@sha256:${"0".repeat(64)}`,
    essential: true,
    portMappings: [{ containerPort: 80, protocol: "tcp" }],
    environment: [
      { name: "WORDPRESS_DB_HOST", value: "bbws-dev-db.cluster-abc.af-south-1.rds.amazonaws.com:3306" },
      { name: "WORDPRESS_DB_NAME", value: `wp_${tenant}` },
      {
        name: "WORDPRESS_CONFIG_EXTRA",
        value: `define('WP_HOME', 'https://${tenant}.example.com');\ndefine('DISALLOW_FILE_EDIT', true);`,
      },
    ],
    secrets: [
      { name: "WORDPRESS_DB_USER", valueFrom: `${dbSecret}:username::` },
      { name: "WORDPRESS_DB_PASSWORD", valueFrom: `${dbSecret}:password::` },
      ...keys.map((k) => ({ name: `WORDPRESS_${k}`, valueFrom: `${keysSecret}:${k}::` })),
    ],
    mountPoints: [{ sourceVolume: "wp-content", containerPath: "/var/www/html", readOnly: false }],
    healthCheck: { command: ["CMD-SHELL", "curl -fs http://localhost/wp-login.php || exit 1"], interval: 30 },
    stopTimeout: 110,
    logConfiguration: {
      logDriver: "awslogs",
      options: { "awslogs-group": "/bbws/dev/wordpress", "awslogs-stream-prefix": tenant },
    },
    ...overrides,
  };
}

/** Compliant resources, one builder per type; `inputs` replace top-level inputs. */
/** The trust statement of an ECS task role: this account's ECS tasks only (confused deputy). */
export function ecsTrust(
  condition: Record<string, unknown> = {
    StringEquals: { "aws:SourceAccount": ACCOUNT },
    ArnLike: { "aws:SourceArn": `arn:aws:ecs:${REGION}:${ACCOUNT}:*` },
  },
): Record<string, unknown> {
  return {
    Effect: "Allow",
    Principal: { Service: "ecs-tasks.amazonaws.com" },
    Action: "sts:AssumeRole",
    Condition: condition,
  };
}

/** The BBWS file system policy's statements, for `fsArn` and the maintenance access point. */
export function fileSystemPolicyStatements(
  fsArn: string,
  maintenanceAccessPointArn: string,
): Record<string, unknown>[] {
  return [
    {
      Sid: "DenyUnencryptedTransport",
      Effect: "Deny",
      Principal: { AWS: "*" },
      Action: "*",
      Resource: fsArn,
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
    {
      Sid: "DenyMountWithoutAccessPoint",
      Effect: "Deny",
      Principal: { AWS: "*" },
      Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
      Resource: fsArn,
      Condition: { Null: { "elasticfilesystem:AccessPointArn": "true" } },
    },
    {
      Sid: "DenyRootAccessButThroughMaintenanceAccessPoint",
      Effect: "Deny",
      Principal: { AWS: "*" },
      Action: "elasticfilesystem:ClientRootAccess",
      Resource: fsArn,
      Condition: { StringNotEquals: { "elasticfilesystem:AccessPointArn": maintenanceAccessPointArn } },
    },
  ];
}

export const good = {
  service: (inputs: ResourceInputs = {}, options: FixtureOptions = { tenant: "acme" }) =>
    fixture(
      "aws:ecs/service:Service",
      {
        cluster: arn("ecs", "cluster/bbws-dev"),
        name: "acme-wordpress",
        desiredCount: 2,
        networkConfiguration: {
          assignPublicIp: false,
          subnets: ["subnet-1", "subnet-2"],
          securityGroups: ["sg-tasks"],
        },
        deploymentCircuitBreaker: { enable: true, rollback: true },
        deploymentMinimumHealthyPercent: 100,
        deploymentMaximumPercent: 200,
        capacityProviderStrategies: [
          { capacityProvider: "FARGATE", base: 1, weight: 1 },
          { capacityProvider: "FARGATE_SPOT", base: 0, weight: 4 },
        ],
        platformVersion: "LATEST",
        propagateTags: "SERVICE",
        waitForSteadyState: true,
        tags: tags("dev", "ecs", options.tenant),
        ...inputs,
      },
      options,
    ),

  taskDefinition: (
    container: Record<string, unknown> = {},
    inputs: ResourceInputs = {},
    options: FixtureOptions = { tenant: "acme" },
  ) =>
    fixture(
      "aws:ecs/taskDefinition:TaskDefinition",
      {
        family: "dev-acme-wordpress",
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: "512",
        memory: "1024",
        runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "ARM64" },
        executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/acme-exec-role`,
        taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/acme-task-role`,
        containerDefinitions: JSON.stringify([wordpressContainer("acme", container)]),
        volumes: [
          {
            name: "wp-content",
            efsVolumeConfiguration: {
              fileSystemId: "fs-0123",
              transitEncryption: "ENABLED",
              authorizationConfig: { accessPointId: "fsap-acme", iam: "ENABLED" },
            },
          },
        ],
        tags: tags("dev", "ecs", options.tenant),
        ...inputs,
      },
      options,
    ),

  ecsCluster: (environment: string, insights: string) =>
    fixture("aws:ecs/cluster:Cluster", {
      name: `bbws-${environment}`,
      settings: [{ name: "containerInsights", value: insights }],
      tags: tags(environment, "ecs"),
    }),

  accessPoint: (inputs: ResourceInputs = {}, tenant = "acme") =>
    fixture(
      "aws:efs/accessPoint:AccessPoint",
      {
        fileSystemId: "fs-0123",
        posixUser: { uid: 33, gid: 33 },
        rootDirectory: {
          path: `/tenants/${tenant}`,
          creationInfo: { ownerUid: 33, ownerGid: 33, permissions: "755" },
        },
        tags: tags("dev", "efs", tenant),
        ...inputs,
      },
      { tenant, name: `${tenant}-files` },
    ),

  fileSystem: (inputs: ResourceInputs = {}, options: FixtureOptions = {}) =>
    fixture(
      "aws:efs/fileSystem:FileSystem",
      {
        encrypted: true,
        kmsKeyId: arn("kms", "key/data"),
        performanceMode: "generalPurpose",
        throughputMode: "elastic",
        tags: tags("dev", "efs"),
        ...inputs,
      },
      { name: "bbws-dev-efs", id: "fs-0123", ...options },
    ),

  fileSystemPolicy: (
    statements: Record<string, unknown>[] | undefined,
    fs: RecordedResource,
  ): RecordedResource =>
    fixture(
      "aws:efs/fileSystemPolicy:FileSystemPolicy",
      {
        fileSystemId: fs.id,
        policy: policyDocument(
          ...(statements ??
            fileSystemPolicyStatements(
              arn("elasticfilesystem", `file-system/${fs.id}`),
              arn("elasticfilesystem", "access-point/fsap-admin"),
            )),
        ),
      },
      { name: "bbws-dev-efs-policy", id: fs.id, dependsOn: [fs] },
    ),

  /** `requireSecureTransport` null leaves the parameter out (the engine default, OFF). */
  clusterParameterGroup: (requireSecureTransport: string | null = "ON", environment = "dev") =>
    fixture(
      "aws:rds/clusterParameterGroup:ClusterParameterGroup",
      {
        family: "aurora-mysql8.0",
        parameters: [
          ...(requireSecureTransport === null
            ? []
            : [{ name: "require_secure_transport", value: requireSecureTransport }]),
          { name: "server_audit_logging", value: "1" },
        ],
        tags: tags(environment, "database"),
      },
      { name: `bbws-${environment}-db-params`, id: `bbws-${environment}-db-params-1` },
    ),

  dbCluster: (environment: string, inputs: ResourceInputs = {}, options: FixtureOptions = {}) =>
    fixture(
      "aws:rds/cluster:Cluster",
      {
        engine: "aurora-mysql",
        masterUsername: "bbws_admin",
        manageMasterUserPassword: true,
        storageEncrypted: true,
        kmsKeyId: arn("kms", "key/data"),
        backupRetentionPeriod: 7,
        copyTagsToSnapshot: true,
        iamDatabaseAuthenticationEnabled: true,
        enabledCloudwatchLogsExports: ["audit", "error", "slowquery"],
        deletionProtection: environment === "prod",
        skipFinalSnapshot: environment !== "prod",
        finalSnapshotIdentifier: environment === "prod" ? "bbws-prod-final" : undefined,
        tags: tags(environment, "database"),
        ...inputs,
      },
      { name: `bbws-${environment}-db`, id: `bbws-${environment}-db-1`, ...options },
    ),

  dbInstance: (environment: string, zone: string, inputs: ResourceInputs = {}) =>
    fixture("aws:rds/clusterInstance:ClusterInstance", {
      clusterIdentifier: `bbws-${environment}-db-1`,
      instanceClass: "db.serverless",
      availabilityZone: zone,
      publiclyAccessible: false,
      tags: tags(environment, "database"),
      ...inputs,
    }),

  loadBalancer: (environment: string, inputs: ResourceInputs = {}) =>
    fixture(
      "aws:lb/loadBalancer:LoadBalancer",
      {
        loadBalancerType: "application",
        internal: false,
        securityGroups: ["sg-alb"],
        dropInvalidHeaderFields: true,
        desyncMitigationMode: "defensive",
        enableDeletionProtection: environment === "prod",
        accessLogs: { bucket: "bbws-alb-logs", prefix: "alb", enabled: true },
        tags: tags(environment, "ingress"),
        ...inputs,
      },
      { name: `bbws-${environment}-alb-0` },
    ),

  httpListener: (inputs: ResourceInputs = {}) =>
    fixture("aws:lb/listener:Listener", {
      port: 80,
      protocol: "HTTP",
      defaultActions: [
        { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
      ],
      tags: tags("dev", "ingress"),
      ...inputs,
    }),

  httpsListener: (inputs: ResourceInputs = {}) =>
    fixture("aws:lb/listener:Listener", {
      port: 443,
      protocol: "HTTPS",
      sslPolicy: "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
      certificateArn: arn("acm", "certificate/1"),
      defaultActions: [
        { type: "fixed-response", fixedResponse: { statusCode: "404", contentType: "text/plain" } },
      ],
      tags: tags("dev", "ingress"),
      ...inputs,
    }),

  targetGroup: (inputs: ResourceInputs = {}, tenant = "acme") =>
    fixture(
      "aws:lb/targetGroup:TargetGroup",
      {
        port: 80,
        protocol: "HTTP",
        targetType: "ip",
        deregistrationDelay: 60,
        healthCheck: { enabled: true, path: "/wp-login.php", matcher: "200,302" },
        tags: tags("dev", "ingress", tenant),
        ...inputs,
      },
      { tenant, name: `${tenant}-tg` },
    ),

  securityGroup: (name: string, id: string, inputs: ResourceInputs = {}) =>
    fixture(
      "aws:ec2/securityGroup:SecurityGroup",
      { vpcId: "vpc-1", description: name, tags: tags("dev", "network"), ...inputs },
      { name, id },
    ),

  ingressRule: (group: RecordedResource, port: number, peer: ResourceInputs = { cidrIpv4: "0.0.0.0/0" }) =>
    fixture(
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
      {
        securityGroupId: group.id,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        ...peer,
        tags: tags("dev", "network"),
      },
      { dependsOn: [group] },
    ),

  role: (inputs: ResourceInputs = {}, options: FixtureOptions = { tenant: "acme" }) =>
    fixture(
      "aws:iam/role:Role",
      {
        assumeRolePolicy: policyDocument(ecsTrust()),
        tags: tags("dev", "iam", options.tenant),
        ...inputs,
      },
      options,
    ),

  rolePolicy: (document: string, options: FixtureOptions = { tenant: "acme" }) =>
    fixture("aws:iam/rolePolicy:RolePolicy", { role: "acme-task-role", policy: document }, options),

  repository: (inputs: ResourceInputs = {}) =>
    fixture(
      "aws:ecr/repository:Repository",
      {
        name: "bbws/dev/wordpress",
        imageScanningConfiguration: { scanOnPush: true },
        imageTagMutability: "IMMUTABLE",
        encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: arn("kms", "key/data") }],
        tags: tags("dev", "ecr"),
        ...inputs,
      },
      { name: "bbws-dev-wordpress-repo", id: "bbws/dev/wordpress" },
    ),

  lifecyclePolicy: (repositoryName: string) =>
    fixture("aws:ecr/lifecyclePolicy:LifecyclePolicy", {
      repository: repositoryName,
      policy: '{"rules":[]}',
    }),

  creationTemplate: (inputs: ResourceInputs = {}) =>
    fixture("aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate", {
      prefix: "bbws-dev-ecr-public",
      appliedFors: ["PULL_THROUGH_CACHE"],
      imageTagMutability: "MUTABLE",
      encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: arn("kms", "key/data") }],
      ...inputs,
    }),

  logGroup: (inputs: ResourceInputs = {}) =>
    fixture("aws:cloudwatch/logGroup:LogGroup", {
      name: "/bbws/dev/wordpress",
      retentionInDays: 7,
      kmsKeyId: arn("kms", "key/telemetry"),
      tags: tags("dev", "logs"),
      ...inputs,
    }),

  alarm: (inputs: ResourceInputs = {}, tenant = "acme") =>
    fixture(
      "aws:cloudwatch/metricAlarm:MetricAlarm",
      {
        metricName: "CPUUtilization",
        namespace: "AWS/ECS",
        comparisonOperator: "GreaterThanThreshold",
        threshold: 90,
        evaluationPeriods: 2,
        alarmActions: [arn("sns", "bbws-dev-alarms")],
        actionsEnabled: true,
        tags: tags("dev", "alarms", tenant),
        ...inputs,
      },
      { tenant },
    ),

  topic: (inputs: ResourceInputs = {}) =>
    fixture("aws:sns/topic:Topic", {
      kmsMasterKeyId: arn("kms", "key/telemetry"),
      tags: tags("dev", "alarms"),
      ...inputs,
    }),

  key: (inputs: ResourceInputs = {}) =>
    fixture("aws:kms/key:Key", {
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      tags: tags("dev", "kms"),
      ...inputs,
    }),

  secret: (inputs: ResourceInputs = {}, tenant = "acme") =>
    fixture(
      "aws:secretsmanager/secret:Secret",
      {
        namePrefix: `bbws/dev/${tenant}/db-`,
        kmsKeyId: arn("kms", "key/data"),
        tags: tags("dev", "secrets", tenant),
        ...inputs,
      },
      { tenant },
    ),

  parameter: (inputs: ResourceInputs = {}, tenant = "acme") =>
    fixture(
      "aws:ssm/parameter:Parameter",
      {
        name: `/bbws/dev/${tenant}/admin-password`,
        type: "SecureString",
        tier: "Standard",
        keyId: arn("kms", "key/data"),
        value: "Zz9Xx8Cc7Vv6Bb5Nn4Mm3Ll2",
        tags: tags("dev", "secrets", tenant),
        ...inputs,
      },
      { tenant, id: String(inputs.name ?? `/bbws/dev/${tenant}/admin-password`) },
    ),

  vault: (environment: string, inputs: ResourceInputs = {}) =>
    fixture(
      "aws:backup/vault:Vault",
      {
        name: `bbws-${environment}-vault`,
        kmsKeyArn: arn("kms", "key/backup"),
        tags: tags(environment, "backup"),
        ...inputs,
      },
      { name: `bbws-${environment}-vault`, id: `bbws-${environment}-vault` },
    ),

  plan: (rules: Record<string, unknown>[], options: FixtureOptions = {}) =>
    fixture(
      "aws:backup/plan:Plan",
      { name: "bbws-dev-hourly", rules, tags: tags("dev", "backup") },
      { name: "bbws-dev-hourly", id: "plan-0001", ...options },
    ),

  hourlyRule: (
    lifecycle: Record<string, unknown> = { deleteAfter: 7 },
    extra: Record<string, unknown> = {},
  ) => ({
    ruleName: "hourly",
    targetVaultName: "bbws-dev-vault",
    schedule: "cron(0 * ? * * *)",
    lifecycle,
    copyActions: [
      {
        destinationVaultArn: "arn:aws:backup:eu-west-1:123456789012:backup-vault:dr",
        lifecycle: { deleteAfter: 30 },
      },
    ],
    ...extra,
  }),

  selection: (plan: RecordedResource, targets: RecordedResource[], arns: string[]) =>
    fixture(
      "aws:backup/selection:Selection",
      { planId: plan.id, iamRoleArn: `arn:aws:iam::${ACCOUNT}:role/backup`, resources: arns },
      { dependsOn: [plan, ...targets] },
    ),

  defaultSecurityGroup: (inputs: ResourceInputs = {}) =>
    fixture("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", {
      vpcId: "vpc-1",
      tags: tags("dev", "network"),
      ...inputs,
    }),
};

/**
 * The planned tenant stack: access point, execution and task roles with their policies, task
 * definition, service, target group, listener rule, two secrets, four alarms, autoscaling and
 * the tenant database (a dynamic resource), all children of the tenant's component.
 */
export function tenantSite(tenant: string, environment = "dev"): RecordedResource[] {
  const at = { tenant, environment };
  const t = (component: string) => tags(environment, component, tenant);
  const accessPointId = `fsap-${tenant}`;
  const accessPointArn = arn("elasticfilesystem", `access-point/${accessPointId}`);
  const fileSystemArn = arn("elasticfilesystem", "file-system/fs-0123");
  const secretArns = [
    arn("secretsmanager", `secret:bbws/${environment}/${tenant}/db-AbCdEf`),
    arn("secretsmanager", `secret:bbws/${environment}/${tenant}/wordpress-keys-GhIjKl`),
  ];
  const dataKey = arn("kms", "key/data");
  const parameterArn = arn("ssm", `parameter/bbws/${environment}/${tenant}/admin-password`);
  const logGroupArn = arn("logs", `log-group:/bbws/${environment}/wordpress`);
  const topic = arn("sns", `bbws-${environment}-alarms`);
  const trust = policyDocument(ecsTrust());

  const accessPoint = fixture(
    "aws:efs/accessPoint:AccessPoint",
    {
      fileSystemId: "fs-0123",
      posixUser: { uid: 33, gid: 33 },
      rootDirectory: {
        path: `/tenants/${tenant}`,
        creationInfo: { ownerUid: 33, ownerGid: 33, permissions: "755" },
      },
      tags: t("efs"),
    },
    { ...at, name: `${tenant}-files`, id: accessPointId },
  );
  const executionRole = fixture(
    "aws:iam/role:Role",
    { assumeRolePolicy: trust, tags: t("iam") },
    { ...at, name: `${tenant}-exec-role` },
  );
  const taskRole = fixture(
    "aws:iam/role:Role",
    { assumeRolePolicy: trust, tags: t("iam") },
    { ...at, name: `${tenant}-task-role` },
  );
  const taskPolicy = fixture(
    "aws:iam/rolePolicy:RolePolicy",
    {
      role: taskRole.id,
      policy: policyDocument({
        Sid: "MountOwnAccessPointOnly",
        Effect: "Allow",
        Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
        Resource: fileSystemArn,
        Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": accessPointArn } },
      }),
    },
    { ...at, name: `${tenant}-task-policy`, dependsOn: [taskRole, accessPoint] },
  );
  const executionPolicy = fixture(
    "aws:iam/rolePolicy:RolePolicy",
    {
      role: executionRole.id,
      policy: policyDocument(
        {
          Sid: "ReadOwnSecrets",
          Effect: "Allow",
          Action: "secretsmanager:GetSecretValue",
          Resource: secretArns,
        },
        {
          Sid: "DecryptOwnSecrets",
          Effect: "Allow",
          Action: "kms:Decrypt",
          Resource: dataKey,
          Condition: {
            StringEquals: {
              "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com`,
              "kms:EncryptionContext:SecretARN": secretArns,
            },
          },
        },
        { Sid: "ReadOwnParameters", Effect: "Allow", Action: "ssm:GetParameters", Resource: [parameterArn] },
        {
          Sid: "DecryptOwnParameters",
          Effect: "Allow",
          Action: "kms:Decrypt",
          Resource: dataKey,
          Condition: {
            StringEquals: {
              "kms:ViaService": `ssm.${REGION}.amazonaws.com`,
              "kms:EncryptionContext:PARAMETER_ARN": [parameterArn],
            },
          },
        },
        {
          Sid: "WriteOwnLogStreams",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: `${logGroupArn}:log-stream:${tenant}/*`,
        },
        { Sid: "RegistryLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        {
          Sid: "PullImages",
          Effect: "Allow",
          Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
          Resource: arn("ecr", `repository/bbws-${environment}-ecr-public/*`),
        },
      ),
    },
    { ...at, name: `${tenant}-exec-policy`, dependsOn: [executionRole] },
  );
  const secrets = ["db", "wordpress-keys"].map((purpose, i) =>
    fixture(
      "aws:secretsmanager/secret:Secret",
      { namePrefix: `bbws/${environment}/${tenant}/${purpose}-`, kmsKeyId: dataKey, tags: t("secrets") },
      { ...at, name: `${tenant}-${purpose}-secret`, id: secretArns[i] },
    ),
  );
  const adminPassword = good.parameter(
    { name: `/bbws/${environment}/${tenant}/admin-password`, tags: t("secrets") },
    tenant,
  );
  const container = wordpressContainer(tenant);
  const taskDefinition = fixture(
    "aws:ecs/taskDefinition:TaskDefinition",
    {
      family: `${environment}-${tenant}-wordpress`,
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: "512",
      memory: "1024",
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "ARM64" },
      executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/${executionRole.id}`,
      taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/${taskRole.id}`,
      containerDefinitions: JSON.stringify([container]),
      volumes: [
        {
          name: "wp-content",
          efsVolumeConfiguration: {
            fileSystemId: "fs-0123",
            transitEncryption: "ENABLED",
            authorizationConfig: { accessPointId, iam: "ENABLED" },
          },
        },
      ],
      tags: t("ecs"),
    },
    { ...at, name: `${tenant}-task`, dependsOn: [executionRole, taskRole, accessPoint, ...secrets] },
  );
  const targetGroup = fixture(
    "aws:lb/targetGroup:TargetGroup",
    {
      port: 80,
      protocol: "HTTP",
      targetType: "ip",
      deregistrationDelay: 60,
      healthCheck: { enabled: true, path: "/wp-login.php", matcher: "200,302" },
      tags: t("ingress"),
    },
    { ...at, name: `${tenant}-tg` },
  );
  const listenerRule = fixture(
    "aws:lb/listenerRule:ListenerRule",
    {
      listenerArn: arn("elasticloadbalancing", "listener/app/bbws/1/2"),
      priority: 10,
      actions: [{ type: "forward", targetGroupArn: targetGroup.id }],
      conditions: [{ hostHeader: { values: [`${tenant}.example.com`] } }],
      tags: t("ingress"),
    },
    { ...at, name: `${tenant}-rule`, dependsOn: [targetGroup] },
  );
  const service = fixture(
    "aws:ecs/service:Service",
    {
      cluster: arn("ecs", `cluster/bbws-${environment}`),
      name: `${tenant}-wordpress`,
      taskDefinition: taskDefinition.id,
      desiredCount: 2,
      networkConfiguration: {
        assignPublicIp: false,
        subnets: ["subnet-1", "subnet-2"],
        securityGroups: ["sg-tasks"],
      },
      deploymentCircuitBreaker: { enable: true, rollback: true },
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      capacityProviderStrategies: [
        { capacityProvider: "FARGATE", base: 1, weight: 1 },
        { capacityProvider: "FARGATE_SPOT", base: 0, weight: 4 },
      ],
      platformVersion: "LATEST",
      propagateTags: "SERVICE",
      waitForSteadyState: true,
      loadBalancers: [{ targetGroupArn: targetGroup.id, containerName: "wordpress", containerPort: 80 }],
      tags: t("ecs"),
    },
    { ...at, name: `${tenant}-service`, dependsOn: [taskDefinition, targetGroup] },
  );
  const alarms = ["cpu-high", "tasks-below-desired", "unhealthy-targets", "target-5xx"].map((alarm) =>
    fixture(
      "aws:cloudwatch/metricAlarm:MetricAlarm",
      {
        alarmDescription: `${tenant}: ${alarm}`,
        comparisonOperator: "GreaterThanThreshold",
        threshold: 0,
        evaluationPeriods: 3,
        alarmActions: [topic],
        okActions: [topic],
        actionsEnabled: true,
        tags: t("alarms"),
      },
      { ...at, name: `${tenant}-${alarm}` },
    ),
  );
  const scalingTarget = fixture(
    "aws:appautoscaling/target:Target",
    {
      minCapacity: 2,
      maxCapacity: 8,
      resourceId: `service/bbws-${environment}/${tenant}-wordpress`,
      scalableDimension: "ecs:service:DesiredCount",
      serviceNamespace: "ecs",
      tags: t("scaling"),
    },
    { ...at, name: `${tenant}-scaling`, dependsOn: [service] },
  );
  const scalingPolicy = fixture(
    "aws:appautoscaling/policy:Policy",
    {
      policyType: "TargetTrackingScaling",
      resourceId: scalingTarget.id,
      scalableDimension: "ecs:service:DesiredCount",
      serviceNamespace: "ecs",
      targetTrackingScalingPolicyConfiguration: {
        targetValue: 70,
        predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
      },
    },
    { ...at, name: `${tenant}-cpu-scaling`, dependsOn: [scalingTarget] },
  );
  const database = fixture(
    "pulumi-nodejs:dynamic:Resource",
    {
      clusterArn: arn("rds", `cluster:bbws-${environment}-db`),
      databaseName: `wp_${tenant}`,
      username: `wp_${tenant}`,
    },
    { ...at, name: `${tenant}-database` },
  );
  return [
    accessPoint,
    executionRole,
    taskRole,
    taskPolicy,
    executionPolicy,
    ...secrets,
    adminPassword,
    taskDefinition,
    targetGroup,
    listenerRule,
    service,
    ...alarms,
    scalingTarget,
    scalingPolicy,
    database,
  ];
}
