/**
 * The Pulumi mocks BBWS runs under: in unit tests and in `npm run plan`. They answer like AWS
 * where programs depend on it (ids, ARNs in the right partition/region/account, computed
 * attributes, data sources) and record what every resource was given.
 */
import * as pulumi from "@pulumi/pulumi";
import { NAME_LIMITS } from "../config/awsNames";
import { OFFLINE_ACCOUNT_ID, respond } from "./awsResponses";

/** Stack outputs a `StackReference` resolves to, by referenced stack name. */
export type StackOutputsByName = Readonly<Record<string, Record<string, unknown>>>;

export interface AwsMocksOptions {
  /** Region of resources without a provider region (the stack's `aws:region`). */
  readonly region: string;
  /** @default OFFLINE_ACCOUNT_ID */
  readonly accountId?: string;
  /** Outputs of other stacks, for StackReferences. */
  readonly stackOutputs?: StackOutputsByName;
}

/**
 * Resource inputs of any type, as plain JSON-like data. Typed loosely on purpose: tests,
 * policies and the plan renderer navigate the inputs of every AWS resource type.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ResourceInputs = Record<string, any>;

/** What the mocks saw of one resource registration. */
export interface MockedResource {
  readonly type: string;
  readonly name: string;
  /** Inputs as the program passed them (secrets still wrapped, see `isSecretValue`). */
  readonly inputs: ResourceInputs;
  readonly custom: boolean;
  readonly id: string;
  readonly region: string;
  /** True for `Resource.get` reads rather than registrations. */
  readonly read: boolean;
  /**
   * The physical name AWS would hold (given, or made by the provider's auto-naming), for types
   * with a name limit (config/awsNames.ts).
   */
  readonly physicalName?: string;
}

/** Dynamic providers ship their serialized code as this input; plans never show it. */
export const DYNAMIC_PROVIDER_INPUT = "__provider";
/** Dynamic resources: `pulumi-nodejs:dynamic:Resource` or `pulumi-nodejs:dynamic/<module>:<Type>`. */
const isDynamicType = (type: string) => type.startsWith("pulumi-nodejs:dynamic");
const STACK_REFERENCE = "pulumi:pulumi:StackReference";

/** The mocks. One instance per stack run. */
export class AwsMocks implements pulumi.runtime.Mocks {
  readonly accountId: string;
  readonly partition = "aws";
  /** Every resource the program registered or read, in order. */
  readonly resources: MockedResource[] = [];
  private readonly providerRegions = new Map<string, string>();

  constructor(private readonly options: AwsMocksOptions) {
    this.accountId = options.accountId ?? OFFLINE_ACCOUNT_ID;
  }

  newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    const region = this.regionOf(args.inputs, args.provider);
    const recordInputs = isDynamicType(args.type)
      ? withoutKey(args.inputs, DYNAMIC_PROVIDER_INPUT)
      : args.inputs;

    let response: { id: string; state: Record<string, unknown> };
    if (args.type === STACK_REFERENCE) {
      response = this.stackReference(args.name, args.inputs);
    } else if (args.type.startsWith("pulumi:providers:")) {
      const id = `${args.name}-provider`;
      this.providerRegions.set(id, (args.inputs.region as string | undefined) ?? this.options.region);
      response = { id, state: {} };
    } else if (args.id !== undefined && args.id !== "") {
      // Resource.get(): AWS returns the existing resource's attributes.
      const computed = respond({
        type: args.type,
        name: args.name,
        inputs: args.inputs,
        region,
        account: this.accountId,
        partition: this.partition,
      });
      response = { id: args.id, state: computed.state };
    } else {
      response = respond({
        type: args.type,
        name: args.name,
        inputs: recordInputs,
        region,
        account: this.accountId,
        partition: this.partition,
      });
    }

