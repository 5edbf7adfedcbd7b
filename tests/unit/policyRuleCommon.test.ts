/**
 * The readers every policy rule relies on (policy/rules/common.ts), tested directly: what they
 * return for missing, malformed and unknown (preview) values, and the caches they keep.
 */
import { expect } from "chai";
import * as aws from "@pulumi/aws";
import { PolicyResource, UnknownValueError } from "@pulumi/policy";
import * as proxy from "@pulumi/policy/proxy";

/** The SDK's sentinel for a string unknown during preview (exported at runtime, not typed). */
const { unknownStringValue } = proxy as unknown as { unknownStringValue: unknown };
import {
  StackIndex,
  asArray,
  asRecord,
  containersOf,
  controlsOf,
  describeRule,
  environmentOf,
  grants,
  isMaintenanceUrn,
  isProduction,
  isTenantUrn,
  isUnknownValueError,
  known,
  parseJson,
  show,
  statementLabel,
  statementsOf,
  tagsOf,
  typeToken,
} from "../../policy/rules/common";

/** A value no earlier call has seen: the JSON and pattern caches miss on it. */
let fresh = 0;
const unique = (base: string) => `${base}${++fresh}x${Date.now()}`;

const unknownRead = (): never => {
  throw new UnknownValueError(unknownStringValue, ["tags"]);
};

