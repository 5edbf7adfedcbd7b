/**
 * The edge (issue 13): alias records per managed host to the tenant's own shard, the tenant
 * certificate with its listener attachment and validation records (the rules wait for it),
 * redirects of non-primary hosts, the web ACL and HSTS of each shard, and the certificate and
 * rule slots of the allocation. Each assertion is on what the programs derived.
 */
import { expect } from "chai";
import { RecordedResource, StackRun } from "../../offline/stackRun";
import { ofType, single } from "../helpers/resources";
import { platformOf, registryEntry, runTenantEntry } from "../helpers/tenants";
import { contractOf } from "../helpers/platform";
import { TenantEntry } from "../../config/tenantEntry";
import { classifyHosts, coveredByWildcard, customerTrafficRecords } from "../../config/edgeHosts";
import { runPlatform } from "../../offline/platformRun";
import { MANAGED_RULE_GROUPS } from "../../components/shared/webFirewall";
import { HSTS_HEADER } from "../../components/shared/loadBalancers";
import { estimateCosts } from "../../plan/cost/estimate";
import { evaluatePolicies } from "../../offline/policyEvaluator";

import { ResourceInputs } from "../../offline/mocks";

const RULE = "aws:lb/listenerRule:ListenerRule";
const RECORD = "aws:route53/record:Record";
const DEV_ZONE = "Z04417822DEVZONE0000";
const PROD_ZONE = "Z08123452ABCDEFGHIJKL";

const urnOf = (run: StackRun, type: string, name: RegExp): string => single(run, type, name).urn;
const aliasRecords = (run: StackRun): RecordedResource[] =>
  ofType(run, RECORD).filter((r) => Array.isArray(r.inputs.aliases));

