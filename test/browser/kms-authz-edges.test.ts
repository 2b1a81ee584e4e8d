/**
 * The authorization edges of issue 11 on IndexedDB, where storage matters: grant tokens are tagged
 * under a key derived from the region's stored root key, so a token issued before a reload (or by
 * another tab) is still one this KMS issued, and a made-up one never is; grant constraints compare
 * context keys case-insensitively across a reload; a bare key id from another account's principal
 * resolves in that account. The Node tests (test/kms/grant-tokens, grants, cross-account) cover
 * every case; these check that what is stored keeps them true.
 */
import { expect } from 'chai';
import { createKms, deleteKmsStorage } from '../../src/kms/index.js';
import { rejection } from '../support/outcome.js';
import { describe, it } from '../support/bdd.js';

const ACCOUNT = '111122223333';
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const bytes = (s: string) => new TextEncoder().encode(s);
const b64url = (text: string) => btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');


describe('authorization edges on IndexedDB', () => {
  it('a grant token survives a reload and another instance; a made-up one and another KMS\'s are refused', async () => {
    const name = `authz-edges-${crypto.randomUUID()}`;
    const other = `authz-edges-other-${crypto.randomUUID()}`;
    try {
      const first = await createKms({ storage: 'indexeddb', name });
      const keyId = (await first.region('us-east-1').createKey()).KeyMetadata.KeyId;
      const { GrantToken, GrantId } = await first.region('us-east-1').createGrant({
        KeyId: keyId,
        GranteePrincipal: ALICE,
        Operations: ['Encrypt', 'Decrypt'],
        Constraints: { EncryptionContextSubset: { Department: 'IT' } },
      });
      await first.close();

      // A second instance (a reload, another tab) derives the same token key from the stored root.
      const second = await createKms({ storage: 'indexeddb', name });
      const alice = second.region('us-east-1', { principal: ALICE });
      const { CiphertextBlob } = await alice.encrypt({ KeyId: keyId, Plaintext: bytes('p'), EncryptionContext: { department: 'IT' }, GrantTokens: [GrantToken] });
      await alice.decrypt({ CiphertextBlob, EncryptionContext: { department: 'IT' }, GrantTokens: [GrantToken] });
      expect((await rejection(alice.encrypt({ KeyId: keyId, Plaintext: bytes('p'), EncryptionContext: { Department: 'it' } }))).name).to.equal('AccessDeniedException');
      const parts = atob(GrantToken.replace(/-/g, '+').replace(/_/g, '/')).split(':');
      const madeUp = b64url([...parts.slice(0, 3), GrantId, '0123456789abcdef', '0'.repeat(32)].join(':'));
      expect((await rejection(alice.encrypt({ KeyId: keyId, Plaintext: bytes('p'), GrantTokens: [madeUp] }))).name).to.equal('InvalidGrantTokenException');

      // Another KMS (other databases, other root keys) did not issue it.
      const foreign = await createKms({ storage: 'indexeddb', name: other });
      const mine = (await foreign.region('us-east-1').createKey()).KeyMetadata.KeyId;
      expect((await rejection(foreign.region('us-east-1').encrypt({ KeyId: mine, Plaintext: bytes('p'), GrantTokens: [GrantToken] }))).name).to.equal('InvalidGrantTokenException');
      await foreign.close();

      // Another account's principal naming the key by bare id finds nothing in its own account.
      const outsider = second.region('us-east-1', { principal: 'arn:aws:iam::444455556666:root' });
      const notFound = await rejection(outsider.describeKey({ KeyId: keyId }));
      expect(notFound.name).to.equal('NotFoundException');
      expect(notFound.message).to.include(`arn:aws:kms:us-east-1:444455556666:key/${keyId}`);
      await second.close();
    } finally {
      await deleteKmsStorage({ storage: 'indexeddb', name });
      await deleteKmsStorage({ storage: 'indexeddb', name: other });
    }
  });
});
