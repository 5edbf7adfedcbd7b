/**
 * Deterministic fake identifiers: the same resource gets the same id, ARN and DNS name on
 * every run, so plans can be diffed and tests can assert exact values.
 */
import { createHash } from "crypto";

/** The account every offline stack lives in. Not a real account. */
export const OFFLINE_ACCOUNT_ID = "123456789012";

/** Lower-case hex digest of `seed`, `length` characters long. */
export function hex(seed: string, length: number): string {
  let out = "";
  for (let round = 0; out.length < length; round++) {
    out += createHash("sha256").update(`${round}:${seed}`).digest("hex");
  }
  return out.slice(0, length);
}

/** Digits derived from `seed` (for ALB DNS names, revisions and the like). */
export function digits(seed: string, length: number): string {
  return hex(seed, length)
    .split("")
    .map((c) => String(parseInt(c, 16) % 10))
    .join("");
}

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** Alphanumeric text derived from `seed` (fake generated passwords). */
export function alphanumeric(seed: string, length: number): string {
  const source = hex(seed, length * 2);
  let out = "";
  for (let i = 0; i < length; i++)
    out += ALPHANUMERIC[parseInt(source.slice(i * 2, i * 2 + 2), 16) % ALPHANUMERIC.length];
  return out;
}

/** A UUID-shaped identifier derived from `seed`. */
export function uuid(seed: string): string {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Pulumi's auto-naming: the logical name plus a 7-character suffix, capped at `max` characters. */
export function autoName(logicalName: string, max = 255): string {
  const suffix = `-${hex(`autoname:${logicalName}`, 7)}`;
  return logicalName.slice(0, Math.max(1, max - suffix.length)) + suffix;
}
