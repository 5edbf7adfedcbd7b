/**
 * Every resource of a tenant stack is a child of its TenantWordPress component (a resource
 * created without `parent` gets another URN, and Pulumi would replace it), and the secrets are
 * created as the isolation model needs: alphanumeric passwords, per-tenant names, the data key
 * (the administrator's password in an SSM SecureString parameter).
 */
import { expect } from "chai";
import { StackRun } from "../../../offline/stackRun";
import { ofType, single } from "../../helpers/resources";
import { platformOf, registryEntry, runTenantEntry } from "../../helpers/tenants";
import { contractOf } from "../../helpers/platform";
import { isSecretValue, unwrapSecrets } from "../../../offline/mocks";
import { ADMIN_PASSWORD_LENGTH } from "../../../components/tenant/secrets";

const OUTSIDE_COMPONENT = new Set([
  "pulumi:pulumi:Stack",
  "pulumi:pulumi:StackReference",
  "pulumi:providers:aws",
  "bbws:tenant:TenantWordPress",
]);

describe("tenant stack: children of the component, and its secrets", () => {
  let dev: StackRun;
  let prod: StackRun;
  before(async () => {
    dev = await runTenantEntry("dev", registryEntry("dev", "acme"));
    prod = await runTenantEntry("prod", registryEntry("prod", "acme"));
  });

  it("every resource but the stack, its references and providers is a child of the tenant component", () => {
    for (const run of [dev, prod]) {
      const component = single(run, "bbws:tenant:TenantWordPress");
      const resources = run.resources.filter((r) => !OUTSIDE_COMPONENT.has(r.type));
      expect(resources.length).to.be.greaterThan(20);
      for (const r of resources) expect(r.parent, `${r.type} ${r.name}`).to.equal(component.urn);
    }
  });

  it("generates a 40-character alphanumeric database password and a 48-byte key seed", () => {
    expect(single(dev, "random:index/randomPassword:RandomPassword", /-db-password$/).inputs).to.deep.include(
      {
        length: 40,
        special: false,
      },
    );
    expect(single(dev, "random:index/randomBytes:RandomBytes").inputs).to.deep.include({ length: 48 });
  });

  it("names, describes and encrypts both secrets per tenant; prod keeps deleted secrets 30 days, dev 7", async () => {
    for (const [run, environment, days] of [
      [dev, "dev", 7],
      [prod, "prod", 30],
    ] as const) {
      const { keys } = contractOf(await platformOf(environment));
      const database = single(run, "aws:secretsmanager/secret:Secret", /-db-secret$/).inputs;
      const wordpress = single(run, "aws:secretsmanager/secret:Secret", /-wordpress-keys$/).inputs;
      expect(database).to.deep.include({
        namePrefix: `bbws/${environment}/acme/db-`,
        description: "Database credentials of WordPress tenant acme",
        kmsKeyId: keys.dataKeyArn,
        recoveryWindowInDays: days,
      });
      expect(wordpress).to.deep.include({
        namePrefix: `bbws/${environment}/acme/wordpress-keys-`,
        description: "WordPress keys and salts of tenant acme",
        kmsKeyId: keys.dataKeyArn,
        recoveryWindowInDays: days,
      });
      for (const s of [database, wordpress]) expect(s.tags).to.deep.include({ "bbws:component": "secrets" });
      // Only the keys' value (the database secret's value is the credentials resource's; the
      // administrator's password is a parameter, not a secret).
      expect(
        ofType(run, "aws:secretsmanager/secretVersion:SecretVersion").map((v) => v.name),
      ).to.have.members(["acme-wordpress-keys-value"]);
      expect(ofType(run, "aws:secretsmanager/secret:Secret")).to.have.length(2);
    }
  });

  it("keeps the administrator's generated password in a standard SecureString parameter under the data key", async () => {
    for (const [run, environment] of [
      [dev, "dev"],
      [prod, "prod"],
    ] as const) {
      const { keys } = contractOf(await platformOf(environment));
      const generated = single(run, "random:index/randomPassword:RandomPassword", /-admin-password$/);
      expect(generated.inputs).to.deep.include({ length: ADMIN_PASSWORD_LENGTH, special: false });
      const parameter = single(run, "aws:ssm/parameter:Parameter");
      expect(parameter.inputs).to.deep.include({
        name: `/bbws/${environment}/acme/admin-password`,
        description: "WordPress administrator password of tenant acme",
        type: "SecureString",
        // Standard: free; the advanced tier costs per parameter-month.
        tier: "Standard",
        keyId: keys.dataKeyArn,
      });
      expect(parameter.inputs.tags).to.deep.include({
        "bbws:component": "secrets",
        "bbws:environment": environment,
        "bbws:tenant-id": "acme",
      });
      // The value is the generated password, and stays a Pulumi secret (encrypted in the state).
      expect(isSecretValue(parameter.inputs.value), "value is a secret").to.equal(true);
      const password = unwrapSecrets(parameter.inputs.value) as string;
      expect(password).to.match(new RegExp(`^[A-Za-z0-9]{${ADMIN_PASSWORD_LENGTH}}$`));
      expect(JSON.stringify(run.outputs)).to.not.include(password);
      // Nothing else of the stack holds it in plain text.
      for (const r of run.resources.filter((x) => x !== parameter && x !== generated))
        expect(JSON.stringify(r.inputs), `${r.type} ${r.name}`).to.not.include(password);
    }
  });

  it("describes both roles per tenant and tags them as IAM", () => {
    expect(single(dev, "aws:iam/role:Role", /-exec-role$/).inputs).to.deep.include({
      description: "ECS execution role of WordPress tenant acme",
    });
    expect(single(dev, "aws:iam/role:Role", /-task-role$/).inputs).to.deep.include({
      description: "Task role of WordPress tenant acme",
    });
    for (const role of ofType(dev, "aws:iam/role:Role"))
      expect(role.inputs.tags).to.deep.include({ "bbws:component": "iam", "bbws:tenant-id": "acme" });
  });
});
