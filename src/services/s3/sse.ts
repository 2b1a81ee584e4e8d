/**
 * The four server-side encryption modes of Amazon S3, over the simulated KMS (S3 User Guide,
 * "Protecting data with server-side encryption"). Every object body is AES-256-GCM under a data key
 * of its own; what differs is who holds that key:
 *
 * | mode | data key | S3 User Guide section |
 * | --- | --- | --- |
 * | `AES256` (SSE-S3) | sealed under the region's S3 service key, which no caller sees | "Using server-side encryption with Amazon S3 managed keys" |
 * | `aws:kms` (SSE-KMS) | GenerateDataKey under the KMS key, context `aws:s3:arn` = object ARN | "Using server-side encryption with AWS KMS keys" |
 * | `aws:kms` + Bucket Key | sealed under a bucket-level key that one GenerateDataKey (context = bucket ARN) made and S3 reuses for a while | "Reducing the cost of SSE-KMS with Amazon S3 Bucket Keys" |
 * | `aws:kms:dsse` (DSSE-KMS) | two layers, each under its own GenerateDataKey data key | "Using dual-layer server-side encryption with AWS KMS keys" |
 * | SSE-C | the customer's key, sent with every request and never stored: only a salted HMAC of it is, to recognise it next time | "Using server-side encryption with customer-provided keys" |
 */
import { md5 } from '@noble/hashes/legacy.js';
import { constantTimeEqual, fromBase64, randomBytes, toBase64, utf8, zero } from '../../core/bytes.js';
import type { Bytes } from '../../core/types.js';
import type { KmsRegionClient } from '../../kms/client.js';
import { S3ServiceException } from '../service-error.js';

/** How a stored object's data key is held (persisted with the object; never a plaintext key). */
export type StoredEncryption =
  | { readonly mode: 'AES256'; readonly sealedKey: Bytes; readonly sealIv: Bytes }
  | {
      readonly mode: 'aws:kms';
      readonly keyArn: string;
      /** The context of the KMS call (object or bucket ARN, plus the caller's own pairs). */
      readonly context: Record<string, string>;
      /** The caller's SSEKMSEncryptionContext pairs, replayed in responses. */
      readonly userContext?: Record<string, string>;
      /** Without a Bucket Key: the object's data key as KMS encrypted it. */
      readonly blob?: Bytes;
      /** With a Bucket Key: the bucket-level key as KMS encrypted it, and the object key sealed under it. */
      readonly bucketKey?: { readonly blob: Bytes; readonly sealedKey: Bytes; readonly sealIv: Bytes };
    }
  | {
      readonly mode: 'aws:kms:dsse';
      readonly keyArn: string;
      readonly context: Record<string, string>;
      readonly userContext?: Record<string, string>;
      /** Inner layer first: the body is sealed under layer 0's key, then that ciphertext under layer 1's. */
      readonly layers: readonly [{ readonly blob: Bytes; readonly iv: Bytes }, { readonly blob: Bytes; readonly iv: Bytes }];
    }
  | { readonly mode: 'SSE-C'; readonly salt: Bytes; readonly check: Bytes; readonly keyMD5: string };

/** A body as stored: ciphertext and how to open it. */
export interface SealedBody {
  readonly iv: Bytes;
  readonly ciphertext: Bytes;
  readonly encryption: StoredEncryption;
}

const s3Error = (name: string, message: string, status: number, cause?: unknown) => new S3ServiceException(name, message, { status, ...(cause !== undefined ? { cause } : {}) });

async function gcmKey(bytes: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', bytes as Bytes, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

async function seal(key: CryptoKey, plaintext: Uint8Array, iv: Bytes, aad?: Bytes): Promise<Bytes> {
  return new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, ...(aad ? { additionalData: aad } : {}) }, key, plaintext as Bytes));
}

async function open(key: CryptoKey, ciphertext: Uint8Array, iv: Bytes, aad?: Bytes): Promise<Bytes> {
  return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv, ...(aad ? { additionalData: aad } : {}) }, key, ciphertext as Bytes));
}

/** Seals `body` under a fresh 256-bit key; returns the key bytes for the caller to protect, then zero. */
async function sealUnderFreshKey(body: Uint8Array): Promise<{ dataKey: Bytes; iv: Bytes; ciphertext: Bytes }> {
  const dataKey = randomBytes(32);
  const iv = randomBytes(12);
  return { dataKey, iv, ciphertext: await seal(await gcmKey(dataKey), body, iv) };
}

/** SSE-S3: the data key sealed under the region's service key, bound to the object's ARN. */
export async function sealSseS3(serviceKey: CryptoKey, objectArn: string, body: Uint8Array): Promise<SealedBody> {
  const { dataKey, iv, ciphertext } = await sealUnderFreshKey(body);
  const sealIv = randomBytes(12);
  const sealedKey = await seal(serviceKey, dataKey, sealIv, utf8(objectArn));
  zero(dataKey);
  return { iv, ciphertext, encryption: { mode: 'AES256', sealedKey, sealIv } };
}

