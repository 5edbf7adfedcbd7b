/**
 * Rollout outcomes of real stacks, recorded in the registry: every attempt in the entry's
 * `lastRollout`, and its `image` when the rollout completed (the registry is the intent, so the
 * next `sync` keeps what ECS runs). Each record is a read-modify-write of the whole file,
 * validated and written atomically, one at a time.
 */
import pLimit from "p-limit";
import { commitRegistry, readRegistry, withRollout } from "../registry/edits";
import { RolloutRecords } from "./ports";

/** Records in `registryFile`. */
export function registryRolloutRecords(registryFile: string): RolloutRecords {
  const writes = pLimit(1);
  return {
    location: registryFile,
    record: (environment, tenantId, record) =>
      writes(() => {
        const fresh = readRegistry(environment, registryFile);
        commitRegistry(fresh, withRollout(fresh, tenantId, record));
      }),
  };
}
