/**
 * Isolation proof in CI: the planned resources of dev, prod and a generated 20-tenant
 * environment, every role's identity policies evaluated together with the EFS file system
 * policy, the KMS key policies, secret and backup vault policies by an IAM policy simulator
 * (tests/helpers/isolationProof.ts). No cross-tenant allow, no tenant role reaching a platform
 * secret, the file system root or a vault; and the proof fails as soon as one tenant's secret
 * scope is widened to `bbws/<env>/*`.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import { EnvironmentPlan, planEnvironment } from "../../plan/plan";
import { ProofModel, decide, ownAccessGaps, proofModel, prove } from "../helpers/isolationProof";

/** A registry of `count` tenants of dev, each with its own host. */
function generatedRegistry(count: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bbws-isolation-"));
  const file = path.join(dir, "dev.yaml");
  const ids = Array.from({ length: count }, (_, i) => `tenant-${String(i + 1).padStart(2, "0")}`);
  fs.writeFileSync(
    file,
    `tenants:\n${ids.map((id) => `  - id: ${id}\n    hosts: [${id}.wpdev.example.com]\n`).join("")}`,
  );
  return file;
}

/** The plan with one tenant's execution role reading every secret of the environment. */
function widened(plan: EnvironmentPlan, tenant: string): EnvironmentPlan {
  const copy = JSON.parse(JSON.stringify(plan)) as EnvironmentPlan;
  const stack = copy.stacks.find((s) => s.tenant === tenant)!;
  const policy = stack.run.resources.find(
    (r) => r.type === "aws:iam/rolePolicy:RolePolicy" && /exec-policy/.test(r.name),
  )!;
  const document = JSON.parse(policy.inputs.policy as string) as { Statement: Record<string, unknown>[] };
  const read = document.Statement.find((s) => s.Sid === "ReadOwnSecrets")!;
  const model = proofModel(plan);
  read.Resource = `arn:${model.partition}:secretsmanager:${model.region}:${model.account}:secret:bbws/${plan.environment}/*`;
  (policy.inputs as Record<string, unknown>).policy = JSON.stringify(document);
  return copy;
}

