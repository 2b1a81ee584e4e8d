/**
 * Every DB-ESDK decrypt vector (written by the DB-ESDK's Java runtime, versions 3.2 and 3.3):
 * positive ones decrypt to their plaintext, negative ones fail with a typed error. Runs in Node
 * and in every browser.
 */
import { expect } from 'chai';
import { ItemEncryptorError, createItemEncryptor, serializeAttribute, type Item } from '../../src/records/index.js';
import { parseHeader, serializePartialHeader } from '../../src/records/header.js';
import { DBESDK_VECTOR_COUNTS, VECTOR_TABLE, loadDbesdkVectors, vectorKeyring, type DbesdkVectorFile } from '../support/dbesdk-vectors.js';

/** Attribute-by-attribute equality of the serialized (normalized, sorted) forms. */
function expectSameItem(actual: Item, expected: Item): void {
  expect(Object.keys(actual).sort()).to.deep.equal(Object.keys(expected).sort());
  for (const name of Object.keys(expected)) {
    const a = serializeAttribute(actual[name]!);
    const e = serializeAttribute(expected[name]!);
    expect(a.typeId, `type of ${name}`).to.equal(e.typeId);
    expect(Array.from(a.value), `value of ${name}`).to.deep.equal(Array.from(e.value));
  }
}

for (const file of Object.keys(DBESDK_VECTOR_COUNTS) as DbesdkVectorFile[]) {
  describe(`DB-ESDK vectors ${file}`, () => {
    it(`decrypts the ${DBESDK_VECTOR_COUNTS[file]} vectors, or fails the negative ones`, async () => {
      const vectors = await loadDbesdkVectors(file);
      expect(vectors).to.have.length(DBESDK_VECTOR_COUNTS[file]);
      const { keyring } = await vectorKeyring();
      const outcomes: string[] = [];
      for (const v of vectors) {
        const encryptor = createItemEncryptor({ ...VECTOR_TABLE, ...v.config, keyring });
        if (v.type === 'positive-decrypt') {
          const { plaintextItem, parsedHeader } = await encryptor.decryptItem(v.encrypted);
          expectSameItem(plaintextItem, v.plaintext);
          expect(parsedHeader.encryptedDataKeys.map((k) => k.providerId)).to.deep.equal(['aws-kms-hierarchy']);
          outcomes.push(`${v.id}: ok`);
        } else {
          const error = await encryptor.decryptItem(v.encrypted).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error, `vector ${v.id} (${v.description}) must fail`).to.be.instanceOf(ItemEncryptorError);
          // The only negative vectors read signed attributes as unsigned: the legend counts more.
          expect((error as ItemEncryptorError).code).to.equal('SIGNED_ATTRIBUTES_MISMATCH');
          outcomes.push(`${v.id}: ${(error as ItemEncryptorError).code}`);
        }
      }
      expect(outcomes).to.have.length(vectors.length);
    });

    it('re-serializes every header byte for byte (the writer the kit uses is the one Java used)', async () => {
      for (const v of await loadDbesdkVectors(file)) {
        const head = (v.encrypted.aws_dbe_head as { B: Uint8Array }).B;
        const parsed = parseHeader(head);
        expect(Array.from(serializePartialHeader(parsed)), `vector ${v.id}`).to.deep.equal(Array.from(parsed.partial));
        expect(parsed.partial.length + 32).to.equal(head.length);
        // the legend has one byte per signed attribute: everything but the header and footer here
        expect(parsed.legend.length, `vector ${v.id}`).to.equal(Object.keys(v.encrypted).length - 2);
      }
    });
  });
}
