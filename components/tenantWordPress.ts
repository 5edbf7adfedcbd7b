/**
 * TenantWordPress: one WordPress site, isolated from every other tenant by construction: its
 * own EFS access point, MySQL schema and user, secrets, IAM roles, task definition, service,
 * target group and listener rule, autoscaling and alarms.
 *
 * The tenant spec is the contract: every part below takes the spec (or the fields of it that
 * it reads), so a new spec field reaches the part that uses it without edits in between.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { TenantSpec } from "../config/tenantSpec";
import * as naming from "../config/naming";
import { TAG, Tags, withComponent } from "./tags";
import { TenantPlatform } from "./tenant/platformInputs";
import { createTenantSecrets } from "./tenant/secrets";
import { TenantDatabase } from "./tenant/tenantDatabase";
import { createTenantRoles } from "./tenant/roles";
import { createTenantTask } from "./tenant/taskDefinition";
import { createTenantRouting } from "./tenant/routing";
import { createTenantService } from "./tenant/service";
import { createTenantScaling } from "./tenant/scaling";
import { createTenantAlarms } from "./tenant/alarms";
import { TENANT_DATABASE_CONNECTIONS } from "../config/quotas";
import { createTenantMail } from "./tenant/mail";
import { TenantInstall } from "./tenant/installTask";
import { INSTALL_CONTAINER_NAME } from "./tenant/containerDefinition";
import { createDeepCheckAlarm } from "./tenant/deepCheckAlarm";
import { CustomerRecord, classifyHosts, customerTrafficRecords } from "../config/edgeHosts";
import { createTenantCertificate } from "./tenant/certificate";
import { TenantCertificatePlan, planTenantCertificate } from "../config/certificatePlan";
import { createHostRedirect } from "./tenant/redirects";
import { createTenantDnsRecords } from "./tenant/dnsRecords";

/** POSIX identity of www-data in the official WordPress image. */
export const WWW_DATA = 33;
/**
 * Connections one tenant's user may hold on the shared cluster; the plan's quota preflight
 * holds the sum over tenants to the cluster's max_connections (config/quotas.ts).
 */
export const MAX_DATABASE_CONNECTIONS = TENANT_DATABASE_CONNECTIONS;

/** Arguments of TenantWordPress. */
export interface TenantWordPressArgs {
  /**
   * The tenant, resolved from its registry entry and the environment's defaults
   * (`resolveTenantSpec`); see `tenantSpecSchema` for every field and its default. Its
   * `availabilityZones` decides how many mount targets the service waits for.
   */
  readonly spec: TenantSpec;
  /** The environment's platform, read from the platform stack's contract. */
  readonly platform: TenantPlatform;
  /** Drop the tenant's schema and user when this component is destroyed. @default false (kept, user locked) */
  readonly dropDatabaseOnDelete?: boolean;

  // --- fleet rollouts (issue 17) ---
  /**
   * Whether the service update waits for ECS steady state; a fleet rollout passes false and
   * confirms every deployment of a wave itself. @default true
   */
  readonly waitForSteadyState?: boolean;

  // --- Edge ---
  /**
   * Hosts of the tenant certificate ACM has issued (the lifecycle asks ACM before each update):
   * a certificate validated by the customer's DNS is attached, and the hosts on it served, only
   * once issued (config/certificatePlan.ts). @default [] (nothing issued yet)
   */
  readonly issuedCertificateHosts?: readonly string[];
}

