/**
 * What AWS would return for each resource type BBWS creates: the computed attributes other
 * resources read (ARNs, DNS names, endpoints, generated names). Inputs are echoed back as
 * state, as the real provider does; these functions add what AWS computes.
 */
import { NAME_PREFIX_SUFFIX_LENGTH, autoNameRule, providerAutoName } from "../config/awsNames";
import { OFFLINE_ACCOUNT_ID, alphanumeric, autoName, digits, hex, uuid } from "./fakeIds";

/** Where a resource lives, and what it was given. */
export interface ResourceContext {
  readonly type: string;
  readonly name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- provider inputs of every AWS type
  readonly inputs: Record<string, any>;
  readonly region: string;
  readonly account: string;
  readonly partition: string;
}

/** The id and computed attributes of one resource. */
export interface ResourceResponse {
  readonly id: string;
  readonly state: Record<string, unknown>;
}

type Responder = (ctx: ResourceContext) => ResourceResponse;

/** Route 53 zone id of ALBs per region (ELB endpoints table). */
const ALB_ZONE_IDS: Readonly<Record<string, string>> = {
  "af-south-1": "Z268VQBMOI5EKX",
  "eu-west-1": "Z32O12XQLNTSW2",
  "us-east-1": "Z35SXDOTRQ7X7K",
};

const arn = (c: ResourceContext, service: string, resource: string, global = false) =>
  `arn:${c.partition}:${service}:${global ? "" : c.region}:${c.account}:${resource}`;
const seed = (c: ResourceContext) => `${c.type}::${c.name}`;
/**
 * The physical name: the explicit `name`, a `namePrefix` plus Terraform's 26-character unique
 * suffix, or the provider's auto-name (config/awsNames.ts), which fails as the real provider
 * does when the logical name leaves no room for the random suffix.
 */
const physical = (c: ResourceContext): string =>
  (c.inputs.name as string | undefined) ??
  (typeof c.inputs.namePrefix === "string"
    ? `${c.inputs.namePrefix}${digits(seed(c), NAME_PREFIX_SUFFIX_LENGTH)}`
    : autoNamed(c));

/** The provider's auto-name of a resource (same random part on every run). */
function autoNamed(c: ResourceContext): string {
  const logical = autoNameRule(c.type).lowerCase ? c.name.toLowerCase() : c.name;
  return providerAutoName(c.type, logical, hex(`autoname:${logical}`, 7));
}

/** Splits an ALB/listener ARN into its `app/<name>/<id>` part. */
function loadBalancerPath(loadBalancerArn: string | undefined): string {
  const match = /loadbalancer\/(app\/[^/]+\/[0-9a-f]+)/.exec(loadBalancerArn ?? "");
  return match ? match[1] : "app/unknown/0000000000000000";
}

