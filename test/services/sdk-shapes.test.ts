/**
 * The services' shapes against the AWS SDK for JavaScript v3's own types and exception classes
 * (`@aws-sdk/client-secrets-manager`, `@aws-sdk/client-ssm`), so "shaped as the SDK types them" is
 * checked by the compiler, not by eye: every request we accept is a valid SDK input, every
 * response we return is a valid SDK output (less `$metadata`), and every exception name we throw
 * is an exception class the SDK exports.
 */
import * as SecretsManagerSdk from '@aws-sdk/client-secrets-manager';
import * as SsmSdk from '@aws-sdk/client-ssm';
import type * as SM from '@aws-sdk/client-secrets-manager';
import type * as SSM from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { SecretsManagerExceptionName, SsmExceptionName, type SecretsManagerClient, type SsmClient } from '../../src/services/index.js';
import { testServices } from './support.js';

type Out<T> = Omit<T, '$metadata'>;
type Req<C, K extends keyof C> = C[K] extends (request: infer R) => unknown ? R : never;
type Res<C, K extends keyof C> = C[K] extends (...args: never[]) => Promise<infer R> ? R : never;
/** Compiles only when A is assignable to B. */
type Assignable<A, B> = [A] extends [B] ? true : never;

// Secrets Manager: request -> SDK input, response -> SDK output.
type SmPairs = {
  createSecret: [SM.CreateSecretCommandInput, SM.CreateSecretCommandOutput];
  putSecretValue: [SM.PutSecretValueCommandInput, SM.PutSecretValueCommandOutput];
  getSecretValue: [SM.GetSecretValueCommandInput, SM.GetSecretValueCommandOutput];
  batchGetSecretValue: [SM.BatchGetSecretValueCommandInput, SM.BatchGetSecretValueCommandOutput];
  describeSecret: [SM.DescribeSecretCommandInput, SM.DescribeSecretCommandOutput];
  listSecrets: [SM.ListSecretsCommandInput, SM.ListSecretsCommandOutput];
  listSecretVersionIds: [SM.ListSecretVersionIdsCommandInput, SM.ListSecretVersionIdsCommandOutput];
  updateSecret: [SM.UpdateSecretCommandInput, SM.UpdateSecretCommandOutput];
  updateSecretVersionStage: [SM.UpdateSecretVersionStageCommandInput, SM.UpdateSecretVersionStageCommandOutput];
  rotateSecret: [SM.RotateSecretCommandInput, SM.RotateSecretCommandOutput];
  cancelRotateSecret: [SM.CancelRotateSecretCommandInput, SM.CancelRotateSecretCommandOutput];
  deleteSecret: [SM.DeleteSecretCommandInput, SM.DeleteSecretCommandOutput];
  restoreSecret: [SM.RestoreSecretCommandInput, SM.RestoreSecretCommandOutput];
  replicateSecretToRegions: [SM.ReplicateSecretToRegionsCommandInput, SM.ReplicateSecretToRegionsCommandOutput];
  removeRegionsFromReplication: [SM.RemoveRegionsFromReplicationCommandInput, SM.RemoveRegionsFromReplicationCommandOutput];
  stopReplicationToReplica: [SM.StopReplicationToReplicaCommandInput, SM.StopReplicationToReplicaCommandOutput];
  getResourcePolicy: [SM.GetResourcePolicyCommandInput, SM.GetResourcePolicyCommandOutput];
  putResourcePolicy: [SM.PutResourcePolicyCommandInput, SM.PutResourcePolicyCommandOutput];
  deleteResourcePolicy: [SM.DeleteResourcePolicyCommandInput, SM.DeleteResourcePolicyCommandOutput];
  getRandomPassword: [SM.GetRandomPasswordCommandInput, SM.GetRandomPasswordCommandOutput];
  tagResource: [SM.TagResourceCommandInput, SM.TagResourceCommandOutput];
  untagResource: [SM.UntagResourceCommandInput, SM.UntagResourceCommandOutput];
};
type SmChecks = {
  [K in keyof SmPairs]: [Assignable<NonNullable<Req<SecretsManagerClient, K>>, SmPairs[K][0]>, Assignable<Res<SecretsManagerClient, K>, Out<SmPairs[K][1]>>];
};
// A check that failed would be `never`, and `true` is not assignable to it: the file would not compile.
export const SM_SHAPES_MATCH: SmChecks = {
  createSecret: [true, true],
  putSecretValue: [true, true],
  getSecretValue: [true, true],
  batchGetSecretValue: [true, true],
  describeSecret: [true, true],
  listSecrets: [true, true],
  listSecretVersionIds: [true, true],
  updateSecret: [true, true],
  updateSecretVersionStage: [true, true],
  rotateSecret: [true, true],
  cancelRotateSecret: [true, true],
  deleteSecret: [true, true],
  restoreSecret: [true, true],
  replicateSecretToRegions: [true, true],
  removeRegionsFromReplication: [true, true],
  stopReplicationToReplica: [true, true],
  getResourcePolicy: [true, true],
  putResourcePolicy: [true, true],
  deleteResourcePolicy: [true, true],
  getRandomPassword: [true, true],
  tagResource: [true, true],
  untagResource: [true, true],
};
// Every operation of the client is covered above.
export const SM_ALL_COVERED: Assignable<Exclude<keyof SecretsManagerClient, 'region'>, keyof SmPairs> = true;

