/**
 * How ECS spreads a service's tasks over FARGATE and FARGATE_SPOT from its capacity provider
 * strategy: the provider with a `base` gets that many tasks first, the rest are shared by
 * `weight` ("a weight of 1 for A and 4 for B: for every task on A, four run on B", ECS
 * CapacityProviderStrategyItem). Tasks are whole: each provider gets the whole part of its
 * weighted share and leftover tasks go to the largest fractional remainders (largest-remainder
 * rounding; ties to the larger weight, then to the earlier entry). So base 1 + weights 1:4 puts
 * 2 tasks as 1 on-demand + 1 Spot, and 6 tasks as 2 + 4.
 */
import { CostModelError } from "./errors";

/** One entry of a capacity provider strategy, as `aws.ecs.Service` takes it. */
export interface StrategyItem {
  readonly capacityProvider: string;
  /** @default 0 */
  readonly base?: number;
  /** @default 0 */
  readonly weight?: number;
}

/** Whole tasks on each Fargate capacity provider. */
export interface TaskSplit {
  readonly onDemand: number;
  readonly spot: number;
}

const FARGATE_PROVIDERS = ["FARGATE", "FARGATE_SPOT"] as const;

/** Validates a strategy the way ECS would reject it, with the reason. */
export function validateStrategy(strategy: readonly StrategyItem[], where: string): void {
  if (strategy.length === 0) throw new CostModelError(`${where}: the capacity provider strategy is empty`);
  const seen = new Set<string>();
  for (const item of strategy) {
    if (!(FARGATE_PROVIDERS as readonly string[]).includes(item.capacityProvider)) {
      throw new CostModelError(
        `${where}: capacity provider "${item.capacityProvider}" is not FARGATE or FARGATE_SPOT; ` +
          "the cost model prices Fargate tasks only",
      );
    }
    if (seen.has(item.capacityProvider)) {
      throw new CostModelError(`${where}: capacity provider ${item.capacityProvider} appears twice`);
    }
    seen.add(item.capacityProvider);
    for (const field of ["base", "weight"] as const) {
      const value = item[field] ?? 0;
      if (!Number.isInteger(value) || value < 0) {
        throw new CostModelError(
          `${where}: ${item.capacityProvider} ${field} must be a whole number >= 0, got ${JSON.stringify(item[field])}`,
        );
      }
    }
  }
  const withBase = strategy.filter((s) => (s.base ?? 0) > 0);
  if (withBase.length > 1) {
    throw new CostModelError(
      `${where}: only one capacity provider may have a base, got ${withBase.map((s) => s.capacityProvider).join(" and ")}`,
    );
  }
}

/** Splits `tasks` running tasks over on-demand and Spot per `strategy` (see the file comment). */
export function splitTasks(tasks: number, strategy: readonly StrategyItem[], where = "service"): TaskSplit {
  validateStrategy(strategy, where);
  if (!Number.isInteger(tasks) || tasks < 0) {
    throw new CostModelError(`${where}: a task count must be a whole number >= 0, got ${tasks}`);
  }
  const counts = strategy.map(() => 0);
  const baseIndex = strategy.findIndex((s) => (s.base ?? 0) > 0);
  let remaining = tasks;
  if (baseIndex >= 0) {
    counts[baseIndex] = Math.min(strategy[baseIndex].base ?? 0, tasks);
    remaining -= counts[baseIndex];
  }
  if (remaining > 0) {
    const weights = strategy.map((s) => s.weight ?? 0);
    const total = weights.reduce((a, b) => a + b, 0);
    if (total === 0) {
      throw new CostModelError(
        `${where}: ${remaining} task(s) above the base have nowhere to run: every weight is 0`,
      );
    }
    const shares = weights.map((w) => (remaining * w) / total);
    const whole = shares.map(Math.floor);
    let leftover = remaining - whole.reduce((a, b) => a + b, 0);
    const byRemainder = shares
      .map((share, index) => ({ index, remainder: share - whole[index], weight: weights[index] }))
      .sort((a, b) => b.remainder - a.remainder || b.weight - a.weight || a.index - b.index);
    for (const { index } of byRemainder) {
      if (leftover === 0) break;
      whole[index] += 1;
      leftover -= 1;
    }
    whole.forEach((n, index) => (counts[index] += n));
  }
  const on = (provider: string) =>
    strategy.reduce((sum, s, index) => sum + (s.capacityProvider === provider ? counts[index] : 0), 0);
  return { onDemand: on("FARGATE"), spot: on("FARGATE_SPOT") };
}