const RESPONDERS: Readonly<Record<string, Responder>> = {
  "aws:kms/key:Key": (c) => {
    const keyId = uuid(seed(c));
    return { id: keyId, state: { keyId, arn: arn(c, "kms", `key/${keyId}`) } };
  },
  "aws:kms/alias:Alias": (c) => ({
    id: c.inputs.name,
    state: { arn: arn(c, "kms", c.inputs.name), targetKeyArn: arn(c, "kms", `key/${c.inputs.targetKeyId}`) },
  }),

  "awsx:ec2:Vpc": (c) => {
    const azs = (c.inputs.numberOfAvailabilityZones as number | undefined) ?? 3;
    const subnet = (kind: string, i: number) => `subnet-${hex(`${seed(c)}:${kind}:${i}`, 17)}`;
    const vpcId = `vpc-${hex(seed(c), 17)}`;
    return {
      id: "",
      state: {
        vpcId,
        privateSubnetIds: Array.from({ length: azs }, (_, i) => subnet("private", i)),
        publicSubnetIds: Array.from({ length: azs }, (_, i) => subnet("public", i)),
        isolatedSubnetIds: [],
      },
    };
  },
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": (c) => sg(c),
  "aws:ec2/securityGroup:SecurityGroup": (c) => sg(c),
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (c) => sgr(c),
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (c) => sgr(c),
  "aws:ec2/vpcEndpoint:VpcEndpoint": (c) => {
    const id = `vpce-${hex(seed(c), 17)}`;
    return { id, state: { arn: arn(c, "ec2", `vpc-endpoint/${id}`) } };
  },
  "aws:ec2/flowLog:FlowLog": (c) => {
    const id = `fl-${hex(seed(c), 17)}`;
    return { id, state: { arn: arn(c, "ec2", `vpc-flow-log/${id}`) } };
  },

  "aws:cloudwatch/logGroup:LogGroup": (c) => {
    const name = physical(c);
    return { id: name, state: { name, arn: arn(c, "logs", `log-group:${name}`) } };
  },
  "aws:cloudwatch/metricAlarm:MetricAlarm": (c) => {
    const name = physical(c);
    return { id: name, state: { name, arn: arn(c, "cloudwatch", `alarm:${name}`) } };
  },

  "aws:iam/role:Role": (c) => {
    const name = physical(c);
    return {
      id: name,
      state: {
        name,
        arn: arn(c, "iam", `role/${name}`, true),
        uniqueId: `AROA${hex(seed(c), 17).toUpperCase()}`,
      },
    };
  },
  "aws:iam/rolePolicy:RolePolicy": (c) => ({
    id: `${c.inputs.role}:${physical(c)}`,
    state: { name: physical(c) },
  }),
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (c) => ({
    id: `${c.inputs.role}-${hex(seed(c), 8)}`,
    state: {},
  }),

  "aws:s3/bucket:Bucket": (c) => {
    const bucket = (c.inputs.bucket as string | undefined) ?? autoNamed(c);
    return {
      id: bucket,
      state: {
        bucket,
        arn: `arn:${c.partition}:s3:::${bucket}`,
        bucketDomainName: `${bucket}.s3.amazonaws.com`,
        bucketRegion: c.region,
      },
    };
  },

  "aws:acm/certificate:Certificate": (c) => {
    const id = uuid(seed(c));
    // One validation option per distinct name (the domain and each SAN), as ACM reports them;
    // `*.x` and `x` share one record.
    const names = [c.inputs.domainName, ...((c.inputs.subjectAlternativeNames as unknown[]) ?? [])]
      .filter((n): n is string => typeof n === "string")
      .filter((n, i, all) => all.indexOf(n) === i);
    return {
      id: arn(c, "acm", `certificate/${id}`),
      state: {
        arn: arn(c, "acm", `certificate/${id}`),
        domainValidationOptions: (names.length > 0 ? names : ["example.com"]).map((name) => {
          const domain = name.replace(/^\*\./, "");
          return {
            domainName: name,
            resourceRecordName: `_${hex(`${seed(c)}:${domain}`, 32)}.${domain}.`,
            resourceRecordType: "CNAME",
            resourceRecordValue: `_${hex(`${seed(c)}:${domain}:value`, 32)}.acm-validations.aws.`,
          };
        }),
        status: "ISSUED",
      },
    };
  },
  "aws:wafv2/webAcl:WebAcl": (c) => {
    const name = physical(c);
    const id = uuid(seed(c));
    const scope = c.inputs.scope === "CLOUDFRONT" ? "global" : "regional";
    return {
      id,
      state: { name, arn: arn(c, "wafv2", `${scope}/webacl/${name}/${id}`), capacity: 1130, lockToken: id },
    };
  },
  "aws:acm/certificateValidation:CertificateValidation": (c) => ({
    id: String(c.inputs.certificateArn),
    state: {},
  }),
  "aws:route53/record:Record": (c) => ({
    id: `${c.inputs.zoneId}_${c.inputs.name}_${c.inputs.type}`,
    state: { fqdn: String(c.inputs.name ?? "").replace(/\.$/, "") },
  }),

  "aws:lb/loadBalancer:LoadBalancer": (c) => {
    const name = physical(c);
    const id = hex(seed(c), 16);
    const arnSuffix = `app/${name}/${id}`;
    return {
      id: arn(c, "elasticloadbalancing", `loadbalancer/${arnSuffix}`),
      state: {
        name,
        arn: arn(c, "elasticloadbalancing", `loadbalancer/${arnSuffix}`),
        arnSuffix,
        dnsName: `${name}-${digits(seed(c), 10)}.${c.region}.elb.amazonaws.com`,
        zoneId: ALB_ZONE_IDS[c.region] ?? "Z35SXDOTRQ7X7K",
      },
    };
  },
  "aws:lb/listener:Listener": (c) => {
    const value = arn(
      c,
      "elasticloadbalancing",
      `listener/${loadBalancerPath(c.inputs.loadBalancerArn)}/${hex(seed(c), 16)}`,
    );
    return { id: value, state: { arn: value } };
  },
  "aws:lb/listenerRule:ListenerRule": (c) => {
    const listenerPath =
      /listener\/(app\/[^/]+\/[0-9a-f]+\/[0-9a-f]+)/.exec(String(c.inputs.listenerArn ?? ""))?.[1] ??
      "app/unknown/0/0";
    const value = arn(c, "elasticloadbalancing", `listener-rule/${listenerPath}/${hex(seed(c), 16)}`);
    return { id: value, state: { arn: value } };
  },
  "aws:lb/targetGroup:TargetGroup": (c) => {
    const name = physical(c);
    const arnSuffix = `targetgroup/${name}/${hex(seed(c), 16)}`;
    return {
      id: arn(c, "elasticloadbalancing", arnSuffix),
      state: { name, arn: arn(c, "elasticloadbalancing", arnSuffix), arnSuffix },
    };
  },

  "aws:efs/fileSystem:FileSystem": (c) => {
    const id = `fs-${hex(seed(c), 17)}`;
    return {
      id,
      state: {
        arn: arn(c, "elasticfilesystem", `file-system/${id}`),
        dnsName: `${id}.efs.${c.region}.amazonaws.com`,
      },
    };
  },
  "aws:efs/mountTarget:MountTarget": (c) => {
    const id = `fsmt-${hex(seed(c), 17)}`;
    return {
      id,
      state: {
        dnsName: `${c.inputs.fileSystemId}.efs.${c.region}.amazonaws.com`,
        networkInterfaceId: `eni-${hex(seed(c), 17)}`,
      },
    };
  },
  "aws:efs/accessPoint:AccessPoint": (c) => {
    const id = `fsap-${hex(seed(c), 17)}`;
    return {
      id,
      state: {
        arn: arn(c, "elasticfilesystem", `access-point/${id}`),
        fileSystemArn: arn(c, "elasticfilesystem", `file-system/${c.inputs.fileSystemId}`),
      },
    };
  },
  "aws:efs/fileSystemPolicy:FileSystemPolicy": (c) => ({ id: String(c.inputs.fileSystemId), state: {} }),

  "aws:rds/subnetGroup:SubnetGroup": (c) => named(c, "rds", "subgrp", true),
  "aws:rds/clusterParameterGroup:ClusterParameterGroup": (c) => named(c, "rds", "cluster-pg", true),
  "aws:rds/cluster:Cluster": (c) => {
    const id = (c.inputs.clusterIdentifier as string | undefined) ?? autoName(c.name, 63).toLowerCase();
    const suffix = hex(`${c.account}:${c.region}`, 12);
    return {
      id,
      state: {
        clusterIdentifier: id,
        arn: arn(c, "rds", `cluster:${id}`),
        endpoint: `${id}.cluster-${suffix}.${c.region}.rds.amazonaws.com`,
        readerEndpoint: `${id}.cluster-ro-${suffix}.${c.region}.rds.amazonaws.com`,
        port: 3306,
        clusterResourceId: `cluster-${hex(seed(c), 26).toUpperCase()}`,
        masterUserSecrets: c.inputs.manageMasterUserPassword
          ? [
              {
                secretArn: arn(
                  c,
                  "secretsmanager",
                  `secret:rds!cluster-${uuid(seed(c))}-${alphanumeric(seed(c), 6)}`,
                ),
                kmsKeyId: c.inputs.masterUserSecretKmsKeyId,
                secretStatus: "active",
              },
            ]
          : [],
      },
    };
  },
  "aws:rds/clusterInstance:ClusterInstance": (c) => {
    const id = (c.inputs.identifier as string | undefined) ?? autoName(c.name, 63).toLowerCase();
    return {
      id,
      state: {
        identifier: id,
        arn: arn(c, "rds", `db:${id}`),
        endpoint: `${id}.${hex(`${c.account}:${c.region}`, 12)}.${c.region}.rds.amazonaws.com`,
        port: 3306,
        writer: c.inputs.promotionTier === 0,
      },
    };
  },

  "aws:ecr/repository:Repository": (c) => {
    const name = physical(c);
    return {
      id: name,
      state: {
        name,
        arn: arn(c, "ecr", `repository/${name}`),
        registryId: c.account,
        repositoryUrl: `${c.account}.dkr.ecr.${c.region}.amazonaws.com/${name}`,
      },
    };
  },
  "aws:ecr/lifecyclePolicy:LifecyclePolicy": (c) => ({
    id: String(c.inputs.repository),
    state: { registryId: c.account },
  }),
  "aws:ecr/pullThroughCacheRule:PullThroughCacheRule": (c) => ({
    id: String(c.inputs.ecrRepositoryPrefix),
    state: { registryId: c.account },
  }),
  "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate": (c) => ({
    id: String(c.inputs.prefix),
    state: { registryId: c.account },
  }),

  "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": (c) => {
    const id = `ns-${hex(seed(c), 16)}`;
    return {
      id,
      state: {
        arn: arn(c, "servicediscovery", `namespace/${id}`),
        hostedZone: `Z${hex(seed(c), 20).toUpperCase()}`,
      },
    };
  },
  "aws:servicediscovery/service:Service": (c) => {
    const id = `srv-${hex(seed(c), 16)}`;
    return { id, state: { arn: arn(c, "servicediscovery", `service/${id}`), name: physical(c) } };
  },

  "aws:ecs/cluster:Cluster": (c) => {
    const name = physical(c);
    return { id: arn(c, "ecs", `cluster/${name}`), state: { name, arn: arn(c, "ecs", `cluster/${name}`) } };
  },
  "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": (c) => ({
    id: String(c.inputs.clusterName),
    state: {},
  }),
  "aws:ecs/taskDefinition:TaskDefinition": (c) => {
    const family = String(c.inputs.family);
    return {
      id: family,
      state: {
        arn: arn(c, "ecs", `task-definition/${family}:1`),
        arnWithoutRevision: arn(c, "ecs", `task-definition/${family}`),
        revision: 1,
      },
    };
  },
  "aws:ecs/service:Service": (c) => {
    const name = physical(c);
    const clusterName = String(c.inputs.cluster ?? "default")
      .split("/")
      .pop();
    const value = arn(c, "ecs", `service/${clusterName}/${name}`);
    return { id: value, state: { name, arn: value } };
  },

  "aws:appautoscaling/target:Target": (c) => ({
    id: String(c.inputs.resourceId),
    state: { arn: arn(c, "application-autoscaling", `scalable-target/${hex(seed(c), 32)}`) },
  }),
  "aws:appautoscaling/policy:Policy": (c) => ({
    id: physical(c),
    state: {
      name: physical(c),
      arn: arn(
        c,
        "autoscaling",
        `scalingPolicy:${uuid(seed(c))}:resource/${c.inputs.resourceId}:policyName/${physical(c)}`,
      ),
      alarmArns: [],
    },
  }),
  "aws:appautoscaling/scheduledAction:ScheduledAction": (c) => ({
    id: physical(c),
    state: {
      name: physical(c),
      arn: arn(
        c,
        "autoscaling",
        `scheduledAction:${uuid(seed(c))}:resource/${c.inputs.resourceId}:scheduledActionName/${physical(c)}`,
      ),
    },
  }),

  "aws:sns/topic:Topic": (c) => {
    const name = physical(c);
    return { id: arn(c, "sns", name), state: { name, arn: arn(c, "sns", name) } };
  },
  "aws:sns/topicSubscription:TopicSubscription": (c) => ({
    id: `${c.inputs.topic}:${uuid(seed(c))}`,
    state: { arn: `${c.inputs.topic}:${uuid(seed(c))}` },
  }),
  "aws:sns/topicPolicy:TopicPolicy": (c) => ({ id: String(c.inputs.arn), state: {} }),

  "aws:secretsmanager/secret:Secret": (c) => {
    const name = physical(c);
    const value = arn(c, "secretsmanager", `secret:${name}-${alphanumeric(seed(c), 6)}`);
    return { id: value, state: { name, arn: value } };
  },
  "aws:secretsmanager/secretVersion:SecretVersion": (c) => {
    const versionId = uuid(seed(c));
    return {
      id: `${c.inputs.secretId}|${versionId}`,
      state: { versionId, arn: c.inputs.secretId, versionStages: ["AWSCURRENT"] },
    };
  },

  // An SSM parameter's ARN is `parameter/` plus its name without the leading slash of a path.
  "aws:ssm/parameter:Parameter": (c) => {
    const name = physical(c);
    return {
      id: name,
      state: { name, arn: arn(c, "ssm", `parameter/${name.replace(/^\//, "")}`), version: 1 },
    };
  },

  "aws:backup/vault:Vault": (c) => {
    const name = physical(c);
    return { id: name, state: { name, arn: arn(c, "backup", `backup-vault:${name}`), recoveryPoints: 0 } };
  },
  "aws:backup/plan:Plan": (c) => {
    const id = uuid(seed(c));
    return { id, state: { arn: arn(c, "backup", `backup-plan:${id}`), version: hex(seed(c), 32) } };
  },
  "aws:backup/selection:Selection": (c) => ({ id: uuid(seed(c)), state: {} }),
  // Vault settings are identified by their vault's name, as AWS Backup's API addresses them.
  "aws:backup/vaultPolicy:VaultPolicy": (c) => vaultSetting(c),
  "aws:backup/vaultNotifications:VaultNotifications": (c) => vaultSetting(c),
  "aws:backup/vaultLockConfiguration:VaultLockConfiguration": (c) => vaultSetting(c),
  "aws:backup/restoreTestingSelection:RestoreTestingSelection": (c) => ({
    id: `${c.inputs.name}:${c.inputs.restoreTestingPlanName}`,
    state: { name: c.inputs.name },
  }),
  "aws:backup/restoreTestingPlan:RestoreTestingPlan": (c) => {
    const name = physical(c);
    return {
      id: name,
      state: { name, arn: arn(c, "backup", `restore-testing-plan:${name}-${hex(seed(c), 6)}`) },
    };
  },

  // --- Runtime (issue 14): the built runtime image, mail ---
  "docker-build:index:Image": (c) => {
    const digest = `sha256:${hex(seed(c), 64)}`;
    const tags = (c.inputs.tags as string[] | undefined) ?? [];
    return { id: digest, state: { digest, ref: tags[0] ? `${tags[0]}@${digest}` : digest } };
  },
  "aws:sesv2/emailIdentity:EmailIdentity": (c) => ({
    id: String(c.inputs.emailIdentity),
    state: {
      arn: arn(c, "ses", `identity/${String(c.inputs.emailIdentity)}`),
      dkimSigningAttributes: {
        ...(c.inputs.dkimSigningAttributes ?? {}),
        tokens: [0, 1, 2].map((i) => alphanumeric(`${seed(c)}:dkim:${i}`, 32).toLowerCase()),
      },
    },
  }),
  "aws:iam/user:User": (c) => {
    const name = physical(c);
    return {
      id: name,
      state: {
        name,
        arn: arn(c, "iam", `user${String(c.inputs.path ?? "/")}${name}`, true),
        uniqueId: `AIDA${alphanumeric(seed(c), 17).toUpperCase()}`,
      },
    };
  },
  "aws:iam/accessKey:AccessKey": (c) => ({
    id: `AKIA${alphanumeric(seed(c), 16).toUpperCase()}`,
    state: {
      secret: alphanumeric(`${seed(c)}:secret`, 40),
      sesSmtpPasswordV4: alphanumeric(`${seed(c)}:smtp`, 44),
    },
  }),

  "random:index/randomPassword:RandomPassword": (c) => {
    const length = Number(c.inputs.length ?? 16);
    return {
      id: "none",
      state: {
        result: alphanumeric(seed(c), length),
        bcryptHash: `$2a$10$${alphanumeric(`${seed(c)}:bcrypt`, 53)}`,
      },
    };
  },
  "random:index/randomBytes:RandomBytes": (c) => {
    const length = Number(c.inputs.length ?? 32);
    const bytes = Buffer.from(hex(seed(c), length * 2), "hex");
    return { id: "none", state: { base64: bytes.toString("base64"), hex: bytes.toString("hex") } };
  },
};

