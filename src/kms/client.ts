/**
 * The regional client: one method per AWS KMS operation, in camelCase, taking and returning the AWS
 * request and response shapes. Every call goes through {@link invoke}, the pipeline: simulation
 * (latency, outage, throttling), request checks, the operation (which authorizes through access.ts),
 * then the call record (call-record.ts), success or failure. Errors that are not KMS errors reach
 * the caller as they are: a closed KMS or failed storage as a {@link SimulatorError}, a bug as what
 * it threw. None poses as KMSInternalException, which is what a simulated outage throws, as AWS does.
 */
import { CallContext } from './requests/call-context.js';
import type { Caller } from './policy/access.js';
import type { CallOutcome } from './audit/call-record.js';
import { KmsError, SimulatorError, SimulatorErrorCode } from './errors.js';
import type { RegionRuntime } from './requests/region-runtime.js';
import { KitError } from '../client/errors.js';
import type * as T from './types.js';
import { requestObject } from './requests/validation.js';
import * as aliases from './operations/aliases.js';
import * as dataKeys from './operations/data-keys.js';
import * as encryption from './operations/encryption.js';
import * as grants from './operations/grants.js';
import * as importing from './operations/import.js';
import * as keys from './operations/keys.js';
import * as multiRegion from './operations/multi-region.js';
import * as rotation from './operations/rotation.js';
import * as signing from './operations/signing.js';
import * as meta from './operations/tags-and-policies.js';

/**
 * A client for one region of the simulated KMS, shaped like the AWS SDK's KMS client with one
 * method per operation.
 *
 * @example
 * ```ts
 * const kms = await createKms({ storage: 'memory' });
 * const client = kms.region('us-east-1');
 * const { KeyMetadata } = await client.createKey({ Description: 'app data' });
 * const { CiphertextBlob, Plaintext } = await client.generateDataKey({ KeyId: KeyMetadata.KeyId, KeySpec: 'AES_256' });
 * const { Plaintext: again } = await client.decrypt({ CiphertextBlob });
 * ```
 */
export interface KmsRegionClient {
  readonly region: string;
  createKey(request?: T.CreateKeyRequest): Promise<T.KeyMetadataResponse>;
  describeKey(request: T.DescribeKeyRequest): Promise<T.KeyMetadataResponse>;
  listKeys(request?: T.Paged): Promise<T.ListKeysResponse>;
  updateKeyDescription(request: T.UpdateKeyDescriptionRequest): Promise<T.Empty>;
  enableKey(request: T.KeyIdRequest): Promise<T.Empty>;
  disableKey(request: T.KeyIdRequest): Promise<T.Empty>;
  scheduleKeyDeletion(request: T.ScheduleKeyDeletionRequest): Promise<T.ScheduleKeyDeletionResponse>;
  cancelKeyDeletion(request: T.KeyIdRequest): Promise<T.KeyIdResponse>;
  tagResource(request: T.TagResourceRequest): Promise<T.Empty>;
  untagResource(request: T.UntagResourceRequest): Promise<T.Empty>;
  listResourceTags(request: T.KeyIdRequest & T.Paged): Promise<T.ListResourceTagsResponse>;
  createAlias(request: T.AliasRequest): Promise<T.Empty>;
  updateAlias(request: T.AliasRequest): Promise<T.Empty>;
  deleteAlias(request: { AliasName: string }): Promise<T.Empty>;
  listAliases(request?: T.ListAliasesRequest): Promise<T.ListAliasesResponse>;
  encrypt(request: T.EncryptRequest): Promise<T.EncryptResponse>;
  decrypt(request: T.DecryptRequest): Promise<T.DecryptResponse>;
  reEncrypt(request: T.ReEncryptRequest): Promise<T.ReEncryptResponse>;
  generateDataKey(request: T.GenerateDataKeyRequest): Promise<T.GenerateDataKeyResponse>;
  generateDataKeyWithoutPlaintext(request: T.GenerateDataKeyRequest): Promise<T.GenerateDataKeyWithoutPlaintextResponse>;
  generateDataKeyPair(request: T.GenerateDataKeyPairRequest): Promise<T.GenerateDataKeyPairResponse>;
  generateDataKeyPairWithoutPlaintext(request: T.GenerateDataKeyPairRequest): Promise<T.GenerateDataKeyPairWithoutPlaintextResponse>;
  generateRandom(request: T.GenerateRandomRequest): Promise<T.GenerateRandomResponse>;
  sign(request: T.SignRequest): Promise<T.SignResponse>;
  verify(request: T.VerifyRequest): Promise<T.VerifyResponse>;
  getPublicKey(request: T.DescribeKeyRequest): Promise<T.GetPublicKeyResponse>;
  generateMac(request: T.GenerateMacRequest): Promise<T.GenerateMacResponse>;
  verifyMac(request: T.VerifyMacRequest): Promise<T.VerifyMacResponse>;
  enableKeyRotation(request: T.EnableKeyRotationRequest): Promise<T.Empty>;
  disableKeyRotation(request: T.KeyIdRequest): Promise<T.Empty>;
  getKeyRotationStatus(request: T.KeyIdRequest): Promise<T.GetKeyRotationStatusResponse>;
  rotateKeyOnDemand(request: T.KeyIdRequest): Promise<T.KeyIdResponse>;
  listKeyRotations(request: T.ListKeyRotationsRequest): Promise<T.ListKeyRotationsResponse>;
  getParametersForImport(request: T.GetParametersForImportRequest): Promise<T.GetParametersForImportResponse>;
  importKeyMaterial(request: T.ImportKeyMaterialRequest): Promise<T.ImportKeyMaterialResponse>;
  deleteImportedKeyMaterial(request: T.DeleteImportedKeyMaterialRequest): Promise<T.DeleteImportedKeyMaterialResponse>;
  replicateKey(request: T.ReplicateKeyRequest): Promise<T.ReplicateKeyResponse>;
  updatePrimaryRegion(request: T.UpdatePrimaryRegionRequest): Promise<T.Empty>;
  getKeyPolicy(request: T.GetKeyPolicyRequest): Promise<T.GetKeyPolicyResponse>;
  putKeyPolicy(request: T.PutKeyPolicyRequest): Promise<T.Empty>;
  listKeyPolicies(request: T.KeyIdRequest & T.Paged): Promise<T.ListKeyPoliciesResponse>;
  createGrant(request: T.CreateGrantRequest): Promise<T.CreateGrantResponse>;
  listGrants(request: T.ListGrantsRequest): Promise<T.ListGrantsResponse>;
  listRetirableGrants(request: T.ListRetirableGrantsRequest): Promise<T.ListGrantsResponse>;
  retireGrant(request: T.RetireGrantRequest): Promise<T.Empty>;
  revokeGrant(request: T.RevokeGrantRequest): Promise<T.Empty>;
}