/**
 * SSE-KMS without a Bucket Key: one GenerateDataKey per object (S3 User Guide, "Using SSE-KMS":
 * "Amazon S3 ... requests a unique data key for each object").
 */
export async function sealSseKms(kms: KmsRegionClient, request: { keyId: string; context: Record<string, string>; userContext?: Record<string, string> }, body: Uint8Array): Promise<SealedBody> {
  const generated = await kms.generateDataKey({ KeyId: request.keyId, KeySpec: 'AES_256', EncryptionContext: request.context });
  const iv = randomBytes(12);
  const ciphertext = await seal(await gcmKey(generated.Plaintext), body, iv);
  zero(generated.Plaintext);
  return {
    iv,
    ciphertext,
    encryption: { mode: 'aws:kms', keyArn: generated.KeyId, context: request.context, ...(request.userContext ? { userContext: request.userContext } : {}), blob: new Uint8Array(generated.CiphertextBlob) },
  };
}

/** A bucket-level key in use: the KMS-encrypted copy stored with each object, and the key itself. */
export interface BucketKey {
  readonly keyArn: string;
  readonly blob: Bytes;
  readonly key: CryptoKey;
}

/** SSE-KMS with a Bucket Key: the object's own key sealed under the bucket-level key, no KMS call. */
export async function sealWithBucketKey(bucketKey: BucketKey, request: { context: Record<string, string>; userContext?: Record<string, string>; objectArn: string }, body: Uint8Array): Promise<SealedBody> {
  const { dataKey, iv, ciphertext } = await sealUnderFreshKey(body);
  const sealIv = randomBytes(12);
  const sealedKey = await seal(bucketKey.key, dataKey, sealIv, utf8(request.objectArn));
  zero(dataKey);
  return {
    iv,
    ciphertext,
    encryption: {
      mode: 'aws:kms',
      keyArn: bucketKey.keyArn,
      context: request.context,
      ...(request.userContext ? { userContext: request.userContext } : {}),
      bucketKey: { blob: bucketKey.blob, sealedKey, sealIv },
    },
  };
}

/** DSSE-KMS: two independent layers, two data keys (two GenerateDataKey calls with the same context). */
export async function sealDsseKms(kms: KmsRegionClient, request: { keyId: string; context: Record<string, string>; userContext?: Record<string, string> }, body: Uint8Array): Promise<SealedBody> {
  const inner = await kms.generateDataKey({ KeyId: request.keyId, KeySpec: 'AES_256', EncryptionContext: request.context });
  const outer = await kms.generateDataKey({ KeyId: request.keyId, KeySpec: 'AES_256', EncryptionContext: request.context });
  const innerIv = randomBytes(12);
  const outerIv = randomBytes(12);
  const once = await seal(await gcmKey(inner.Plaintext), body, innerIv);
  const ciphertext = await seal(await gcmKey(outer.Plaintext), once, outerIv);
  zero(inner.Plaintext);
  zero(outer.Plaintext);
  return {
    iv: outerIv,
    ciphertext,
    encryption: {
      mode: 'aws:kms:dsse',
      keyArn: inner.KeyId,
      context: request.context,
      ...(request.userContext ? { userContext: request.userContext } : {}),
      layers: [
        { blob: new Uint8Array(inner.CiphertextBlob), iv: innerIv },
        { blob: new Uint8Array(outer.CiphertextBlob), iv: outerIv },
      ],
    },
  };
}

/** A customer key as a request gives it, checked: algorithm AES256, 256 bits, MD5 matching. */
export interface CustomerKey {
  readonly key: Bytes;
  readonly keyMD5: string;
}

/**
 * Reads and checks the SSE-C members of a request (S3 User Guide, "Specifying server-side
 * encryption with customer-provided keys": the algorithm must be AES256, the key 256 bits, and the
 * MD5 digest, when sent, must match; S3 answers InvalidArgument otherwise). Undefined when the
 * request carries none of them.
 */
export function customerKeyOf(request: { algorithm?: string | undefined; key?: string | Uint8Array | undefined; keyMD5?: string | undefined }, prefix = 'SSECustomer'): CustomerKey | undefined {
  const { algorithm, key, keyMD5 } = request;
  if (algorithm === undefined && key === undefined && keyMD5 === undefined) return undefined;
  if (algorithm !== 'AES256') throw s3Error('InvalidArgument', `${prefix}Algorithm must be AES256 when ${prefix}Key is given.`, 400);
  if (key === undefined) throw s3Error('InvalidArgument', `Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key (${prefix}Key).`, 400);
  // As the SDK's SSE-C middleware does: a string that is the base64 of 32 bytes is taken as such,
  // any other string as the UTF-8 bytes of the key itself.
  const decoded = typeof key === 'string' ? fromBase64(key) : undefined;
  const bytes = typeof key !== 'string' ? new Uint8Array(key) : decoded?.length === 32 ? decoded : utf8(key);
  if (!bytes || bytes.length !== 32) throw s3Error('InvalidArgument', `The secret key (${prefix}Key) was invalid for the specified algorithm: it must be a 256-bit key, base64-encoded.`, 400);
  const digest = toBase64(md5(bytes));
  if (keyMD5 !== undefined && keyMD5 !== digest) throw s3Error('InvalidArgument', `The calculated MD5 hash of the key did not match the hash that was provided (${prefix}KeyMD5).`, 400);
  return { key: bytes, keyMD5: digest };
}

