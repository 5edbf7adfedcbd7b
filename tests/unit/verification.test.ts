/**
 * Verified onboarding (issue 13, item 5): the real probe (ops/siteProbe.ts) against mocked ECS
 * and ELBv2 (aws-sdk-client-mock) and a local HTTPS server with its own certificates. Unhealthy
 * target, 5xx, wrong certificate and timeout each fail with their own message and the
 * "unverified" exit code.
 */
import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as https from "https";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as tls from "tls";
import { mockClient } from "aws-sdk-client-mock";
import { DescribeServicesCommand, ECSClient } from "@aws-sdk/client-ecs";
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { awsSiteProbe } from "../../ops/siteProbe";
import { ACMClient, DescribeCertificateCommand } from "@aws-sdk/client-acm";
import { certificateCoverageProblem } from "../../ops/certificateCoverage";
import { VerificationError, VerificationTarget, verifySite } from "../../tenants/lifecycle/verification";
import { customerDnsLines } from "../../tenants/lifecycle/onboarding";
import { simulatedSiteProbe } from "../../offline/services";
import { exitCodeOf } from "../../lib/exitCodes";
import { LifecyclePorts } from "../../tenants/lifecycle/ports";
import { FakeBackend, FakeBackup, cliDeps, main, tempRegistry } from "./lifecycle/fakes";

type Mode = "ok" | "5xx" | "wrong-certificate" | "hang";

/** A self-signed EC certificate for `names` (fast to make). */
function certificate(dir: string, label: string, names: string[]): { key: Buffer; cert: Buffer } {
  const key = path.join(dir, `${label}.key`);
  const cert = path.join(dir, `${label}.pem`);
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "1",
      "-keyout",
      key,
      "-out",
      cert,
      "-subj",
      `/CN=${names[0]}`,
      "-addext",
      `subjectAltName=${names.map((n) => `DNS:${n}`).join(",")}`,
    ],
    { stdio: "ignore" },
  );
  return { key: fs.readFileSync(key), cert: fs.readFileSync(cert) };
}

const TARGET: VerificationTarget = {
  tenantId: "acme",
  clusterName: "bbws-dev",
  serviceName: "acme-service",
  targetGroupArn:
    "arn:aws:elasticloadbalancing:af-south-1:123456789012:targetgroup/acme-tg-1234567/0123456789abcdef",
  loadBalancerDnsName: "127.0.0.1",
  hosts: ["www.acme.test", "acme.test"],
};
const ONCE = { timeoutSeconds: 0, intervalSeconds: 0, requestTimeoutSeconds: 1 };

