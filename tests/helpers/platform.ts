/** The platform contract a platform run exported, parsed as every reader parses it. */
import { PlatformContract, parsePlatformContract } from "../../config/platformContract";
import { StackRun } from "../../offline/stackRun";

/** Parses a platform run's outputs (stack `dev`, `prod`...) as the platform contract. */
export function contractOf(run: StackRun): PlatformContract {
  return parsePlatformContract(run.outputs, { stack: run.stack, environment: run.stack });
}