function sg(c: ResourceContext): ResourceResponse {
  const id = `sg-${hex(seed(c), 17)}`;
  return {
    id,
    state: { arn: arn(c, "ec2", `security-group/${id}`), name: physical(c), ownerId: c.account },
  };
}
function sgr(c: ResourceContext): ResourceResponse {
  const id = `sgr-${hex(seed(c), 17)}`;
  return { id, state: { arn: arn(c, "ec2", `security-group-rule/${id}`), securityGroupRuleId: id } };
}
function vaultSetting(c: ResourceContext): ResourceResponse {
  const vaultName = String(c.inputs.backupVaultName);
  return { id: vaultName, state: { backupVaultArn: arn(c, "backup", `backup-vault:${vaultName}`) } };
}
function named(c: ResourceContext, service: string, kind: string, lower = false): ResourceResponse {
  const name = lower ? physical(c).toLowerCase() : physical(c);
  return { id: name, state: { name, arn: arn(c, service, `${kind}:${name}`) } };
}

/**
 * Responds for any type: the specific responder when there is one, otherwise a generic id and
 * an ARN built from the type token (aws:<service>/<resource>:<Type>).
 */
export function respond(ctx: ResourceContext): ResourceResponse {
  const responder = RESPONDERS[ctx.type];
  if (responder) return responder(ctx);
  const [pkg, module] = ctx.type.split(":");
  if (pkg !== "aws") return { id: `${ctx.name}-${hex(seed(ctx), 8)}`, state: {} };
  const [service, resource] = module.split("/");
  return {
    id: `${ctx.name}-${hex(seed(ctx), 8)}`,
    state: { arn: arn(ctx, service, `${resource.toLowerCase()}/${ctx.name}`) },
  };
}

/** True when the offline engine models this resource type specifically. */
export function hasSpecificResponse(type: string): boolean {
  return type in RESPONDERS;
}

export { OFFLINE_ACCOUNT_ID };
