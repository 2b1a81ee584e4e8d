/**
 * What the KMS keyring suites share: a simulated KMS in memory, keys in it, and client doubles that
 * record or alter what a keyring sends and receives (to test the spec's response checks and zeroing).
 */
import { createKms } from '../../src/kms/index.js';
import type { KmsClient, KmsDecryptResponse, KmsEncryptResponse, KmsGenerateDataKeyResponse } from '../../src/core/index.js';

export type Kms = Awaited<ReturnType<typeof createKms>>;

export const ACCOUNT = '111122223333';
export const text = (s: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(s);
export const string = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** A simulated KMS with the default account and regions, in memory. */
export function newKms(): Promise<Kms> {
  return createKms({ storage: 'memory' });
}

/** A symmetric encryption key in `region`; returns its ARN. */
export async function newKey(kms: Kms, region: string, description = 'kms-keyrings test key'): Promise<string> {
  const { KeyMetadata } = await kms.region(region).createKey({ Description: description });
  return KeyMetadata.Arn;
}

/** A multi-Region key with its primary in `primary` and replicas in `replicas`; returns the ARN per region. */
export async function newMrk(kms: Kms, primary: string, replicas: readonly string[]): Promise<Record<string, string>> {
  const { KeyMetadata } = await kms.region(primary).createKey({ MultiRegion: true, Description: 'kms-keyrings test MRK' });
  const arns: Record<string, string> = { [primary]: KeyMetadata.Arn };
  for (const region of replicas) {
    const { ReplicaKeyMetadata } = await kms.region(primary).replicateKey({ KeyId: KeyMetadata.Arn, ReplicaRegion: region });
    arns[region] = ReplicaKeyMetadata.Arn;
  }
  return arns;
}

/** One call a {@link Spy} saw. */
export interface SpyCall {
  readonly region: string;
  readonly operation: 'generateDataKey' | 'encrypt' | 'decrypt';
  readonly request: Record<string, unknown>;
  readonly error?: string;
}

/** Records every call made through the clients it hands out, and the plaintexts KMS returned. */
export class Spy {
  readonly calls: SpyCall[] = [];
  /** Every Plaintext buffer a client returned to a keyring (to check that the keyring zeroed it). */
  readonly returnedPlaintexts: Uint8Array[] = [];
  /** How often `clientFor` was called, per region. */
  readonly clientRequests = new Map<string, number>();

  constructor(private readonly inner: (region: string) => KmsClient) {}

  clientFor = (region: string): KmsClient => {
    this.clientRequests.set(region, (this.clientRequests.get(region) ?? 0) + 1);
    const client = this.inner(region);
    const wrap =
      <K extends SpyCall['operation']>(operation: K) =>
      async (request: Parameters<KmsClient[K]>[0]) => {
        try {
          const response = (await (client[operation] as (r: unknown) => Promise<{ Plaintext?: Uint8Array }>)(request)) ?? {};
          this.calls.push({ region, operation, request: { ...request } });
          if (response.Plaintext instanceof Uint8Array) this.returnedPlaintexts.push(response.Plaintext);
          return response;
        } catch (error) {
          this.calls.push({ region, operation, request: { ...request }, error: (error as Error).name });
          throw error;
        }
      };
    return {
      generateDataKey: wrap('generateDataKey') as KmsClient['generateDataKey'],
      encrypt: wrap('encrypt') as KmsClient['encrypt'],
      decrypt: wrap('decrypt') as KmsClient['decrypt'],
    };
  };

  /** `operation@region` for each call, e.g. `decrypt@eu-west-1`. */
  trace(): string[] {
    return this.calls.map((c) => `${c.operation}@${c.region}${c.error ? `!${c.error}` : ''}`);
  }
}

/** Alters responses on their way back from `client` (to exercise the keyrings' response checks). */
export function tamper(
  client: KmsClient,
  edits: {
    generateDataKey?: (r: KmsGenerateDataKeyResponse) => KmsGenerateDataKeyResponse;
    encrypt?: (r: KmsEncryptResponse) => KmsEncryptResponse;
    decrypt?: (r: KmsDecryptResponse) => KmsDecryptResponse;
  },
): KmsClient {
  return {
    generateDataKey: async (request) => (edits.generateDataKey ?? ((r) => r))(await client.generateDataKey(request)),
    encrypt: async (request) => (edits.encrypt ?? ((r) => r))(await client.encrypt(request)),
    decrypt: async (request) => (edits.decrypt ?? ((r) => r))(await client.decrypt(request)),
  };
}
