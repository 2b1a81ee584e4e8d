import { expect } from 'chai';
import { describe, it } from '../support/bdd.js';
import { mountKit, until, inShadow, shadowText, nextEvent, button, focus, type, press } from './components-support.js';
import type { EkContextEditor, EkDecrypt, EkEncrypt, EventDetails } from '../../src/components/index.js';
import { toBase64 } from '../../src/core/bytes.js';

const CONTEXT = { purpose: 'test', team: 'blue' };

async function setup() {
  const m = await mountKit('<ek-encrypt region="us-east-1"></ek-encrypt><ek-decrypt></ek-decrypt>');
  const { KeyMetadata } = await m.kit.kms('us-east-1').createKey({ MultiRegion: true });
  const encrypt = m.provider.querySelector<EkEncrypt>('ek-encrypt')!;
  const decrypt = m.provider.querySelector<EkDecrypt>('ek-decrypt')!;
  encrypt.keyId = KeyMetadata.Arn;
  encrypt.context = CONTEXT;
  encrypt.text = 'a secret note';
  // The key was made behind the components' back: tell them, as the key manager would.
  m.provider.dispatchEvent(new Event('ek-kms-change'));
  await until(() => inShadow<HTMLSelectElement>(encrypt, '#key')?.value === KeyMetadata.Arn, 'the key in the select');
  return { m, encrypt, decrypt, key: KeyMetadata };
}

describe('components: <ek-encrypt>, <ek-decrypt>, <ek-context-editor>, <ek-message-header>', () => {
  it('encrypts from the keyboard, fires ek-encrypted, and shows the header with the key’s region', async () => {
    const { m, encrypt, key } = await setup();
    try {
      const encrypted = nextEvent<EventDetails['ek-encrypted']>(m.provider, 'ek-encrypted');
      focus(button(encrypt, 'Encrypt')!);
      await press('Enter');
      await until(() => button(encrypt, 'Encrypting…') || inShadow(encrypt, '#output'), 'pending or done');
      const detail = await encrypted;
      expect(detail.header.encryptionContext).to.include(CONTEXT);
      expect(detail.keyId).to.equal(key.Arn);
      const header = await until(() => inShadow(encrypt, 'ek-message-header'), 'the header view');
      await until(() => shadowText(header).includes('aws-kms'), 'the data key row');
      expect(shadowText(header)).to.contain(key.Arn).and.to.contain('us-east-1').and.to.contain('0x0578').and.to.contain('1 frame for 13 bytes');
    } finally {
      await m.cleanup();
    }
  });

  it('decrypts, and a wrong context fails with an alert naming the mismatch', async () => {
    const { m, decrypt, key } = await setup();
    try {
      decrypt.message = toBase64((await m.kit.encrypt('hello there', { keyId: key.Arn, encryptionContext: CONTEXT })).ciphertext);
      decrypt.context = CONTEXT;
      await decrypt.updateComplete;
      const decrypted = nextEvent<EventDetails['ek-decrypted']>(m.provider, 'ek-decrypted');
      button(decrypt, 'Decrypt')!.click();
      expect((await decrypted).plaintext).to.equal('hello there');
      await until(() => inShadow(decrypt, 'output')?.textContent === 'hello there', 'the plaintext');

      const editor = inShadow<EkContextEditor>(decrypt, 'ek-context-editor')!;
      const value = inShadow<HTMLInputElement>(editor, 'input[aria-label="Value 2"]')!;
      focus(value);
      value.select();
      await type('red');
      const failed = nextEvent<EventDetails['ek-error']>(m.provider, 'ek-error');
      button(decrypt, 'Decrypt')!.click();
      const { operation, error } = await failed;
      expect(operation).to.equal('decrypt');
      expect((error as { code?: string }).code).to.equal('ENCRYPTION_CONTEXT_MISMATCH');
      const status = await until(() => inShadow(decrypt, '[part="status"].error'), 'the error');
      expect(status.getAttribute('role')).to.equal('alert');
      expect(status.textContent).to.contain('encryption context does not match');
      expect(inShadow(decrypt, 'output'), 'no plaintext shown after a failure').to.equal(null);
    } finally {
      await m.cleanup();
    }
  });

  it('refuses non-base64 input before calling the kit', async () => {
    const { m, decrypt } = await setup();
    try {
      decrypt.message = 'not base64!';
      await decrypt.updateComplete;
      expect(shadowText(decrypt)).to.contain('That is not base64');
      expect(button(decrypt, 'Decrypt')!.disabled).to.equal(true);
    } finally {
      await m.cleanup();
    }
  });

  it('encrypts and decrypts a file with progress, through another region’s replica', async () => {
    const { m, encrypt, decrypt, key } = await setup();
    try {
      await m.kit.kms('us-east-1').replicateKey({ KeyId: key.KeyId, ReplicaRegion: 'eu-west-1' });
      encrypt.mode = 'file';
      await encrypt.updateComplete;
      const plain = new File([new Uint8Array(3 * 1024 * 1024).fill(7)], 'big.bin');
      const input = inShadow<HTMLInputElement>(encrypt, '#file')!;
      const files = new DataTransfer();
      files.items.add(plain);
      input.files = files.files;
      const encrypted = nextEvent<EventDetails['ek-encrypted']>(m.provider, 'ek-encrypted', 60_000);
      button(encrypt, 'Encrypt')!.click();
      await until(() => inShadow(encrypt, 'progress'), 'the progress bar');
      const { ciphertext } = await encrypted;
      expect(ciphertext).to.be.instanceOf(Blob);
      await until(() => inShadow(encrypt, 'a.download'), 'the download link');

      decrypt.mode = 'file';
      decrypt.context = CONTEXT;
      decrypt.region = 'eu-west-1';
      await decrypt.updateComplete;
      const back = new DataTransfer();
      back.items.add(new File([ciphertext as Blob], 'big.bin.encrypted'));
      inShadow<HTMLInputElement>(decrypt, '#file')!.files = back.files;
      await m.kit.simulate({ region: 'us-east-1', outage: true });
      const decrypted = nextEvent<EventDetails['ek-decrypted']>(m.provider, 'ek-decrypted', 60_000);
      button(decrypt, 'Decrypt')!.click();
      const detail = await decrypted;
      expect(detail.region).to.equal('eu-west-1');
      expect((detail.plaintext as Blob).size).to.equal(plain.size);
      await until(() => shadowText(decrypt).includes('through eu-west-1'), 'the success status');
    } finally {
      await m.cleanup();
    }
  }, 120_000);

  it('context editor: add from the keyboard focuses the new key; duplicates and reserved keys are flagged', async () => {
    const editor = document.createElement('ek-context-editor');
    editor.context = { a: '1' };
    document.body.append(editor);
    try {
      await editor.updateComplete;
      const changed = nextEvent<EventDetails['ek-context-change']>(editor, 'ek-context-change');
      focus(button(editor, 'Add pair')!);
      await press('Enter');
      await until(() => editor.shadowRoot!.activeElement?.getAttribute('aria-label') === 'Key 2', 'focus on the new key');
      await type('a');
      expect((await changed).valid).to.equal(false);
      await until(() => shadowText(editor).includes('appears twice'), 'the duplicate message');
      expect(editor.valid).to.equal(false);
      editor.context = { 'aws-crypto-x': '1' };
      await editor.updateComplete;
      expect(shadowText(editor)).to.contain('reserved');
      editor.context = { a: '1', b: '2' };
      await editor.updateComplete;
      expect(editor.valid).to.equal(true);
      expect(editor.context).to.deep.equal({ a: '1', b: '2' });
    } finally {
      editor.remove();
    }
  });
});
