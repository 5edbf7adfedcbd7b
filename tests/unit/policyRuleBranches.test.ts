/**
 * Each branch of each policy rule, with the exact message it reports (tests/unit/policyRules.test.ts
 * has one compliant and one violating fixture per rule; these cover the other conditions, the
 * boundaries and the messages an operator reads).
 */
import { expect } from "chai";
import { RecordedResource } from "../../offline/stackRun";
import { evaluatePolicies } from "../../offline/policyEvaluator";
import { ALL_POLICIES } from "../../policy/policies";
import { MAINTENANCE_COMPONENT } from "../../components/shared/maintenance";
import { fixture, good, policyDocument, stackOf, tags, wordpressContainer } from "../helpers/policyFixtures";

/** The messages one rule reports for the resources of one stack. */
async function messages(name: string, ...resources: RecordedResource[]): Promise<string[]> {
  const policy = ALL_POLICIES.find((p) => p.name === name);
  expect(policy, name).to.not.equal(undefined);
  const report = await evaluatePolicies([stackOf(...resources)], [policy!]);
  return report.violations.map((v) => v.message);
}

const service = (inputs: Record<string, unknown>) => good.service(inputs);
const prodService = (inputs: Record<string, unknown>) =>
  good.service({ tags: tags("prod", "ecs", "acme"), ...inputs }, { tenant: "acme", environment: "prod" });
const tasksOf = (...containers: Record<string, unknown>[]) =>
  good.taskDefinition({}, { containerDefinitions: JSON.stringify(containers) });
const efsVolume = (efs: Record<string, unknown>, name = "wp-content") =>
  good.taskDefinition(
    {},
    { volumes: [{ name, efsVolumeConfiguration: { fileSystemId: "fs-0123", ...efs } }] },
  );