describe("policy rule readers (policy/rules/common.ts)", () => {
  it("describeRule and controlsOf round-trip the source controls", () => {
    const description = describeRule(["ECS.2", " CKV_AWS_333"], "text");
    expect(description).to.equal("[ECS.2,  CKV_AWS_333] text");
    expect(controlsOf(description)).to.deep.equal(["ECS.2", "CKV_AWS_333"]);
    expect(controlsOf("no controls [ECS.2]")).to.deep.equal([]);
    expect(controlsOf("[] empty")).to.deep.equal([]);
  });

  it("typeToken reads a resource class's token and refuses a class without one", () => {
    expect(typeToken(aws.ecs.Service)).to.equal("aws:ecs/service:Service");
    class Plain {}
    expect(() => typeToken(Plain)).to.throw("Plain has no Pulumi type token");
    const empty = class Empty {};
    (empty as unknown as { __pulumiType: string }).__pulumiType = "";
    expect(() => typeToken(empty)).to.throw("Empty has no Pulumi type token");
  });

  it("tagsOf, environmentOf, isProduction: maps only, strings only, unknown as absent", () => {
    expect(tagsOf({ tags: { a: "1" } })).to.deep.equal({ a: "1" });
    for (const tags of [undefined, null, "a=1", ["a"], 0])
      expect(tagsOf({ tags }), String(tags)).to.equal(undefined);
    expect(tagsOf(undefined)).to.equal(undefined);
    expect(tagsOf(null)).to.equal(undefined);
    const unknownTags = Object.defineProperty({}, "tags", { get: unknownRead });
    expect(tagsOf(unknownTags)).to.equal(undefined);
    expect(environmentOf({ tags: { "bbws:environment": "prod" } })).to.equal("prod");
    expect(environmentOf({ tags: { "bbws:environment": 1 } })).to.equal(undefined);
    expect(environmentOf({})).to.equal(undefined);
    expect(isProduction({ tags: { "bbws:environment": "prod" } })).to.equal(true);
    expect(isProduction({ tags: { "bbws:environment": "production" } })).to.equal(false);
    expect(isProduction(undefined)).to.equal(false);
  });

  it("isTenantUrn and isMaintenanceUrn read the URN's type chain", () => {
    const tenant =
      "urn:pulumi:dev.acme::bbws-tenant::bbws:tenant:TenantWordPress$aws:ecs/service:Service::acme";
    const maintenance =
      "urn:pulumi:dev::bbws::bbws:platform:SharedCluster$bbws:platform:MaintenanceTasks$aws:iam/role:Role::m";
    const both =
      "urn:pulumi:dev::bbws::bbws:platform:MaintenanceTasks$bbws:tenant:TenantWordPress$aws:iam/role:Role::m";
    expect(isTenantUrn(tenant)).to.equal(true);
    expect(isTenantUrn(maintenance)).to.equal(false);
    expect(isTenantUrn("urn:pulumi:dev::bbws::xbbws:tenant:TenantWordPress::x")).to.equal(false);
    expect(isTenantUrn("not a urn")).to.equal(false);
    expect(isMaintenanceUrn(maintenance)).to.equal(true);
    expect(isMaintenanceUrn(both)).to.equal(false);
    expect(isMaintenanceUrn(tenant)).to.equal(false);
    expect(isMaintenanceUrn("not a urn")).to.equal(false);
  });

  it("known returns undefined only for values unknown during preview, and rethrows anything else", () => {
    expect(known(() => 3)).to.equal(3);
    expect(known(unknownRead)).to.equal(undefined);
    expect(isUnknownValueError(new UnknownValueError(unknownStringValue, ["x"]))).to.equal(true);
    expect(isUnknownValueError(new Error("x"))).to.equal(false);
    expect(() =>
      known(() => {
        throw new TypeError("boom");
      }),
    ).to.throw(TypeError, "boom");
  });

  it("parseJson parses strings (invalid JSON is undefined), passes objects through, caches by text", () => {
    const text = JSON.stringify({ id: unique("doc") });
    const first = parseJson(text);
    expect(first).to.deep.equal(JSON.parse(text));
    expect(parseJson(text)).to.equal(first);
    expect(parseJson(unique("{not json"))).to.equal(undefined);
    const object = { a: 1 };
    expect(parseJson(object)).to.equal(object);
    expect(parseJson(undefined)).to.equal(undefined);
    expect(parseJson(null)).to.equal(undefined);
    expect(parseJson(0)).to.equal(0);
    expect(parseJson(false)).to.equal(false);
  });

  it("parseJson's cache is bounded: the oldest entries go first, results stay correct", () => {
    const texts = Array.from({ length: 70 }, (_, i) => JSON.stringify([unique(`n${i}`)]));
    const parsed = texts.map((t) => parseJson(t));
    // The newest 64 are cached (the same object comes back), the oldest were dropped.
    expect(parseJson(texts[69])).to.equal(parsed[69]);
    expect(parseJson(texts[6])).to.equal(parsed[6]);
    const reparsed = parseJson(texts[0]);
    expect(reparsed).to.not.equal(parsed[0]);
    expect(reparsed).to.deep.equal(JSON.parse(texts[0]));
  });

  it("asArray and asRecord", () => {
    expect(asArray(undefined)).to.deep.equal([]);
    expect(asArray(null)).to.deep.equal([]);
    expect(asArray(0)).to.deep.equal([0]);
    expect(asArray("")).to.deep.equal([""]);
    expect(asArray([1, 2])).to.deep.equal([1, 2]);
    expect(asRecord({ a: 1 })).to.deep.equal({ a: 1 });
    for (const value of [undefined, null, "x", [1], 0, true])
      expect(asRecord(value), String(value)).to.equal(undefined);
  });

  it("containersOf: the records of a JSON array, undefined for anything else", () => {
    expect(
      containersOf({ containerDefinitions: JSON.stringify([{ name: "a" }, 1, null, "x"]) }),
    ).to.deep.equal([{ name: "a" }]);
    expect(containersOf({ containerDefinitions: [{ name: "b" }] })).to.deep.equal([{ name: "b" }]);
    expect(containersOf({ containerDefinitions: JSON.stringify({ name: "a" }) })).to.equal(undefined);
    expect(containersOf({})).to.equal(undefined);
    expect(containersOf(undefined)).to.equal(undefined);
  });

  it("statementsOf normalises a document: arrays, defaults, typed fields only", () => {
    const document = {
      Statement: [
        {
          Sid: "One",
          Effect: "Deny",
          Action: "s3:GetObject",
          NotAction: ["s3:Put*", 3],
          Resource: ["arn:a", 4],
          NotResource: "arn:b",
          Principal: "*",
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
        { Sid: 7, Action: [1, "ec2:*"], Condition: "x" },
        "not a statement",
      ],
    };
    expect(statementsOf(JSON.stringify(document))).to.deep.equal([
      {
        sid: "One",
        effect: "Deny",
        actions: ["s3:GetObject"],
        notActions: ["s3:Put*"],
        resources: ["arn:a"],
        notResources: ["arn:b"],
        principal: "*",
        condition: { Bool: { "aws:SecureTransport": "false" } },
      },
      {
        sid: undefined,
        effect: "Allow",
        actions: ["ec2:*"],
        notActions: [],
        resources: [],
        notResources: [],
        principal: undefined,
        condition: undefined,
      },
    ]);
    expect(statementsOf({ Statement: { Effect: 1, Action: "a:b" } })).to.deep.equal([
      {
        sid: undefined,
        effect: "Allow",
        actions: ["a:b"],
        notActions: [],
        resources: [],
        notResources: [],
        principal: undefined,
        condition: undefined,
      },
    ]);
    expect(statementsOf(unique("not json"))).to.deep.equal([]);
    expect(statementsOf(undefined)).to.deep.equal([]);
    expect(statementsOf(["a"])).to.deep.equal([]);
  });

  it("grants matches IAM action patterns case-insensitively, with * and ?, and nothing more", () => {
    const service = unique("svc").toLowerCase();
    expect(grants(`${service}:Get*`, `${service}:GetObject`)).to.equal(true);
    expect(grants(`${service.toUpperCase()}:GETOBJECT`, `${service}:GetObject`)).to.equal(true);
    expect(grants(`${service}:Get?bject`, `${service}:GetObject`)).to.equal(true);
    expect(grants(`${service}:Get?`, `${service}:GetObject`)).to.equal(false);
    expect(grants(`${service}:Get`, `${service}:GetObject`)).to.equal(false);
    expect(grants(`${service}:GetObject`, `x${service}:GetObject`)).to.equal(false);
    expect(grants("*", `${service}:Anything`)).to.equal(true);
    // Regex characters in a pattern are literal.
    const dotted = unique("a.b");
    expect(grants(`${dotted}:(x)+`, `${dotted}:(x)+`)).to.equal(true);
    expect(grants(`${dotted}:x`, `${dotted.replace(".", "c")}:x`)).to.equal(false);
    expect(grants(`${dotted}:x+`, `${dotted}:xx`)).to.equal(false);
    expect(grants(`${dotted}:[ab]`, `${dotted}:a`)).to.equal(false);
    expect(grants(`${dotted}:a|b`, `${dotted}:a`)).to.equal(false);
    expect(grants(`${dotted}:a\\b`, `${dotted}:a\\b`)).to.equal(true);
    expect(grants(`${dotted}:^a$`, `${dotted}:^a$`)).to.equal(true);
    expect(grants(`${dotted}:{1}`, `${dotted}:{1}`)).to.equal(true);
    // Cached patterns answer the same.
    expect(grants(`${service}:Get*`, `${service}:PutObject`)).to.equal(false);
    expect(grants(`${service}:Get*`, `${service}:GetBucket`)).to.equal(true);
  });

  it("statementLabel and show", () => {
    const statement = statementsOf({ Statement: [{ Sid: "S", Action: "a:b" }, { Action: "a:b" }] });
    expect(statementLabel(statement[0], 0)).to.equal('statement "S"');
    expect(statementLabel(statement[1], 1)).to.equal("statement #2");
    expect(show(undefined)).to.equal("undefined");
    expect(show("x")).to.equal('"x"');
    expect(show({ a: [1] })).to.equal('{"a":[1]}');
    const long = "y".repeat(118); // 120 characters as JSON: shown whole
    expect(show(long)).to.equal(`"${long}"`);
    const longer = "z".repeat(119); // 121 characters: cut to 117 and an ellipsis
    expect(show(longer)).to.equal(`"${"z".repeat(116)}...`);
    expect(show(longer)).to.have.length(120);
  });

  describe("StackIndex", () => {
    const resource = (type: string, props: Record<string, unknown>, extra: Partial<PolicyResource> = {}) =>
      ({
        type,
        name: type,
        urn: `urn:${unique("r")}`,
        props,
        dependencies: [],
        ...extra,
      }) as unknown as PolicyResource;

    it("is built once per resource list", () => {
      const list = [resource("t:a", { id: "a" })];
      expect(StackIndex.of(list)).to.equal(StackIndex.of(list));
      expect(StackIndex.of([...list])).to.not.equal(StackIndex.of(list));
    });

    it("ofType lists resources of each type, in order", () => {
      const a = resource("t:a", {});
      const b = resource("t:b", {});
      const a2 = resource("t:a", {});
      const index = new StackIndex([a, b, a2]);
      expect(index.ofType("t:a")).to.deep.equal([a, a2]);
      expect(index.ofType("t:b", "t:a")).to.deep.equal([b, a, a2]);
      expect(index.ofType("t:c")).to.deep.equal([]);
    });

    it("dependsOn follows the engine's dependencies", () => {
      const target = resource("t:a", {});
      const user = resource("t:b", {}, { dependencies: [target] });
      const index = new StackIndex([target, user]);
      expect(index.dependsOn(user, target)).to.equal(true);
      expect(index.dependsOn(target, user)).to.equal(false);
      expect(index.dependsOn(resource("t:c", {}, { dependencies: undefined }), target)).to.equal(false);
    });

    it("referenced prefers property dependencies, else resolves the ids a property holds", () => {
      const group = resource("t:group", { id: "sg-1" });
      const other = resource("t:other", { id: "sg-2" });
      const blank = resource("t:group", { id: "" });
      const viaIds = resource("t:lb", { securityGroups: ["sg-1", "sg-2", "sg-9", 5] });
      const index = new StackIndex([group, other, blank, viaIds]);
      expect(index.referenced(viaIds, "securityGroups", ["t:group"])).to.deep.equal([group]);
      expect(index.referenced(viaIds, "securityGroups", ["t:group", "t:other"])).to.deep.equal([
        group,
        other,
      ]);
      expect(index.referenced(viaIds, "missing", ["t:group"])).to.deep.equal([]);
      expect(
        index.referenced(resource("t:lb", { securityGroups: "" }), "securityGroups", ["t:group"]),
      ).to.deep.equal([]);
      const viaDeps = resource(
        "t:lb",
        { securityGroups: ["sg-2"] },
        { propertyDependencies: { securityGroups: [group, other] } },
      );
      expect(index.referenced(viaDeps, "securityGroups", ["t:group"])).to.deep.equal([group]);
      // Property dependencies of the wrong type fall back to the ids.
      const wrongType = resource(
        "t:lb",
        { securityGroups: ["sg-1"] },
        { propertyDependencies: { securityGroups: [other] } },
      );
      expect(index.referenced(wrongType, "securityGroups", ["t:group"])).to.deep.equal([group]);
      const unknownIds = Object.defineProperty({}, "securityGroups", { get: unknownRead });
      expect(index.referenced(resource("t:lb", unknownIds), "securityGroups", ["t:group"])).to.deep.equal([]);
      const unknownId = new StackIndex([
        resource("t:group", Object.defineProperty({}, "id", { get: unknownRead })),
      ]);
      expect(unknownId.referenced(viaIds, "securityGroups", ["t:group"])).to.deep.equal([]);
    });
  });
});
