/** Errors of the cost model. */

/**
 * The cost model cannot price what it was given: an unknown region, a resource input it cannot
 * read (an unparsable schedule, a non-Fargate capacity provider) or an invalid assumption. The
 * message names the tenant or resource, the value received and what would work instead.
 */
import { BbwsError } from "../../lib/errors";
export class CostModelError extends BbwsError {
  constructor(message: string) {
    super("invalidInput", message);
  }
}
