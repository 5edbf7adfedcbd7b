/**
 * Every secret reference of the WordPress container points at a key its secret really holds.
 *
 * ECS resolves `valueFrom: <secret ARN>:<json key>::` at task start and fails the task when the
 * key is missing, so a typo here passes `pulumi up` and breaks every start. The keys a secret
 * holds are taken from what writes it: the WordPress keys' SecretVersion, and the value the
 * credentials provider puts into the database secret (run against a mocked Secrets Manager).
 */
import { expect } from "chai";
import { mockClient } from "aws-sdk-client-mock";
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { StackRun } from "../../../offline/stackRun";
import { unwrapSecrets } from "../../../offline/mocks";
import { json, ofType, single } from "../../helpers/resources";
import { registryEntry, runTenantEntry } from "../../helpers/tenants";
import {
  TenantDatabaseCredentialsState,
  tenantDatabaseCredentialsProvider,
} from "../../../components/tenant/tenantDatabase";

interface SecretReference {
  readonly variable: string;
  readonly secretArn: string;
  readonly jsonKey: string;
}

/** Splits `arn:aws:secretsmanager:<region>:<account>:secret:<name>:<json-key>:<stage>:<version>`. */
function parseValueFrom(variable: string, valueFrom: string): SecretReference {
  const parts = valueFrom.split(":");
  expect(parts, `${variable}: ${valueFrom} has the ECS secret reference shape`).to.have.length(10);
  const [, , service, , , resource, , jsonKey, stage, version] = parts;
  expect(service, variable).to.equal("secretsmanager");
  expect(resource, variable).to.equal("secret");
  // Empty stage and version: ECS reads AWSCURRENT, the value a rotation leaves in place.
  expect([stage, version], variable).to.deep.equal(["", ""]);
  return { variable, secretArn: parts.slice(0, 7).join(":"), jsonKey };
}

/** The keys the credentials provider writes into a database secret that has no value yet. */
async function databaseSecretKeys(run: StackRun): Promise<{ secretArn: string; keys: string[] }> {
  const credentials = single(run, "pulumi-nodejs:dynamic/bbws:TenantDatabaseCredentials");
  const state = unwrapSecrets(credentials.inputs) as TenantDatabaseCredentialsState;
  const secrets = mockClient(SecretsManagerClient);
  try {
    secrets
      .on(GetSecretValueCommand)
      .rejects(Object.assign(new Error("no AWSCURRENT"), { name: "ResourceNotFoundException" }));
    secrets.on(PutSecretValueCommand).resolves({ VersionId: "v1" });
    await tenantDatabaseCredentialsProvider.create(state);
    const [put] = secrets.commandCalls(PutSecretValueCommand);
    expect(put.args[0].input.SecretId).to.equal(state.secretArn);
    return { secretArn: state.secretArn, keys: Object.keys(JSON.parse(put.args[0].input.SecretString!)) };
  } finally {
    secrets.restore();
  }
}

