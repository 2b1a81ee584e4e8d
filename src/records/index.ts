/**
 * envelope-kit/records: the AWS Database Encryption SDK's item format (DynamoDB items encrypted
 * and signed attribute by attribute), with searchable beacons. Runs wherever the core runs.
 *
 * @example
 * ```ts
 * import { createItemEncryptor } from 'envelope-kit/records';
 * const encryptor = createItemEncryptor({ tableName, partitionKeyName: 'id', attributeActionsOnEncrypt, keyring });
 * const { encryptedItem } = await encryptor.encryptItem(item);
 * ```
 */
export { createItemEncryptor, type ItemEncryptor, type ItemEncryptorOptions, type EncryptItemOutput, type DecryptItemOutput } from './item-encryptor.js';
export { DbeAlgorithmSuiteId, type DbeSuiteId, type TableEncryptionOptions } from './config.js';
export { type CryptoAction } from './header.js';
export { type ParsedHeader, HEADER_ATTRIBUTE, FOOTER_ATTRIBUTE } from './structured-encryption.js';
export { ItemEncryptorError, ItemErrorCode } from './errors.js';
export {
  type AttributeValue,
  type AttributeValueJson,
  type Item,
  type ItemInput,
  type AttributeValueInput,
  type UnknownAttributeValue,
  TypeId,
  serializeAttribute,
  deserializeAttribute,
  toDynamoDbJson,
  fromDynamoDbJson,
} from './attribute-values.js';
export { normalizeNumber } from './numbers.js';
export {
  BEACON_ATTRIBUTE_PREFIX,
  type SearchConfig,
  type BeaconVersion,
  type BeaconKeySource,
  type StandardBeaconConfig,
  type CompoundBeaconConfig,
  type EncryptedPartConfig,
  type SignedPartConfig,
  type ConstructorConfig,
} from './beacons.js';
export { StaticBranchKeyStore, type StaticBranchKeyStoreOptions } from './static-key-store.js';
