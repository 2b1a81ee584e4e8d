/**
 * The allow-list: for each KMS operation, which request and response members a CloudTrail record
 * shows, and how (camelCase names, dates in CloudTrail's display format). Members not listed never
 * reach a record, so a new request member is invisible until someone decides it is safe to log.
 *
 * Source: the "Logging AWS KMS API calls with AWS CloudTrail" examples of the AWS KMS developer guide
 * (ct-*.md, awsdocs/aws-kms-developer-guide). What they teach:
 * - `Plaintext`, `Message`, `Mac`, `Signature`, `CiphertextBlob`, `EncryptedKeyMaterial`,
 *   `ImportToken`, `PublicKey`, `PrivateKey*`, `SharedSecret`, `CiphertextForRecipient`, grant
 *   tokens and `Recipient` (an attestation document) never appear;
 * - `responseElements` is null for every cryptographic operation, every read (DescribeKey,
 *   GetKeyPolicy, List*) and most management calls; only CreateKey and ReplicateKey (key metadata),
 *   ScheduleKeyDeletion, CancelKeyDeletion and CreateGrant (the grant id) return elements;
 * - the id of the key material used goes to `additionalEventData.keyMaterialId`, RetireGrant's
 *   grant id to `additionalEventData.grantId` (its token is a bearer secret: requestParameters null);
 * - encryption contexts, policies, descriptions and tags are logged as given.
 */
import { isPlainObject, type JsonValue } from './canonical-json.js';

/**
 * How one member is logged. `context`: a string map whose keys are kept verbatim (an encryption
 * context); an object shape: its listed members, renamed to camelCase; `[shape]`: a list of that.
 */
export type Shape = 'string' | 'number' | 'boolean' | 'date' | 'strings' | 'context' | ObjectShape | readonly [Shape];
export interface ObjectShape {
  readonly [member: string]: Shape;
}

export interface OperationShape {
  /** CloudTrail's `readOnly`: the call changes nothing. */
  readonly readOnly: boolean;
  readonly request: ObjectShape;
  /** Absent: `responseElements` is null, as CloudTrail logs it. */
  readonly response?: ObjectShape;
  /** Response members that CloudTrail moves to `additionalEventData`. */
  readonly additional?: ObjectShape;
}

const TAGS: Shape = [{ TagKey: 'string', TagValue: 'string' }];
const MRK: ObjectShape = { Arn: 'string', Region: 'string' };
const KEY_METADATA: ObjectShape = {
  // CloudTrail lower-cases only the first letter: AWSAccountId -> aWSAccountId, as its examples show.
  AWSAccountId: 'string',
  KeyId: 'string',
  Arn: 'string',
  CreationDate: 'date',
  Enabled: 'boolean',
  Description: 'string',
  KeyUsage: 'string',
  KeyState: 'string',
  DeletionDate: 'date',
  ValidTo: 'date',
  CustomKeyStoreId: 'string',
  CloudHsmClusterId: 'string',
  Origin: 'string',
  ExpirationModel: 'string',
  KeyManager: 'string',
  CustomerMasterKeySpec: 'string',
  KeySpec: 'string',
  EncryptionAlgorithms: 'strings',
  SigningAlgorithms: 'strings',
  MacAlgorithms: 'strings',
  KeyAgreementAlgorithms: 'strings',
  MultiRegion: 'boolean',
  MultiRegionConfiguration: { MultiRegionKeyType: 'string', PrimaryKey: MRK, ReplicaKeys: [MRK] },
  PendingDeletionWindowInDays: 'number',
  XksKeyConfiguration: { Id: 'string' },
  CurrentKeyMaterialId: 'string',
};
const KEY_ID: ObjectShape = { KeyId: 'string' };
const PAGED: ObjectShape = { Limit: 'number', Marker: 'string' };
const DRY_RUN: ObjectShape = { DryRun: 'boolean' };
const MATERIAL: ObjectShape = { KeyMaterialId: 'string' };
const CONSTRAINTS: ObjectShape = { EncryptionContextSubset: 'context', EncryptionContextEquals: 'context' };

const read = (request: ObjectShape, more: Partial<OperationShape> = {}): OperationShape => ({ readOnly: true, request, ...more });
const write = (request: ObjectShape, more: Partial<OperationShape> = {}): OperationShape => ({ readOnly: false, request, ...more });