/** One tenant's WordPress site. */
export class TenantWordPress extends pulumi.ComponentResource {
  /** ECS service name. */
  readonly serviceName: pulumi.Output<string>;
  /** ECS service ARN; undefined while the site serves nothing (its certificate is pending). */
  readonly serviceArn?: pulumi.Output<string>;
  /** Task definition family (stable). */
  readonly taskDefinitionFamily: string;
  /** Current task definition revision ARN. */
  readonly taskDefinitionArn: pulumi.Output<string>;
  /** Image the task definition runs. */
  readonly image: pulumi.Output<string>;
  /** The tenant's access point on the shared file system. */
  readonly accessPointId: pulumi.Output<string>;
  /** ARN of that access point. */
  readonly accessPointArn: pulumi.Output<string>;
  /** Secret with the database credentials. */
  readonly databaseSecretArn: pulumi.Output<string>;
  /** Secret with the eight WordPress keys and salts. */
  readonly wordpressKeysSecretArn: pulumi.Output<string>;
  /** Target group of the tenant's tasks. */
  readonly targetGroupArn: pulumi.Output<string>;
  /** Role ECS starts the tasks with. */
  readonly executionRoleArn: pulumi.Output<string>;
  /** Role WordPress runs as. */
  readonly taskRoleArn: pulumi.Output<string>;
  /** SSM SecureString parameter with the WordPress administrator's password (`/bbws/<env>/<id>/admin-password`). */
  readonly adminPasswordParameterArn: pulumi.Output<string>;
  /** The one-off install task definition (runtime/bin/bbws-install). */
  readonly installTaskDefinitionArn: pulumi.Output<string>;
  /** The tenant's own certificate (hosts the wildcard does not cover). @default - none: the wildcard covers every host */
  readonly certificateArn?: pulumi.Output<string>;
  /** How the tenant's certificate stands, the hosts it must cover, and the hosts served now. */
  readonly edge: TenantCertificatePlan;
  /** DNS records the customer must create (hosts outside every managed zone, their validation records). */
  readonly customerRecords: pulumi.Output<CustomerRecord[]>;

