/**
 * What the kit worker and its batch helpers say to each other (comlink, one helper per port).
 * Kept beside the pool, not in src/protocol.ts: the page never talks to a helper.
 */
import type { BranchKeyMaterials, EncryptionContext, SignatureHashName, SigningKey, SuiteId } from '../../src/core/index.js';
import type { BatchDecryptResult, WireError } from '../../src/client/protocol.js';

/**
 * Where a helper gets branch key materials: the kit worker, which fetched them through KMS once and
 * hands over the branch key as the same non-extractable CryptoKey (structured clone keeps a
 * CryptoKey non-extractable), so the key's bytes never exist in a helper.
 */
export interface HelperKeySource {
  /** The ACTIVE version when `version` is undefined; `ttlSeconds` bounds how long the kit worker may reuse what it fetched. */
  materials(branchKeyId: string, version: string | undefined, ttlSeconds: number): Promise<BranchKeyMaterials>;
}

/** Options of one helper's share of an encrypt batch (those of the kit's encryptMany, checked). */
export interface HelperEncryptOptions {
  readonly branchKeyId: string;
  readonly encryptionContext: EncryptionContext;
  readonly suiteId?: SuiteId;
  readonly ttlSeconds: number;
}

/** A helper's result for a decrypt record it may not decrypt (no branch key copy): the kit worker does it. */
export interface NotForHelper {
  readonly elsewhere: true;
  /** The message, handed back (its buffer transferred). */
  readonly message: Uint8Array<ArrayBuffer>;
}

/**
 * What a helper posts, as a plain message beside comlink's, once its module has evaluated and its
 * API is exposed. The pool sends nothing before it: a message that reached a module worker before
 * its `expose` ran would find no listener and leave its caller waiting forever, so the pool does
 * not rely on when an engine starts delivering messages to a module worker that is still loading.
 * comlink ignores messages without an id, so this one never reaches its answer handling.
 */
export const HELPER_READY = 'envelope-kit batch helper ready' as const;

/** The API a helper exposes. Errors come back as values ({@link WireError}) so their class and code survive. */
export interface BatchHelperApi {
  /** Once, after {@link HELPER_READY} and before any batch (the pool awaits it): the port that serves {@link HelperKeySource}, and the kit's name (its branch key store's names derive from it). */
  init(keys: MessagePort, kitName: string): Promise<void>;
  encryptMany(records: Uint8Array<ArrayBuffer>[], options: HelperEncryptOptions): Promise<{ messages: Uint8Array<ArrayBuffer>[] } | { error: WireError }>;
  decryptMany(messages: Uint8Array<ArrayBuffer>[], encryptionContext: EncryptionContext | undefined): Promise<(BatchDecryptResult | NotForHelper)[]>;
  /**
   * Hashes one signed message's header and body beside the kit worker (offload.ts): `port` then
   * carries the message's bytes in order (Uint8Array messages), and `HASH_DIGEST` asks for the
   * digest, which comes back on `port` (or a {@link WireError}); `HASH_END` drops the session
   * (src/client/port-hash.ts).
   * Resolves once the hash is ready.
   */
  hashSession(port: MessagePort, hash: SignatureHashName): Promise<void>;
  /** `count` fresh non-extractable ECDSA signing keys on `curve`, for signed messages of the kit worker. */
  signingKeys(curve: 'P-256' | 'P-384', count: number): Promise<SigningKey[]>;
}
