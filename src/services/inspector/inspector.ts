/**
 * A simulated Amazon Inspector: its per-resource-type KMS key configuration (API Reference,
 * UpdateEncryptionKey, GetEncryptionKey, ResetEncryptionKey) and the code snippets of Lambda code
 * scanning findings, kept encrypted as the Inspector User Guide, "Encryption at rest for code in
 * your findings", describes:
 *
 * 1. UpdateEncryptionKey names a customer managed key by its full ARN; Inspector checks it
 *    (DescribeKey) and the code-security service requests a grant for it, both as the caller
 *    through `inspector2.<region>.amazonaws.com`.
 * 2. The code-security service (`q.amazonaws.com`) makes a data key under that grant, with the
 *    encryption context `aws:qdeveloper:codesecurity-scope` = the account, and the global keys
 *    `aws:SourceAccount` / `aws:SourceArn` in the request, so the key policy conditions of the
 *    guide's sample policy ("Creating a customer managed key to access AWS KMS") decide as in AWS.
 * 3. Reading a snippet (BatchGetCodeSnippet) decrypts the data key through the grant.
 * 4. Turning Lambda code scanning off (Disable LAMBDA_CODE) deletes the snippets and the data key
 *    and retires the grant: nothing stored under it decrypts afterwards.
 *
 * Without a configured key an AWS owned key (the service's own, never a KMS call) protects them,
 * and GetEncryptionKey answers ResourceNotFoundException, as the API reference says.
 */
import { randomBytes, utf8, zero } from '../../core/bytes.js';
import type { Bytes } from '../../core/types.js';
import { KmsError } from '../../kms/errors.js';
import type { Kms } from '../../kms/kms.js';
import { openRegionalStore, type RegionalStore } from '../regional-store.js';
import { Inspector2ServiceException } from '../service-error.js';

export const SCAN_TYPES = ['NETWORK', 'PACKAGE', 'CODE'] as const;
/**
 * What Inspector scans (API Reference, UpdateEncryptionKey `scanType`): network reachability,
 * packages, or code.
 */
export type ScanType = (typeof SCAN_TYPES)[number];
export const RESOURCE_TYPES = [
  'AWS_EC2_INSTANCE',
  'AWS_ECR_CONTAINER_IMAGE',
  'AWS_ECR_REPOSITORY',
  'AWS_LAMBDA_FUNCTION',
  'CODE_REPOSITORY',
  'Microsoft.Compute/virtualMachines',
  'Microsoft.ContainerRegistry/registry/containerImage',
  'Microsoft.Web/sites',
] as const;
/**
 * A resource type whose findings Inspector encrypts (API Reference, UpdateEncryptionKey
 * `resourceType`).
 */
export type ResourceType = (typeof RESOURCE_TYPES)[number];
/**
 * What Enable and Disable turn on or off for the account (API Reference, Enable `resourceTypes`).
 */
export type ScanFeature = 'EC2' | 'ECR' | 'LAMBDA' | 'LAMBDA_CODE' | 'CODE_REPOSITORY';

/** Enable's and Disable's answer for this account (Inspector API Reference, Account). */
export interface AccountStatus {
  accounts: { accountId: string; status: 'ENABLED' | 'DISABLED'; resourceStatus: { ec2: 'ENABLED' | 'DISABLED'; ecr: 'ENABLED' | 'DISABLED'; lambda: 'ENABLED' | 'DISABLED'; lambdaCode: 'ENABLED' | 'DISABLED'; codeRepository: 'ENABLED' | 'DISABLED' } }[];
  failedAccounts: [];
}

/** The service principal that stores code snippets, and the context key its sample key policy conditions on. */
export const CODE_SECURITY_PRINCIPAL = 'q.amazonaws.com';
/**
 * The encryption context key that Inspector's code-security calls carry and the sample key policy
 * conditions on.
 */
export const CODE_SECURITY_SCOPE = 'aws:qdeveloper:codesecurity-scope';

/** UpdateEncryptionKey's kmsKeyId pattern (API Reference): a full key ARN, never an alias or bare id. */
const KEY_ARN = /^arn:aws(-(us-gov|cn))?:kms:([a-z0-9][-.a-z0-9]{0,62})?:[0-9]{12}?:key\/(([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})|(mrk-[0-9a-zA-Z]{32}))$/;