  constructor(name: string, args: TenantWordPressArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("bbws:tenant:TenantWordPress", name, {}, opts);
    const { spec, platform } = args;
    const tags: Tags = { [TAG.environment]: spec.environment, [TAG.tenantId]: spec.id };

    const accessPoint = new aws.efs.AccessPoint(
      `${name}-files`,
      {
        fileSystemId: platform.storage.fileSystemId,
        // Every file operation runs as www-data, and the tenant sees only its own directory.
        posixUser: { uid: WWW_DATA, gid: WWW_DATA },
        rootDirectory: {
          path: naming.tenantRootDirectory(spec.id),
          creationInfo: { ownerUid: WWW_DATA, ownerGid: WWW_DATA, permissions: "755" },
        },
        tags: withComponent(tags, "efs"),
      },
      { parent: this },
    );

    const secrets = createTenantSecrets(name, { spec, platform, tags }, this);
    const database = new TenantDatabase(
      `${name}-database`,
      {
        clusterArn: platform.database.clusterArn,
        masterSecretArn: platform.database.masterSecretArn,
        region: platform.region,
        databaseName: naming.databaseName(spec.id),
        username: naming.databaseUser(spec.id),
        password: secrets.databasePassword,
        maxConnections: MAX_DATABASE_CONNECTIONS,
        dropOnDelete: args.dropDatabaseOnDelete ?? false,
      },
      { parent: this },
    );
    const mail = spec.runtime.mail
      ? createTenantMail(name, { spec, mail: spec.runtime.mail, platform, tags }, this)
      : undefined;
    const roles = createTenantRoles(
      name,
      {
        spec,
        platform,
        secretArns: [
          secrets.databaseSecret.arn,
          secrets.wordpressKeysSecret.arn,
          ...(mail ? [mail.smtpSecret.arn] : []),
        ],
        parameterArns: [secrets.adminPasswordParameter.arn],
        accessPointArn: accessPoint.arn,
        tags,
      },
      this,
    );
    const task = createTenantTask(
      name,
      {
        spec,
        platform,
        executionRoleArn: roles.executionRole.arn,
        taskRoleArn: roles.taskRole.arn,
        accessPointId: accessPoint.id,
        databaseSecretArn: secrets.databaseSecret.arn,
        wordpressKeysSecretArn: secrets.wordpressKeysSecret.arn,
        adminPasswordParameterArn: secrets.adminPasswordParameter.arn,
        smtpSecretArn: mail?.smtpSecret.arn,
        tags,
      },
      this,
    );
    // Edge: the tenant certificate first; the host rules once it is issued and attached (and the
    // site installed, below), DNS last. While the primary host's certificate waits for the
    // customer's records, nothing is served: no rule, no service (its tasks would idle).
    const hosts = classifyHosts({ hosts: spec.hosts, ...spec.edge });
    const edge = planTenantCertificate({
      hosts,
      primaryHost: spec.primaryHost,
      issuedHosts: args.issuedCertificateHosts,
    });
    const serving = edge.servingHosts.length > 0;
    const certificate = createTenantCertificate(
      name,
      { hosts, plan: edge, listenerArn: platform.shard.listenerArn, tags },
      this,
    );
    const certificateReady =
      certificate?.validation && certificate.listenerCertificate
        ? [certificate.validation, certificate.listenerCertificate]
        : [];

    // Reading the platform's mount targets makes the service wait until they exist: a task
    // started before its AZ's mount target resolves fails to mount EFS.
    const mountTargetIds = pulumi.output(platform.storage.mountTargetIds);
    const mountTargets = Array.from({ length: spec.availabilityZones }, (_, az) =>
      aws.efs.MountTarget.get(
        `${name}-mount-${az}`,
        mountTargetIds.apply((ids) => ids[az]),
        {},
        { parent: this },
      ),
    );

    // The site is installed (administrator's password from its parameter) before its listener rule
    // forwards a single request.
    const install = new TenantInstall(
      `${name}-install`,
      {
        region: platform.region,
        clusterArn: platform.cluster.arn,
        taskDefinitionArn: task.installTaskDefinition.arn,
        subnetIds: platform.network.privateSubnetIds,
        securityGroupIds: [platform.network.securityGroups.tasks],
        containerName: INSTALL_CONTAINER_NAME,
        logGroupName: platform.observability.logGroupName,
      },
      {
        parent: this,
        dependsOn: [
          database,
          secrets.adminPasswordParameter,
          ...(mail ? [mail.smtpSecretValue] : []),
          ...roles.policies,
          ...mountTargets,
        ],
      },
    );
    const routing = createTenantRouting(
      name,
      { spec, platform, tags, ruleDependsOn: [install], certificateReady, serve: serving },
      this,
    );
    this.targetGroupArn = routing.targetGroup.arn;
    this.edge = edge;
    this.serviceName = pulumi.output(naming.serviceName(spec.id));
    if (routing.rule) {
      const servedHosts = hosts.filter((h) => edge.servingHosts.includes(h.host));
      const redirect = createHostRedirect(
        name,
        {
          spec: { ...spec, hosts: [...edge.servingHosts] },
          listenerArn: platform.shard.listenerArn,
          dependsOn: [...certificateReady, install],
          tags,
        },
        this,
      );
      createTenantDnsRecords(
        name,
        {
          hosts: servedHosts,
          shard: platform.shard,
          dependsOn: redirect ? [routing.rule, redirect] : [routing.rule],
        },
        this,
      );
      const service = createTenantService(
        name,
        {
          spec,
          platform,
          taskDefinitionArn: task.taskDefinition.arn,
          targetGroupArn: routing.targetGroup.arn,
          dependsOn: [routing.rule, database, ...mountTargets],
          tags,
          waitForSteadyState: args.waitForSteadyState,
        },
        this,
      );
      createTenantScaling(name, { spec, platform, serviceName: service.name, tags }, this);
      createTenantAlarms(
        name,
        {
          spec,
          platform,
          serviceName: service.name,
          targetGroupArnSuffix: routing.targetGroup.arnSuffix,
          tags,
        },
        this,
      );
      createDeepCheckAlarm(name, { spec, platform, tags }, this);
      this.serviceName = service.name;
      this.serviceArn = service.arn;
    }

    this.taskDefinitionFamily = task.family;
    this.taskDefinitionArn = task.taskDefinition.arn;
    this.image = task.image;
    this.accessPointId = accessPoint.id;
    this.accessPointArn = accessPoint.arn;
    this.databaseSecretArn = secrets.databaseSecret.arn;
    this.wordpressKeysSecretArn = secrets.wordpressKeysSecret.arn;
    this.executionRoleArn = roles.executionRole.arn;
    this.taskRoleArn = roles.taskRole.arn;
    this.adminPasswordParameterArn = secrets.adminPasswordParameter.arn;
    this.installTaskDefinitionArn = task.installTaskDefinition.arn;
    this.certificateArn = certificate?.certificate.arn;
    this.customerRecords = pulumi
      .all([pulumi.output(platform.shard.dnsName), certificate?.customerValidationRecords ?? []])
      .apply(([dnsName, validation]) => [
        ...customerTrafficRecords(hosts, dnsName, edge.servingHosts),
        ...validation.map((v): CustomerRecord => ({
          name: v.name.replace(/\.$/, ""),
          type: "CNAME",
          target: v.value.replace(/\.$/, ""),
          purpose: "certificate validation",
        })),
      ]);
    this.registerOutputs({
      serviceArn: this.serviceArn ?? "",
      taskDefinitionArn: this.taskDefinitionArn,
      accessPointArn: this.accessPointArn,
    });
  }
}
