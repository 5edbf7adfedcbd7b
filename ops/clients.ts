/**
 * The AWS SDK v3 clients of one environment, created once per command with the default
 * credential chain. The DR region gets its own Backup and RDS clients (DR vault listings and
 * the tags of copied Aurora snapshots). Tests pass their own instances, each mocked alone.
 */
import { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import { BackupClient } from "@aws-sdk/client-backup";
import { ECSClient } from "@aws-sdk/client-ecs";
import { RDSClient } from "@aws-sdk/client-rds";
import { RDSDataClient } from "@aws-sdk/client-rds-data";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

/** Clients a command may use. */
export interface OpsClients {
  /** AWS Backup in the platform region. */
  readonly backup: BackupClient;
  /** AWS Backup in the DR region. */
  readonly drBackup: BackupClient;
  readonly ecs: ECSClient;
  readonly rds: RDSClient;
  /** RDS in the DR region (tags of copied Aurora recovery points). */
  readonly drRds: RDSClient;
  readonly autoScaling: ApplicationAutoScalingClient;
  /** RDS Data API: statements on the live cluster as its master user (password rotation, purge). */
  readonly rdsData: RDSDataClient;
  readonly secretsManager: SecretsManagerClient;
}

/** Builds the clients of an environment from its regions. */
export type ClientFactory = (regions: { readonly region: string; readonly drRegion: string }) => OpsClients;

/** Real clients: default credential chain, SDK retries with backoff for throttling. */
export const defaultClients: ClientFactory = ({ region, drRegion }) => ({
  backup: new BackupClient({ region }),
  drBackup: new BackupClient({ region: drRegion }),
  ecs: new ECSClient({ region }),
  rds: new RDSClient({ region }),
  drRds: new RDSClient({ region: drRegion }),
  autoScaling: new ApplicationAutoScalingClient({ region }),
  rdsData: new RDSDataClient({ region }),
  secretsManager: new SecretsManagerClient({ region }),
});