const LAYOUT = {
  service: 'inspector2',
  version: 1,
  stores: { keys: { keyPath: 'id' }, snippets: { keyPath: 'findingArn' }, meta: { keyPath: 'id' } },
} as const;

interface KeyConfigRecord {
  readonly id: string;
  readonly kmsKeyId: string;
  /** The code-security grant (CODE scans of Lambda functions). */
  readonly grantId?: string;
}
interface SnippetRecord {
  readonly findingArn: string;
  readonly functionArn: string;
  readonly startLine: number;
  readonly endLine: number;
  readonly iv: Bytes;
  readonly ciphertext: Bytes;
  /** The data key: under the configured KMS key (`blob`) or sealed under the AWS owned key. */
  readonly dataKey: { readonly kmsKeyId: string; readonly blob: Bytes } | { readonly owned: Bytes; readonly ownedIv: Bytes };
}

/**
 * One finding's code snippet, decrypted (API Reference, BatchGetCodeSnippet `codeSnippetResults`).
 */
export interface CodeSnippetResult {
  findingArn: string;
  startLine: number;
  endLine: number;
  codeSnippet: { lineNumber: number; content: string }[];
  suggestedFixes: { description: string; code: string }[];
}
/**
 * Why one finding's snippet could not be returned (API Reference, BatchGetCodeSnippet `errors`); a
 * KMS refusal is `ACCESS_DENIED`.
 */
export interface CodeSnippetError {
  findingArn: string;
  errorCode: 'CODE_SNIPPET_NOT_FOUND' | 'INVALID_INPUT' | 'ACCESS_DENIED' | 'INTERNAL_ERROR';
  errorMessage: string;
}

/**
 * One region of the simulated Inspector (`@aws-sdk/client-inspector2` shapes), plus
 * `simulateCodeFinding`, which stands in for a Lambda code scan finding a vulnerable snippet.
 *
 * @example
 * ```ts
 * const inspector = (await createInspectorService({ kms })).client('us-east-1');
 * await inspector.updateEncryptionKey({ kmsKeyId: keyArn, scanType: 'CODE', resourceType: 'AWS_LAMBDA_FUNCTION' });
 * const { findingArn } = await inspector.simulateCodeFinding({ functionArn, startLine: 10, lines: ['eval(input)'] });
 * const { codeSnippetResults } = await inspector.batchGetCodeSnippet({ findingArns: [findingArn] });
 * ```
 */
export interface InspectorClient {
  readonly region: string;
  updateEncryptionKey(request: { kmsKeyId: string; scanType: ScanType; resourceType: ResourceType }): Promise<Record<string, never>>;
  getEncryptionKey(request: { scanType: ScanType; resourceType: ResourceType }): Promise<{ kmsKeyId: string }>;
  resetEncryptionKey(request: { scanType: ScanType; resourceType: ResourceType }): Promise<Record<string, never>>;
  enable(request: { resourceTypes: ScanFeature[] }): Promise<AccountStatus>;
  disable(request: { resourceTypes: ScanFeature[] }): Promise<AccountStatus>;
  batchGetCodeSnippet(request: { findingArns: string[] }): Promise<{ codeSnippetResults: CodeSnippetResult[]; errors: CodeSnippetError[] }>;
  simulateCodeFinding(request: { functionArn: string; startLine: number; lines: string[] }): Promise<{ findingArn: string }>;
}

/**
 * The simulated Inspector over a KMS (`createInspectorService`): a client per region, and
 * `close()`.
 */
export interface InspectorService {
  client(region: string, options?: { principal?: string }): InspectorClient;
  close(): void;
}

const inspectorError = (name: string, message: string, status = 400, cause?: unknown) => new Inspector2ServiceException(name, message, { status, ...(cause !== undefined ? { cause } : {}) });

/** A KMS failure behind an Inspector call: AccessDeniedException (403) for a refusal, ValidationException for an unusable key. */
function fromKms(error: unknown): unknown {
  if (!(error instanceof KmsError)) return error;
  if (error.name === 'AccessDeniedException') return inspectorError('AccessDeniedException', `You do not have sufficient access to the KMS key: ${error.message}`, 403, error);
  if (error.$fault === 'server') return inspectorError('InternalServerException', `The KMS request failed: ${error.name}`, 500, error);
  return inspectorError('ValidationException', `The KMS key cannot be used: ${error.name}: ${error.message}`, 400, error);
}

