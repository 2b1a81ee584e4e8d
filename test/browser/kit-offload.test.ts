/**
 * Signed-message work the kit worker runs in a batch helper (workers/pool/offload.ts): the footer
 * hash of files and large messages, and signing keys generated ahead. The Offload class against a
 * real helper worker (digests equal to the local hash, keys non-extractable and used once, a dead
 * helper reported or worked around), then kits with and without helpers reading each other's
 * files and messages, and `helperWorkers` checked.
 */
import { expect } from 'chai';
import { createIncrementalHash, decrypt, decryptStream, encrypt, encryptStream, parseHeader, RawAesKeyring } from '../../src/core/index.js';
import { PortHash } from '../../src/client/port-hash.js';
import { createKit } from '../../src/index.js';
import { KitError } from '../../src/client/errors.js';
import { BatchPool, type PoolHelper } from '../../workers/pool/batch-pool.js';
import { Offload } from '../../workers/pool/offload.js';
import { describe, it } from '../support/bdd.js';
import { blobBytes, patternBytes, rejection, REGIONS, sameBytes, uniqueName, withKit } from './client-support.js';
import { deleteKmsStorage } from '../../src/kms/index.js';

const MiB = 1024 * 1024;
const context = { file: 'offload.bin' };

/** A pool whose helper never gets branch keys (none are needed to hash or make signing keys). */
function newPool(): BatchPool {
  return new BatchPool({ materials: () => Promise.reject(new Error('no branch keys here')) }, uniqueName());
}

/** The pool's helper, with its calls counted, and those answered. */
function counted(pool: BatchPool): { helper: () => Promise<PoolHelper>; calls: Record<string, number>; answered: Record<string, number> } {
  const calls: Record<string, number> = { hashSession: 0, signingKeys: 0 };
  const answered: Record<string, number> = { hashSession: 0, signingKeys: 0 };
  return {
    calls,
    answered,
    helper: async () => {
      const real = await pool.helper();
      const remote = new Proxy(real.remote, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver);
          if (typeof prop !== 'string' || !(prop in calls)) return value;
          return (...args: unknown[]) => {
            calls[prop]!++;
            return (value as (...a: unknown[]) => Promise<unknown>)(...args).then((result) => {
              answered[prop]!++;
              return result;
            });
          };
        },
      });
      return { remote, failed: real.failed, stop: real.stop };
    },
  };
}

const until = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
};

