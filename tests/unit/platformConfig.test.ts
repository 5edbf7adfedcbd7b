import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import {
  CONFIG_KEYS,
  ConfigError,
  RawPlatformConfig,
  resolvePlatformSettings,
} from "../../config/platformConfig";
import { loadStackSettings } from "../../config/readStackConfig";
import { PRESETS } from "../../config/presets";

const valid = (values: Record<string, unknown> = {}, stackName = "dev"): RawPlatformConfig => ({
  stackName,
  region: "af-south-1",
  values: {
    domain: "wpdev.example.com",
    certificateArn: "arn:aws:acm:af-south-1:111122223333:certificate/abc-123",
    ...values,
  },
});

function problemsOf(raw: RawPlatformConfig): ConfigError {
  try {
    resolvePlatformSettings(raw);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected the configuration to be rejected");
}

describe("platform configuration", () => {
  describe("committed stacks", () => {
    it("dev applies the dev preset: Spot-first, a NAT instance, a pausing database, sleeping tenants", () => {
      const dev = loadStackSettings("dev");
      expect(dev.environment).to.equal("dev");
      expect(dev.natGateways).to.equal("instance");
      expect(dev.natInstanceType).to.equal("t4g.nano");
      expect(dev.database).to.include({ minCapacity: 0, autoPauseSeconds: 300 });
      // The preset's working hours, in the zone Pulumi.dev.yaml sets.
      expect(dev.tenant.schedule).to.deep.equal({
        sleepAt: "18:00",
        wakeAt: "08:00",
        timezone: "Africa/Johannesburg",
        weekdaysOnly: true,
      });
      expect(dev.containerInsights).to.equal(false);
      expect(dev.logRetentionDays).to.equal(7);
      expect(dev.clusterCapacityStrategy).to.deep.equal([
        { capacityProvider: "FARGATE_SPOT", base: 0, weight: 1 },
      ]);
      expect(dev.deletionProtection).to.equal(false);
      expect(dev.region).to.equal("af-south-1");
      expect(dev.drRegion).to.equal("eu-west-1");
    });

    it("prod applies the prod preset and its own overrides (two ALB shards, issued certificate)", () => {
      const prod = loadStackSettings("prod");
      expect(prod.natGateways).to.equal("onePerAz");
      expect(prod.tenant.schedule).to.equal(undefined);
      expect(prod.database.minCapacity).to.be.greaterThan(0);
      expect(prod.containerInsights).to.equal(true);
      expect(prod.logRetentionDays).to.equal(30);
      expect(prod.deletionProtection).to.equal(true);
      expect(prod.finalSnapshot).to.equal(true);
      expect(prod.albShards).to.equal(2);
      expect(prod.certificate).to.deep.equal({ hostedZoneId: "Z08123452ABCDEFGHIJKL" });
      expect(prod.database.readers).to.be.at.least(1);
      expect(prod.backup.vaultLock).to.equal("governance");
    });
  });

  describe("overrides", () => {
    it("a stack value beats the preset, with strings coerced to the key's type", () => {
      const settings = resolvePlatformSettings(
        valid({ containerInsights: "true", albShards: "3", dbMaxCapacity: "8.5" }),
      );
      expect(settings.containerInsights).to.equal(true);
      expect(settings.albShards).to.equal(3);
      expect(settings.database.maxCapacity).to.equal(8.5);
      expect(settings.database.minCapacity).to.equal(PRESETS.dev.database.minCapacity);
    });

    it("tenant defaults can be overridden per stack", () => {
      const settings = resolvePlatformSettings(
        valid({ tenantSize: "large", tenantFargateBase: "1", tenantMaxTasks: "6" }),
      );
      expect(settings.tenant.size).to.deep.equal({ cpu: 1024, memory: 2048 });
      expect(settings.tenant.capacity.fargateBase).to.equal(1);
      expect(settings.tenant.maxTasks).to.equal(6);
    });
  });

  describe("rejected values name the key, the value received and what is allowed", () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ["albShards below 1", { albShards: "0" }, /bbws:albShards: got "0"; allowed: an integer from 1 to 50/],
      [
        "four availability zones",
        { availabilityZones: 4 },
        /bbws:availabilityZones: got 4; allowed: an integer from 2 to 3/,
      ],
      [
        "an unknown NAT strategy",
        { natGateways: "two" },
        /bbws:natGateways: got "two"; allowed: one of single, onePerAz/,
      ],
      [
        "a retention CloudWatch refuses",
        { logRetentionDays: "8" },
        /bbws:logRetentionDays: got "8"; allowed: one of CloudWatch's retention periods: 1, 3, 5, 7/,
      ],
      [
        "a fractional ACU that is not a half",
        { dbMinCapacity: "0.3" },
        /bbws:dbMinCapacity: got "0.3"; allowed: a number of ACUs from 0 to 256 in steps of 0.5/,
      ],
      [
        "a boolean written as yes",
        { containerInsights: "yes" },
        /bbws:containerInsights: got "yes"; allowed: true or false/,
      ],
      [
        "an invalid Fargate size",
        { tenantSize: "256/4096" },
        /bbws:tenantSize: got "256\/4096"; allowed: 256\/4096 is not a valid Fargate CPU\/memory pair \(with 256 CPU units Fargate allows 512-2048 MiB\)/,
      ],
      [
        "an upper-case domain",
        { domain: "WP.Example.com" },
        /bbws:domain: got "WP.Example.com"; allowed: a lower-case DNS name/,
      ],
      [
        "a malformed certificate ARN",
        { certificateArn: "arn:aws:acm:cert" },
        /bbws:certificateArn: got "arn:aws:acm:cert"; allowed: an ACM certificate ARN/,
      ],
      [
        "a DR region equal to the primary",
        { drRegion: "af-south-1" },
        /bbws:drRegion: got "af-south-1"; must differ from aws:region/,
      ],
      [
        "min ACU above max ACU",
        { dbMinCapacity: "4", dbMaxCapacity: "2" },
        /bbws:dbMinCapacity: got 4; must not exceed dbMaxCapacity \(2\)/,
      ],
      [
        "desired tasks above the maximum",
        { tenantDesiredCount: "5", tenantMaxTasks: "3" },
        /bbws:tenantDesiredCount: got 5; must lie between tenantMinTasks \(1\) and tenantMaxTasks \(3\)/,
      ],
      ["a typo in a key", { albShard: "2" }, /bbws:albShard: unknown key; did you mean bbws:albShards\?/],
      ["both weights zero", { tenantSpotWeight: "0", tenantFargateWeight: "0" }, /cannot both be 0/],
      [
        "seed 002's backup lifecycle (cold after 1 day, delete after 7)",
        { backupEfsColdStorageAfterDays: "1", backupRetentionDays: "7" },
        /bbws:backupRetentionDays: got 7; EFS hourly rule: delete-after \(7 days\) must be at least cold-storage-after \(1\) \+ 90 = 91 days: AWS Backup keeps a recovery point in cold storage for at least 90 days/,
      ],
    ];
    for (const [what, values, message] of cases) {
      it(`rejects ${what}`, () => {
        expect(problemsOf(valid(values)).message).to.match(message);
      });
    }

    it("requires a certificate source; with both, the certificate serves and the zone holds the tenant records", () => {
      expect(problemsOf(valid({ certificateArn: undefined })).message).to.match(
        /bbws:certificateArn: required: set certificateArn .* or hostedZoneId/,
      );
      const both = resolvePlatformSettings(valid({ hostedZoneId: "Z0123456789ABC" }));
      expect(both.certificate).to.have.property("arn");
      expect(both.edge.hostedZoneId).to.equal("Z0123456789ABC");
    });

    it("requires aws:region and an environment", () => {
      expect(problemsOf({ ...valid(), region: undefined }).message).to.match(/aws:region: required/);
      expect(problemsOf(valid({}, "staging")).message).to.match(
        /bbws:environment: not set, and the stack name "staging" is not an environment; allowed: dev, test, prod/,
      );
    });

    it("reports every problem of a stack at once", () => {
      const error = problemsOf(valid({ albShards: "0", natGateways: "two", availabilityZones: "9" }));
      expect(error.problems.map((p) => p.key)).to.have.members([
        "bbws:albShards",
        "bbws:natGateways",
        "bbws:availabilityZones",
      ]);
      expect(error.message).to.match(/^Invalid configuration in Pulumi\.dev\.yaml:/);
    });
  });

  it("Pulumi.yaml declares exactly the keys the model accepts, with the same types", () => {
    const project = parse(fs.readFileSync(path.join(__dirname, "..", "..", "Pulumi.yaml"), "utf8")) as {
      config: Record<string, { type: string; description: string }>;
    };
    expect(Object.keys(project.config).sort()).to.deep.equal(Object.keys(CONFIG_KEYS).sort());
    for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
      expect(project.config[key].type, key).to.equal(spec.type);
      expect(project.config[key].description, key).to.be.a("string").and.not.empty;
    }
  });
});
