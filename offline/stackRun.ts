/**
 * Runs a Pulumi program in-process under the BBWS mocks, the way `pulumi up` runs it: inside a
 * root `pulumi:pulumi:Stack` resource, with the stack's configuration set, and returns every
 * resource it registered (URN, parent, provider, protect flag and inputs) plus its outputs.
 *
 * Unit tests and `npm run plan` both go through here.
 */
import { BbwsError } from "../lib/errors";
import * as pulumi from "@pulumi/pulumi";
import { applyOfflineProviderShortcut } from "./providerSerialization";
import { AwsMocks, MockedResource, StackOutputsByName } from "./mocks";

/** One resource of a stack run. */
export interface RecordedResource extends MockedResource {
  readonly urn: string;
  /** URN of the parent resource; null for the root stack resource. */
  readonly parent: string | null;
  readonly protect: boolean;
  /** Provider reference (`<urn>::<id>`), or "" for the default provider. */
  readonly provider: string;
  readonly dependencies: readonly string[];
}

/** The result of running one stack program. */
export interface StackRun {
  readonly project: string;
  readonly stack: string;
  readonly resources: readonly RecordedResource[];
  readonly outputs: Record<string, unknown>;
}

export interface StackRunOptions {
  readonly project: string;
  readonly stack: string;
  /** Default region of the stack (`aws:region`). */
  readonly region: string;
  /** Stack configuration, fully qualified keys (`bbws:environment`) to values. */
  readonly config?: Readonly<Record<string, string>>;
  /** Keys of `config` that are secrets. */
  readonly secretKeys?: readonly string[];
  /** Outputs of other stacks, for StackReferences. */
  readonly stackOutputs?: StackOutputsByName;
  /** Organization for StackReference names. @default "organization" */
  readonly organization?: string;
}

/** The parts of the SDK's protobuf registration requests the recorder reads. */
interface RegistrationRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getProvider(): string;
  getProtect?(): boolean;
  getDependenciesList?(): string[];
}
interface RegistrationResponse {
  getUrn(): string;
}
type MonitorCallback = (err: unknown, resp: RegistrationResponse) => void;
type MonitorMethod = (req: RegistrationRequest, callback: MonitorCallback) => void;
/** The mock monitor, as far as the recorder patches it. */
interface PatchableMonitor {
  newUrn: (parent: string | undefined, type: string, name: string) => string;
  registerResource: MonitorMethod;
  readResource: MonitorMethod;
}

/** A stack program failed: names the stack, the resource (when known) and the message. */
export class StackRunError extends BbwsError {
  constructor(
    /** The stack whose program failed, e.g. `dev.acme`. */
    readonly stackName: string,
    readonly failures: readonly { readonly resource?: string; readonly message: string }[],
  ) {
    super(
      "failed",
      `stack ${stackName} failed:\n` +
        failures.map((f) => `  - ${f.resource ? `${f.resource}: ` : ""}${f.message}`).join("\n"),
    );
  }
}

/**
 * The URN the Pulumi engine would give: the parent's qualified type chain, except that
 * children of the root stack resource carry no prefix.
 */
