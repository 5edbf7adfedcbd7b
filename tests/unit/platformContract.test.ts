/**
 * The platform contract end to end: the platform program's export goes through the tenant
 * program's StackReference and parse, and what the tenant builds is checked against the
 * resources the platform run recorded (not against the contract it was given). A platform of
 * another contract version stops the tenant run with the command that fixes it.
 */
import { expect } from "chai";
import { StackRun, StackRunError } from "../../offline/stackRun";
import { runTenant } from "../../offline/tenantRun";
import { loadStackSettings } from "../../config/readStackConfig";
import { PLATFORM_CONTRACT_VERSION, PlatformContract } from "../../config/platformContract";
import { BbwsError } from "../../lib/errors";
import { SERVICE_TASK, byId, json, ofType, single } from "../helpers/resources";
import { contractOf } from "../helpers/platform";
import { entryFor, platformOf, registryEntry } from "../helpers/tenants";

/** Runs a dev tenant against these platform outputs; resolves to the run or the failure's message. */
async function runAgainst(outputs: Record<string, unknown>, id = "probe"): Promise<string> {
  try {
    await runTenant({ settings: loadStackSettings("dev"), entry: entryFor(id, 9), platformOutputs: outputs });
  } catch (error) {
    expect(error).to.be.instanceOf(StackRunError);
    return (error as Error).message;
  }
  throw new Error("expected the tenant run to fail");
}