type Handler = (ctx: CallContext, req: Record<string, unknown>) => Promise<unknown>;
type MethodName = Exclude<keyof KmsRegionClient, 'region'>;

/** Method name -> [AWS operation name, handler]. */
const OPERATIONS: Record<MethodName, readonly [string, Handler]> = {
  createKey: ['CreateKey', keys.createKey],
  describeKey: ['DescribeKey', keys.describeKey],
  listKeys: ['ListKeys', keys.listKeys],
  updateKeyDescription: ['UpdateKeyDescription', keys.updateKeyDescription],
  enableKey: ['EnableKey', (c, r) => keys.setEnabled(c, r, true)],
  disableKey: ['DisableKey', (c, r) => keys.setEnabled(c, r, false)],
  scheduleKeyDeletion: ['ScheduleKeyDeletion', keys.scheduleKeyDeletion],
  cancelKeyDeletion: ['CancelKeyDeletion', keys.cancelKeyDeletion],
  tagResource: ['TagResource', meta.tagResource],
  untagResource: ['UntagResource', meta.untagResource],
  listResourceTags: ['ListResourceTags', meta.listResourceTags],
  createAlias: ['CreateAlias', aliases.createAlias],
  updateAlias: ['UpdateAlias', aliases.updateAlias],
  deleteAlias: ['DeleteAlias', aliases.deleteAlias],
  listAliases: ['ListAliases', aliases.listAliases],
  encrypt: ['Encrypt', encryption.encrypt],
  decrypt: ['Decrypt', encryption.decrypt],
  reEncrypt: ['ReEncrypt', encryption.reEncrypt],
  generateDataKey: ['GenerateDataKey', dataKeys.generateDataKey],
  generateDataKeyWithoutPlaintext: ['GenerateDataKeyWithoutPlaintext', dataKeys.generateDataKeyWithoutPlaintext],
  generateDataKeyPair: ['GenerateDataKeyPair', dataKeys.generateDataKeyPair],
  generateDataKeyPairWithoutPlaintext: ['GenerateDataKeyPairWithoutPlaintext', dataKeys.generateDataKeyPairWithoutPlaintext],
  generateRandom: ['GenerateRandom', dataKeys.generateRandom],
  sign: ['Sign', signing.sign],
  verify: ['Verify', signing.verify],
  getPublicKey: ['GetPublicKey', signing.getPublicKey],
  generateMac: ['GenerateMac', signing.generateMac],
  verifyMac: ['VerifyMac', signing.verifyMac],
  enableKeyRotation: ['EnableKeyRotation', rotation.enableKeyRotation],
  disableKeyRotation: ['DisableKeyRotation', rotation.disableKeyRotation],
  getKeyRotationStatus: ['GetKeyRotationStatus', rotation.getKeyRotationStatus],
  rotateKeyOnDemand: ['RotateKeyOnDemand', rotation.rotateKeyOnDemand],
  listKeyRotations: ['ListKeyRotations', rotation.listKeyRotations],
  getParametersForImport: ['GetParametersForImport', importing.getParametersForImport],
  importKeyMaterial: ['ImportKeyMaterial', importing.importKeyMaterial],
  deleteImportedKeyMaterial: ['DeleteImportedKeyMaterial', importing.deleteImportedKeyMaterial],
  replicateKey: ['ReplicateKey', multiRegion.replicateKey],
  updatePrimaryRegion: ['UpdatePrimaryRegion', multiRegion.updatePrimaryRegion],
  getKeyPolicy: ['GetKeyPolicy', meta.getKeyPolicy],
  putKeyPolicy: ['PutKeyPolicy', meta.putKeyPolicy],
  listKeyPolicies: ['ListKeyPolicies', meta.listKeyPolicies],
  createGrant: ['CreateGrant', grants.createGrant],
  listGrants: ['ListGrants', grants.listGrants],
  listRetirableGrants: ['ListRetirableGrants', grants.listRetirableGrants],
  retireGrant: ['RetireGrant', grants.retireGrant],
  revokeGrant: ['RevokeGrant', grants.revokeGrant],
};

