/**
 * Fargate task sizes: the CPU/memory pairs AWS accepts, and the named tiers tenants use.
 *
 * AWS rejects any other pair at RegisterTaskDefinition time, long after `pulumi up` started;
 * validating here turns that into an error before anything is created.
 */
import { z } from "zod";

/** A Fargate task size in CPU units (1024 = 1 vCPU) and MiB. */
export interface TaskSize {
  readonly cpu: number;
  readonly memory: number;
}

/** Valid memory values (MiB) per CPU value, from the ECS developer guide ("Task size"). */
const MEMORY_BY_CPU: ReadonlyMap<number, readonly number[]> = new Map([
  [256, [512, 1024, 2048]],
  [512, range(1024, 4096, 1024)],
  [1024, range(2048, 8192, 1024)],
  [2048, range(4096, 16384, 1024)],
  [4096, range(8192, 30720, 1024)],
  [8192, range(16384, 61440, 4096)],
  [16384, range(32768, 122880, 8192)],
]);

function range(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let v = from; v <= to; v += step) values.push(v);
  return values;
}

/** Named size tiers accepted in the tenants registry next to explicit `cpu/memory` pairs. */
export const SIZE_TIERS: Readonly<Record<string, TaskSize>> = {
  small: { cpu: 256, memory: 512 },
  medium: { cpu: 512, memory: 1024 },
  large: { cpu: 1024, memory: 2048 },
  xlarge: { cpu: 2048, memory: 4096 },
};

/** True when AWS Fargate accepts this CPU/memory pair. */
export function isValidFargateSize(size: TaskSize): boolean {
  return MEMORY_BY_CPU.get(size.cpu)?.includes(size.memory) ?? false;
}

/** Human-readable list of what is allowed, for error messages. */
export function describeAllowedSizes(): string {
  const tiers = Object.entries(SIZE_TIERS)
    .map(([name, s]) => `${name} (${s.cpu}/${s.memory})`)
    .join(", ");
  return `a tier (${tiers}) or a valid Fargate "cpu/memory" pair such as 256/512, 512/1024, 1024/2048, 2048/4096`;
}

/**
 * Parses a size written as a tier name or as "cpu/memory". Returns an error message when the
 * text is not a size Fargate accepts.
 */
export function parseTaskSize(text: string): { size: TaskSize } | { error: string } {
  const tier = SIZE_TIERS[text];
  if (tier) return { size: tier };
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) return { error: `"${text}" is not a size; use ${describeAllowedSizes()}` };
  const size = { cpu: Number(match[1]), memory: Number(match[2]) };
  if (!isValidFargateSize(size)) {
    const memories = MEMORY_BY_CPU.get(size.cpu);
    const hint = memories
      ? `with ${size.cpu} CPU units Fargate allows ${memories[0]}-${memories[memories.length - 1]} MiB`
      : `Fargate CPU values are ${[...MEMORY_BY_CPU.keys()].join(", ")}`;
    return { error: `${text} is not a valid Fargate CPU/memory pair (${hint})` };
  }
  return { size };
}

/**
 * A task size as configuration writes it (a tier name or "cpu/memory", in the registry and in
 * `bbws:tenantSize`) or as a stack configuration carries it (`{ cpu, memory }`), parsed into a
 * TaskSize. Every size BBWS reads goes through this one schema.
 */
export const taskSizeSchema: z.ZodType<TaskSize, z.ZodTypeDef, string | TaskSize> = z.union([
  z.string().transform((text, ctx) => {
    const parsed = parseTaskSize(text);
    if ("error" in parsed) {
      ctx.addIssue({ code: "custom", message: parsed.error });
      return z.NEVER;
    }
    return parsed.size;
  }),
  z
    .object({ cpu: z.number().int(), memory: z.number().int() })
    .strict()
    .refine(isValidFargateSize, (size) => ({
      message: `${formatTaskSize(size)} is not a valid Fargate CPU/memory pair (${describeAllowedSizes()})`,
    })),
]);

/** Formats a size the way the registry writes it. */
export function formatTaskSize(size: TaskSize): string {
  return `${size.cpu}/${size.memory}`;
}