describe("verified onboarding", () => {
  const ecs = mockClient(ECSClient);
  const elb = mockClient(ElasticLoadBalancingV2Client);
  let dir: string;
  let server: https.Server;
  let port: number;
  let mode: Mode = "ok";
  let right: { key: Buffer; cert: Buffer };
  const sockets = new Set<{ destroy(): void }>();

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "bbws-verify-"));
    right = certificate(dir, "right", ["www.acme.test", "acme.test"]);
    const wrong = certificate(dir, "wrong", ["*.wpdev.example.com"]);
    server = https.createServer(
      {
        ...right,
        SNICallback: (_name, callback) =>
          callback(null, tls.createSecureContext(mode === "wrong-certificate" ? wrong : right)),
      },
      (req, res) => {
        if (mode === "hang") return;
        res.writeHead(mode === "5xx" ? 502 : req.headers.host === "acme.test" ? 301 : 200).end();
      },
    );
    server.on("connection", (s) => {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
    ecs.restore();
    elb.restore();
  });
  beforeEach(() => {
    mode = "ok";
    ecs.reset();
    elb.reset();
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceName: "acme-service",
          runningCount: 2,
          desiredCount: 2,
          deployments: [{ status: "PRIMARY" }],
        },
      ],
    });
    elb.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: "10.20.11.7", Port: 80 }, TargetHealth: { State: "healthy" } },
        { Target: { Id: "10.20.12.9", Port: 80 }, TargetHealth: { State: "healthy" } },
      ],
    });
  });

  const probe = () =>
    awsSiteProbe(
      () => ({
        ecs: new ECSClient({ region: "af-south-1" }),
        elb: new ElasticLoadBalancingV2Client({ region: "af-south-1" }),
      }),
      { ca: right.cert, port },
    );
  const failure = async (): Promise<VerificationError> => {
    try {
      await verifySite(TARGET, probe(), ONCE);
    } catch (error) {
      expect(error).to.be.instanceOf(VerificationError);
      expect(exitCodeOf((error as VerificationError).kind)).to.equal(13);
      return error as VerificationError;
    }
    throw new Error("expected the verification to fail");
  };

  it("passes a stable service, healthy targets and HTTPS answers with the right certificate (a 301 is fine)", async () => {
    const report = await verifySite(TARGET, probe(), ONCE);
    expect(report.simulated).to.equal(false);
    expect(report.lines).to.deep.equal([
      "service stable: 2/2 tasks running, 1 deployment(s)",
      "targets: 2 target(s) healthy",
      "https: www.acme.test 200, acme.test 301",
    ]);
    expect(ecs.commandCalls(DescribeServicesCommand)[0].args[0].input).to.deep.equal({
      cluster: "bbws-dev",
      services: ["acme-service"],
    });
    expect(elb.commandCalls(DescribeTargetHealthCommand)[0].args[0].input).to.deep.equal({
      TargetGroupArn: TARGET.targetGroupArn,
    });
  });

  it("an unstable service fails the service step", async () => {
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        { runningCount: 1, desiredCount: 2, deployments: [{ status: "PRIMARY" }, { status: "ACTIVE" }] },
      ],
    });
    const error = await failure();
    expect(error.step).to.equal("service");
    expect(error.message).to.match(
      /ECS service not stable: service acme-service 1\/2 tasks running, 2 deployment\(s\)/,
    );
  });

  it("an unhealthy target names the target and ELB's reason", async () => {
    elb.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: "10.20.12.9", Port: 80 }, TargetHealth: { State: "healthy" } },
        {
          Target: { Id: "10.20.11.7", Port: 80 },
          TargetHealth: {
            State: "unhealthy",
            Reason: "Target.ResponseCodeMismatch",
            Description: "Health checks failed with these codes: [500]",
          },
        },
      ],
    });
    const error = await failure();
    expect(error.step).to.equal("targets");
    expect(error.reason).to.equal(
      "target 10.20.11.7:80 unhealthy: Target.ResponseCodeMismatch (Health checks failed with these codes: [500])",
    );
  });

  it("a 5xx answer fails the HTTPS step with the status", async () => {
    mode = "5xx";
    const error = await failure();
    expect(error.step).to.equal("https");
    expect(error.reason).to.equal(
      "https://www.acme.test/ through 127.0.0.1 answered 502 (a 5xx: the site or its database fails)",
    );
  });

  it("the wrong certificate (the environment's wildcard on a customer host) fails the HTTPS step", async () => {
    mode = "wrong-certificate";
    const error = await failure();
    expect(error.step).to.equal("https");
    expect(error.reason).to.match(
      /^https:\/\/www\.acme\.test\/ through 127\.0\.0\.1 served the wrong certificate \(it is for DNS:\*\.wpdev\.example\.com, not www\.acme\.test\)$/,
    );
  });

  it("no answer in time fails the HTTPS step as a timeout", async () => {
    mode = "hang";
    const error = await failure();
    expect(error.step).to.equal("https");
    expect(error.reason).to.equal(
      "https://www.acme.test/ through 127.0.0.1 did not answer within 1 s (timeout)",
    );
  });

  it("the four failures give four distinct messages", async () => {
    const reasons: string[] = [];
    elb.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        {
          Target: { Id: "10.20.11.7", Port: 80 },
          TargetHealth: { State: "unhealthy", Reason: "Target.Timeout" },
        },
      ],
    });
    reasons.push((await failure()).reason);
    elb.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: "10.20.11.7", Port: 80 }, TargetHealth: { State: "healthy" } },
      ],
    });
    for (const m of ["5xx", "wrong-certificate", "hang"] as Mode[]) {
      mode = m;
      reasons.push((await failure()).reason);
    }
    expect(
      new Set(reasons.map((r) => r.replace(/^.*?(unhealthy|answered 5|wrong certificate|timeout).*$/, "$1")))
        .size,
    ).to.equal(4);
  });

  it("offline, the same steps run against simulated answers and say so", async () => {
    const report = await verifySite(TARGET, simulatedSiteProbe, ONCE);
    expect(report.simulated).to.equal(true);
    expect(report.lines.every((l) => l.endsWith("(simulated)"))).to.equal(true);
  });

  it("reports each customer record as in place, missing, or not checked", async () => {
    const records = [
      { name: "www.acme.test", type: "CNAME", target: "alb-1.elb.amazonaws.com", purpose: "traffic" },
      { name: "shop.acme.test", type: "CNAME", target: "alb-1.elb.amazonaws.com", purpose: "traffic" },
    ];
    const dns = {
      lookup: (name: string) => Promise.resolve(name === "www.acme.test" ? ["alb-1.elb.amazonaws.com."] : []),
    };
    const lines = await customerDnsLines(records, dns);
    expect(lines[0]).to.equal(
      "customer DNS: CNAME www.acme.test -> alb-1.elb.amazonaws.com (traffic): in place",
    );
    expect(lines[1]).to.match(/shop\.acme\.test .*: missing \(no record yet\)/);
    expect((await customerDnsLines(records, undefined))[0]).to.match(/: not checked \(offline\)$/);
  });
});