type SsmPairs = {
  putParameter: [SSM.PutParameterCommandInput, SSM.PutParameterCommandOutput];
  getParameter: [SSM.GetParameterCommandInput, SSM.GetParameterCommandOutput];
  getParameters: [SSM.GetParametersCommandInput, SSM.GetParametersCommandOutput];
  getParametersByPath: [SSM.GetParametersByPathCommandInput, SSM.GetParametersByPathCommandOutput];
  getParameterHistory: [SSM.GetParameterHistoryCommandInput, SSM.GetParameterHistoryCommandOutput];
  labelParameterVersion: [SSM.LabelParameterVersionCommandInput, SSM.LabelParameterVersionCommandOutput];
  unlabelParameterVersion: [SSM.UnlabelParameterVersionCommandInput, SSM.UnlabelParameterVersionCommandOutput];
  deleteParameter: [SSM.DeleteParameterCommandInput, SSM.DeleteParameterCommandOutput];
  deleteParameters: [SSM.DeleteParametersCommandInput, SSM.DeleteParametersCommandOutput];
  describeParameters: [SSM.DescribeParametersCommandInput, SSM.DescribeParametersCommandOutput];
};
type SsmChecks = {
  [K in keyof SsmPairs]: [Assignable<NonNullable<Req<SsmClient, K>>, SsmPairs[K][0]>, Assignable<Res<SsmClient, K>, Out<SsmPairs[K][1]>>];
};
export const SSM_SHAPES_MATCH: SsmChecks = {
  putParameter: [true, true],
  getParameter: [true, true],
  getParameters: [true, true],
  getParametersByPath: [true, true],
  getParameterHistory: [true, true],
  labelParameterVersion: [true, true],
  unlabelParameterVersion: [true, true],
  deleteParameter: [true, true],
  deleteParameters: [true, true],
  describeParameters: [true, true],
};
export const SSM_ALL_COVERED: Assignable<Exclude<keyof SsmClient, 'region'>, keyof SsmPairs> = true;

/**
 * Exceptions AWS returns that the SDK does not model as classes: the SDK surfaces them as its
 * service base exception with this `name`. Secrets Manager answers a caller the KMS refuses with
 * "AccessDeniedException: Access to KMS is not allowed" (user guide, "Troubleshoot AWS Secrets
 * Manager"), a common AWS error (API reference, "Common Errors") rather than a modeled one.
 */
const UNMODELED = new Set(['AccessDeniedException']);

describe('services against the AWS SDK v3', () => {
  it('every Secrets Manager exception name is an exception class of @aws-sdk/client-secrets-manager', () => {
    for (const name of Object.values(SecretsManagerExceptionName)) {
      if (UNMODELED.has(name)) {
        expect((SecretsManagerSdk as Record<string, unknown>)[name], `${name} is modeled now: drop it from UNMODELED`).toBeUndefined();
        continue;
      }
      const cls = (SecretsManagerSdk as Record<string, unknown>)[name] as (new (...args: never[]) => Error) | undefined;
      expect(cls, name).toBeTypeOf('function');
      expect(cls!.prototype).toBeInstanceOf(SecretsManagerSdk.SecretsManagerServiceException);
    }
  });

  it('every Parameter Store exception name is an exception class of @aws-sdk/client-ssm', () => {
    for (const name of Object.values(SsmExceptionName)) {
      if (UNMODELED.has(name) && (SsmSdk as Record<string, unknown>)[name] === undefined) continue;
      const cls = (SsmSdk as Record<string, unknown>)[name] as (new (...args: never[]) => Error) | undefined;
      expect(cls, name).toBeTypeOf('function');
      expect(cls!.prototype).toBeInstanceOf(SsmSdk.SSMServiceException);
    }
  });

  it('a response passes through the SDK types unchanged at run time (dates, bytes)', async () => {
    const t = await testServices();
    const sm = t.services.secretsManager('us-east-1');
    await sm.createSecret({ Name: 'x', SecretBinary: new Uint8Array([1]) });
    const got: Out<SM.GetSecretValueCommandOutput> = await sm.getSecretValue({ SecretId: 'x' });
    expect(got.SecretBinary).toBeInstanceOf(Uint8Array);
    expect(got.CreatedDate).toBeInstanceOf(Date);
    const param: Out<SSM.GetParameterCommandOutput> = await (async () => {
      await t.services.ssm('us-east-1').putParameter({ Name: 'p', Value: 'v', Type: 'String' });
      return t.services.ssm('us-east-1').getParameter({ Name: 'p' });
    })();
    expect(param.Parameter?.LastModifiedDate).toBeInstanceOf(Date);
    await t.close();
  });
});
