/**
 * Storage faults, injected into the browser's real IndexedDB (issue 11, "What the kit must also
 * survive"): QuotaExceededError while creating keys, rotating, importing material and writing
 * audit records; an aborted transaction; a schema upgrade blocked by another connection (another
 * tab) holding the old version. Each gives a clear error, loses no key, material version or audit
 * record that a call reported as done, and the next call (or the next start) works.
 *
 * The injector wraps IDBObjectStore's write methods: while armed for a database, `put`, `add` and
 * `delete` throw QuotaExceededError (as a full origin does) or abort their transaction.
 */
import { expect } from 'chai';
import { openDB } from 'idb';
import { createKms, deleteKmsStorage, type Kms } from '../../src/kms/index.js';
import { MIGRATIONS } from '../../src/kms/storage/schema.js';
import { rejection } from '../support/outcome.js';
import { describe, it } from '../support/bdd.js';

type Fault = { readonly database: (name: string) => boolean; readonly kind: 'quota' | 'abort' };
let armed: Fault | undefined;
let injected = 0;

function installInjector(): void {
  const proto = IDBObjectStore.prototype as unknown as Record<'put' | 'add' | 'delete', (...args: unknown[]) => IDBRequest>;
  if ((proto as { __ekFaults?: boolean }).__ekFaults) return;
  (proto as { __ekFaults?: boolean }).__ekFaults = true;
  for (const method of ['put', 'add', 'delete'] as const) {
    const original = proto[method]!;
    proto[method] = function (this: IDBObjectStore, ...args: unknown[]) {
      const fault = armed;
      if (fault && fault.database(this.transaction.db.name)) {
        injected += 1;
        if (fault.kind === 'quota') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        const request = original.apply(this, args);
        this.transaction.abort();
        return request;
      }
      return original.apply(this, args);
    };
  }
}
installInjector();

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const ACCOUNT = '111122223333';


async function withKms(body: (kms: Kms, name: string) => Promise<void>): Promise<void> {
  const name = `faults-${crypto.randomUUID()}`;
  const kms = await createKms({ storage: 'indexeddb', name });
  try {
    await body(kms, name);
  } finally {
    armed = undefined;
    await kms.close();
    await deleteKmsStorage({ storage: 'indexeddb', name });
  }
}

const kmsDatabase = (name: string) => (db: string) => db === `${name}:${ACCOUNT}:us-east-1`;
const auditDatabase = (name: string) => (db: string) => db === `${name}:${ACCOUNT}-audit-us-east-1`;

