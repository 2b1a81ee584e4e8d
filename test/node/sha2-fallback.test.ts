/**
 * Where WebAssembly cannot compile (a page whose Content-Security-Policy lacks
 * 'wasm-unsafe-eval'), signed messages hash with @noble/hashes instead, with the same bytes out.
 * This file makes `WebAssembly.compile` refuse as Chromium does under such a CSP before anything
 * hashes (Vitest gives each file its own module graph, so the core's memo starts empty here).
 * test/browser/sha2-csp.test.ts does the same under a real CSP in each browser.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIncrementalHash, webAssemblyHashFailure } from '../../src/core/hashing/incremental-hash.js';
import { RawAesKeyring, decrypt, decryptStream, encrypt, encryptStream } from '../../src/core/index.js';
import { INCREMENTAL_SIGNATURE_THRESHOLD } from '../../src/core/signed-body.js';

const compile = WebAssembly.compile;
const refusals: number[] = [];

beforeAll(() => {
  WebAssembly.compile = () => {
    refusals.push(Date.now());
    return Promise.reject(
      new WebAssembly.CompileError(
        "WebAssembly.compile(): Refused to compile or instantiate WebAssembly module because 'unsafe-eval' is not an allowed source of script in the following Content Security Policy directive: \"script-src 'self'\"",
      ),
    );
  };
});
afterAll(() => {
  WebAssembly.compile = compile;
});

const keyring = new RawAesKeyring({ keyNamespace: 'test', keyName: 'fallback', wrappingKey: new Uint8Array(32).fill(9) });
const data = new Uint8Array(3 * 65536 + 17).map((_, i) => (i * 13) & 255);

/** Pipes `input` through `transform` in 10,000-byte chunks (no Response/Blob: undici itself needs WebAssembly). */
async function pipe(input: Uint8Array, transform: TransformStream<Uint8Array, Uint8Array>): Promise<Uint8Array> {
  const writer = transform.writable.getWriter();
  const writing = (async () => {
    for (let at = 0; at < input.length; at += 10_000) await writer.write(input.slice(at, at + 10_000));
    await writer.close();
  })();
  const parts: Uint8Array[] = [];
  for await (const part of transform.readable as unknown as AsyncIterable<Uint8Array>) parts.push(part);
  await writing;
  return new Uint8Array(Buffer.concat(parts));
}

describe('incremental SHA-2 without WebAssembly', () => {
  it("'auto' falls back to JavaScript with the same digests; WebAssembly is tried once", async () => {
    for (const [name, node] of [['SHA-256', 'sha256'], ['SHA-384', 'sha384']] as const) {
      for (let i = 0; i < 3; i++) {
        const h = await createIncrementalHash(name);
        expect(h.implementation).toBe('javascript');
        h.update(data.subarray(0, 1001));
        h.update(data.subarray(1001));
        expect(Buffer.from(h.digest()).toString('hex')).toBe(createHash(node).update(data).digest('hex'));
      }
    }
    expect(refusals.length).toBe(1);
    expect(String(webAssemblyHashFailure())).toMatch(/Refused to compile/);
  });

  it("'webassembly' asked for explicitly fails with the engine's refusal as its cause", async () => {
    const error = await createIncrementalHash('SHA-384', { implementation: 'webassembly' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/wasm-unsafe-eval/);
    expect(String((error as Error).cause)).toMatch(/CompileError/);
  });

  it('signed streams and large signed one-shot messages still encrypt and decrypt, to the same plaintext', async () => {
    const encrypted = await pipe(data, encryptStream(keyring, { frameLength: 4096, encryptionContext: { a: 'b' } }));
    expect(encrypted[1]).toBe(0x05); // suite 0x0578
    // Decrypted by the one-shot path, which verifies with WebCrypto over the whole message.
    expect((await decrypt(keyring, encrypted)).plaintext).toEqual(data);
    // Above INCREMENTAL_SIGNATURE_THRESHOLD with a hasher (here the fallback itself), so the one-shot calls hash frame by frame too.
    const signatureHasher = (hash: 'SHA-256' | 'SHA-384') => createIncrementalHash(hash);
    const large = new Uint8Array(INCREMENTAL_SIGNATURE_THRESHOLD + 4099).map((_, i) => (i * 7) & 255);
    const { ciphertext } = await encrypt(keyring, large, { frameLength: 4096, signatureHasher });
    expect(await pipe(ciphertext, decryptStream(keyring))).toEqual(large);
    expect((await decrypt(keyring, ciphertext, { signatureHasher })).plaintext).toEqual(large);
    expect((await decrypt(keyring, ciphertext)).plaintext).toEqual(large);
    const tampered = ciphertext.slice();
    tampered[ciphertext.length >> 1]! ^= 1;
    await expect(decrypt(keyring, tampered, { signatureHasher })).rejects.toThrow(/altered/);
  });
});
