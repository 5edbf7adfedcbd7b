/**
 * Shared fixtures of the ops tests: realistic platform and tenant outputs, a registry file, a
 * fake StackOutputsSource, mocked SDK clients whose calls are logged in one global order, and
 * a helper that drives fake timers until a promise settles.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import { BackupClient } from "@aws-sdk/client-backup";
import { ECSClient } from "@aws-sdk/client-ecs";
import { RDSClient } from "@aws-sdk/client-rds";
import { RDSDataClient } from "@aws-sdk/client-rds-data";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { AwsStub, mockClient } from "aws-sdk-client-mock";
import * as sinon from "sinon";
import { OpsClients } from "../../../ops/clients";
import { StackOutputsSource, platformContractFrom } from "../../../ops/context";
import { PlatformContract } from "../../../config/platformContract";
import { OpsDeps } from "../../../ops/deps";
import { ResolvedTenantOutputs } from "../../../config/tenantOutputs";

export const ACCOUNT = "111122223333";
export const REGION = "af-south-1";
export const DR_REGION = "eu-west-1";
export const FILE_SYSTEM_ID = "fs-0a1b2c3d4e5f60718";
export const FILE_SYSTEM_ARN = `arn:aws:elasticfilesystem:${REGION}:${ACCOUNT}:file-system/${FILE_SYSTEM_ID}`;
export const CLUSTER_ID = "bbws-dev-db-3f9a1c";
export const CLUSTER_ARN = `arn:aws:rds:${REGION}:${ACCOUNT}:cluster:${CLUSTER_ID}`;
export const VAULT = "bbws-dev-backup-vault";
export const DR_VAULT = "bbws-dev-dr-vault";
export const DR_VAULT_ARN = `arn:aws:backup:${DR_REGION}:${ACCOUNT}:backup-vault:${DR_VAULT}`;
export const TASK_SECURITY_GROUP = "sg-0task00000000000b";
export const BACKUP_ROLE = `arn:aws:iam::${ACCOUNT}:role/bbws-dev-backup-role-5e1d2f0`;
export const DATA_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/6b1e2a4c-0d3f-4e5a-9b8c-7d6e5f4a3b2c`;
export const MAINTENANCE_TD = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/bbws-dev-maintenance:4`;
export const DB_COPY_TD = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/bbws-dev-db-copy:2`;
export const DB_SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:bbws/dev/acme/db-20250101000000000000000001-Xy12Ab`;
export const EFS_POINT = `arn:aws:backup:${REGION}:${ACCOUNT}:recovery-point:8c7e0f4e-2b1d-4d6a-9a44-0d2b5e9c1f11`;
export const AURORA_POINT = `arn:aws:rds:${REGION}:${ACCOUNT}:cluster-snapshot:awsbackup:job-5f1c2d3e-4b5a-6978-8a9b-0c1d2e3f4a5b`;

/** The platform contract of `dev` (parsed, so every test works with a contract that is valid). */
export function platformContract(overrides: Partial<PlatformContract> = {}): PlatformContract {
  return platformContractFrom("dev", platformStackOutputs(overrides));
}

