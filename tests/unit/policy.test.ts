/**
 * The policy pack as a whole and its offline evaluator: what the pack contains, that the
 * platform plans meet every mandatory rule, and that evaluation behaves like the engine's
 * analyzer (type filtering, notApplicable, secrets, stack rules, preview-time unknowns).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as policySdk from "@pulumi/policy";
import {
  PolicyResource,
  ResourceValidation,
  ResourceValidationArgs,
  StackValidationPolicy,
  validateResourceOfType,
} from "@pulumi/policy";
import { expect } from "chai";
import { readFileSync } from "fs";
import { join } from "path";
import { runPlatform } from "../../offline/platformRun";
import { StackRun } from "../../offline/stackRun";
import { evaluatePolicies, evaluateResource } from "../../offline/policyEvaluator";
import { ALL_POLICIES, BbwsPolicy } from "../../policy/policies";
import { BbwsResourcePolicy, controlsOf } from "../../policy/rules/common";
import { fixture, good, stackOf, tags, tenantSite } from "../helpers/policyFixtures";

/** Source control ids: Security Hub (ECS.2), Checkov, Trivy, cdk-nag, Control Tower, AWS Config, Well-Architected (REL, SEC and their best practices). */
const CONTROL_ID =
  /^([A-Z][A-Za-z]+\.\d+|CKV2?_AWS_\d+|AVD-AWS-\d{4}|AwsSolutions-[A-Z]+\d+|CT\.[A-Z]+\.PR\.\d+|[A-Z][A-Z0-9]+(_[A-Z0-9]+)+|REL\d{2}|SEC\d{2}(-BP\d{2})?)$/;

const byName = (name: string) => ALL_POLICIES.find((p) => p.name === name)!;
/** The single validation function of a resource rule. */
const validationOf = (name: string) =>
  (byName(name) as BbwsResourcePolicy).validateResource as ResourceValidation;

/** Pulumi's internal unknown-string sentinel and proxy: what rules see during a preview. */
const sdk = policySdk as unknown as { unknownCheckingProxy: <T>(value: T) => T };
const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