async function keyCheck(customer: CustomerKey, salt: Bytes): Promise<Bytes> {
  const hmacKey = await crypto.subtle.importKey('raw', salt, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', hmacKey, customer.key));
}

/** SSE-C: the body under the customer's key; kept: a random salt and HMAC-SHA-256(salt, key). */
export async function sealSseC(customer: CustomerKey, body: Uint8Array): Promise<SealedBody> {
  const iv = randomBytes(12);
  const ciphertext = await seal(await gcmKey(customer.key), body, iv);
  const salt = randomBytes(32);
  return { iv, ciphertext, encryption: { mode: 'SSE-C', salt, check: await keyCheck(customer, salt), keyMD5: customer.keyMD5 } };
}

/**
 * Checks an SSE-C request key against the stored HMAC: missing key is 400 InvalidRequest, a key
 * that is not the one the object was stored with is 403 AccessDenied (S3 User Guide: "If you lose
 * the encryption key, you lose the object").
 */
export async function checkCustomerKey(encryption: StoredEncryption & { mode: 'SSE-C' }, customer: CustomerKey | undefined): Promise<CustomerKey> {
  if (!customer) throw s3Error('InvalidRequest', 'The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.', 400);
  if (!constantTimeEqual(await keyCheck(customer, encryption.salt), encryption.check)) {
    throw s3Error('AccessDenied', 'The provided SSE-C key does not match the key the object was stored with.', 403);
  }
  return customer;
}

/** How `openBody` reaches the keys a stored body needs. */
export interface BodyKeys {
  readonly serviceKey: () => Promise<CryptoKey>;
  readonly kms: KmsRegionClient;
  /** Opens a bucket-level key from its KMS-encrypted copy (cached by the caller). */
  readonly bucketKey: (blob: Bytes, context: Record<string, string>, keyArn: string) => Promise<CryptoKey>;
  readonly customer?: CustomerKey;
  readonly objectArn: string;
}

/** Decrypts a stored body; KMS failures propagate as KmsErrors for the caller to translate. */
export async function openBody(sealed: SealedBody, keys: BodyKeys): Promise<Bytes> {
  const e = sealed.encryption;
  switch (e.mode) {
    case 'AES256': {
      const dataKey = await open(await keys.serviceKey(), e.sealedKey, e.sealIv, utf8(keys.objectArn));
      const key = await gcmKey(dataKey);
      zero(dataKey);
      return open(key, sealed.ciphertext, sealed.iv);
    }
    case 'aws:kms': {
      let key: CryptoKey;
      if (e.bucketKey) {
        const bucketKey = await keys.bucketKey(e.bucketKey.blob, e.context, e.keyArn);
        const dataKey = await open(bucketKey, e.bucketKey.sealedKey, e.bucketKey.sealIv, utf8(keys.objectArn));
        key = await gcmKey(dataKey);
        zero(dataKey);
      } else {
        const { Plaintext } = await keys.kms.decrypt({ CiphertextBlob: e.blob!, KeyId: e.keyArn, EncryptionContext: e.context });
        key = await gcmKey(Plaintext!);
        zero(Plaintext);
      }
      return open(key, sealed.ciphertext, sealed.iv);
    }
    case 'aws:kms:dsse': {
      const [inner, outer] = e.layers;
      const outerKey = await keys.kms.decrypt({ CiphertextBlob: outer.blob, KeyId: e.keyArn, EncryptionContext: e.context });
      const innerKey = await keys.kms.decrypt({ CiphertextBlob: inner.blob, KeyId: e.keyArn, EncryptionContext: e.context });
      const once = await open(await gcmKey(outerKey.Plaintext!), sealed.ciphertext, outer.iv);
      zero(outerKey.Plaintext);
      const body = await open(await gcmKey(innerKey.Plaintext!), once, inner.iv);
      zero(innerKey.Plaintext);
      return body;
    }
    case 'SSE-C': {
      const customer = await checkCustomerKey(e, keys.customer);
      return open(await gcmKey(customer.key), sealed.ciphertext, sealed.iv);
    }
  }
}

/** The hex MD5 digest S3 uses as an ETag (quoted, as S3 returns it). */
export function etagOf(bytes: Uint8Array): string {
  return `"${[...md5(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('')}"`;
}