/** The outputs of the `dev` platform stack as `pulumi stack output` gives them (contract version 2). */
export function platformStackOutputs(overrides: Partial<PlatformContract> = {}): Record<string, unknown> {
  return {
    contractVersion: 2,
    environment: "dev",
    region: REGION,
    accountId: ACCOUNT,
    partition: "aws",
    network: {
      vpcId: "vpc-0f1e2d3c4b5a69788",
      privateSubnetIds: ["subnet-0a11aa22bb33cc44d", "subnet-0b22bb33cc44dd55e"],
      securityGroups: {
        alb: "sg-0alb000000000000a",
        tasks: TASK_SECURITY_GROUP,
        fileSystem: "sg-0efs000000000000c",
        database: "sg-0db0000000000000d",
      },
    },
    cluster: {
      name: "bbws-dev",
      arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/bbws-dev`,
      namespaceId: "ns-abcdefghijklmnop",
      namespaceName: "dev.bbws.internal",
    },
    ingress: {
      shards: [
        {
          listenerArn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener/app/bbws-dev-0/0123456789abcdef/fedcba9876543210`,
          loadBalancerArnSuffix: "app/bbws-dev-0/0123456789abcdef",
          dnsName: "bbws-dev-0-123456789.af-south-1.elb.amazonaws.com",
          zoneId: "Z268VQBMOI5EKX",
        },
      ],
    },
    storage: {
      fileSystemId: FILE_SYSTEM_ID,
      fileSystemArn: FILE_SYSTEM_ARN,
      mountTargetIds: ["fsmt-0a1b2c3d4e5f60718", "fsmt-0b1c2d3e4f5a60718"],
    },
    database: {
      clusterArn: CLUSTER_ARN,
      clusterIdentifier: CLUSTER_ID,
      endpoint: `${CLUSTER_ID}.cluster-c1a2b3c4d5e6.${REGION}.rds.amazonaws.com`,
      readerEndpoint: `${CLUSTER_ID}.cluster-ro-c1a2b3c4d5e6.${REGION}.rds.amazonaws.com`,
      port: 3306,
      masterSecretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:rds!cluster-1a2b3c-AbCdEf`,
    },
    image: {
      repositoryUrl: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/bbws/dev/wordpress`,
      repositoryArn: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/bbws/dev/wordpress`,
      defaultImage: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/bbws-dev-ecr-public/docker/library/wordpress:6.8.3-php8.3-apache`,
    },
    observability: {
      logGroupName: "/bbws/dev/wordpress",
      logGroupArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/bbws/dev/wordpress`,
      alarmTopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:bbws-dev-alarms-1a2b3c4`,
    },
    keys: {
      dataKeyArn: DATA_KEY,
      telemetryKeyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/1f2e3d4c-5b6a-7988-9a0b-c1d2e3f4a5b6`,
    },
    backup: {
      vaultName: VAULT,
      vaultArn: `arn:aws:backup:${REGION}:${ACCOUNT}:backup-vault:${VAULT}`,
      drVaultName: DR_VAULT,
      drVaultArn: DR_VAULT_ARN,
      drRegion: DR_REGION,
      efsPlanId: "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
      auroraPlanId: "1a2b3c4d-5e6f-7081-92a3-b4c5d6e7f809",
      roleArn: BACKUP_ROLE,
      notificationTopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:bbws-dev-backup-events-9f8e7d6`,
      drNotificationTopicArn: `arn:aws:sns:${DR_REGION}:${ACCOUNT}:bbws-dev-dr-backup-events-1c2d3e4`,
    },
    maintenance: {
      accessPointId: "fsap-0a1b2c3d4e5f60718",
      accessPointArn: `arn:aws:elasticfilesystem:${REGION}:${ACCOUNT}:access-point/fsap-0a1b2c3d4e5f60718`,
      taskDefinitionArn: MAINTENANCE_TD,
      dbCopyTaskDefinitionArn: DB_COPY_TD,
      logGroupName: "/bbws/dev/maintenance",
    },
    ...overrides,
  };
}

/**
 * Outputs of a `dev` platform deployed before the contract was versioned (contract version 1:
 * flat names, no `contractVersion`, and no maintenance tasks yet).
 */
export function legacyPlatformOutputs(): Record<string, unknown> {
  const c = platformContract();
  return {
    environment: c.environment,
    region: c.region,
    vpcId: c.network.vpcId,
    privateSubnetIds: c.network.privateSubnetIds,
    clusterName: c.cluster.name,
    httpsListenerArns: c.ingress.shards.map((s) => s.listenerArn),
    taskSecurityGroupId: c.network.securityGroups.tasks,
    fileSystemId: c.storage.fileSystemId,
    fileSystemArn: c.storage.fileSystemArn,
    mountTargetIds: c.storage.mountTargetIds,
    databaseClusterArn: c.database.clusterArn,
    databaseClusterIdentifier: c.database.clusterIdentifier,
    databaseEndpoint: c.database.endpoint,
    databasePort: c.database.port,
    dataKeyArn: c.keys.dataKeyArn,
    backupVaultName: c.backup.vaultName,
    backupVaultArn: c.backup.vaultArn,
    drBackupVaultName: c.backup.drVaultName,
    drBackupVaultArn: c.backup.drVaultArn,
    drRegion: c.backup.drRegion,
    backupRoleArn: c.backup.roleArn,
  };
}

