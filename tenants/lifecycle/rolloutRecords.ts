/**
 * Rollout outcomes of real stacks, recorded in the registry: every attempt in the entry's
 * `lastRollout`, and its `image` when the rollout completed (the registry is the intent, so the
 * next `sync` keeps what ECS runs). Each record is a read-modify-write of the whole file,
 * validated and written atomically, one at a time.
 */
import * as fs from "fs";
import * as path from "path";
import pLimit from "p-limit";
import { writeFileAtomic } from "../../lib/atomicWrite";
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

/**
 * Records as one JSON file per tenant, `<dir>/<env>/<tenant>.json` (`--records-dir`): shards
 * of a rollout on several machines never write the same file, and a CI job collects the
 * files as artifacts. Each file is written atomically and holds the tenant's RolloutRecord.
 */
export function directoryRolloutRecords(dir: string): RolloutRecords {
  const root = path.resolve(dir);
  return {
    location: `${root}${path.sep}<env>${path.sep}<tenant>.json`,
    record: (environment, tenantId, record) => {
      const file = path.join(root, environment, `${tenantId}.json`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      writeFileAtomic(file, `${JSON.stringify({ environment, tenantId, ...record }, null, 2)}\n`);
      return Promise.resolve();
    },
  };
}
