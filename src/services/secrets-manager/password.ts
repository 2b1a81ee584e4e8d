/**
 * GetRandomPassword (API reference): a password of `PasswordLength` (1-4096, default 32)
 * characters from the included character classes, at least one of each unless
 * `RequireEachIncludedType` is false. Randomness is crypto.getRandomValues with rejection
 * sampling, so every allowed character is equally likely.
 */
import { SecretsManagerServiceException } from '../errors.js';
import type { GetRandomPasswordRequest } from './types.js';

// The punctuation set the API reference lists for ExcludePunctuation.
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const CLASSES = {
  lower: 'abcdefghijklmnopqrstuvwxyz',
  upper: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  numbers: '0123456789',
  punctuation: PUNCTUATION,
  space: ' ',
} as const;

function randomIndex(n: number): number {
  // Rejection sampling over 32-bit values: no modulo bias.
  const limit = Math.floor(0x1_0000_0000 / n) * n;
  const buffer = new Uint32Array(1);
  for (;;) {
    crypto.getRandomValues(buffer);
    if (buffer[0]! < limit) return buffer[0]! % n;
  }
}

/** A random password as GetRandomPassword makes it. */
export function randomPassword(request: GetRandomPasswordRequest): string {
  const length = request.PasswordLength ?? 32;
  const excluded = new Set(request.ExcludeCharacters ?? '');
  const classes: string[] = [];
  const add = (chars: string) => {
    const kept = [...chars].filter((c) => !excluded.has(c)).join('');
    if (kept.length > 0) classes.push(kept);
  };
  if (!request.ExcludeLowercase) add(CLASSES.lower);
  if (!request.ExcludeUppercase) add(CLASSES.upper);
  if (!request.ExcludeNumbers) add(CLASSES.numbers);
  if (!request.ExcludePunctuation) add(CLASSES.punctuation);
  if (request.IncludeSpace) add(CLASSES.space);
  if (classes.length === 0) throw new SecretsManagerServiceException('InvalidParameterException', 'The password would have no characters to choose from: every character class is excluded.');
  const requireEach = request.RequireEachIncludedType ?? true;
  if (requireEach && length < classes.length) {
    throw new SecretsManagerServiceException('InvalidParameterException', `PasswordLength ${length} is too short to include one character of each of the ${classes.length} included types.`);
  }
  const all = classes.join('');
  const chars = Array.from({ length }, () => all[randomIndex(all.length)]!);
  if (requireEach) {
    // Put one character of each class at distinct random positions.
    const positions = [...Array(length).keys()];
    for (const cls of classes) {
      const at = positions.splice(randomIndex(positions.length), 1)[0]!;
      chars[at] = cls[randomIndex(cls.length)]!;
    }
  }
  return chars.join('');
}
