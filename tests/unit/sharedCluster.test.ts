import { expect } from "chai";
import { runPlatform } from "../../offline/platformRun";
import { StackRun } from "../../offline/stackRun";
import { TLS_POLICY } from "../../components/shared/loadBalancers";
import { PLATFORM_CONTRACT_VERSION } from "../../config/platformContract";
import { byId, json, ofType, single } from "../helpers/resources";
import { contractOf } from "../helpers/platform";

const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";

describe("SharedCluster", () => {
  let dev: StackRun;
  let prod: StackRun;
  before(async () => {
    dev = await runPlatform({ stack: "dev" });
    prod = await runPlatform({ stack: "prod" });
  });

  /** The tier (logical name suffix) of a security group id. */
  const tierOf = (run: StackRun, groupId: unknown) =>
    byId(run, groupId)
      ?.name.replace(/^bbws-\w+-/, "")
      .replace(/-sg$/, "");

  describe("ECS capacity", () => {
    it("dev runs Spot-first, prod keeps a FARGATE base of 2 with Spot weighted 4 (seed 000)", () => {
      const devProviders = single(dev, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").inputs;
      expect(devProviders.capacityProviders).to.have.members(["FARGATE", "FARGATE_SPOT"]);
      expect(devProviders.defaultCapacityProviderStrategies).to.deep.equal([
        { capacityProvider: "FARGATE_SPOT", base: 0, weight: 1 },
      ]);
      expect(
        single(prod, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").inputs
          .defaultCapacityProviderStrategies,
      ).to.deep.equal([
        { capacityProvider: "FARGATE", base: 2, weight: 1 },
        { capacityProvider: "FARGATE_SPOT", base: 0, weight: 4 },
      ]);
    });

    it("Container Insights is off in dev and on in prod", () => {
      expect(single(dev, "aws:ecs/cluster:Cluster").inputs.settings).to.deep.equal([
        { name: "containerInsights", value: "disabled" },
      ]);
      expect(single(prod, "aws:ecs/cluster:Cluster").inputs.settings).to.deep.equal([
        { name: "containerInsights", value: "enabled" },
      ]);
    });
  });

  describe("network", () => {
    it("dev has no NAT gateway (a NAT instance) over 2 AZs; prod one per AZ over 3, with interface endpoints", () => {
      const devVpc = single(dev, "awsx:ec2:Vpc").inputs;
      expect(devVpc.natGateways).to.deep.equal({ strategy: "None" });
      expect(ofType(prod, "aws:ec2/instance:Instance")).to.have.length(0);
      expect(devVpc.numberOfAvailabilityZones).to.equal(2);
      const prodVpc = single(prod, "awsx:ec2:Vpc").inputs;
      expect(prodVpc.natGateways).to.deep.equal({ strategy: "OnePerAz" });
      expect(prodVpc.numberOfAvailabilityZones).to.equal(3);
      expect(ofType(dev, "aws:ec2/vpcEndpoint:VpcEndpoint")).to.have.length(0);
      expect(
        ofType(prod, "aws:ec2/vpcEndpoint:VpcEndpoint").map((e) => e.inputs.serviceName),
      ).to.have.members(
        ["ecr.api", "ecr.dkr", "logs", "secretsmanager", "sts"].map((s) => `com.amazonaws.af-south-1.${s}`),
      );
    });

    it("has an S3 gateway endpoint, DNS hostnames for EFS, REJECT flow logs and a rule-less default group", () => {
      const vpc = single(dev, "awsx:ec2:Vpc").inputs;
      expect(vpc.vpcEndpointSpecs).to.deep.equal([
        { serviceName: "com.amazonaws.af-south-1.s3", vpcEndpointType: "Gateway" },
      ]);
      expect(vpc.enableDnsHostnames).to.equal(true);
      expect(single(dev, "aws:ec2/flowLog:FlowLog").inputs.trafficType).to.equal("REJECT");
      const defaultGroup = single(dev, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup").inputs;
      expect(defaultGroup.ingress ?? []).to.be.empty;
      expect(defaultGroup.egress ?? []).to.be.empty;
    });
  });

  describe("security group tiers", () => {
    for (const stack of ["dev", "prod"] as const) {
      it(`${stack}: the only internet ingress is the ALB on 80 and 443`, () => {
        const run = stack === "dev" ? dev : prod;
        const open = ofType(run, INGRESS).filter(
          (r) => r.inputs.cidrIpv4 === "0.0.0.0/0" || r.inputs.cidrIpv6 === "::/0",
        );
        expect(
          open.map((r) => [tierOf(run, r.inputs.securityGroupId), r.inputs.fromPort, r.inputs.toPort]),
        ).to.have.deep.members([
          ["alb", 443, 443],
          ["alb", 80, 80],
        ]);
      });

      it(`${stack}: tasks take 80 from the ALB only; EFS 2049 and Aurora 3306 from tasks only`, () => {
        const run = stack === "dev" ? dev : prod;
        const ingress = ofType(run, INGRESS)
          .filter((r) => r.inputs.referencedSecurityGroupId !== undefined)
          .map((r) => [
            tierOf(run, r.inputs.referencedSecurityGroupId),
            "->",
            tierOf(run, r.inputs.securityGroupId),
            r.inputs.fromPort,
          ]);
        const expected: unknown[][] = [
          ["alb", "->", "tasks", 80],
          ["tasks", "->", "efs", 2049],
          ["tasks", "->", "db", 3306],
        ];
        if (stack === "prod") expected.push(["tasks", "->", "endpoints", 443]);
        expect(ingress).to.have.deep.members(expected);
      });
    }

    it("egress is limited: the ALB reaches tasks on 80, tasks reach HTTPS, SES SMTP, NFS and MySQL", () => {
      const egress = ofType(dev, EGRESS).map((r) => [
        tierOf(dev, r.inputs.securityGroupId),
        r.inputs.fromPort,
        r.inputs.cidrIpv4 ?? tierOf(dev, r.inputs.referencedSecurityGroupId),
      ]);
      expect(egress.filter(([tier]) => tier !== "nat")).to.have.deep.members([
        ["alb", 80, "tasks"],
        ["tasks", 443, "0.0.0.0/0"],
        ["tasks", 587, "0.0.0.0/0"],
        ["tasks", 2049, "efs"],
        ["tasks", 3306, "db"],
      ]);
      for (const rule of ofType(dev, EGRESS)) expect(rule.inputs.ipProtocol).to.equal("tcp");
    });
  });

  describe("load balancers", () => {
    it("prod has two ALB shards, dev one; each drops invalid headers; deletion protection only in prod", () => {
      const prodAlbs = ofType(prod, "aws:lb/loadBalancer:LoadBalancer");
      expect(prodAlbs).to.have.length(2);
      expect(ofType(dev, "aws:lb/loadBalancer:LoadBalancer")).to.have.length(1);
      for (const alb of prodAlbs) {
        expect(alb.inputs.dropInvalidHeaderFields).to.equal(true);
        expect(alb.inputs.enableDeletionProtection).to.equal(true);
        expect(alb.inputs.internal).to.equal(false);
        expect(alb.inputs.accessLogs).to.include({ enabled: true });
      }
      expect(single(dev, "aws:lb/loadBalancer:LoadBalancer").inputs.enableDeletionProtection).to.equal(false);
    });

    it("HTTPS listeners use the TLS 1.3 policy and answer unknown hosts with a fixed 404", () => {
      for (const listener of ofType(prod, "aws:lb/listener:Listener").filter((l) => l.inputs.port === 443)) {
        expect(listener.inputs.protocol).to.equal("HTTPS");
        expect(listener.inputs.sslPolicy).to.equal(TLS_POLICY).and.match(/TLS13/);
        expect(listener.inputs.defaultActions[0].type).to.equal("fixed-response");
        expect(listener.inputs.defaultActions[0].fixedResponse.statusCode).to.equal("404");
      }
    });

    it("HTTP listeners only redirect to HTTPS with a 301", () => {
      const http = ofType(dev, "aws:lb/listener:Listener").filter((l) => l.inputs.port === 80);
      expect(http).to.have.length(1);
      expect(http[0].inputs.defaultActions).to.deep.equal([
        { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
      ]);
    });

    it("dev uses the configured certificate; prod issues a DNS-validated wildcard in its zone", () => {
      expect(single(dev, "aws:lb/listener:Listener", /https/).inputs.certificateArn).to.match(
        /^arn:aws:acm:af-south-1:\d{12}:certificate\//,
      );
      expect(ofType(dev, "aws:acm/certificate:Certificate")).to.have.length(0);
      const certificate = single(prod, "aws:acm/certificate:Certificate").inputs;
      expect(certificate.domainName).to.equal("*.wp.example.com");
      expect(certificate.validationMethod).to.equal("DNS");
      expect(single(prod, "aws:route53/record:Record").inputs.zoneId).to.equal("Z08123452ABCDEFGHIJKL");
      const validated = single(prod, "aws:acm/certificateValidation:CertificateValidation");
      for (const listener of ofType(prod, "aws:lb/listener:Listener").filter((l) => l.inputs.port === 443)) {
        expect(listener.inputs.certificateArn).to.equal(validated.inputs.certificateArn);
      }
    });
  });

  describe("EFS", () => {
    it("is KMS-encrypted with the data key, elastic, and tiers to IA after 30 days and back after 1 access", () => {
      const fs = single(dev, "aws:efs/fileSystem:FileSystem").inputs;
      const dataKey = single(dev, "aws:kms/key:Key", /data-key/);
      expect(fs.encrypted).to.equal(true);
      expect(fs.kmsKeyId).to.equal(`arn:aws:kms:af-south-1:123456789012:key/${dataKey.id}`);
      expect(fs.throughputMode).to.equal("elastic");
      expect(fs.performanceMode).to.equal("generalPurpose");
      expect(fs.lifecyclePolicies).to.deep.equal([
        { transitionToIa: "AFTER_30_DAYS" },
        { transitionToPrimaryStorageClass: "AFTER_1_ACCESS" },
      ]);
    });

    for (const stack of ["dev", "prod"] as const) {
      it(`${stack}: one mount target in every private subnet, behind the EFS group`, () => {
        const run = stack === "dev" ? dev : prod;
        const privateSubnets = contractOf(run).network.privateSubnetIds;
        const mounts = ofType(run, "aws:efs/mountTarget:MountTarget");
        expect(mounts.map((m) => m.inputs.subnetId)).to.have.members(privateSubnets);
        expect(mounts).to.have.length(stack === "dev" ? 2 : 3);
        for (const m of mounts)
          expect(m.inputs.securityGroups.map((g: string) => tierOf(run, g))).to.deep.equal(["efs"]);
      });
    }

    for (const stack of ["dev", "prod"] as const) {
      it(`${stack}: the file-system policy denies non-TLS NFS, mounts without an access point, and root but through the maintenance access point`, () => {
        const run = stack === "dev" ? dev : prod;
        const fs = single(run, "aws:efs/fileSystem:FileSystem");
        const policy = single(run, "aws:efs/fileSystemPolicy:FileSystemPolicy").inputs;
        expect(policy.fileSystemId).to.equal(fs.id);
        const fsArn = `arn:aws:elasticfilesystem:af-south-1:123456789012:file-system/${fs.id}`;
        const admin = single(run, "aws:efs/accessPoint:AccessPoint", /maintenance-ap/);
        const statements = json<{ Statement: Record<string, unknown>[] }>(policy.policy).Statement;
        expect(
          statements.every((st) => st.Effect === "Deny" && (st.Principal as { AWS: string }).AWS === "*"),
        ).to.equal(true);
        expect(statements.map((st) => [st.Sid, st.Action, st.Resource, st.Condition])).to.deep.equal([
          ["DenyUnencryptedTransport", "*", fsArn, { Bool: { "aws:SecureTransport": "false" } }],
          [
            "DenyMountWithoutAccessPoint",
            ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
            fsArn,
            { Null: { "elasticfilesystem:AccessPointArn": "true" } },
          ],
          [
            "DenyRootAccessButThroughMaintenanceAccessPoint",
            "elasticfilesystem:ClientRootAccess",
            fsArn,
            {
              StringNotEquals: {
                "elasticfilesystem:AccessPointArn": `arn:aws:elasticfilesystem:af-south-1:123456789012:access-point/${admin.id}`,
              },
            },
          ],
        ]);
        // Never a condition EFS does not evaluate for NFS clients (only 4 keys are, per AWS).
        expect(JSON.stringify(statements)).to.not.match(/aws:PrincipalArn|NotPrincipal/);
      });
    }
  });

  describe("Aurora", () => {
    it("is encrypted, has the Data API and a Secrets Manager-managed master password under a non-default user", () => {
      const db = single(dev, "aws:rds/cluster:Cluster").inputs;
      expect(db.storageEncrypted).to.equal(true);
      expect(db.kmsKeyId).to.match(/^arn:aws:kms:af-south-1:\d{12}:key\//);
      expect(db.enableHttpEndpoint).to.equal(true);
      expect(db.manageMasterUserPassword).to.equal(true);
      expect(db.masterPassword).to.equal(undefined);
      expect(db.masterUsername).to.not.equal("admin");
      expect(db.engine).to.equal("aurora-mysql");
      // dev pauses at 0 ACU after 5 idle minutes (the dev preset).
      expect(db.serverlessv2ScalingConfiguration).to.deep.equal({
        minCapacity: 0,
        maxCapacity: 4,
        secondsUntilAutoPause: 300,
      });
      expect(db.backupRetentionPeriod).to.be.at.least(7);
    });

    it("requires TLS on every connection (require_secure_transport) and audits connections, DDL and DCL", () => {
      for (const run of [dev, prod]) {
        const cluster = single(run, "aws:rds/cluster:Cluster").inputs;
        const group = single(run, "aws:rds/clusterParameterGroup:ClusterParameterGroup");
        expect(cluster.dbClusterParameterGroupName).to.equal(
          byId(run, cluster.dbClusterParameterGroupName)?.id,
        );
        expect(byId(run, cluster.dbClusterParameterGroupName)?.urn).to.equal(group.urn);
        expect(group.inputs.parameters).to.deep.include({ name: "require_secure_transport", value: "ON" });
        expect(group.inputs.parameters).to.deep.include({
          name: "server_audit_events",
          value: "CONNECT,QUERY_DCL,QUERY_DDL",
        });
      }
    });

    it("dev can be deleted without a final snapshot; prod has deletion protection, a final snapshot and `protect`", () => {
      const devDb = single(dev, "aws:rds/cluster:Cluster");
      expect(devDb.inputs.deletionProtection).to.equal(false);
      expect(devDb.inputs.skipFinalSnapshot).to.equal(true);
      expect(devDb.protect).to.equal(false);
      const prodDb = single(prod, "aws:rds/cluster:Cluster");
      expect(prodDb.inputs.deletionProtection).to.equal(true);
      expect(prodDb.inputs.skipFinalSnapshot).to.equal(false);
      expect(prodDb.inputs.finalSnapshotIdentifier).to.equal("bbws-prod-final");
      expect(prodDb.protect).to.equal(true);
      expect(single(prod, "aws:efs/fileSystem:FileSystem").protect).to.equal(true);
    });

    it("prod has a reader in another AZ than the writer; dev only a writer", () => {
      expect(ofType(dev, "aws:rds/clusterInstance:ClusterInstance")).to.have.length(1);
      const prodInstances = ofType(prod, "aws:rds/clusterInstance:ClusterInstance");
      expect(prodInstances).to.have.length(2);
      const [writer, reader] = prodInstances.sort((a, b) => a.inputs.promotionTier - b.inputs.promotionTier);
      expect(writer.inputs.availabilityZone).to.not.equal(reader.inputs.availabilityZone);
      for (const instance of prodInstances) {
        expect(instance.inputs.instanceClass).to.equal("db.serverless");
        expect(instance.inputs.publiclyAccessible).to.equal(false);
      }
    });
  });

  describe("images, logs, keys and tags", () => {
    it("the ECR repository scans on push, has immutable tags, KMS and a lifecycle policy", () => {
      const repo = single(dev, "aws:ecr/repository:Repository").inputs;
      expect(repo.imageScanningConfiguration).to.deep.equal({ scanOnPush: true });
      expect(repo.imageTagMutability).to.equal("IMMUTABLE");
      expect(repo.encryptionConfigurations[0].encryptionType).to.equal("KMS");
      const rules = json<{ rules: unknown[] }>(
        single(dev, "aws:ecr/lifecyclePolicy:LifecyclePolicy").inputs.policy,
      ).rules;
      expect(rules).to.have.length(2);
      expect(
        single(dev, "aws:ecr/pullThroughCacheRule:PullThroughCacheRule").inputs.upstreamRegistryUrl,
      ).to.equal("public.ecr.aws");
      // The default image is the runtime image the platform built from runtime/, by its digest.
      const built = single(dev, "docker-build:index:Image");
      expect(contractOf(dev).image.defaultImage).to.equal(
        `123456789012.dkr.ecr.af-south-1.amazonaws.com/bbws/dev/wordpress@${built.id}`,
      );
      expect(contractOf(dev).image.defaultImage).to.match(/@sha256:[0-9a-f]{64}$/);
    });

    it("container logs are kept 7 days in dev and 30 in prod, encrypted with the telemetry key", () => {
      const devLogs = single(dev, "aws:cloudwatch/logGroup:LogGroup", /wordpress-logs/).inputs;
      expect(devLogs.name).to.equal("/bbws/dev/wordpress");
      expect(devLogs.retentionInDays).to.equal(7);
      expect(
        single(prod, "aws:cloudwatch/logGroup:LogGroup", /wordpress-logs/).inputs.retentionInDays,
      ).to.equal(30);
      const telemetryKey = single(dev, "aws:kms/key:Key", /telemetry-key/);
      expect(devLogs.kmsKeyId).to.contain(telemetryKey.id);
      const keyPolicy = json<{ Statement: { Principal: { Service?: string } }[] }>(
        telemetryKey.inputs.policy,
      );
      expect(keyPolicy.Statement.map((s) => s.Principal.Service)).to.include("logs.af-south-1.amazonaws.com");
    });

    it("every KMS key rotates", () => {
      for (const key of [...ofType(dev, "aws:kms/key:Key"), ...ofType(prod, "aws:kms/key:Key")]) {
        expect(key.inputs.enableKeyRotation, key.name).to.equal(true);
      }
    });

    it("the provider tags everything with the environment; components tag what they are", () => {
      const provider = single(prod, "pulumi:providers:aws", /^aws$/).inputs;
      expect(JSON.parse(provider.defaultTags as string)).to.deep.equal({
        tags: { "bbws:environment": "prod", "bbws:managed-by": "pulumi" },
      });
      expect(single(prod, "aws:efs/fileSystem:FileSystem").inputs.tags["bbws:component"]).to.equal("efs");
      expect(single(prod, "aws:rds/cluster:Cluster").inputs.tags["bbws:component"]).to.equal("database");
    });

    it("every AWS resource is created through one of the stack's explicit providers", () => {
      const providers = ofType(prod, "pulumi:providers:aws").map((p) => `${p.urn}::${p.id}`);
      for (const r of prod.resources.filter((r) => r.custom && r.type.startsWith("aws:"))) {
        expect(providers, r.urn).to.include(r.provider);
      }
    });
  });

  describe("platform contract", () => {
    it("exports the current contract version, which parses", () => {
      for (const run of [dev, prod]) {
        expect(run.outputs.contractVersion).to.equal(PLATFORM_CONTRACT_VERSION);
        expect(contractOf(run).environment).to.equal(run.stack);
      }
    });

    it("ingress.shards[i] is ALB shard i: its HTTPS listener, ARN suffix, DNS name and zone", () => {
      const shards = contractOf(prod).ingress.shards;
      expect(shards).to.have.length(2);
      shards.forEach((shard, i) => {
        const alb = single(prod, "aws:lb/loadBalancer:LoadBalancer", new RegExp(`-alb-${i}$`));
        const listener = single(prod, "aws:lb/listener:Listener", new RegExp(`-alb-${i}-https$`));
        expect(listener.inputs).to.include({ port: 443, protocol: "HTTPS", loadBalancerArn: alb.id });
        expect(shard.listenerArn).to.equal(listener.id);
        expect(alb.id).to.equal(
          `arn:aws:elasticloadbalancing:af-south-1:123456789012:loadbalancer/${shard.loadBalancerArnSuffix}`,
        );
        // Auto-named: `<logical name>-<suffix>-<digits>.<region>.elb.amazonaws.com`.
        expect(shard.dnsName.startsWith(`${alb.name}-`), shard.dnsName).to.equal(true);
        expect(shard.dnsName).to.match(/\.af-south-1\.elb\.amazonaws\.com$/);
        expect(shard.zoneId).to.match(/^Z[0-9A-Z]+$/);
      });
      expect(shards[0].listenerArn).to.not.equal(shards[1].listenerArn);
    });

    it("storage: the file system and the ids of its mount targets, in subnet order", () => {
      const { storage, network } = contractOf(prod);
      const fileSystem = single(prod, "aws:efs/fileSystem:FileSystem");
      expect(storage.fileSystemId).to.equal(fileSystem.id);
      expect(storage.fileSystemArn).to.equal(
        `arn:aws:elasticfilesystem:af-south-1:123456789012:file-system/${fileSystem.id}`,
      );
      const mounts = storage.mountTargetIds.map((id) => byId(prod, id));
      expect(mounts.map((m) => m?.type)).to.deep.equal(Array(3).fill("aws:efs/mountTarget:MountTarget"));
      expect(mounts.map((m) => m!.inputs.subnetId)).to.deep.equal(network.privateSubnetIds);
      expect(mounts.every((m) => m!.inputs.fileSystemId === fileSystem.id)).to.equal(true);
    });

    it("network, cluster and database: the resources the names say, in the stack's region and account", () => {
      const c = contractOf(prod);
      expect(tierOf(prod, c.network.securityGroups.tasks)).to.equal("tasks");
      expect(tierOf(prod, c.network.securityGroups.alb)).to.equal("alb");
      expect(tierOf(prod, c.network.securityGroups.fileSystem)).to.equal("efs");
      expect(tierOf(prod, c.network.securityGroups.database)).to.equal("db");
      const cluster = single(prod, "aws:ecs/cluster:Cluster");
      expect([c.cluster.name, c.cluster.arn]).to.deep.equal([cluster.inputs.name, cluster.id]);
      expect(c.cluster.namespaceId).to.equal(
        single(prod, "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace").id,
      );
      const db = single(prod, "aws:rds/cluster:Cluster");
      expect(c.database.clusterArn).to.equal(`arn:aws:rds:af-south-1:123456789012:cluster:${db.id}`);
      expect(c.database.endpoint).to.match(/\.cluster-[0-9a-f]+\.af-south-1\.rds\.amazonaws\.com$/);
      expect(c.observability.logGroupName).to.equal("/bbws/prod/wordpress");
      expect(c.keys.dataKeyArn).to.equal(
        `arn:aws:kms:af-south-1:123456789012:key/${single(prod, "aws:kms/key:Key", /data-key/).id}`,
      );
    });
  });

  it("exports the maintenance tasks restore runs, and their access point is the one they mount", () => {
    const { maintenance } = contractOf(prod);
    expect(maintenance.taskDefinitionArn).to.match(
      /^arn:aws:ecs:af-south-1:123456789012:task-definition\/bbws-prod-maintenance:\d+$/,
    );
    expect(maintenance.dbCopyTaskDefinitionArn).to.match(/:task-definition\/bbws-prod-db-copy:\d+$/);
    expect(maintenance.logGroupName).to.equal("/bbws/prod/maintenance");
    expect(maintenance.accessPointArn).to.match(
      /^arn:aws:elasticfilesystem:af-south-1:123456789012:access-point\/fsap-/,
    );
    const task = ofType(prod, "aws:ecs/taskDefinition:TaskDefinition").find(
      (t) => t.inputs.family === "bbws-prod-maintenance",
    )!;
    const volume = (
      task.inputs.volumes as {
        efsVolumeConfiguration: { transitEncryption: string; authorizationConfig: { accessPointId: string } };
      }[]
    )[0];
    expect(volume.efsVolumeConfiguration.authorizationConfig.accessPointId).to.equal(
      maintenance.accessPointId,
    );
    expect(volume.efsVolumeConfiguration.transitEncryption).to.equal("ENABLED");
  });
});