export interface ClientEnvironment {
  readonly runtime: RegionRuntime;
  readonly caller: Caller;
  /** Stores the call's record (audit log, recorder); awaited before the result is returned. */
  readonly record: (outcome: CallOutcome) => Promise<void>;
  /** Throws once the Kms is closed. */
  readonly checkOpen: () => void;
}

/** The call pipeline every operation goes through. */
async function invoke(env: ClientEnvironment, operation: string, handler: Handler, request: unknown): Promise<unknown> {
  const { runtime } = env;
  const ctx = new CallContext(runtime, env.caller, operation);
  let errorCode: string | undefined;
  let failure: Error | undefined;
  let response: unknown;
  try {
    env.checkOpen();
    await runtime.simulation.admit(() => runtime.now());
    response = await handler(ctx, requestObject(request));
    return response;
  } catch (error) {
    failure = error instanceof Error ? error : new Error(`non-Error thrown (${typeof error})`);
    // The record's errorCode: the AWS exception name, the simulator's own code, or, for a bug,
    // InternalFailure (CloudTrail's word for a failure on the service's side).
    // A locked kit (lock/key-lock.ts) is refused with KitError LOCKED: recorded under that code.
    errorCode = error instanceof KmsError ? error.name : error instanceof SimulatorError || error instanceof KitError ? error.code : 'InternalFailure';
    throw error;
  } finally {
    // Awaited: the record is stored before the caller sees the result (or the error).
    try {
      await env.record({
        event: { eventTime: runtime.now(), eventName: operation, awsRegion: runtime.region, principal: env.caller.arn, resources: ctx.resources, ...(errorCode ? { errorCode } : {}) },
        ...(env.caller.viaService !== undefined ? { viaService: env.caller.viaService } : {}),
        request,
        ...(failure ? { error: failure } : { response }),
        decisions: ctx.decisions,
      });
    } catch (error) {
      // A call is not reported as done when its record could not be stored (a full origin, an
      // aborted transaction, a moved audit head): the caller learns that, and what did happen.
      throw auditFailure(operation, error, failure);
    }
  }
}

/**
 * The error of a call whose audit record could not be stored: SimulatorError STORAGE_FAILED (the
 * browser's storage, not AWS, failed; issue 10's error model), saying whether the call itself
 * completed, with the storage's error as `cause`.
 */
function auditFailure(operation: string, error: unknown, failure: Error | undefined): SimulatorError {
  const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const outcome = failure ? `${operation} itself failed (${failure.name})` : `${operation} itself completed: its effects are stored (list or describe to find them)`;
  return new SimulatorError(SimulatorErrorCode.STORAGE_FAILED, `The audit record of this call could not be stored (${why}); ${outcome}.`, { cause: error });
}

export function createRegionClient(env: ClientEnvironment): KmsRegionClient {
  const client: Record<string, unknown> = { region: env.runtime.region };
  for (const [method, [operation, handler]] of Object.entries(OPERATIONS)) {
    client[method] = (request?: unknown) => invoke(env, operation, handler, request);
  }
  return Object.freeze(client) as unknown as KmsRegionClient;
}
