import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import * as sinon from "sinon";
import { CommandError, LocalWorkspace, StackNotFoundError } from "@pulumi/pulumi/automation";
import {
  loadTenantContext,
  loadTenantContextWithOutputs,
  platformContractFrom,
  StackOutputsSource,
} from "../../../ops/context";
import { tenantOutputsFrom } from "../../../config/tenantOutputs";
import { BbwsError } from "../../../lib/errors";
import { PulumiStackOutputs } from "../../../tenants/stackOutputs";
import {
  DR_REGION,
  FakeSource,
  MAINTENANCE_TD,
  TASK_SECURITY_GROUP,
  legacyPlatformOutputs,
  platformStackOutputs,
  tenantOutputs,
  writeRegistry,
} from "./fixtures";

describe("ops context", () => {
  const registryFile = writeRegistry();

  describe("tenant check", () => {
    it("fails with InvalidTenantError before reading any stack, naming the known tenants and the closest id", async () => {
      const source = new FakeSource();
      const error = await loadTenantContext("dev", "acne", { source, registryFile }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(BbwsError);
      expect((error as Error).message).to.equal(
        'tenant "acne" is not in the dev registry (tenants/dev.yaml lists acme, globex); did you mean "acme"?',
      );
      expect(source.calls).to.deep.equal([]);
    });

    it("turns an invalid registry into a ConfigurationError that lists the problems", async () => {
      const source = new FakeSource();
      const broken = writeRegistry("tenants:\n  - id: acme\n");
      const error = await loadTenantContext("dev", "acme", { source, registryFile: broken }).catch(
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(BbwsError);
      expect((error as Error).message)
        .to.include("hosts")
        .and.include("nothing was changed");
      expect(source.calls).to.deep.equal([]);
    });

    it("loads the entry and the platform outputs, and the tenant outputs only when asked", async () => {
      const source = new FakeSource();
      const context = await loadTenantContext("dev", "acme", { source, registryFile });
      expect(context.entry.id).to.equal("acme");
      expect(context.platform.backup.vaultName).to.equal("bbws-dev-backup-vault");
      expect(source.calls).to.deep.equal(["platform dev"]);
      const withOutputs = await loadTenantContextWithOutputs("dev", "acme", { source, registryFile });
      expect(withOutputs.tenant.serviceName).to.equal("acme-wordpress");
      expect(source.calls).to.deep.equal(["platform dev", "platform dev", "tenant dev.acme"]);
    });
  });

  describe("platform contract", () => {
    const refusal = (raw: Record<string, unknown>) => {
      try {
        platformContractFrom("dev", raw);
      } catch (error) {
        expect(error).to.be.instanceOf(BbwsError);
        expect((error as BbwsError).kind).to.equal("invalidInput");
        return (error as Error).message;
      }
      throw new Error("expected the platform outputs to be refused");
    };

    it("parses the platform stack's outputs into the grouped contract", () => {
      const platform = platformContractFrom("dev", platformStackOutputs());
      expect(platform.backup.drRegion).to.equal(DR_REGION);
      expect(platform.network.securityGroups.tasks).to.equal(TASK_SECURITY_GROUP);
      expect(platform.maintenance.taskDefinitionArn).to.equal(MAINTENANCE_TD);
      expect(platform.ingress.shards.map((s) => s.loadBalancerArnSuffix)).to.deep.equal([
        "app/bbws-dev-0/0123456789abcdef",
      ]);
    });

    it("refuses a platform of contract version 1 (no version output), saying how to update it", () => {
      expect(refusal(legacyPlatformOutputs())).to.equal(
        "platform stack dev has no contract version (version 1, before outputs were versioned); this code " +
          "reads contract version 2: update the platform first: pulumi up -s dev",
      );
      expect(refusal({ ...platformStackOutputs(), contractVersion: 1 })).to.equal(
        "platform stack dev has contract version 1; this code reads contract version 2: update the platform " +
          "first: pulumi up -s dev",
      );
    });

    it("refuses a platform newer than this code, asking for an updated checkout", () => {
      expect(refusal({ ...platformStackOutputs(), contractVersion: 3 })).to.match(
        /^platform stack dev has contract version 3, newer than this code reads \(2\): update this checkout/,
      );
    });

    it("names every output of the current version that is missing or malformed", () => {
      const raw = platformStackOutputs();
      delete raw.maintenance;
      const storage = raw.storage as Record<string, unknown>;
      raw.storage = { ...storage, mountTargetIds: ["subnet-0a11aa22bb33cc44d"] };
      const message = refusal(raw);
      expect(message).to.match(/^platform stack dev does not satisfy contract version 2 \(/);
      expect(message).to.include("storage.mountTargetIds[0]: an id starting with fsmt-");
      expect(message).to.include("maintenance: Required");
      expect(message).to.match(/: update the platform first: pulumi up -s dev$/);
    });

    it("refuses tenant outputs without what ops reads", () => {
      const raw: Record<string, unknown> = { ...tenantOutputs() };
      delete raw.databaseSecretArn;
      expect(() => tenantOutputsFrom("dev.acme", raw)).to.throw(
        BbwsError,
        "tenant stack dev.acme has no output databaseSecretArn",
      );
    });
  });

  describe("PulumiStackOutputs (Automation API, stubbed: no Pulumi CLI)", () => {
    let selectStack: sinon.SinonStub;
    const projectDir = fs.mkdtempSync(path.join(os.tmpdir(), "bbws-project-"));
    const outputs = (values: object) => ({
      outputs: () =>
        Promise.resolve(
          Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { value: v, secret: false }])),
        ),
    });
    beforeEach(() => (selectStack = sinon.stub(LocalWorkspace, "selectStack")));
    afterEach(() => selectStack.restore());

    it("selects the platform stack <env> in the project directory and parses its outputs as the contract", async () => {
      selectStack.resolves(outputs(platformStackOutputs()));
      // Structurally an ops StackOutputsSource (tenants/ does not import ops/ to say so).
      const source: StackOutputsSource = new PulumiStackOutputs(projectDir);
      const platform = await source.platform("dev");
      expect(platform.storage.fileSystemId).to.equal("fs-0a1b2c3d4e5f60718");
      expect(selectStack.firstCall.args).to.deep.equal([{ stackName: "dev", workDir: projectDir }]);
    });

    it("refuses a platform stack of contract version 1 it reads", async () => {
      selectStack.resolves(outputs(legacyPlatformOutputs()));
      const error = await new PulumiStackOutputs(projectDir).platform("dev").catch((e: unknown) => e);
      expect(error).to.be.instanceOf(BbwsError);
      expect((error as Error).message).to.match(/has no contract version .*pulumi up -s dev$/);
    });

    it("selects tenant stack <env>.<id> of bbws-tenant with an inline program in its own workspace directory", async () => {
      selectStack.resolves(outputs(tenantOutputs()));
      const tenant = await new PulumiStackOutputs(projectDir).tenant("dev", "acme");
      expect(tenant.databaseName).to.equal("wp_acme");
      const [args, options] = selectStack.firstCall.args as [
        Record<string, unknown>,
        Record<string, unknown>,
      ];
      expect(args).to.include({ stackName: "dev.acme", projectName: "bbws-tenant" });
      expect(args.program).to.be.a("function");
      const workDir = path.join(projectDir, ".workspaces", "dev.acme");
      expect(options).to.deep.equal({ workDir, projectSettings: { name: "bbws-tenant", runtime: "nodejs" } });
      expect(fs.existsSync(workDir)).to.equal(true);
    });

    it("reports a missing stack as a ConfigurationError", async () => {
      // The SDK builds it from a command result; anything with toString() stands in for one.
      const NotFound = StackNotFoundError as unknown as new (result: { toString(): string }) => Error;
      selectStack.rejects(new NotFound({ toString: () => "no stack named 'dev.acme' found" }));
      const error = await new PulumiStackOutputs(projectDir).tenant("dev", "acme").catch((e: unknown) => e);
      expect(error).to.be.instanceOf(BbwsError);
      expect((error as Error).message).to.equal("tenant stack dev.acme does not exist (deploy it first)");
    });

    it("says the Pulumi CLI is missing instead of printing the raw command failure", async () => {
      const Failed = CommandError as unknown as new (result: { toString(): string }) => Error;
      const result = (stderr: string) => ({
        toString: () => `code: -2\n stdout: \n stderr: ${stderr}\n err?: Error: ${stderr}`,
      });
      selectStack.rejects(
        new Failed(result("Command failed with ENOENT: pulumi version\nspawn pulumi ENOENT")),
      );
      const missing = await new PulumiStackOutputs(projectDir).platform("dev").catch((e: unknown) => e);
      expect(missing).to.be.instanceOf(BbwsError);
      expect((missing as Error).message).to.equal(
        "reading the platform stack dev needs the Pulumi CLI, which is not on PATH (https://www.pulumi.com/docs/install/)",
      );
      selectStack.rejects(new Failed(result("error: getting user info: 401 Unauthorized\nmore detail")));
      const other = await new PulumiStackOutputs(projectDir).platform("dev").catch((e: unknown) => e);
      expect(other).to.be.instanceOf(BbwsError);
      expect((other as Error).message).to.equal(
        "pulumi could not read the platform stack dev: error: getting user info: 401 Unauthorized",
      );
    });
  });
});
