/**
 * Builds a lifecycle command's context from its options: the registry file, the ports
 * (real or offline, chosen here and nowhere else), the platform settings, live progress.
 */
import * as path from "path";
import type { PlatformSettings } from "../config/platformConfig";
import type { LifecycleContext } from "../tenants/lifecycle/context";
import type { LifecyclePorts } from "../tenants/lifecycle/ports";
import { ActionInput, PortsRequest } from "./shell";

/** The options every lifecycle command takes (cli/options.ts `LIFECYCLE_OPTIONS`). */
interface LifecycleOptions {
  readonly tenants?: string;
  readonly offline?: boolean;
  readonly offlineState?: string;
  readonly platformStack?: string;
  readonly lockAttempts: number;
  readonly concurrency?: number;
  /** `tenants add/sync --verify-timeout` and `--certificate-wait`, in seconds. */
  readonly verifyTimeout?: number;
  readonly certificateWait?: number;
  /** `--offline-fault` specs (offline/faults.ts). */
  readonly offlineFault?: readonly string[];
}

/** A ports request with the offline engine's fault injection. */
export type OfflinePortsRequest = PortsRequest & { readonly offlineFaults?: readonly string[] };

/** The context of a lifecycle command run against `environment`. */
export async function lifecycleContext(input: ActionInput, environment: string): Promise<LifecycleContext> {
  const { runtime } = input;
  const options = input.options as unknown as LifecycleOptions;
  const [{ registryPath }, { loadStackSettings }] = await Promise.all([
    import("../tenants/registry/load"),
    import("../config/readStackConfig"),
  ]);
  let settings: PlatformSettings | undefined;
  const settingsOf = () =>
    (settings ??= (runtime.settings ?? loadStackSettings)(environment, runtime.projectDir));
  if (options.offlineFault?.length && options.offline !== true) {
    const { BbwsError } = await import("../lib/errors");
    throw new BbwsError(
      "usage",
      "--offline-fault injects faults into the offline engine only: add --offline",
    );
  }
  const request: OfflinePortsRequest = {
    offlineFaults: options.offlineFault,
    environment,
    offline: options.offline === true,
    offlineState: options.offlineState,
    platformStack: options.platformStack,
    lockAttempts: options.lockAttempts,
    projectDir: runtime.projectDir,
    settings: settingsOf,
    log: input.note,
  };
  const ports = await (runtime.ports ?? defaultPorts)(request);
  input.note(ports.description);
  const { createProgressView } = await import("../tenants/lifecycle/progress");
  const progress = runtime.progress();
  const { DEFAULT_CONCURRENCY, VERIFY_DEFAULTS, CERTIFICATE_WAIT_DEFAULTS } =
    await import("../tenants/lifecycle/defaults");
  const registryFile = options.tenants
    ? path.resolve(options.tenants)
    : registryPath(environment, runtime.projectDir);
  return {
    environment,
    registryFile,
    backendName: ports.name,
    backend: ports.backend,
    finalBackup: ports.finalBackup,
    tenantFiles: ports.tenantFiles,
    deployments: ports.deployments,
    rolloutRecords: ports.rolloutRecords(registryFile),
    settings: settingsOf,
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    progress: createProgressView({ stream: progress.stream, tty: progress.tty, now: runtime.now }),
    note: input.note,
    changed: input.changed,
    signal: runtime.signal,
    now: runtime.now,
    siteProbe: ports.siteProbe,
    dns: ports.dns,
    certificateCheck: ports.certificateCheck,
    certificates: ports.certificates,
    verifyWait: {
      ...VERIFY_DEFAULTS,
      timeoutSeconds: options.verifyTimeout ?? VERIFY_DEFAULTS.timeoutSeconds,
    },
    certificateWait: {
      ...CERTIFICATE_WAIT_DEFAULTS,
      timeoutSeconds: options.certificateWait ?? CERTIFICATE_WAIT_DEFAULTS.timeoutSeconds,
    },
  };
}

/**
 * The real ports (Automation API, AWS Backup, the maintenance task, ECS) or, with `--offline`,
 * the offline engine's simulations behind the same ports.
 */
export async function defaultPorts(request: OfflinePortsRequest): Promise<LifecyclePorts> {
  if (request.offline) {
    const [{ offlinePorts }, { parseFault }] = await Promise.all([
      import("../offline/services"),
      import("../offline/faults"),
    ]);
    return offlinePorts({
      environment: request.environment,
      projectDir: request.projectDir,
      stateDir: request.offlineState,
      platformStack: request.platformStack,
      faults: (request.offlineFaults ?? []).map(parseFault),
      lockAttempts: request.lockAttempts,
    });
  }
  const [
    { AutomationBackend },
    { opsFinalBackup, opsTenantFiles, ecsDeployments },
    clients,
    outputs,
    records,
    { awsSiteProbe, nodeDnsCheck },
    { ElasticLoadBalancingV2Client },
    { certificateCoverageProblem },
    { ACMClient },
    { acmCertificateStatus },
  ] = await Promise.all([
    import("../tenants/lifecycle/automationBackend"),
    import("../ops/lifecyclePorts"),
    import("../ops/clients"),
    import("../tenants/stackOutputs"),
    import("../tenants/lifecycle/rolloutRecords"),
    import("../ops/siteProbe"),
    import("@aws-sdk/client-elastic-load-balancing-v2"),
    import("../ops/certificateCoverage"),
    import("@aws-sdk/client-acm"),
    import("../ops/certificateStatus"),
  ]);
  const deps = {
    source: new outputs.PulumiStackOutputs(request.projectDir),
    clients: clients.defaultClients,
    log: request.log,
  };
  let ecs: ReturnType<typeof clients.defaultClients>["ecs"] | undefined;
  let elb: InstanceType<typeof ElasticLoadBalancingV2Client> | undefined;
  let acm: InstanceType<typeof ACMClient> | undefined;
  return {
    name: "automation",
    description:
      "tenant stacks through the Pulumi Automation API (project bbws-tenant), AWS through the default credential chain",
    backend: new AutomationBackend({
      projectDir: request.projectDir,
      platformStack: request.platformStack,
      lockRetry: { maxAttempts: request.lockAttempts },
    }),
    finalBackup: opsFinalBackup(deps),
    tenantFiles: opsTenantFiles(deps),
    deployments: ecsDeployments(() => {
      const settings = request.settings();
      return (ecs ??= clients.defaultClients({ region: settings.region, drRegion: settings.drRegion }).ecs);
    }),
    rolloutRecords: (registryFile) => records.registryRolloutRecords(registryFile),
    siteProbe: awsSiteProbe(() => {
      const settings = request.settings();
      ecs ??= clients.defaultClients({ region: settings.region, drRegion: settings.drRegion }).ecs;
      elb ??= new ElasticLoadBalancingV2Client({ region: settings.region });
      return { ecs, elb };
    }),
    dns: nodeDnsCheck,
    certificates: acmCertificateStatus(() => (acm ??= new ACMClient({ region: request.settings().region }))),
    certificateCheck: (settings) =>
      "arn" in settings.certificate
        ? certificateCoverageProblem(
            new ACMClient({ region: settings.region }),
            settings.certificate.arn,
            settings.domain,
          )
        : Promise.resolve(undefined),
  };
}