/** Tenant stack outputs of `dev.acme`. */
export function tenantOutputs(id = "acme"): ResolvedTenantOutputs {
  return {
    tenantId: id,
    environment: "dev",
    hosts: [`${id}.wpdev.example.com`],
    clusterName: "bbws-dev",
    serviceName: `${id}-wordpress`,
    serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/bbws-dev/${id}-wordpress`,
    taskDefinitionFamily: `dev-${id}-wordpress`,
    taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/dev-${id}-wordpress:7`,
    image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/bbws/dev/wordpress:6.8.3-php8.3-apache`,
    accessPointId: "fsap-0ffffffffffffffff",
    accessPointArn: `arn:aws:elasticfilesystem:${REGION}:${ACCOUNT}:access-point/fsap-0ffffffffffffffff`,
    rootDirectory: `/tenants/${id}`,
    databaseName: `wp_${id.replace(/-/g, "_")}`,
    databaseUser: `wp_${id.replace(/-/g, "_")}`,
    databaseSecretArn: DB_SECRET,
    wordpressKeysSecretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:bbws/dev/${id}/wordpress-keys-1-AbCdEf`,
    targetGroupArn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/${id}-tg/0123456789abcdef`,
    executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/${id}-exec-role-1a2b3c4`,
    taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/${id}-task-role-1a2b3c4`,
  };
}

/** A registry of `dev` with acme (with a recorded rollout) and globex. */
export const REGISTRY_YAML = `tenants:
  - id: acme
    hosts: [acme.wpdev.example.com]
    listener: { shard: 0, priority: 1 }
    lastRollout:
      image: 6.8.3-php8.3-apache
      at: "2025-05-30T09:00:00Z"
      result: completed
      taskDefinitionArn: arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/dev-acme-wordpress:7
  - id: globex
    hosts: [globex.wpdev.example.com]
    listener: { shard: 0, priority: 2 }
`;

/** Writes a registry file into a fresh temporary directory; returns its path. */
export function writeRegistry(text = REGISTRY_YAML): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bbws-ops-"));
  const file = path.join(dir, "dev.yaml");
  fs.writeFileSync(file, text);
  return file;
}

/**
 * A StackOutputsSource answering from memory and counting its calls. The platform's outputs are
 * kept raw and parsed on every call with ops' parse, as PulumiStackOutputs does.
 */
export class FakeSource implements StackOutputsSource {
  readonly calls: string[] = [];
  constructor(
    private readonly platformOutputs: Readonly<Record<string, unknown>> = platformStackOutputs(),
    private readonly tenantValue: ResolvedTenantOutputs = tenantOutputs(),
  ) {}
  platform(environment: string): Promise<PlatformContract> {
    this.calls.push(`platform ${environment}`);
    return Promise.resolve().then(() => platformContractFrom(environment, this.platformOutputs));
  }
  tenant(environment: string, tenantId: string): Promise<ResolvedTenantOutputs> {
    this.calls.push(`tenant ${environment}.${tenantId}`);
    return Promise.resolve(this.tenantValue);
  }
}

/** One stub type for all the clients (their input and output unions differ). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Stub = AwsStub<any, any, any>;
/** Command inputs as tests read them: loosely, several levels deep. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Input = any;

/** Each client mocked on its own (the DR clients are separate instances of the same classes). */
export interface Mocks {
  readonly backup: Stub;
  readonly drBackup: Stub;
  readonly ecs: Stub;
  readonly rds: Stub;
  readonly drRds: Stub;
  readonly autoScaling: Stub;
  readonly rdsData: Stub;
  readonly secretsManager: Stub;
}

/** Real client instances, each with its own mock. */
export function mockedClients(): { clients: OpsClients; mocks: Mocks } {
  const clients: OpsClients = {
    backup: new BackupClient({ region: REGION }),
    drBackup: new BackupClient({ region: DR_REGION }),
    ecs: new ECSClient({ region: REGION }),
    rds: new RDSClient({ region: REGION }),
    drRds: new RDSClient({ region: DR_REGION }),
    autoScaling: new ApplicationAutoScalingClient({ region: REGION }),
    rdsData: new RDSDataClient({ region: REGION }),
    secretsManager: new SecretsManagerClient({ region: REGION }),
  };
  const mocks: Mocks = {
    backup: mockClient(clients.backup),
    drBackup: mockClient(clients.drBackup),
    ecs: mockClient(clients.ecs),
    rds: mockClient(clients.rds),
    drRds: mockClient(clients.drRds),
    autoScaling: mockClient(clients.autoScaling),
    rdsData: mockClient(clients.rdsData),
    secretsManager: mockClient(clients.secretsManager),
  };
  return { clients, mocks };
}

/** Every call of every mock, in the order they were made: `client:Command` and the input. */
export function callLog(mocks: Mocks): { call: string; input: Input }[] {
  return Object.entries(mocks)
    .flatMap(([client, mock]) =>
      (mock as Stub).calls().map((c) => ({
        id: (c as unknown as { callId: number }).callId,
        call: `${client}:${(c.args[0] as object).constructor.name.replace(/Command$/, "")}`,
        input: (c.args[0] as { input: unknown }).input,
      })),
    )
    .sort((a, b) => a.id - b.id)
    .map(({ call, input }) => ({ call, input }));
}

/** Only the `client:Command` names of callLog. */
export function calls(mocks: Mocks): string[] {
  return callLog(mocks).map((c) => c.call);
}

/** Inputs of every call of one command, in order. */
export function inputsOf(mocks: Mocks, call: string): Input[] {
  return callLog(mocks)
    .filter((c) => c.call === call)
    .map((c) => c.input);
}

/** Restores every mock. */
export function restoreMocks(mocks: Mocks): void {
  for (const mock of Object.values(mocks)) (mock as Stub).restore();
}

/** Command dependencies around the fakes; progress lines land in `log`. */
export function opsDeps(
  clients: OpsClients,
  source: StackOutputsSource,
  registryFile: string,
  log: string[] = [],
  signal?: AbortSignal,
): OpsDeps & { regions: { region: string; drRegion: string }[] } {
  const regions: { region: string; drRegion: string }[] = [];
  return {
    source,
    registryFile,
    clients: (r) => {
      regions.push(r);
      return clients;
    },
    log: (line) => log.push(line),
    signal,
    regions,
  };
}

/** Fake timers starting at a fixed time (restore stamps derive from it). */
export const NOW = new Date("2025-06-01T12:00:00.000Z");
export function fakeClock(): sinon.SinonFakeTimers {
  return sinon.useFakeTimers({
    now: NOW,
    toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"],
  });
}

/** Runs fake timers until `promise` settles, then returns (or throws) its outcome. */
export async function settle<T>(clock: sinon.SinonFakeTimers, promise: Promise<T>): Promise<T> {
  let finished = false;
  promise.then(
    () => (finished = true),
    () => (finished = true),
  );
  for (let i = 0; i < 100 && !finished; i++) await clock.runAllAsync();
  return promise;
}

/** The rejection of `promise` (failing the test when it resolves). */
export async function rejectionOf(
  clock: sinon.SinonFakeTimers,
  promise: Promise<unknown>,
): Promise<Error & { notes?: string[] }> {
  try {
    await settle(clock, promise);
  } catch (error) {
    return error as Error & { notes?: string[] };
  }
  throw new Error("expected the promise to reject, but it resolved");
}

/** An AWS SDK-style error (what the clients throw for service exceptions). */
export function awsError(name: string, message = `${name} from AWS`): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}
