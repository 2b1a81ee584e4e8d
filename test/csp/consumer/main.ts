/**
 * A small app that embeds the kit, built by scripts/csp-test.mjs and served under the strict CSP of
 * issue 11: it starts the kit's worker, creates a key, encrypts and decrypts, exports and verifies
 * the audit log through the API, and renders the web components. The outcome goes to
 * `document.body.dataset.result` ('ok', or the error) through textContent and dataset only.
 */
import { createKit } from '../../../src/index.js';
import { defineElements } from '../../../src/components/index.js';

const status = document.getElementById('status')!;

async function run(): Promise<void> {
  defineElements();
  const kit = await createKit({ name: `csp-consumer-${crypto.randomUUID()}` });
  const { KeyMetadata } = await kit.kms('us-east-1').createKey({ Description: 'csp' });
  const { ciphertext: message } = await kit.encrypt('under a strict CSP', { keyId: KeyMetadata.KeyId, encryptionContext: { app: 'csp' } });
  const { plaintext } = await kit.decrypt(message, { encryptionContext: { app: 'csp' } });
  if (new TextDecoder().decode(plaintext) !== 'under a strict CSP') throw new Error('round trip failed');
  const verified = await kit.audit.verify(await kit.audit.export());
  if (!verified.ok) throw new Error(`audit export did not verify: ${verified.firstBroken?.reason}`);
  await kit.close();
}

run().then(
  () => {
    status.textContent = 'ok';
    document.body.dataset.result = 'ok';
  },
  (error: unknown) => {
    status.textContent = String(error);
    document.body.dataset.result = `error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  },
);