    this.resources.push({
      type: args.type,
      name: args.name,
      inputs: recordInputs,
      custom: args.custom ?? true,
      id: response.id,
      region,
      read: args.id !== undefined && args.id !== "",
      physicalName: physicalNameOf(args.type, recordInputs, response.state),
    });
    // Inputs are echoed back as outputs, as the provider does; computed attributes win.
    return { id: response.id, state: { ...recordInputs, ...response.state } };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    const region = this.regionOf(args.inputs, args.provider);
    switch (args.token) {
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return {
          id: this.accountId,
          accountId: this.accountId,
          arn: `arn:${this.partition}:iam::${this.accountId}:role/bbws-offline`,
          userId: "AROAOFFLINEENGINE0000:bbws",
        };
      case "aws:index/getPartition:getPartition":
        return {
          id: this.partition,
          partition: this.partition,
          dnsSuffix: "amazonaws.com",
          reverseDnsPrefix: "com.amazonaws",
        };
      case "aws:index/getRegion:getRegion":
        return {
          id: region,
          region,
          name: region,
          description: region,
          endpoint: `ec2.${region}.amazonaws.com`,
        };
      case "aws:index/getAvailabilityZones:getAvailabilityZones":
        return {
          id: region,
          names: ["a", "b", "c"].map((s) => `${region}${s}`),
          zoneIds: [1, 2, 3].map((n) => `${region.replace(/-/g, "").slice(0, 4)}-az${n}`),
          groupNames: [region],
        };
      case "aws:ec2/getRouteTable:getRouteTable": {
        // The route table awsx created for the subnet (one per private subnet).
        const subnet = String(args.inputs.subnetId ?? "");
        const id = `rtb-${subnet.replace(/^subnet-/, "").slice(0, 17)}`;
        return {
          id,
          routeTableId: id,
          subnetId: subnet,
          vpcId: args.inputs.vpcId ?? "",
          routes: [],
          associations: [],
        };
      }
      // The runtime image build logs in to the environment's repository (issue 14).
      case "aws:ecr/getAuthorizationToken:getAuthorizationToken": {
        const registryId = String(args.inputs.registryId ?? this.accountId);
        return {
          id: registryId,
          registryId,
          userName: "AWS",
          password: "offline-ecr-token",
          authorizationToken: Buffer.from("AWS:offline-ecr-token").toString("base64"),
          proxyEndpoint: `https://${registryId}.dkr.ecr.${region}.amazonaws.com`,
          expiresAt: "2099-01-01T00:00:00Z",
        };
      }
      default:
        throw new Error(
          `the offline engine has no answer for data source ${args.token}; add one to offline/mocks.ts or avoid the call`,
        );
    }
  }

  /** Region of a resource: its own `region` input, its provider's region, or the stack's. */
  private regionOf(inputs: Record<string, unknown>, providerRef?: string): string {
    if (typeof inputs?.region === "string" && inputs.region) return inputs.region;
    if (providerRef) {
      const id = providerRef.split("::").pop() ?? "";
      const region = this.providerRegions.get(id);
      if (region) return region;
    }
    return this.options.region;
  }

  private stackReference(
    name: string,
    inputs: Record<string, unknown>,
  ): { id: string; state: Record<string, unknown> } {
    const stackName = (inputs.name as string | undefined) ?? name;
    const outputs = this.options.stackOutputs?.[stackName];
    if (!outputs) {
      const known = Object.keys(this.options.stackOutputs ?? {});
      throw new Error(
        `StackReference to "${stackName}": no such stack in this plan` +
          (known.length ? ` (known: ${known.join(", ")})` : ""),
      );
    }
    return { id: stackName, state: { name: stackName, outputs, secretOutputNames: [] } };
  }
}

function physicalNameOf(
  type: string,
  inputs: Record<string, unknown>,
  state: Record<string, unknown>,
): string | undefined {
  const property = NAME_LIMITS[type]?.property;
  if (!property) return undefined;
  const name = inputs[property] ?? state[property];
  return typeof name === "string" ? name : undefined;
}

function withoutKey(object: Record<string, unknown>, key: string): Record<string, unknown> {
  if (!(key in object)) return object;
  const { [key]: _removed, ...rest } = object;
  return rest;
}

/** True for a value the SDK marked secret (wrapped with Pulumi's secret signature). */
export function isSecretValue(value: unknown): value is { value: unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig
  );
}

/** Removes secret wrappers, returning the plain value (tests reading generated values). */
export function unwrapSecrets(value: unknown): unknown {
  if (isSecretValue(value)) return unwrapSecrets(value.value);
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
  }
  return value;
}
