import { randomBytes } from 'node:crypto';

/**
 * Build ids: typed by hand in Slack commands and used as BullMQ job ids. Lowercase Crockford-style base32 without
 * the easily confused i, l, o and u; a fixed leading "b" keeps ids from being all digits (BullMQ refuses custom job
 * ids that are integers) and makes them recognisable in chat. 8 random characters = 40 bits. There is no ':' (BullMQ
 * uses it as its Redis key separator).
 */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const RANDOM_CHARS = 8;
const PREFIX = 'b';
const BUILD_ID = /^b[0-9a-hjkmnp-tv-z]{8}$/;

/** `random` must return at least 8 bytes; it exists so tests can make ids predictable. */
export function newBuildId(random: () => Uint8Array = () => randomBytes(RANDOM_CHARS)): string {
  const bytes = random();
  if (bytes.length < RANDOM_CHARS)
    throw new Error(`newBuildId needs ${RANDOM_CHARS} random bytes, got ${bytes.length}`);
  let id = PREFIX;
  // 256 is a multiple of 32, so masking keeps every character equally likely.
  for (let i = 0; i < RANDOM_CHARS; i++) id += ALPHABET[(bytes[i] ?? 0) & 31];
  return id;
}

export function isBuildId(s: string): boolean {
  return BUILD_ID.test(s);
}

/**
 * Reads a build id as a person typed it: trims, lowercases and maps the confusable letters the alphabet leaves out
 * (i and l → 1, o → 0). Returns undefined when the result is still not a build id.
 */
export function normaliseBuildId(input: string): string | undefined {
  const id = input.trim().toLowerCase().replace(/[il]/g, '1').replace(/o/g, '0');
  return isBuildId(id) ? id : undefined;
}
