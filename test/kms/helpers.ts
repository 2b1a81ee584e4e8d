/**
 * Shared helpers of the KMS tests: a Kms on memory storage with a settable clock, an assertion for
 * AWS exceptions, and importing key material the way an AWS user would (wrap with the public key
 * from GetParametersForImport).
 */
import { expect } from 'vitest';
import { createKms, type Kms, type KmsRegionClient } from '../../src/kms/index.js';

export const T0 = Date.UTC(2025, 0, 1);
export const DAY = 86_400_000;

export interface TestKms {
  kms: Kms;
  clock: { t: number };
  east: KmsRegionClient;
  west: KmsRegionClient;
  eu: KmsRegionClient;
}

export async function testKms(name?: string): Promise<TestKms> {
  const clock = { t: T0 };
  const kms = await createKms({ storage: 'memory', now: () => clock.t, ...(name ? { name } : {}) });
  return { kms, clock, east: kms.region('us-east-1'), west: kms.region('us-west-2'), eu: kms.region('eu-west-1') };
}

/** Awaits a rejection and checks the AWS exception name (one of `names`) and, optionally, the message. */
export async function rejects(promise: Promise<unknown>, names: string | readonly string[], message?: RegExp): Promise<Error & { code?: string }> {
  let error: unknown;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  const allowed = typeof names === 'string' ? [names] : names;
  expect(error, `expected a rejection with ${allowed.join(' or ')}`).toBeInstanceOf(Error);
  const e = error as Error & { code?: string };
  expect(allowed, `${e.name}: ${e.message}`).toContain(e.name);
  expect(e.code).toBe(e.name);
  if (message) expect(e.message).toMatch(message);
  return e;
}

export const bytes = (text: string) => new TextEncoder().encode(text);

export async function keyId(client: KmsRegionClient, request: Parameters<KmsRegionClient['createKey']>[0] = {}): Promise<string> {
  return (await client.createKey(request)).KeyMetadata.KeyId;
}

/** Wraps `material` for ImportKeyMaterial with RSAES_OAEP_SHA_256 and imports it. */
export async function importMaterial(
  client: KmsRegionClient,
  KeyId: string,
  material: Uint8Array<ArrayBuffer>,
  options: { ValidTo?: Date } = {},
): Promise<string> {
  const params = await client.getParametersForImport({ KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' });
  const EncryptedKeyMaterial = await wrapForImport(params.PublicKey, material);
  const out = await client.importKeyMaterial({
    KeyId,
    ImportToken: params.ImportToken,
    EncryptedKeyMaterial,
    ...(options.ValidTo ? { ValidTo: options.ValidTo, ExpirationModel: 'KEY_MATERIAL_EXPIRES' as const } : { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' as const }),
  });
  return out.KeyMaterialId;
}

export async function wrapForImport(spki: Uint8Array, material: Uint8Array<ArrayBuffer>, hash = 'SHA-256'): Promise<Uint8Array<ArrayBuffer>> {
  const publicKey = await crypto.subtle.importKey('spki', spki as Uint8Array<ArrayBuffer>, { name: 'RSA-OAEP', hash }, false, ['encrypt']);
  return new Uint8Array(await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, publicKey, material));
}

export function material32(fill = 7): Uint8Array<ArrayBuffer> {
  return new Uint8Array(32).map((_, i) => (i * 31 + fill) & 0xff);
}