describe("the listener certificate covers *.<domain> (ACM DescribeCertificate)", () => {
  const acm = mockClient(ACMClient);
  after(() => acm.restore());
  const ARN = "arn:aws:acm:af-south-1:123456789012:certificate/7f3c2a10-5b8e-4c1d-9a6f-2e4b8c0d1f35";

  it("accepts a certificate with *.<domain> among its names, and names what another one covers", async () => {
    acm.on(DescribeCertificateCommand).resolves({
      Certificate: {
        DomainName: "*.wpdev.example.com",
        SubjectAlternativeNames: ["*.wpdev.example.com", "wpdev.example.com"],
        Status: "ISSUED",
      },
    });
    expect(
      await certificateCoverageProblem(new ACMClient({ region: "af-south-1" }), ARN, "wpdev.example.com"),
    ).to.equal(undefined);
    acm.on(DescribeCertificateCommand).resolves({
      Certificate: {
        DomainName: "www.example.com",
        SubjectAlternativeNames: ["www.example.com"],
        Status: "ISSUED",
      },
    });
    expect(
      await certificateCoverageProblem(new ACMClient({ region: "af-south-1" }), ARN, "wpdev.example.com"),
    ).to.match(/covers www\.example\.com, not \*\.wpdev\.example\.com/);
    expect(acm.commandCalls(DescribeCertificateCommand)[0].args[0].input).to.deep.equal({
      CertificateArn: ARN,
    });
  });
});

describe("tenants add with the edge ports", () => {
  const addWith = async (ports: Partial<LifecyclePorts>) => {
    const file = tempRegistry();
    const before = fs.readFileSync(file, "utf8");
    const backend = new FakeBackend();
    const deps = cliDeps(() => ({ backend, finalBackup: new FakeBackup(), ...ports }));
    const code = await main(
      ["add", "dev", "--tenants", file, "--id", "hooli", "--domain", "www.hooli-shop.co.za"],
      deps,
    );
    return {
      code,
      err: deps.err(),
      out: deps.out(),
      unchanged: fs.readFileSync(file, "utf8") === before,
      backend,
    };
  };

  it("a listener certificate that does not cover *.<domain> stops it before anything changes (exit 3)", async () => {
    const result = await addWith({
      certificateCheck: () =>
        Promise.resolve("bbws:certificateArn x covers www.example.com, not *.wpdev.example.com"),
    });
    expect(result.code).to.equal(3);
    expect(result.err).to.match(/covers www\.example\.com, not \*\.wpdev\.example\.com; nothing was changed/);
    expect(result.unchanged).to.equal(true);
    expect(result.backend.calls.filter((c) => c.op === "up")).to.deep.equal([]);
  });
});
