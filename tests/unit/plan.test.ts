import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EnvironmentPlan, planEnvironment } from "../../plan/plan";
import {
  PLAN_JSON_SCHEMA,
  SECRET_PLACEHOLDER,
  planJsonChunks,
  planToJson,
  stringifyPlan,
} from "../../plan/planJson";
import { main } from "../../cli/main";
import { CliRuntime } from "../../cli/shell";
import { EXIT } from "../../lib/exitCodes";
import { PROJECT_DIR } from "../../lib/projectDir";
import { runStack } from "../../offline/stackRun";
import { runPlatform } from "../../offline/platformRun";
import { runTenant } from "../../offline/tenantRun";
import { loadStackSettings } from "../../config/readStackConfig";
import { evaluatePolicies } from "../../offline/policyEvaluator";
import { parseRegistry } from "../../tenants/registry/load";

const TENANT_TYPES = [
  "aws:efs/accessPoint:AccessPoint",
  "aws:ecs/taskDefinition:TaskDefinition",
  "aws:ecs/service:Service",
  "aws:lb/targetGroup:TargetGroup",
  "aws:lb/listenerRule:ListenerRule",
  "aws:iam/role:Role",
  "aws:secretsmanager/secret:Secret",
  "pulumi-nodejs:dynamic/bbws:TenantDatabase",
  "aws:appautoscaling/target:Target",
  "aws:cloudwatch/metricAlarm:MetricAlarm",
];

type Planner = NonNullable<CliRuntime["plan"]>;

/** Runs `bbws plan <argv>` in-process, capturing its output. */
async function cli(argv: string[], plan?: Planner) {
  let stdout = "";
  let stderr = "";
  const code = await main(["plan", ...argv], {
    plan: plan ?? planEnvironment,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    progress: () => ({ stream: { write: (t: string) => (stderr += t) }, tty: false }),
    projectDir: PROJECT_DIR,
  });
  return { code, stdout, stderr };
}

function tempFile(name: string, text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bbws-plan-")), name);
  fs.writeFileSync(file, text);
  return file;
}

