/**
 * The quota preflight of a plan: what the planned resources use of each quota in
 * config/quotas.ts, counted from the resources themselves (IAM roles, target groups and rules
 * per ALB through the listeners they hang off, listener certificates, services, the largest
 * service's task ceiling, access points per file system, Cloud Map instances, SSM standard
 * parameters, ACM certificates, the tenants' MAX_USER_CONNECTIONS against the Aurora cluster's max_connections).
 */
import { PlatformSettings } from "../config/platformConfig";
import { QuotaReport, QuotaUsage, databaseUsages, quotaLimit, quotaReport } from "../config/quotas";
import { RecordedResource } from "../offline/stackRun";

/** The `app/<name>/<id>` of an ALB, listener or rule ARN. */
function albOf(arn: unknown): string | undefined {
  const match = /(?:loadbalancer|listener|listener-rule)\/(app\/[^/]+\/[0-9a-f]+)/.exec(
    typeof arn === "string" ? arn : "",
  );
  return match?.[1];
}

/** Usage of every quota by the planned resources of all stacks. */
export function planQuotaUsage(
  stacks: readonly { readonly resources: readonly RecordedResource[] }[],
  settings: PlatformSettings,
): QuotaReport {
  const resources = stacks.flatMap((s) => s.resources).filter((r) => !r.read);
  const ofType = (type: string) => resources.filter((r) => r.type === type);
  const q = settings.quotas;
  const usages: QuotaUsage[] = [
    {
      quota: "iamRoles",
      scope: "account",
      used: ofType("aws:iam/role:Role").length,
      limit: quotaLimit("iamRoles", q),
    },
  ];

  // Per ALB: rules on its listeners, the target groups they forward to, listener certificates.
  const albs = ofType("aws:lb/loadBalancer:LoadBalancer").map((lb, index) => ({
    name: lb.name,
    index,
    path: albOf(lb.id),
    rules: 0,
    targetGroups: new Set<string>(),
    certificates: 0,
  }));
  const byPath = new Map(albs.map((a) => [a.path, a]));
  for (const rule of ofType("aws:lb/listenerRule:ListenerRule")) {
    const alb = byPath.get(albOf(rule.inputs.listenerArn));
    if (!alb) continue;
    alb.rules++;
    for (const action of (rule.inputs.actions as Record<string, unknown>[] | undefined) ?? []) {
      if (typeof action.targetGroupArn === "string") alb.targetGroups.add(action.targetGroupArn);
      const forward =
        (action.forward as { targetGroups?: { arn?: string }[] } | undefined)?.targetGroups ?? [];
      for (const tg of forward) if (tg.arn) alb.targetGroups.add(tg.arn);
    }
  }
  for (const listener of ofType("aws:lb/listener:Listener")) {
    const alb = byPath.get(albOf(listener.inputs.loadBalancerArn));
    const action = ((listener.inputs.defaultActions as Record<string, unknown>[] | undefined) ?? [])[0];
    if (alb && typeof action?.targetGroupArn === "string") alb.targetGroups.add(action.targetGroupArn);
  }
  for (const certificate of ofType("aws:lb/listenerCertificate:ListenerCertificate")) {
    const alb = byPath.get(albOf(certificate.inputs.listenerArn));
    if (alb) alb.certificates++;
  }
  for (const alb of albs) {
    const scope = `ALB ${alb.name}`;
    usages.push(
      {
        quota: "targetGroupsPerAlb",
        scope,
        used: alb.targetGroups.size,
        limit: quotaLimit("targetGroupsPerAlb", q),
      },
      { quota: "rulesPerAlb", scope, used: alb.rules, limit: quotaLimit("rulesPerAlb", q) },
      {
        quota: "certificatesPerAlb",
        scope,
        used: alb.certificates,
        limit: quotaLimit("certificatesPerAlb", q),
      },
    );
  }

  const services = ofType("aws:ecs/service:Service");
  const ceilings = new Map<string, number>();
  for (const target of ofType("aws:appautoscaling/target:Target"))
    ceilings.set(String(target.inputs.resourceId), Number(target.inputs.maxCapacity ?? 0));
  const ceilingOf = (service: RecordedResource) => {
    const resourceId = `service/${String(service.inputs.cluster ?? "")
      .split("/")
      .pop()}/${String(service.inputs.name ?? "")}`;
    return Math.max(Number(service.inputs.desiredCount ?? 0), ceilings.get(resourceId) ?? 0);
  };
  const largest = services.reduce((best, s) => Math.max(best, ceilingOf(s)), 0);
  usages.push(
    {
      quota: "servicesPerCluster",
      scope: "cluster",
      used: services.length,
      limit: quotaLimit("servicesPerCluster", q),
    },
    {
      quota: "tasksPerService",
      scope: "largest service",
      used: largest,
      limit: quotaLimit("tasksPerService", q),
    },
  );

  const accessPoints = new Map<string, number>();
  for (const ap of ofType("aws:efs/accessPoint:AccessPoint")) {
    const fs = String(ap.inputs.fileSystemId ?? "?");
    accessPoints.set(fs, (accessPoints.get(fs) ?? 0) + 1);
  }
  for (const [fs, used] of accessPoints)
    usages.push({
      quota: "accessPointsPerFileSystem",
      scope: `file system ${fs}`,
      used,
      limit: quotaLimit("accessPointsPerFileSystem", q),
    });

  // Each task of a service registered in Cloud Map is one instance.
  const registered = services
    .filter((s) => ((s.inputs.serviceRegistries as unknown[] | undefined) ?? []).length > 0)
    .reduce((n, s) => n + ceilingOf(s), 0);
  usages.push({
    quota: "cloudMapInstancesPerNamespace",
    scope: "namespace",
    used: registered,
    limit: quotaLimit("cloudMapInstancesPerNamespace", q),
  });

  // Advanced parameters have their own quota (100,000); Intelligent-Tiering starts standard.
  const standardParameters = ofType("aws:ssm/parameter:Parameter").filter(
    (p) => p.inputs.tier !== "Advanced",
  ).length;
  usages.push({
    quota: "ssmStandardParameters",
    scope: "account and Region",
    used: standardParameters,
    limit: quotaLimit("ssmStandardParameters", q),
  });

  // Requested certificates (the platform's wildcard, tenants' own); imported ones are not created here.
  usages.push({
    quota: "acmCertificates",
    scope: "account and Region",
    used: ofType("aws:acm/certificate:Certificate").length,
    limit: quotaLimit("acmCertificates", q),
  });

  const connections = resources
    .filter((r) => r.type === "pulumi-nodejs:dynamic/bbws:TenantDatabase")
    .reduce((n, r) => n + Number(r.inputs.maxConnections ?? 0), 0);
  const cluster = ofType("aws:rds/cluster:Cluster")[0];
  const scalingConfig = cluster?.inputs.serverlessv2ScalingConfiguration as
    { minCapacity?: number; maxCapacity?: number } | undefined;
  usages.push(
    ...databaseUsages(connections, {
      minCapacity: scalingConfig?.minCapacity ?? settings.database.minCapacity,
      maxCapacity: scalingConfig?.maxCapacity ?? settings.database.maxCapacity,
    }),
  );
  return quotaReport(usages);
}

/** The quota section of the plan's text. */
export function formatQuotaReport(report: QuotaReport): string {
  const lines = ["Quotas (headroom = limit - used):"];
  const width = Math.max(...report.usages.map((u) => u.quota.length));
  for (const u of report.usages) {
    const state =
      u.used > u.limit ? (u.advisory ? "OVER (advisory)" : "EXCEEDED") : `headroom ${u.limit - u.used}`;
    lines.push(
      `  ${u.quota.padEnd(width)}  ${u.scope.padEnd(28)} ${String(u.used).padStart(6)} / ${String(u.limit).padEnd(6)} ${state}`,
    );
  }
  return lines.join("\n");
}
