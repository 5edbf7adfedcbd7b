import { expect } from "chai";
import { BbwsError, RollbackDetectedError, toBbwsError } from "../../../lib/errors";
import { EXIT, ExitKind, combineKinds, kindOfExitCode, renderExitCodes } from "../../../lib/exitCodes";
import { StackLockedError } from "../../../tenants/lifecycle/lockRetry";
import { RegistryError } from "../../../tenants/registry/load";
import { ConfigError } from "../../../config/platformConfig";
import { StackRunError } from "../../../offline/stackRun";
import { awsError } from "../ops/fixtures";

describe("errors and the exit-code table", () => {
  it("gives every kind its own exit code", () => {
    const codes = Object.values(EXIT).map((row) => row.code);
    expect(new Set(codes).size).to.equal(codes.length);
    for (const kind of Object.keys(EXIT) as ExitKind[])
      expect(kindOfExitCode(EXIT[kind].code)).to.equal(kind);
  });

  it("maps each error to the code of its kind, whatever module raised it", () => {
    const cases: [BbwsError, ExitKind][] = [
      [new BbwsError("timeout", "x"), "timeout"],
      [new RollbackDetectedError("x"), "failed"],
      [new StackLockedError("dev.acme", "/tmp", 5, "locked by ci"), "busy"],
      [new RegistryError("tenants/dev.yaml", [{ file: "tenants/dev.yaml", message: "bad" }]), "invalidInput"],
      [new ConfigError("Pulumi.dev.yaml", [{ key: "bbws:domain", message: "required" }]), "invalidInput"],
      [new StackRunError("dev.acme", [{ message: "boom" }]), "failed"],
    ];
    for (const [error, kind] of cases) {
      expect(error.kind, error.name).to.equal(kind);
      expect(error.exitCode, error.name).to.equal(EXIT[kind].code);
      expect(error).to.be.instanceOf(BbwsError);
    }
  });

  it("names each error after its class", () => {
    expect(new BbwsError("notFound", "x").name).to.equal("BbwsError");
    expect(new StackLockedError("dev.acme", "/tmp", 1, "x").name).to.equal("StackLockedError");
  });

  it("keeps typed errors as they are", () => {
    const error = new BbwsError("notFound", "gone");
    expect(toBbwsError(error)).to.equal(error);
  });

  it("turns an AWS SDK error into a failure that keeps the AWS error name", () => {
    const error = toBbwsError(
      awsError("AccessDeniedException", "User is not authorized to perform backup:StartBackupJob"),
    );
    expect(error.kind).to.equal("failed");
    expect(error.exitCode).to.equal(1);
    expect(error.message).to.equal(
      "AccessDeniedException: User is not authorized to perform backup:StartBackupJob",
    );
  });

  it("recognizes Pulumi's errors by name: a lock is busy, a missing CLI a missing prerequisite", () => {
    const lock = Object.assign(
      new Error("code: 255\n stderr: error: the stack is currently locked by 1 lock(s)"),
      {
        name: "ConcurrentUpdateError",
      },
    );
    expect(toBbwsError(lock).kind).to.equal("busy");
    expect(toBbwsError(lock).message).to.match(/currently locked by/);
    const missing = new Error("spawn pulumi ENOENT");
    expect(toBbwsError(missing).kind).to.equal("prerequisite");
    expect(toBbwsError(missing).message).to.match(/Pulumi CLI was not found on PATH/);
    const command = Object.assign(new Error("code: 1\n stdout: noise\n stderr: error: preview failed\n"), {
      name: "CommandError",
    });
    expect(toBbwsError(command).message).to.equal("error: preview failed");
  });

  it("turns anything else thrown into a failure", () => {
    expect(toBbwsError("boom").message).to.equal("boom");
    expect(toBbwsError(new Error("plain")).message).to.equal("plain");
    expect(toBbwsError(new Error("plain")).kind).to.equal("failed");
  });

  it("ranks mixed fleet outcomes: refused over busy over timeout over the rest over failed", () => {
    expect(combineKinds(["failed", "timeout", "busy", "refused"])).to.equal("refused");
    expect(combineKinds(["failed", "timeout", "busy"])).to.equal("busy");
    expect(combineKinds(["failed", "timeout"])).to.equal("timeout");
    expect(combineKinds(["failed", "notFound"])).to.equal("notFound");
    expect(combineKinds(["ok", "failed"])).to.equal("failed");
    expect(combineKinds([])).to.equal("ok");
  });

  it("prints every row of the table in --help", () => {
    const help = renderExitCodes();
    for (const row of Object.values(EXIT)) expect(help).to.include(`${row.code}  ${row.meaning}`);
  });
});
