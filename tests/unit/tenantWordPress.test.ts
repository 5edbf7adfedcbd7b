import { expect } from "chai";
import { z } from "zod";
import { StackRun } from "../../offline/stackRun";
import { unwrapSecrets } from "../../offline/mocks";
import { SERVICE_TASK, json, ofType, single } from "../helpers/resources";
import { entryFor, platformOf, registryEntry, runTenantEntry } from "../helpers/tenants";
import { contractOf } from "../helpers/platform";
import { WORDPRESS_KEY_NAMES } from "../../components/tenant/wordpressKeys";

interface PolicyDocument {
  Statement: {
    Sid?: string;
    Effect: string;
    Action: string | string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, string>>;
  }[];
}

/**
 * ECS ContainerDefinition fields (RegisterTaskDefinition API reference) with their JSON types;
 * any other key would be rejected by ECS or silently ignored.
 */
const keyValue = z.object({ name: z.string(), value: z.string() }).strict();
const containerDefinitionSchema = z
  .object({
    name: z.string(),
    image: z.string(),
    essential: z.boolean(),
    cpu: z.number().int().optional(),
    memory: z.number().int().optional(),
    portMappings: z.array(
      z
        .object({
          name: z.string().optional(),
          containerPort: z.number().int(),
          hostPort: z.number().int().optional(),
          protocol: z.enum(["tcp", "udp"]),
        })
        .strict(),
    ),
    environment: z.array(keyValue),
    secrets: z.array(z.object({ name: z.string(), valueFrom: z.string() }).strict()),
    mountPoints: z.array(
      z.object({ sourceVolume: z.string(), containerPath: z.string(), readOnly: z.boolean() }).strict(),
    ),
    healthCheck: z
      .object({
        command: z.array(z.string()),
        interval: z.number().int(),
        timeout: z.number().int(),
        retries: z.number().int(),
        startPeriod: z.number().int(),
      })
      .strict(),
    stopTimeout: z.number().int().max(120),
    linuxParameters: z.object({ initProcessEnabled: z.boolean() }).strict(),
    logConfiguration: z.object({ logDriver: z.literal("awslogs"), options: z.record(z.string()) }).strict(),
  })
  .strict();