/** Every operation of ../shared/reference/kms-operations.txt (and none other: unknown names log no parameters). */
export const OPERATION_SHAPES: Readonly<Record<string, OperationShape>> = {
  CancelKeyDeletion: write(KEY_ID, { response: KEY_ID }),
  CreateAlias: write({ AliasName: 'string', TargetKeyId: 'string' }),
  CreateGrant: write(
    {
      KeyId: 'string',
      GranteePrincipal: 'string',
      RetiringPrincipal: 'string',
      Operations: 'strings',
      Constraints: CONSTRAINTS,
      Name: 'string',
      GranteeServicePrincipal: 'string',
      RetiringServicePrincipal: 'string',
      ...DRY_RUN,
    },
    { response: { GrantId: 'string' } },
  ),
  CreateKey: write(
    {
      Policy: 'string',
      Description: 'string',
      KeyUsage: 'string',
      CustomerMasterKeySpec: 'string',
      KeySpec: 'string',
      Origin: 'string',
      CustomKeyStoreId: 'string',
      BypassPolicyLockoutSafetyCheck: 'boolean',
      Tags: TAGS,
      MultiRegion: 'boolean',
      XksKeyId: 'string',
    },
    { response: { KeyMetadata: KEY_METADATA } },
  ),
  Decrypt: read({ KeyId: 'string', EncryptionContext: 'context', EncryptionAlgorithm: 'string', ...DRY_RUN }, { additional: MATERIAL }),
  DeleteAlias: write({ AliasName: 'string' }),
  DeleteImportedKeyMaterial: write({ KeyId: 'string', KeyMaterialId: 'string' }),
  DeriveSharedSecret: read({ KeyId: 'string', KeyAgreementAlgorithm: 'string', ...DRY_RUN }),
  DescribeKey: read(KEY_ID),
  DisableKey: write(KEY_ID),
  DisableKeyRotation: write(KEY_ID),
  EnableKey: write(KEY_ID),
  EnableKeyRotation: write({ KeyId: 'string', RotationPeriodInDays: 'number' }),
  Encrypt: read({ KeyId: 'string', EncryptionContext: 'context', EncryptionAlgorithm: 'string', ...DRY_RUN }, { additional: MATERIAL }),
  GenerateDataKey: read({ KeyId: 'string', EncryptionContext: 'context', NumberOfBytes: 'number', KeySpec: 'string', ...DRY_RUN }, { additional: MATERIAL }),
  GenerateDataKeyPair: read({ KeyId: 'string', EncryptionContext: 'context', KeyPairSpec: 'string', ...DRY_RUN }, { additional: MATERIAL }),
  GenerateDataKeyPairWithoutPlaintext: read({ KeyId: 'string', EncryptionContext: 'context', KeyPairSpec: 'string', ...DRY_RUN }, { additional: MATERIAL }),
  GenerateDataKeyWithoutPlaintext: read({ KeyId: 'string', EncryptionContext: 'context', KeySpec: 'string', NumberOfBytes: 'number', ...DRY_RUN }, { additional: MATERIAL }),
  GenerateMac: read({ KeyId: 'string', MacAlgorithm: 'string', ...DRY_RUN }),
  GenerateRandom: read({ NumberOfBytes: 'number', CustomKeyStoreId: 'string' }),
  GetKeyLastUsage: read(KEY_ID),
  GetKeyPolicy: read({ KeyId: 'string', PolicyName: 'string' }),
  GetKeyRotationStatus: read(KEY_ID),
  GetParametersForImport: read({ KeyId: 'string', WrappingAlgorithm: 'string', WrappingKeySpec: 'string' }),
  GetPublicKey: read(KEY_ID),
  ImportKeyMaterial: write({
    KeyId: 'string',
    ValidTo: 'date',
    ExpirationModel: 'string',
    ImportType: 'string',
    KeyMaterialDescription: 'string',
    KeyMaterialId: 'string',
  }),
  ListAliases: read({ KeyId: 'string', ...PAGED }),
  ListGrants: read({ KeyId: 'string', GrantId: 'string', GranteePrincipal: 'string', GranteeServicePrincipal: 'string', ...PAGED }),
  ListKeyPolicies: read({ KeyId: 'string', ...PAGED }),
  ListKeyRotations: read({ KeyId: 'string', IncludeKeyMaterial: 'string', ...PAGED }),
  ListKeys: read(PAGED),
  ListResourceTags: read({ KeyId: 'string', ...PAGED }),
  ListRetirableGrants: read({ RetiringPrincipal: 'string', RetiringServicePrincipal: 'string', ...PAGED }),
  PutKeyPolicy: write({ KeyId: 'string', PolicyName: 'string', Policy: 'string', BypassPolicyLockoutSafetyCheck: 'boolean' }),
  ReEncrypt: read({
    SourceKeyId: 'string',
    DestinationKeyId: 'string',
    SourceEncryptionContext: 'context',
    DestinationEncryptionContext: 'context',
    SourceEncryptionAlgorithm: 'string',
    DestinationEncryptionAlgorithm: 'string',
    ...DRY_RUN,
  }),
  ReplicateKey: write(
    { KeyId: 'string', ReplicaRegion: 'string', Policy: 'string', BypassPolicyLockoutSafetyCheck: 'boolean', Description: 'string', Tags: TAGS },
    { response: { ReplicaKeyMetadata: KEY_METADATA, ReplicaPolicy: 'string', ReplicaTags: TAGS } },
  ),
  // The documented record has requestParameters null; KeyId/GrantId (never the token) are shown when
  // the caller named the grant that way, and the grant id goes to additionalEventData either way.
  RetireGrant: write({ KeyId: 'string', GrantId: 'string', ...DRY_RUN }),
  RevokeGrant: write({ KeyId: 'string', GrantId: 'string', ...DRY_RUN }),
  RotateKeyOnDemand: write(KEY_ID),
  ScheduleKeyDeletion: write(
    { KeyId: 'string', PendingWindowInDays: 'number' },
    { response: { KeyId: 'string', DeletionDate: 'date', KeyState: 'string', PendingWindowInDays: 'number' } },
  ),
  Sign: read({ KeyId: 'string', MessageType: 'string', SigningAlgorithm: 'string', ...DRY_RUN }),
  TagResource: write({ KeyId: 'string', Tags: TAGS }),
  UntagResource: write({ KeyId: 'string', TagKeys: 'strings' }),
  UpdateAlias: write({ AliasName: 'string', TargetKeyId: 'string' }),
  UpdateKeyDescription: write({ KeyId: 'string', Description: 'string' }),
  UpdatePrimaryRegion: write({ KeyId: 'string', PrimaryRegion: 'string' }),
  Verify: read({ KeyId: 'string', MessageType: 'string', SigningAlgorithm: 'string', ...DRY_RUN }),
  VerifyMac: read({ KeyId: 'string', MacAlgorithm: 'string', ...DRY_RUN }),
};