describe("isolation proof (IAM policy simulation over the planned roles and resource policies)", function () {
  this.timeout(120_000);
  const plans: Record<string, EnvironmentPlan> = {};
  before(async () => {
    plans.dev = await planEnvironment({ environment: "dev", workers: 1 });
    plans.prod = await planEnvironment({ environment: "prod", workers: 1 });
    plans["dev with 20 generated tenants"] = await planEnvironment({
      environment: "dev",
      tenantsFile: generatedRegistry(20),
      workers: 1,
    });
  });

  for (const name of ["dev", "prod", "dev with 20 generated tenants"]) {
    describe(name, () => {
      let model: ProofModel;
      before(() => {
        model = proofModel(plans[name]);
      });

      it("sees every role, tenant secret and access point of the plan", () => {
        const tenants = plans[name].stacks.filter((s) => s.kind === "tenant").length;
        expect(model.tenants).to.have.length(tenants);
        expect(tenants).to.be.at.least(name.includes("20") ? 20 : 2);
        for (const tenant of model.tenants) {
          // Database credentials, keys and salts (no SES identity here: no SMTP secret); the
          // administrator's password parameter.
          expect(tenant.secretArns, tenant.id).to.have.length(2);
          expect(tenant.parameterArns, tenant.id).to.deep.equal([
            `arn:${model.partition}:ssm:${model.region}:${model.account}:parameter/bbws/${plans[name].environment}/${tenant.id}/admin-password`,
          ]);
          expect(
            model.roles.filter((r) => r.tenant === tenant.id),
            tenant.id,
          ).to.have.length(2);
        }
        expect(model.fileSystemPolicy, "file system policy").to.not.equal(undefined);
        expect(model.vaults.length).to.be.at.least(2);
        // Managed policies cannot be simulated here: no role that ECS tasks assume may have one.
        for (const role of model.roles.filter((r) => r.trustedServices.includes("ecs-tasks.amazonaws.com")))
          expect(role.managed, role.name).to.deep.equal([]);
      });

      it("finds no cross-tenant allow and no tenant role reaching a platform secret, the file system root or a vault", async () => {
        expect(await prove(model)).to.deep.equal([]);
      });

      it("is not vacuous: each tenant reads its own secrets and parameter and mounts its own access point", async () => {
        expect(await ownAccessGaps(model)).to.deep.equal([]);
      });
    });
  }

  it("the maintenance task role is root only through the administrative access point; the db-copy task role can do nothing", async () => {
    const model = proofModel(plans.dev);
    const maintenance = model.roles.find((r) => /maintenance-task-role/.test(r.name))!;
    const dbCopy = model.roles.find((r) => /db-copy-task-role/.test(r.name))!;
    const root = (role: typeof maintenance, accessPoint?: string) =>
      decide(
        model,
        role,
        "elasticfilesystem:ClientRootAccess",
        model.fileSystemArn,
        accessPoint ? { "elasticfilesystem:AccessPointArn": accessPoint } : {},
        model.fileSystemPolicy,
      );
    expect(await root(maintenance, model.adminAccessPointArn)).to.equal("Allowed");
    expect(await root(maintenance, model.tenants[0].accessPointArn)).to.not.equal("Allowed");
    expect(await root(maintenance)).to.not.equal("Allowed");
    expect(await root(dbCopy, model.adminAccessPointArn)).to.not.equal("Allowed");
    const secret = model.tenants[0].secretArns[0];
    expect(await decide(model, dbCopy, "secretsmanager:GetSecretValue", secret, {})).to.equal(
      "ExplicitlyDenied",
    );
  });

  it("fails when a tenant's secret scope is widened to bbws/<env>/*", async () => {
    const findings = await prove(proofModel(widened(plans.dev, "acme")));
    expect(findings.length).to.be.greaterThan(0);
    expect(
      findings.every((f) => f.tenant === "acme" && f.action === "secretsmanager:GetSecretValue"),
    ).to.equal(true);
    const others = proofModel(plans.dev).tenants.filter((t) => t.id !== "acme");
    for (const other of others)
      for (const secret of other.secretArns)
        expect(
          findings.map((f) => f.resource),
          `${other.id}'s ${secret}`,
        ).to.include(secret);
    expect(findings.map((f) => f.why).join("\n")).to.match(/tenant globex's, from tenant acme: secret/);
  });

  it("fails when the data key's grant loses its encryption-context condition (any secret decrypts)", async () => {
    const copy = JSON.parse(JSON.stringify(plans.dev)) as EnvironmentPlan;
    const policy = copy.stacks
      .find((s) => s.tenant === "acme")!
      .run.resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && /exec-policy/.test(r.name))!;
    const document = JSON.parse(policy.inputs.policy as string) as { Statement: Record<string, unknown>[] };
    const decrypt = document.Statement.find((s) => s.Action === "kms:Decrypt")!;
    delete (decrypt.Condition as { StringEquals: Record<string, unknown> }).StringEquals[
      "kms:EncryptionContext:SecretARN"
    ];
    (policy.inputs as Record<string, unknown>).policy = JSON.stringify(document);
    const findings = await prove(proofModel(copy));
    expect(findings.map((f) => f.action)).to.include("kms:Decrypt");
    expect(findings.map((f) => f.action)).to.not.include("secretsmanager:GetSecretValue");
  });

  it("fails when the Parameter Store decrypt loses its encryption-context condition (every tenant's password decrypts)", async () => {
    const copy = JSON.parse(JSON.stringify(plans.dev)) as EnvironmentPlan;
    const policy = copy.stacks
      .find((s) => s.tenant === "acme")!
      .run.resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && /exec-policy/.test(r.name))!;
    const document = JSON.parse(policy.inputs.policy as string) as { Statement: Record<string, unknown>[] };
    const decrypt = document.Statement.find((s) => s.Sid === "DecryptOwnParameters")!;
    delete (decrypt.Condition as { StringEquals: Record<string, unknown> }).StringEquals[
      "kms:EncryptionContext:PARAMETER_ARN"
    ];
    (policy.inputs as Record<string, unknown>).policy = JSON.stringify(document);
    const findings = await prove(proofModel(copy));
    const others = proofModel(plans.dev).tenants.filter((t) => t.id !== "acme");
    expect(findings.length).to.be.greaterThan(0);
    // Every other tenant's password parameter decrypts; nothing is read (GetParameters is still exact).
    for (const f of findings) expect([f.tenant, f.action]).to.deep.equal(["acme", "kms:Decrypt"]);
    for (const other of others)
      expect(findings.map((f) => f.why).join("\n")).to.include(`${other.parameterArns[0]}`);
  });

  it("fails when a tenant's parameter read is widened to /bbws/<env>/*", async () => {
    const copy = JSON.parse(JSON.stringify(plans.dev)) as EnvironmentPlan;
    const policy = copy.stacks
      .find((s) => s.tenant === "acme")!
      .run.resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && /exec-policy/.test(r.name))!;
    const document = JSON.parse(policy.inputs.policy as string) as { Statement: Record<string, unknown>[] };
    const model = proofModel(plans.dev);
    document.Statement.find((s) => s.Sid === "ReadOwnParameters")!.Resource =
      `arn:${model.partition}:ssm:${model.region}:${model.account}:parameter/bbws/dev/*`;
    (policy.inputs as Record<string, unknown>).policy = JSON.stringify(document);
    const findings = await prove(proofModel(copy));
    expect(findings.map((f) => f.action)).to.include("ssm:GetParameters");
    expect(findings.map((f) => f.action)).to.not.include("kms:Decrypt");
  });

  it("fails when the file system policy loses its deny of mounts without an access point, for a role with broad EFS rights", async () => {
    const model = proofModel(plans.dev);
    const broad = {
      ...model.roles.find((r) => r.tenant === "acme" && /task-role/.test(r.name))!,
      policies: [
        {
          name: "broad",
          policy: {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "elasticfilesystem:Client*", Resource: "*" }],
          },
        },
      ],
    };
    const mount = (policy: ProofModel["fileSystemPolicy"]) =>
      decide(model, broad, "elasticfilesystem:ClientMount", model.fileSystemArn, {}, policy);
    expect(await mount(model.fileSystemPolicy)).to.equal("ExplicitlyDenied");
    const withoutDeny = {
      ...model.fileSystemPolicy!,
      Statement: model.fileSystemPolicy!.Statement.filter((s) => s.Sid !== "DenyMountWithoutAccessPoint"),
    };
    expect(await mount(withoutDeny)).to.equal("Allowed");
  });
});