describe('kit worker offload: the Offload class with a real helper', () => {
  it('hashes in the helper to the same digest as here, sessions apart, pieces reused by the caller', async () => {
    const pool = newPool();
    try {
      const { helper, calls } = counted(pool);
      const hashing = new Offload(helper).hashing();
      const message = patternBytes(3 * MiB + 123);
      const [a, b] = await Promise.all([hashing.hasher('SHA-384'), hashing.hasher('SHA-256')]);
      const scratch = new Uint8Array(70_001);
      for (let at = 0; at < message.length; at += scratch.length) {
        const piece = message.subarray(at, at + scratch.length);
        scratch.set(piece);
        await a.update(scratch.subarray(0, piece.length));
        scratch.fill(0); // the caller reuses its buffer once update settles: the hasher must have copied
        await b.update(piece);
      }
      const local384 = await createIncrementalHash('SHA-384');
      local384.update(message);
      const local256 = await createIncrementalHash('SHA-256');
      local256.update(message);
      expect([...(await a.digest())]).to.deep.equal([...local384.digest()]);
      expect([...(await b.digest())]).to.deep.equal([...local256.digest()]);
      expect(calls.hashSession).to.equal(2);
      // 3 MiB in 70 kB pieces is 45 updates, more than the ring's 16 buffers: they came back and were reused.
      await rejection(a.digest() as Promise<Uint8Array>); // once only
      hashing.close();
    } finally {
      pool.close();
    }
  });

  it('keeps a stock of non-extractable signing keys from the helper, each handed out once', async () => {
    const pool = newPool();
    try {
      const { helper, calls, answered } = counted(pool);
      const offload = new Offload(helper, { keyStock: 'always' });
      // The first key is made here (the stock is empty); the helper is asked to fill the stock.
      const first = await offload.signingKeys('P-384', { extractable: false });
      await until(() => answered.signingKeys === 1, 'the first refill');
      expect(calls.signingKeys).to.equal(1);
      const keys = [first];
      for (let i = 0; i < 20; i++) keys.push(await offload.signingKeys('P-384', { extractable: false }));
      await until(() => calls.signingKeys >= 2, 'a second refill');
      for (const key of keys) {
        expect(key.privateKey.extractable).to.equal(false);
        expect((key.privateKey.algorithm as EcKeyAlgorithm).namedCurve).to.equal('P-384');
        expect(key.privateKey.usages).to.deep.equal(['sign']);
      }
      expect(new Set(keys.map((k) => k.publicKeyBase64)).size).to.equal(keys.length);
      // Streams need an extractable key: made here, never from the stock (and no refill is asked for).
      await until(() => answered.signingKeys === calls.signingKeys, 'the refills asked for so far');
      await new Promise((r) => setTimeout(r, 50));
      const before = calls.signingKeys;
      const extractable = await offload.signingKeys('P-384', { extractable: true });
      expect(extractable.privateKey.extractable).to.equal(true);
      expect(calls.signingKeys).to.equal(before);
    } finally {
      pool.close();
    }
  });

  it('measures once per curve whether keys from the helper cost this thread less than keys made here', async () => {
    const pool = newPool();
    try {
      const { helper, calls, answered } = counted(pool);
      const offload = new Offload(helper);
      const keys = [];
      for (let i = 0; i < 12; i++) keys.push(await offload.signingKeys('P-384', { extractable: false }));
      await new Promise((r) => setTimeout(r, 100));
      // Chromium re-imports a cloned EC key (as dear as making one): no stock; Firefox clones it cheaply: a stock.
      const engine = navigator.userAgent.includes('Firefox') ? 'firefox' : navigator.userAgent.includes('Chrome') ? 'chromium' : 'other';
      if (engine === 'chromium') expect(calls.signingKeys).to.equal(0);
      if (engine === 'firefox') await until(() => answered.signingKeys > 0, 'keys from the helper');
      expect(answered.signingKeys).to.be.at.most(calls.signingKeys);
      expect(new Set(keys.map((k) => k.publicKeyBase64)).size).to.equal(12);
      for (const key of keys) expect(key.privateKey.extractable).to.equal(false);
    } finally {
      pool.close();
    }
  });

  it('fails a hash whose helper stops answering, and stops that helper, instead of waiting forever', async () => {
    const stopped: Error[] = [];
    const silent = async (): Promise<PoolHelper> => {
      const failed = new Promise<never>(() => undefined);
      // Accepts the session, then never reads the port: no buffer comes back, no digest.
      const remote = { hashSession: async () => undefined, signingKeys: () => new Promise<never>(() => undefined) };
      return { remote: remote as unknown as PoolHelper['remote'], failed, stop: (reason) => void stopped.push(reason) };
    };
    const hashing = new Offload(silent, { keyStock: 'never', stallMs: 300 }).hashing();
    const hash = await hashing.hasher('SHA-384');
    // The ring holds 16 buffers: the 17th update waits for one to come back, and none does.
    const piece = new Uint8Array(1000);
    const started = performance.now();
    const error = await rejection((async () => {
      for (let i = 0; i < 17; i++) await hash.update(piece);
    })());
    expect(error.code).to.equal('WORKER_FAILED');
    expect(performance.now() - started).to.be.below(5000);
    expect(stopped.length).to.equal(1);
    const digestError = await rejection((await hashing.hasher('SHA-384')).digest() as Promise<Uint8Array>);
    expect(digestError.code).to.equal('WORKER_FAILED');
    expect(stopped.length).to.equal(2);
    hashing.close();
  });

  it('hashes here, and stops the helper, when the helper never opens the session', async () => {
    const stopped: Error[] = [];
    const mute = async (): Promise<PoolHelper> => {
      const never = () => new Promise<never>(() => undefined);
      return { remote: { hashSession: never } as unknown as PoolHelper['remote'], failed: never(), stop: (reason) => void stopped.push(reason) };
    };
    const warned: unknown[][] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => void warned.push(args);
    try {
      const hashing = new Offload(mute, { keyStock: 'never', stallMs: 200 }).hashing();
      const started = performance.now();
      const hash = await hashing.hasher('SHA-384');
      expect(performance.now() - started).to.be.below(5000);
      expect(hash).to.not.be.instanceOf(PortHash);
      const data = patternBytes(1000);
      const reference = await createIncrementalHash('SHA-384');
      reference.update(data);
      await hash.update(data);
      expect(sameBytes(await hash.digest(), reference.digest())).to.equal(true);
      expect(stopped.map((e) => (e as KitError).code)).to.deep.equal(['WORKER_FAILED']);
      expect(String(warned[0]?.[0])).to.match(/did not open a session within 0\.2 s/);
      hashing.close();
    } finally {
      console.warn = warn;
    }
  });

  it('reports a dead helper to a hash, and makes signing keys here instead', async () => {
    const dead = async (): Promise<PoolHelper> => {
      const failed = Promise.reject(new KitError('WORKER_FAILED', 'a batch helper worker failed: test'));
      failed.catch(() => undefined);
      const never = () => new Promise<never>(() => undefined);
      return { remote: { hashSession: never, signingKeys: never } as unknown as PoolHelper['remote'], failed, stop: () => undefined };
    };
    const offload = new Offload(dead, { keyStock: 'always' });
    const error = await rejection(offload.hashing().hasher('SHA-384') as Promise<unknown>);
    expect(error.code).to.equal('WORKER_FAILED');
    const key = await offload.signingKeys('P-384', { extractable: false });
    expect(key.privateKey.extractable).to.equal(false);
    await new Promise((r) => setTimeout(r, 20));
    expect((await offload.signingKeys('P-384', { extractable: false })).privateKey.type).to.equal('private');
  });
});