/**
 * The logged form of `value` under `shape`, or undefined when nothing of it may be logged. A value of
 * the wrong type is dropped rather than coerced: a Uint8Array where a string was expected is exactly
 * the mistake this must not turn into a log line.
 *
 * @example
 * ```ts
 * project({ KeyId: 'k', Plaintext: new Uint8Array(3) }, { KeyId: 'string' }); // { keyId: 'k' }
 * ```
 */
export function project(value: unknown, shape: Shape): JsonValue | undefined {
  if (typeof shape === 'string') return scalar(value, shape);
  if (Array.isArray(shape)) {
    if (!Array.isArray(value)) return undefined;
    const out: JsonValue[] = [];
    for (const item of value) {
      const projected = project(item, (shape as readonly [Shape])[0]);
      if (projected !== undefined) out.push(projected);
    }
    return out;
  }
  if (!isPlainObject(value)) return undefined;
  const out: Record<string, JsonValue> = {};
  for (const [member, memberShape] of Object.entries(shape as ObjectShape)) {
    if (!Object.hasOwn(value, member)) continue;
    const projected = project(value[member], memberShape);
    if (projected !== undefined) out[camelCase(member)] = projected;
  }
  return out;
}

function scalar(value: unknown, kind: 'string' | 'number' | 'boolean' | 'date' | 'strings' | 'context'): JsonValue | undefined {
  switch (kind) {
    case 'string':
      return typeof value === 'string' ? value : undefined;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? value : undefined;
    case 'date': {
      const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : NaN;
      return Number.isFinite(ms) ? displayDate(ms) : undefined;
    }
    case 'strings':
      return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
    case 'context': {
      if (!isPlainObject(value)) return undefined;
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
      return out;
    }
  }
}

/**
 * `KeyId` -> `keyId`, `AWSAccountId` -> `aWSAccountId`: CloudTrail lower-cases the first letter only.
 *
 * @example
 * ```ts
 * camelCase('EncryptionContext'); // 'encryptionContext'
 * ```
 */
export function camelCase(member: string): string {
  return member.charAt(0).toLowerCase() + member.slice(1);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/**
 * Dates inside requestParameters/responseElements as CloudTrail prints KMS dates, in UTC:
 * `Aug 10, 2022, 10:38:27 PM` (ct-createkey.md). Written by hand rather than with Intl so the text,
 * and so the hash, is the same in every engine and locale.
 *
 * @example
 * ```ts
 * displayDate(Date.UTC(2022, 7, 10, 22, 38, 27)); // 'Aug 10, 2022, 10:38:27 PM'
 * ```
 */
export function displayDate(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const two = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${h % 12 || 12}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
}
