/**
 * No secret reaches a record: for every operation in ../shared/reference/kms-operations.txt, a
 * request and a response with every member filled in (secrets with marker bytes) are recorded, and
 * the marker must not appear in the record or the exported log in any encoding. Then the same with
 * the real simulated KMS's requests and responses.
 */
import { readFileSync } from 'node:fs';
import { buildAuditEvent, OPERATION_SHAPES } from '../../src/kms/audit/index.js';
import { createKms } from '../../src/kms/index.js';
import { ACCOUNT, ALICE, EAST, KEY_ARN, T0, openLog } from './helpers.js';

const REFERENCE = new URL('../../../shared/reference/kms-operations.txt', import.meta.url);

interface Member {
  name: string;
  type: string;
  enumValues?: string[];
}
interface Operation {
  name: string;
  input: Member[];
  output: Member[];
}

function parseReference(text: string): Operation[] {
  const ops: Operation[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('## ')) ops.push({ name: line.slice(3).trim(), input: [], output: [] });
    const m = /^\s+(IN |OUT): (.*)$/.exec(line);
    if (!m || ops.length === 0) continue;
    const members = m[2]!.split(/, (?![^{]*\})/).map((spec): Member => {
      const [, name, type, values] = /^\*?(\w+):(\w+)(?:\[[^\]]*\]|\{([^}]*)\})?$/.exec(spec.trim())!;
      return { name: name!, type: type!, ...(values ? { enumValues: values.split('|') } : {}) };
    });
    ops[ops.length - 1]![m[1] === 'IN ' ? 'input' : 'output'] = members;
  }
  return ops;
}

/** Printable on purpose: if the bytes were ever decoded as text, the marker would show as text. */
const MARKER_TEXT = 'ZQXJMARKERZQXJ';
const MARKER = new TextEncoder().encode(MARKER_TEXT);
const marker = () => MARKER.slice();

/** The members whose values are secret (binary data, bearer tokens, attestation documents). */
const SECRET_TYPES = new Set(['CiphertextType', 'PlaintextType', 'PublicKeyType', 'GrantTokenType', 'GrantTokenList', 'RecipientInfo']);

