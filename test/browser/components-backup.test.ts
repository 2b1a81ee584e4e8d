/**
 * `<ek-backup>` in a real page with a real kit: the backup it offers for download restores into
 * another kit through its own restore form, after which a message made before decrypts; a wrong
 * passphrase is reported with its code and changes nothing; the storage status is shown.
 */
import { expect } from 'chai';
import { describe, it } from '../support/bdd.js';
import { mountKit, until, inShadow, shadowText } from './components-support.js';
import type { EkBackup, EventDetails } from '../../src/components/index.js';

const PASS = 'component backup passphrase';

function fill(host: Element, formPart: string, values: Record<string, string>): HTMLFormElement {
  const form = inShadow<HTMLFormElement>(host, `form[part="${formPart}"]`)!;
  for (const [name, value] of Object.entries(values)) (form.elements.namedItem(name) as HTMLInputElement).value = value;
  return form;
}

function attach(form: HTMLFormElement, file: File): void {
  const transfer = new DataTransfer();
  transfer.items.add(file);
  (form.elements.namedItem('file') as HTMLInputElement).files = transfer.files;
}

describe('components: <ek-backup>', () => {
  it('makes a downloadable backup that its restore form brings back into another kit', async () => {
    const source = await mountKit('<ek-backup></ek-backup>');
    const target = await mountKit('<ek-backup></ek-backup>');
    try {
      const { KeyMetadata } = await source.kit.kms('us-east-1').createKey({ Description: 'component' });
      const note = (await source.kit.encrypt('the old note', { keyId: KeyMetadata.Arn, encryptionContext: {} })).ciphertext;
      const element = source.provider.querySelector<EkBackup>('ek-backup')!;
      await until(() => shadowText(element).includes('Using'), 'the storage status');
      expect(shadowText(element)).to.match(/Persistent|Best effort/);

      const made = new Promise<EventDetails['ek-backup-made']>((resolve) => element.addEventListener('ek-backup-made', (e) => resolve(e.detail), { once: true }));
      // Two different passphrases are refused before anything is derived.
      fill(element, 'backup', { passphrase: PASS, confirm: `${PASS}!` }).requestSubmit();
      await until(() => shadowText(element).includes('the two passphrases differ'), 'the mismatch message');
      fill(element, 'backup', { passphrase: PASS, confirm: PASS }).requestSubmit();
      const detail = await made;
      expect(detail.fileName).to.match(/-backup-\d{4}-\d\d-\d\dT.*\.ekbackup$/);
      const link = await until(() => inShadow<HTMLAnchorElement>(element, 'a[part="download"]'), 'the download link');
      expect(link.download).to.equal(detail.fileName);
      const file = new File([await (await fetch(link.href)).blob()], detail.fileName);
      expect(file.size).to.equal(detail.size);

      const restoring = target.provider.querySelector<EkBackup>('ek-backup')!;
      await until(() => inShadow(restoring, 'form[part="restore"]'), 'the restore form');
      const wrong = fill(restoring, 'restore', { passphrase: 'not the passphrase' });
      attach(wrong, file);
      wrong.requestSubmit();
      await until(() => shadowText(restoring).includes('WRONG_PASSPHRASE'), 'the wrong passphrase report');
      expect((await target.kit.kms('us-east-1').listKeys({})).Keys).to.have.length(0);

      const restored = new Promise<EventDetails['ek-restored']>((resolve) => restoring.addEventListener('ek-restored', (e) => resolve(e.detail), { once: true }));
      const form = fill(restoring, 'restore', { passphrase: PASS });
      attach(form, file);
      form.requestSubmit();
      const { summary } = await restored;
      expect(summary.keys).to.equal(1);
      await until(() => shadowText(restoring).includes('Restored 1 key'), 'the summary');
      const { plaintext } = await target.kit.decrypt(note);
      expect(new TextDecoder().decode(plaintext)).to.equal('the old note');
    } finally {
      await source.cleanup();
      await target.cleanup();
    }
  });
});
