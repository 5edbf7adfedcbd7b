/**
 * The edge's registry rules and allocation (issue 13): certificate and rule slots per ALB, and
 * every bad input refused with file, entry, field and value, nothing changed.
 */
import { expect } from "chai";
import { AllocationError, allocateListenerSlots, allocationOptions } from "../../tenants/registry/allocate";
import { RegistryError, parseRegistry } from "../../tenants/registry/load";
import { assertEdgeRules } from "../../tenants/registry/edgeRules";
import { loadStackSettings } from "../../config/readStackConfig";
import { TenantEntry } from "../../config/tenantEntry";
import { ConfigError, resolvePlatformSettings } from "../../config/platformConfig";
import { certificateAccountProblem } from "../../components/shared/certificate";
import { runPlatform } from "../../offline/platformRun";
import { registryQuotaUsage } from "../../config/quotas";
import { generatedRegistry } from "../../bench/plan";

const FILE = "tenants/test.yaml";
const EDGE = { domain: "wpdev.example.com", rulesPerShard: 100, certificatesPerShard: 1 };

const managed = (id: string, extra: Partial<TenantEntry> = {}): TenantEntry => ({
  id,
  hosts: [`${id}.wpdev.example.com`],
  ...extra,
});
const custom = (id: string, extra: Partial<TenantEntry> = {}): TenantEntry => ({
  id,
  hosts: [`www.${id}.co.za`],
  ...extra,
});

function registryProblems(text: string, env = "dev"): string[] {
  try {
    const registry = parseRegistry(text, FILE, env);
    assertEdgeRules(registry, loadStackSettings(env));
  } catch (error) {
    expect(error).to.be.instanceOf(RegistryError);
    expect((error as Error).message).to.match(/nothing was changed/);
    return (error as RegistryError).problems.map(
      (p) => `${p.line ?? "-"}|${p.entry}|${p.field}|${p.message}`,
    );
  }
  throw new Error("expected the registry to be rejected");
}