function secretValue(type: string): unknown {
  if (type === 'GrantTokenType') return MARKER_TEXT;
  if (type === 'GrantTokenList') return [MARKER_TEXT, MARKER_TEXT];
  if (type === 'RecipientInfo') return { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', AttestationDocument: marker() };
  return marker();
}

const metadata = { AWSAccountId: ACCOUNT, KeyId: 'k', Arn: KEY_ARN, CreationDate: new Date(T0), Enabled: true, KeyState: 'Enabled', KeySpec: 'SYMMETRIC_DEFAULT', MultiRegion: false };

function benignValue(member: Member): unknown {
  if (member.enumValues) return member.enumValues[0];
  switch (member.type) {
    case 'BooleanType':
    case 'NullableBooleanType':
      return true;
    case 'DateType':
      return new Date(T0);
    case 'EncryptionContextType':
      return { purpose: 'redaction-test' };
    case 'TagList':
      return [{ TagKey: 'team', TagValue: 'blue' }];
    case 'KeyMetadata':
      return metadata;
    case 'GrantConstraints':
      return { EncryptionContextSubset: { purpose: 'redaction-test' } };
    default:
      if (/List$/.test(member.type)) return [];
      if (/(NumberOfBytes|Limit|Days|PendingWindow)/.test(member.type)) return 32;
      return `value-of-${member.name}`;
  }
}

/** `everything`: put marker bytes in every member, secret or not (a Uint8Array where a string belongs must be dropped too). */
function fill(members: Member[], everything: boolean): Record<string, unknown> {
  return Object.fromEntries(members.map((m) => [m.name, SECRET_TYPES.has(m.type) ? secretValue(m.type) : everything ? marker() : benignValue(m)]));
}

function base64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

/** The marker in every encoding a careless logger might use. */
const FORBIDDEN: string[] = (() => {
  const out = [MARKER_TEXT, Buffer.from(MARKER).toString('hex'), [...MARKER].join(','), `"1":${MARKER[1]}`];
  // base64 of the marker at each of the three alignments, minus the edge characters that depend on neighbours.
  for (let shift = 0; shift < 3; shift++) out.push(base64(new Uint8Array([...new Uint8Array(shift), ...MARKER])).slice(4, -4));
  return out;
})();

function expectClean(text: string, context: string): void {
  for (const needle of FORBIDDEN) expect(text.includes(needle), `${context}: found ${JSON.stringify(needle)}`).toBe(false);
}

const operations = parseReference(readFileSync(REFERENCE, 'utf8'));

describe('redaction: no secret in any record', () => {
  it('reads every operation of the reference (and the allow-list covers each one)', () => {
    expect(operations.length).toBeGreaterThanOrEqual(45);
    expect(operations.map((o) => o.name).filter((name) => !OPERATION_SHAPES[name])).toEqual([]);
  });

  for (const everything of [false, true]) {
    it(`every operation, success and failure, ${everything ? 'marker bytes in every member' : 'marker bytes in the secret members'}`, async () => {
      const log = await openLog();
      for (const op of operations) {
        const request = fill(op.input, everything);
        const response = fill(op.output, everything);
        for (const outcome of ['success', 'failure'] as const) {
          const input = {
            eventName: op.name,
            region: EAST,
            account: ACCOUNT,
            time: T0,
            principal: ALICE,
            request,
            ...(outcome === 'success' ? { response } : { error: { name: 'AccessDeniedException', message: 'User is not authorized' } }),
            resources: [KEY_ARN],
            explanation: { decision: 'Allow', detail: marker() } as never,
          };
          const event = buildAuditEvent(input);
          expectClean(JSON.stringify(event), `${op.name} ${outcome}`);
          await log.audit.record(input);
        }
      }
      const text = await log.audit.export();
      expectClean(text, 'export');
      expect((await log.audit.verify(text)).ok).toBe(true);
      // Sanity: the test would notice a leak (the marker is findable where it is allowed to be).
      expect(JSON.stringify({ blob: base64(MARKER) }).includes(FORBIDDEN[4]!)).toBe(true);
    });
  }

  it("the simulated KMS's own requests and responses leave no plaintext, data key or ciphertext in the log", async () => {
    const kms = await createKms({ storage: 'memory', now: () => T0 });
    const log = await openLog();
    const client = kms.region(EAST);
    const seen: Uint8Array[] = [];
    // This is the seam as the KMS will use it: record(request, response | error) after every call.
    const call = async <T>(eventName: string, request: Record<string, unknown>, run: () => Promise<T>): Promise<T> => {
      let response: T | undefined;
      let error: unknown;
      try {
        response = await run();
        return response;
      } catch (e) {
        error = e;
        throw e;
      } finally {
        await log.audit.record({ eventName, region: EAST, account: kms.account, time: T0, principal: ALICE, request, ...(error ? { error } : { response }) });
      }
    };
    const { KeyMetadata } = await call('CreateKey', {}, () => client.createKey({}));
    const KeyId = KeyMetadata.KeyId;
    const plaintext = new TextEncoder().encode('PLAINTEXT-SECRET-0123456789');
    seen.push(plaintext);
    const encrypted = await call('Encrypt', { KeyId, Plaintext: plaintext }, () => client.encrypt({ KeyId, Plaintext: plaintext, EncryptionContext: { a: 'b' } }));
    seen.push(encrypted.CiphertextBlob);
    const dataKey = await call('GenerateDataKey', { KeyId, KeySpec: 'AES_256' }, () => client.generateDataKey({ KeyId, KeySpec: 'AES_256' }));
    seen.push(dataKey.Plaintext, dataKey.CiphertextBlob);
    const decrypted = await call('Decrypt', { CiphertextBlob: dataKey.CiphertextBlob }, () => client.decrypt({ CiphertextBlob: dataKey.CiphertextBlob }));
    seen.push(decrypted.Plaintext);
    const random = await call('GenerateRandom', { NumberOfBytes: 32 }, () => client.generateRandom({ NumberOfBytes: 32 }));
    seen.push(random.Plaintext!);
    await call('Decrypt', { CiphertextBlob: new Uint8Array(64) }, () => client.decrypt({ CiphertextBlob: new Uint8Array(64) })).catch(() => undefined);
    // Both logs: ours, fed above, and the KMS's own (its seam, src/kms/audit/recording.ts).
    const text = (await log.audit.export()) + (await kms.audit.export());
    expect(text.match(/"eventName":"GenerateDataKey"/g)).toHaveLength(2);
    for (const bytes of seen) {
      const hex = Buffer.from(bytes).toString('hex');
      for (const needle of [hex.slice(0, 32), Buffer.from(bytes).toString('base64').slice(4, 24), [...bytes.slice(0, 8)].join(',')]) {
        expect(text.includes(needle), `found ${needle}`).toBe(false);
      }
    }
    expect(text).not.toContain('PLAINTEXT-SECRET');
    expect((await log.audit.query({ eventName: 'Decrypt', errorCode: 'InvalidCiphertextException' })).length).toBe(1);
    kms.close();
  });
});