export function engineUrn(
  stack: string,
  project: string,
  parent: string | undefined,
  type: string,
  name: string,
): string {
  let qualified = type;
  if (parent) {
    const parentQualified = parent.split("::")[2];
    if (parentQualified !== "pulumi:pulumi:Stack") qualified = `${parentQualified}$${type}`;
  }
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

// Serializes runs: the Pulumi runtime state these runs replace is process-global.
let queue: Promise<unknown> = Promise.resolve();

/** Runs `program` as the stack described by `options`. */
export function runStack(options: StackRunOptions, program: () => unknown): Promise<StackRun> {
  const run = queue.then(() => runExclusive(options, program));
  queue = run.catch(() => undefined);
  return run;
}

async function runExclusive(options: StackRunOptions, program: () => unknown): Promise<StackRun> {
  const restoreSerialization = applyOfflineProviderShortcut();
  try {
    return await runMocked(options, program);
  } finally {
    restoreSerialization();
  }
}

async function runMocked(options: StackRunOptions, program: () => unknown): Promise<StackRun> {
  const mocks = new AwsMocks({ region: options.region, stackOutputs: options.stackOutputs });
  await pulumi.runtime.setMocks(
    mocks,
    options.project,
    options.stack,
    false,
    options.organization ?? "organization",
  );
  pulumi.runtime.setAllConfig({ "aws:region": options.region, ...options.config }, [
    ...(options.secretKeys ?? []),
  ]);

  const resources: RecordedResource[] = [];
  const failures: Failure[] = [];
  const registered = new Set<string>();
  instrumentMonitor(options, mocks, resources, failures, registered);

  // A failed input (an `apply` that throws, a resource the mocks refuse) leaves every resource
  // that depends on it waiting forever; the SDK reports it only as an unhandled rejection, as
  // `pulumi up` does. The run listens for those and stops at the first one.
  let signalFailure!: () => void;
  const failed = new Promise<"failed">((resolve) => (signalFailure = () => resolve("failed")));
  const onUnhandled = (reason: unknown) => {
    addFailure(failures, describeRejection(reason));
    signalFailure();
  };
  process.on("unhandledRejection", onUnhandled);
  if (failures.length > 0) signalFailure();

  const restoreTraces = cheapStackTraces();
  try {
    let outputs: Record<string, unknown> = {};
    const finished = await Promise.race([
      pulumi.runtime
        .runInPulumiStack(async () => (await program()) as pulumi.Inputs)
        .then((result) => {
          outputs = result ?? {};
          return "done" as const;
        })
        .catch((error: unknown) => {
          onUnhandled(error);
          return "failed" as const;
        }),
      failed,
    ]);
    if (finished === "done") await Promise.race([settle(), failed]);
    // A resource whose inputs failed to serialize never reaches the monitor, and its rejection
    // may surface only after the run looks finished: every resource the program constructed
    // must have been registered, or the run failed (the plan never silently drops a resource).
    if (failures.length === 0) failures.push(...unregistered(options, registered));
    if (failures.length > 0) throw new StackRunError(options.stack, failures);
    return { project: options.project, stack: options.stack, resources, outputs };
  } finally {
    process.off("unhandledRejection", onUnhandled);
    restoreTraces();
    // Drops what a failed run left waiting, so it is neither reported as a leak at exit nor
    // seen by the next run.
    pulumi.runtime.resetOptions(options.project, options.stack, -1, "", "", false, "");
  }
}

/**
 * Waits until the SDK has no RPC in flight and Node has delivered every pending rejection
 * (`unhandledRejection` is emitted after the microtask queue drains, so a rejection raised by
 * the last registration arrives one macrotask after `waitForRPCs` resolves).
 */
async function settle(): Promise<void> {
  for (let round = 0; round < 3; round++) {
    await waitForOutstandingWork();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Adds a failure unless the same message (for the same resource, if any) is already there. */
function addFailure(failures: Failure[], failure: Failure): void {
  const duplicate = failures.some(
    (f) => (!failure.resource || f.resource === failure.resource) && f.message.includes(failure.message),
  );
  if (!duplicate) failures.push(failure);
}

/** The parts of a constructed Resource the SDK keeps (internal fields, stable since 3.x). */
interface ConstructedResource {
  readonly __pulumiType?: string;
  readonly __name?: string;
  readonly __childResources?: Set<ConstructedResource>;
}

/**
 * Resources the program constructed (the SDK's parent/child tree under the root stack
 * resource) that never reached the monitor: each is a failure naming the resource.
 */
function unregistered(options: StackRunOptions, registered: ReadonlySet<string>): Failure[] {
  const root = pulumi.runtime.getStackResource() as unknown as ConstructedResource | undefined;
  if (!root?.__pulumiType || !root.__name) return [];
  const missing: Failure[] = [];
  const visit = (resource: ConstructedResource, parentUrn: string | undefined) => {
    const type = resource.__pulumiType;
    const name = resource.__name;
    if (!type || !name) return;
    const urn = engineUrn(options.stack, options.project, parentUrn, type, name);
    if (!registered.has(urn)) {
      missing.push({
        resource: `${type} "${name}"`,
        message: "was never registered: one of its inputs failed or never resolved",
      });
    }
    for (const child of resource.__childResources ?? []) visit(child, urn);
  };
  visit(root, undefined);
  return missing;
}

interface Failure {
  resource?: string;
  message: string;
}

/**
 * The SDK labels its promises with the resource they belong to (`resource:<name>[<type>]`);
 * a rejection carries that label, which names the resource whose input failed.
 */
function describeRejection(reason: unknown): Failure {
  const label = (reason as { promise?: { _debugCtx?: unknown } } | undefined)?.promise?._debugCtx;
  const match = typeof label === "string" ? /^resource:(.+)\[(.+)\]$/.exec(label) : null;
  return { resource: match ? `${match[2]} "${match[1]}"` : undefined, message: describeError(reason) };
}

/**
 * Wraps the mock monitor so every registration is recorded with what the mocks do not see
 * (URN, parent, protect, provider, dependencies) and every failure is kept with its resource.
 */
function instrumentMonitor(
  options: StackRunOptions,
  mocks: AwsMocks,
  resources: RecordedResource[],
  failures: Failure[],
  registered: Set<string>,
): void {
  const monitor = pulumi.runtime.getMonitor() as unknown as PatchableMonitor;
  monitor.newUrn = (parent: string | undefined, type: string, name: string) =>
    engineUrn(options.stack, options.project, parent, type, name);

  const claimed = new Set<MockedResource>();
  const record = (req: RegistrationRequest, urn: string) => {
    const type = req.getType();
    const name = req.getName();
    const mocked = mocks.resources.find((r) => !claimed.has(r) && r.type === type && r.name === name);
    if (!mocked) return;
    claimed.add(mocked);
    resources.push({
      ...mocked,
      urn,
      parent: req.getParent() || null,
      protect: req.getProtect?.() ?? false,
      provider: req.getProvider() ?? "",
      dependencies: req.getDependenciesList?.() ?? [],
    });
  };
  for (const method of ["registerResource", "readResource"] as const) {
    const base = monitor[method].bind(monitor);
    monitor[method] = (req, callback) =>
      base(req, (err, resp) => {
        registered.add(
          err
            ? engineUrn(
                options.stack,
                options.project,
                req.getParent() || undefined,
                req.getType(),
                req.getName(),
              )
            : resp.getUrn(),
        );
        if (err)
          addFailure(failures, {
            resource: `${req.getType()} "${req.getName()}"`,
            message: describeError(err),
          });
        else record(req, resp.getUrn());
        callback(err, resp);
      });
  }
}

async function waitForOutstandingWork(): Promise<void> {
  // Internal to the SDK (hidden from its typings) but what `pulumi up` itself awaits.
  const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
  if (runtime.waitForRPCs) await runtime.waitForRPCs();
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * The SDK captures and formats a stack trace for every resource and every internal promise,
 * which costs more than everything else the mocks do. Plans report errors by resource and
 * message, so traces are made cheap for the duration of a run.
 */
function cheapStackTraces(): () => void {
  const limit = Error.stackTraceLimit;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- saved to be restored as is
  const prepare = Error.prepareStackTrace;
  Error.stackTraceLimit = 0;
  Error.prepareStackTrace = () => "";
  return () => {
    Error.stackTraceLimit = limit;
    Error.prepareStackTrace = prepare;
  };
}