describe("edge: how visitors reach a tenant", () => {
  describe("host classification (pure)", () => {
    it("the environment's wildcard covers exactly one label below the domain", () => {
      expect(coveredByWildcard("acme.wpdev.example.com", "wpdev.example.com")).to.equal(true);
      expect(coveredByWildcard("shop.globex.wpdev.example.com", "wpdev.example.com")).to.equal(false);
      expect(coveredByWildcard("www.acme-widgets.co.za", "wpdev.example.com")).to.equal(false);
      expect(coveredByWildcard("wpdev.example.com", "wpdev.example.com")).to.equal(false);
    });

    it("hosts below the environment's zone or a customer zone are managed; others are the customer's to point", () => {
      const edges = classifyHosts({
        hosts: ["www.acme.co.za", "acme.co.za", "shop.wpdev.example.com", "elsewhere.example.org"],
        domain: "wpdev.example.com",
        hostedZoneId: DEV_ZONE,
        customerZone: { domain: "acme.co.za", hostedZoneId: "ZCUSTOMER0001" },
      });
      expect(edges.map((e) => e.zone?.hostedZoneId)).to.deep.equal([
        "ZCUSTOMER0001",
        "ZCUSTOMER0001",
        DEV_ZONE,
        undefined,
      ]);
      expect(customerTrafficRecords(edges, "alb-1.elb.amazonaws.com")).to.deep.equal([
        {
          name: "elsewhere.example.org",
          type: "CNAME",
          target: "alb-1.elb.amazonaws.com",
          purpose: "traffic",
        },
      ]);
      // At a two-label apex a CNAME is impossible: the customer needs ALIAS/ANAME.
      expect(
        customerTrafficRecords(classifyHosts({ hosts: ["acme.com"], domain: "x.example.com" }), "alb")[0]
          .type,
      ).to.equal("ALIAS");
    });
  });

  describe("DNS records", () => {
    it("one alias A record per managed host, to the tenant's own shard, after its rules exist", async () => {
      const { ingress } = contractOf(await platformOf("dev"));
      const globex = await runTenantEntry("dev", registryEntry("dev", "globex"));
      const records = aliasRecords(globex);
      expect(records.map((r) => r.inputs.name).sort()).to.deep.equal([
        "globex.wpdev.example.com",
        "shop.globex.wpdev.example.com",
      ]);
      for (const record of records) {
        expect(record.inputs).to.include({ zoneId: DEV_ZONE, type: "A", allowOverwrite: false });
        expect(record.inputs.aliases).to.deep.equal([
          { name: ingress.shards[0].dnsName, zoneId: ingress.shards[0].zoneId, evaluateTargetHealth: true },
        ]);
        expect(record.dependencies).to.include(urnOf(globex, RULE, /^globex-rule$/));
        expect(record.dependencies).to.include(urnOf(globex, RULE, /^globex-redirect-rule$/));
      }
    });

    it("points at shard 1's load balancer for a tenant on shard 1", async () => {
      const { ingress } = contractOf(await platformOf("prod"));
      const entry: TenantEntry = {
        id: "umbrella",
        hosts: ["umbrella.wp.example.com"],
        listener: { shard: 1, priority: 9 },
      };
      const run = await runTenantEntry("prod", entry);
      const record = single(run, RECORD);
      expect(record.inputs.zoneId).to.equal(PROD_ZONE);
      expect(record.inputs.aliases[0].name).to.equal(ingress.shards[1].dnsName);
      expect(record.inputs.aliases[0].name).to.not.equal(ingress.shards[0].dnsName);
      // Covered by the wildcard: no certificate of its own.
      expect(ofType(run, "aws:acm/certificate:Certificate")).to.have.length(0);
    });

    it("creates no record for hosts outside every managed zone, and outputs what the customer must create", async () => {
      const { ingress } = contractOf(await platformOf("prod"));
      const acme = await runTenantEntry("prod", registryEntry("prod", "acme"));
      expect(ofType(acme, RECORD)).to.have.length(0);
      const records = acme.outputs.customerRecords as {
        name: string;
        type: string;
        target: string;
        purpose: string;
      }[];
      const traffic = records.filter((r) => r.purpose === "traffic");
      expect(traffic).to.deep.equal([
        {
          name: "www.acme-widgets.example.com",
          type: "CNAME",
          target: ingress.shards[0].dnsName,
          purpose: "traffic",
        },
        {
          name: "acme-widgets.example.com",
          type: "CNAME",
          target: ingress.shards[0].dnsName,
          purpose: "traffic",
        },
      ]);
      const validation = records.filter((r) => r.purpose === "certificate validation");
      expect(validation.map((r) => r.name.split(".").slice(1).join("."))).to.have.members([
        "www.acme-widgets.example.com",
        "acme-widgets.example.com",
      ]);
      expect(
        validation.every((r) => r.type === "CNAME" && r.target.endsWith(".acm-validations.aws")),
      ).to.equal(true);
    });
  });

  describe("custom-domain certificate", () => {
    it("customer hosts get a DNS-validated certificate, attached to the shard's listener; the rule waits for both", async () => {
      const { ingress } = contractOf(await platformOf("prod"));
      const acme = await runTenantEntry("prod", registryEntry("prod", "acme"));
      const certificate = single(acme, "aws:acm/certificate:Certificate");
      expect(certificate.inputs).to.include({
        validationMethod: "DNS",
        // The host set sorted: a certificate is named and built from its set, whatever the order.
        domainName: "acme-widgets.example.com",
      });
      expect(certificate.inputs.subjectAlternativeNames).to.have.members([
        "www.acme-widgets.example.com",
        "acme-widgets.example.com",
      ]);
      // In the ALB's region: the tenant stack's.
      expect(certificate.region).to.equal("af-south-1");
      const validation = single(acme, "aws:acm/certificateValidation:CertificateValidation");
      expect(validation.inputs.certificateArn).to.equal(certificate.id);
      // The customer's records: ACM is only waited for, nothing is created in a zone.
      expect(validation.inputs.validationRecordFqdns).to.equal(undefined);
      const attached = single(acme, "aws:lb/listenerCertificate:ListenerCertificate");
      expect(attached.inputs.listenerArn).to.equal(ingress.shards[0].listenerArn);
      expect(attached.inputs.certificateArn).to.equal(certificate.id);
      expect(attached.dependencies).to.include(validation.urn);
      for (const name of [/^acme-rule$/, /^acme-redirect-rule$/]) {
        const rule = single(acme, RULE, name);
        expect(rule.dependencies, String(name)).to.include.members([validation.urn, attached.urn]);
      }
    });

    it("a customer zone the operator manages gets the validation and alias records, and the validation checks them", async () => {
      const entry: TenantEntry = {
        id: "hooli",
        hosts: ["www.hooli.co.za", "hooli.co.za"],
        dnsZone: { domain: "hooli.co.za", hostedZoneId: "Z0HOOLI00000001" },
        listener: { shard: 0, priority: 7 },
      };
      const run = await runTenantEntry("dev", entry);
      const records = ofType(run, RECORD);
      const validationRecords = records.filter((r) => !r.inputs.aliases);
      expect(validationRecords).to.have.length(2);
      expect(validationRecords.every((r) => r.inputs.zoneId === "Z0HOOLI00000001")).to.equal(true);
      expect(validationRecords.map((r) => r.inputs.type)).to.deep.equal(["CNAME", "CNAME"]);
      expect(aliasRecords(run).map((r) => r.inputs.name)).to.have.members(["www.hooli.co.za", "hooli.co.za"]);
      const validation = single(run, "aws:acm/certificateValidation:CertificateValidation");
      expect(validation.inputs.validationRecordFqdns).to.have.members(
        validationRecords.map((r) => r.inputs.name.replace(/\.$/, "")),
      );
      expect(run.outputs.customerRecords).to.deep.equal([]);
    });

    it("hosts the wildcard covers need no certificate of their own", async () => {
      const acme = await runTenantEntry("dev", registryEntry("dev", "acme"));
      expect(ofType(acme, "aws:acm/certificate:Certificate")).to.have.length(0);
      expect(ofType(acme, "aws:lb/listenerCertificate:ListenerCertificate")).to.have.length(0);
      expect(single(acme, RULE).dependencies.some((d) => d.includes("certificate"))).to.equal(false);
    });
  });

  describe("canonical host", () => {
    it("every non-primary host answers 301 to https://<primary> keeping path and query", async () => {
      const globex = await runTenantEntry("dev", registryEntry("dev", "globex"));
      const forward = single(globex, RULE, /^globex-rule$/).inputs;
      const redirect = single(globex, RULE, /^globex-redirect-rule$/).inputs;
      expect(forward.conditions).to.deep.equal([{ hostHeader: { values: ["globex.wpdev.example.com"] } }]);
      expect(redirect.conditions).to.deep.equal([
        { hostHeader: { values: ["shop.globex.wpdev.example.com"] } },
      ]);
      expect(redirect.listenerArn).to.equal(forward.listenerArn);
      expect(redirect.priority).to.equal(forward.priority + 25000);
      expect(redirect.actions).to.deep.equal([
        {
          type: "redirect",
          redirect: {
            host: "globex.wpdev.example.com",
            protocol: "HTTPS",
            port: "443",
            path: "/#{path}",
            query: "#{query}",
            statusCode: "HTTP_301",
          },
        },
      ]);
    });

    it("primaryHost moves the forward rule and WordPress's home to that host", async () => {
      const entry = { ...registryEntry("dev", "globex"), primaryHost: "shop.globex.wpdev.example.com" };
      const run = await runTenantEntry("dev", entry);
      expect(single(run, RULE, /^globex-rule$/).inputs.conditions[0].hostHeader.values).to.deep.equal([
        "shop.globex.wpdev.example.com",
      ]);
      const redirect = single(run, RULE, /^globex-redirect-rule$/).inputs;
      expect(redirect.conditions[0].hostHeader.values).to.deep.equal(["globex.wpdev.example.com"]);
      expect(redirect.actions[0].redirect.host).to.equal("shop.globex.wpdev.example.com");
      const containers = JSON.parse(
        single(run, "aws:ecs/taskDefinition:TaskDefinition", /^globex-task$/).inputs.containerDefinitions,
      );
      const extra = containers[0].environment.find(
        (e: { name: string }) => e.name === "WORDPRESS_CONFIG_EXTRA",
      );
      expect(extra.value).to.include("https://shop.globex.wpdev.example.com");
      expect(run.outputs.primaryHost).to.equal("shop.globex.wpdev.example.com");
    });

    it("a single-host tenant has no redirect rule", async () => {
      const acme = await runTenantEntry("dev", registryEntry("dev", "acme"));
      expect(ofType(acme, RULE).map((r) => r.name)).to.deep.equal(["acme-rule"]);
    });
  });

  describe("web firewall and HSTS", () => {
    it("prod: every ALB shard has its own web ACL with the managed groups, a per-IP rate rule and the xmlrpc block", async () => {
      const prod = await platformOf("prod");
      const albs = ofType(prod, "aws:lb/loadBalancer:LoadBalancer");
      const associations = ofType(prod, "aws:wafv2/webAclAssociation:WebAclAssociation");
      const acls = ofType(prod, "aws:wafv2/webAcl:WebAcl");
      expect(albs).to.have.length(2);
      expect(associations.map((a) => a.inputs.resourceArn)).to.have.members(albs.map((a) => a.id));
      // Each association names another shard's ACL (a WAFv2 ARN ends with the ACL's id).
      const aclOf = (arn: string) => acls.find((acl) => arn.endsWith(`/${acl.id}`));
      expect(new Set(associations.map((a) => aclOf(a.inputs.webAclArn)?.name))).to.deep.equal(
        new Set(["bbws-prod-alb-0-waf", "bbws-prod-alb-1-waf"]),
      );
      for (const acl of acls) {
        expect(acl.inputs.scope).to.equal("REGIONAL");
        expect(acl.inputs.defaultAction).to.deep.equal({ allow: {} });
        const rules = acl.inputs.rules as ResourceInputs[];
        const groups = rules.map((r) => r.statement.managedRuleGroupStatement?.name).filter(Boolean);
        expect(groups).to.deep.equal([...MANAGED_RULE_GROUPS]);
        const rate = rules.find((r) => r.statement.rateBasedStatement)!;
        expect(rate.statement.rateBasedStatement).to.include({ limit: 2000, aggregateKeyType: "IP" });
        expect(rate.action).to.deep.equal({ block: {} });
        const xmlrpc = rules.find((r) => r.name === "block-xmlrpc")!;
        expect(xmlrpc.statement.byteMatchStatement.searchString).to.equal("/xmlrpc.php");
        expect(new Set(rules.map((r) => r.priority)).size, "unique priorities").to.equal(rules.length);
      }
      const logging = ofType(prod, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration");
      expect(logging.map((l) => aclOf(l.inputs.resourceArn)?.id)).to.have.members(acls.map((a) => a.id));
      const logGroups = ofType(prod, "aws:cloudwatch/logGroup:LogGroup").filter((g) =>
        String(g.inputs.name).startsWith("aws-waf-logs-"),
      );
      expect(logGroups).to.have.length(2);
      expect(logGroups.every((g) => g.inputs.retentionInDays === 30)).to.equal(true);
    });

    it("dev has no web ACL by default; bbws:waf turns it on, and allowed xmlrpc hosts are exempted", async () => {
      expect(ofType(await platformOf("dev"), "aws:wafv2/webAcl:WebAcl")).to.have.length(0);
      const run = await runPlatform({
        stack: "dev",
        overrides: {
          "bbws:waf": "true",
          "bbws:wafXmlrpcAllowedHosts": "a.wpdev.example.com,b.wpdev.example.com",
        },
      });
      const acl = single(run, "aws:wafv2/webAcl:WebAcl");
      const xmlrpc = (acl.inputs.rules as ResourceInputs[]).find((r) => r.name === "block-xmlrpc")!;
      const exempt =
        xmlrpc.statement.andStatement.statements[1].notStatement.statement.orStatement.statements;
      expect(exempt.map((s: ResourceInputs) => s.byteMatchStatement.searchString)).to.deep.equal([
        "a.wpdev.example.com",
        "b.wpdev.example.com",
      ]);
      expect(contractOf(run).edge?.xmlrpcAllowedHosts).to.deep.equal([
        "a.wpdev.example.com",
        "b.wpdev.example.com",
      ]);
    });

    it("the plan's cost counts each web ACL, its rules and its requests", async () => {
      const prod = await platformOf("prod");
      const rules = ofType(prod, "aws:wafv2/webAcl:WebAcl").reduce((n, a) => n + a.inputs.rules.length, 0);
      expect(rules).to.equal(2 * (2 + MANAGED_RULE_GROUPS.length));
      const cost = estimateCosts({ region: "af-south-1", platform: prod.resources, tenants: [] });
      const acl = cost.lines.find((l) => l.item === "AWS WAF web ACLs and rules")!;
      expect(acl.monthly).to.equal(2 * 5 + rules * 1);
      expect(cost.lines.find((l) => l.item === "AWS WAF requests")!.monthly).to.equal(1.2);
      const dev = estimateCosts({
        region: "af-south-1",
        platform: (await platformOf("dev")).resources,
        tenants: [],
      });
      expect(dev.lines.some((l) => l.item.startsWith("AWS WAF"))).to.equal(false);
    });

    it("a prod ALB without a web ACL is a mandatory policy violation", async () => {
      const unprotected = await runPlatform({ stack: "prod", overrides: { "bbws:waf": "false" } });
      const report = await evaluatePolicies([{ stack: "prod", resources: unprotected.resources }]);
      const missing = report.violations.filter((v) => v.policy === "alb-web-acl-in-prod");
      expect(missing.map((v) => v.level)).to.deep.equal(["mandatory", "mandatory"]);
      const protectedReport = await evaluatePolicies([
        { stack: "prod", resources: (await platformOf("prod")).resources },
      ]);
      expect(protectedReport.violations.filter((v) => v.policy === "alb-web-acl-in-prod")).to.deep.equal([]);
    });

    it("HTTPS listeners send Strict-Transport-Security", async () => {
      for (const env of ["dev", "prod"]) {
        const https = ofType(await platformOf(env), "aws:lb/listener:Listener").filter(
          (l) => l.inputs.protocol === "HTTPS",
        );
        expect(https.length, env).to.be.greaterThan(0);
        for (const listener of https)
          expect(listener.inputs.routingHttpResponseStrictTransportSecurityHeaderValue).to.equal(HSTS_HEADER);
      }
      expect(HSTS_HEADER).to.match(/^max-age=\d{8,}$/);
    });
  });
});