describe("container secrets match the keys their secrets hold", () => {
  let run: StackRun;
  let references: SecretReference[];
  before(async () => {
    run = await runTenantEntry("dev", registryEntry("dev", "acme"));
    const [container] = json<{ secrets: { name: string; valueFrom: string }[] }[]>(
      single(run, "aws:ecs/taskDefinition:TaskDefinition", /^acme-task$/).inputs.containerDefinitions,
    );
    references = container.secrets.map((s) => parseValueFrom(s.name, s.valueFrom));
  });

  it("refers only to the tenant's own database and keys secrets, each by its ARN; never the admin password", () => {
    const own = ofType(run, "aws:secretsmanager/secret:Secret");
    expect(own.map((s) => s.name)).to.have.members(["acme-db-secret", "acme-wordpress-keys"]);
    expect([...new Set(references.map((r) => r.secretArn))]).to.have.members(own.map((s) => s.id));
    expect(references.map((r) => r.variable)).to.not.include("BBWS_ADMIN_PASSWORD");
  });

  it("the install task reads the administrator's password from its SSM parameter, by ARN; login and e-mail are plain", () => {
    const [install] = json<
      { secrets: { name: string; valueFrom: string }[]; environment: { name: string; value: string }[] }[]
    >(single(run, "aws:ecs/taskDefinition:TaskDefinition", /-install-task$/).inputs.containerDefinitions);
    const parameter = single(run, "aws:ssm/parameter:Parameter");
    expect(parameter.inputs.name).to.equal("/bbws/dev/acme/admin-password");
    const password = install.secrets.filter((s) => s.name === "BBWS_ADMIN_PASSWORD");
    // The full ARN (`parameter/` + the name without its leading slash), not a JSON key of a secret.
    expect(password.map((s) => s.valueFrom)).to.deep.equal([
      `arn:aws:ssm:${parameter.region}:123456789012:parameter/bbws/dev/acme/admin-password`,
    ]);
    // The other install secrets are the service's: the database and keys secrets.
    const others = install.secrets.filter((s) => s.name !== "BBWS_ADMIN_PASSWORD");
    expect(others.map((s) => parseValueFrom(s.name, s.valueFrom).secretArn)).to.satisfy((arns: string[]) =>
      arns.every((a) => ofType(run, "aws:secretsmanager/secret:Secret").some((s) => s.id === a)),
    );
    const env = Object.fromEntries(install.environment.map((e) => [e.name, e.value]));
    expect([env.BBWS_ADMIN_USER, env.BBWS_ADMIN_EMAIL]).to.deep.equal([
      "bbws-admin",
      "admin@acme.wpdev.example.com",
    ]);
    for (const plain of ["BBWS_ADMIN_USER", "BBWS_ADMIN_EMAIL"])
      expect(install.secrets.map((s) => s.name)).to.not.include(plain);
  });

  it("takes the database user and password from keys the database secret holds", async () => {
    const database = await databaseSecretKeys(run);
    expect(database.keys).to.have.members(["engine", "username", "password", "host", "port", "dbname"]);
    const fromDatabase = references.filter((r) => r.secretArn === database.secretArn);
    expect(fromDatabase.map((r) => [r.variable, r.jsonKey])).to.deep.equal([
      ["WORDPRESS_DB_USER", "username"],
      ["WORDPRESS_DB_PASSWORD", "password"],
    ]);
    for (const r of fromDatabase) expect(database.keys, r.variable).to.include(r.jsonKey);
    // The secret the credentials write is the tenant's database secret resource.
    expect(single(run, "aws:secretsmanager/secret:Secret", /-db-secret$/).id).to.equal(database.secretArn);
  });

  it("takes each WordPress key from the key of the same name in the keys secret, and nothing else", () => {
    const version = single(run, "aws:secretsmanager/secretVersion:SecretVersion", /wordpress-keys-value/);
    const keysSecret = single(run, "aws:secretsmanager/secret:Secret", /-wordpress-keys$/);
    expect(version.inputs.secretId).to.equal(keysSecret.id);
    const held = Object.keys(JSON.parse(unwrapSecrets(version.inputs.secretString) as string));
    const fromKeys = references.filter((r) => r.secretArn === keysSecret.id);
    expect(fromKeys.map((r) => r.jsonKey)).to.have.members(held);
    for (const r of fromKeys) expect(r.variable).to.equal(`WORDPRESS_${r.jsonKey}`);
  });

  it("every secret variable is distinct, and none is also a plain environment variable", () => {
    const [container] = json<{ environment: { name: string }[] }[]>(
      single(run, "aws:ecs/taskDefinition:TaskDefinition", /^acme-task$/).inputs.containerDefinitions,
    );
    const names = references.map((r) => r.variable);
    expect(new Set(names).size).to.equal(names.length);
    expect(names).to.have.length(10);
    for (const e of container.environment) expect(names).to.not.include(e.name);
  });
});