describe("policy rule branches", () => {
  describe("ECS services", () => {
    it("ecs-service-no-public-ip: only assignPublicIp true", async () => {
      const rule = "ecs-service-no-public-ip";
      expect(await messages(rule, service({ networkConfiguration: { assignPublicIp: true } }))).to.deep.equal(
        [
          "networkConfiguration.assignPublicIp is true: set it to false and run the service in private subnets.",
        ],
      );
      expect(await messages(rule, service({ networkConfiguration: undefined }))).to.deep.equal([]);
      expect(
        await messages(rule, service({ networkConfiguration: { assignPublicIp: "true" } })),
      ).to.deep.equal([]);
    });

    it("ecs-service-circuit-breaker-rollback: enable and rollback must both be true", async () => {
      const rule = "ecs-service-circuit-breaker-rollback";
      expect(
        await messages(rule, service({ deploymentCircuitBreaker: { enable: false, rollback: true } })),
      ).to.deep.equal([
        'deploymentCircuitBreaker is {"enable":false,"rollback":true}: set { enable: true, rollback: true } so failed deployments roll back.',
      ]);
      expect(await messages(rule, service({ deploymentCircuitBreaker: undefined }))).to.deep.equal([
        "deploymentCircuitBreaker is undefined: set { enable: true, rollback: true } so failed deployments roll back.",
      ]);
      expect(
        await messages(rule, service({ deploymentCircuitBreaker: { enable: true, rollback: true } })),
      ).to.deep.equal([]);
    });

    it("ecs-service-zero-downtime-deployments: minimum below 100, maximum at or below 100, ECS defaults", async () => {
      const rule = "ecs-service-zero-downtime-deployments";
      expect(
        await messages(rule, service({ deploymentMinimumHealthyPercent: 99, deploymentMaximumPercent: 100 })),
      ).to.deep.equal([
        "deploymentMinimumHealthyPercent is 99: deployments would stop running tasks before new ones are healthy; set 100.",
        "deploymentMaximumPercent is 100: with a minimum of 99% no new task can start; set 200.",
      ]);
      // Boundaries: 100 and 101 pass.
      expect(
        await messages(
          rule,
          service({ deploymentMinimumHealthyPercent: 100, deploymentMaximumPercent: 101 }),
        ),
      ).to.deep.equal([]);
      // Unset: ECS's defaults (100 and 200) pass.
      expect(
        await messages(
          rule,
          service({ deploymentMinimumHealthyPercent: undefined, deploymentMaximumPercent: undefined }),
        ),
      ).to.deep.equal([]);
      expect(
        await messages(
          rule,
          service({ deploymentMinimumHealthyPercent: undefined, deploymentMaximumPercent: 100 }),
        ),
      ).to.deep.equal([
        "deploymentMaximumPercent is 100: with a minimum of 100% no new task can start; set 200.",
      ]);
    });

    it("ecs-service-platform-version-latest: unset and LATEST pass", async () => {
      const rule = "ecs-service-platform-version-latest";
      expect(await messages(rule, service({ platformVersion: undefined }))).to.deep.equal([]);
      expect(await messages(rule, service({ platformVersion: "LATEST" }))).to.deep.equal([]);
      expect(await messages(rule, service({ platformVersion: "1.4.0" }))).to.deep.equal([
        'platformVersion is "1.4.0": omit it or set "LATEST".',
      ]);
    });

    it("ecs-service-wait-for-steady-state: only true passes", async () => {
      const rule = "ecs-service-wait-for-steady-state";
      expect(await messages(rule, service({ waitForSteadyState: false }))).to.deep.equal([
        "waitForSteadyState is not true: Pulumi would report success before any new task is healthy.",
      ]);
      expect(await messages(rule, service({ waitForSteadyState: true }))).to.deep.equal([]);
    });

    it("ecs-service-highly-available-in-prod: task count, on-demand base, default strategies", async () => {
      const rule = "ecs-service-highly-available-in-prod";
      const onlySpot = [{ capacityProvider: "FARGATE_SPOT", base: 1, weight: 1 }];
      expect(
        await messages(rule, prodService({ desiredCount: 1, capacityProviderStrategies: onlySpot })),
      ).to.deep.equal([
        "desiredCount is 1: run at least 2 tasks in prod so one AZ or task can fail.",
        `capacityProviderStrategies ${JSON.stringify(onlySpot)} keep no task on FARGATE: add { capacityProvider: "FARGATE", base: 1, weight: 1 }.`,
      ]);
      // Boundary: 2 tasks and a base of 1 pass; bases add up across FARGATE strategies.
      expect(
        await messages(
          rule,
          prodService({
            desiredCount: 2,
            capacityProviderStrategies: [
              { capacityProvider: "FARGATE", weight: 1 },
              { capacityProvider: "FARGATE", base: 1, weight: 1 },
            ],
          }),
        ),
      ).to.deep.equal([]);
      const noBase = [{ capacityProvider: "FARGATE", weight: 1 }];
      expect(await messages(rule, prodService({ capacityProviderStrategies: noBase }))).to.have.length(1);
      // No strategy: the launch type or the cluster's default decides.
      expect(await messages(rule, prodService({ capacityProviderStrategies: undefined }))).to.deep.equal([]);
      expect(
        await messages(rule, prodService({ desiredCount: undefined, capacityProviderStrategies: [] })),
      ).to.deep.equal([]);
      // dev: never checked.
      expect(
        await messages(rule, service({ desiredCount: 1, capacityProviderStrategies: onlySpot })),
      ).to.deep.equal([]);
    });
  });

  describe("ECS task definitions", () => {
    it("ecs-task-no-secrets-in-environment: names the container and the reason", async () => {
      const rule = "ecs-task-no-secrets-in-environment";
      const env = (name: string, value: unknown) => ({ name: "web", environment: [{ name, value }] });
      expect(await messages(rule, tasksOf(env("AWS_SECRET_ACCESS_KEY", "x")))).to.deep.equal([
        'container "web" has AWS_SECRET_ACCESS_KEY in plain environment (its name AWS_SECRET_ACCESS_KEY is an AWS credential): move it to `secrets` with valueFrom a Secrets Manager ARN.',
      ]);
      expect(await messages(rule, tasksOf(env("db_password", "x")))).to.deep.equal([
        'container "web" has db_password in plain environment (its name db_password says it holds a credential): move it to `secrets` with valueFrom a Secrets Manager ARN.',
      ]);
      expect(
        await messages(rule, tasksOf({ environment: [{ name: "NOTE", value: "ASIAABCDEFGHIJKLMNOP" }] })),
      ).to.deep.equal([
        "container #1 has NOTE in plain environment (its value contains an AWS access key id): move it to `secrets` with valueFrom a Secrets Manager ARN.",
      ]);
      expect(
        await messages(rule, tasksOf(env("WORDPRESS_CONFIG_EXTRA", "define( 'NONCE_SALT', 'x');"))),
      ).to.deep.equal([
        'container "web" has WORDPRESS_CONFIG_EXTRA in plain environment (its value defines NONCE_SALT in wp-config.php): move it to `secrets` with valueFrom a Secrets Manager ARN.',
      ]);
      // References to secrets, non-string values, nameless variables and harmless names pass.
      for (const [name, value] of [
        ["DB_PASSWORD_ARN", "arn:aws:secretsmanager:x"],
        ["KEY_PATH", "/run/key"],
        ["COUNT", 3],
        ["KEYBOARD", "us"],
        ["MONKEY", "x"],
      ] as const)
        expect(await messages(rule, tasksOf(env(name, value))), name).to.deep.equal([]);
      expect(
        await messages(rule, tasksOf({ name: "web", environment: [{ value: "AKIAABCDEFGHIJKLMNOP" }] })),
      ).to.deep.equal([
        'container "web" has  in plain environment (its value contains an AWS access key id): move it to `secrets` with valueFrom a Secrets Manager ARN.',
      ]);
      // Each flagged name shape.
      for (const name of [
        "MY_TOKEN",
        "X_PASSPHRASE",
        "PRIVATEKEY",
        "ACCESS_KEY",
        "APIKEY",
        "AUTHKEY",
        "KEY",
        "A_KEY_B",
        "PWD",
        "DB_PWD",
        "CREDENTIALS",
        "PASSWD",
      ])
        expect(await messages(rule, tasksOf(env(name, "x"))), name).to.have.length(1);
      // Containers are numbered from 1, in order.
      expect(
        await messages(
          rule,
          tasksOf({ environment: [] }, { environment: [{ name: "API_KEY", value: "x" }] }),
        ),
      ).to.deep.equal([
        "container #2 has API_KEY in plain environment (its name API_KEY says it holds a credential): move it to `secrets` with valueFrom a Secrets Manager ARN.",
      ]);
      // Unparseable definitions are not this rule's business.
      expect(
        await messages(rule, good.taskDefinition({}, { containerDefinitions: "not json" })),
      ).to.deep.equal([]);
    });

    it("ecs-task-efs-transit-encryption: every EFS volume, named; other volumes ignored", async () => {
      const rule = "ecs-task-efs-transit-encryption";
      expect(await messages(rule, efsVolume({}, "data"))).to.deep.equal([
        'volume "data" has transitEncryption undefined: set "ENABLED".',
      ]);
      expect(await messages(rule, good.taskDefinition({}, { volumes: [{ name: "scratch" }] }))).to.deep.equal(
        [],
      );
      expect(
        await messages(
          rule,
          efsVolume({
            transitEncryption: "ENABLED",
            authorizationConfig: { accessPointId: "fsap-1", iam: "ENABLED" },
          }),
        ),
      ).to.deep.equal([]);
    });

    it("ecs-task-efs-access-point-iam: access point, IAM and rootDirectory, each reported", async () => {
      const rule = "ecs-task-efs-access-point-iam";
      expect(
        await messages(rule, efsVolume({ transitEncryption: "ENABLED", rootDirectory: "/tenants" })),
      ).to.deep.equal([
        'volume "wp-content" mounts the file system without an access point: set authorizationConfig.accessPointId.',
        'volume "wp-content" has authorizationConfig.iam undefined: set "ENABLED".',
        'volume "wp-content" sets rootDirectory "/tenants": omit it, the access point sets the directory.',
      ]);
      expect(
        await messages(
          rule,
          efsVolume({ rootDirectory: "/", authorizationConfig: { accessPointId: "fsap-1", iam: "ENABLED" } }),
        ),
      ).to.deep.equal([]);
      expect(await messages(rule, good.taskDefinition({}, { volumes: [{ name: "scratch" }] }))).to.deep.equal(
        [],
      );
    });

    it("ecs-task-role-separation: equal, non-empty ARNs only", async () => {
      const rule = "ecs-task-role-separation";
      const same = "arn:aws:iam::123456789012:role/r";
      expect(
        await messages(rule, good.taskDefinition({}, { executionRoleArn: same, taskRoleArn: same })),
      ).to.deep.equal([
        `executionRoleArn and taskRoleArn are both "${same}": give the application its own task role.`,
      ]);
      expect(
        await messages(rule, good.taskDefinition({}, { executionRoleArn: "", taskRoleArn: "" })),
      ).to.deep.equal([]);
      expect(
        await messages(
          rule,
          good.taskDefinition({}, { executionRoleArn: undefined, taskRoleArn: undefined }),
        ),
      ).to.deep.equal([]);
    });

    it("ecs-task-logging, privileged, host namespaces: per container and per mode", async () => {
      expect(
        await messages(
          "ecs-task-logging",
          tasksOf(
            { name: "a", logConfiguration: { logDriver: "awslogs" } },
            { name: "b", logConfiguration: {} },
          ),
        ),
      ).to.deep.equal(['container "b" has no logConfiguration.logDriver: add the awslogs driver.']);
      expect(
        await messages(
          "ecs-task-no-privileged-containers",
          tasksOf({ privileged: true }, { privileged: false }),
        ),
      ).to.deep.equal(["container #1 is privileged: remove privileged."]);
      expect(
        await messages(
          "ecs-task-no-host-namespaces",
          good.taskDefinition({}, { ipcMode: "host", networkMode: "host" }),
        ),
      ).to.deep.equal([
        'ipcMode is "host": remove it (networkMode: use "awsvpc").',
        'networkMode is "host": remove it (networkMode: use "awsvpc").',
      ]);
      expect(
        await messages("ecs-task-no-host-namespaces", good.taskDefinition({}, { pidMode: "task" })),
      ).to.deep.equal([]);
    });

    it("ecs-task-read-only-root-filesystem and ecs-task-non-root-user: the reason names the exception", async () => {
      const stock = wordpressContainer("acme", {});
      expect(await messages("ecs-task-read-only-root-filesystem", tasksOf(stock))).to.deep.equal([
        'container "wordpress" has a writable root file system (accepted exception for the stock WordPress image; set readonlyRootFilesystem: true with a custom image).',
      ]);
      expect(await messages("ecs-task-non-root-user", tasksOf(stock))).to.deep.equal([
        'container "wordpress" runs as "root (no user)" (accepted exception for the stock WordPress image; set user "33:33" with a custom image).',
      ]);
      const maintenance = (container: Record<string, unknown>) =>
        inMaintenance(
          fixture("aws:ecs/taskDefinition:TaskDefinition", {
            containerDefinitions: JSON.stringify([container]),
            tags: tags("dev", "maintenance"),
          }),
        );
      expect(
        await messages("ecs-task-read-only-root-filesystem", maintenance({ name: "db-copy" })),
      ).to.deep.equal([
        'container "db-copy" has a writable root file system (accepted exception for the db-copy client, which runs as its image\'s non-root user and writes its dumps to its own /tmp: a Fargate task volume is a root-owned bind mount it could not write).',
      ]);
      expect(
        await messages("ecs-task-non-root-user", maintenance({ name: "mover", user: "root:0" })),
      ).to.deep.equal([
        'container "mover" runs as "root:0" (accepted exception for maintenance tasks, which move tenants\' files as root through the administrative access point).',
      ]);
      // Users: empty and whitespace are root; uid 0 with a group is root; 33 or "1000:0" is not.
      for (const [user, root] of [
        ["  ", true],
        ["0", true],
        ["0:33", true],
        ["root", true],
        ["33", false],
        [" 33:33 ", false],
        ["1000:0", false],
        ["www-data", false],
      ] as const) {
        expect(await messages("ecs-task-non-root-user", tasksOf({ user })), user).to.have.length(
          root ? 1 : 0,
        );
      }
    });

    it("ecs-task-graceful-stop-within-spot-warning: 120 s passes, 121 s does not", async () => {
      const rule = "ecs-task-graceful-stop-within-spot-warning";
      expect(await messages(rule, tasksOf({ stopTimeout: 120 }))).to.deep.equal([]);
      expect(await messages(rule, tasksOf({ stopTimeout: 121 }))).to.deep.equal([
        "container #1 has stopTimeout 121: use at most 120 seconds.",
      ]);
      expect(await messages(rule, tasksOf({ stopTimeout: "300" }))).to.deep.equal([]);
    });

    it("ecs-task-container-health-check: essential containers only, maintenance tasks exempt", async () => {
      const rule = "ecs-task-container-health-check";
      expect(
        await messages(
          rule,
          tasksOf({ name: "sidecar", essential: false }, { name: "web", essential: true }),
        ),
      ).to.deep.equal(['container "web" has no healthCheck: add one (e.g. curl of a static file).']);
      expect(await messages(rule, tasksOf({ name: "web" }))).to.have.length(1);
      expect(
        await messages(rule, tasksOf({ name: "web", healthCheck: { command: ["CMD", "true"] } })),
      ).to.deep.equal([]);
      const oneOff = inMaintenance(
        fixture("aws:ecs/taskDefinition:TaskDefinition", {
          containerDefinitions: JSON.stringify([{ name: "db-copy" }]),
          tags: tags("dev", "maintenance"),
        }),
      );
      expect(await messages(rule, oneOff)).to.deep.equal([]);
    });

    it("ecs-cluster-container-insights-in-prod: enabled and enhanced pass; unset is named", async () => {
      const rule = "ecs-cluster-container-insights-in-prod";
      expect(await messages(rule, good.ecsCluster("prod", "enhanced"))).to.deep.equal([]);
      const unset = fixture("aws:ecs/cluster:Cluster", { name: "bbws-prod", tags: tags("prod", "ecs") });
      expect(await messages(rule, unset)).to.deep.equal([
        'containerInsights is "not set": add settings [{ name: "containerInsights", value: "enabled" }].',
      ]);
    });
  });

  describe("load balancers", () => {
    it("alb-drop-invalid-header-fields and alb-desync-mitigation: application load balancers only", async () => {
      expect(
        await messages(
          "alb-drop-invalid-header-fields",
          good.loadBalancer("dev", { dropInvalidHeaderFields: false }),
        ),
      ).to.deep.equal(["dropInvalidHeaderFields is false: set true."]);
      expect(
        await messages(
          "alb-drop-invalid-header-fields",
          good.loadBalancer("dev", { loadBalancerType: "network", dropInvalidHeaderFields: undefined }),
        ),
      ).to.deep.equal([]);
      expect(
        await messages(
          "alb-desync-mitigation",
          good.loadBalancer("dev", { desyncMitigationMode: "monitor" }),
        ),
      ).to.deep.equal(['desyncMitigationMode is "monitor": use "defensive" or "strictest".']);
      for (const mode of [undefined, "defensive", "strictest"])
        expect(
          await messages("alb-desync-mitigation", good.loadBalancer("dev", { desyncMitigationMode: mode })),
          String(mode),
        ).to.deep.equal([]);
      expect(
        await messages(
          "alb-desync-mitigation",
          good.loadBalancer("dev", { loadBalancerType: "network", desyncMitigationMode: "monitor" }),
        ),
      ).to.deep.equal([]);
    });

    it("alb-access-logs: enabled with a bucket", async () => {
      const rule = "alb-access-logs";
      expect(await messages(rule, good.loadBalancer("dev", { accessLogs: { enabled: true } }))).to.deep.equal(
        ['accessLogs is {"enabled":true}: set { bucket, enabled: true }.'],
      );
      expect(
        await messages(rule, good.loadBalancer("dev", { accessLogs: { enabled: false, bucket: "logs" } })),
      ).to.have.length(1);
      expect(
        await messages(
          rule,
          good.loadBalancer("dev", { loadBalancerType: "network", accessLogs: undefined }),
        ),
      ).to.deep.equal([]);
    });

    it("alb-deletion-protection-in-prod", async () => {
      const rule = "alb-deletion-protection-in-prod";
      expect(
        await messages(rule, good.loadBalancer("prod", { enableDeletionProtection: false })),
      ).to.deep.equal(["enableDeletionProtection is false: set true in prod."]);
      expect(
        await messages(rule, good.loadBalancer("prod", { enableDeletionProtection: true })),
      ).to.deep.equal([]);
    });

    it("alb-http-redirects-to-https: protocol from the listener or its certificate; every action a redirect", async () => {
      const rule = "alb-http-redirects-to-https";
      const redirect = {
        type: "redirect",
        redirect: { protocol: "https", port: "443", statusCode: "HTTP_301" },
      };
      const forward = { type: "forward", targetGroupArn: "arn:tg" };
      expect(await messages(rule, good.httpListener({ defaultActions: [redirect] }))).to.deep.equal([]);
      expect(
        await messages(rule, good.httpListener({ port: 80, defaultActions: [redirect, forward] })),
      ).to.deep.equal([
        'HTTP listener on port 80 has default actions ["redirect","forward"]: use a single redirect with protocol "HTTPS".',
      ]);
      expect(await messages(rule, good.httpListener({ port: 80, defaultActions: [] }))).to.deep.equal([
        'HTTP listener on port 80 has default actions []: use a single redirect with protocol "HTTPS".',
      ]);
      expect(
        await messages(
          rule,
          good.httpListener({ defaultActions: [{ type: "redirect", redirect: { protocol: "HTTP" } }] }),
        ),
      ).to.have.length(1);
      // No protocol: a certificate makes it HTTPS (not this rule's business), none makes it HTTP.
      expect(
        await messages(
          rule,
          good.httpListener({ protocol: undefined, certificateArn: "arn:cert", defaultActions: [forward] }),
        ),
      ).to.deep.equal([]);
      expect(
        await messages(
          rule,
          good.httpListener({ protocol: undefined, certificateArn: undefined, defaultActions: [forward] }),
        ),
      ).to.have.length(1);
      expect(
        await messages(rule, good.httpListener({ protocol: "http", defaultActions: [forward] })),
      ).to.have.length(1);
    });

    it("alb-https-tls13-policy: the policies Security Hub accepts", async () => {
      const rule = "alb-https-tls13-policy";
      for (const policy of [
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "ELBSecurityPolicy-TLS13-1-3-2021-06",
        "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
        "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
        "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
      ])
        expect(await messages(rule, good.httpsListener({ sslPolicy: policy })), policy).to.deep.equal([]);
      for (const policy of [
        "ELBSecurityPolicy-2016-08",
        "ELBSecurityPolicy-TLS13-1-1-2021-06",
        "xELBSecurityPolicy-TLS13-1-2-2021-06",
        "ELBSecurityPolicy-TLS13-1-2-2021-06x",
      ])
        expect(await messages(rule, good.httpsListener({ sslPolicy: policy })), policy).to.have.length(1);
      expect(await messages(rule, good.httpsListener({ sslPolicy: undefined }))).to.deep.equal([
        "sslPolicy is undefined: use ELBSecurityPolicy-TLS13-1-2-Res-2021-06.",
      ]);
      // HTTP listeners are not checked.
      expect(await messages(rule, good.httpListener({ sslPolicy: undefined }))).to.deep.equal([]);
    });

    it("lb-target-group-health-check: enabled with a path for HTTP(S); a port suffices for TCP; lambda exempt", async () => {
      const rule = "lb-target-group-health-check";
      expect(
        await messages(rule, good.targetGroup({ healthCheck: { enabled: false, path: "/x" } })),
      ).to.deep.equal([
        'healthCheck is {"enabled":false,"path":"/x"}: set { path, matcher } on a path WordPress answers with 200.',
      ]);
      expect(await messages(rule, good.targetGroup({ healthCheck: undefined }))).to.deep.equal([
        "healthCheck is undefined: set { path, matcher } on a path WordPress answers with 200.",
      ]);
      expect(
        await messages(rule, good.targetGroup({ protocol: "https", healthCheck: { port: "80" } })),
      ).to.have.length(1);
      expect(
        await messages(rule, good.targetGroup({ protocol: undefined, healthCheck: { port: "80" } })),
      ).to.have.length(1);
      expect(
        await messages(rule, good.targetGroup({ protocol: "TCP", healthCheck: { port: "80" } })),
      ).to.deep.equal([]);
      expect(
        await messages(rule, good.targetGroup({ targetType: "lambda", healthCheck: undefined })),
      ).to.deep.equal([]);
    });

    it("lb-target-group-deregistration-within-spot-warning: below 120 s; the 300 s default fails", async () => {
      const rule = "lb-target-group-deregistration-within-spot-warning";
      expect(await messages(rule, good.targetGroup({ deregistrationDelay: 119 }))).to.deep.equal([]);
      expect(await messages(rule, good.targetGroup({ deregistrationDelay: "60" }))).to.deep.equal([]);
      expect(await messages(rule, good.targetGroup({ deregistrationDelay: 120 }))).to.deep.equal([
        "deregistrationDelay is 120: set less than 120 (e.g. 60).",
      ]);
      expect(await messages(rule, good.targetGroup({ deregistrationDelay: undefined }))).to.deep.equal([
        'deregistrationDelay is "300 (default)": set less than 120 (e.g. 60).',
      ]);
      expect(await messages(rule, good.targetGroup({ deregistrationDelay: "soon" }))).to.have.length(1);
      expect(
        await messages(rule, good.targetGroup({ targetType: "lambda", deregistrationDelay: undefined })),
      ).to.deep.equal([]);
    });
  });
});

