/** Queries over the resources a stack run recorded. */
import { expect } from "chai";
import { RecordedResource, StackRun } from "../../offline/stackRun";

/** Every resource of a Pulumi type token. */
export function ofType(run: StackRun, type: string): RecordedResource[] {
  return run.resources.filter((r) => r.type === type);
}

/** The single resource of a type (optionally whose logical name matches), failing otherwise. */
export function single(run: StackRun, type: string, name?: RegExp): RecordedResource {
  const found = ofType(run, type).filter((r) => !name || name.test(r.name));
  expect(found, `exactly one ${type}${name ? ` named ${String(name)}` : ""}`).to.have.length(1);
  return found[0];
}

/** The resource whose id (or ARN) is `idOrArn`. */
export function byId(run: StackRun, idOrArn: unknown): RecordedResource | undefined {
  return run.resources.find((r) => r.id === idOrArn);
}

/** Parses a JSON string input (IAM policies, container definitions). */
export function json<T = unknown>(value: unknown): T {
  expect(value, "a JSON string").to.be.a("string");
  return JSON.parse(value as string) as T;
}

/** Logical name of a tenant's service task definition (`<id>-task`, not its `<id>-install-task`). */
export const SERVICE_TASK = /^(?!.*-install-task$).*-task$/;
