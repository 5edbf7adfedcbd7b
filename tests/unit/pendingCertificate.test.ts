/**
 * A certificate the customer validates (issue 13): until ACM has issued it, the tenant's hosts
 * on it are not served (no rule, no redirect, no service), so no visitor ever gets the wrong
 * certificate; while a changed certificate is pending, the issued one stays attached for the
 * hosts it covers. The pure decision first, then what the tenant program derives from it.
 */
import { expect } from "chai";
import {
  certificateHostSet,
  certificateHostsHash,
  planTenantCertificate,
} from "../../config/certificatePlan";
import { classifyHosts } from "../../config/edgeHosts";
import { TenantEntry } from "../../config/tenantEntry";
import { ofType, single } from "../helpers/resources";
import { registryEntry, runTenantEntry } from "../helpers/tenants";

const DOMAIN = "wpdev.example.com";
const ZONE = "Z04417822DEVZONE0000";
const edges = (hosts: string[], hostedZoneId?: string) =>
  classifyHosts({ hosts, domain: DOMAIN, hostedZoneId });

describe("pending certificates", () => {
  describe("planTenantCertificate (pure)", () => {
    it("wildcard hosts need no certificate; managed validation serves at once", () => {
      const none = planTenantCertificate({
        hosts: edges(["acme.wpdev.example.com"]),
        primaryHost: "acme.wpdev.example.com",
      });
      expect(none).to.deep.equal({ state: "none", wanted: [], servingHosts: ["acme.wpdev.example.com"] });
      const managed = planTenantCertificate({
        hosts: edges(["globex.wpdev.example.com", "shop.globex.wpdev.example.com"], ZONE),
        primaryHost: "globex.wpdev.example.com",
      });
      expect(managed.state).to.equal("managed");
      expect(managed.wanted).to.deep.equal(["shop.globex.wpdev.example.com"]);
      expect(managed.servingHosts).to.have.length(2);
    });

    it("a customer-validated certificate is pending until ACM issued exactly its host set", () => {
      const hosts = edges(["www.acme.co.za", "acme.co.za"]);
      const first = planTenantCertificate({ hosts, primaryHost: "www.acme.co.za" });
      expect(first).to.deep.equal({
        state: "pending",
        wanted: ["acme.co.za", "www.acme.co.za"],
        servingHosts: [],
      });
      // Another set issued (a subset) does not count for this one.
      const subset = planTenantCertificate({
        hosts,
        primaryHost: "www.acme.co.za",
        issuedHosts: ["acme.co.za"],
      });
      expect(subset.state).to.equal("pending");
      // Order and case of ACM's answer do not matter.
      const issued = planTenantCertificate({
        hosts,
        primaryHost: "www.acme.co.za",
        issuedHosts: ["WWW.acme.co.za", "acme.co.za"],
      });
      expect(issued).to.deep.equal({
        state: "issued",
        wanted: ["acme.co.za", "www.acme.co.za"],
        servingHosts: ["www.acme.co.za", "acme.co.za"],
      });
    });

    it("a host added to an issued certificate keeps the old one serving its hosts until the new one is issued", () => {
      const plan = planTenantCertificate({
        hosts: edges(["www.acme.co.za", "shop.acme.co.za"]),
        primaryHost: "www.acme.co.za",
        issuedHosts: ["www.acme.co.za"],
      });
      expect(plan.state).to.equal("pending");
      expect(plan.kept).to.deep.equal(["www.acme.co.za"]);
      expect(plan.servingHosts).to.deep.equal(["www.acme.co.za"]);
    });

    it("a new primary host without its certificate serves nothing (every other host redirects to it)", () => {
      const plan = planTenantCertificate({
        hosts: edges(["www.acme.co.za", "acme.wpdev.example.com"]),
        primaryHost: "www.acme.co.za",
      });
      expect(plan.servingHosts).to.deep.equal([]);
      // With the primary on the wildcard, the wildcard's hosts are served meanwhile.
      const wildcardPrimary = planTenantCertificate({
        hosts: edges(["acme.wpdev.example.com", "www.acme.co.za"]),
        primaryHost: "acme.wpdev.example.com",
      });
      expect(wildcardPrimary.servingHosts).to.deep.equal(["acme.wpdev.example.com"]);
    });

    it("an issued certificate none of whose hosts remain is not kept", () => {
      const plan = planTenantCertificate({
        hosts: edges(["www.new.co.za"]),
        primaryHost: "www.new.co.za",
        issuedHosts: ["www.old.co.za"],
      });
      expect(plan.kept).to.equal(undefined);
      expect(plan.servingHosts).to.deep.equal([]);
    });

    it("certificates are named by their host set, whatever the order", () => {
      expect(certificateHostsHash(["b.co.za", "a.co.za"])).to.equal(
        certificateHostsHash(["a.co.za", "B.co.za"]),
      );
      expect(certificateHostsHash(["a.co.za"])).to.not.equal(certificateHostsHash(["a.co.za", "b.co.za"]));
      expect(certificateHostSet(["b.co.za", "a.co.za", "b.co.za"])).to.deep.equal(["a.co.za", "b.co.za"]);
    });
  });

  describe("the tenant program", () => {
    it("pending: the certificate and its records exist, nothing is attached or served, no service runs", async () => {
      const run = await runTenantEntry("prod", registryEntry("prod", "acme"), { issuedCertificateHosts: [] });
      const certificate = single(run, "aws:acm/certificate:Certificate");
      expect(certificate.inputs.subjectAlternativeNames).to.have.members([
        "www.acme-widgets.example.com",
        "acme-widgets.example.com",
      ]);
      for (const type of [
        "aws:acm/certificateValidation:CertificateValidation",
        "aws:lb/listenerCertificate:ListenerCertificate",
        "aws:lb/listenerRule:ListenerRule",
        "aws:ecs/service:Service",
        "aws:appautoscaling/target:Target",
        "aws:cloudwatch/metricAlarm:MetricAlarm",
      ])
        expect(ofType(run, type), type).to.have.length(0);
      // Installed meanwhile, so the site is ready the moment its certificate is.
      expect(ofType(run, "pulumi-nodejs:dynamic/bbws:TenantInstall")).to.have.length(1);
      expect(run.outputs).to.include({ certificateState: "pending", certificateArn: certificate.id });
      expect(run.outputs.servingHosts).to.deep.equal([]);
      expect(run.outputs).to.not.have.property("serviceArn");
      const validation = (run.outputs.customerRecords as { purpose: string }[]).filter(
        (r) => r.purpose === "certificate validation",
      );
      expect(validation).to.have.length(2);
      // Pointed at the ALB now, a host would get the environment's certificate: not yet.
      const traffic = (run.outputs.customerRecords as { name: string; purpose: string }[]).filter(
        (r) => r.purpose !== "certificate validation",
      );
      expect(traffic.map((r) => r.purpose)).to.deep.equal([
        "traffic, once the certificate is issued",
        "traffic, once the certificate is issued",
      ]);
    });

    it("issued: the same certificate (same name) is attached and the rules wait for it", async () => {
      const pending = await runTenantEntry("prod", registryEntry("prod", "acme"), {
        issuedCertificateHosts: [],
      });
      const issued = await runTenantEntry("prod", registryEntry("prod", "acme"), {
        issuedCertificateHosts: ["www.acme-widgets.example.com", "acme-widgets.example.com"],
      });
      const certificate = single(issued, "aws:acm/certificate:Certificate");
      expect(certificate.urn).to.equal(single(pending, "aws:acm/certificate:Certificate").urn);
      const attached = single(issued, "aws:lb/listenerCertificate:ListenerCertificate");
      expect(attached.inputs.certificateArn).to.equal(certificate.id);
      const rule = single(issued, "aws:lb/listenerRule:ListenerRule", /^acme-rule$/);
      expect(rule.dependencies).to.include(attached.urn);
      expect(ofType(issued, "aws:ecs/service:Service")).to.have.length(1);
      expect(issued.outputs).to.include({ certificateState: "issued" });
    });

    it("a host change keeps the issued certificate attached and serves only its hosts until the new one is issued", async () => {
      const entry: TenantEntry = {
        ...registryEntry("prod", "acme"),
        hosts: ["www.acme-widgets.example.com", "acme-widgets.example.com", "shop.acme-widgets.example.com"],
      };
      const run = await runTenantEntry("prod", entry, {
        issuedCertificateHosts: ["www.acme-widgets.example.com", "acme-widgets.example.com"],
      });
      const certificates = ofType(run, "aws:acm/certificate:Certificate");
      expect(certificates).to.have.length(2);
      const kept = certificates.find((c) => (c.inputs.subjectAlternativeNames as string[]).length === 2)!;
      const attached = single(run, "aws:lb/listenerCertificate:ListenerCertificate");
      expect(attached.inputs.certificateArn).to.equal(kept.id);
      const redirect = single(run, "aws:lb/listenerRule:ListenerRule", /^acme-redirect-rule$/);
      const hostValues = (redirect.inputs.conditions as { hostHeader: { values: string[] } }[])[0].hostHeader
        .values;
      expect(hostValues).to.deep.equal(["acme-widgets.example.com"]);
      expect(ofType(run, "aws:ecs/service:Service")).to.have.length(1);
      expect(run.outputs.servingHosts).to.deep.equal([
        "www.acme-widgets.example.com",
        "acme-widgets.example.com",
      ]);
      expect(run.outputs.servingCertificateHosts).to.deep.equal([
        "acme-widgets.example.com",
        "www.acme-widgets.example.com",
      ]);
      expect(run.outputs.certificateHosts).to.have.length(3);
    });

    it("managed validation never waits for the lifecycle: rules and service on the first run", async () => {
      const run = await runTenantEntry("dev", registryEntry("dev", "globex"), { issuedCertificateHosts: [] });
      expect(run.outputs).to.include({ certificateState: "managed" });
      expect(ofType(run, "aws:lb/listenerRule:ListenerRule").length).to.be.greaterThan(0);
      expect(ofType(run, "aws:ecs/service:Service")).to.have.length(1);
    });
  });
});