describe("npm run plan", () => {
  let dev: EnvironmentPlan;
  let prod: EnvironmentPlan;
  before(async () => {
    dev = await planEnvironment({ environment: "dev" });
    prod = await planEnvironment({ environment: "prod" });
  });

  it("plans the platform stack and one stack per registry tenant, in the registry's order", () => {
    const ids = (env: string) =>
      parseRegistry(
        fs.readFileSync(path.join(PROJECT_DIR, "tenants", `${env}.yaml`), "utf8"),
        env,
        env,
      ).tenants.map((t) => t.id);
    expect(ids("dev")).to.include.members(["acme", "globex", "initech", "umbrella"]);
    expect(dev.stacks.map((s) => s.name)).to.deep.equal(["dev", ...ids("dev").map((id) => `dev.${id}`)]);
    expect(prod.stacks.map((s) => [s.name, s.kind, s.tenant])).to.deep.equal([
      ["prod", "platform", undefined],
      ...ids("prod").map((id) => [`prod.${id}`, "tenant", id]),
    ]);
  });

  it("the platform stack holds the shared platform and its backups; tenant stacks hold a whole site each", () => {
    const platformTypes = new Set(prod.stacks[0].run.resources.map((r) => r.type));
    for (const type of [
      "bbws:platform:SharedCluster",
      "bbws:backup:BackupPlan",
      "aws:ecs/cluster:Cluster",
      "aws:lb/loadBalancer:LoadBalancer",
      "aws:efs/fileSystem:FileSystem",
      "aws:rds/cluster:Cluster",
      "aws:backup/vault:Vault",
    ]) {
      expect(platformTypes, type).to.include(type);
    }
    for (const stack of [...dev.stacks, ...prod.stacks].filter((s) => s.kind === "tenant")) {
      const types = new Set(stack.run.resources.map((r) => r.type));
      for (const type of TENANT_TYPES) expect(types, `${stack.name} ${type}`).to.include(type);
      expect(types).to.not.include("aws:ecs/cluster:Cluster");
    }
  });

  it("the JSON plan has the documented shape, hides secrets and is stable", async () => {
    const json = planToJson(dev, {
      cost: {
        currency: "USD",
        platformMonthly: dev.cost.platformMonthly,
        tenants: dev.cost.tenants,
        totalMonthly: dev.cost.totalMonthly,
      },
    });
    const parsed = PLAN_JSON_SCHEMA.safeParse(json);
    expect(parsed.success, parsed.success ? "" : JSON.stringify(parsed.error.issues.slice(0, 3))).to.equal(
      true,
    );
    const acme = json.stacks.find((s) => s.tenant === "acme")!;
    const credentials = acme.resources.find((r) => r.name === "acme-db-credentials")!;
    expect(credentials.inputs.password).to.equal(SECRET_PLACEHOLDER);
    expect(
      acme.resources.find((r) => r.type === "pulumi-nodejs:dynamic/bbws:TenantDatabase")!.inputs.password,
    ).to.equal(SECRET_PLACEHOLDER);
    expect(stringifyPlan(json)).to.not.match(/"__provider"/);
    const root = acme.resources.find((r) => r.type === "pulumi:pulumi:Stack")!;
    expect(root.parent).to.equal(null);
    expect(acme.resources.filter((r) => r.parent === null)).to.have.length(1);
    const again = planToJson(await planEnvironment({ environment: "dev" }), { cost: json.cost });
    expect(stringifyPlan(again)).to.equal(stringifyPlan(json));
  });

  it("the streamed JSON text is byte for byte the document's, with and without the sections", () => {
    const sections = {
      cost: { currency: "USD" as const, platformMonthly: 1, tenants: { acme: 2 }, totalMonthly: 3 },
      quotas: [{ quota: "rulesPerAlb", scope: "alb 0", used: 5, limit: 100, advisory: false }],
    };
    expect([...planJsonChunks(dev, sections)].join("")).to.equal(stringifyPlan(planToJson(dev, sections)));
    expect([...planJsonChunks(prod)].join("")).to.equal(stringifyPlan(planToJson(prod)));
    const chunks = [...planJsonChunks(prod)];
    // One piece per stack at least: never the whole document at once.
    expect(chunks.length).to.be.greaterThan(prod.stacks.length);
    expect(Math.max(...chunks.map((c) => c.length))).to.be.lessThan(chunks.join("").length / 2);
  });

  it("--json --output writes the streamed document, which parses as the documented shape", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bbws-plan-json-")), "plan.json");
    const { code } = await cli(["dev", "--json", "--output", file]);
    expect(code).to.equal(0);
    const parsed = PLAN_JSON_SCHEMA.safeParse(JSON.parse(fs.readFileSync(file, "utf8")));
    expect(parsed.success).to.equal(true);
    expect(parsed.success && parsed.data.stacks.map((s) => s.name)).to.deep.equal(
      dev.stacks.map((s) => s.name),
    );
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  it("--tenant previews only the chosen tenants against the planned platform, exactly as the full plan has them", async () => {
    const preview = await planEnvironment({ environment: "dev", only: ["globex", "acme"] });
    expect(preview.stacks.map((s) => s.name)).to.deep.equal(["dev", "dev.acme", "dev.globex"]);
    expect(preview.registryTenants).to.equal(dev.stacks.length - 1);
    for (const name of ["dev", "dev.acme", "dev.globex"]) {
      const full = dev.stacks.find((s) => s.name === name)!;
      const chosen = preview.stacks.find((s) => s.name === name)!;
      expect(stringifyPlan(planToJson({ ...preview, stacks: [chosen] })), name).to.equal(
        stringifyPlan(planToJson({ ...dev, stacks: [full] })),
      );
    }
    const { code, stdout } = await cli(["dev", "--tenant", "globex", "--summary"]);
    expect(code).to.equal(EXIT.ok.code);
    expect(stdout).to.match(/a preview of 1 of the registry's 4 tenant\(s\) \(--tenant\)/);
    expect(stdout).to.match(/Planned 2 stacks \(1 platform, 1 tenants\)/);
    const unknown = await cli(["dev", "--tenant", "globx"]);
    expect(unknown.code).to.equal(EXIT.notFound.code);
    expect(unknown.stderr).to.match(/tenant "globx" is not in the dev registry .*did you mean "globex"\?/);
  });

  it("worker processes produce exactly the in-process plan", async function () {
    // Two fresh processes load the Pulumi SDK and plan: slow on a busy machine, not a hang.
    this.timeout(90_000);
    const inWorkers = await planEnvironment({ environment: "dev", workers: 2 });
    expect(inWorkers.stacks.map((s) => s.name)).to.deep.equal(dev.stacks.map((s) => s.name));
    expect(stringifyPlan(planToJson(inWorkers))).to.equal(stringifyPlan(planToJson(dev)));
    // Resources that crossed a process boundary (secrets included) get the same verdicts.
    expect(inWorkers.policy).to.deep.equal(dev.policy);
  });

  it("a plan that fails after its workers started leaves none of them running", async function () {
    this.timeout(90_000);
    // This test process's children (Linux): the plan's workers are the only ones it starts.
    const children = () =>
      fs
        .readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, "utf8")
        .split(/\s+/)
        .filter(Boolean);
    const before = children().length;
    let failed: unknown;
    try {
      await planEnvironment({
        environment: "dev",
        workers: 2,
        onStack: () => {
          throw new Error("progress output failed");
        },
      });
    } catch (error) {
      failed = error;
    }
    expect(String(failed)).to.contain("progress output failed");
    for (let i = 0; i < 50 && children().length > before; i++) await new Promise((r) => setTimeout(r, 100));
    expect(children().length).to.equal(before);
  });

  it("the CLI prints every stack, the counts and the cost; --json prints the plan JSON, --output writes it", async () => {
    const { code, stdout } = await cli(["dev"]);
    expect(code).to.equal(EXIT.ok.code);
    expect(stdout)
      .to.include("Platform stack dev")
      .and.include("Tenant stack dev.globex")
      .and.include("Resources by type");
    expect(stdout)
      .to.include("Monthly cost estimate")
      .and.match(/TOTAL\s+\d+\.\d\d/);
    // umbrella's certificate is its customer's to validate: the plan says what the first add does.
    expect(stdout).to.match(/Note: umbrella: certificate validated by the customer's DNS; .*\(exit 14\)/);
    const printed = await cli(["dev", "--json", "--summary"]);
    expect(PLAN_JSON_SCHEMA.parse(JSON.parse(printed.stdout)).stacks).to.have.length(5);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bbws-plan-")), "plan.json");
    const toFile = await cli(["dev", "--json", "--output", file]);
    expect(toFile.stdout).to.equal("");
    expect(toFile.stderr).to.include(`wrote ${file}`);
    const written = PLAN_JSON_SCHEMA.parse(JSON.parse(fs.readFileSync(file, "utf8")));
    expect(written.cost!.totalMonthly).to.be.greaterThan(written.cost!.platformMonthly);
    expect(Object.keys(written.cost!.tenants)).to.have.members(["acme", "globex", "initech", "umbrella"]);
  });

  it("dev and prod, platform and every tenant, meet every mandatory policy rule", () => {
    for (const plan of [dev, prod]) {
      expect(plan.policy.rules).to.be.at.least(25);
      expect(plan.policy.violations.filter((v) => v.level === "mandatory")).to.deep.equal([]);
      // The stock WordPress image's documented exceptions show as advisory on every tenant.
      const advisoryStacks = new Set(
        plan.policy.violations
          .filter(
            (v) => v.policy === "ecs-task-read-only-root-filesystem" && v.urn.includes("TenantWordPress"),
          )
          .map((v) => v.urn.split("::")[0]),
      );
      expect(advisoryStacks.size).to.equal(plan.stacks.length - 1);
    }
  });

  it("the CLI prints the policy verdicts and the JSON carries them", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bbws-plan-")), "plan.json");
    const { code, stdout } = await cli(["prod", "--summary"]);
    expect(code).to.equal(EXIT.ok.code);
    expect(stdout).to.match(/Policy: \d+ rules, 0 mandatory violation\(s\), \d+ advisory\./);
    expect((await cli(["prod", "--summary", "--json", "--output", file])).code).to.equal(EXIT.ok.code);
    const written = PLAN_JSON_SCHEMA.parse(JSON.parse(fs.readFileSync(file, "utf8")));
    expect(written.policy!.rules).to.equal(prod.policy.rules);
    expect(written.policy!.violations).to.deep.equal(prod.policy.violations);
  });

  it("a mandatory violation exits 10 (policy violation) and names the rule, the resource and the fix", async () => {
    // The real prod plan with one tenant's service stripped of its circuit breaker.
    const broken = prod.stacks.map((stack) =>
      stack.tenant !== "globex"
        ? stack
        : {
            ...stack,
            run: {
              ...stack.run,
              resources: stack.run.resources.map((r) =>
                r.type === "aws:ecs/service:Service"
                  ? { ...r, inputs: { ...r.inputs, deploymentCircuitBreaker: undefined } }
                  : r,
              ),
            },
          },
    );
    const policy = await evaluatePolicies(broken.map((s) => ({ stack: s.name, resources: s.run.resources })));
    const { code, stdout, stderr } = await cli(["prod", "--summary"], () =>
      Promise.resolve({ ...prod, stacks: broken, policy }),
    );
    expect(code).to.equal(EXIT.policyViolation.code);
    expect(stdout).to.match(/\[mandatory\] ecs-service-circuit-breaker[^\n]*globex-service/);
    expect(stderr).to.match(/mandatory policy violation/);
  });

  it("allocates missing listener slots for the plan and says the registry does not have them yet", async () => {
    const file = tempFile("tenants.yaml", "tenants:\n  - id: fresh\n    hosts: [fresh.wpdev.example.com]\n");
    const { code, stdout } = await cli(["dev", "--tenants", file, "--summary"]);
    expect(code).to.equal(EXIT.ok.code);
    expect(stdout).to.match(/1 tenant\(s\) have no listener slot .* \(fresh\)/);
  });

  it("a broken registry exits 3 naming the file, entry and field, without a stack trace", async () => {
    const file = tempFile(
      "broken.yaml",
      "tenants:\n  - id: ok-site\n    hosts: [ok.example.com]\n    tasks: { min: 4, max: 2 }\n  - id: BAD\n    hosts: [x.example.com]\n",
    );
    const { code, stderr, stdout } = await cli(["dev", "--tenants", file]);
    expect(code).to.equal(EXIT.invalidInput.code);
    expect(stdout).to.equal("");
    expect(stderr).to.match(
      /broken\.yaml:4: tenants\[0\] \(id "ok-site"\): tasks\.min: min \(4\) is greater than max \(2\)/,
    );
    expect(stderr).to.match(/broken\.yaml:5: tenants\[1\] \(id "BAD"\): id: must be 3-21 characters/);
    expect(stderr).to.not.match(/\n\s+at /);
  });

  it("a throwing program exits 1 naming the stack, the resource and the message", async () => {
    const failingPlan: Planner = async () => {
      await runStack({ project: "bbws", stack: "dev", region: "af-south-1" }, () => {
        throw new Error("boom in the program");
      });
      throw new Error("unreachable");
    };
    const { code, stderr } = await cli(["dev"], failingPlan);
    expect(code).to.equal(EXIT.failed.code);
    expect(stderr).to.equal("error: stack dev failed:\n  - boom in the program\n");
  });

  it("a tenant whose program fails is reported with its stack and resource", async () => {
    const failingTenant: Planner = async () => {
      const platform = await runPlatform({ stack: "dev" });
      await runTenant({
        settings: loadStackSettings("dev"),
        entry: { id: "lost", hosts: ["lost.wpdev.example.com"], listener: { shard: 3, priority: 1 } },
        platformOutputs: platform.outputs,
      });
      throw new Error("unreachable");
    };
    const { code, stderr } = await cli(["dev"], failingTenant);
    expect(code).to.equal(EXIT.failed.code);
    expect(stderr).to.match(
      /^error: stack dev\.lost failed:\n {2}- aws:lb\/listenerRule:ListenerRule "lost-rule": .*tenant lost lives on ALB shard 3, but organization\/bbws\/dev has 1 HTTPS listeners/,
    );
  });

  it("a listener slot on a shard the platform does not have is refused before any program runs", async () => {
    const moved = tempFile(
      "tenants.yaml",
      "tenants:\n  - id: lost\n    hosts: [lost.wpdev.example.com]\n    listener: { shard: 2, priority: 1 }\n",
    );
    const { code, stderr } = await cli(["dev", "--tenants", moved]);
    expect(code).to.equal(EXIT.invalidInput.code);
    // File, line, entry, field, value and why (issue 15): not just the tenant's id.
    expect(stderr).to.match(
      /tenants\.yaml:4: tenants\[0\] \(id "lost"\): listener\.shard: shard 2 does not exist: the platform has 1 ALB shard\(s\) \(0-0, bbws:albShards\).*\(got 2\)/,
    );
  });

  it("an unknown environment or a bad command line exit with their own codes", async () => {
    expect((await cli(["staging"])).code).to.equal(EXIT.invalidInput.code);
    expect((await cli(["staging"])).stderr).to.match(/Pulumi\.staging\.yaml does not exist/);
    expect((await cli([])).code).to.equal(EXIT.usage.code);
    expect((await cli(["dev", "--bogus"])).code).to.equal(EXIT.usage.code);
    expect((await cli(["Dev!"])).code).to.equal(EXIT.usage.code);
  });

  it("--help documents every option and exit code", async () => {
    const { code, stdout } = await cli(["--help"]);
    expect(code).to.equal(EXIT.ok.code);
    for (const text of [
      "--tenants <file>",
      "--json",
      "--output <file>",
      "--summary",
      "--workers <n>",
      "Exit codes",
    ])
      expect(stdout).to.include(text);
    for (const row of Object.values(EXIT)) expect(stdout).to.include(`${row.code}  ${row.meaning}`);
  });
});