describe("policy pack", () => {
  it("has at least 25 rules with unique kebab-case names", () => {
    const names = ALL_POLICIES.map((p) => p.name);
    expect(names.length).to.be.at.least(25);
    expect(new Set(names).size).to.equal(names.length);
    for (const name of names) expect(name).to.match(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it("every rule names its source controls and is mandatory or advisory", () => {
    for (const policy of ALL_POLICIES) {
      const controls = controlsOf(policy.description);
      expect(
        controls.some((c) => CONTROL_ID.test(c)),
        `${policy.name}: ${policy.description}`,
      ).to.be.true;
      expect(["mandatory", "advisory"], policy.name).to.include(policy.enforcementLevel);
    }
  });

  it("names the controls the design requires", () => {
    const named = new Set(ALL_POLICIES.flatMap((p) => controlsOf(p.description)));
    for (const control of [
      "ECS.2",
      "ECS.5",
      "ECS.8",
      "ECS.20",
      "EFS.1",
      "EFS.3",
      "EFS.4",
      "RDS.7",
      "RDS.11",
      "RDS.15",
      "RDS.24",
      "RDS.27",
      "ELB.1",
      "ELB.4",
      "ELB.5",
      "ELB.17",
      "ECR.1",
      "ECR.2",
      "EC2.2",
      "EC2.6",
      "EC2.19",
      "IAM.1",
      "IAM.21",
      "KMS.4",
      "Backup.1",
      "CloudWatch.15",
      "CKV_AWS_66",
      "CKV_AWS_97",
      "CKV_AWS_149",
      "CKV_AWS_249",
    ]) {
      expect(named.has(control), control).to.be.true;
    }
  });

  it("keeps ECS.5 and ECS.20 advisory, as documented exceptions for the stock WordPress image", () => {
    for (const name of ["ecs-task-read-only-root-filesystem", "ecs-task-non-root-user"]) {
      const policy = byName(name);
      expect(policy.enforcementLevel).to.equal("advisory");
      expect(policy.description).to.match(/Documented exception \(advisory\)/);
      expect(policy.description).to.match(/stock WordPress image/);
    }
  });

  it("policy/README.md lists every rule with its level", () => {
    const readme = readFileSync(join(__dirname, "../../policy/README.md"), "utf8");
    const rows = new Map(
      [...readme.matchAll(/^\| `([a-z0-9-]+)` \| [^|]+ \| (mandatory|advisory)[^|]* \|/gm)].map((m) => [
        m[1],
        m[2],
      ]),
    );
    expect(Object.fromEntries(rows)).to.deep.equal(
      Object.fromEntries(ALL_POLICIES.map((p) => [p.name, p.enforcementLevel])),
    );
  });

  it("reports how many rules it ran", async () => {
    const report = await evaluatePolicies([]);
    expect(report).to.deep.equal({ rules: ALL_POLICIES.length, violations: [] });
  });
});

describe("platform plans against the pack", () => {
  let dev: StackRun;
  let prod: StackRun;
  before(async () => {
    dev = await runPlatform({ stack: "dev" });
    prod = await runPlatform({ stack: "prod" });
  });

  for (const stack of ["dev", "prod"] as const) {
    it(`${stack} meets every mandatory rule`, async () => {
      const run = stack === "dev" ? dev : prod;
      const report = await evaluatePolicies([{ stack, resources: run.resources }]);
      expect(report.violations.filter((v) => v.level === "mandatory")).to.deep.equal([]);
    });
  }

  it("prod would fail if its Aurora cluster lost deletion protection (rules see the real plan)", async () => {
    const resources = prod.resources.map((r) =>
      r.type === "aws:rds/cluster:Cluster" ? { ...r, inputs: { ...r.inputs, deletionProtection: false } } : r,
    );
    const report = await evaluatePolicies([{ stack: "prod", resources }]);
    expect(report.violations.filter((v) => v.level === "mandatory").map((v) => v.policy)).to.deep.equal([
      "rds-cluster-protected-in-prod",
    ]);
  });

  describe("the maintenance exception (root on the file system, scoped by component)", () => {
    const MAINTENANCE = "bbws:platform:MaintenanceTasks$";
    const mandatory = async (resources: StackRun["resources"]) =>
      (await evaluatePolicies([{ stack: "dev", resources }])).violations
        .filter((v) => v.level === "mandatory")
        .map((v) => v.policy);
    /** The resource moved out of the MaintenanceTasks component: same inputs, another place. */
    const rehomed = (r: StackRun["resources"][number]) => ({ ...r, urn: r.urn.replace(MAINTENANCE, "") });

    it("the planned maintenance resources sit under the MaintenanceTasks component", () => {
      const ap = dev.resources.find((r) => r.type === "aws:efs/accessPoint:AccessPoint")!;
      expect(ap.urn).to.include(MAINTENANCE);
      expect(ap.inputs.posixUser).to.deep.equal({ uid: 0, gid: 0 });
    });

    it("the same root access point anywhere else violates EFS.3 and EFS.4", async () => {
      const resources = dev.resources.map((r) =>
        r.type === "aws:efs/accessPoint:AccessPoint" ? rehomed(r) : r,
      );
      expect(await mandatory(resources)).to.have.members([
        "efs-access-point-root-directory",
        "efs-access-point-root-directory",
        "efs-access-point-posix-user",
      ]);
    });

    it("the maintenance role's ClientRootAccess is refused outside the component", async () => {
      const resources = dev.resources.map((r) =>
        r.type === "aws:iam/rolePolicy:RolePolicy" && r.name.endsWith("maintenance-task-role-policy")
          ? rehomed(r)
          : r,
      );
      expect(await mandatory(resources)).to.deep.equal(["efs-client-access-through-access-point"]);
    });

    it("inside the component, ClientRootAccess still needs the access point condition", async () => {
      const resources = dev.resources.map((r) => {
        if (!(r.type === "aws:iam/rolePolicy:RolePolicy" && r.name.endsWith("maintenance-task-role-policy")))
          return r;
        const doc = JSON.parse(r.inputs.policy as string) as { Statement: Record<string, unknown>[] };
        doc.Statement.forEach((s) => delete s.Condition);
        return { ...r, inputs: { ...r.inputs, policy: JSON.stringify(doc) } };
      });
      const report = await evaluatePolicies([{ stack: "dev", resources }]);
      const messages = report.violations.filter((v) => v.level === "mandatory").map((v) => v.message);
      expect(messages).to.have.length.greaterThan(0);
      expect(messages.join("\n")).to.match(/only through the administrative access point/);
    });
  });

  it("typed validations meet only resources of their type; untyped ones every custom resource", async () => {
    const seen: string[] = [];
    const untypedSeen: string[] = [];
    const spy: BbwsPolicy = {
      name: "spy",
      description: "[TEST] counts calls",
      enforcementLevel: "advisory",
      validateResource: [
        validateResourceOfType(aws.ecr.Repository, (_props, args) => {
          seen.push(args.type);
        }),
        (args) => {
          untypedSeen.push(args.type);
        },
      ],
    };
    await evaluatePolicies([{ stack: "dev", resources: dev.resources }], [spy]);
    expect(seen).to.deep.equal(["aws:ecr/repository:Repository"]);
    const expected = dev.resources.filter((r) => r.custom && !r.read && !r.type.startsWith("pulumi:"));
    expect(untypedSeen).to.deep.equal(expected.map((r) => r.type));
  });
});

describe("offline evaluator", () => {
  const scanOnPush = () => byName("ecr-scan-on-push");

  it("evaluateResource ignores types a rule does not apply to", async () => {
    const bucket = fixture("aws:s3/bucket:Bucket", { tags: tags("dev", "ingress") });
    expect(await evaluateResource(bucket, [scanOnPush()])).to.deep.equal([]);
    const unscanned = good.repository({ imageScanningConfiguration: { scanOnPush: false } });
    expect((await evaluateResource(unscanned, [scanOnPush()])).map((v) => v.policy)).to.deep.equal([
      "ecr-scan-on-push",
    ]);
  });

  it("a typed validation called with another type calls notApplicable, which the evaluator catches", () => {
    // What @pulumi/policy >= 1.18 does; a harness without notApplicable would crash here.
    const validate = validationOf("ecr-scan-on-push");
    const args = {
      type: "aws:s3/bucket:Bucket",
      props: {},
      isType: () => false,
      notApplicable: (reason?: string): never => {
        throw new Error(`not applicable: ${reason}`);
      },
    } as unknown as ResourceValidationArgs;
    expect(() => validate(args, () => undefined)).to.throw(
      /only applies to resources of type 'aws:ecr\/repository/,
    );
  });

  it("skips components, pulumi:* resources and reads, as the engine does", async () => {
    const everything: BbwsPolicy = {
      name: "everything",
      description: "[TEST] reports every resource",
      enforcementLevel: "mandatory",
      validateResource: (args, report) => report(args.type),
    };
    const component = fixture("bbws:tenant:TenantWordPress", {}, { custom: false });
    const provider = fixture("pulumi:providers:aws", { region: "af-south-1" });
    const read = fixture("aws:efs/mountTarget:MountTarget", {}, { read: true });
    const mine = fixture("aws:efs/mountTarget:MountTarget", { fileSystemId: "fs-1", subnetId: "subnet-1" });
    for (const skipped of [component, provider, read]) {
      expect(await evaluateResource(skipped, [everything])).to.deep.equal([]);
    }
    expect(await evaluateResource(mine, [everything])).to.have.length(1);
  });

  it("unwraps Pulumi secrets before rules read the inputs", async () => {
    const task = good.taskDefinition({ environment: [{ name: "DB_PASSWORD", value: "plain" }] });
    const secret = {
      [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig,
      value: task.inputs.containerDefinitions,
    };
    const wrapped = { ...task, inputs: { ...task.inputs, containerDefinitions: secret } };
    const violations = await evaluateResource(wrapped, [byName("ecs-task-no-secrets-in-environment")]);
    expect(violations.map((v) => v.message)).to.deep.equal([
      'container "wordpress" has DB_PASSWORD in plain environment (its name DB_PASSWORD says it holds a credential): ' +
        "move it to `secrets` with valueFrom a Secrets Manager ARN.",
    ]);
  });

  it("hands stack rules every resource of the stack with parents, dependencies and ids", async () => {
    let seen: PolicyResource[] = [];
    const capture: BbwsPolicy = {
      name: "capture",
      description: "[TEST] captures the stack",
      enforcementLevel: "advisory",
      validateStack: (args) => {
        seen = args.resources;
      },
    };
    const site = tenantSite("acme");
    await evaluatePolicies([stackOf(...site)], [capture]);
    expect(seen.map((r) => r.type)).to.include.members([
      "pulumi:pulumi:Stack",
      "bbws:tenant:TenantWordPress",
    ]);
    const service = seen.find((r) => r.type === "aws:ecs/service:Service")!;
    expect(service.parent?.type).to.equal("bbws:tenant:TenantWordPress");
    expect(service.parent?.name).to.equal("acme");
    expect(service.dependencies.map((d) => d.type)).to.have.members([
      "aws:ecs/taskDefinition:TaskDefinition",
      "aws:lb/targetGroup:TargetGroup",
    ]);
    // AnalyzeStack sees outputs, where bridged resources carry their id.
    expect(service.props.id).to.equal(site.find((r) => r.type === "aws:ecs/service:Service")!.id);
  });

  it("gives resource rules the resource's provider, as the engine does", async () => {
    const provider = fixture(
      "pulumi:providers:aws",
      { region: "eu-west-1" },
      { name: "dr", id: "dr-provider" },
    );
    const vault = { ...good.vault("dev"), provider: `${provider.urn}::${provider.id}` };
    const regions: unknown[] = [];
    const spy: BbwsPolicy = {
      name: "spy",
      description: "[TEST] reads the provider",
      enforcementLevel: "advisory",
      validateResource: (args) => {
        regions.push(args.provider?.props.region);
      },
    };
    await evaluatePolicies([stackOf(provider, vault)], [spy]);
    expect(regions).to.deep.equal(["eu-west-1"]);
  });

  it("reports a stack rule's violation on the URN it names", async () => {
    const report = await evaluatePolicies([stackOf(good.repository())], [byName("ecr-lifecycle-policy")]);
    expect(report.violations.map((v) => v.urn)).to.deep.equal([good.repository().urn]);
  });

  it("fails, naming the rule and the resource, when a rule throws", async () => {
    const broken: BbwsPolicy = {
      name: "broken",
      description: "[TEST] throws",
      enforcementLevel: "mandatory",
      validateResource: () => {
        throw new Error("boom");
      },
    };
    const repository = good.repository();
    let failure: unknown;
    await evaluatePolicies([stackOf(repository)], [broken]).catch((error: unknown) => (failure = error));
    expect(String(failure)).to.include(`policy broken failed on ${repository.urn}: boom`);
  });

  it("turns a value unknown during preview into an advisory diagnostic, as the engine does", async () => {
    const repository = good.repository();
    const previewing: BbwsPolicy = {
      ...byName("ecr-scan-on-push"),
      name: "previewing",
      validateResource: (args, report) =>
        validationOf("ecr-scan-on-push")(
          { ...args, props: sdk.unknownCheckingProxy({ imageScanningConfiguration: UNKNOWN_STRING }) },
          report,
        ),
    };
    const report = await evaluatePolicies([stackOf(repository)], [previewing]);
    expect(report.violations).to.have.length(1);
    expect(report.violations[0].level).to.equal("advisory");
    expect(report.violations[0].message).to.match(/can't run policy 'previewing' during preview/);
  });

  it("resolves the ALB's group through property dependencies when ids are unknown (preview)", () => {
    const policy = byName("no-public-ingress-except-alb-web") as StackValidationPolicy;
    const resource = (type: string, name: string, props: Record<string, unknown>): PolicyResource =>
      ({
        type,
        name,
        urn: `urn:pulumi:dev::bbws::${type}::${name}`,
        props: sdk.unknownCheckingProxy(props),
        dependencies: [],
        propertyDependencies: {},
      }) as unknown as PolicyResource;
    const group = resource("aws:ec2/securityGroup:SecurityGroup", "alb-sg", { id: UNKNOWN_STRING });
    const lb = resource("aws:lb/loadBalancer:LoadBalancer", "alb", { securityGroups: [UNKNOWN_STRING] });
    lb.propertyDependencies = { securityGroups: [group] };
    const https = resource("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "https", {
      securityGroupId: UNKNOWN_STRING,
      cidrIpv4: "0.0.0.0/0",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
    });
    https.propertyDependencies = { securityGroupId: [group] };
    const reported: string[] = [];
    void policy.validateStack(
      {
        resources: [group, lb, https],
        stackTags: new Map(),
        getConfig: () => ({}) as never,
        notApplicable: () => {
          throw new Error("not applicable");
        },
      },
      (message) => reported.push(message),
    );
    expect(reported).to.deep.equal([]);
  });
});