describe('kit worker offload: kits with and without helpers', () => {
  it('read each other\'s signed files and large messages, and tampering is still caught', async () => {
    const cores = navigator.hardwareConcurrency;
    await withKit(async (helped, name) => {
      const alone = await createKit({ name, regions: REGIONS, helperWorkers: 0 });
      try {
        const keyId = (await helped.kms('us-east-1').createKey({ Description: 'offload' })).KeyMetadata.Arn;
        const plaintext = patternBytes(5 * MiB + 3);
        for (const [writer, reader] of [[helped, alone], [alone, helped]] as const) {
          const file = await writer.encryptFile(new Blob([plaintext]), { keyId, encryptionContext: context });
          expect(sameBytes(await blobBytes(await reader.decryptFile(file)), plaintext)).to.equal(true);
          const { ciphertext, header } = await writer.encrypt(plaintext, { keyId, encryptionContext: context });
          expect(header.suiteId).to.equal(0x0578);
          expect(sameBytes((await reader.decrypt(ciphertext)).plaintext, plaintext)).to.equal(true);
          const tampered = ciphertext.slice();
          tampered[tampered.length - 30]! ^= 1; // inside the signature
          expect((await rejection(reader.decrypt(tampered))).code).to.equal('SIGNATURE_INVALID');
          expect((await rejection(reader.decryptFile(new Blob([tampered])))).code).to.equal('SIGNATURE_INVALID');
        }
        // Small signed messages: one fresh signing key each, whether from the helper's stock or not.
        const keys = new Set<string>();
        const small = patternBytes(1024);
        for (let i = 0; i < 24; i++) {
          const { ciphertext } = await (i % 2 ? alone : helped).encrypt(small, { keyId, encryptionContext: context });
          keys.add(parseHeader(ciphertext)!.encryptionContext['aws-crypto-public-key']!);
          expect(sameBytes((await (i % 2 ? helped : alone).decrypt(ciphertext)).plaintext, small)).to.equal(true);
        }
        expect(keys.size, `on ${cores} cores`).to.equal(24);
      } finally {
        await alone.close();
      }
    });
  });

  it('lend the page a footer hasher (kit.signatureHasher) for the core, in a helper when there is one', async () => {
    const cores = navigator.hardwareConcurrency;
    await withKit(async (helped, name) => {
      const alone = await createKit({ name, regions: REGIONS, helperWorkers: 0 });
      try {
        // Where the hash runs: a port to the helper, or (no helpers) this thread.
        const remote = await helped.signatureHasher('SHA-384');
        const local = await alone.signatureHasher('SHA-384');
        expect(remote instanceof PortHash, `on ${cores} cores`).to.equal(cores > 1);
        expect(local instanceof PortHash).to.equal(false);
        // Same digests as the core's own hash, for odd pieces, SHA-384 and SHA-256 alike.
        const data = patternBytes(3 * MiB + 11);
        for (const hash of ['SHA-384', 'SHA-256'] as const) {
          const reference = await createIncrementalHash(hash);
          reference.update(data);
          const expected = reference.digest();
          for (const hasher of [hash === 'SHA-384' ? remote : await helped.signatureHasher(hash), hash === 'SHA-384' ? local : await alone.signatureHasher(hash)]) {
            const piece = new Uint8Array(700_001); // reused by this caller after each update
            for (let at = 0; at < data.length; at += piece.length) {
              const part = data.subarray(at, at + piece.length);
              piece.set(part);
              await hasher.update(piece.subarray(0, part.length));
            }
            expect(sameBytes(await hasher.digest(), expected), hash).to.equal(true);
          }
        }
        // The core on this page: messages made with either hasher, or none, read with any of them.
        const keyring = new RawAesKeyring({ keyNamespace: 'offload', keyName: 'page', wrappingKey: patternBytes(32) });
        const plaintext = patternBytes(5 * MiB + 7);
        const made = [
          (await encrypt(keyring, plaintext, { encryptionContext: context, signatureHasher: helped.signatureHasher })).ciphertext,
          (await encrypt(keyring, plaintext, { encryptionContext: context, signatureHasher: alone.signatureHasher })).ciphertext,
          (await encrypt(keyring, plaintext, { encryptionContext: context })).ciphertext,
        ];
        for (const message of made) {
          for (const signatureHasher of [helped.signatureHasher, alone.signatureHasher, undefined]) {
            expect(sameBytes((await decrypt(keyring, message, { signatureHasher })).plaintext, plaintext)).to.equal(true);
          }
        }
        // Streams too.
        const streamed = await new Response(new Blob([plaintext]).stream().pipeThrough(encryptStream(keyring, { encryptionContext: context, signatureHasher: helped.signatureHasher }))).arrayBuffer();
        const back = await new Response(new Blob([streamed]).stream().pipeThrough(decryptStream(keyring, { signatureHasher: helped.signatureHasher }))).arrayBuffer();
        expect(sameBytes(new Uint8Array(back), plaintext)).to.equal(true);
        // Tampering is caught on both paths: a frame (INTEGRITY_FAILURE) and the signature.
        const badFrame = made[0]!.slice();
        badFrame[made[0]!.length >> 1]! ^= 1;
        const badSignature = made[0]!.slice();
        badSignature[badSignature.length - 30]! ^= 1;
        expect((await rejection(decrypt(keyring, badFrame, { signatureHasher: helped.signatureHasher }))).code).to.equal('INTEGRITY_FAILURE');
        expect((await rejection(decrypt(keyring, badSignature, { signatureHasher: helped.signatureHasher }))).code).to.equal('SIGNATURE_INVALID');
        // The kit still works after failed sessions (they were ended, not left waiting).
        expect(sameBytes((await decrypt(keyring, made[1]!, { signatureHasher: helped.signatureHasher })).plaintext, plaintext)).to.equal(true);
        // A hash the format does not use is refused, naming it.
        const refused = await rejection(Promise.resolve().then(() => helped.signatureHasher('MD5' as 'SHA-384')));
        expect([refused.name, refused.code]).to.deep.equal(['TypeError', 'INVALID_ARGUMENT']);
      } finally {
        await alone.close();
      }
    });
  });

  it('fails a page hash session with CLOSED when the kit closes, instead of waiting', async () => {
    await withKit(async (kit) => {
      const hasher = await kit.signatureHasher('SHA-384');
      await hasher.update(patternBytes(100_000));
      await kit.close();
      const started = performance.now();
      if (hasher instanceof PortHash) {
        expect((await rejection(Promise.resolve().then(() => hasher.digest()))).code).to.equal('CLOSED');
        expect(performance.now() - started).to.be.below(2000);
      } else {
        expect(navigator.hardwareConcurrency, 'a local hash only without helpers').to.equal(1);
      }
      expect((await rejection(Promise.resolve().then(() => kit.signatureHasher('SHA-384')))).code).to.equal('CLOSED');
    });
  });

  it('checks options.helperWorkers', async () => {
    expect((await rejection(createKit({ name: uniqueName(), helperWorkers: -1 }))).name).to.equal('RangeError');
    expect((await rejection(createKit({ name: uniqueName(), helperWorkers: 1.5 }))).name).to.equal('TypeError');
    expect((await rejection(createKit({ name: uniqueName(), helperWorkers: '1' as unknown as number }))).message).to.match(/options\.helperWorkers/);
    const name = uniqueName();
    const kit = await createKit({ name, regions: REGIONS, helperWorkers: 0 });
    await kit.close();
    await deleteKmsStorage({ storage: 'indexeddb', name, regions: REGIONS });
  });
});
