/**
 * Key ids, key ARNs, alias names and alias ARNs: how AWS KMS spells them and how a KeyId parameter
 * is read. AWS accepts four forms (API reference, any operation's KeyId): key id
 * `1234abcd-12ab-34cd-56ef-1234567890ab` (or `mrk-` + 32 hex digits for multi-Region keys), key ARN
 * `arn:aws:kms:<region>:<account>:key/<key id>`, alias name `alias/<name>` and alias ARN
 * `arn:aws:kms:<region>:<account>:alias/<name>`. Management operations take only the first two.
 */
import { kmsError } from '../errors.js';
import { randomBytes } from '../../core/bytes.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MRK = /^mrk-[0-9a-f]{32}$/;
/** Alias names: `alias/` then letters, digits, slashes, underscores, dashes (API reference, CreateAlias). */
const ALIAS = /^alias\/[a-zA-Z0-9/_-]+$/;
const ARN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):(key|alias)\/(.+)$/;

export type KeyReference =
  | { kind: 'key'; keyId: string; region?: string; account?: string; text: string }
  | { kind: 'alias'; aliasName: string; region?: string; account?: string; text: string };

export function isKeyId(id: string): boolean {
  return UUID.test(id) || MRK.test(id);
}

/** A new key id: a random UUID v4, or `mrk-` + 32 hex digits for a multi-Region key. */
export function newKeyId(multiRegion: boolean): string {
  const bytes = randomBytes(16);
  let hex = '';
  if (multiRegion) {
    for (const b of bytes) hex += b.toString(16).padStart(2, '0');
    return `mrk-${hex}`;
  }
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const keyArn = (region: string, account: string, keyId: string) => `arn:aws:kms:${region}:${account}:key/${keyId}`;
export const aliasArn = (region: string, account: string, aliasName: string) => `arn:aws:kms:${region}:${account}:${aliasName}`;

/**
 * Reads a KeyId parameter. `allowAlias` is false for the operations that AWS documents as taking a
 * key id or key ARN only. Throws InvalidArnException for a malformed ARN and NotFoundException for
 * anything else it cannot read (AWS's answer to an unknown key reference).
 */
export function parseKeyReference(text: string, allowAlias: boolean): KeyReference {
  if (text.startsWith('arn:')) {
    const m = ARN.exec(text);
    if (!m) throw kmsError('InvalidArnException', `Invalid arn ${text}`);
    const [, , region, account, type, rest] = m as unknown as [string, string, string, string, 'key' | 'alias', string];
    if (type === 'alias') {
      if (!allowAlias) throw kmsError('NotFoundException', `Invalid keyId ${text}`);
      const aliasName = `alias/${rest}`;
      if (!ALIAS.test(aliasName)) throw kmsError('InvalidArnException', `Invalid arn ${text}`);
      return { kind: 'alias', aliasName, region, account, text };
    }
    if (!isKeyId(rest)) throw kmsError('NotFoundException', `Invalid keyId ${text}`);
    return { kind: 'key', keyId: rest, region, account, text };
  }
  if (text.startsWith('alias/')) {
    if (!allowAlias) throw kmsError('NotFoundException', `Invalid keyId ${text}`);
    return { kind: 'alias', aliasName: text, text };
  }
  if (!isKeyId(text)) throw kmsError('NotFoundException', `Invalid keyId ${text}`);
  return { kind: 'key', keyId: text, text };
}

/** Checks an alias name for CreateAlias / UpdateAlias / DeleteAlias. */
export function checkAliasName(name: string): void {
  if (!ALIAS.test(name) || name.length > 256) {
    throw kmsError('InvalidAliasNameException', `Alias must start with the prefix "alias/" followed by letters, digits, '/', '_' or '-': ${name}`);
  }
  // AWS managed keys own this prefix; customers may not create or change such aliases.
  if (name.startsWith('alias/aws/')) {
    throw kmsError('InvalidAliasNameException', `Alias must not begin with the reserved prefix "alias/aws/": ${name}`);
  }
}

/** The 64-hex-digit KeyMaterialId of a key material version, from 32 random or derived bytes. */
export function materialIdFrom(bytes: Uint8Array): string {
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return hex;
}
