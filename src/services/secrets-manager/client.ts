/**
 * A Secrets Manager client of one Region: one table of operations and one pipeline every call
 * goes through (the shape of src/kms/client.ts). The pipeline checks the services are open, reads
 * the request object, runs the handler, and turns anything that is not a Secrets Manager error
 * into InternalServiceError, so callers only ever see the service's documented exceptions.
 */
import { ServiceError, SecretsManagerServiceException } from '../errors.js';
import type { SECRETS_MANAGER_OPERATIONS } from '../operation-names.js';
import { SmContext, type SecretsManagerEnvironment } from './context.js';
import { cancelRotateSecret, rotateSecret } from './rotation.js';
import { removeRegionsFromReplication, replicateSecretToRegions, stopReplicationToReplica } from './replication.js';
import * as secrets from './secrets.js';
import type { SecretsManagerClient } from './types.js';
import * as values from './values.js';

// The page builds its worker-backed client from the name list: the list must be exactly the client's methods.
type Methods = Exclude<keyof SecretsManagerClient, 'region'>;
type Listed = (typeof SECRETS_MANAGER_OPERATIONS)[number];
/** Compiles only while the operation-name list and the client interface name the same methods. */
export const OPERATION_LIST_MATCHES: [Methods] extends [Listed] ? ([Listed] extends [Methods] ? true : never) : never = true;

type Handler = (ctx: SmContext, request: Record<string, unknown>) => Promise<unknown>;

const OPERATIONS: Record<(typeof SECRETS_MANAGER_OPERATIONS)[number] & Exclude<keyof SecretsManagerClient, 'region'>, Handler> = {
  createSecret: values.createSecret,
  putSecretValue: values.putSecretValue,
  getSecretValue: values.getSecretValue,
  batchGetSecretValue: values.batchGetSecretValue,
  describeSecret: secrets.describeSecret,
  listSecrets: secrets.listSecrets,
  listSecretVersionIds: values.listSecretVersionIds,
  updateSecret: values.updateSecret,
  updateSecretVersionStage: values.updateSecretVersionStage,
  rotateSecret,
  cancelRotateSecret,
  deleteSecret: secrets.deleteSecret,
  restoreSecret: secrets.restoreSecret,
  replicateSecretToRegions,
  removeRegionsFromReplication,
  stopReplicationToReplica,
  getResourcePolicy: secrets.getResourcePolicy,
  putResourcePolicy: secrets.putResourcePolicy,
  deleteResourcePolicy: secrets.deleteResourcePolicy,
  getRandomPassword: secrets.getRandomPassword,
  tagResource: secrets.tagResource,
  untagResource: secrets.untagResource,
};

async function invoke(env: SecretsManagerEnvironment, region: string, principal: string, handler: Handler, request: unknown): Promise<unknown> {
  try {
    env.checkOpen();
    const ctx = new SmContext(env, region, principal);
    return await handler(ctx, ctx.read.object(request));
  } catch (error) {
    if (error instanceof ServiceError) throw error;
    throw new SecretsManagerServiceException('InternalServiceError', `An error occurred on the server side: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }
}

/** The client of `region` calling as `principal` (checked by the caller, services.ts). */
export function createSecretsManagerClient(env: SecretsManagerEnvironment, region: string, principal: string): SecretsManagerClient {
  const client: Record<string, unknown> = { region };
  for (const [method, handler] of Object.entries(OPERATIONS)) client[method] = (request?: unknown) => invoke(env, region, principal, handler, request);
  return Object.freeze(client) as unknown as SecretsManagerClient;
}
