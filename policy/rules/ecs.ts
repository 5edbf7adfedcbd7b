/**
 * ECS rules: services (network exposure, safe deployments, capacity), task definitions
 * (secrets, EFS volumes, roles, logging, container hardening) and clusters.
 */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import {
  BbwsResourcePolicy,
  ContainerDefinition,
  asArray,
  asRecord,
  containersOf,
  describeRule,
  isProduction,
  show,
  isMaintenanceUrn,
  tagsOf,
} from "./common";

/** ECS.8 names these outright; anything else is judged by the shape of its name. */
const ALWAYS_SECRET_NAMES = new Set([
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "ECS_ENGINE_AUTH_DATA",
]);

/** Variable names that hold a credential (matched on the upper-cased name). */
const SECRET_NAME =
  /PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|SALT|CREDENTIAL|PRIVATE_?KEY|ACCESS_?KEY|API_?KEY|AUTH_?KEY|(^|_)KEY(_|$)|(^|_)PWD(_|$)/;

/** Names that point at a secret rather than hold it (the image's `*_FILE` variants, ARNs). */
const SECRET_REFERENCE = /_(FILE|ARN|PATH)$/;

/** `define('DB_PASSWORD', ...)` and the WordPress keys and salts written into wp-config.php. */
const SECRET_DEFINE =
  /define\(\s*['"](DB_PASSWORD|(SECURE_)?AUTH_KEY|LOGGED_IN_KEY|NONCE_KEY|(SECURE_)?AUTH_SALT|LOGGED_IN_SALT|NONCE_SALT)['"]/i;

/** An AWS access key id in a value. */
const ACCESS_KEY_VALUE = /\b(AKIA|ASIA)[A-Z0-9]{16}\b/;

/** Why a plain environment variable looks like a secret, or undefined when it does not. */
export function secretInEnvironment(name: string, value: unknown): string | undefined {
  const upper = name.toUpperCase();
  if (ALWAYS_SECRET_NAMES.has(upper)) return `its name ${name} is an AWS credential`;
  if (!SECRET_REFERENCE.test(upper) && SECRET_NAME.test(upper))
    return `its name ${name} says it holds a credential`;
  if (typeof value === "string") {
    if (ACCESS_KEY_VALUE.test(value)) return `its value contains an AWS access key id`;
    const define = SECRET_DEFINE.exec(value);
    if (define) return `its value defines ${define[1]} in wp-config.php`;
  }
  return undefined;
}

/** Containers that run as root: no `user`, or user root/0 (with or without a group). */
export function runsAsRoot(container: ContainerDefinition): boolean {
  const user = typeof container.user === "string" ? container.user.trim() : "";
  if (user === "") return true;
  const [uid] = user.split(":");
  return uid === "root" || uid === "0";
}

const containerName = (c: ContainerDefinition, i: number) =>
  c.name ? `container "${c.name}"` : `container #${i + 1}`;

/** Fargate sends SIGTERM and kills after `stopTimeout`; Spot gives two minutes in all. */
const MAX_STOP_TIMEOUT = 120;

export const ecsPolicies: BbwsResourcePolicy[] = [
  {
    name: "ecs-service-no-public-ip",
    description: describeRule(
      ["ECS.2", "CKV_AWS_333"],
      "ECS services do not assign public IP addresses: tasks run in private subnets and reach AWS " +
        "APIs through NAT or VPC endpoints.",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.ecs.Service, (service, _args, report) => {
      if (service?.networkConfiguration?.assignPublicIp === true) {
        report(
          "networkConfiguration.assignPublicIp is true: set it to false and run the service in private subnets.",
        );
      }
    }),
  },
  {
    name: "ecs-service-circuit-breaker-rollback",
    description: describeRule(
      ["REL08"],
      "Every ECS service has the deployment circuit breaker enabled with rollback, so a broken " +
        "image or task definition returns to the last working deployment instead of looping.",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.ecs.Service, (service, _args, report) => {
      const breaker = service?.deploymentCircuitBreaker;
      if (breaker?.enable !== true || breaker?.rollback !== true) {
        report(
          `deploymentCircuitBreaker is ${show(breaker)}: set { enable: true, rollback: true } so failed ` +
            "deployments roll back.",
        );
      }
    }),
  },
  {
    name: "ecs-service-zero-downtime-deployments",
    description: describeRule(
      ["REL08", "REL11"],
      "ECS services keep every running task during a deployment (deploymentMinimumHealthyPercent " +
        ">= 100) and have room to start the new ones next to them (deploymentMaximumPercent > 100).",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.ecs.Service, (service, _args, report) => {
      // ECS defaults: minimum 100 and maximum 200 for services behind a rolling deployment.
      const minimum = service?.deploymentMinimumHealthyPercent ?? 100;
      const maximum = service?.deploymentMaximumPercent ?? 200;
      if (minimum < 100) {
        report(
          `deploymentMinimumHealthyPercent is ${minimum}: deployments would stop running tasks before ` +
            "new ones are healthy; set 100.",
        );
      }
      if (maximum <= 100) {
        report(
          `deploymentMaximumPercent is ${maximum}: with a minimum of ${minimum}% no new task can start; ` +
            "set 200.",
        );
      }
    }),
  },
  {
    name: "ecs-service-platform-version-latest",
    description: describeRule(
      ["ECS.10", "CKV_AWS_332"],
      "Fargate services run on the LATEST platform version (EFS volumes need 1.4.0 or later).",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.ecs.Service, (service, _args, report) => {
      const version = service?.platformVersion;
      if (version !== undefined && version !== "LATEST") {
        report(`platformVersion is ${show(version)}: omit it or set "LATEST".`);
      }
    }),
  },
  {
    name: "ecs-service-wait-for-steady-state",
    description: describeRule(
      ["REL08"],
      "ECS services set waitForSteadyState (it defaults to false on aws.ecs.Service), so an " +
        "update only succeeds once the new tasks are healthy.",
    ),
    enforcementLevel: "advisory",
    validateResource: validateResourceOfType(aws.ecs.Service, (service, _args, report) => {
      if (service?.waitForSteadyState !== true) {
        report("waitForSteadyState is not true: Pulumi would report success before any new task is healthy.");
      }
    }),
  },
  {
    name: "ecs-service-highly-available-in-prod",
    description: describeRule(
      ["REL10", "REL11"],
      "In prod, a service runs at least 2 tasks and keeps a base of at least one task on plain " +
        "FARGATE: Fargate never replaces lost Spot capacity with on-demand capacity. Advisory: a " +
        "tenant's registry entry may choose a single task.",
    ),
    enforcementLevel: "advisory",
    validateResource: validateResourceOfType(aws.ecs.Service, (service, _args, report) => {
      if (!isProduction(service)) return;
      const desired = service?.desiredCount;
      if (typeof desired === "number" && desired < 2) {
        report(`desiredCount is ${desired}: run at least 2 tasks in prod so one AZ or task can fail.`);
      }
      const strategies = asArray<Record<string, unknown>>(service?.capacityProviderStrategies);
      if (strategies.length === 0) return; // launch type or cluster default strategy decides
      const onDemandBase = strategies
        .filter((s) => s?.capacityProvider === "FARGATE")
        .reduce((sum, s) => sum + (typeof s.base === "number" ? s.base : 0), 0);
      if (onDemandBase < 1) {
        report(
          `capacityProviderStrategies ${show(strategies)} keep no task on FARGATE: add ` +
            '{ capacityProvider: "FARGATE", base: 1, weight: 1 }.',
        );
      }
    }),
  },
  {
    name: "ecs-task-no-secrets-in-environment",
    description: describeRule(
      ["ECS.8", "AVD-AWS-0036", "AwsSolutions-ECS2"],
      "Container definitions keep credentials out of plain `environment`: passwords, keys, salts " +
        "and tokens come from Secrets Manager through `secrets`.",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.ecs.TaskDefinition, (task, _args, report) => {
      (containersOf(task) ?? []).forEach((container, i) => {
        for (const variable of asArray<Record<string, unknown>>(container.environment)) {
          const name = typeof variable?.name === "string" ? variable.name : "";
          const why = secretInEnvironment(name, variable?.value);
          if (why) {
            report(
              `${containerName(container, i)} has ${name} in plain environment (${why}): move it to ` +
                "`secrets` with valueFrom a Secrets Manager ARN.",
            );
          }
        }
      });
    }),
  },
  {
    name: "ecs-task-efs-transit-encryption",
    description: describeRule(
      ["CKV_AWS_97", "AVD-AWS-0035", "ECS_TASK_DEFINITION_EFS_ENCRYPTION_ENABLED"],
      "Every EFS volume of a task definition uses transit encryption (TLS); IAM authorization " +
        "and access points only work with it.",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.ecs.TaskDefinition, (task, _args, report) => {
      for (const volume of asArray<Record<string, unknown>>(task?.volumes)) {
        const efs = asRecord(volume?.efsVolumeConfiguration);
        if (efs && efs.transitEncryption !== "ENABLED") {
          report(
            `volume ${show(volume?.name)} has transitEncryption ${show(efs.transitEncryption)}: set "ENABLED".`,
          );
        }
      }
    }),
  },
  {
    name: "ecs-task-efs-access-point-iam",
    description: describeRule(
      ["EFS.3", "EFS.4", "CKV_AWS_97"],
      "Every EFS volume mounts through an access point with IAM authorization, and leaves " +
        "rootDirectory to the access point: the access point's POSIX user and directory are the " +
        "tenant isolation boundary on the shared file system.",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.ecs.TaskDefinition, (task, _args, report) => {
      for (const volume of asArray<Record<string, unknown>>(task?.volumes)) {
        const efs = asRecord(volume?.efsVolumeConfiguration);
        if (!efs) continue;
        const auth = asRecord(efs.authorizationConfig);
        const name = show(volume?.name);
        if (!auth?.accessPointId) {
          report(
            `volume ${name} mounts the file system without an access point: set authorizationConfig.accessPointId.`,
          );
        }
        if (auth?.iam !== "ENABLED") {
          report(`volume ${name} has authorizationConfig.iam ${show(auth?.iam)}: set "ENABLED".`);
        }
        if (efs.rootDirectory !== undefined && efs.rootDirectory !== "/") {
          report(
            `volume ${name} sets rootDirectory ${show(efs.rootDirectory)}: omit it, the access point sets the directory.`,
          );
        }
      }
    }),
  },
  {
    name: "ecs-task-role-separation",
    description: describeRule(
      ["CKV_AWS_249"],
      "A task definition's execution role (image pulls, secrets, logs) differs from its task " +
        "role (what the application may do).",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.ecs.TaskDefinition, (task, _args, report) => {
      const execution = task?.executionRoleArn;
      if (execution !== undefined && execution !== "" && execution === task?.taskRoleArn) {
        report(
          `executionRoleArn and taskRoleArn are both ${show(execution)}: give the application its own task role.`,
        );
      }
    }),
  },
  {
    name: "ecs-task-logging",
    description: describeRule(
      ["ECS.9", "AwsSolutions-ECS7"],
      "Every container of a task definition has a log configuration (awslogs).",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.ecs.TaskDefinition, (task, _args, report) => {
      (containersOf(task) ?? []).forEach((container, i) => {
        if (!asRecord(container.logConfiguration)?.logDriver) {
          report(`${containerName(container, i)} has no logConfiguration.logDriver: add the awslogs driver.`);
        }
      });
    }),
  },
  {
    name: "ecs-task-no-privileged-containers",
    description: describeRule(["ECS.4", "CKV_AWS_334"], "No container of a task definition runs privileged."),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.ecs.TaskDefinition, (task, _args, report) => {
      (containersOf(task) ?? []).forEach((container, i) => {
        if (container.privileged === true)
          report(`${containerName(container, i)} is privileged: remove privileged.`);
      });
    }),
  },
  {
    name: "ecs-task-no-host-namespaces",
    description: describeRule(
      ["ECS.3", "ECS.17", "CKV_AWS_335"],
      "Task definitions share no host namespace: pidMode and ipcMode are not host, networkMode is " +
        "not host (Fargate uses awsvpc).",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.ecs.TaskDefinition, (task, _args, report) => {
      for (const key of ["pidMode", "ipcMode", "networkMode"] as const) {
        if (task?.[key] === "host") report(`${key} is "host": remove it (networkMode: use "awsvpc").`);
      }
    }),
  },
  {
    name: "ecs-task-read-only-root-filesystem",
    description: describeRule(
      ["ECS.5", "CKV_AWS_336"],
      "Containers should have a read-only root file system. Documented exception (advisory): the " +
        "stock WordPress image needs a writable root (/run/apache2, /var/lock/apache2, /tmp, and " +
        "wp-config.php written at first start); meeting ECS.5 needs a custom image with tmpfs or " +
        "owned volumes for those paths (security-and-reliability-rules.md section 3.6).",
    ),
    enforcementLevel: "advisory",
    validateResource: validateResourceOfType(aws.ecs.TaskDefinition, (task, args, report) => {
      const reason = isMaintenanceUrn(args.urn)
        ? "accepted exception for the db-copy client, which runs as its image's non-root user and writes its dumps to its " +
          "own /tmp: a Fargate task volume is a root-owned bind mount it could not write"
        : "accepted exception for the stock WordPress image; set readonlyRootFilesystem: true with a custom image";
      (containersOf(task) ?? []).forEach((container, i) => {
        if (container.readonlyRootFilesystem !== true) {
          report(`${containerName(container, i)} has a writable root file system (${reason}).`);
        }
      });
    }),
  },
  {
    name: "ecs-task-non-root-user",
    description: describeRule(
      ["ECS.20", "CT.ECS.PR.3"],
      "Linux containers should run as a non-root user. Documented exception (advisory): the stock " +
        "WordPress image starts Apache as root to bind port 80 and drops to www-data (33); running " +
        "as user 33:33 needs an image with Apache on a port above 1024 (section 3.6).",
    ),
    enforcementLevel: "advisory",
    validateResource: validateResourceOfType(aws.ecs.TaskDefinition, (task, args, report) => {
      const reason = isMaintenanceUrn(args.urn)
        ? "accepted exception for maintenance tasks, which move tenants' files as root through the administrative access point"
        : 'accepted exception for the stock WordPress image; set user "33:33" with a custom image';
      (containersOf(task) ?? []).forEach((container, i) => {
        if (runsAsRoot(container)) {
          report(
            `${containerName(container, i)} runs as ${show(container.user ?? "root (no user)")} (${reason}).`,
          );
        }
      });
    }),
  },
  {
    name: "ecs-task-graceful-stop-within-spot-warning",
    description: describeRule(
      ["REL11"],
      "Containers set stopTimeout of at most 120 s: Fargate Spot gives a two-minute warning, and " +
        "Fargate kills containers at 120 s anyway.",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.ecs.TaskDefinition, (task, _args, report) => {
      (containersOf(task) ?? []).forEach((container, i) => {
        const timeout = container.stopTimeout;
        if (typeof timeout === "number" && timeout > MAX_STOP_TIMEOUT) {
          report(
            `${containerName(container, i)} has stopTimeout ${timeout}: use at most ${MAX_STOP_TIMEOUT} seconds.`,
          );
        }
      });
    }),
  },
  {
    name: "ecs-task-container-health-check",
    description: describeRule(
      ["REL11"],
      "Essential containers define a health check, so ECS replaces a hung WordPress task even when " +
        "the load balancer cannot see it. One-off maintenance tasks run a command and exit: no " +
        "service replaces them, so they are not checked.",
    ),
    enforcementLevel: "advisory",
    validateResource: validateResourceOfType(aws.ecs.TaskDefinition, (task, args, report) => {
      // The tenant's one-off install task (bbws:component "install") runs a command and exits too.
      if (isMaintenanceUrn(args.urn) || tagsOf(task)?.["bbws:component"] === "install") return;
      (containersOf(task) ?? []).forEach((container, i) => {
        if (container.essential !== false && !asRecord(container.healthCheck)) {
          report(`${containerName(container, i)} has no healthCheck: add one (e.g. curl of a static file).`);
        }
      });
    }),
  },
  {
    name: "ecs-task-image-by-digest",
    description: describeRule(
      ["SEC11"],
      "Containers run an image by digest (`@sha256:`), so every task of a revision runs the same " +
        "bytes: a tag can be moved to another image, and ECS resolves it again at every task start. " +
        "Advisory: a registry entry may still name a tag on purpose (`image:`); the runtime image " +
        "the platform builds or takes is always by digest.",
    ),
    enforcementLevel: "advisory",
    validateResource: validateResourceOfType(aws.ecs.TaskDefinition, (task, _args, report) => {
      (containersOf(task) ?? []).forEach((container, i) => {
        const image = (container as { image?: unknown }).image;
        if (typeof image === "string" && !/@sha256:[0-9a-f]{64}$/.test(image)) {
          report(
            `${containerName(container, i)} runs ${show(image)}: name it by digest (repository@sha256:<64 hex>).`,
          );
        }
      });
    }),
  },
  {
    name: "ecs-cluster-container-insights-in-prod",
    description: describeRule(
      ["ECS.12", "CKV_AWS_65"],
      "Production ECS clusters have Container Insights enabled (per-service CPU, memory and task " +
        "counts for the alarms). Dev and test may turn it off to save cost.",
    ),
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.ecs.Cluster, (cluster, _args, report) => {
      if (!isProduction(cluster)) return;
      const setting = asArray<Record<string, unknown>>(cluster?.settings).find(
        (s) => s?.name === "containerInsights",
      );
      if (setting?.value !== "enabled" && setting?.value !== "enhanced") {
        report(
          `containerInsights is ${show(setting?.value ?? "not set")}: add settings [{ name: "containerInsights", value: "enabled" }].`,
        );
      }
    }),
  },
];
