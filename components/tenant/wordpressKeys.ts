/**
 * WordPress authentication keys and salts. The official image generates new random ones at
 * every container start when they are not given, which logs users out whenever a task is
 * replaced and breaks sessions across tasks; each tenant gets eight fixed values instead.
 *
 * The eight values are derived from one random seed with HMAC-SHA256 (one key per name), so a
 * single random resource per tenant produces them and they never change unless the seed does.
 */
import { createHmac } from "crypto";

/** The eight names, as the image's `WORDPRESS_<NAME>` variables and wp-config constants. */
export const WORDPRESS_KEY_NAMES = [
  "AUTH_KEY",
  "SECURE_AUTH_KEY",
  "LOGGED_IN_KEY",
  "NONCE_KEY",
  "AUTH_SALT",
  "SECURE_AUTH_SALT",
  "LOGGED_IN_SALT",
  "NONCE_SALT",
] as const;

export type WordPressKeys = Record<(typeof WORDPRESS_KEY_NAMES)[number], string>;

/** Derives the eight 64-character values from a secret seed (base64 or any text). */
export function deriveWordPressKeys(seed: string): WordPressKeys {
  if (seed.length < 32)
    throw new Error("the WordPress key seed must hold at least 32 characters of randomness");
  const keys = {} as WordPressKeys;
  for (const name of WORDPRESS_KEY_NAMES) {
    const part = (label: string) => createHmac("sha256", seed).update(label).digest("base64url");
    keys[name] = (part(`bbws:wordpress:${name}:1`) + part(`bbws:wordpress:${name}:2`)).slice(0, 64);
  }
  return keys;
}
