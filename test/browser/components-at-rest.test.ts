/**
 * `<ek-bucket>` and `<ek-repository>` in a real browser over the kit's worker: creating a bucket
 * (SSE-S3 by default, SSE-C blocked), uploading with a chosen mode and Bucket Key and seeing each
 * object's mode; creating a KMS repository whose encryption then shows read-only with its two
 * grants, and deleting it.
 */
import { expect } from 'chai';
import { describe, it } from '../support/bdd.js';
import { deleteServicesAtRestStorage } from '../../src/services/at-rest.js';
import type { EventDetails } from '../../src/components/index.js';
import { REGIONS, button, inShadow, mountKit, nextEvent, shadowText, until } from './components-support.js';

async function mounted(inner: string) {
  const m = await mountKit(inner);
  return { ...m, cleanup: async () => (await m.cleanup(), await deleteServicesAtRestStorage({ storage: 'indexeddb', name: m.name, regions: REGIONS })) };
}

describe('components: <ek-bucket>, <ek-repository>', () => {
  it('<ek-bucket> creates its bucket, uploads with the mode chosen, and lists each object\'s encryption', async () => {
    const m = await mounted('<ek-bucket region="us-east-1" bucket="component-bucket"></ek-bucket>');
    try {
      const bucket = m.provider.querySelector('ek-bucket')!;
      await until(() => button(bucket, 'Create bucket'), 'the create button');
      button(bucket, 'Create bucket')!.click();
      await until(() => inShadow(bucket, '[part="settings"]')?.textContent?.includes('SSE-C blocked'), 'the default encryption');
      expect(inShadow(bucket, '[part="settings"]')!.textContent).to.contain('SSE-S3');
      const form = inShadow<HTMLFormElement>(bucket, 'form[part="upload"]')!;
      (form.elements.namedItem('key') as HTMLInputElement).value = 'notes/a.txt';
      (form.elements.namedItem('text') as HTMLInputElement).value = 'hello from a component';
      (form.elements.namedItem('mode') as HTMLSelectElement).value = 'aws:kms';
      (form.elements.namedItem('bucketKey') as HTMLInputElement).checked = true;
      const uploaded = nextEvent<EventDetails['ek-object-change']>(m.provider, 'ek-object-change');
      button(bucket, 'Upload')!.click();
      expect(await uploaded).to.deep.equal({ region: 'us-east-1', bucket: 'component-bucket', key: 'notes/a.txt', action: 'uploaded' });
      await until(() => inShadow(bucket, 'table[part="objects"]')?.textContent?.includes('SSE-KMS + Bucket Key'), 'the object row');
      expect(shadowText(bucket)).to.contain('Uploaded notes/a.txt: SSE-KMS under arn:aws:kms:us-east-1:');
      const got = await m.kit.s3('us-east-1').getObject({ Bucket: 'component-bucket', Key: 'notes/a.txt' });
      expect(await got.Body.transformToString()).to.equal('hello from a component');
    } finally {
      await m.cleanup();
    }
  });

  it('<ek-repository> creates a KMS repository, then shows its encryption read-only and its two grants', async () => {
    const m = await mounted('<ek-repository region="us-east-1" repository="component-repo"></ek-repository>');
    try {
      const repository = m.provider.querySelector('ek-repository')!;
      await until(() => button(repository, 'Create repository'), 'the create form');
      const form = inShadow<HTMLFormElement>(repository, 'form')!;
      (form.elements.namedItem('encryptionType') as HTMLSelectElement).value = 'KMS';
      const created = nextEvent<EventDetails['ek-repository-change']>(m.provider, 'ek-repository-change');
      button(repository, 'Create repository')!.click();
      expect((await created).action).to.equal('created');
      await until(() => inShadow(repository, 'ul[part="grants"]')?.querySelectorAll('li').length === 2, 'two grants');
      expect(inShadow(repository, '[part="encryption"]')!.textContent).to.contain('KMS').and.to.contain('fixed at creation');
      expect(inShadow(repository, 'form'), 'no form to change the encryption').to.equal(null);
      expect(inShadow(repository, 'ul[part="grants"]')!.textContent).to.contain('ecr.us-east-1.amazonaws.com');
      const deleted = nextEvent<EventDetails['ek-repository-change']>(m.provider, 'ek-repository-change');
      button(repository, 'Delete repository')!.click();
      expect(await deleted).to.deep.equal({ region: 'us-east-1', repositoryName: 'component-repo', action: 'deleted' });
      await until(() => shadowText(repository).includes('its KMS grants were retired'), 'the deletion status');
    } finally {
      await m.cleanup();
    }
  });
});