describe("policy rule branches: data, images, telemetry, keys, tags", () => {
  it("rds-cluster-encrypted-with-cmk: encryption and key reported apart", async () => {
    const rule = "rds-cluster-encrypted-with-cmk";
    expect(
      await messages(rule, good.dbCluster("dev", { storageEncrypted: undefined, kmsKeyId: "" })),
    ).to.deep.equal([
      "storageEncrypted is undefined: set storageEncrypted: true.",
      "kmsKeyId is not set: encrypt with the environment's data key (a CMK).",
    ]);
  });

  it("rds-cluster-protected-in-prod: deletion protection and a final snapshot, prod only", async () => {
    const rule = "rds-cluster-protected-in-prod";
    expect(
      await messages(
        rule,
        good.dbCluster("prod", {
          deletionProtection: undefined,
          skipFinalSnapshot: true,
          finalSnapshotIdentifier: "x",
        }),
      ),
    ).to.deep.equal([
      "deletionProtection is undefined: set true in prod.",
      'skipFinalSnapshot is true and finalSnapshotIdentifier "x": keep a final snapshot in prod.',
    ]);
    expect(
      await messages(
        rule,
        good.dbCluster("prod", { skipFinalSnapshot: false, finalSnapshotIdentifier: undefined }),
      ),
    ).to.deep.equal([
      "skipFinalSnapshot is false and finalSnapshotIdentifier undefined: keep a final snapshot in prod.",
    ]);
    expect(await messages(rule, good.dbCluster("prod"))).to.deep.equal([]);
  });

  it("rds-cluster-backup-retention: 7 days pass, 6 do not, unset is the 1-day default", async () => {
    const rule = "rds-cluster-backup-retention";
    expect(await messages(rule, good.dbCluster("dev", { backupRetentionPeriod: 7 }))).to.deep.equal([]);
    expect(await messages(rule, good.dbCluster("dev", { backupRetentionPeriod: 6 }))).to.deep.equal([
      "backupRetentionPeriod is 6 day(s): set at least 7.",
    ]);
    expect(await messages(rule, good.dbCluster("dev", { backupRetentionPeriod: undefined }))).to.deep.equal([
      "backupRetentionPeriod is 1 day(s): set at least 7.",
    ]);
  });

  it("rds-cluster-non-default-master-user: default names in any case", async () => {
    const rule = "rds-cluster-non-default-master-user";
    for (const user of ["admin", "Root", "POSTGRES", "master", "Administrator"])
      expect(await messages(rule, good.dbCluster("dev", { masterUsername: user })), user).to.deep.equal([
        `masterUsername is "${user}", a default name attackers try first: choose another.`,
      ]);
    expect(await messages(rule, good.dbCluster("dev", { masterUsername: undefined }))).to.deep.equal([]);
  });

  it("rds audit logs, tags to snapshots, IAM authentication, public instances", async () => {
    expect(
      await messages(
        "rds-cluster-audit-logs",
        good.dbCluster("dev", { enabledCloudwatchLogsExports: ["error"] }),
      ),
    ).to.deep.equal(['enabledCloudwatchLogsExports is ["error"]: include "audit".']);
    expect(
      await messages(
        "rds-cluster-audit-logs",
        good.dbCluster("dev", { enabledCloudwatchLogsExports: "audit" }),
      ),
    ).to.deep.equal([]);
    expect(
      await messages(
        "rds-cluster-copy-tags-to-snapshot",
        good.dbCluster("dev", { copyTagsToSnapshot: false }),
      ),
    ).to.deep.equal(["copyTagsToSnapshot is not true: set it."]);
    expect(
      await messages(
        "rds-cluster-iam-authentication",
        good.dbCluster("dev", { iamDatabaseAuthenticationEnabled: undefined }),
      ),
    ).to.deep.equal(["iamDatabaseAuthenticationEnabled is not true: set it."]);
    expect(
      await messages(
        "rds-instance-not-public",
        good.dbInstance("dev", "af-south-1a", { publiclyAccessible: true }),
      ),
    ).to.deep.equal(["publiclyAccessible is true: set false."]);
    expect(await messages("rds-instance-not-public", good.dbInstance("dev", "af-south-1a"))).to.deep.equal(
      [],
    );
  });

  it("rds-cluster-require-secure-transport: no group, OFF, missing, ON or 1, non-MySQL engines", async () => {
    const rule = "rds-cluster-require-secure-transport";
    const withGroup = (value: string | null, engine = "aurora-mysql") => {
      const group = good.clusterParameterGroup(value);
      const cluster = good.dbCluster(
        "dev",
        { engine, dbClusterParameterGroupName: group.id },
        { dependsOn: [group] },
      );
      return [group, cluster];
    };
    expect(await messages(rule, good.dbCluster("dev"))).to.deep.equal([
      'cluster bbws-dev-db uses no cluster parameter group of the stack (the default leaves require_secure_transport OFF): add one with { name: "require_secure_transport", value: "ON" }.',
    ]);
    expect(await messages(rule, ...withGroup("OFF"))).to.deep.equal([
      'cluster parameter group bbws-dev-db-params sets require_secure_transport to "OFF": set "ON".',
    ]);
    expect(await messages(rule, ...withGroup(null))).to.deep.equal([
      'cluster parameter group bbws-dev-db-params sets require_secure_transport to "nothing": set "ON".',
    ]);
    for (const value of ["ON", "on", "1"])
      expect(await messages(rule, ...withGroup(value)), value).to.deep.equal([]);
    expect(await messages(rule, good.dbCluster("dev", { engine: "aurora-postgresql" }))).to.deep.equal([]);
    expect(await messages(rule, good.dbCluster("dev", { engine: undefined }))).to.deep.equal([]);
    expect(await messages(rule, ...withGroup("OFF", "aurora-mysql8.0"))).to.have.length(1);
  });

  it("rds-cluster-multi-az-in-prod: two instances in two zones; unplaced instances count apart", async () => {
    const rule = "rds-cluster-multi-az-in-prod";
    const cluster = good.dbCluster("prod");
    const instance = (zone?: string) => {
      const i = good.dbInstance("prod", zone ?? "af-south-1a", { availabilityZone: zone });
      return { ...i, dependencies: [cluster.urn] };
    };
    expect(await messages(rule, cluster, instance("af-south-1a"), instance("af-south-1a"))).to.deep.equal([
      "cluster bbws-prod-db has 2 instance(s) in 1 AZ(s): add a reader in another AZ.",
    ]);
    expect(await messages(rule, cluster, instance("af-south-1a"))).to.deep.equal([
      "cluster bbws-prod-db has 1 instance(s) in 1 AZ(s): add a reader in another AZ.",
    ]);
    expect(await messages(rule, cluster, instance("af-south-1a"), instance("af-south-1b"))).to.deep.equal([]);
    expect(await messages(rule, cluster, instance(undefined), instance(undefined))).to.deep.equal([]);
    // An instance of another cluster does not count.
    const other = { ...good.dbInstance("prod", "af-south-1b", { clusterIdentifier: "other" }) };
    expect(await messages(rule, cluster, instance("af-south-1a"), other)).to.have.length(1);
  });

  it("ECR: scan on push, tag mutability (default MUTABLE), KMS encryption of repositories and templates", async () => {
    expect(
      await messages("ecr-scan-on-push", good.repository({ imageScanningConfiguration: undefined })),
    ).to.deep.equal(["imageScanningConfiguration.scanOnPush is not true: set it."]);
    expect(
      await messages("ecr-immutable-tags", good.repository({ imageTagMutability: undefined })),
    ).to.deep.equal(['imageTagMutability is "MUTABLE": set "IMMUTABLE" and deploy by unique tag or digest.']);
    expect(
      await messages(
        "ecr-immutable-tags",
        good.repository({ imageTagMutability: "IMMUTABLE_WITH_EXCLUSION" }),
      ),
    ).to.deep.equal([]);
    expect(
      await messages(
        "ecr-kms-encryption",
        good.repository({ encryptionConfigurations: [{ encryptionType: "AES256" }] }),
      ),
    ).to.deep.equal([
      'encryptionConfigurations is [{"encryptionType":"AES256"}]: use [{ encryptionType: "KMS", kmsKey: <data key ARN> }].',
    ]);
    expect(
      await messages("ecr-kms-encryption", good.creationTemplate({ encryptionConfigurations: undefined })),
    ).to.deep.equal([
      'encryptionConfigurations is []: use [{ encryptionType: "KMS", kmsKey: <data key ARN> }].',
    ]);
    expect(await messages("ecr-kms-encryption", good.creationTemplate())).to.deep.equal([]);
    // The template may stay MUTABLE: only the repository rule reads mutability.
    expect(await messages("ecr-immutable-tags", good.creationTemplate())).to.deep.equal([]);
  });

  it("ecr-lifecycle-policy: by reference or by repository name", async () => {
    const rule = "ecr-lifecycle-policy";
    const repo = good.repository();
    expect(await messages(rule, repo)).to.deep.equal([
      "repository bbws-dev-wordpress-repo has no aws.ecr.LifecyclePolicy: add one.",
    ]);
    expect(await messages(rule, repo, good.lifecyclePolicy("bbws/dev/wordpress"))).to.deep.equal([]);
    expect(await messages(rule, repo, good.lifecyclePolicy("bbws/dev/other"))).to.have.length(1);
    const byReference = fixture(
      "aws:ecr/lifecyclePolicy:LifecyclePolicy",
      { repository: repo.id, policy: "{}" },
      { dependsOn: [repo] },
    );
    expect(await messages(rule, good.repository({ name: undefined }), byReference)).to.deep.equal([]);
  });

  it("log groups: retention set and positive, KMS key", async () => {
    const rule = "log-group-retention";
    expect(await messages(rule, good.logGroup({ retentionInDays: 0 }))).to.deep.equal([
      "retentionInDays is 0: set the environment's retention (e.g. 7 in dev, 30 in prod).",
    ]);
    expect(await messages(rule, good.logGroup({ retentionInDays: "7" }))).to.have.length(1);
    expect(await messages(rule, good.logGroup({ retentionInDays: 1 }))).to.deep.equal([]);
    expect(await messages("log-group-kms-encryption", good.logGroup({ kmsKeyId: undefined }))).to.deep.equal([
      "kmsKeyId is not set: encrypt with the environment's telemetry key.",
    ]);
  });

  it("alarms notify someone; topics and secrets are encrypted", async () => {
    expect(
      await messages("alarm-has-actions", good.alarm({ alarmActions: [], actionsEnabled: false })),
    ).to.deep.equal([
      "alarmActions is empty: notify the environment's alarm topic.",
      "actionsEnabled is false: enable the alarm's actions.",
    ]);
    expect(await messages("alarm-has-actions", good.alarm({ actionsEnabled: undefined }))).to.deep.equal([]);
    expect(await messages("sns-topic-encrypted", good.topic({ kmsMasterKeyId: undefined }))).to.deep.equal([
      "kmsMasterKeyId is not set: encrypt with the environment's telemetry key.",
    ]);
    expect(
      await messages("ssm-parameter-securestring-cmk", good.parameter({ type: "String" })),
    ).to.deep.equal(['type is "String": set "SecureString" (a String parameter is stored in plain text).']);
    expect(
      await messages(
        "ssm-parameter-securestring-cmk",
        good.parameter({ keyId: undefined, type: "StringList" }),
      ),
    ).to.deep.equal([
      'type is "StringList": set "SecureString" (a String parameter is stored in plain text).',
      "keyId is undefined: encrypt with the environment's data key, not Parameter Store's AWS-managed key.",
    ]);
    expect(
      await messages("ssm-parameter-securestring-cmk", good.parameter({ keyId: "ALIAS/AWS/SSM" })),
    ).to.have.length(1);
    expect(
      await messages("ssm-parameter-securestring-cmk", good.parameter({ keyId: "alias/bbws-dev-data" })),
    ).to.deep.equal([]);
    expect(await messages("secret-uses-cmk", good.secret({ kmsKeyId: "" }))).to.deep.equal([
      "kmsKeyId is not set: encrypt with the environment's data key.",
    ]);
  });

  it("kms-key-rotation: symmetric encryption keys must rotate; other specs and usages are exempt", async () => {
    const rule = "kms-key-rotation";
    const failing = ["enableKeyRotation is not true: set it."];
    expect(await messages(rule, good.key({ enableKeyRotation: false }))).to.deep.equal(failing);
    expect(
      await messages(
        rule,
        good.key({
          enableKeyRotation: false,
          customerMasterKeySpec: "SYMMETRIC_DEFAULT",
          keyUsage: "ENCRYPT_DECRYPT",
        }),
      ),
    ).to.deep.equal(failing);
    expect(
      await messages(rule, good.key({ enableKeyRotation: false, customerMasterKeySpec: "HMAC_256" })),
    ).to.deep.equal([]);
    expect(
      await messages(rule, good.key({ enableKeyRotation: false, keyUsage: "GENERATE_VERIFY_MAC" })),
    ).to.deep.equal([]);
  });

  it("required-tags: component and environment everywhere, tenant id inside a tenant; blank values count as missing", async () => {
    const rule = "required-tags";
    expect(
      await messages(rule, good.service({ tags: { "bbws:component": " ", "bbws:tenant-id": "acme" } })),
    ).to.deep.equal([
      'missing bbws:component, bbws:environment among its own tags {"bbws:component":" ","bbws:tenant-id":"acme"}: add them.',
    ]);
    expect(await messages(rule, good.logGroup({ tags: undefined }))).to.deep.equal([
      "missing bbws:component, bbws:environment among its own tags {}: add them.",
    ]);
    // Platform resources need no tenant id.
    expect(await messages(rule, good.logGroup())).to.deep.equal([]);
    // An untyped resource is checked when it carries tags, and only then.
    const custom = (inputs: Record<string, unknown>) => fixture("aws:custom/thing:Thing", inputs);
    expect(await messages(rule, custom({ tags: { "bbws:component": "x" } }))).to.deep.equal([
      'missing bbws:environment among its own tags {"bbws:component":"x"}: add them.',
    ]);
    expect(await messages(rule, custom({}))).to.deep.equal([]);
    expect(await messages(rule, custom({ tags: null }))).to.deep.equal([]);
  });

  it("environment-tag-matches-stack: compares with the stack's environment, skips other stack names", async () => {
    const rule = "environment-tag-matches-stack";
    const inStack = (stack: string, environment: string) => {
      const r = good.logGroup({ tags: tags(environment, "logs") });
      return { ...r, urn: r.urn.replace(/^urn:pulumi:[^:]+::/, `urn:pulumi:${stack}::`) };
    };
    expect(await messages(rule, inStack("prod", "dev"))).to.deep.equal([
      'bbws:environment is "dev" in stack prod: set "prod".',
    ]);
    expect(await messages(rule, inStack("test.acme", "test"))).to.deep.equal([]);
    expect(await messages(rule, inStack("sandbox", "dev"))).to.deep.equal([]);
    expect(await messages(rule, good.logGroup({ tags: { "bbws:component": "logs" } }))).to.deep.equal([]);
  });

  it("tenant-tag-matches-tenant: only resources inside a tenant, only when tagged", async () => {
    const rule = "tenant-tag-matches-tenant";
    expect(await messages(rule, good.secret({ tags: tags("dev", "secrets") }))).to.deep.equal([]);
    expect(await messages(rule, good.logGroup({ tags: tags("dev", "logs", "globex") }))).to.deep.equal([]);
    const stray = good.secret({ tags: tags("dev", "secrets", "globex") });
    expect(await messages(rule, stray)).to.deep.equal([
      `${stray.name} is tagged bbws:tenant-id="globex" inside tenant acme.`,
    ]);
  });

  it("ecs-service-propagates-tags: SERVICE or TASK_DEFINITION", async () => {
    const rule = "ecs-service-propagates-tags";
    expect(await messages(rule, good.service({ propagateTags: "TASK_DEFINITION" }))).to.deep.equal([]);
    expect(await messages(rule, good.service({ propagateTags: undefined }))).to.deep.equal([
      'propagateTags is undefined: set "SERVICE" so tasks carry the tenant\'s tags.',
    ]);
  });
});