describe("edge: registry rules and slots", () => {
  describe("allocation counts certificates and rules per ALB", () => {
    it("a custom-domain tenant skips a shard without certificate room; a wildcard-covered one does not", () => {
      const { entries } = allocateListenerSlots(
        [custom("first", { listener: { shard: 0, priority: 1 } }), custom("second"), managed("third")],
        { shards: 2, edge: EDGE },
      );
      expect(entries.map((e) => e.listener)).to.deep.equal([
        { shard: 0, priority: 1 },
        { shard: 1, priority: 1 },
        { shard: 0, priority: 2 },
      ]);
    });

    it("refuses (quota, exit 12) a custom-domain tenant when every shard is out of certificate room, naming the setting and the quota", () => {
      try {
        allocateListenerSlots([custom("first"), custom("second")], { shards: 1, edge: EDGE });
        expect.fail("expected no room");
      } catch (error) {
        expect(error).to.be.instanceOf(AllocationError);
        expect((error as AllocationError).kind).to.equal("quotaExceeded");
        expect((error as Error).message).to.match(
          /cannot place tenant "second": .*www\.second\.co\.za.*none of the 1 ALB shard\(s\) has a certificate slot left: 1 per ALB, the certificates per ALB quota less 1 kept free for a certificate swap \(bbws:quotaCertificatesPerAlb, AWS default 25\)/,
        );
      }
    });

    it("a tenant with several hosts takes two rules: a shard short of one is skipped, and none is an error naming bbws:quotaRulesPerAlb", () => {
      const edge = { ...EDGE, certificatesPerShard: 25, rulesPerShard: 2 };
      const twoHosts = (id: string): TenantEntry => ({
        id,
        hosts: [`${id}.wpdev.example.com`, `www.${id}.wpdev.example.com`],
      });
      const { entries } = allocateListenerSlots([managed("one"), twoHosts("two")], { shards: 2, edge });
      expect(entries.map((e) => e.listener!.shard)).to.deep.equal([0, 1]);
      const three = { ...edge, rulesPerShard: 3 };
      expect(() =>
        allocateListenerSlots([twoHosts("a"), twoHosts("c")], { shards: 1, edge: three }),
      ).to.throw(
        /"c": it needs 2 listener rule\(s\), and none of the 1 ALB shard\(s\) has that many left under the listener rules per ALB quota of 3 \(bbws:quotaRulesPerAlb/,
      );
    });

    it("the environment's quota settings are what allocation uses", () => {
      const settings = resolvePlatformSettings({
        stackName: "dev",
        region: "af-south-1",
        values: {
          domain: "wpdev.example.com",
          hostedZoneId: "Z0123456789ABC",
          quotaCertificatesPerAlb: "40",
          quotaRulesPerAlb: "150",
        },
      });
      expect(allocationOptions(settings).edge).to.deep.equal({
        domain: "wpdev.example.com",
        rulesPerShard: 150,
        // One slot of the 40 kept free: a certificate swap holds two for a moment.
        certificatesPerShard: 39,
      });
    });

    it("the 1,000-tenant generated registry still allocates within every per-ALB quota", () => {
      const settings = loadStackSettings("dev", undefined, { "bbws:albShards": "11" });
      const registry = parseRegistry(generatedRegistry(1000), "generated.yaml", "dev");
      assertEdgeRules(registry, settings);
      const { entries } = allocateListenerSlots(registry.tenants, allocationOptions(settings));
      const usage = registryQuotaUsage(
        entries.map((e) => ({
          id: e.id,
          shard: e.listener!.shard,
          maxTasks: 1,
          serviceDiscovery: false,
          rules: e.hosts.length > 1 ? 2 : 1,
        })),
        { shards: 11, database: { minCapacity: 1, maxCapacity: 256 } },
      ).filter((u) => u.quota === "rulesPerAlb" || u.quota === "targetGroupsPerAlb");
      expect(usage.every((u) => u.used <= u.limit)).to.equal(true);
    });
  });

  describe("bad input is refused, naming file, entry, field and value", () => {
    it("a host that is the environment's apex", () => {
      expect(registryProblems("tenants:\n  - id: apex\n    hosts: [wpdev.example.com]\n")).to.deep.equal([
        `3|tenants[0] (id "apex")|hosts[0]|"wpdev.example.com" is the environment's apex (bbws:domain); a tenant takes a host below it, e.g. www.wpdev.example.com`,
      ]);
    });

    it("a wildcard host", () => {
      const [problem] = registryProblems('tenants:\n  - id: wild\n    hosts: ["*.acme.co.za"]\n');
      expect(problem).to.match(
        /^3\|tenants\[0\] \(id "wild"\)\|hosts\[0\]\|.*a wildcard.*\(got "\*\.acme\.co\.za"\)/,
      );
    });

    it("the same custom domain on two tenants, case and trailing dot included", () => {
      const text =
        "tenants:\n  - id: first\n    hosts: [www.acme.co.za]\n  - id: second\n    hosts: [WWW.Acme.co.za.]\n";
      const problems = registryProblems(text);
      expect(problems).to.include(
        `5|tenants[1] (id "second")|hosts[0]|host "WWW.Acme.co.za." is already served by tenant "first" (tenants[0])`,
      );
    });

    it("a host longer than the 128 characters of an ALB host condition", () => {
      const host = `${"a".repeat(60)}.${"b".repeat(60)}.acme.co.za`;
      const [problem] = registryProblems(`tenants:\n  - id: long\n    hosts: [${host}]\n`);
      expect(problem).to.match(/hosts\[0\]\|has 132 characters; an ALB host condition takes at most 128/);
    });

    it("a primary host that is not one of the tenant's hosts", () => {
      const problems = registryProblems(
        "tenants:\n  - id: acme\n    hosts: [www.acme.co.za, acme.co.za]\n    primaryHost: shop.acme.co.za\n",
      );
      expect(problems).to.deep.equal([
        `4|tenants[0] (id "acme")|primaryHost|"shop.acme.co.za" is not one of the tenant's hosts (www.acme.co.za, acme.co.za); the primary host must be listed under hosts`,
      ]);
    });

    it("an xmlrpc opt-out the platform's firewall does not allow yet", () => {
      const text =
        "tenants:\n  - id: acme\n    hosts: [www.acme.co.za]\n    firewall: { allowXmlrpc: true }\n";
      expect(registryProblems(text, "prod")[0]).to.match(
        /^4\|tenants\[0\] \(id "acme"\)\|firewall\.allowXmlrpc\|.*blocks \/xmlrpc\.php on www\.acme\.co\.za.*bbws:wafXmlrpcAllowedHosts/,
      );
    });

    it("a certificateArn of another region (configuration) or another account (platform run)", async () => {
      try {
        resolvePlatformSettings({
          stackName: "dev",
          region: "af-south-1",
          values: {
            domain: "wpdev.example.com",
            certificateArn:
              "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-0000-4000-8000-000000000000",
          },
        });
        expect.fail("expected a ConfigError");
      } catch (error) {
        expect(error).to.be.instanceOf(ConfigError);
        expect((error as Error).message).to.match(
          /bbws:certificateArn: got "arn:aws:acm:eu-west-1:.*"; is in region eu-west-1, but the ALBs are in af-south-1/,
        );
      }
      const other = "arn:aws:acm:af-south-1:111122223333:certificate/0a1b2c3d-0000-4000-8000-000000000000";
      expect(certificateAccountProblem(other, "123456789012")).to.match(
        /belongs to account 111122223333.*123456789012/,
      );
      expect(certificateAccountProblem(other, "111122223333")).to.equal(undefined);
      let failure: unknown;
      try {
        await runPlatform({ stack: "dev", overrides: { "bbws:certificateArn": other } });
      } catch (error) {
        failure = error;
      }
      expect(String(failure)).to.match(
        /belongs to account 111122223333, but the stack deploys to account 123456789012/,
      );
    });
  });
});