/**
 * Opens the simulated Inspector for every region of `kms`.
 *
 * @example
 * ```ts
 * const service = await createInspectorService({ kms });
 * ```
 */
export async function createInspectorService(options: { kms: Kms; storage?: 'memory' | 'indexeddb'; name?: string }): Promise<InspectorService> {
  if (options === null || typeof options !== 'object' || !options.kms) throw new TypeError('options.kms must be a Kms from createKms');
  const { kms } = options;
  const stores = new Map<string, RegionalStore>();
  for (const region of kms.regions) stores.set(region, await openRegionalStore({ storage: options.storage ?? kms.storage, name: options.name ?? kms.name, account: kms.account, region }, LAYOUT));
  return {
    client(region, clientOptions) {
      const store = stores.get(region);
      if (!store) throw new RangeError(`region ${JSON.stringify(region)} is not one of this Inspector's regions: ${kms.regions.join(', ')}`);
      return createInspectorClient({ kms, region, store, principal: clientOptions?.principal ?? `arn:aws:iam::${kms.account}:root` });
    },
    close() {
      for (const store of stores.values()) store.close();
    },
  };
}

function createInspectorClient(env: { kms: Kms; region: string; store: RegionalStore; principal: string }): InspectorClient {
  const { kms, region, store } = env;
  const account = kms.account;
  const asCaller = kms.region(region, { principal: env.principal, viaService: `inspector2.${region}.amazonaws.com` });
  const asCodeSecurity = kms.region(region, {
    principal: CODE_SECURITY_PRINCIPAL,
    context: { 'aws:SourceAccount': account, 'aws:SourceArn': `arn:aws:inspector2:${region}:${account}:codesecurity-integration/lambda` },
  });
  const scope = { [CODE_SECURITY_SCOPE]: account };
  const configId = (scanType: string, resourceType: string) => `${scanType}|${resourceType}`;
  const check = (request: { scanType?: unknown; resourceType?: unknown } | undefined) => {
    if (!SCAN_TYPES.includes(request?.scanType as ScanType)) throw inspectorError('ValidationException', `scanType must be one of ${SCAN_TYPES.join(' | ')}.`);
    if (!RESOURCE_TYPES.includes(request?.resourceType as ResourceType)) throw inspectorError('ValidationException', `resourceType must be one of ${RESOURCE_TYPES.join(' | ')}.`);
    return configId(request!.scanType as string, request!.resourceType as string);
  };
  const lambdaCode = configId('CODE', 'AWS_LAMBDA_FUNCTION');
  const ownedKey = async (): Promise<CryptoKey> => {
    const found = await store.get<{ key: CryptoKey }>('meta', 'owned-key');
    if (found) return found.key;
    // ifAbsent: two tabs racing keep the first key, and both read it back.
    await store.commit([{ store: 'meta', value: { id: 'owned-key', key: await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']) }, ifAbsent: true }]);
    return (await store.get<{ key: CryptoKey }>('meta', 'owned-key'))!.key;
  };
  const enabled = async () => (await store.get<{ features: ScanFeature[] }>('meta', 'enabled'))?.features ?? [];

  /** Wraps a snippet's data key under the configured key (through the grant) or the AWS owned key. */
  async function wrapDataKey(dataKey: Bytes): Promise<SnippetRecord['dataKey']> {
    const config = await store.get<KeyConfigRecord>('keys', lambdaCode);
    if (config) {
      try {
        const { CiphertextBlob } = await asCodeSecurity.encrypt({ KeyId: config.kmsKeyId, Plaintext: dataKey, EncryptionContext: scope });
        return { kmsKeyId: config.kmsKeyId, blob: new Uint8Array(CiphertextBlob) };
      } catch (error) {
        throw fromKms(error);
      }
    }
    const ownedIv = randomBytes(12);
    return { owned: new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: ownedIv }, await ownedKey(), dataKey)), ownedIv };
  }
  async function unwrapDataKey(record: SnippetRecord): Promise<Bytes> {
    const d = record.dataKey;
    if ('blob' in d) return new Uint8Array((await asCodeSecurity.decrypt({ CiphertextBlob: d.blob, KeyId: d.kmsKeyId, EncryptionContext: scope })).Plaintext);
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: d.ownedIv }, await ownedKey(), d.owned));
  }
  /** Re-wraps every stored snippet's data key under what is configured now (a key change or a reset). */
  async function rewrapAll(): Promise<void> {
    for (const record of await store.all<SnippetRecord>('snippets')) {
      const dataKey = await unwrapDataKey(record);
      await store.commit([{ store: 'snippets', value: { ...record, dataKey: await wrapDataKey(dataKey) } }]);
      zero(dataKey);
    }
  }
  /** The grant the code-security service uses, made by the caller through Inspector; scoped to this account's code-security context. */
  const codeSecurityGrant = async (keyArn: string) =>
    (
      await asCaller.createGrant({
        KeyId: keyArn,
        GranteePrincipal: CODE_SECURITY_PRINCIPAL,
        RetiringPrincipal: CODE_SECURITY_PRINCIPAL,
        Operations: ['Encrypt', 'Decrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext'],
        Constraints: { EncryptionContextSubset: scope },
      })
    ).GrantId;
  const retire = async (config: KeyConfigRecord | undefined) => {
    if (config?.grantId) await asCaller.retireGrant({ KeyId: config.kmsKeyId, GrantId: config.grantId });
  };

  const accountStatus = async (): Promise<AccountStatus> => {
    const features = await enabled();
    const on = (feature: ScanFeature) => (features.includes(feature) ? ('ENABLED' as const) : ('DISABLED' as const));
    return {
      accounts: [
        {
          accountId: account,
          status: features.length > 0 ? 'ENABLED' : 'DISABLED',
          resourceStatus: { ec2: on('EC2'), ecr: on('ECR'), lambda: on('LAMBDA'), lambdaCode: on('LAMBDA_CODE'), codeRepository: on('CODE_REPOSITORY') },
        },
      ],
      failedAccounts: [],
    };
  };

  return Object.freeze({
    region,
    async updateEncryptionKey(req) {
      const id = check(req);
      if (typeof req.kmsKeyId !== 'string' || !KEY_ARN.test(req.kmsKeyId)) throw inspectorError('ValidationException', 'kmsKeyId must be the full ARN of a KMS key (arn:aws:kms:<region>:<account>:key/<id>); an alias or key id is not accepted.');
      const keyRegion = req.kmsKeyId.split(':')[3];
      if (keyRegion !== region) throw inspectorError('ValidationException', `The KMS key must be in this Region (${region}).`);
      const previous = await store.get<KeyConfigRecord>('keys', id);
      let grantId: string | undefined;
      try {
        const { KeyMetadata } = await asCaller.describeKey({ KeyId: req.kmsKeyId });
        if (KeyMetadata.KeySpec !== 'SYMMETRIC_DEFAULT') throw inspectorError('ValidationException', 'The KMS key must be a symmetric encryption key.');
        if (id === lambdaCode) {
          // "CodeGuru requests a grant from AWS KMS for the key you configured" (the guide's workflow, step 3).
          grantId = await codeSecurityGrant(KeyMetadata.Arn);
        }
      } catch (error) {
        throw fromKms(error);
      }
      await store.commit([{ store: 'keys', value: { id, kmsKeyId: req.kmsKeyId, ...(grantId ? { grantId } : {}) } satisfies KeyConfigRecord }]);
      if (id === lambdaCode) {
        // Stored snippets move to the new key (each data key names the key it was wrapped under, so
        // the old grant still opens it); then the old key's grant is retired.
        try {
          await rewrapAll();
          if (previous?.grantId !== undefined && previous.grantId !== grantId) await retire(previous);
        } catch (error) {
          throw fromKms(error);
        }
      }
      return {};
    },
    async getEncryptionKey(req) {
      const config = await store.get<KeyConfigRecord>('keys', check(req));
      if (!config) throw inspectorError('ResourceNotFoundException', 'No customer managed key is configured: an AWS owned key is in use for this scan type and resource type.', 404);
      return { kmsKeyId: config.kmsKeyId };
    },
    async resetEncryptionKey(req) {
      const id = check(req);
      const config = await store.get<KeyConfigRecord>('keys', id);
      if (!config) return {};
      await store.commit([{ store: 'keys', delete: id }]);
      try {
        // Back to the AWS owned key: snippets are re-wrapped under it before the grant goes.
        if (id === lambdaCode) await rewrapAll();
        await retire(config);
      } catch (error) {
        throw fromKms(error);
      }
      return {};
    },
    async enable(req) {
      const features = new Set(await enabled());
      for (const f of req?.resourceTypes ?? []) features.add(f);
      const writes: { store: string; value: object }[] = [{ store: 'meta', value: { id: 'enabled', features: [...features] } }];
      // A key configured before code scanning was turned (back) on gets its grant now.
      const config = await store.get<KeyConfigRecord>('keys', lambdaCode);
      if (features.has('LAMBDA_CODE') && config && !config.grantId) {
        try {
          writes.push({ store: 'keys', value: { ...config, grantId: await codeSecurityGrant(config.kmsKeyId) } });
        } catch (error) {
          throw fromKms(error);
        }
      }
      await store.commit(writes);
      return accountStatus();
    },
    async disable(req) {
      const turningOff = req?.resourceTypes ?? [];
      const features = (await enabled()).filter((f) => !turningOff.includes(f));
      const writes: ({ store: string; value: object } | { store: string; delete: string })[] = [{ store: 'meta', value: { id: 'enabled', features } }];
      const config = await store.get<KeyConfigRecord>('keys', lambdaCode);
      if (turningOff.includes('LAMBDA_CODE')) {
        // "When you disable Lambda Code Scanning, [the service] deletes the associated data key."
        for (const s of await store.all<SnippetRecord>('snippets')) writes.push({ store: 'snippets', delete: s.findingArn });
        if (config?.grantId) writes.push({ store: 'keys', value: { id: config.id, kmsKeyId: config.kmsKeyId } });
      }
      await store.commit(writes);
      if (turningOff.includes('LAMBDA_CODE')) {
        try {
          await retire(config);
        } catch (error) {
          throw fromKms(error);
        }
      }
      return accountStatus();
    },
    async simulateCodeFinding(req) {
      if (!(await enabled()).includes('LAMBDA_CODE')) throw inspectorError('ValidationException', 'Lambda code scanning is not enabled: Enable LAMBDA_CODE first.');
      if (typeof req?.functionArn !== 'string' || !Array.isArray(req.lines) || !Number.isInteger(req.startLine)) throw new TypeError('simulateCodeFinding takes { functionArn, startLine, lines }');
      const findingArn = `arn:aws:inspector2:${region}:${account}:finding/${[...randomBytes(16)].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
      const dataKey = randomBytes(32);
      const iv = randomBytes(12);
      const key = await crypto.subtle.importKey('raw', dataKey, 'AES-GCM', false, ['encrypt']);
      const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: utf8(findingArn) }, key, utf8(JSON.stringify(req.lines))));
      const wrapped = await wrapDataKey(dataKey);
      zero(dataKey);
      const record: SnippetRecord = { findingArn, functionArn: req.functionArn, startLine: req.startLine, endLine: req.startLine + req.lines.length - 1, iv, ciphertext, dataKey: wrapped };
      await store.commit([{ store: 'snippets', value: record }]);
      return { findingArn };
    },
    async batchGetCodeSnippet(req) {
      if (!Array.isArray(req?.findingArns) || req.findingArns.length < 1 || req.findingArns.length > 10) throw inspectorError('ValidationException', 'findingArns must list 1 to 10 finding ARNs.');
      const codeSnippetResults: CodeSnippetResult[] = [];
      const errors: CodeSnippetError[] = [];
      for (const findingArn of req.findingArns) {
        const record = await store.get<SnippetRecord>('snippets', findingArn);
        if (!record) {
          errors.push({ findingArn, errorCode: 'CODE_SNIPPET_NOT_FOUND', errorMessage: 'No code snippet is stored for this finding.' });
          continue;
        }
        try {
          const dataKey = await unwrapDataKey(record);
          const key = await crypto.subtle.importKey('raw', dataKey, 'AES-GCM', false, ['decrypt']);
          zero(dataKey);
          const lines = JSON.parse(new TextDecoder().decode(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: record.iv, additionalData: utf8(findingArn) }, key, record.ciphertext))) as string[];
          codeSnippetResults.push({ findingArn, startLine: record.startLine, endLine: record.endLine, codeSnippet: lines.map((content, i) => ({ lineNumber: record.startLine + i, content })), suggestedFixes: [] });
        } catch (error) {
          if (!(error instanceof KmsError)) throw error;
          errors.push({ findingArn, errorCode: error.name === 'AccessDeniedException' ? 'ACCESS_DENIED' : 'INTERNAL_ERROR', errorMessage: `${error.name}: ${error.message}` });
        }
      }
      return { codeSnippetResults, errors };
    },
  } satisfies InspectorClient);
}
