/**
 * The tenant spec pipeline: a registry entry is resolved once into a TenantSpec, written into
 * the tenant stack configuration by the one builder, and parsed back by the tenant program with
 * the same schema.
 */
import { expect } from "chai";
import { TenantSpec, parseTenantSpec, resolveTenantSpec, tenantSpecSchema } from "../../config/tenantSpec";
import { taskSizeSchema } from "../../config/fargateSizes";
import { loadStackSettings } from "../../config/readStackConfig";
import { TENANT_CONFIG, tenantStackConfig } from "../../tenants/stackConfig";
import { TENANT_PROJECT, tenantStackName } from "../../config/naming";
import { runStack, StackRunError } from "../../offline/stackRun";
import { offlinePlatformStackName } from "../../offline/tenantRun";
import { tenantStackProgram } from "../../tenants/program";
import { BbwsError } from "../../lib/errors";
import { entryFor, platformOf, registryEntry } from "../helpers/tenants";
import { configDifferences, configHash } from "../../tenants/lifecycle/configState";

const PLATFORM = "organization/bbws/dev";

describe("tenant spec", () => {
  const dev = loadStackSettings("dev");
  const prod = loadStackSettings("prod");

  describe("resolution", () => {
    it("parses the entry's size into a Fargate size, and takes the environment's otherwise", () => {
      expect(resolveTenantSpec(registryEntry("dev", "initech"), dev).size).to.deep.equal({
        cpu: 512,
        memory: 2048,
      });
      expect(resolveTenantSpec(registryEntry("dev", "globex"), dev).size).to.deep.equal({
        cpu: 512,
        memory: 1024,
      });
      expect(resolveTenantSpec(registryEntry("dev", "umbrella"), dev).size).to.deep.equal(dev.tenant.size);
    });

    it("keeps the entry as written: the registry form is never replaced by derived values", () => {
      const entry = registryEntry("dev", "acme");
      resolveTenantSpec(entry, dev);
      expect(entry.size).to.equal("small");
    });

    it("takes the environment's settings for what an entry cannot say", () => {
      const spec = resolveTenantSpec(registryEntry("prod", "acme"), prod);
      expect(spec).to.include({
        environment: "prod",
        containerInsights: true,
        availabilityZones: 3,
        protectData: true,
        healthCheckGracePeriodSeconds: prod.tenant.healthCheckGracePeriodSeconds,
      });
      expect(resolveTenantSpec(registryEntry("dev", "acme"), dev)).to.include({
        containerInsights: false,
        availabilityZones: 2,
        protectData: false,
      });
    });

    it("serviceDiscovery is off unless the entry turns it on", () => {
      expect(resolveTenantSpec(registryEntry("dev", "acme"), dev).serviceDiscovery).to.equal(false);
      expect(
        resolveTenantSpec(entryFor("finder", 9, { serviceDiscovery: true }), dev).serviceDiscovery,
      ).to.equal(true);
    });

    it("refuses an entry without a listener slot, saying how to get one", () => {
      expect(() => resolveTenantSpec({ id: "fresh", hosts: ["fresh.example.com"] }, dev)).to.throw(
        BbwsError,
        'tenant "fresh" has no listener slot; allocate one first (npm run tenants -- sync dev)',
      );
    });

    it("refuses a size Fargate does not run (an entry that never went through the registry)", () => {
      expect(() => resolveTenantSpec(entryFor("odd", 1, { size: "256/4096" }), dev)).to.throw(
        BbwsError,
        /tenant "odd" is not a valid tenant spec \(size: 256\/4096 is not a valid Fargate CPU\/memory pair/,
      );
    });
  });

  describe("task sizes (one schema for the registry, settings and stack configuration)", () => {
    it("reads tiers, cpu/memory text and the configuration's object form", () => {
      expect(taskSizeSchema.parse("large")).to.deep.equal({ cpu: 1024, memory: 2048 });
      expect(taskSizeSchema.parse("512/3072")).to.deep.equal({ cpu: 512, memory: 3072 });
      expect(taskSizeSchema.parse({ cpu: 2048, memory: 4096 })).to.deep.equal({ cpu: 2048, memory: 4096 });
    });

    it("refuses what Fargate refuses, with the reason", () => {
      const message = (value: unknown) => {
        const parsed = taskSizeSchema.safeParse(value);
        expect(parsed.success).to.equal(false);
        return parsed.success ? "" : parsed.error.issues[0].message;
      };
      expect(message("huge")).to.match(/^"huge" is not a size; use a tier/);
      expect(message({ cpu: 256, memory: 4096 })).to.match(
        /^256\/4096 is not a valid Fargate CPU\/memory pair/,
      );
    });
  });

  describe("stack configuration", () => {
    it("tenantStackConfig writes the resolved spec, which the spec schema parses back unchanged", () => {
      const entry = registryEntry("dev", "acme");
      const config = tenantStackConfig(dev, entry, PLATFORM);
      expect(Object.keys(config)).to.have.members([
        "aws:region",
        TENANT_CONFIG.environment,
        TENANT_CONFIG.platformStack,
        TENANT_CONFIG.tenant,
        TENANT_CONFIG.dropDataOnDestroy,
        TENANT_CONFIG.skipSteadyStateWait,
        TENANT_CONFIG.issuedCertificateHosts,
      ]);
      // Written even when false: setAllConfig keeps keys it is not given (a rollout's "true").
      expect(config[TENANT_CONFIG.skipSteadyStateWait].value).to.equal("false");
      // How an update runs is not what the stack is: a rolled-out stack still reads "in sync".
      const rollout = tenantStackConfig(dev, entry, PLATFORM, { skipSteadyStateWait: true });
      expect(rollout[TENANT_CONFIG.skipSteadyStateWait].value).to.equal("true");
      expect(configHash(rollout)).to.equal(configHash(config));
      expect(configDifferences(rollout, config)).to.deep.equal([]);
      expect(Object.values(config).every((v) => v.secret === false)).to.equal(true);
      const parsed: TenantSpec = parseTenantSpec(JSON.parse(config[TENANT_CONFIG.tenant].value), "test");
      // JSON has no undefined: the spec's absent optional fields (no image override) stay absent.
      expect(parsed).to.deep.equal(JSON.parse(JSON.stringify(resolveTenantSpec(entry, dev))));
      expect(parsed.schedule).to.deep.equal(entry.schedule);
      expect(parsed.size).to.deep.equal({ cpu: 256, memory: 512 });
      expect(config[TENANT_CONFIG.platformStack].value).to.equal(PLATFORM);
      expect(config["aws:region"].value).to.equal("af-south-1");
      expect(config[TENANT_CONFIG.dropDataOnDestroy].value).to.equal("false");
      expect(
        tenantStackConfig(dev, entry, PLATFORM, { dropDataOnDestroy: true })[TENANT_CONFIG.dropDataOnDestroy]
          .value,
      ).to.equal("true");
    });

    it("the spec schema refuses unknown fields: a configuration from other code is rewritten, not half-read", () => {
      const spec = resolveTenantSpec(registryEntry("dev", "acme"), dev);
      expect(tenantSpecSchema.safeParse({ ...spec, cpu: 256 }).success).to.equal(false);
    });

    /** Runs the tenant program with the configuration of `acme`, `tenant` changed by `edit`. */
    async function programFailure(edit: (tenant: Record<string, unknown>) => Record<string, unknown>) {
      const config = tenantStackConfig(dev, registryEntry("dev", "acme"), offlinePlatformStackName("dev"));
      const tenant = edit(JSON.parse(config[TENANT_CONFIG.tenant].value) as Record<string, unknown>);
      const flat = Object.fromEntries(Object.entries(config).map(([k, v]) => [k, v.value]));
      try {
        await runStack(
          {
            project: TENANT_PROJECT,
            stack: tenantStackName("dev", "acme"),
            region: "af-south-1",
            config: { ...flat, [TENANT_CONFIG.tenant]: JSON.stringify(tenant) },
            stackOutputs: { [offlinePlatformStackName("dev")]: (await platformOf("dev")).outputs },
          },
          tenantStackProgram,
        );
      } catch (error) {
        expect(error).to.be.instanceOf(StackRunError);
        return (error as Error).message;
      }
      throw new Error("expected the tenant program to fail");
    }

    it("the tenant program refuses a configuration that is not a valid spec, naming the field and the fix", async () => {
      expect(await programFailure((t) => ({ ...t, size: { cpu: 256, memory: 4096 } }))).to.match(
        /bbws-tenant:tenant is not a valid tenant spec \(size: 256\/4096 is not a valid Fargate CPU\/memory pair.*\); re-run the tenant lifecycle to rewrite it from the registry/,
      );
      expect(await programFailure((t) => ({ ...t, environment: "prod" }))).to.match(
        /bbws-tenant:tenant: belongs to environment "prod", the stack to "dev"/,
      );
    });
  });
});
