/**
 * The runtime image and what the tenant stack derives for it: the Dockerfile (parsed with
 * dockerfile-ast: no Docker build runs here), the files it copies, the health checks, the
 * provisioning install and its ordering, the cron timer, the admin and SMTP secrets, and images
 * by digest.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DockerfileParser, From } from "dockerfile-ast";
import { ECSClient, DescribeTasksCommand, RunTaskCommand } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import {
  CRON_CONTAINER_NAME,
  HEALTH_CHECK_PATHS,
  LOCAL_PORT,
  inlineInstallScript,
  installCommand,
} from "../../components/tenant/containerDefinition";
import {
  runInstallTask,
  TenantInstallState,
  tenantInstallProvider,
} from "../../components/tenant/installTask";
import { smtpSendPolicy } from "../../components/tenant/mail";
import { runtimeImageTag } from "../../components/shared/runtimeImage";
import { TARGET_HEALTH_CHECK } from "../../components/tenant/routing";
import {
  parseRuntimeImageSource,
  resolvePlatformSettings,
  runtimeImageProblem,
} from "../../config/platformConfig";
import { loadStackSettings } from "../../config/readStackConfig";
import { StackRun } from "../../offline/stackRun";
import { SERVICE_TASK, json, ofType, single } from "../helpers/resources";
import { withSerializedProvider } from "../helpers/serializedProvider";
import { entryFor, registryEntry, runTenantEntry } from "../helpers/tenants";

const RUNTIME = path.join(__dirname, "..", "..", "runtime");
const read = (file: string) => fs.readFileSync(path.join(RUNTIME, file), "utf8");

interface Container {
  name: string;
  image: string;
  essential?: boolean;
  command?: string[];
  dependsOn?: { containerName: string; condition: string }[];
  environment: { name: string; value: string }[];
  secrets?: { name: string; valueFrom: string }[];
  healthCheck?: { command: string[] };
}
const envOf = (c: Container) => Object.fromEntries(c.environment.map((e) => [e.name, e.value]));

describe("runtime image: the Dockerfile and the files it copies", () => {
  const dockerfile = DockerfileParser.parse(read("Dockerfile"));
  const instructions = dockerfile.getInstructions();
  const of = (keyword: string) => instructions.filter((i) => i.getKeyword() === keyword);

  it("derives from the official image pinned by digest (no floating tag)", () => {
    const froms = of("FROM") as From[];
    expect(froms).to.have.length(1);
    expect(froms[0].getImageName()).to.equal("wordpress");
    expect(froms[0].getImageTag()).to.equal("6.8.3-php8.3-apache");
    expect(froms[0].getImageDigest()).to.match(/^sha256:[0-9a-f]{64}$/);
  });

  it("copies only files that exist in the build context, to where the configuration expects them", () => {
    const copies = of("COPY").map((i) => i.getArgumentsContent()!.split(/\s+/));
    expect(copies.length).to.be.at.least(6);
    for (const args of copies) {
      for (const source of args.slice(0, -1))
        expect(fs.existsSync(path.join(RUNTIME, source)), source).to.equal(true);
    }
    const targets = copies.map((a) => a[a.length - 1]);
    expect(targets).to.include.members([
      "/etc/apache2/mods-available/mpm_prefork.conf",
      "/etc/apache2/conf-available/bbws.conf",
      "/usr/local/etc/php/conf.d/zz-bbws.ini",
      "/usr/local/share/bbws/health/",
      "/usr/local/share/bbws/mu-plugins/",
    ]);
    expect(read("apache/bbws-paths.conf")).to.match(/^Define BBWS_RUNTIME_DIR \/usr\/local\/share\/bbws$/m);
    expect(
      of("RUN")
        .map((i) => i.getArgumentsContent())
        .join("\n"),
    ).to.include("a2enconf bbws-paths bbws");
  });

  it("fetches WP-CLI pinned by version and verifies its SHA-512", () => {
    const args = Object.fromEntries(
      of("ARG").map((i) => i.getArgumentsContent()!.split("=") as [string, string]),
    );
    expect(args.WP_CLI_VERSION).to.match(/^\d+\.\d+\.\d+$/);
    expect(args.WP_CLI_SHA512).to.match(/^[0-9a-f]{128}$/);
    expect(
      of("RUN")
        .map((i) => i.getArgumentsContent())
        .join("\n"),
    ).to.match(/sha512sum -c -/);
  });

  it("gives every ${BBWS_*} the Apache and PHP files read a default, and the task definition sets each", async () => {
    const used = new Set<string>();
    for (const file of ["apache/bbws.conf", "apache/mpm_prefork.conf", "php/bbws.ini"])
      for (const m of read(file).matchAll(/\$\{(BBWS_[A-Z_]+)\}/g)) used.add(m[1]);
    used.delete("BBWS_RUNTIME_DIR"); // an Apache Define (bbws-paths.conf), not the environment
    const defaults = new Set(
      (of("ENV") as unknown as { getProperties(): { getName(): string }[] }[]).flatMap((e) =>
        e.getProperties().map((p) => p.getName()),
      ),
    );
    expect(
      [...used].filter((v) => !defaults.has(v)),
      "without a default in the Dockerfile",
    ).to.deep.equal([]);
    const run = await runTenantEntry("dev", registryEntry("dev", "globex"));
    const web = json<Container[]>(
      single(run, "aws:ecs/taskDefinition:TaskDefinition", SERVICE_TASK).inputs.containerDefinitions,
    )[0];
    const env = envOf(web);
    expect(
      [...used].filter((v) => env[v] === undefined),
      "not set by the task definition",
    ).to.deep.equal([]);
  });

  it("serves the health endpoint as a static file, refuses install.php and wp-cron.php, keeps the deep check on loopback", () => {
    const conf = read("apache/bbws.conf");
    expect(conf).to.match(
      new RegExp(`^Alias ${HEALTH_CHECK_PATHS.bbws} \\$\\{BBWS_RUNTIME_DIR\\}/health/status\\.txt$`, "m"),
    );
    expect(read("health/status.txt").trim()).to.equal("ok");
    expect(conf).to.match(
      /<LocationMatch "\^\/wp-admin\/\(install\|setup-config\)\\\.php">\s+Require all denied/,
    );
    expect(conf).to.match(/<LocationMatch "\^\/wp-cron\\\.php">\s+Require all denied/);
    expect(conf).to.match(/^Listen 127\.0\.0\.1:\$\{BBWS_LOCAL_PORT\}$/m);
    expect(conf).to.match(/^ServerTokens Prod$/m);
    expect(read("php/bbws.ini")).to.match(/^expose_php = Off$/m);
    expect(read("apache/mpm_prefork.conf")).to.match(
      /^\s+MaxRequestWorkers\s+\$\{BBWS_MAX_REQUEST_WORKERS\}$/m,
    );
    // The image's own HEALTHCHECK requests the same path.
    expect(of("HEALTHCHECK")[0].getArgumentsContent()).to.include(
      `http://localhost${HEALTH_CHECK_PATHS.bbws}`,
    );
  });

  it("tags the build with a hash of the context: same files, same tag; a changed file, another", () => {
    const tag = runtimeImageTag();
    expect(tag).to.match(/^runtime-[0-9a-f]{16}$/);
    expect(runtimeImageTag()).to.equal(tag);
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "bbws-runtime-tag-"));
    try {
      fs.cpSync(RUNTIME, copy, { recursive: true });
      expect(runtimeImageTag(copy)).to.equal(tag);
      fs.appendFileSync(path.join(copy, "health", "status.txt"), "\n");
      expect(runtimeImageTag(copy)).to.not.equal(tag);
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });

  it("the stock image's install runs the same script inline", () => {
    expect(installCommand("bbws")).to.deep.equal(["docker-ensure-installed.sh", "bbws-install"]);
    const [ensure, php, flag, code] = installCommand("stock");
    expect([ensure, php, flag]).to.deep.equal(["docker-ensure-installed.sh", "php", "-r"]);
    expect(code).to.equal(inlineInstallScript());
    expect(code.startsWith("/**")).to.equal(true);
    expect(read("bin/bbws-install")).to.include(code);
  });
});

describe("runtime: what a tenant stack derives", () => {
  let globex: StackRun;
  let acme: StackRun;
  let mailed: StackRun;
  before(async () => {
    globex = await runTenantEntry("dev", registryEntry("dev", "globex"));
    acme = await runTenantEntry("dev", registryEntry("dev", "acme"));
    mailed = await runTenantEntry("dev", entryFor("mailer", 9), {
      settings: { ...loadStackSettings("dev"), mailDomain: "wpdev.example.com" },
    });
  });
  const containers = (run: StackRun, re: RegExp) =>
    json<Container[]>(single(run, "aws:ecs/taskDefinition:TaskDefinition", re).inputs.containerDefinitions);

  it("the ALB and container health checks request the static endpoint, not PHP or the database", () => {
    const tg = single(globex, "aws:lb/targetGroup:TargetGroup").inputs.healthCheck;
    expect(tg).to.include({ path: "/bbws-health", matcher: "200", protocol: "HTTP" });
    expect(TARGET_HEALTH_CHECK.path).to.equal("/bbws-health");
    const [web] = containers(globex, SERVICE_TASK);
    expect(web.healthCheck!.command[1]).to.equal(
      "curl -fsS -o /dev/null http://localhost/bbws-health || exit 1",
    );
    // The deep check drives an alarm on the runtime's metrics, not task replacement.
    const deep = single(globex, "aws:cloudwatch/metricAlarm:MetricAlarm", /deep-check/).inputs;
    const metrics = deep.metricQueries.filter((q: { metric?: unknown }) => q.metric);
    expect(metrics.map((q: { metric: { metricName: string } }) => q.metric.metricName)).to.have.members([
      "DeepCheckFailed",
      "CronFailed",
    ]);
    expect(metrics[0].metric.dimensions).to.deep.equal({ Environment: "dev", Tenant: "globex" });
    expect(deep.treatMissingData).to.equal("notBreaching");
  });

  it("installs before the listener rule forwards: rule -> install -> database, admin password, roles, mounts", () => {
    const install = single(globex, "pulumi-nodejs:dynamic/bbws:TenantInstall");
    const rule = single(globex, "aws:lb/listenerRule:ListenerRule", /^globex-rule$/);
    const service = single(globex, "aws:ecs/service:Service");
    expect(rule.dependencies).to.include(install.urn);
    expect(service.dependencies).to.include(rule.urn);
    const urnOf = (type: string, re?: RegExp) => single(globex, type, re).urn;
    expect(install.dependencies).to.include.members([
      urnOf("pulumi-nodejs:dynamic/bbws:TenantDatabase"),
      urnOf("aws:ssm/parameter:Parameter", /admin-password-parameter/),
      urnOf("aws:iam/rolePolicy:RolePolicy", /exec-policy/),
      urnOf("aws:iam/rolePolicy:RolePolicy", /task-policy/),
      ...ofType(globex, "aws:efs/mountTarget:MountTarget").map((m) => m.urn),
    ]);
    const installTask = single(globex, "aws:ecs/taskDefinition:TaskDefinition", /-install-task$/);
    expect(installTask.inputs.family).to.equal("dev-globex-wordpress-install");
    expect(install.inputs.taskDefinitionArn).to.match(/:task-definition\/dev-globex-wordpress-install:\d+$/);
  });

  it("only the install task carries the admin password; the service's containers never do", () => {
    const parameter = single(globex, "aws:ssm/parameter:Parameter", /admin-password-parameter$/);
    const adminArn = `arn:aws:ssm:${parameter.region}:123456789012:parameter${String(parameter.inputs.name)}`;
    const [installer] = containers(globex, /-install-task$/);
    expect(installer.command).to.deep.equal(["docker-ensure-installed.sh", "bbws-install"]);
    expect(installer.secrets!.filter((s) => s.valueFrom === adminArn).map((s) => s.name)).to.deep.equal([
      "BBWS_ADMIN_PASSWORD",
    ]);
    // Login and e-mail are not secret: the entry (or its defaults) says them.
    expect(envOf(installer)).to.include({
      BBWS_ADMIN_USER: "bbws-admin",
      BBWS_ADMIN_EMAIL: "admin@globex.wpdev.example.com",
    });
    expect(JSON.stringify(containers(globex, SERVICE_TASK))).to.not.include(adminArn);
    expect(JSON.stringify(containers(globex, SERVICE_TASK))).to.not.include("BBWS_ADMIN");
  });

  it("runs cron as a timer in the service's own tasks (asleep with them), with WordPress's own trigger off", () => {
    const all = containers(acme, SERVICE_TASK);
    const cron = all.find((c) => c.name === CRON_CONTAINER_NAME)!;
    expect(cron.command).to.deep.equal(["bbws-cron-loop"]);
    expect(cron.essential).to.equal(false);
    expect(cron.dependsOn).to.deep.equal([{ containerName: "wordpress", condition: "HEALTHY" }]);
    expect(envOf(cron)).to.include({ BBWS_CRON_INTERVAL_SECONDS: "60", BBWS_LOCAL_PORT: String(LOCAL_PORT) });
    const extra = envOf(all[0]).WORDPRESS_CONFIG_EXTRA;
    expect(extra).to.include("define('DISABLE_WP_CRON', true);");
    // No scheduler outside the service: the sleep schedule (max 0 tasks) stops cron too.
    expect(acme.resources.filter((r) => r.type.startsWith("aws:scheduler/"))).to.have.length(0);
    const sleep = single(acme, "aws:appautoscaling/scheduledAction:ScheduledAction", /-sleep$/).inputs;
    expect(sleep.scalableTargetAction).to.deep.equal({ minCapacity: 0, maxCapacity: 0 });
  });

  it("takes the cron interval, upload limit and managed plugins from the registry", async () => {
    const run = await runTenantEntry(
      "dev",
      entryFor("tuned", 8, { runtime: { cronIntervalSeconds: 300, uploadMaxMegabytes: 100, managed: true } }),
    );
    const [web, cron] = containers(run, SERVICE_TASK);
    expect(envOf(web)).to.include({ BBWS_UPLOAD_MAX_SIZE: "100M", BBWS_POST_MAX_SIZE: "108M" });
    expect(envOf(cron).BBWS_CRON_INTERVAL_SECONDS).to.equal("300");
    const extra = envOf(web).WORDPRESS_CONFIG_EXTRA;
    expect(extra).to.include("define('DISALLOW_FILE_MODS', true);");
    expect(extra).to.include("define('WP_AUTO_UPDATE_CORE', false);");
    expect(envOf(containers(globex, SERVICE_TASK)[0]).WORDPRESS_CONFIG_EXTRA).to.not.include(
      "DISALLOW_FILE_MODS",
    );
    const deep = single(run, "aws:cloudwatch/metricAlarm:MetricAlarm", /deep-check/).inputs;
    expect(deep.metricQueries[0].metric.period).to.equal(300);
  });

  it("mail: an SMTP user allowed to send only as the tenant, its credentials a secret the containers get", () => {
    const policy = JSON.parse(single(mailed, "aws:iam/userPolicy:UserPolicy").inputs.policy);
    expect(policy.Statement).to.have.length(1);
    expect(policy.Statement[0]).to.deep.include({
      Action: ["ses:SendRawEmail"],
      Resource: "arn:aws:ses:af-south-1:123456789012:identity/wpdev.example.com",
      Condition: { StringEquals: { "ses:FromAddress": "mailer@wpdev.example.com" } },
    });
    expect(smtpSendPolicy("arn:x", "a@b.c")).to.deep.equal({
      ...policy,
      Statement: [
        {
          ...policy.Statement[0],
          Resource: "arn:x",
          Condition: { StringEquals: { "ses:FromAddress": "a@b.c" } },
        },
      ],
    });
    const smtpArn = single(mailed, "aws:secretsmanager/secret:Secret", /smtp-secret$/).id;
    const [web] = containers(mailed, SERVICE_TASK);
    expect(envOf(web)).to.include({
      BBWS_SMTP_HOST: "email-smtp.af-south-1.amazonaws.com",
      BBWS_SMTP_PORT: "587",
      BBWS_MAIL_FROM: "mailer@wpdev.example.com",
    });
    expect(web.secrets!.filter((s) => s.valueFrom.startsWith(smtpArn)).map((s) => s.name)).to.have.members([
      "BBWS_SMTP_USER",
      "BBWS_SMTP_PASSWORD",
    ]);
    // Without an SES identity there is no SMTP user at all.
    expect(ofType(globex, "aws:iam/user:User")).to.have.length(0);
    const execPolicy = JSON.parse(
      single(mailed, "aws:iam/rolePolicy:RolePolicy", /exec-policy/).inputs.policy,
    );
    expect(JSON.stringify(execPolicy)).to.include(smtpArn);
  });
});

describe("runtime image source: built, pre-built by digest, or stock", () => {
  const base = {
    stackName: "dev",
    region: "af-south-1",
    values: {
      domain: "wpdev.example.com",
      certificateArn: "arn:aws:acm:af-south-1:123456789012:certificate/abc",
    },
  };
  const digest = `sha256:${"a".repeat(64)}`;

  it("accepts build, stock and a reference by digest; refuses a tag", () => {
    expect(parseRuntimeImageSource(undefined)).to.deep.equal({ kind: "build" });
    expect(parseRuntimeImageSource("stock")).to.deep.equal({ kind: "stock" });
    expect(
      runtimeImageProblem(`123456789012.dkr.ecr.af-south-1.amazonaws.com/bbws/dev/wordpress@${digest}`),
    ).to.equal(undefined);
    expect(
      runtimeImageProblem("123456789012.dkr.ecr.af-south-1.amazonaws.com/bbws/dev/wordpress:1.0"),
    ).to.match(/by digest only/);
    expect(() =>
      resolvePlatformSettings({ ...base, values: { ...base.values, runtimeImage: "wordpress:latest" } }),
    ).to.throw(/bbws:runtimeImage: got "wordpress:latest"/);
  });

  it("a pre-built reference is what tenants run; stock tenants check a static core file and keep WP-Cron", async () => {
    const reference = `123456789012.dkr.ecr.af-south-1.amazonaws.com/bbws/dev/wordpress@${digest}`;
    const prebuilt = resolvePlatformSettings({
      ...base,
      values: { ...base.values, runtimeImage: reference },
    });
    expect(prebuilt.runtimeImage).to.deep.equal({ kind: "reference", reference });
    const stockSettings = { ...loadStackSettings("dev"), runtimeImage: { kind: "stock" as const } };
    const stock = await runTenantEntry("dev", entryFor("plain", 7), { settings: stockSettings });
    expect(single(stock, "aws:lb/targetGroup:TargetGroup").inputs.healthCheck.path).to.equal(
      "/wp-includes/images/blank.gif",
    );
    const all = json<Container[]>(
      single(stock, "aws:ecs/taskDefinition:TaskDefinition", SERVICE_TASK).inputs.containerDefinitions,
    );
    expect(all.map((c) => c.name)).to.deep.equal(["wordpress"]);
    expect(envOf(all[0]).WORDPRESS_CONFIG_EXTRA).to.not.include("DISABLE_WP_CRON");
    expect(
      ofType(stock, "aws:cloudwatch/metricAlarm:MetricAlarm").some((a) => /deep-check/.test(a.name)),
    ).to.equal(false);
  });
});

const mockEcs = () => mockClient(ECSClient);

describe("the install task runner (ECS RunTask, wait, exit code)", () => {
  let ecs: ReturnType<typeof mockEcs>;
  beforeEach(() => {
    ecs = mockEcs();
  });
  const state: TenantInstallState = {
    region: "af-south-1",
    clusterArn: "arn:aws:ecs:af-south-1:123456789012:cluster/bbws-dev",
    taskDefinitionArn: "arn:aws:ecs:af-south-1:123456789012:task-definition/dev-acme-wordpress-install:3",
    subnetIds: ["subnet-1"],
    securityGroupIds: ["sg-1"],
    containerName: "install",
    logGroupName: "/bbws/dev/wordpress",
    timeoutSeconds: 60,
  };
  const taskArn = "arn:aws:ecs:af-south-1:123456789012:task/bbws-dev/abc";
  afterEach(() => ecs.restore());

  const stopped = (exitCode: number | undefined, reason = "Essential container in task exited") =>
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        {
          taskArn,
          lastStatus: "STOPPED",
          stoppedReason: reason,
          containers: [{ name: "install", exitCode }],
        },
      ],
    });

  it("runs the install task definition privately on Fargate and succeeds on exit code 0", async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn }] });
    stopped(0);
    const client = new ECSClient({ region: "af-south-1" });
    expect(await runInstallTask(client, state)).to.deep.equal({ taskArn, exitCode: 0 });
    const input = ecs.commandCalls(RunTaskCommand)[0].args[0].input;
    expect(input).to.deep.include({
      cluster: state.clusterArn,
      taskDefinition: state.taskDefinitionArn,
      launchType: "FARGATE",
    });
    expect(input.networkConfiguration?.awsvpcConfiguration?.assignPublicIp).to.equal("DISABLED");
  });

  it("works as Pulumi ships it: serialized (the plan's CLI skips this), loaded on its own, still running the task", async () => {
    await withSerializedProvider(tenantInstallProvider, async (loaded) => {
      ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn }] });
      stopped(0);
      const created = await loaded.create(state);
      expect(created.outs).to.deep.include({ taskArn, exitCode: 0 });
      expect(ecs.commandCalls(RunTaskCommand)[0].args[0].input.taskDefinition).to.equal(
        state.taskDefinitionArn,
      );
    });
  });

  it("fails with the exit code, ECS's reason and where the output is", async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn }] });
    stopped(1);
    const client = new ECSClient({ region: "af-south-1" });
    try {
      await runInstallTask(client, state);
      expect.fail("resolved");
    } catch (error) {
      expect(String(error)).to.match(
        /failed \(exit code 1: Essential container in task exited\).*\/bbws\/dev\/wordpress/,
      );
    }
  });

  it("fails when the task never starts, with ECS's failure reasons", async () => {
    ecs
      .on(RunTaskCommand)
      .resolves({ tasks: [], failures: [{ reason: "RESOURCE:ENI", detail: "no free ENI" }] });
    const client = new ECSClient({ region: "af-south-1" });
    try {
      await runInstallTask(client, state);
      expect.fail("resolved");
    } catch (error) {
      expect(String(error)).to.include("did not start: RESOURCE:ENI (no free ENI)");
    }
  });
});

describe("runtime: the platform's mail identity and image source", () => {
  it("makes bbws:mailDomain an SES identity with DKIM records in the ingress zone when the domain lies in it", async () => {
    const { runPlatform } = await import("../../offline/platformRun");
    const prod = await runPlatform({ stack: "prod", overrides: { "bbws:mailDomain": "wp.example.com" } });
    const identity = single(prod, "aws:sesv2/emailIdentity:EmailIdentity").inputs;
    expect(identity.emailIdentity).to.equal("wp.example.com");
    const dkim = ofType(prod, "aws:route53/record:Record").filter((r) => /mail-dkim/.test(r.name));
    expect(dkim).to.have.length(3);
    for (const record of dkim) {
      expect(record.inputs).to.include({ type: "CNAME", zoneId: "Z08123452ABCDEFGHIJKL" });
      expect(record.inputs.name).to.match(/^[a-z0-9]{32}\._domainkey\.wp\.example\.com$/);
      expect(record.inputs.records[0]).to.match(/^[a-z0-9]{32}\.dkim\.amazonses\.com$/);
    }
    // Another domain's zone is not ours to write: the identity only.
    const other = await runPlatform({ stack: "prod", overrides: { "bbws:mailDomain": "mail.other.org" } });
    expect(ofType(other, "aws:sesv2/emailIdentity:EmailIdentity")).to.have.length(1);
    expect(ofType(other, "aws:route53/record:Record").filter((r) => /mail-dkim/.test(r.name))).to.have.length(
      0,
    );
  });

  it("builds nothing for a pre-built reference or the stock image", async () => {
    const { runPlatform } = await import("../../offline/platformRun");
    const reference = `123456789012.dkr.ecr.af-south-1.amazonaws.com/bbws/dev/wordpress@sha256:${"b".repeat(64)}`;
    const prebuilt = await runPlatform({ stack: "dev", overrides: { "bbws:runtimeImage": reference } });
    expect(ofType(prebuilt, "docker-build:index:Image")).to.have.length(0);
    expect((prebuilt.outputs.image as { defaultImage: string }).defaultImage).to.equal(reference);
    const stock = await runPlatform({ stack: "dev", overrides: { "bbws:runtimeImage": "stock" } });
    expect(ofType(stock, "docker-build:index:Image")).to.have.length(0);
    expect((stock.outputs.image as { defaultImage: string }).defaultImage).to.match(
      /bbws-dev-ecr-public\/docker\/library\/wordpress:6\.8-php8\.3-apache$/,
    );
    const built = await runPlatform({ stack: "dev" });
    const image = single(built, "docker-build:index:Image").inputs;
    expect(image.platforms).to.deep.equal(["linux/arm64"]);
    expect(image.push).to.equal(true);
    expect(image.tags[0]).to.match(/\/bbws\/dev\/wordpress:runtime-[0-9a-f]{16}$/);
  });
});
