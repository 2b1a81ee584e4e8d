/**
 * The WebAssembly hash under a real Content-Security-Policy, in each engine: a page whose
 * `script-src` lacks 'wasm-unsafe-eval' cannot compile WebAssembly, so signed messages hash with
 * @noble/hashes there, with the same digest; the same page with 'wasm-unsafe-eval' uses
 * WebAssembly (so the first case is the policy's doing, not the page's).
 */
import { expect } from 'chai';
import { describe, it } from '../support/bdd.js';

const MODULE = new URL('../../src/core/hashing/incremental-hash.ts', import.meta.url).href;
/** SHA-384 of the FIPS 180-4 896-bit example (two blocks), and that message. */
const MESSAGE = 'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu';
const DIGEST = '09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039';

interface Outcome {
  readonly implementation?: string;
  readonly digest?: string;
  readonly failure?: string;
  readonly error?: string;
}

/**
 * Loads the hashing module in an iframe under `policy` and hashes MESSAGE there, in 3 updates.
 * The policy names the test server's origin rather than 'self': with 'self', Firefox ESR refused
 * the module import from the about:srcdoc document here; the origin works in every engine.
 */
function hashUnderPolicy(policy: string): Promise<Outcome> {
  const id = crypto.randomUUID();
  const frame = document.createElement('iframe');
  frame.srcdoc = `<!doctype html><meta http-equiv="Content-Security-Policy" content="${policy}">
<script type="module">
  const reply = (value) => parent.postMessage({ id: ${JSON.stringify(id)}, ...value }, '*');
  try {
    const m = await import(${JSON.stringify(MODULE)});
    const h = await m.createIncrementalHash('SHA-384');
    const bytes = new TextEncoder().encode(${JSON.stringify(MESSAGE)});
    h.update(bytes.subarray(0, 1)); h.update(bytes.subarray(1, 100)); h.update(bytes.subarray(100));
    const digest = Array.from(h.digest(), (b) => b.toString(16).padStart(2, '0')).join('');
    reply({ implementation: h.implementation, digest, failure: String(m.webAssemblyHashFailure() ?? '') });
  } catch (error) {
    reply({ error: String(error) });
  }
</script>`;
  return new Promise<Outcome>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the framed page did not answer in 20 s')), 20_000);
    const onMessage = (event: MessageEvent) => {
      if (event.data?.id !== id) return;
      clearTimeout(timer);
      removeEventListener('message', onMessage);
      frame.remove();
      resolve(event.data as Outcome);
    };
    addEventListener('message', onMessage);
    document.body.append(frame);
  });
}

describe('incremental SHA-2 under a Content-Security-Policy', () => {
  it("without 'wasm-unsafe-eval': falls back to JavaScript, same digest", async () => {
    const outcome = await hashUnderPolicy(`script-src ${location.origin} 'unsafe-inline'`);
    expect(outcome.error).to.equal(undefined);
    expect(outcome.implementation).to.equal('javascript');
    expect(outcome.digest).to.equal(DIGEST);
    expect(outcome.failure).to.not.equal('');
  });

  it("with 'wasm-unsafe-eval': WebAssembly, same digest", async () => {
    const outcome = await hashUnderPolicy(`script-src ${location.origin} 'unsafe-inline' 'wasm-unsafe-eval'`);
    expect(outcome.error).to.equal(undefined);
    expect(outcome.implementation).to.equal('webassembly');
    expect(outcome.digest).to.equal(DIGEST);
  });
});