describe("policy rule branches: network, EFS, backup, IAM", () => {
  const rule = (type: string, inputs: Record<string, unknown>, name = "rule") =>
    fixture(type, { tags: tags("dev", "network"), ...inputs }, { name });
  const SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
  const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

  it("no-public-ingress-to-high-risk-ports: protocols by name and number, port ranges, IPv6, egress", async () => {
    const name = "no-public-ingress-to-high-risk-ports";
    const ingress = (inputs: Record<string, unknown>) =>
      rule(INGRESS, { securityGroupId: "sg-x", ...inputs });
    expect(
      await messages(name, ingress({ ipProtocol: "6", fromPort: 3300, toPort: 3310, cidrIpv4: "0.0.0.0/0" })),
    ).to.deep.equal([
      "ingress allows tcp 3300-3310 from 0.0.0.0/0, which includes an administration or data port: restrict the source.",
    ]);
    expect(
      await messages(name, ingress({ ipProtocol: "17", fromPort: 2049, cidrIpv6: "::/0" })),
    ).to.deep.equal([
      "ingress allows udp 2049-2049 from ::/0, which includes an administration or data port: restrict the source.",
    ]);
    expect(await messages(name, ingress({ ipProtocol: -1, cidrIpv4: "0.0.0.0/0" }))).to.deep.equal([
      "ingress allows all traffic from 0.0.0.0/0, which includes an administration or data port: restrict the source.",
    ]);
    expect(await messages(name, ingress({ ipProtocol: "ALL", cidrIpv4: "0.0.0.0/0" }))).to.have.length(1);
    // Boundaries of a range, other protocols, other sources.
    expect(
      await messages(name, ingress({ ipProtocol: "tcp", fromPort: 21, toPort: 21, cidrIpv4: "0.0.0.0/0" })),
    ).to.have.length(1);
    expect(
      await messages(
        name,
        ingress({ ipProtocol: "tcp", fromPort: 9300, toPort: 9400, cidrIpv4: "0.0.0.0/0" }),
      ),
    ).to.have.length(1);
    expect(
      await messages(
        name,
        ingress({ ipProtocol: "tcp", fromPort: 9301, toPort: 9400, cidrIpv4: "0.0.0.0/0" }),
      ),
    ).to.deep.equal([]);
    expect(
      await messages(name, ingress({ ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" })),
    ).to.deep.equal([]);
    expect(
      await messages(
        name,
        ingress({ ipProtocol: "icmp", fromPort: 3306, toPort: 3306, cidrIpv4: "0.0.0.0/0" }),
      ),
    ).to.deep.equal([]);
    expect(
      await messages(name, ingress({ ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "10.0.0.0/8" })),
    ).to.deep.equal([]);
    expect(
      await messages(name, ingress({ ipProtocol: "tcp", fromPort: "22", cidrIpv4: "0.0.0.0/0" })),
    ).to.have.length(1);
    expect(await messages(name, ingress({ ipProtocol: "tcp", cidrIpv4: "0.0.0.0/0" }))).to.deep.equal([]);
    // aws.ec2.SecurityGroupRule: only ingress; both address families.
    const legacy = (inputs: Record<string, unknown>) =>
      rule(SG_RULE, { securityGroupId: "sg-x", protocol: "tcp", fromPort: 22, toPort: 22, ...inputs });
    expect(await messages(name, legacy({ type: "egress", cidrBlocks: ["0.0.0.0/0"] }))).to.deep.equal([]);
    expect(
      await messages(name, legacy({ type: "ingress", cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] })),
    ).to.deep.equal([
      "ingress allows tcp 22-22 from 0.0.0.0/0, which includes an administration or data port: restrict the source.",
      "ingress allows tcp 22-22 from ::/0, which includes an administration or data port: restrict the source.",
    ]);
    // Inline rules of a default security group.
    expect(
      await messages(
        name,
        good.defaultSecurityGroup({
          ingress: [{ protocol: "tcp", fromPort: 3389, toPort: 3389, ipv6CidrBlocks: ["::/0"] }],
        }),
      ),
    ).to.have.length(1);
  });

  it("no-public-ingress-except-alb-web: names the rule, the group, and what may be public", async () => {
    const name = "no-public-ingress-except-alb-web";
    const alb = good.securityGroup("alb-sg", "sg-alb");
    const lb = good.loadBalancer("dev", { securityGroups: [alb.id] });
    const tasks = good.securityGroup("tasks-sg", "sg-tasks");
    const open = (group: RecordedResource, from: number, to: number, ruleName: string) =>
      rule(
        INGRESS,
        { securityGroupId: group.id, ipProtocol: "tcp", fromPort: from, toPort: to, cidrIpv4: "0.0.0.0/0" },
        ruleName,
      );
    expect(
      await messages(name, alb, lb, open(alb, 443, 443, "https"), open(alb, 80, 80, "http")),
    ).to.deep.equal([]);
    expect(await messages(name, alb, lb, open(alb, 80, 443, "range"))).to.deep.equal([
      "range allows tcp 80-443 from 0.0.0.0/0 on a load balancer group: only TCP 80 and 443 may be public.",
    ]);
    expect(await messages(name, alb, lb, tasks, open(tasks, 443, 443, "tasks-https"))).to.deep.equal([
      "tasks-https allows tcp 443-443 from 0.0.0.0/0 on security group tasks-sg, which no application load balancer uses: admit only the load balancers' security group.",
    ]);
    expect(await messages(name, open(tasks, 443, 443, "orphan"))).to.deep.equal([
      "orphan allows tcp 443-443 from 0.0.0.0/0 on a security group, which no application load balancer uses: admit only the load balancers' security group.",
    ]);
    // A network load balancer's group is not an ALB group.
    const nlb = good.loadBalancer("dev", { loadBalancerType: "network", securityGroups: [alb.id] });
    expect(await messages(name, alb, nlb, open(alb, 443, 443, "nlb"))).to.have.length(1);
    // UDP 443 is not web traffic.
    const udp = rule(
      INGRESS,
      { securityGroupId: alb.id, ipProtocol: "udp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" },
      "quic",
    );
    expect(await messages(name, alb, lb, udp)).to.have.length(1);
    // Private sources are fine anywhere.
    const inner = rule(
      INGRESS,
      {
        securityGroupId: tasks.id,
        ipProtocol: "tcp",
        fromPort: 80,
        toPort: 80,
        referencedSecurityGroupId: alb.id,
      },
      "inner",
    );
    expect(await messages(name, tasks, inner)).to.deep.equal([]);
  });

  it("default-security-group-no-rules: counts ingress and egress", async () => {
    const name = "default-security-group-no-rules";
    expect(await messages(name, good.defaultSecurityGroup())).to.deep.equal([]);
    expect(
      await messages(
        name,
        good.defaultSecurityGroup({ egress: [{ protocol: "-1", cidrBlocks: ["0.0.0.0/0"] }] }),
      ),
    ).to.deep.equal(["the default security group has 0 ingress and 1 egress rule(s): remove them."]);
    expect(
      await messages(name, good.defaultSecurityGroup({ ingress: [{ protocol: "-1", self: true }] })),
    ).to.deep.equal(["the default security group has 1 ingress and 0 egress rule(s): remove them."]);
  });

  it("vpc-flow-logs: REJECT or ALL, by vpcId, by dependency, or through the awsx component", async () => {
    const name = "vpc-flow-logs";
    const vpc = fixture(
      "aws:ec2/vpc:Vpc",
      { cidrBlock: "10.0.0.0/16", tags: tags("dev", "network") },
      { name: "vpc", id: "vpc-1" },
    );
    const log = (
      trafficType: string,
      inputs: Record<string, unknown> = { vpcId: "vpc-1" },
      dependsOn: RecordedResource[] = [],
    ) =>
      fixture(
        "aws:ec2/flowLog:FlowLog",
        { trafficType, ...inputs, tags: tags("dev", "network") },
        { dependsOn },
      );
    expect(await messages(name, vpc)).to.deep.equal([
      "VPC vpc has no flow log with trafficType REJECT or ALL: add an aws.ec2.FlowLog.",
    ]);
    expect(await messages(name, vpc, log("ACCEPT"))).to.have.length(1);
    expect(await messages(name, vpc, log("ALL"))).to.deep.equal([]);
    expect(await messages(name, vpc, log("REJECT", {}, [vpc]))).to.deep.equal([]);
    const component = fixture(
      "awsx:ec2:Vpc",
      { tags: tags("dev", "network") },
      { custom: false, name: "net", id: "" },
    );
    const child = { ...vpc, parent: component.urn };
    expect(await messages(name, component, child, log("REJECT", {}, [component]))).to.deep.equal([]);
    // The component stands for its VPC only when the VPC is not planned itself.
    expect(await messages(name, component, child)).to.deep.equal([
      "VPC vpc has no flow log with trafficType REJECT or ALL: add an aws.ec2.FlowLog.",
    ]);
  });

  it("EFS file systems: encryption and key apart; One Zone named", async () => {
    expect(
      await messages("efs-encrypted-with-cmk", good.fileSystem({ encrypted: false, kmsKeyId: undefined })),
    ).to.deep.equal([
      "encrypted is false: set encrypted: true.",
      "kmsKeyId is not set: encrypt with the environment's data key (a CMK).",
    ]);
    expect(
      await messages("efs-regional", good.fileSystem({ availabilityZoneName: "af-south-1b" })),
    ).to.deep.equal(['availabilityZoneName is "af-south-1b": remove it for a Regional file system.']);
  });

  it("efs-access-point-root-directory: path and creation info, each required", async () => {
    const name = "efs-access-point-root-directory";
    expect(await messages(name, good.accessPoint({ rootDirectory: { path: "" } }))).to.deep.equal([
      'rootDirectory.path is "": set a directory of its own, e.g. /tenants/<tenant-id>.',
      'rootDirectory.creationInfo is undefined: set { ownerUid: 33, ownerGid: 33, permissions: "755" }.',
    ]);
    for (const creationInfo of [
      { ownerGid: 33, permissions: "755" },
      { ownerUid: 33, permissions: "755" },
      { ownerUid: 33, ownerGid: 33, permissions: "" },
    ])
      expect(
        await messages(name, good.accessPoint({ rootDirectory: { path: "/tenants/acme", creationInfo } })),
        JSON.stringify(creationInfo),
      ).to.have.length(1);
    expect(
      await messages(
        name,
        good.accessPoint({
          rootDirectory: {
            path: "/tenants/acme",
            creationInfo: { ownerUid: 0, ownerGid: 0, permissions: "700" },
          },
        }),
      ),
    ).to.deep.equal([]);
    expect(await messages(name, maintenanceAccessPoint())).to.deep.equal([]);
  });

  it("efs-access-point-posix-user: set, non-root integer ids; maintenance exempt", async () => {
    const name = "efs-access-point-posix-user";
    expect(await messages(name, good.accessPoint({ posixUser: undefined }))).to.deep.equal([
      "posixUser is not set: set { uid: 33, gid: 33 } so every access goes through that identity.",
    ]);
    expect(await messages(name, good.accessPoint({ posixUser: { uid: 33, gid: 0 } }))).to.deep.equal([
      'posixUser is {"uid":33,"gid":0}: use a non-root uid and gid such as { uid: 33, gid: 33 }.',
    ]);
    for (const posixUser of [
      { uid: 0, gid: 33 },
      { uid: 1.5, gid: 33 },
      { uid: "33", gid: 33 },
    ])
      expect(await messages(name, good.accessPoint({ posixUser })), JSON.stringify(posixUser)).to.have.length(
        1,
      );
    expect(await messages(name, good.accessPoint({ posixUser: { uid: 1, gid: 1 } }))).to.deep.equal([]);
    expect(await messages(name, maintenanceAccessPoint())).to.deep.equal([]);
  });

  it("efs-tenant-access-point-own-directory: the tag is required; platform access points are not checked", async () => {
    const name = "efs-tenant-access-point-own-directory";
    expect(await messages(name, good.accessPoint({ tags: tags("dev", "efs") }))).to.deep.equal([
      "the tenant access point has no bbws:tenant-id tag: its directory cannot be checked.",
    ]);
    expect(
      await messages(name, good.accessPoint({ tags: { ...tags("dev", "efs"), "bbws:tenant-id": "" } })),
    ).to.have.length(1);
    const platform = fixture("aws:efs/accessPoint:AccessPoint", {
      rootDirectory: { path: "/shared" },
      tags: tags("dev", "efs"),
    });
    expect(await messages(name, platform)).to.deep.equal([]);
  });

  it("efs-file-system-policy-restricts-access: each missing deny named; policies found by id or dependency", async () => {
    const name = "efs-file-system-policy-restricts-access";
    const fs = good.fileSystem();
    expect(await messages(name, fs)).to.deep.equal([
      "file system bbws-dev-efs has no aws.efs.FileSystemPolicy: add one with the three denies (createFileSystemPolicy).",
    ]);
    const allow = { Effect: "Allow", Principal: { AWS: "*" }, Action: "*", Resource: "*" };
    expect(await messages(name, fs, good.fileSystemPolicy([allow], fs))).to.deep.equal([
      'file system policy bbws-dev-efs-policy lacks a Deny of NFS without TLS (Bool aws:SecureTransport "false"); ' +
        'a Deny of ClientMount and ClientWrite without an access point (Null elasticfilesystem:AccessPointArn "true"); ' +
        "a Deny of ClientRootAccess except through the maintenance access point.",
    ]);
    // A root deny without a condition, and ArnNotEquals, both count; a deny to one role does not.
    const tls = {
      Effect: "Deny",
      Principal: "*",
      Action: "elasticfilesystem:ClientMount",
      Condition: { Bool: { "aws:securetransport": false } },
    };
    const noAp = {
      Effect: "Deny",
      Principal: "*",
      Action: "elasticfilesystem:Client*",
      Condition: { Null: { "ElasticFileSystem:AccessPointArn": "true" } },
    };
    const rootDeny = { Effect: "Deny", Principal: "*", Action: "elasticfilesystem:ClientRootAccess" };
    const rootArn = {
      ...rootDeny,
      Condition: { ArnNotEquals: { "elasticfilesystem:AccessPointArn": "arn:ap" } },
    };
    expect(await messages(name, fs, good.fileSystemPolicy([tls, noAp, rootDeny], fs))).to.deep.equal([]);
    expect(await messages(name, fs, good.fileSystemPolicy([tls, noAp, rootArn], fs))).to.deep.equal([]);
    const narrow = { ...rootDeny, Principal: { AWS: "arn:aws:iam::123456789012:role/x" } };
    expect(await messages(name, fs, good.fileSystemPolicy([tls, noAp, narrow], fs))).to.deep.equal([
      "file system policy bbws-dev-efs-policy lacks a Deny of ClientRootAccess except through the maintenance access point.",
    ]);
    const rootOther = {
      ...rootDeny,
      Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": "arn:ap" } },
    };
    expect(await messages(name, fs, good.fileSystemPolicy([tls, noAp, rootOther], fs))).to.have.length(1);
    const tlsTrue = { ...tls, Condition: { Bool: { "aws:SecureTransport": "true" } } };
    expect(await messages(name, fs, good.fileSystemPolicy([tlsTrue, noAp, rootDeny], fs))).to.have.length(1);
    const mountOnly = { ...noAp, Action: "elasticfilesystem:ClientMount" };
    expect(await messages(name, fs, good.fileSystemPolicy([tls, mountOnly, rootDeny], fs))).to.have.length(1);
    // Found through its fileSystemId even without a recorded dependency.
    const byId = { ...good.fileSystemPolicy(undefined, fs), dependencies: [] };
    expect(await messages(name, fs, byId)).to.deep.equal([]);
    // Another file system's policy does not count.
    const other = good.fileSystem({}, { name: "other-efs", id: "fs-9999" });
    expect(
      await messages(name, fs, { ...good.fileSystemPolicy(undefined, other), dependencies: [] }),
    ).to.have.length(1);
  });

  it("efs-mount-targets-in-private-subnets: only subnets that map public IPs", async () => {
    const name = "efs-mount-targets-in-private-subnets";
    const subnet = (mapPublicIpOnLaunch: boolean) =>
      fixture(
        "aws:ec2/subnet:Subnet",
        { vpcId: "vpc-1", mapPublicIpOnLaunch, tags: tags("dev", "network") },
        { name: "subnet-a", id: "subnet-a" },
      );
    const target = fixture(
      "aws:efs/mountTarget:MountTarget",
      { fileSystemId: "fs-0123", subnetId: "subnet-a" },
      { name: "mt-a" },
    );
    expect(await messages(name, subnet(true), target)).to.deep.equal([
      "mount target mt-a is in subnet subnet-a, which maps public IPs on launch: use a private subnet.",
    ]);
    expect(await messages(name, subnet(false), target)).to.deep.equal([]);
  });

  it("backup-vault-cmk and backup-plan-lifecycles-valid: missing delete-after, copy actions named", async () => {
    expect(await messages("backup-vault-cmk", good.vault("dev", { kmsKeyArn: "" }))).to.deep.equal([
      "kmsKeyArn is not set: give the vault its own CMK (in the vault's region).",
    ]);
    const name = "backup-plan-lifecycles-valid";
    expect(
      await messages(
        name,
        good.plan([
          {
            ruleName: "daily",
            schedule: "cron(0 5 ? * * *)",
            copyActions: [{ lifecycle: { coldStorageAfter: 1 } }, {}],
          },
        ]),
      ),
    ).to.deep.equal([
      "rule daily: no lifecycle.deleteAfter, so recovery points are kept (and billed) forever",
      "copy action #1 of rule daily: no lifecycle.deleteAfter, so recovery points are kept (and billed) forever",
      "copy action #2 of rule daily: no lifecycle.deleteAfter, so recovery points are kept (and billed) forever",
    ]);
    expect(await messages(name, good.plan([{ lifecycle: { deleteAfter: "35" } }]))).to.deep.equal([]);
    expect(
      await messages(name, good.plan([{ lifecycle: { deleteAfter: 7, coldStorageAfter: 1 } }])),
    ).to.deep.equal([
      "rule unnamed: delete-after (7 days) must be at least cold-storage-after (1) + 90 = 91 days: AWS Backup keeps a recovery point in cold storage for at least 90 days (raise delete-after or drop cold storage)",
    ]);
  });

  it("backup-no-cold-storage-for-aurora: selections by ARN or dependency; rules without cold storage pass", async () => {
    const name = "backup-no-cold-storage-for-aurora";
    const cluster = good.dbCluster("dev");
    const plan = good.plan([
      good.hourlyRule({ deleteAfter: 120, coldStorageAfter: 30 }),
      good.hourlyRule({ deleteAfter: 7 }, { ruleName: "warm" }),
    ]);
    const byArn = fixture(
      "aws:backup/selection:Selection",
      { planId: plan.id, resources: ["arn:aws:rds:af-south-1:123456789012:cluster:x"] },
      { name: "db-sel", dependsOn: [plan] },
    );
    const found = await messages(name, plan, byArn);
    expect(found).to.have.length(1);
    expect(found[0]).to.match(
      /^plan bbws-dev-hourly, rule hourly: .*Aurora.* \(selection db-sel includes Aurora\)$/,
    );
    const byDependency = fixture(
      "aws:backup/selection:Selection",
      { planId: plan.id, resources: [] },
      { name: "dep-sel", dependsOn: [plan, cluster] },
    );
    expect(await messages(name, cluster, plan, byDependency)).to.have.length(1);
    const efsOnly = fixture(
      "aws:backup/selection:Selection",
      { planId: plan.id, resources: ["arn:aws:elasticfilesystem:af-south-1:123456789012:file-system/fs-1"] },
      { dependsOn: [plan] },
    );
    expect(await messages(name, plan, efsOnly)).to.deep.equal([]);
  });

  it("backup-plan-hourly-with-retention: schedules, and retention per rule", async () => {
    const name = "backup-plan-hourly-with-retention";
    const planWith = (schedule: unknown, deleteAfter: unknown = 7) =>
      good.plan([
        { ruleName: "r", schedule, lifecycle: deleteAfter === undefined ? undefined : { deleteAfter } },
      ]);
    for (const schedule of [
      "cron(0 * ? * * *)",
      "cron(15 */1 ? * * *)",
      "cron(0 0/1 * * ? *)",
      "cron(0 0-23 * * ? *)",
      "rate(1 hour)",
      "rate(60 minutes)",
      " RATE(30 Minutes) ",
      "rate(1 hours)",
    ])
      expect(await messages(name, planWith(schedule)), schedule).to.deep.equal([]);
    for (const schedule of [
      "cron(0 5 ? * * *)",
      "rate(2 hours)",
      "rate(61 minutes)",
      "cron(0 */2 * * ? *)",
      "every hour",
      3600,
    ])
      expect(await messages(name, planWith(schedule)), String(schedule)).to.have.length(1);
    expect(await messages(name, planWith("rate(2 hours)"))).to.deep.equal([
      'no rule runs hourly (schedules ["rate(2 hours)"]): add cron(0 * ? * * *).',
    ]);
    expect(await messages(name, planWith("rate(1 hour)", 6))).to.deep.equal([
      'rule "r" keeps recovery points 6 day(s): keep at least 7.',
    ]);
    expect(await messages(name, planWith("rate(1 hour)", undefined))).to.deep.equal([]);
  });

  it("backup-vault-locked-in-prod: a lock or a deny policy, attached by dependency or vault name", async () => {
    const name = "backup-vault-locked-in-prod";
    const vault = good.vault("prod");
    const policy = (statement: Record<string, unknown>, by: "dependency" | "name") =>
      fixture(
        "aws:backup/vaultPolicy:VaultPolicy",
        { backupVaultName: by === "name" ? vault.id : "other", policy: policyDocument(statement) },
        { environment: "prod", dependsOn: by === "dependency" ? [vault] : [] },
      );
    const deny = { Effect: "Deny", Principal: "*", Action: "backup:Delete*", Resource: "*" };
    expect(await messages(name, vault, policy(deny, "dependency"))).to.deep.equal([]);
    expect(await messages(name, vault, policy(deny, "name"))).to.deep.equal([]);
    expect(await messages(name, vault, policy({ ...deny, Effect: "Allow" }, "dependency"))).to.deep.equal([
      "vault bbws-prod-vault has neither a Vault Lock nor a policy denying DeleteRecoveryPoint.",
    ]);
    expect(
      await messages(name, vault, policy({ ...deny, Action: "backup:StartBackupJob" }, "dependency")),
    ).to.have.length(1);
  });

  it("backup-covers-stateful-resources: by tag, by condition, by EFS backup policy", async () => {
    const name = "backup-covers-stateful-resources";
    const fs = good.fileSystem({ tags: { ...tags("dev", "efs"), backup: "hourly" } });
    const plan = good.plan([good.hourlyRule()]);
    const selection = (inputs: Record<string, unknown>) =>
      fixture("aws:backup/selection:Selection", { planId: plan.id, ...inputs }, { dependsOn: [plan] });
    expect(
      await messages(
        name,
        fs,
        plan,
        selection({ selectionTags: [{ type: "STRINGEQUALS", key: "backup", value: "hourly" }] }),
      ),
    ).to.deep.equal([]);
    expect(
      await messages(
        name,
        fs,
        plan,
        selection({ selectionTags: [{ type: "STRINGLIKE", key: "backup", value: "hourly" }] }),
      ),
    ).to.deep.equal(["bbws-dev-efs is in no AWS Backup selection: add it to the hourly plan."]);
    const byCondition = (resources: string[], value = "hourly") =>
      selection({ resources, conditions: [{ stringEquals: [{ key: "aws:ResourceTag/backup", value }] }] });
    expect(await messages(name, fs, plan, byCondition([]))).to.deep.equal([]);
    expect(await messages(name, fs, plan, byCondition(["*"]))).to.deep.equal([]);
    expect(await messages(name, fs, plan, byCondition(["arn:aws:rds:x"]))).to.have.length(1);
    expect(await messages(name, fs, plan, byCondition([], "daily"))).to.have.length(1);
    expect(await messages(name, fs, plan, selection({ conditions: [{ stringEquals: [] }] }))).to.have.length(
      1,
    );
    const efsPolicy = (status: string) =>
      fixture(
        "aws:efs/backupPolicy:BackupPolicy",
        { fileSystemId: fs.id, backupPolicy: { status } },
        { dependsOn: [fs] },
      );
    expect(await messages(name, fs, efsPolicy("ENABLED"))).to.deep.equal([]);
    expect(await messages(name, fs, efsPolicy("DISABLED"))).to.have.length(1);
    const arnTarget = good.dbCluster("dev", { arn: "arn:aws:rds:af-south-1:123456789012:cluster:db" });
    expect(
      await messages(
        name,
        arnTarget,
        plan,
        selection({ resources: ["arn:aws:rds:af-south-1:123456789012:cluster:db"] }),
      ),
    ).to.deep.equal([]);
  });

  it("iam-no-wildcard-actions: NotAction, *, service:*, only in Allow statements", async () => {
    const name = "iam-no-wildcard-actions";
    const doc = (...statements: Record<string, unknown>[]) => good.rolePolicy(policyDocument(...statements));
    expect(
      await messages(
        name,
        doc({
          Sid: "Broad",
          Effect: "Allow",
          NotAction: "iam:*",
          Action: ["*", "s3:*", "s3:Get*"],
          Resource: "*",
        }),
      ),
    ).to.deep.equal([
      'the role policy, statement "Broad" allows everything except ["iam:*"]: list the allowed actions instead.',
      'the role policy, statement "Broad" allows every action ("*"): list the actions the role needs.',
      'the role policy, statement "Broad" allows s3:*, every action of the service: list the actions the role needs.',
    ]);
    expect(await messages(name, doc({ Effect: "Deny", Action: "*", Resource: "*" }))).to.deep.equal([]);
    expect(
      await messages(
        name,
        doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }, { Action: "ec2:*" }),
      ),
    ).to.deep.equal([
      "the role policy, statement #2 allows ec2:*, every action of the service: list the actions the role needs.",
    ]);
    const policy = fixture("aws:iam/policy:Policy", {
      policy: policyDocument({ Effect: "Allow", Action: "*" }),
      tags: tags("dev", "iam"),
    });
    expect(await messages(name, policy)).to.deep.equal([
      'the policy, statement #1 allows every action ("*"): list the actions the role needs.',
    ]);
    const user = fixture("aws:iam/userPolicy:UserPolicy", {
      policy: policyDocument({ Effect: "Allow", Action: "*" }),
    });
    expect(await messages(name, user)).to.have.length(1);
    const group = fixture("aws:iam/groupPolicy:GroupPolicy", {
      policy: policyDocument({ Effect: "Allow", Action: "*" }),
    });
    expect(await messages(name, group)).to.deep.equal([
      'the group policy, statement #1 allows every action ("*"): list the actions the role needs.',
    ]);
    const role = good.role({
      inlinePolicies: [{ name: "inline", policy: policyDocument({ Effect: "Allow", Action: "*" }) }],
    });
    expect(await messages(name, role)).to.deep.equal([
      'inline policy "inline", statement #1 allows every action ("*"): list the actions the role needs.',
    ]);
  });

  it("iam-no-wildcard-resource-for-scoped-actions: only actions without resource-level permissions", async () => {
    const name = "iam-no-wildcard-resource-for-scoped-actions";
    const doc = (statement: Record<string, unknown>) => good.rolePolicy(policyDocument(statement));
    expect(
      await messages(
        name,
        doc({
          Effect: "Allow",
          Action: ["ECR:GetAuthorizationToken", "logs:DescribeLogGroups"],
          Resource: "*",
        }),
      ),
    ).to.deep.equal([]);
    expect(
      await messages(
        name,
        doc({ Effect: "Allow", Action: ["ecr:GetAuthorizationToken", "ecr:BatchGetImage"], Resource: ["*"] }),
      ),
    ).to.deep.equal([
      'the role policy, statement #1 allows ["ecr:BatchGetImage"] on Resource "*": name the ARNs (only actions without resource-level permissions may use *).',
    ]);
    expect(
      await messages(name, doc({ Effect: "Deny", Action: "s3:GetObject", Resource: "*" })),
    ).to.deep.equal([]);
    expect(
      await messages(name, doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" })),
    ).to.deep.equal([]);
  });

  it("iam-role-trust-names-principal and iam-ecs-trust-confused-deputy", async () => {
    const trust = (...statements: Record<string, unknown>[]) =>
      good.role({ assumeRolePolicy: policyDocument(...statements) });
    expect(
      await messages(
        "iam-role-trust-names-principal",
        trust({ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }),
      ),
    ).to.deep.equal(["trust statement #1 lets any principal assume the role: name the service or account."]);
    expect(
      await messages(
        "iam-role-trust-names-principal",
        trust({ Sid: "Any", Effect: "Allow", Principal: { AWS: ["arn:aws:iam::1:root", "*"] } }),
      ),
    ).to.deep.equal([
      'trust statement "Any" lets any principal assume the role: name the service or account.',
    ]);
    expect(
      await messages("iam-role-trust-names-principal", trust({ Effect: "Deny", Principal: "*" })),
    ).to.deep.equal([]);
    const ecs = (condition: Record<string, unknown> | undefined) => ({
      Effect: "Allow",
      Principal: { Service: ["ecs-tasks.amazonaws.com"] },
      Action: "sts:AssumeRole",
      ...(condition ? { Condition: condition } : {}),
    });
    const name = "iam-ecs-trust-confused-deputy";
    expect(await messages(name, trust(ecs(undefined)))).to.deep.equal([
      'trust statement #1 lets ECS tasks assume the role without aws:SourceAccount and aws:SourceArn: add StringEquals aws:SourceAccount <account> and ArnLike aws:SourceArn "arn:<partition>:ecs:<region>:<account>:*".',
    ]);
    expect(await messages(name, trust(ecs({ StringEquals: { "AWS:SourceAccount": "1" } })))).to.deep.equal([
      'trust statement #1 lets ECS tasks assume the role without aws:SourceArn: add StringEquals aws:SourceAccount <account> and ArnLike aws:SourceArn "arn:<partition>:ecs:<region>:<account>:*".',
    ]);
    expect(
      await messages(
        name,
        trust(ecs({ StringEquals: { "aws:SourceAccount": "1" }, ArnLike: { "aws:SourceArn": "x" } })),
      ),
    ).to.deep.equal([]);
    expect(
      await messages(name, trust({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" } })),
    ).to.deep.equal([]);
    expect(await messages(name, trust({ ...ecs(undefined), Effect: "Deny" }))).to.deep.equal([]);
  });

  it("kms-decrypt-secrets-encryption-context: tenant grants go through Secrets Manager or Parameter Store and name secrets or parameters", async () => {
    const name = "kms-decrypt-secrets-encryption-context";
    const decrypt = (condition?: Record<string, unknown>, action: unknown = "kms:Decrypt") => ({
      Effect: "Allow",
      Action: action,
      Resource: "arn:aws:kms:af-south-1:123456789012:key/data",
      ...(condition ? { Condition: condition } : {}),
    });
    const tenantDoc = (s: Record<string, unknown>) => good.rolePolicy(policyDocument(s));
    const platformDoc = (s: Record<string, unknown>) => good.rolePolicy(policyDocument(s), {});
    expect(await messages(name, tenantDoc(decrypt()))).to.deep.equal([
      'the role policy, statement #1 allows kms:Decrypt outside Secrets Manager and Parameter Store: add StringEquals kms:ViaService "secretsmanager.<region>.amazonaws.com" (secrets) or "ssm.<region>.amazonaws.com" (parameters).',
      "the role policy, statement #1 allows kms:Decrypt for any secret: add StringEquals kms:EncryptionContext:SecretARN with the exact secret ARNs.",
    ]);
    const via = { "kms:ViaService": "secretsmanager.af-south-1.amazonaws.com" };
    expect(
      await messages(
        name,
        tenantDoc(
          decrypt({ StringEquals: { ...via, "kms:EncryptionContext:SecretARN": ["arn:s:1", "arn:s:*"] } }),
        ),
      ),
    ).to.deep.equal([
      'the role policy, statement #1 allows kms:Decrypt for ["arn:s:1","arn:s:*"]: add StringEquals kms:EncryptionContext:SecretARN with the exact secret ARNs.',
    ]);
    expect(
      await messages(
        name,
        tenantDoc(decrypt({ StringEquals: { ...via, "kms:EncryptionContext:SecretARN": "arn:s:1" } })),
      ),
    ).to.deep.equal([]);
    // Parameter Store decrypts with the parameter's ARN as context (PARAMETER_ARN), not SecretARN.
    const ssm = { "kms:ViaService": "ssm.af-south-1.amazonaws.com" };
    const parameter = "arn:aws:ssm:af-south-1:123456789012:parameter/bbws/dev/acme/admin-password";
    expect(
      await messages(
        name,
        tenantDoc(decrypt({ StringEquals: { ...ssm, "kms:EncryptionContext:PARAMETER_ARN": [parameter] } })),
      ),
    ).to.deep.equal([]);
    expect(
      await messages(
        name,
        tenantDoc(decrypt({ StringEquals: { ...ssm, "kms:EncryptionContext:SecretARN": parameter } })),
      ),
    ).to.deep.equal([
      "the role policy, statement #1 allows kms:Decrypt for any parameter: add StringEquals kms:EncryptionContext:PARAMETER_ARN with the exact parameter ARNs.",
    ]);
    expect(
      await messages(
        name,
        tenantDoc(
          decrypt({
            StringLike: { ...ssm, "kms:EncryptionContext:PARAMETER_ARN": "arn:aws:ssm:*:*:parameter/bbws/*" },
          }),
        ),
      ),
    ).to.deep.equal([
      'the role policy, statement #1 allows kms:Decrypt for ["arn:aws:ssm:*:*:parameter/bbws/*"]: add StringEquals kms:EncryptionContext:PARAMETER_ARN with the exact parameter ARNs.',
    ]);
    // One statement for both services matches neither (each request carries one context).
    expect(
      await messages(
        name,
        tenantDoc(
          decrypt({
            StringEquals: {
              "kms:ViaService": ["secretsmanager.af-south-1.amazonaws.com", "ssm.af-south-1.amazonaws.com"],
              "kms:EncryptionContext:SecretARN": "arn:s:1",
              "kms:EncryptionContext:PARAMETER_ARN": parameter,
            },
          }),
        ),
      ),
    ).to.deep.equal([
      "the role policy, statement #1 allows kms:Decrypt through Secrets Manager and Parameter Store at once: split it, one statement per service with its own encryption context.",
    ]);
    // ssmmessages (Session Manager) is not Parameter Store.
    expect(
      await messages(
        name,
        tenantDoc(decrypt({ StringEquals: { "kms:ViaService": "ssmmessages.af-south-1.amazonaws.com" } })),
      ),
    ).to.have.length(2);
    // Platform policies: a bare decrypt is fine; one through Secrets Manager must name secrets.
    expect(await messages(name, platformDoc(decrypt()))).to.deep.equal([]);
    expect(await messages(name, platformDoc(decrypt({ StringEquals: via })))).to.have.length(1);
    expect(await messages(name, platformDoc(decrypt({ StringEquals: ssm })))).to.deep.equal([
      "the role policy, statement #1 allows kms:Decrypt for any parameter: add StringEquals kms:EncryptionContext:PARAMETER_ARN with the exact parameter ARNs.",
    ]);
    // Wildcard grants of kms:Decrypt count; other actions and denies do not.
    expect(await messages(name, tenantDoc(decrypt(undefined, "kms:*")))).to.have.length(2);
    expect(await messages(name, tenantDoc(decrypt(undefined, "kms:Encrypt")))).to.deep.equal([]);
    expect(await messages(name, tenantDoc({ ...decrypt(), Effect: "Deny" }))).to.deep.equal([]);
  });

  it("efs-client-access-through-access-point: root, client access, the maintenance exception", async () => {
    const name = "efs-client-access-through-access-point";
    const ap = { StringEquals: { "elasticfilesystem:AccessPointArn": "arn:ap" } };
    const s = (action: unknown, condition?: Record<string, unknown>) => ({
      Effect: "Allow",
      Action: action,
      Resource: "arn:fs",
      ...(condition ? { Condition: condition } : {}),
    });
    const tenantDoc = (st: Record<string, unknown>) => good.rolePolicy(policyDocument(st));
    expect(await messages(name, tenantDoc(s("elasticfilesystem:ClientRootAccess", ap)))).to.deep.equal([
      "the role policy, statement #1 grants elasticfilesystem:ClientRootAccess: root on the shared file system crosses tenants; remove it.",
    ]);
    expect(await messages(name, tenantDoc(s("elasticfilesystem:ClientWrite")))).to.deep.equal([
      "the role policy, statement #1 grants EFS client access without a condition on elasticfilesystem:AccessPointArn: add StringEquals on the tenant's access point ARN.",
    ]);
    expect(
      await messages(
        name,
        tenantDoc(
          s(["elasticfilesystem:ClientMount"], {
            StringLike: { "ElasticFileSystem:AccessPointArn": "arn:ap" },
          }),
        ),
      ),
    ).to.deep.equal([]);
    expect(await messages(name, tenantDoc({ ...s("elasticfilesystem:*"), Effect: "Deny" }))).to.deep.equal(
      [],
    );
    const maintenance = (st: Record<string, unknown>) =>
      inMaintenance(good.rolePolicy(policyDocument(st), {}));
    expect(
      await messages(
        name,
        maintenance(s(["elasticfilesystem:ClientRootAccess", "elasticfilesystem:ClientMount"], ap)),
      ),
    ).to.deep.equal([]);
    expect(await messages(name, maintenance(s(["elasticfilesystem:Client*"])))).to.deep.equal([
      "the role policy, statement #1 grants elasticfilesystem:ClientRootAccess without a condition on elasticfilesystem:AccessPointArn: maintenance tasks may be root only through the administrative access point.",
    ]);
  });

  it("tenant-iam-exact-resources: sensitive actions with * or ? resources, in tenant policies only", async () => {
    const name = "tenant-iam-exact-resources";
    const s = (action: unknown, resource: unknown) => ({
      Effect: "Allow",
      Action: action,
      Resource: resource,
    });
    expect(
      await messages(
        name,
        good.rolePolicy(
          policyDocument(
            s(["secretsmanager:GetSecretValue", "logs:PutLogEvents"], ["arn:s:acme-?", "arn:logs"]),
          ),
        ),
      ),
    ).to.deep.equal([
      'the role policy, statement #1 allows ["secretsmanager:GetSecretValue"] on ["arn:s:acme-?"]: name the tenant\'s own secret, parameter, key and file system ARNs.',
    ]);
    expect(
      await messages(name, good.rolePolicy(policyDocument(s("elasticfilesystem:ClientWrite", "arn:fs/*")))),
    ).to.have.length(1);
    // The administrator's password parameter: exactly its ARN, never the environment's path.
    for (const action of ["ssm:GetParameters", "ssm:GetParameter", "ssm:GetParam*"])
      expect(
        await messages(
          name,
          good.rolePolicy(
            policyDocument(s(action, "arn:aws:ssm:af-south-1:123456789012:parameter/bbws/dev/*")),
          ),
        ),
        action,
      ).to.have.length(1);
    expect(
      await messages(
        name,
        good.rolePolicy(
          policyDocument(
            s(
              "ssm:GetParameters",
              "arn:aws:ssm:af-south-1:123456789012:parameter/bbws/dev/acme/admin-password",
            ),
          ),
        ),
      ),
    ).to.deep.equal([]);
    expect(
      await messages(name, good.rolePolicy(policyDocument(s("logs:PutLogEvents", "arn:logs:*")))),
    ).to.deep.equal([]);
    expect(await messages(name, good.rolePolicy(policyDocument(s("kms:Decrypt", "arn:key"))))).to.deep.equal(
      [],
    );
    expect(
      await messages(name, good.rolePolicy(policyDocument({ ...s("kms:Decrypt", "*"), Effect: "Deny" }))),
    ).to.deep.equal([]);
    expect(await messages(name, good.rolePolicy(policyDocument(s("kms:Decrypt", "*")), {}))).to.deep.equal(
      [],
    );
  });
});

/** The platform's administrative access point: `/` as 0:0, by design. */
function maintenanceAccessPoint(): RecordedResource {
  return inMaintenance(
    fixture("aws:efs/accessPoint:AccessPoint", {
      fileSystemId: "fs-0123",
      posixUser: { uid: 0, gid: 0 },
      rootDirectory: { path: "/" },
      tags: tags("dev", "maintenance"),
    }),
  );
}

/** A platform resource created inside the MaintenanceTasks component (its URN's type chain says so). */
function inMaintenance(resource: RecordedResource): RecordedResource {
  const [prefix, project, type, name] = resource.urn.split("::");
  return { ...resource, urn: [prefix, project, `${MAINTENANCE_COMPONENT}$${type}`, name].join("::") };
}
