/**
 * Issue 15: `plan` as strict as AWS. Each `it` names the bug it guards; every one of them failed
 * before the fix (the run succeeded without the resource, the id/host/digest/CIDR was accepted,
 * the template passed, 1,000 target groups planned, the bomb crashed with exit 1...).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { providerAutoName, TENANT_ID_MAX_LENGTH } from "../../config/awsNames";
import { imageReferenceProblem } from "../../config/imageReference";
import { cidrProblem } from "../../config/platformConfig";
import { loadStackSettings } from "../../config/readStackConfig";
import {
  QuotaId,
  QuotaExceededError,
  registryQuotaUsage,
  quotaReport,
  PLATFORM_IAM_ROLES,
  TENANT_SSM_PARAMETERS,
} from "../../config/quotas";
import { TENANT_PROJECT, tenantStackName } from "../../config/naming";
import { runStack, StackRunError, RecordedResource } from "../../offline/stackRun";
import { offlinePlatformStackName } from "../../offline/tenantRun";
import { parseFault } from "../../offline/faults";
import { checkAwsConstraints } from "../../plan/awsChecks";
import { actionProblem, conditionKeyProblem } from "../../plan/awsChecks/iam";
import { planFailure } from "../../plan/command";
import { planEnvironment } from "../../plan/plan";
import { tenantStackProgram } from "../../tenants/program";
import { tenantStackConfig, TENANT_CONFIG } from "../../tenants/stackConfig";
import { parseRegistry, RegistryError } from "../../tenants/registry/load";
import { checkAddition, readRegistry } from "../../tenants/registry/edits";
import { platformOf, registryEntry } from "../helpers/tenants";
import { exitCodeOf } from "../../lib/exitCodes";
import { defaultPorts } from "../../cli/lifecycle";
import { cliDeps, main, tempDir, tempRegistry } from "./lifecycle/fakes";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "bbws-checks-"));
const resource = (
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  physicalName?: string,
): RecordedResource => ({
  type,
  name,
  inputs,
  custom: true,
  id: `${name}-id`,
  region: "af-south-1",
  read: false,
  physicalName,
  urn: `urn:pulumi:dev::bbws::${type}::${name}`,
  parent: null,
  protect: false,
  provider: "",
  dependencies: [],
});

describe("plan is as strict as AWS (issue 15)", function () {
  this.timeout(120000);

  describe("1. no silent failure", () => {
    it("an error thrown inside an input of a tenant resource fails the tenant's run, naming stack, resource and error", async () => {
      const config = tenantStackConfig(
        loadStackSettings("dev"),
        registryEntry("dev", "acme"),
        offlinePlatformStackName("dev"),
      );
      let caught: unknown;
      try {
        await runStack(
          {
            project: TENANT_PROJECT,
            stack: tenantStackName("dev", "acme"),
            region: "af-south-1",
            config: Object.fromEntries(Object.entries(config).map(([k, v]) => [k, v.value])),
            secretKeys: Object.entries(config)
              .filter(([, v]) => v.secret)
              .map(([k]) => k),
            stackOutputs: { [offlinePlatformStackName("dev")]: (await platformOf("dev")).outputs },
          },
          () => {
            // The keys secret's value fails as a broken generator would.
            pulumi.runtime.registerStackTransformation((args) =>
              args.type === "aws:secretsmanager/secretVersion:SecretVersion" &&
              args.name.endsWith("wordpress-keys-value")
                ? {
                    props: {
                      ...args.props,
                      secretString: pulumi.output("x").apply((): string => {
                        throw new Error("key generator exploded");
                      }),
                    },
                    opts: args.opts,
                  }
                : undefined,
            );
            return tenantStackProgram();
          },
        );
      } catch (error) {
        caught = error;
      }
      expect(caught, "the run must fail, not drop the resource").to.be.instanceOf(StackRunError);
      const message = (caught as Error).message;
      expect(message).to.match(/^stack dev\.acme failed:/);
      expect(message).to.match(/SecretVersion "acme-wordpress-keys-value": .*key generator exploded/);
      expect(exitCodeOf((caught as StackRunError).kind)).to.equal(1);
      expect(TENANT_CONFIG.tenant).to.be.a("string");
    });
  });

  describe("2. auto-names as the real provider makes them", () => {
    it("name-dash-7-hex, refused (not truncated) past the type's limit", async () => {
      expect(providerAutoName("aws:lb/targetGroup:TargetGroup", "acme-tg", "abcdef0123")).to.equal(
        "acme-tg-abcdef0",
      );
      let caught: unknown;
      try {
        await runStack({ project: "p", stack: "s", region: "af-south-1" }, () => {
          new aws.lb.TargetGroup("a-tenant-with-a-long-id-tg", {
            port: 80,
            protocol: "HTTP",
            targetType: "ip",
          });
          return {};
        });
      } catch (error) {
        caught = error;
      }
      expect((caught as Error).message).to.match(
        /could not make instance of 'aws:lb\/targetGroup:TargetGroup': name 'a-tenant-with-a-long-id-tg-' plus 7 random chars is longer than maximum length 32/,
      );
    });

    it("the registry's longest id is derived from the limits: one more character is refused", () => {
      expect(TENANT_ID_MAX_LENGTH).to.equal(21);
      const entry = (id: string) => `tenants:\n  - id: ${id}\n    hosts: [x.example.com]\n`;
      expect(() => parseRegistry(entry("a".repeat(21)), "t.yaml", "dev")).to.not.throw();
      expect(() => parseRegistry(entry("a".repeat(22)), "t.yaml", "dev")).to.throw(
        /must be 3-21 characters.*target group/,
      );
    });
  });

  describe("3. AWS constraints", () => {
    it("the dev and prod plans have no value AWS would refuse", async () => {
      for (const environment of ["dev", "prod"]) {
        const plan = await planEnvironment({ environment, workers: 1 });
        expect(plan.constraints.violations, environment).to.deep.equal([]);
        expect(plan.constraints.resources).to.be.greaterThan(100);
      }
    });

    it("an ECR creation template with a KMS key or tags and no customRoleArn is refused", async () => {
      const template = resource("aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate", "t", {
        prefix: "bbws-dev-ecr-public",
        appliedFors: ["PULL_THROUGH_CACHE"],
        encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: "arn:aws:kms:af-south-1:1:key/x" }],
        resourceTags: { "bbws:component": "ecr" },
      });
      const report = await checkAwsConstraints([{ stack: "dev", resources: [template] }]);
      expect(report.violations.map((v) => v.field)).to.deep.equal(["customRoleArn"]);
      expect(report.violations[0].source).to.match(/ECR User Guide/);
    });

    it("an SSM parameter: type, tier, name rules and the standard tier's 4 KB value, the secret never printed", async () => {
      const parameter = (name: string, inputs: Record<string, unknown> = {}) =>
        resource("aws:ssm/parameter:Parameter", name, {
          name: "/bbws/dev/acme/admin-password",
          type: "SecureString",
          tier: "Standard",
          value: "short",
          ...inputs,
        });
      const fields = async (r: RecordedResource) =>
        (await checkAwsConstraints([{ stack: "dev.acme", resources: [r] }])).violations.map((v) => [
          v.field,
          v.rule,
        ]);
      expect(await fields(parameter("ok"))).to.deep.equal([]);
      expect(await fields(parameter("type", { type: "Secure" }))).to.deep.equal([
        ["type", "one of String, StringList, SecureString"],
      ]);
      expect(await fields(parameter("tier", { tier: "Premium" }))).to.deep.equal([
        ["tier", "one of Standard, Advanced, Intelligent-Tiering"],
      ]);
      expect(await fields(parameter("relative", { name: "bbws/dev/acme/admin-password" }))).to.deep.equal([
        ["name", "a fully qualified path starting with / (it has a hierarchy)"],
      ]);
      expect(await fields(parameter("reserved", { name: "/aws/bbws/x" }))).to.deep.equal([
        ["name", 'a name not starting with "aws" or "ssm" (reserved, in any case)'],
      ]);
      expect(await fields(parameter("space", { name: "/bbws/dev/a b" }))).to.deep.equal([
        ["name", "letters, digits and _ . - / only (no spaces)"],
      ]);
      expect(await fields(parameter("deep", { name: `/${Array(16).fill("a").join("/")}` }))).to.deep.equal([
        ["name", "at most 15 levels of hierarchy"],
      ]);
      const big = "x".repeat(4097);
      const secretBig = resource("aws:ssm/parameter:Parameter", "secret-big", {
        name: "/bbws/dev/acme/admin-password",
        type: "SecureString",
        value: { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: big },
      });
      const report = await checkAwsConstraints([{ stack: "dev.acme", resources: [secretBig] }]);
      expect(report.violations.map((v) => [v.field, v.value, v.rule])).to.deep.equal([
        ["value", "[secret]", "at most 4096 bytes for the Standard tier"],
      ]);
      expect(await fields(parameter("advanced", { tier: "Advanced", value: big }))).to.deep.equal([]);
    });

    it("reports field, value, rule and source: host > 128, enum, range, tags, IAM, name limit", async () => {
      const long = `${"a".repeat(60)}.${"b".repeat(60)}.example.com`;
      const report = await checkAwsConstraints([
        {
          stack: "dev.acme",
          resources: [
            resource("aws:lb/listenerRule:ListenerRule", "r", {
              priority: 1,
              conditions: [{ hostHeader: { values: [long] } }],
            }),
            resource(
              "aws:lb/targetGroup:TargetGroup",
              "tg",
              { protocol: "HTTPX", healthCheck: { interval: 4, timeout: 10 } },
              "tg-abc",
            ),
            resource(
              "aws:cloudwatch/logGroup:LogGroup",
              "lg",
              { retentionInDays: 8, tags: { "aws:owner": "x" } },
              "lg",
            ),
            resource(
              "aws:iam/rolePolicy:RolePolicy",
              "p",
              {
                policy: JSON.stringify({
                  Version: "2012-10-17",
                  Statement: [
                    {
                      Effect: "Allow",
                      Action: ["ecs:DescribeServicez"],
                      Resource: "*",
                      Condition: { StringEquals: { "ecs:clusterz": "x" } },
                    },
                  ],
                }),
              },
              "p",
            ),
            resource("aws:lb/loadBalancer:LoadBalancer", "lb", {}, `${"x".repeat(30)}-abcdef0`),
          ],
        },
      ]);
      const fields = report.violations.map((v) => `${v.resource}:${v.field}`);
      expect(fields).to.include.members([
        "r:conditions[0].hostHeader.values[0]",
        "tg:protocol",
        "tg:healthCheck.interval",
        "tg:healthCheck.timeout",
        "lg:retentionInDays",
        "lg:tags.aws:owner",
        "p:policy.Statement[0].Action[0]",
        "p:policy.Statement[0].Condition.StringEquals",
        "lb:name (auto-named)",
      ]);
      for (const v of report.violations) expect(v.source, v.field).to.be.a("string").and.not.equal("");
      expect(await actionProblem("ecs:DescribeServices")).to.equal(undefined);
      expect(await conditionKeyProblem("aws:SourceAccount")).to.equal(undefined);
      expect(await conditionKeyProblem("elasticfilesystem:AccessPointArn")).to.equal(undefined);
    });

    it("a truncated digest and bad references are refused; full references and digests pass", () => {
      expect(imageReferenceProblem("sha256:9f86d081884c7d65")).to.match(/64 hex characters, this one 16/);
      expect(imageReferenceProblem(`sha256:${"a".repeat(64)}`)).to.equal(undefined);
      expect(imageReferenceProblem("6.8.3-php8.3-apache")).to.equal(undefined);
      expect(
        imageReferenceProblem(`public.ecr.aws/docker/library/wordpress:6.8@sha256:${"b".repeat(64)}`),
      ).to.equal(undefined);
      expect(imageReferenceProblem("public.ecr.aws/docker/library/wordpress")).to.match(
        /needs a tag or a digest/,
      );
      expect(imageReferenceProblem("registry.example.com/Bad/Name:1")).to.match(/path component "Bad"/);
    });
  });

  describe("4. quota preflight", () => {
    const tenants = (n: number, shard = 0) =>
      Array.from({ length: n }, (_, i) => ({ id: `t${i}`, shard, maxTasks: 2, serviceDiscovery: true }));
    const crossed = (usages: ReturnType<typeof registryQuotaUsage>): QuotaId[] =>
      quotaReport(usages).exceeded.map((u) => u.quota);

    it("every quota, crossed, is named with its count and limit", () => {
      const database = { minCapacity: 0.5, maxCapacity: 2 };
      expect(
        crossed(
          registryQuotaUsage(tenants(101), { shards: 1, database: { minCapacity: 1, maxCapacity: 256 } }),
        ),
      ).to.include.members(["targetGroupsPerAlb", "rulesPerAlb"]);
      expect(
        crossed(
          registryQuotaUsage(tenants(497), { shards: 6, database: { minCapacity: 1, maxCapacity: 256 } }),
        ),
      ).to.include("iamRoles");
      expect(crossed(registryQuotaUsage(tenants(5), { shards: 1, database }))).to.deep.equal([
        "databaseConnections",
      ]);
      const small = {
        iamRoles: 10,
        rulesPerAlb: 2,
        certificatesPerAlb: 0,
        servicesPerCluster: 2,
        tasksPerService: 1,
        accessPointsPerFileSystem: 2,
        cloudMapInstancesPerNamespace: 3,
        // A hard limit (10,000), lowered here only to cross it: one parameter per tenant.
        ssmStandardParameters: 2,
        acmCertificates: 2,
      };
      const withCerts = tenants(3).map((t) => ({ ...t, certificates: 1 }));
      expect(
        crossed(
          registryQuotaUsage(withCerts, {
            shards: 1,
            quotas: small,
            database: { minCapacity: 1, maxCapacity: 64 },
          }),
        ),
      ).to.have.members([
        "iamRoles",
        "rulesPerAlb",
        "certificatesPerAlb",
        "servicesPerCluster",
        "tasksPerService",
        "accessPointsPerFileSystem",
        "cloudMapInstancesPerNamespace",
        "ssmStandardParameters",
        "acmCertificates",
      ]);
      // The platform's own wildcard counts: 1 + 1 tenant certificate crosses a quota of 1.
      const acm = registryQuotaUsage(withCerts.slice(0, 1), {
        shards: 1,
        certificates: 1,
        quotas: { acmCertificates: 1 },
        database: { minCapacity: 1, maxCapacity: 64 },
      }).find((u) => u.quota === "acmCertificates");
      expect(acm).to.deep.include({ used: 2, limit: 1 });
    });

    it("a plan over a quota fails with exit 12 naming the quota; the platform role count is the model's", async () => {
      const plan = await planEnvironment({
        environment: "dev",
        workers: 1,
        configOverrides: { "bbws:quotaRulesPerAlb": "3" },
      });
      const failure = planFailure(plan)!;
      expect(failure.kind).to.equal("quotaExceeded");
      expect(exitCodeOf(failure.kind)).to.equal(12);
      expect(failure.message).to.match(
        // 4 forward rules and globex's redirect rule for its second host.
        /listener rules per ALB \(ALB bbws-dev-alb-0\): 5 > 3; .*bbws:quotaRulesPerAlb/,
      );
      const platformRoles = plan.stacks[0].run.resources.filter((r) => r.type === "aws:iam/role:Role").length;
      expect(platformRoles, "PLATFORM_IAM_ROLES in config/quotas.ts").to.equal(PLATFORM_IAM_ROLES);
      // The registry preflight's parameter count is the plan's: one per tenant, none on the platform.
      const tenants = plan.stacks.filter((s) => s.tenant).length;
      const parameters = plan.stacks.map(
        (s) => s.run.resources.filter((r) => r.type === "aws:ssm/parameter:Parameter").length,
      );
      expect(parameters, "TENANT_SSM_PARAMETERS in config/quotas.ts").to.deep.equal([
        0,
        ...Array(tenants).fill(TENANT_SSM_PARAMETERS),
      ]);
      expect(plan.quotas.usages.find((u) => u.quota === "ssmStandardParameters")).to.deep.include({
        used: tenants * TENANT_SSM_PARAMETERS,
        limit: 10000,
      });
      // Every requested certificate, the platform's wildcard and the tenants' own.
      const certificates = plan.stacks.flatMap((s) =>
        s.run.resources.filter((r) => r.type === "aws:acm/certificate:Certificate"),
      );
      expect(certificates.length).to.be.greaterThan(1);
      expect(plan.quotas.usages.find((u) => u.quota === "acmCertificates")).to.deep.include({
        used: certificates.length,
        limit: 2500,
      });
    });

    it("tenants add is refused before anything is written when the new tenant crosses a quota", () => {
      const dir = tmp();
      const file = path.join(dir, "dev.yaml");
      fs.copyFileSync(path.join(__dirname, "..", "..", "tenants", "dev.yaml"), file);
      const before = fs.readFileSync(file, "utf8");
      const snapshot = readRegistry("dev", file);
      const settings = loadStackSettings("dev");
      expect(() =>
        checkAddition(
          snapshot,
          { id: "hooli", hosts: ["hooli.wpdev.example.com"] },
          { ...settings, quotas: { iamRoles: 16 } },
        ),
      ).to.throw(QuotaExceededError, /IAM roles per account \(account\): 17 > 16/);
      expect(fs.readFileSync(file, "utf8")).to.equal(before);
    });
  });

  describe("5. registry and stack-config errors that help", () => {
    it("a YAML alias bomb is refused as such (exit 3, file named), not a crash", () => {
      const bomb =
        'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ntenants: [*d]\n';
      expect(() => parseRegistry(bomb, "tenants/dev.yaml", "dev")).to.throw(
        RegistryError,
        /tenants\/dev\.yaml: YAML aliases expand past 100/,
      );
    });

    it("names a duplicate key and echoes the offending values", () => {
      expect(() =>
        parseRegistry("tenants:\n  - id: acme\n    id: acme2\n    hosts: [a.example.com]\n", "t.yaml", "dev"),
      ).to.throw(/t\.yaml:3: duplicate key "id" \(already set at line 2\)/);
      expect(() =>
        parseRegistry(
          `tenants:\n  - id: acme\n    hosts: [${"a".repeat(130)}.example.com]\n`,
          "t.yaml",
          "dev",
        ),
      ).to.throw(/hosts\[0\]: has 142 characters; an ALB host condition takes at most 128 .*\(got "a{20,}/);
      expect(() =>
        parseRegistry("tenants:\n  - id: acme\n    hosts: [Shop.Example.com]\n", "t.yaml", "dev"),
      ).to.throw(
        /hosts\[0\]: is not a valid DNS host name: upper-case letters .*\(got "Shop\.Example\.com"\)/,
      );
    });

    it("tenants add names the option and value of the new entry, never a line past the end of the file", () => {
      const snapshot = readRegistry("dev");
      let caught: unknown;
      try {
        checkAddition(snapshot, { id: "hooli", hosts: ["Bad_Host.example.com"] }, loadStackSettings("dev"));
      } catch (error) {
        caught = error;
      }
      const problem = (caught as RegistryError).problems[0];
      expect(problem.line).to.equal(undefined);
      expect(problem.entry).to.match(/the new tenant "hooli" \(not yet in the file\)/);
      expect(problem.field).to.equal("hosts[0] (--domain)");
      expect(problem.message).to.match(/got "Bad_Host\.example\.com"/);
    });

    it("stack files: syntax error at the opener's line, secure value, duplicate key, each exit 3 with the file; CIDR octets", () => {
      const dir = tmp();
      const write = (stack: string, text: string) =>
        fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), text);
      write(
        "syn",
        "config:\n  aws:region: af-south-1\n  bbws:domain: [unclosed\n  bbws:vpcCidr: 10.0.0.0/16\n",
      );
      write("sec", "config:\n  aws:region: af-south-1\n  bbws:alarmEmail:\n    secure: AAABAD==\n");
      write(
        "dup",
        "config:\n  aws:region: af-south-1\n  bbws:domain: a.example.com\n  bbws:domain: b.example.com\n",
      );
      const failure = (stack: string) => {
        try {
          loadStackSettings(stack, dir);
        } catch (error) {
          return error as Error & { kind: string };
        }
        throw new Error("expected a failure");
      };
      expect(failure("syn").message).to.match(
        /Pulumi\.syn\.yaml:3: YAML syntax error: a "\[" opened here is never closed/,
      );
      expect(failure("sec").message).to.match(
        /Pulumi\.sec\.yaml:3: bbws:alarmEmail is a secure \(encrypted\) value/,
      );
      expect(failure("dup").message).to.match(
        /Pulumi\.dup\.yaml:4: duplicate key "bbws:domain" \(already set at line 3\)/,
      );
      for (const s of ["syn", "sec", "dup"])
        expect(exitCodeOf(failure(s).kind as "invalidInput")).to.equal(3);
      expect(cidrProblem("10.300.0.0/16")).to.match(/octet 2 is 300/);
      expect(cidrProblem("10.20.1.0/16")).to.match(/host bits are set; the block is 10\.20\.0\.0\/16/);
      expect(cidrProblem("10.20.0.0/16")).to.equal(undefined);
    });
  });

  describe("6. fault injection: every fleet exit code, offline", () => {
    async function run(...args: string[]) {
      const deps = cliDeps((request) => defaultPorts(request));
      const code = await main([...args, "--offline", "--offline-state", tempDir("bbws-faults-")], deps);
      return { code, out: deps.out(), err: deps.err() };
    }

    it("an up error fails that tenant only: exit 1, the others done, the last line names it", async () => {
      const { code, out } = await run(
        "sync",
        "dev",
        "--tenants",
        tempRegistry(),
        "--offline-fault",
        "globex:up:error",
      );
      expect(code).to.equal(1);
      expect(out.match(/│ ok /g)).to.have.length(3);
      expect(out.trim().split("\n").pop()).to.equal("Not ok (1): dev.globex (failed)");
    });

    it("a stack that stays locked is exit 5 with the pulumi cancel line; locked wins over a failure", async () => {
      const { code, out } = await run(
        "sync",
        "dev",
        "--tenants",
        tempRegistry(),
        "--lock-attempts",
        "2",
        "--offline-fault",
        "acme:up:locked",
        "--offline-fault",
        "globex:up:error",
      );
      expect(code).to.equal(5);
      expect(out)
        .to.match(/ConcurrentUpdateError after 2 attempts/)
        .and.match(/pulumi cancel --stack dev\.acme/);
    });

    it("a deployment that hangs past --timeout is exit 8", async () => {
      const registry = tempRegistry();
      expect((await run("sync", "dev", "--tenants", registry)).code).to.equal(0);
      const { code, out } = await run(
        "rollout",
        "dev",
        "--tenants",
        registry,
        "--image",
        "6.9.0-php8.3-apache",
        "acme",
        "--timeout",
        "1",
        "--offline-fault",
        "acme:deploy:hang",
      );
      expect(code, out).to.equal(8);
    });

    it("a final backup that cannot be taken refuses the removal: exit 4, nothing removed", async () => {
      const registry = tempRegistry();
      const state = tempDir("bbws-faults-");
      const deps = cliDeps((request) => defaultPorts(request));
      expect(
        await main(["sync", "dev", "--tenants", registry, "--offline", "--offline-state", state], deps),
      ).to.equal(0);
      const removal = cliDeps((request) => defaultPorts(request));
      const code = await main(
        [
          "remove",
          "dev",
          "umbrella",
          "--tenants",
          registry,
          "--offline",
          "--offline-state",
          state,
          "--offline-fault",
          "umbrella:backup:error",
        ],
        removal,
      );
      expect(code, removal.err()).to.equal(4);
      expect(fs.readFileSync(registry, "utf8")).to.match(/id: umbrella/);
    });
  });

  describe("6. fault injection specs", () => {
    it("parses TENANTS:PHASE:KIND and refuses anything else", () => {
      expect(parseFault("bench-00?0:up:error")).to.include({
        tenants: "bench-00?0",
        phase: "up",
        kind: "error",
      });
      expect(() => parseFault("acme:upp:error")).to.throw(/PHASE one of preview, up/);
      expect(() => parseFault("acme:up")).to.throw(/TENANTS:PHASE:KIND/);
    });
  });
});
