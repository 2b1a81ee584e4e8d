/**
 * Records have CloudTrail's shape for KMS: the fields, names and values of the examples in the AWS
 * KMS developer guide (ct-*.md), and our userIdentity mapping for the kit's principals.
 */
import { buildAuditEvent, canonicalJson, type AuditEventInput } from '../../src/kms/audit/index.js';
import { ACCOUNT, ALICE, AUDITOR, EAST, KEY_ARN, KEY_ID, ROOT, T0, sampleInputs } from './helpers.js';

const base = { region: EAST, account: ACCOUNT, time: T0 };
const build = (input: Partial<AuditEventInput> & { eventName: string }) => buildAuditEvent({ ...base, ...input });

describe('CloudTrail record shape', () => {
  it('Encrypt: the fields of ct-encrypt.md, responseElements null, key material id aside', () => {
    const event = build({
      eventName: 'Encrypt',
      principal: ALICE,
      request: { KeyId: KEY_ARN, Plaintext: new Uint8Array([1, 2, 3]), EncryptionContext: { Department: 'Engineering' }, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
      response: { KeyId: KEY_ARN, CiphertextBlob: new Uint8Array(8), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
      additionalEventData: { keyMaterialId: 'ab'.repeat(32) },
      resources: [KEY_ARN],
      requestId: 'req-1',
      eventId: 'evt-1',
    });
    expect(event).toEqual({
      eventVersion: '1.08',
      userIdentity: { type: 'IAMUser', principalId: expect.stringMatching(/^AIDA[A-Z2-7]{17}$/), arn: ALICE, accountId: ACCOUNT, userName: 'alice' },
      eventTime: '2025-01-01T12:00:00Z',
      eventSource: 'kms.amazonaws.com',
      eventName: 'Encrypt',
      awsRegion: EAST,
      sourceIPAddress: 'envelope-kit',
      userAgent: 'envelope-kit',
      requestParameters: { keyId: KEY_ARN, encryptionContext: { Department: 'Engineering' }, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
      responseElements: null,
      additionalEventData: { keyMaterialId: 'ab'.repeat(32) },
      requestID: 'req-1',
      eventID: 'evt-1',
      readOnly: true,
      resources: [{ accountId: ACCOUNT, type: 'AWS::KMS::Key', ARN: KEY_ARN }],
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: 'Management',
    });
  });

  it('CreateKey: camelCase parameters and keyMetadata with CloudTrail dates (ct-createkey.md)', () => {
    const [createKey] = sampleInputs(EAST);
    const event = buildAuditEvent(createKey!);
    expect(event.readOnly).toBe(false);
    expect(event.requestParameters).toEqual({ description: 'app data', tags: [{ tagKey: 'team', tagValue: 'blue' }] });
    const metadata = event.responseElements!.keyMetadata as Record<string, unknown>;
    expect(metadata).toMatchObject({ aWSAccountId: ACCOUNT, keyId: KEY_ID, arn: KEY_ARN, creationDate: 'Jan 1, 2025, 12:00:00 PM', enabled: true, keySpec: 'SYMMETRIC_DEFAULT', encryptionAlgorithms: ['SYMMETRIC_DEFAULT'], multiRegion: false });
  });

  it('CreateGrant returns the grant id but never the grant token; grant tokens in requests are dropped', () => {
    const event = build({
      eventName: 'CreateGrant',
      principal: ROOT,
      request: { KeyId: KEY_ARN, GranteePrincipal: ALICE, Operations: ['Encrypt', 'RetireGrant'], Constraints: { EncryptionContextSubset: { ContextKey1: 'Value1' } }, GrantTokens: ['tok'] },
      response: { GrantId: 'g'.repeat(64), GrantToken: 'bearer-token' },
      resources: [KEY_ARN],
    });
    expect(event.requestParameters).toEqual({ keyId: KEY_ARN, granteePrincipal: ALICE, operations: ['Encrypt', 'RetireGrant'], constraints: { encryptionContextSubset: { ContextKey1: 'Value1' } } });
    expect(event.responseElements).toEqual({ grantId: 'g'.repeat(64) });
  });

  it('RetireGrant by token: requestParameters null, the grant id in additionalEventData (ct-retire-grant.md)', () => {
    const retire = sampleInputs(EAST).find((i) => i.eventName === 'RetireGrant')!;
    const event = buildAuditEvent(retire);
    expect(event.requestParameters).toBeNull();
    expect(event.additionalEventData).toEqual({ grantId: 'f0'.repeat(32) });
  });

  it('ScheduleKeyDeletion returns keyId, keyState, deletionDate, pendingWindowInDays', () => {
    const schedule = sampleInputs(EAST).find((i) => i.eventName === 'ScheduleKeyDeletion')!;
    expect(buildAuditEvent(schedule).responseElements).toEqual({ keyId: KEY_ARN, deletionDate: 'Jan 8, 2025, 12:07:00 PM', keyState: 'PendingDeletion', pendingWindowInDays: 7 });
  });

  it('service events: AWS Internal identity, no request, serviceEventDetails (ct-rotatekey.md)', () => {
    const event = build({ eventName: 'RotateKey', resources: [KEY_ARN] });
    expect(event.eventType).toBe('AwsServiceEvent');
    expect(event.userIdentity).toEqual({ accountId: ACCOUNT, invokedBy: 'AWS Internal' });
    expect(event.sourceIPAddress).toBe('AWS Internal');
    expect(event.requestParameters).toBeNull();
    expect(event.responseElements).toBeNull();
    expect(event.requestID).toBeUndefined();
    expect(event.serviceEventDetails).toEqual({ keyId: KEY_ID });
  });

  it('failures carry errorCode and errorMessage and no responseElements', () => {
    const event = build({ eventName: 'GenerateDataKey', principal: ALICE, request: { KeyId: KEY_ID, KeySpec: 'AES_256' }, response: { Plaintext: new Uint8Array(32) }, error: Object.assign(new Error('arn is disabled.'), { name: 'DisabledException', code: 'DisabledException' }) });
    expect(event.errorCode).toBe('DisabledException');
    expect(event.errorMessage).toBe('arn is disabled.');
    expect(event.responseElements).toBeNull();
    expect(event.requestParameters).toEqual({ keyId: KEY_ID, keySpec: 'AES_256' });
  });

  it('maps the kit principals to CloudTrail identities', () => {
    const identity = (principal: string, viaService?: string) => build({ eventName: 'ListKeys', principal, ...(viaService ? { viaService } : {}) }).userIdentity;
    expect(identity(ROOT)).toEqual({ type: 'Root', principalId: ACCOUNT, arn: ROOT, accountId: ACCOUNT });
    const role = identity(AUDITOR);
    expect(role).toMatchObject({ type: 'AssumedRole', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/auditor/envelope-kit`, sessionContext: { sessionIssuer: { type: 'Role', arn: AUDITOR, userName: 'auditor' } } });
    expect(role.principalId).toMatch(/^AROA[A-Z2-7]{17}:envelope-kit$/);
    expect(identity(`arn:aws:sts::${ACCOUNT}:assumed-role/auditor/s1`).sessionContext?.sessionIssuer.arn).toBe(AUDITOR);
    expect(identity('inspector2.amazonaws.com')).toEqual({ type: 'AWSService', invokedBy: 'inspector2.amazonaws.com' });
    expect(identity(ALICE, 'inspector2.us-east-1.amazonaws.com').invokedBy).toBe('inspector2.amazonaws.com');
    // Stable ids: the same ARN, the same principalId.
    expect(identity(ALICE).principalId).toBe(identity(ALICE).principalId);
    expect(identity(ALICE).principalId).not.toBe(identity(`arn:aws:iam::${ACCOUNT}:user/bob`).principalId);
  });

  it('readOnly follows CloudTrail: reads and crypto true, changes false', () => {
    const readOnly = (eventName: string) => build({ eventName, principal: ROOT }).readOnly;
    expect(['Decrypt', 'Sign', 'DescribeKey', 'ListAliases', 'GetParametersForImport', 'GenerateRandom'].map(readOnly)).toEqual([true, true, true, true, true, true]);
    expect(['CreateKey', 'PutKeyPolicy', 'ImportKeyMaterial', 'RevokeGrant', 'ScheduleKeyDeletion'].map(readOnly)).toEqual([false, false, false, false, false]);
  });

  it('an unknown operation logs no parameters (the allow-list is closed)', () => {
    const event = build({ eventName: 'FutureOperation', principal: ROOT, request: { KeyId: KEY_ID, Secret: 'x' }, response: { Value: 'y' } });
    expect(event.requestParameters).toBeNull();
    expect(event.responseElements).toBeNull();
  });

  it('checks its input, naming the argument', () => {
    expect(() => buildAuditEvent({ ...base, eventName: '' })).toThrow(/input.eventName/);
    expect(() => buildAuditEvent({ ...base, eventName: 'ListKeys', time: NaN })).toThrow(/input.time/);
    expect(() => buildAuditEvent({ ...base, eventName: 'ListKeys', principal: 7 as unknown as string })).toThrow(/input.principal/);
  });
});

describe('canonical JSON', () => {
  it('sorts keys, drops whitespace and undefined members, writes numbers as ECMAScript does', () => {
    expect(canonicalJson({ b: [1, 'x', null], a: { d: true, c: undefined }, é: -0, z: 1e21, y: 0.1 })).toBe('{"a":{"d":true},"b":[1,"x",null],"y":0.1,"z":1e+21,"é":0}');
  });

  it('matches RFC 8785 key order (UTF-16 code units) and escapes', () => {
    // RFC 8785 section 3.2.3's sorting example, keys in the expected order.
    const keys = ['\u20ac', '\r', '\ufb33', '1', '\ud83d\ude00', '\u0080', '\u00f6'];
    const text = canonicalJson(Object.fromEntries(keys.map((k, i) => [k, i])));
    expect(text).toBe('{"\\r":1,"1":3,"\u0080":5,"\u00f6":6,"\u20ac":0,"\ud83d\ude00":4,"\ufb33":2}');
    expect(canonicalJson('a"b\\c\n\u0001')).toBe('"a\\"b\\\\c\\n\\u0001"');
  });

  it('refuses binary and other non-JSON values, naming where they are and never printing them', () => {
    expect(() => canonicalJson({ requestParameters: { plaintext: new Uint8Array([9, 9, 9]) } })).toThrow(/value\.requestParameters\.plaintext is a Uint8Array/);
    expect(() => canonicalJson({ t: new Date() })).toThrow(/value\.t is a Date/);
    expect(() => canonicalJson([1, undefined])).toThrow(/value\[1\] is undefined/);
    expect(() => canonicalJson({ n: NaN })).toThrow(/finite/);
    expect(() => canonicalJson({ n: 1n })).toThrow(/bigint/);
    try {
      canonicalJson({ secret: new Uint8Array([0x53, 0x45, 0x43]) });
    } catch (error) {
      expect((error as Error).message).not.toMatch(/83|SEC|U0VD/);
    }
  });
});