describe("platform contract round trip (platform export -> StackReference -> tenant)", () => {
  let platform: StackRun;
  let prodPlatform: StackRun;
  let acme: StackRun;
  let initech: StackRun; // prod, ALB shard 1
  before(async () => {
    platform = await platformOf("dev");
    prodPlatform = await platformOf("prod");
    acme = await runTenant({
      settings: loadStackSettings("dev"),
      entry: registryEntry("dev", "acme"),
      platformOutputs: platform.outputs,
    });
    initech = await runTenant({
      settings: loadStackSettings("prod"),
      entry: registryEntry("prod", "initech"),
      platformOutputs: prodPlatform.outputs,
    });
  });

  it("the listener rule is on the HTTPS listener of the tenant's own ALB shard, as the platform created it", () => {
    const alb = single(prodPlatform, "aws:lb/loadBalancer:LoadBalancer", /-alb-1$/);
    const https = ofType(prodPlatform, "aws:lb/listener:Listener").find(
      (l) => l.inputs.loadBalancerArn === alb.id && l.inputs.port === 443,
    )!;
    expect(https.inputs.protocol).to.equal("HTTPS");
    const rule = single(initech, "aws:lb/listenerRule:ListenerRule").inputs;
    expect(rule.listenerArn).to.equal(https.id);
    expect(rule.priority).to.equal(registryEntry("prod", "initech").listener!.priority);
    const alarm = single(initech, "aws:cloudwatch/metricAlarm:MetricAlarm", /target-5xx/).inputs;
    expect(
      `arn:aws:elasticloadbalancing:af-south-1:123456789012:loadbalancer/${alarm.dimensions.LoadBalancer}`,
    ).to.equal(alb.id);
  });

  it("the service waits for the platform's real mount targets, one per AZ, in order", () => {
    const platformMounts = ofType(platform, "aws:efs/mountTarget:MountTarget");
    const read = ofType(acme, "aws:efs/mountTarget:MountTarget");
    expect(read.map((m) => m.id)).to.deep.equal(platformMounts.map((m) => m.id));
    expect(read.every((m) => m.read)).to.equal(true);
    const service = single(acme, "aws:ecs/service:Service");
    for (const m of read) expect(service.dependencies).to.include(m.urn);
  });

  it("the task and service run on the platform's cluster, file system, log group, subnets and task tier", () => {
    const service = single(acme, "aws:ecs/service:Service").inputs;
    expect(service.cluster).to.equal(single(platform, "aws:ecs/cluster:Cluster").id);
    const tasksGroup = single(platform, "aws:ec2/securityGroup:SecurityGroup", /-tasks-sg$/);
    expect(service.networkConfiguration.securityGroups).to.deep.equal([tasksGroup.id]);
    const subnets = ofType(platform, "aws:efs/mountTarget:MountTarget").map((m) => m.inputs.subnetId);
    expect(service.networkConfiguration.subnets).to.deep.equal(subnets);

    const task = single(acme, "aws:ecs/taskDefinition:TaskDefinition", SERVICE_TASK).inputs;
    const fileSystem = single(platform, "aws:efs/fileSystem:FileSystem");
    expect(task.volumes[0].efsVolumeConfiguration.fileSystemId).to.equal(fileSystem.id);
    const [container] = json<{ logConfiguration: { options: Record<string, string> } }[]>(
      task.containerDefinitions,
    );
    const logGroup = single(platform, "aws:cloudwatch/logGroup:LogGroup", /wordpress-logs/);
    expect(container.logConfiguration.options["awslogs-group"]).to.equal(logGroup.inputs.name);
  });

  it("secrets are encrypted with the platform's data key; the database resource targets its Aurora cluster", () => {
    const dataKey = single(platform, "aws:kms/key:Key", /data-key/);
    for (const secret of ofType(acme, "aws:secretsmanager/secret:Secret"))
      expect(secret.inputs.kmsKeyId).to.equal(`arn:aws:kms:af-south-1:123456789012:key/${dataKey.id}`);
    const cluster = single(platform, "aws:rds/cluster:Cluster");
    expect(single(acme, "pulumi-nodejs:dynamic/bbws:TenantDatabase").inputs.clusterArn).to.equal(
      `arn:aws:rds:af-south-1:123456789012:cluster:${cluster.id}`,
    );
  });

  it("the tenant's outputs name the platform's cluster", () => {
    expect(acme.outputs.clusterName).to.equal(single(platform, "aws:ecs/cluster:Cluster").inputs.name);
  });

  describe("a platform of another contract version is refused, saying how to fix it", () => {
    const fix = /update the platform first: pulumi up -s dev/;

    it("no version at all (contract version 1: the flat outputs)", async () => {
      const c: PlatformContract = contractOf(platform);
      const flat = {
        environment: "dev",
        region: c.region,
        vpcId: c.network.vpcId,
        httpsListenerArns: c.ingress.shards.map((s) => s.listenerArn),
        mountTargetIds: c.storage.mountTargetIds,
      };
      const message = await runAgainst(flat);
      expect(message).to.include(
        "platform stack organization/bbws/dev has no contract version (version 1, before outputs were versioned); " +
          `this code reads contract version ${PLATFORM_CONTRACT_VERSION}`,
      );
      expect(message).to.match(fix);
    });

    it("an explicit older version, and a newer one", async () => {
      expect(await runAgainst({ ...platform.outputs, contractVersion: 1 })).to.match(
        /has contract version 1; this code reads contract version 2: update the platform first: pulumi up -s dev/,
      );
      expect(await runAgainst({ ...platform.outputs, contractVersion: 3 })).to.match(
        /has contract version 3, newer than this code reads \(2\): update this checkout/,
      );
    });

    it("the current version with a malformed value names the output", async () => {
      const c = contractOf(platform);
      const broken = {
        ...platform.outputs,
        ingress: { shards: [{ ...c.ingress.shards[0], listenerArn: "lb-1" }] },
      };
      expect(await runAgainst(broken)).to.match(
        /does not satisfy contract version 2 \(ingress\.shards\[0\]\.listenerArn: an ARN arn:<partition>:elasticloadbalancing:/,
      );
    });
  });

  describe("a platform the tenant does not fit is refused", () => {
    it("another environment's platform", async () => {
      expect(await runAgainst(prodPlatform.outputs)).to.match(
        /tenant probe belongs to environment "dev", but platform stack organization\/bbws\/dev is environment "prod"/,
      );
    });

    it("fewer mount targets than the environment's AZs", async () => {
      const settings = loadStackSettings("dev", undefined, { "bbws:availabilityZones": "3" });
      const error = await runTenant({
        settings,
        entry: entryFor("probe", 9),
        platformOutputs: platform.outputs,
      }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(BbwsError);
      expect((error as Error).message).to.match(
        /tenant probe expects 3 EFS mount targets \(bbws:availabilityZones\), but organization\/bbws\/dev has 2/,
      );
    });
  });

  it("byId finds what the contract names in the platform run (the contract holds ids, not copies)", () => {
    const c = contractOf(platform);
    expect(byId(platform, c.storage.fileSystemId)?.type).to.equal("aws:efs/fileSystem:FileSystem");
    expect(byId(platform, c.maintenance.accessPointId)?.type).to.equal("aws:efs/accessPoint:AccessPoint");
    expect(byId(platform, c.cluster.namespaceId)?.type).to.equal(
      "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace",
    );
  });
});
