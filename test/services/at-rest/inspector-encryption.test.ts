/**
 * Amazon Inspector's key configuration and encrypted code snippets on the simulated KMS, from the
 * Inspector API Reference (UpdateEncryptionKey: kmsKeyId a full key ARN, scanType, resourceType
 * with the Azure types; GetEncryptionKey: ResourceNotFoundException while an AWS owned key is in
 * use; ResetEncryptionKey) and the Inspector User Guide, "Encryption at rest for code in your
 * findings" (a grant for the key, a data key under it, deleted when Lambda code scanning is turned
 * off) and "Creating a customer managed key to access AWS KMS" (the sample key policy's
 * aws:SourceAccount and aws:qdeveloper:codesecurity-scope conditions).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CODE_SECURITY_PRINCIPAL, CODE_SECURITY_SCOPE, createInspectorService, type InspectorClient, type InspectorService } from '../../../src/services/inspector/index.js';
import { openRegionalStore } from '../../../src/services/regional-store.js';
import { Inspector2ServiceException } from '../../../src/services/service-error.js';
import { ACCOUNT, ALICE, fixture, rejection, type Fixture } from './helpers.js';

let f: Fixture;
let service: InspectorService;
let inspector: InspectorClient;
const LAMBDA = { scanType: 'CODE', resourceType: 'AWS_LAMBDA_FUNCTION' } as const;
const FUNCTION = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:checkout`;

beforeEach(async () => {
  f = await fixture();
  service = await createInspectorService({ kms: f.kms });
  inspector = service.client('us-east-1');
});
afterEach(async () => {
  service.close();
  await f.kms.close();
});

const newKey = async (policy?: object) => (await f.kms.region('us-east-1').createKey(policy ? { Policy: JSON.stringify(policy) } : {})).KeyMetadata;

describe('key configuration', () => {
  it('an AWS owned key until a key is configured: GetEncryptionKey answers ResourceNotFoundException; Reset returns to it', async () => {
    const missing = await rejection(inspector.getEncryptionKey(LAMBDA));
    expect(missing).toBeInstanceOf(Inspector2ServiceException);
    expect(missing.name).toBe('ResourceNotFoundException');
    const key = await newKey();
    await inspector.updateEncryptionKey({ kmsKeyId: key.Arn, ...LAMBDA });
    expect(await inspector.getEncryptionKey(LAMBDA)).toEqual({ kmsKeyId: key.Arn });
    // Per scan type and resource type: another pair is still on the AWS owned key.
    expect((await rejection(inspector.getEncryptionKey({ scanType: 'PACKAGE', resourceType: 'AWS_ECR_CONTAINER_IMAGE' }))).name).toBe('ResourceNotFoundException');
    await inspector.updateEncryptionKey({ kmsKeyId: key.Arn, scanType: 'PACKAGE', resourceType: 'Microsoft.ContainerRegistry/registry/containerImage' });
    expect(await inspector.getEncryptionKey({ scanType: 'PACKAGE', resourceType: 'Microsoft.ContainerRegistry/registry/containerImage' })).toEqual({ kmsKeyId: key.Arn });
    await inspector.resetEncryptionKey(LAMBDA);
    expect((await rejection(inspector.getEncryptionKey(LAMBDA))).name).toBe('ResourceNotFoundException');
  });

  it('kmsKeyId must be a full key ARN of this Region; scanType and resourceType from the API\'s lists', async () => {
    const key = await newKey();
    await f.kms.region('us-east-1').createAlias({ AliasName: 'alias/inspector', TargetKeyId: key.KeyId });
    for (const kmsKeyId of ['alias/inspector', key.KeyId, `arn:aws:kms:us-east-1:${ACCOUNT}:alias/inspector`]) {
      expect((await rejection(inspector.updateEncryptionKey({ kmsKeyId, ...LAMBDA }))).name).toBe('ValidationException');
    }
    const west = (await f.kms.region('us-west-2').createKey({})).KeyMetadata.Arn;
    expect((await rejection(inspector.updateEncryptionKey({ kmsKeyId: west, ...LAMBDA }))).name).toBe('ValidationException');
    expect((await rejection(inspector.updateEncryptionKey({ kmsKeyId: key.Arn, scanType: 'SBOM' as never, resourceType: 'AWS_LAMBDA_FUNCTION' }))).name).toBe('ValidationException');
    expect((await rejection(inspector.updateEncryptionKey({ kmsKeyId: key.Arn, scanType: 'CODE', resourceType: 'AWS_S3_BUCKET' as never }))).name).toBe('ValidationException');
    const unknown = await rejection(inspector.updateEncryptionKey({ kmsKeyId: `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`, ...LAMBDA }));
    expect(unknown.name).toBe('ValidationException');
    expect(f.count('DescribeKey', { ok: false })).toBe(1);
  });

  it('the caller needs DescribeKey and CreateGrant through inspector2 of this Region', async () => {
    const policy = (via: string) => ({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'admin', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
        { Sid: 'configure via inspector', Effect: 'Allow', Principal: { AWS: ALICE }, Action: ['kms:DescribeKey', 'kms:CreateGrant'], Resource: '*', Condition: { StringEquals: { 'kms:ViaService': via } } },
      ],
    });
    const wrong = await newKey(policy('inspector2.eu-west-1.amazonaws.com'));
    const alice = service.client('us-east-1', { principal: ALICE });
    const refused = await rejection(alice.updateEncryptionKey({ kmsKeyId: wrong.Arn, ...LAMBDA }));
    expect(refused.name).toBe('AccessDeniedException');
    expect(refused.$metadata?.httpStatusCode).toBe(403);
    const right = await newKey(policy('inspector2.us-east-1.amazonaws.com'));
    await alice.updateEncryptionKey({ kmsKeyId: right.Arn, ...LAMBDA });
    const { Grants } = await f.kms.region('us-east-1').listGrants({ KeyId: right.Arn });
    expect(Grants).toHaveLength(1);
    expect(Grants[0]).toMatchObject({ GranteePrincipal: CODE_SECURITY_PRINCIPAL, Constraints: { EncryptionContextSubset: { [CODE_SECURITY_SCOPE]: ACCOUNT } } });
  });
});

describe('code snippets', () => {
  it('are encrypted under the configured key through the grant, and read back', async () => {
    await inspector.enable({ resourceTypes: ['LAMBDA', 'LAMBDA_CODE'] });
    const key = await newKey();
    await inspector.updateEncryptionKey({ kmsKeyId: key.Arn, ...LAMBDA });
    const { findingArn } = await inspector.simulateCodeFinding({ functionArn: FUNCTION, startLine: 41, lines: ['const q = "SELECT * FROM t WHERE id=" + id;', 'db.query(q);'] });
    expect(f.count('Encrypt', { ok: true, principal: CODE_SECURITY_PRINCIPAL })).toBe(1);
    const { codeSnippetResults, errors } = await inspector.batchGetCodeSnippet({ findingArns: [findingArn] });
    expect(errors).toEqual([]);
    expect(codeSnippetResults[0]).toMatchObject({ findingArn, startLine: 41, endLine: 42, codeSnippet: [{ lineNumber: 41, content: 'const q = "SELECT * FROM t WHERE id=" + id;' }, { lineNumber: 42, content: 'db.query(q);' }] });
    expect(f.count('Decrypt', { ok: true, principal: CODE_SECURITY_PRINCIPAL })).toBe(1);
    await f.kms.audit.flush();
    const [record] = (await f.kms.audit.query({ eventName: 'Decrypt' })) as unknown as { requestParameters: { encryptionContext: Record<string, string> } }[];
    expect(record!.requestParameters.encryptionContext).toEqual({ [CODE_SECURITY_SCOPE]: ACCOUNT });
  });

  it('the sample key policy conditions apply to the service: a Deny on another aws:SourceAccount passes, a Deny on this one refuses', async () => {
    await inspector.enable({ resourceTypes: ['LAMBDA_CODE'] });
    const policy = (account: string) => ({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'admin', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
        { Sid: 'code security only for its account', Effect: 'Deny', Principal: { Service: CODE_SECURITY_PRINCIPAL }, Action: 'kms:*', Resource: '*', Condition: { StringEquals: { 'aws:SourceAccount': account } } },
      ],
    });
    const other = await newKey(policy('444455556666'));
    await inspector.updateEncryptionKey({ kmsKeyId: other.Arn, ...LAMBDA });
    const { findingArn } = await inspector.simulateCodeFinding({ functionArn: FUNCTION, startLine: 1, lines: ['x'] });
    expect((await inspector.batchGetCodeSnippet({ findingArns: [findingArn] })).codeSnippetResults).toHaveLength(1);
    await f.kms.region('us-east-1').putKeyPolicy({ KeyId: other.KeyId, PolicyName: 'default', Policy: JSON.stringify(policy(ACCOUNT)) });
    const { errors } = await inspector.batchGetCodeSnippet({ findingArns: [findingArn] });
    expect(errors).toMatchObject([{ findingArn, errorCode: 'ACCESS_DENIED' }]);
    expect((await rejection(inspector.simulateCodeFinding({ functionArn: FUNCTION, startLine: 1, lines: ['y'] }))).name).toBe('AccessDeniedException');
  });

  it('a disabled key or a revoked grant makes snippets unreadable', async () => {
    await inspector.enable({ resourceTypes: ['LAMBDA_CODE'] });
    const key = await newKey();
    await inspector.updateEncryptionKey({ kmsKeyId: key.Arn, ...LAMBDA });
    const { findingArn } = await inspector.simulateCodeFinding({ functionArn: FUNCTION, startLine: 1, lines: ['secret()'] });
    const kms = f.kms.region('us-east-1');
    await kms.disableKey({ KeyId: key.KeyId });
    expect((await inspector.batchGetCodeSnippet({ findingArns: [findingArn] })).errors[0]!.errorCode).toBe('INTERNAL_ERROR');
    await kms.enableKey({ KeyId: key.KeyId });
    const [grant] = (await kms.listGrants({ KeyId: key.Arn })).Grants;
    await kms.revokeGrant({ KeyId: key.Arn, GrantId: grant!.GrantId });
    expect((await inspector.batchGetCodeSnippet({ findingArns: [findingArn] })).errors[0]!.errorCode).toBe('ACCESS_DENIED');
  });

  it('turning Lambda code scanning off deletes the snippets and retires the grant: nothing stored under it decrypts afterwards', async () => {
    await inspector.enable({ resourceTypes: ['LAMBDA_CODE'] });
    const key = await newKey();
    await inspector.updateEncryptionKey({ kmsKeyId: key.Arn, ...LAMBDA });
    const { findingArn } = await inspector.simulateCodeFinding({ functionArn: FUNCTION, startLine: 7, lines: ['eval(input)'] });
    // A copy of what was stored, as an attacker with the storage would hold it.
    const raw = await openRegionalStore({ storage: 'memory', name: f.name, account: ACCOUNT, region: 'us-east-1' }, { service: 'inspector2', version: 1, stores: { snippets: { keyPath: 'findingArn' } } });
    const [stolen] = await raw.all<{ dataKey: { blob: Uint8Array; kmsKeyId: string } }>('snippets');
    const status = await inspector.disable({ resourceTypes: ['LAMBDA_CODE'] });
    expect(status.accounts[0]!.resourceStatus).toMatchObject({ lambdaCode: 'DISABLED' });
    expect((await f.kms.region('us-east-1').listGrants({ KeyId: key.Arn })).Grants).toEqual([]);
    expect(f.count('RetireGrant', { ok: true })).toBe(1);
    expect((await inspector.batchGetCodeSnippet({ findingArns: [findingArn] })).errors).toMatchObject([{ errorCode: 'CODE_SNIPPET_NOT_FOUND' }]);
    const asService = f.kms.region('us-east-1', { principal: CODE_SECURITY_PRINCIPAL, context: { 'aws:SourceAccount': ACCOUNT } });
    const denied = await rejection(asService.decrypt({ CiphertextBlob: stolen!.dataKey.blob, KeyId: key.Arn, EncryptionContext: { [CODE_SECURITY_SCOPE]: ACCOUNT } }));
    expect(denied.name).toBe('AccessDeniedException');
    expect((await rejection(inspector.simulateCodeFinding({ functionArn: FUNCTION, startLine: 1, lines: ['x'] }))).name).toBe('ValidationException');
    // Turned back on, the configured key gets a new grant and new snippets work again.
    await inspector.enable({ resourceTypes: ['LAMBDA_CODE'] });
    const again = await inspector.simulateCodeFinding({ functionArn: FUNCTION, startLine: 1, lines: ['ok()'] });
    expect((await inspector.batchGetCodeSnippet({ findingArns: [again.findingArn] })).codeSnippetResults).toHaveLength(1);
  });

  it('changing the key or resetting it keeps snippets readable, and retires the old grant', async () => {
    await inspector.enable({ resourceTypes: ['LAMBDA_CODE'] });
    const first = await newKey();
    const second = await newKey();
    await inspector.updateEncryptionKey({ kmsKeyId: first.Arn, ...LAMBDA });
    const { findingArn } = await inspector.simulateCodeFinding({ functionArn: FUNCTION, startLine: 3, lines: ['kept()'] });
    await inspector.updateEncryptionKey({ kmsKeyId: second.Arn, ...LAMBDA });
    expect((await f.kms.region('us-east-1').listGrants({ KeyId: first.Arn })).Grants).toEqual([]);
    await f.kms.region('us-east-1').disableKey({ KeyId: first.KeyId });
    expect((await inspector.batchGetCodeSnippet({ findingArns: [findingArn] })).codeSnippetResults[0]!.codeSnippet[0]!.content).toBe('kept()');
    await inspector.resetEncryptionKey(LAMBDA);
    expect((await f.kms.region('us-east-1').listGrants({ KeyId: second.Arn })).Grants).toEqual([]);
    await f.kms.region('us-east-1').disableKey({ KeyId: second.KeyId });
    expect((await inspector.batchGetCodeSnippet({ findingArns: [findingArn] })).codeSnippetResults[0]!.codeSnippet[0]!.content).toBe('kept()');
  });

  it('without a configured key, snippets use the AWS owned key: no KMS call', async () => {
    await inspector.enable({ resourceTypes: ['LAMBDA_CODE'] });
    const { findingArn } = await inspector.simulateCodeFinding({ functionArn: FUNCTION, startLine: 1, lines: ['owned()'] });
    expect((await inspector.batchGetCodeSnippet({ findingArns: [findingArn] })).codeSnippetResults).toHaveLength(1);
    expect(f.calls).toEqual([]);
  });
});
