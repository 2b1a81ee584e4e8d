/**
 * Grant tokens are checked, not only shaped: every operation that takes GrantTokens (the
 * cryptographic operations and CreateGrant), and RetireGrant by GrantToken, answers a token this
 * KMS did not issue with InvalidGrantTokenException ("The request was rejected because the specified
 * grant token is not valid.", AWS KMS API reference). A well-formed token of a grant that no longer
 * exists is accepted and adds nothing (grant-tokens.ts says why): the request is decided as if it
 * were absent.
 */
import { createKms, type Kms, type KmsRegionClient } from '../../src/kms/index.js';
import { bytes, rejects } from './helpers.js';

const ACCOUNT = '111122223333';
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const INVALID = /^The request was rejected because the specified grant token is not valid: GrantTokens\.1 is not a grant token this KMS issued/;
const b64url = (text: string) => btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

let kms: Kms;
let root: KmsRegionClient;
beforeEach(async () => {
  kms = await createKms({ storage: 'memory' });
  root = kms.region('us-east-1');
});
afterEach(() => kms.close());

describe('a token this KMS did not issue', () => {
  it('is refused by every operation that takes GrantTokens, before anything else, even for the account root', async () => {
    const sym = (await root.createKey()).KeyMetadata.KeyId;
    const rsa = (await root.createKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' })).KeyMetadata.KeyId;
    const ecc = (await root.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })).KeyMetadata.KeyId;
    const hmac = (await root.createKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyMetadata.KeyId;
    const { CiphertextBlob } = await root.encrypt({ KeyId: sym, Plaintext: bytes('p') });
    const { Signature } = await root.sign({ KeyId: ecc, Message: bytes('m'), SigningAlgorithm: 'ECDSA_SHA_256' });
    const { Mac } = await root.generateMac({ KeyId: hmac, Message: bytes('m'), MacAlgorithm: 'HMAC_SHA_256' });
    const GrantTokens = ['token-1'];
    const calls: [string, () => Promise<unknown>][] = [
      ['Encrypt', () => root.encrypt({ KeyId: sym, Plaintext: bytes('p'), GrantTokens })],
      ['Decrypt', () => root.decrypt({ CiphertextBlob, GrantTokens })],
      ['ReEncrypt', () => root.reEncrypt({ CiphertextBlob, DestinationKeyId: sym, GrantTokens })],
      ['GenerateDataKey', () => root.generateDataKey({ KeyId: sym, NumberOfBytes: 32, GrantTokens })],
      ['GenerateDataKeyWithoutPlaintext', () => root.generateDataKeyWithoutPlaintext({ KeyId: sym, NumberOfBytes: 32, GrantTokens })],
      ['GenerateDataKeyPair', () => root.generateDataKeyPair({ KeyId: sym, KeyPairSpec: 'ECC_NIST_P256', GrantTokens })],
      ['GenerateDataKeyPairWithoutPlaintext', () => root.generateDataKeyPairWithoutPlaintext({ KeyId: sym, KeyPairSpec: 'ECC_NIST_P256', GrantTokens })],
      ['Encrypt (RSA)', () => root.encrypt({ KeyId: rsa, Plaintext: bytes('p'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256', GrantTokens })],
      ['Sign', () => root.sign({ KeyId: ecc, Message: bytes('m'), SigningAlgorithm: 'ECDSA_SHA_256', GrantTokens })],
      ['Verify', () => root.verify({ KeyId: ecc, Message: bytes('m'), Signature, SigningAlgorithm: 'ECDSA_SHA_256', GrantTokens })],
      ['GetPublicKey', () => root.getPublicKey({ KeyId: ecc, GrantTokens })],
      ['GenerateMac', () => root.generateMac({ KeyId: hmac, Message: bytes('m'), MacAlgorithm: 'HMAC_SHA_256', GrantTokens })],
      ['VerifyMac', () => root.verifyMac({ KeyId: hmac, Message: bytes('m'), Mac, MacAlgorithm: 'HMAC_SHA_256', GrantTokens })],
      ['CreateGrant', () => root.createGrant({ KeyId: sym, GranteePrincipal: ALICE, Operations: ['Encrypt'], GrantTokens })],
      ['DescribeKey', () => root.describeKey({ KeyId: sym, GrantTokens })],
      // Before the key is looked up: an unknown key is not what the caller learns about.
      ['Encrypt (unknown key)', () => root.encrypt({ KeyId: '0987dcba-09fe-87dc-65ba-ab0987654321', Plaintext: bytes('p'), GrantTokens })],
    ];
    for (const [name, call] of calls) {
      const error = await rejects(call(), 'InvalidGrantTokenException', INVALID);
      expect([name, (error as { $fault?: string }).$fault]).toEqual([name, 'client']);
    }
    expect((await root.listGrants({ KeyId: sym })).Grants).toEqual([]);
  });

  it('names the first bad token; look-alikes (edited, truncated, wrong prefix, bad key id) are refused', async () => {
    const keyId = (await root.createKey()).KeyMetadata.KeyId;
    const { GrantToken, GrantId } = await root.createGrant({ KeyId: keyId, GranteePrincipal: ALICE, Operations: ['Encrypt'] });
    await rejects(root.encrypt({ KeyId: keyId, Plaintext: bytes('p'), GrantTokens: [GrantToken, 'nope'] }), 'InvalidGrantTokenException', /GrantTokens\.2 is not a grant token/);
    const nonce = '0123456789abcdef';
    const lookAlikes = [
      GrantToken.slice(0, -4),
      `${GrantToken}AAAA`,
      b64url(`ekgt0:us-east-1:${keyId}:${GrantId}:${nonce}`),
      b64url(`ekgt1:us-east-1:not-a-key:${GrantId}:${nonce}`),
      b64url(`ekgt1:us-east-1:${keyId}:${GrantId.slice(1)}:${nonce}`),
      b64url(`ekgt1:us-east-1:${keyId}:${GrantId}`),
      GrantToken.replace(/[A-Za-z0-9_-]$/, '+'),
    ];
    for (const token of lookAlikes) await rejects(root.encrypt({ KeyId: keyId, Plaintext: bytes('p'), GrantTokens: [token] }), 'InvalidGrantTokenException', INVALID);
    // Shape first: the list limits are ValidationException, as before.
    await rejects(root.encrypt({ KeyId: keyId, Plaintext: bytes('p'), GrantTokens: Array(11).fill(GrantToken) }), 'ValidationException');
    await rejects(root.encrypt({ KeyId: keyId, Plaintext: bytes('p'), GrantTokens: [''] }), 'ValidationException');
    // A real token, even one of another key's grant, passes.
    const other = (await root.createKey()).KeyMetadata.KeyId;
    const foreign = await root.createGrant({ KeyId: other, GranteePrincipal: ALICE, Operations: ['Decrypt'] });
    await root.encrypt({ KeyId: keyId, Plaintext: bytes('p'), GrantTokens: [GrantToken, foreign.GrantToken] });
  });

  it('a well-formed token naming a real key id with made-up remaining fields is refused (issue 11, defect 3)', async () => {
    const keyId = (await root.createKey()).KeyMetadata.KeyId;
    const { GrantToken, GrantId } = await root.createGrant({ KeyId: keyId, GranteePrincipal: ALICE, Operations: ['Encrypt'] });
    const decoded = atob(GrantToken.replace(/-/g, '+').replace(/_/g, '/')).split(':');
    expect(decoded.slice(0, 4)).toEqual(['ekgt2', 'us-east-1', keyId, GrantId]);
    const hex = (n: number) => [...crypto.getRandomValues(new Uint8Array(n))].map((b) => b.toString(16).padStart(2, '0')).join('');
    const [prefix, region, , , nonce, tag] = decoded as [string, string, string, string, string, string];
    const madeUp = [
      // Everything after the key id invented.
      b64url([prefix, region, keyId, hex(32), hex(8), hex(16)].join(':')),
      // The real grant id, invented nonce and tag.
      b64url([prefix, region, keyId, GrantId, hex(8), hex(16)].join(':')),
      // A real token with its nonce changed, or its tag changed by one digit.
      b64url([prefix, region, keyId, GrantId, hex(8), tag].join(':')),
      b64url([prefix, region, keyId, GrantId, nonce, tag.replace(/.$/, (c) => (c === '0' ? '1' : '0'))].join(':')),
      // A real token moved to another region this KMS runs, or to one it does not.
      b64url([prefix, 'us-west-2', keyId, GrantId, nonce, tag].join(':')),
      b64url([prefix, 'eu-north-1', keyId, GrantId, nonce, tag].join(':')),
    ];
    for (const token of madeUp) {
      await rejects(root.encrypt({ KeyId: keyId, Plaintext: bytes('p'), GrantTokens: [token] }), 'InvalidGrantTokenException', INVALID);
      await rejects(root.retireGrant({ GrantToken: token }), 'InvalidGrantTokenException', /GrantToken is not a grant token this KMS issued/);
    }
    // The grant is still there: nothing was retired by a forged token.
    expect((await root.listGrants({ KeyId: keyId })).Grants.map((g) => g.GrantId)).toEqual([GrantId]);
  });

  it('a token another KMS (another root key) issued is refused, for the same key id text', async () => {
    const other = await createKms({ storage: 'memory' });
    try {
      const otherRoot = other.region('us-east-1');
      const keyId = (await otherRoot.createKey()).KeyMetadata.KeyId;
      const { GrantToken } = await otherRoot.createGrant({ KeyId: keyId, GranteePrincipal: ALICE, Operations: ['Encrypt'] });
      const mine = (await root.createKey()).KeyMetadata.KeyId;
      await rejects(root.encrypt({ KeyId: mine, Plaintext: bytes('p'), GrantTokens: [GrantToken] }), 'InvalidGrantTokenException', INVALID);
    } finally {
      await other.close();
    }
  });

  it('a token of another region this KMS runs is one it issued', async () => {
    const west = kms.region('us-west-2');
    const keyId = (await west.createKey()).KeyMetadata.KeyId;
    const { GrantToken } = await west.createGrant({ KeyId: keyId, GranteePrincipal: ALICE, Operations: ['Encrypt'] });
    const mine = (await root.createKey()).KeyMetadata.KeyId;
    await root.encrypt({ KeyId: mine, Plaintext: bytes('p'), GrantTokens: [GrantToken] });
  });

  it('RetireGrant by GrantToken: InvalidGrantTokenException naming GrantToken', async () => {
    await rejects(root.retireGrant({ GrantToken: 'token-1' }), 'InvalidGrantTokenException', /GrantToken is not a grant token this KMS issued/);
  });
});

describe('a token of a grant that no longer exists', () => {
  it('is accepted and allows nothing: the grantee is refused as without it, others are decided as usual', async () => {
    const keyId = (await root.createKey()).KeyMetadata.KeyId;
    const alice = kms.region('us-east-1', { principal: ALICE });
    const { GrantToken, GrantId } = await root.createGrant({ KeyId: keyId, GranteePrincipal: ALICE, Operations: ['Encrypt'] });
    await alice.encrypt({ KeyId: keyId, Plaintext: bytes('p'), GrantTokens: [GrantToken] });
    await root.revokeGrant({ KeyId: keyId, GrantId });
    const refused = await rejects(alice.encrypt({ KeyId: keyId, Plaintext: bytes('p'), GrantTokens: [GrantToken] }), 'AccessDeniedException');
    expect(refused.message).toMatch(/because no identity-based policy allows the kms:Encrypt action$/);
    await root.encrypt({ KeyId: keyId, Plaintext: bytes('p'), GrantTokens: [GrantToken] });
    // RetireGrant by that token finds no grant.
    await rejects(root.retireGrant({ GrantToken }), 'NotFoundException', new RegExp(`^Grant ID ${GrantId} not found$`));
  });
});