describe('storage faults', () => {
  for (const kind of ['quota', 'abort'] as const) {
    it(`${kind === 'quota' ? 'QuotaExceededError' : 'an aborted transaction'} in the KMS store while creating a key, rotating and importing: a clear error, nothing half-written, the next call works`, () =>
      withKms(async (kms, name) => {
        const east = kms.region('us-east-1');
        const keyId = (await east.createKey({ Description: 'before' })).KeyMetadata.KeyId;
        const { CiphertextBlob } = await east.encrypt({ KeyId: keyId, Plaintext: bytes('kept') });
        const external = (await east.createKey({ Origin: 'EXTERNAL' })).KeyMetadata.KeyId;
        const params = await east.getParametersForImport({ KeyId: external, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' });
        const material = crypto.getRandomValues(new Uint8Array(32));
        const wrappingKey = await crypto.subtle.importKey('spki', params.PublicKey as Uint8Array<ArrayBuffer>, { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt']);
        const EncryptedKeyMaterial = new Uint8Array(await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, wrappingKey, material));

        armed = { database: kmsDatabase(name), kind };
        const before = injected;
        const refusals = [
          await rejection(east.createKey({ Description: 'during' })),
          await rejection(east.rotateKeyOnDemand({ KeyId: keyId })),
          await rejection(east.importKeyMaterial({ KeyId: external, ImportToken: params.ImportToken, EncryptedKeyMaterial, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })),
        ];
        armed = undefined;
        expect(injected).to.be.greaterThan(before);
        for (const error of refusals) {
          // Failed storage is the simulator's environment, not an AWS fault (issue 10): STORAGE_FAILED.
          expect([error.name, (error as { code?: string }).code]).to.deep.equal(['SimulatorError', 'STORAGE_FAILED']);
          expect(error.message).to.match(kind === 'quota' ? /QuotaExceededError|quota/i : /abort/i);
        }
        // Nothing half-written: no third key, no rotation, the imported key still pending.
        expect((await east.listKeys()).Keys.map((k) => k.KeyId).sort()).to.deep.equal([keyId, external].sort());
        expect((await east.listKeyRotations({ KeyId: keyId })).Rotations).to.deep.equal([]);
        expect((await east.describeKey({ KeyId: external })).KeyMetadata.KeyState).to.equal('PendingImport');
        // The next calls work, and the old ciphertext still decrypts.
        expect(text((await east.decrypt({ CiphertextBlob })).Plaintext)).to.equal('kept');
        await east.createKey({ Description: 'after' });
        await east.rotateKeyOnDemand({ KeyId: keyId });
        await east.importKeyMaterial({ KeyId: external, ImportToken: params.ImportToken, EncryptedKeyMaterial, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
        expect(text((await east.decrypt({ CiphertextBlob })).Plaintext)).to.equal('kept');
        // The refused calls are in the audit log, which verifies.
        const failed = await kms.audit.query({ errorCode: 'STORAGE_FAILED' });
        expect(failed.map((r) => r.eventName)).to.include.members(['CreateKey', 'RotateKeyOnDemand', 'ImportKeyMaterial']);
        expect((await kms.audit.verify()).ok).to.equal(true);
      }));
  }

  it('QuotaExceededError in the audit store: the call fails clearly, what it did is kept, the log verifies once storage works', () =>
    withKms(async (kms, name) => {
      const east = kms.region('us-east-1');
      const keyId = (await east.createKey()).KeyMetadata.KeyId;
      armed = { database: auditDatabase(name), kind: 'quota' };
      const error = await rejection(east.createKey({ Description: 'unaudited' }));
      armed = undefined;
      expect([error.name, (error as { code?: string }).code]).to.deep.equal(['SimulatorError', 'STORAGE_FAILED']);
      expect(error.message).to.match(/audit record .* could not be stored/);
      expect(error.message).to.match(/QuotaExceededError/);
      expect(error.message).to.match(/CreateKey itself completed/);
      // The key the call created is not lost: it is listed, and usable.
      const keys = (await east.listKeys()).Keys.map((k) => k.KeyId);
      expect(keys).to.have.length(2);
      const created = keys.find((k) => k !== keyId)!;
      await east.encrypt({ KeyId: created, Plaintext: bytes('x') });
      expect((await kms.audit.verify()).ok).to.equal(true);
    }));

  it('a schema upgrade blocked by another connection on the old version: a clear error, then the upgrade once it is gone', async () => {
    const name = `faults-blocked-${crypto.randomUUID()}`;
    const database = `${name}:${ACCOUNT}:us-east-1`;
    // Another tab of an older version: the layout before grants, and no handler that steps aside.
    const old = await openDB(database, 1, { upgrade: (db, _o, _n, tx) => MIGRATIONS[0]!(db as never, tx as never) });
    try {
      const started = performance.now();
      const error = await rejection(createKms({ storage: 'indexeddb', name }));
      expect(error.name).to.equal('StorageBlockedError');
      expect(error.message).to.include(database);
      expect(error.message).to.match(/another tab/);
      expect(performance.now() - started).to.be.lessThan(10_000);
    } finally {
      old.close();
    }
    const kms = await createKms({ storage: 'indexeddb', name });
    const east = kms.region('us-east-1');
    const keyId = (await east.createKey()).KeyMetadata.KeyId;
    await east.createGrant({ KeyId: keyId, GranteePrincipal: `arn:aws:iam::${ACCOUNT}:user/alice`, Operations: ['Encrypt'] });
    await kms.close();
    await deleteKmsStorage({ storage: 'indexeddb', name });
  });
});