describe("TenantWordPress", () => {
  let acme: StackRun; // dev, small, Spot, scheduled
  let globex: StackRun; // dev, two hosts
  let initech: StackRun; // dev, highAvailability, image override
  let prodAcme: StackRun;
  before(async () => {
    acme = await runTenantEntry("dev", registryEntry("dev", "acme"));
    globex = await runTenantEntry("dev", registryEntry("dev", "globex"));
    initech = await runTenantEntry("dev", registryEntry("dev", "initech"));
    prodAcme = await runTenantEntry("prod", registryEntry("prod", "acme"));
  });

  const containerOf = (run: StackRun) =>
    json<unknown[]>(
      single(run, "aws:ecs/taskDefinition:TaskDefinition", SERVICE_TASK).inputs.containerDefinitions,
    )[0] as z.infer<typeof containerDefinitionSchema>;
  const policyOf = (run: StackRun, which: RegExp) =>
    json<PolicyDocument>(single(run, "aws:iam/rolePolicy:RolePolicy", which).inputs.policy);
  const arnOf = (run: StackRun, type: string, name: RegExp) => single(run, type, name).id;
  const resources = (s: PolicyDocument["Statement"][number]) => ([] as string[]).concat(s.Resource);
  /** The ARN AWS gives the tenant's one SSM parameter (`parameter/` + its path without the leading slash). */
  const parameterArnOf = (run: StackRun) =>
    `arn:aws:ssm:af-south-1:123456789012:parameter${String(single(run, "aws:ssm/parameter:Parameter").inputs.name)}`;

  describe("isolation", () => {
    it("the execution role reads only this tenant's two secrets and one parameter, and writes only its log streams", () => {
      for (const [run, other] of [
        [acme, globex],
        [globex, acme],
      ] as const) {
        const policy = policyOf(run, /exec-policy/);
        const secretStatement = policy.Statement.find((s) => s.Action === "secretsmanager:GetSecretValue")!;
        const ownSecrets = ofType(run, "aws:secretsmanager/secret:Secret").map((s) => s.id);
        // Database credentials, keys and salts (dev has no SES identity: no SMTP secret).
        expect(resources(secretStatement)).to.have.members(ownSecrets).and.have.length(2);
        const otherSecrets = ofType(other, "aws:secretsmanager/secret:Secret").map((s) => s.id);
        for (const secret of otherSecrets) expect(JSON.stringify(policy)).to.not.include(secret);
        // The administrator's password: exactly its own parameter, never a path or another tenant's.
        const parameters = policy.Statement.filter((s) => s.Action === "ssm:GetParameters");
        expect(parameters.map(resources)).to.deep.equal([[parameterArnOf(run)]]);
        expect(JSON.stringify(policy)).to.not.include(parameterArnOf(other));
        expect(
          policy.Statement.flatMap((s) => ([] as string[]).concat(s.Action)).filter((a) =>
            a.startsWith("ssm:"),
          ),
        ).to.deep.equal(["ssm:GetParameters"]);
        const tenantId = run === acme ? "acme" : "globex";
        const logs = policy.Statement.find((s) => s.Sid === "WriteOwnLogStreams")!;
        expect(logs.Resource).to.match(new RegExp(`:log-stream:${tenantId}/\\*$`));
      }
    });

    it("the execution role decrypts the shared data key only through Secrets Manager and Parameter Store, each for its own", async () => {
      const dataKey = contractOf(await platformOf("dev")).keys.dataKeyArn;
      for (const run of [acme, globex]) {
        const policy = policyOf(run, /exec-policy/);
        const decrypts = policy.Statement.filter((s) => s.Action === "kms:Decrypt");
        const ownSecrets = ofType(run, "aws:secretsmanager/secret:Secret").map((s) => s.id);
        // One statement per service: each decrypt request carries only its own service's context.
        expect(decrypts.map((d) => [d.Resource, d.Condition])).to.deep.equal([
          [
            dataKey,
            {
              StringEquals: {
                "kms:ViaService": "secretsmanager.af-south-1.amazonaws.com",
                "kms:EncryptionContext:SecretARN": ownSecrets,
              },
            },
          ],
          [
            dataKey,
            {
              StringEquals: {
                "kms:ViaService": "ssm.af-south-1.amazonaws.com",
                "kms:EncryptionContext:PARAMETER_ARN": [parameterArnOf(run)],
              },
            },
          ],
        ]);
      }
    });

    it("the task role may mount the file system only through this tenant's access point", () => {
      for (const run of [acme, globex]) {
        const policy = policyOf(run, /task-policy/);
        expect(policy.Statement).to.have.length(1);
        const [statement] = policy.Statement;
        expect(statement.Action).to.have.members([
          "elasticfilesystem:ClientMount",
          "elasticfilesystem:ClientWrite",
        ]);
        expect(statement.Condition).to.deep.equal({
          StringEquals: {
            "elasticfilesystem:AccessPointArn": `arn:aws:elasticfilesystem:af-south-1:123456789012:access-point/${arnOf(run, "aws:efs/accessPoint:AccessPoint", /files/)}`,
          },
        });
      }
      expect(policyOf(acme, /task-policy/).Statement[0].Condition).to.not.deep.equal(
        policyOf(globex, /task-policy/).Statement[0].Condition,
      );
    });

    it("no policy grants `*` actions, and `*` resources only for the registry login", () => {
      for (const run of [acme, prodAcme]) {
        for (const policy of ofType(run, "aws:iam/rolePolicy:RolePolicy").map((p) =>
          json<PolicyDocument>(p.inputs.policy),
        )) {
          for (const s of policy.Statement) {
            expect(([] as string[]).concat(s.Action).some((a) => a === "*" || a.endsWith(":*"))).to.equal(
              false,
            );
            if (resources(s).includes("*")) expect(s.Action).to.equal("ecr:GetAuthorizationToken");
          }
        }
      }
    });

    it("roles trust only ECS tasks of this account and region (aws:SourceAccount and aws:SourceArn)", () => {
      for (const role of ofType(acme, "aws:iam/role:Role")) {
        const trust = json<PolicyDocument & { Statement: { Principal: unknown }[] }>(
          role.inputs.assumeRolePolicy,
        );
        expect(trust.Statement[0].Principal).to.deep.equal({ Service: "ecs-tasks.amazonaws.com" });
        expect(trust.Statement[0].Condition).to.deep.equal({
          StringEquals: { "aws:SourceAccount": "123456789012" },
          ArnLike: { "aws:SourceArn": "arn:aws:ecs:af-south-1:123456789012:*" },
        });
      }
      expect(single(acme, "aws:iam/role:Role", /exec-role/).id).to.not.equal(
        single(acme, "aws:iam/role:Role", /task-role/).id,
      );
    });

    it("the access point confines the tenant to /tenants/<id> as www-data", () => {
      expect(single(globex, "aws:efs/accessPoint:AccessPoint").inputs).to.deep.include({
        posixUser: { uid: 33, gid: 33 },
        rootDirectory: {
          path: "/tenants/globex",
          creationInfo: { ownerUid: 33, ownerGid: 33, permissions: "755" },
        },
      });
    });

    it("the database resource targets the tenant's own schema and user, and keeps data on delete by default", () => {
      const db = single(acme, "pulumi-nodejs:dynamic/bbws:TenantDatabase").inputs;
      expect(db.databaseName).to.equal("wp_acme");
      expect(db.username).to.equal("wp_acme");
      expect(db.dropOnDelete).to.equal(false);
      expect(db.requireTls).to.equal(true);
      expect(db.clusterArn).to.match(/^arn:aws:rds:af-south-1:123456789012:cluster:/);
    });

    it("the database secret's value comes from the credentials resource, never from a SecretVersion with the generated password", () => {
      const dbSecret = single(acme, "aws:secretsmanager/secret:Secret", /db-secret/);
      const credentials = unwrapSecrets(
        single(acme, "pulumi-nodejs:dynamic/bbws:TenantDatabaseCredentials").inputs,
      ) as Record<string, unknown>;
      expect(credentials).to.deep.include({
        secretArn: dbSecret.id,
        username: "wp_acme",
        dbname: "wp_acme",
        port: 3306,
      });
      const versions = ofType(acme, "aws:secretsmanager/secretVersion:SecretVersion");
      expect(versions.map((v) => v.inputs.secretId)).to.not.include(dbSecret.id);
      // The database user is created with the credentials' (the secret's) current password.
      const db = unwrapSecrets(single(acme, "pulumi-nodejs:dynamic/bbws:TenantDatabase").inputs) as {
        password: string;
      };
      expect(db.password).to.equal(credentials.password);
    });
  });

  describe("task definition", () => {
    it("is a valid ECS container definition: known fields with the right types", () => {
      for (const run of [acme, globex, initech, prodAcme]) {
        const result = containerDefinitionSchema.safeParse(containerOf(run));
        expect(result.success, result.success ? "" : JSON.stringify(result.error.issues)).to.equal(true);
      }
    });

    it("carries no secret in plain environment: only secrets references, no secret values", () => {
      const container = containerOf(acme);
      for (const variable of container.environment) {
        expect(variable.name).to.not.match(/PASSWORD|SECRET|_KEY$|SALT|TOKEN|AWS_ACCESS/);
      }
      const password = unwrapSecrets(
        single(acme, "random:index/randomPassword:RandomPassword", /db-password/).inputs,
      ) as {
        length: number;
      };
      expect(password.length).to.be.at.least(32);
      const definitions = single(acme, "aws:ecs/taskDefinition:TaskDefinition", SERVICE_TASK).inputs
        .containerDefinitions as string;
      const generated = (
        unwrapSecrets(single(acme, "pulumi-nodejs:dynamic/bbws:TenantDatabaseCredentials").inputs) as {
          password: string;
        }
      ).password;
      expect(generated).to.have.length(40);
      expect(definitions).to.not.include(generated);
      expect(container.secrets.map((s) => s.name)).to.have.members([
        "WORDPRESS_DB_USER",
        "WORDPRESS_DB_PASSWORD",
        ...WORDPRESS_KEY_NAMES.map((k) => `WORDPRESS_${k}`),
      ]);
      for (const s of container.secrets)
        expect(s.valueFrom).to.match(
          /^arn:aws:secretsmanager:af-south-1:123456789012:secret:.+:[A-Z_a-z]+::$/,
        );
    });

    it("pins the eight WordPress keys per tenant in a secret, distinct between tenants", () => {
      const keysOf = (run: StackRun) =>
        JSON.parse(
          unwrapSecrets(
            single(run, "aws:secretsmanager/secretVersion:SecretVersion", /wordpress-keys-value/).inputs
              .secretString,
          ) as string,
        ) as Record<string, string>;
      const acmeKeys = keysOf(acme);
      expect(Object.keys(acmeKeys)).to.have.members([...WORDPRESS_KEY_NAMES]);
      for (const value of Object.values(acmeKeys)) expect(value).to.have.length(64);
      expect(new Set(Object.values(acmeKeys)).size).to.equal(8);
      expect(keysOf(globex).AUTH_KEY).to.not.equal(acmeKeys.AUTH_KEY);
    });

    it("connects to the database over TLS (MYSQL_CLIENT_FLAGS), which the tenant's user requires", () => {
      const extra = containerOf(acme).environment.find((e) => e.name === "WORDPRESS_CONFIG_EXTRA")!.value;
      expect(extra).to.include("define('MYSQL_CLIENT_FLAGS', MYSQLI_CLIENT_SSL);");
    });

    it("sets WP_HOME/WP_SITEURL to the primary host over HTTPS, trusts the ALB's proto header and disables file edits", () => {
      const extra = containerOf(globex).environment.find((e) => e.name === "WORDPRESS_CONFIG_EXTRA")!.value;
      expect(extra).to.include("define('WP_HOME', 'https://globex.wpdev.example.com');");
      expect(extra).to.include("define('WP_SITEURL', 'https://globex.wpdev.example.com');");
      expect(extra).to.include("HTTP_X_FORWARDED_PROTO");
      expect(extra).to.include("define('DISALLOW_FILE_EDIT', true);");
    });

    it("uses the tenant's family, a valid Fargate size, ARM64, and mounts EFS with TLS and IAM through the access point", () => {
      const task = single(globex, "aws:ecs/taskDefinition:TaskDefinition", SERVICE_TASK).inputs;
      expect(task.family).to.equal("dev-globex-wordpress");
      expect([task.cpu, task.memory]).to.deep.equal(["512", "1024"]);
      expect(task.runtimePlatform).to.deep.equal({
        operatingSystemFamily: "LINUX",
        cpuArchitecture: "ARM64",
      });
      expect(task.requiresCompatibilities).to.deep.equal(["FARGATE"]);
      expect(task.networkMode).to.equal("awsvpc");
      const [volume] = task.volumes;
      expect(volume.efsVolumeConfiguration.transitEncryption).to.equal("ENABLED");
      expect(volume.efsVolumeConfiguration.authorizationConfig).to.deep.equal({
        accessPointId: single(globex, "aws:efs/accessPoint:AccessPoint").id,
        iam: "ENABLED",
      });
      expect(volume.efsVolumeConfiguration).to.not.have.property("rootDirectory");
      expect(single(initech, "aws:ecs/taskDefinition:TaskDefinition", SERVICE_TASK).inputs.memory).to.equal(
        "2048",
      );
    });

    it("logs to the environment's group with the tenant id as stream prefix, stops within Spot's warning", () => {
      const container = containerOf(globex);
      expect(container.logConfiguration.options).to.deep.equal({
        "awslogs-group": "/bbws/dev/wordpress",
        "awslogs-region": "af-south-1",
        "awslogs-stream-prefix": "globex",
      });
      expect(container.stopTimeout).to.be.at.most(120);
      // A static file: neither PHP nor the shared database decides whether ECS replaces the task.
      expect(container.healthCheck.command.join(" ")).to.include("http://localhost/bbws-health");
      expect(container.healthCheck.command.join(" ")).to.not.match(/\.php/);
    });

    it("runs the environment's default image (the runtime image, by digest) unless the entry names a tag", () => {
      expect(containerOf(acme).image).to.match(
        /^123456789012\.dkr\.ecr\.af-south-1\.amazonaws\.com\/bbws\/dev\/wordpress@sha256:[0-9a-f]{64}$/,
      );
      expect(containerOf(initech).image).to.equal(
        "123456789012.dkr.ecr.af-south-1.amazonaws.com/bbws/dev/wordpress:6.8.3-php8.3-apache",
      );
    });
  });

  describe("service", () => {
    it("runs in private subnets without a public IP, with circuit breaker rollback and zero-downtime deploys", async () => {
      const { network } = contractOf(await platformOf("dev"));
      const service = single(acme, "aws:ecs/service:Service").inputs;
      expect(service.name).to.equal("acme-wordpress");
      expect(service.networkConfiguration).to.deep.equal({
        subnets: network.privateSubnetIds,
        securityGroups: [network.securityGroups.tasks],
        assignPublicIp: false,
      });
      expect(service.deploymentCircuitBreaker).to.deep.equal({ enable: true, rollback: true });
      expect([service.deploymentMinimumHealthyPercent, service.deploymentMaximumPercent]).to.deep.equal([
        100, 200,
      ]);
      expect(service.waitForSteadyState).to.equal(true);
      expect(service.healthCheckGracePeriodSeconds).to.be.at.least(120);
      expect(service.propagateTags).to.equal("SERVICE");
      expect(service.availabilityZoneRebalancing).to.equal("ENABLED");
    });

    it("does not wait for steady state in a rollout's forward update (the rollout confirms the wave), and nothing else changes", async () => {
      const rollout = await runTenantEntry("dev", registryEntry("dev", "acme"), {
        skipSteadyStateWait: true,
      });
      const service = single(rollout, "aws:ecs/service:Service").inputs;
      expect(service.waitForSteadyState).to.equal(false);
      const { waitForSteadyState: _rolled, ...rest } = service;
      const { waitForSteadyState: _synced, ...synced } = single(acme, "aws:ecs/service:Service").inputs;
      expect(rest).to.deep.equal(synced);
    });

    it("registers in Cloud Map only when the entry asks for it (serviceDiscovery), in the platform's namespace", async () => {
      for (const run of [acme, globex, initech, prodAcme]) {
        expect(ofType(run, "aws:servicediscovery/service:Service"), run.stack).to.have.length(0);
        expect(single(run, "aws:ecs/service:Service").inputs.serviceRegistries, run.stack).to.equal(
          undefined,
        );
      }
      const { cluster } = contractOf(await platformOf("dev"));
      const discoverable = await runTenantEntry("dev", entryFor("finder", 9, { serviceDiscovery: true }));
      const discovery = single(discoverable, "aws:servicediscovery/service:Service");
      expect(discovery.inputs).to.deep.include({ name: "finder", namespaceId: cluster.namespaceId });
      expect(discovery.inputs.dnsConfig.dnsRecords).to.deep.equal([{ type: "A", ttl: 10 }]);
      expect(single(discoverable, "aws:ecs/service:Service").inputs.serviceRegistries).to.deep.equal({
        registryArn: `arn:aws:servicediscovery:af-south-1:123456789012:service/${discovery.id}`,
      });
      const off = await runTenantEntry("dev", entryFor("hidden", 10, { serviceDiscovery: false }));
      expect(ofType(off, "aws:servicediscovery/service:Service")).to.have.length(0);
    });

    it("keeps an on-demand base for HA tenants; dev tenants otherwise run on Spot", () => {
      expect(single(acme, "aws:ecs/service:Service").inputs.capacityProviderStrategies).to.deep.equal([
        { capacityProvider: "FARGATE_SPOT", base: 0, weight: 1 },
      ]);
      expect(single(initech, "aws:ecs/service:Service").inputs.capacityProviderStrategies).to.deep.equal([
        { capacityProvider: "FARGATE", base: 1, weight: 0 },
        { capacityProvider: "FARGATE_SPOT", base: 0, weight: 1 },
      ]);
      expect(single(prodAcme, "aws:ecs/service:Service").inputs.capacityProviderStrategies).to.deep.equal([
        { capacityProvider: "FARGATE", base: 1, weight: 1 },
        { capacityProvider: "FARGATE_SPOT", base: 0, weight: 4 },
      ]);
    });

    it("waits for every EFS mount target of the platform and for its listener rule", async () => {
      const { storage } = contractOf(await platformOf("dev"));
      const service = single(acme, "aws:ecs/service:Service");
      const mounts = ofType(acme, "aws:efs/mountTarget:MountTarget");
      expect(mounts.every((m) => m.read)).to.equal(true);
      expect(mounts.map((m) => m.id)).to.deep.equal(storage.mountTargetIds);
      for (const m of mounts) expect(service.dependencies).to.include(m.urn);
      expect(service.dependencies).to.include(single(acme, "aws:lb/listenerRule:ListenerRule").urn);
    });
  });

  describe("routing", () => {
    it("routes the tenant's primary host to an ip target group with a WordPress-aware health check", async () => {
      const { ingress } = contractOf(await platformOf("dev"));
      const rule = single(globex, "aws:lb/listenerRule:ListenerRule", /^globex-rule$/).inputs;
      expect(rule.listenerArn).to.equal(ingress.shards[0].listenerArn);
      expect(rule.priority).to.equal(2);
      // The second host redirects to the primary (tests/unit/edge.test.ts): WordPress sees one host.
      expect(rule.conditions).to.deep.equal([{ hostHeader: { values: ["globex.wpdev.example.com"] } }]);
      const tg = single(globex, "aws:lb/targetGroup:TargetGroup");
      expect(rule.actions).to.deep.equal([{ type: "forward", targetGroupArn: tg.id }]);
      expect(tg.inputs.targetType).to.equal("ip");
      expect(tg.inputs.deregistrationDelay).to.be.below(120);
      expect(tg.inputs.healthCheck).to.include({ path: "/bbws-health", matcher: "200" });
    });

    it("puts a tenant on its allocated shard's listener", async () => {
      const { ingress } = contractOf(await platformOf("prod"));
      const initech = await runTenantEntry("prod", registryEntry("prod", "initech"));
      const rule = single(initech, "aws:lb/listenerRule:ListenerRule").inputs;
      expect(rule.listenerArn).to.equal(ingress.shards[1].listenerArn);
      expect(rule.listenerArn).to.not.equal(ingress.shards[0].listenerArn);
      // Its alarms watch the same shard's ALB.
      const unhealthy = single(initech, "aws:cloudwatch/metricAlarm:MetricAlarm", /unhealthy-targets/).inputs;
      expect(unhealthy.dimensions.LoadBalancer).to.equal(ingress.shards[1].loadBalancerArnSuffix);
    });

    it("fails clearly when the entry's shard does not exist on the platform", async () => {
      try {
        await runTenantEntry("dev", entryFor("lost", 7, { listener: { shard: 3, priority: 7 } }));
        expect.fail("the run should fail");
      } catch (error) {
        expect((error as Error).message).to.match(
          /tenant lost lives on ALB shard 3, but organization\/bbws\/dev has 1 HTTPS listeners/,
        );
      }
    });
  });

  describe("scaling and alarms", () => {
    it("tracks CPU at 70% and memory at 80%, scales in slowly and out fast, within the entry's bounds", () => {
      const target = single(globex, "aws:appautoscaling/target:Target").inputs;
      expect([target.minCapacity, target.maxCapacity]).to.deep.equal([1, 3]);
      expect(target.resourceId).to.equal("service/bbws-dev/globex-wordpress");
      const policies = ofType(globex, "aws:appautoscaling/policy:Policy").map(
        (p) => p.inputs.targetTrackingScalingPolicyConfiguration,
      );
      expect(
        policies.map((p) => [
          p.predefinedMetricSpecification.predefinedMetricType,
          p.targetValue,
          p.scaleInCooldown,
          p.scaleOutCooldown,
        ]),
      ).to.have.deep.members([
        ["ECSServiceAverageCPUUtilization", 70, 300, 60],
        ["ECSServiceAverageMemoryUtilization", 80, 300, 60],
      ]);
    });

    it("schedules scale-to-zero from the entry, else from the environment's default; prod has none", async () => {
      const scheduleOf = (run: StackRun) =>
        ofType(run, "aws:appautoscaling/scheduledAction:ScheduledAction").map((a) => [
          a.inputs.schedule,
          a.inputs.timezone,
          a.inputs.scalableTargetAction,
        ]);
      // acme's own hours, in its own zone.
      expect(scheduleOf(acme)).to.have.deep.members([
        ["cron(0 17 ? * * *)", "Africa/Johannesburg", { minCapacity: 0, maxCapacity: 0 }],
        ["cron(0 8 ? * MON-FRI *)", "Africa/Johannesburg", { minCapacity: 1, maxCapacity: 2 }],
      ]);
      // globex has none: dev's default (Pulumi.dev.yaml sets the zone), waking to its own min/max.
      expect(scheduleOf(globex)).to.have.deep.members([
        ["cron(0 18 ? * * *)", "Africa/Johannesburg", { minCapacity: 0, maxCapacity: 0 }],
        ["cron(0 8 ? * MON-FRI *)", "Africa/Johannesburg", { minCapacity: 1, maxCapacity: 3 }],
      ]);
      const alwaysOn = await runTenantEntry("dev", { ...registryEntry("dev", "globex"), schedule: "none" });
      expect(scheduleOf(alwaysOn)).to.deep.equal([]);
      expect(scheduleOf(prodAcme)).to.deep.equal([]);
    });

    it("alarms on CPU > 90%, missing tasks, unhealthy targets, target 5xx and the deep check, notifying the alarm topic", async () => {
      const { observability } = contractOf(await platformOf("prod"));
      const alarms = ofType(prodAcme, "aws:cloudwatch/metricAlarm:MetricAlarm");
      expect(alarms.map((a) => a.name)).to.have.members([
        "acme-cpu-high",
        "acme-tasks-below-desired",
        "acme-unhealthy-targets",
        "acme-target-5xx",
        "acme-deep-check",
      ]);
      for (const alarm of alarms)
        expect(alarm.inputs.alarmActions).to.deep.equal([observability.alarmTopicArn]);
      const cpu = alarms.find((a) => a.name === "acme-cpu-high")!.inputs;
      expect([cpu.metricName, cpu.threshold, cpu.comparisonOperator]).to.deep.equal([
        "CPUUtilization",
        90,
        "GreaterThanThreshold",
      ]);
      // prod has Container Insights: running vs desired tasks, exactly.
      const tasks = alarms.find((a) => a.name === "acme-tasks-below-desired")!.inputs;
      expect(
        tasks.metricQueries.map((q: { metric?: { metricName: string } }) => q.metric?.metricName),
      ).to.include.members(["RunningTaskCount", "DesiredTaskCount"]);
      // dev has none: requests arriving while no target is healthy.
      const devTasks = single(acme, "aws:cloudwatch/metricAlarm:MetricAlarm", /tasks-below-desired/).inputs;
      expect(
        devTasks.metricQueries.map((q: { metric?: { metricName: string } }) => q.metric?.metricName),
      ).to.include.members(["HealthyHostCount", "RequestCount"]);
    });
  });

  it("tags every taggable resource with the tenant, the environment and the component", () => {
    for (const r of prodAcme.resources.filter(
      (r) => r.custom && r.type.startsWith("aws:") && !r.read && "tags" in r.inputs,
    )) {
      expect(r.inputs.tags, r.name).to.include({ "bbws:tenant-id": "acme", "bbws:environment": "prod" });
      expect(r.inputs.tags["bbws:component"], r.name).to.be.a("string");
    }
    expect(JSON.parse(single(prodAcme, "pulumi:providers:aws").inputs.defaultTags as string).tags).to.include(
      { "bbws:tenant-id": "acme" },
    );
  });

  it("exports what day-2 operations need", () => {
    expect(prodAcme.outputs).to.include({
      tenantId: "acme",
      serviceName: "acme-wordpress",
      taskDefinitionFamily: "prod-acme-wordpress",
      rootDirectory: "/tenants/acme",
      databaseName: "wp_acme",
    });
    expect(prodAcme.outputs.databaseSecretArn).to.match(
      /^arn:aws:secretsmanager:af-south-1:123456789012:secret:bbws\/prod\/acme\/db-/,
    );
  });
});
