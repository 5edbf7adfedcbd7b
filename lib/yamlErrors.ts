/**
 * YAML problems as an operator reads them: the line of the file (1-based, always a line the
 * file has), what is wrong in words, the duplicated key by name, and a resource-exhaustion
 * attempt (an alias "billion laughs") refused as such rather than crashing the command.
 */
import { YAMLError } from "yaml";

/** Aliases a document may expand; the `yaml` package's default, stated here on purpose. */
export const MAX_YAML_ALIASES = 100;

/** One described YAML problem. */
export interface YamlProblem {
  readonly line?: number;
  readonly message: string;
}

/** The 1-based line of `offset` in `text`, clamped to the file's lines. */
export function lineAt(text: string, offset: number): number {
  const lines = text.split("\n").length;
  const line = text.slice(0, Math.max(0, offset)).split("\n").length;
  return Math.min(Math.max(1, line), lines);
}

/** True for the error the `yaml` package throws when aliases expand past `maxAliasCount`. */
export function isAliasExhaustion(error: unknown): boolean {
  return error instanceof Error && /Excessive alias count/i.test(error.message);
}

/** Describes anything the `yaml` package raised while reading `text`. */
export function describeYamlError(error: unknown, text: string): YamlProblem {
  if (isAliasExhaustion(error)) {
    return {
      message: `YAML aliases expand past ${MAX_YAML_ALIASES} references (a resource-exhaustion "billion laughs" document?); refused without expanding it`,
    };
  }
  if (!(error instanceof YAMLError))
    return { message: error instanceof Error ? error.message : String(error) };
  const offset = error.pos?.[0] ?? 0;
  const line = lineAt(text, offset);
  const first = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
  if (error.code === "DUPLICATE_KEY") {
    const key = /^\s*["']?(.+?)["']?\s*:(?:\s|$)/.exec(text.slice(offset))?.[1]?.trim();
    if (key) {
      const previous = findKeyLine(text, key, line);
      return {
        line,
        message: `duplicate key "${key}"${previous ? ` (already set at line ${previous})` : ""}; a key may appear once per mapping`,
      };
    }
  }
  if (/^Flow (sequence|mapping)/.test(first)) {
    // The parser notices an unclosed [ or { where the next key starts; point at the opener.
    const opened = unclosedFlowLine(text, offset);
    if (opened) {
      const source = text.split("\n")[opened - 1].trim();
      return {
        line: opened,
        message: `YAML syntax error: a "${source.includes("[") ? "[" : "{"}" opened here is never closed (line ${opened}: ${JSON.stringify(source)})`,
      };
    }
  }
  const source = text.split("\n")[line - 1]?.trim();
  return {
    line,
    message: `YAML syntax error: ${first}${source ? ` (line ${line}: ${JSON.stringify(source)})` : ""}`,
  };
}

/** The line of the last `[` or `{` before `offset` that has no matching close. */
function unclosedFlowLine(text: string, offset: number): number | undefined {
  const stack: number[] = [];
  let quote: string | undefined;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "#") while (i < offset && text[i] !== "\n") i++;
    else if (c === "[" || c === "{") stack.push(i);
    else if ((c === "]" || c === "}") && stack.length > 0) stack.pop();
  }
  return stack.length > 0 ? lineAt(text, stack[stack.length - 1]) : undefined;
}

/** The nearest line before `before` that sets `key` at the same or a lower indentation. */
function findKeyLine(text: string, key: string, before: number): number | undefined {
  const lines = text.split("\n");
  const indent = /^\s*/.exec(lines[before - 1] ?? "")?.[0].length ?? 0;
  for (let i = before - 2; i >= 0; i--) {
    const match = /^(\s*)(?:- )?["']?(.+?)["']?\s*:(?:\s|$)/.exec(lines[i]);
    if (match && match[2].trim() === key && match[1].length <= indent) return i + 1;
  }
  return undefined;
}
