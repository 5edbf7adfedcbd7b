/**
 * Human-readable results (stdout). `--json` prints the result objects themselves instead.
 */
import Table from "cli-table3";
import { BackupResult } from "./backup";
import { StepTiming } from "../lib/progress";
import { RestoreResult } from "./restore";
import { TenantStatus } from "./status";
import { RotationResult } from "./rotatePassword";

function table(head: string[]): Table.Table {
  // No colours: output goes to terminals, CI logs and files alike.
  return new Table({ head, style: { head: [], border: [] }, wordWrap: true });
}

function stepsTable(steps: readonly StepTiming[]): string {
  const t = table(["step", "seconds", "result"]);
  for (const s of steps) t.push([s.name, s.seconds.toFixed(1), s.ok ? "ok" : "FAILED"]);
  return t.toString();
}

/** A backup's jobs, recovery points and DR copies. */
export function renderBackup(r: BackupResult): string {
  const t = table(["resource", "backup job", "recovery point", "DR copy job", "DR copy"]);
  for (const b of r.backups) {
    t.push([
      `${b.resourceType} ${b.kind}`,
      b.backupJobId,
      b.recoveryPointArn,
      b.copyJobId,
      b.drRecoveryPointArn ?? b.copyState,
    ]);
  }
  return [
    `Backup of ${r.tenantId} (${r.environment}) in vault ${r.backupVaultName}, copies to ${r.drBackupVaultArn}`,
    t.toString(),
  ].join("\n");
}

/** What a restore brought back, what it kept, and how long each step took. */
export function renderRestore(r: RestoreResult): string {
  const lines = [
    `Restored ${r.tenantId} (${r.environment}); the service runs ${r.desiredCount} task(s) again.`,
  ];
  if (r.files) lines.push(`  files:    ${r.files.recoveryPointArn} (${r.files.createdAt ?? "?"})`);
  if (r.database) lines.push(`  database: ${r.database.recoveryPointArn} (${r.database.createdAt ?? "?"})`);
  for (const k of r.kept) lines.push(`kept: ${k}`);
  for (const c of r.cleanup) lines.push(`to clean up: ${c}`);
  lines.push(stepsTable(r.steps));
  return lines.join("\n");
}

/** Service, recovery points and last rollout of a tenant. */
export function renderStatus(s: TenantStatus): string {
  const service = table(["service", s.service.name]);
  service.push(
    ["status", s.service.status],
    [
      "tasks (running/desired/pending)",
      `${s.service.runningCount}/${s.service.desiredCount}/${s.service.pendingCount}`,
    ],
    [
      "PRIMARY rollout",
      `${s.service.rolloutState ?? "-"}${s.service.rolloutStateReason ? `: ${s.service.rolloutStateReason}` : ""}`,
    ],
    ["deployments", String(s.service.deployments)],
    ["task definition", s.service.taskDefinition ?? "-"],
    ["image", s.service.image ?? "-"],
  );
  const points = table(["vault", "resource", "newest hourly", "newest on-demand (this tenant)"]);
  for (const p of s.recoveryPoints) {
    const show = (point?: { arn: string; createdAt?: string }) =>
      point ? `${point.createdAt ?? "?"}\n${point.arn}` : "-";
    points.push([
      `${p.vault} ${p.vaultName} (${p.region})`,
      p.resourceType,
      show(p.scheduled),
      show(p.onDemand),
    ]);
  }
  const rollout = s.lastRollout
    ? `last rollout: ${s.lastRollout.result} ${s.lastRollout.image} at ${s.lastRollout.at}${s.lastRollout.taskDefinitionArn ? ` (${s.lastRollout.taskDefinitionArn})` : ""}`
    : "last rollout: none recorded";
  return [`Status of ${s.tenantId} (${s.environment})`, service.toString(), points.toString(), rollout].join(
    "\n",
  );
}

/** What a password rotation changed. */
export function renderRotation(r: RotationResult): string {
  return [
    `New database password for ${r.tenantId} (${r.environment}): user ${r.user}; the old password no longer works.`,
    `Secret ${r.secretArn}: version ${r.versionId} is AWSCURRENT, ${r.previousVersionId} AWSPREVIOUS.`,
    `Service stable on deployment ${r.deploymentId ?? "(unknown id)"}.`,
    stepsTable(r.steps),
  ].join("\n");
}
