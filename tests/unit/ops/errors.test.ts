import { expect } from "chai";
import {
  AlreadyRunningError,
  ConfigurationError,
  EXIT_CODES,
  InvalidRestoreTargetError,
  InvalidTenantError,
  NotFoundError,
  OperationAbortedError,
  OperationTimeoutError,
  UnexpectedError,
  UsageError,
  toOpsError,
} from "../../../ops/errors";
import { awsError } from "./fixtures";

describe("ops errors", () => {
  it("gives every error type its own documented exit code", () => {
    const codes = [
      [new UnexpectedError("x"), 1],
      [new UsageError("x"), 2],
      [new InvalidTenantError("x"), 3],
      [new NotFoundError("x"), 4],
      [new AlreadyRunningError("x"), 5],
      [new InvalidRestoreTargetError("x"), 6],
      [new OperationTimeoutError("x"), 7],
      [new ConfigurationError("x"), 8],
      [new OperationAbortedError("x"), 130],
    ] as const;
    for (const [error, code] of codes) expect(error.exitCode, error.name).to.equal(code);
    expect(new Set(codes.map(([, code]) => code)).size).to.equal(codes.length);
    expect(Object.values(EXIT_CODES)).to.include.members(codes.map(([, code]) => code));
  });

  it("names each error after its class", () => {
    expect(new InvalidTenantError("x").name).to.equal("InvalidTenantError");
    expect(new OperationTimeoutError("x").name).to.equal("OperationTimeoutError");
  });

  it("keeps typed errors as they are", () => {
    const error = new NotFoundError("gone");
    expect(toOpsError(error)).to.equal(error);
  });

  it("turns an AWS SDK error into an UnexpectedError that keeps the AWS error name", () => {
    const error = toOpsError(
      awsError("AccessDeniedException", "User is not authorized to perform backup:StartBackupJob"),
    );
    expect(error).to.be.instanceOf(UnexpectedError);
    expect(error.exitCode).to.equal(1);
    expect(error.message).to.equal(
      "AccessDeniedException: User is not authorized to perform backup:StartBackupJob",
    );
  });

  it("turns anything else thrown into an UnexpectedError", () => {
    expect(toOpsError("boom").message).to.equal("boom");
    expect(toOpsError(new Error("plain")).message).to.equal("plain");
  });
});
