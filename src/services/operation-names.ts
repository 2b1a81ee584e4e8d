/**
 * The operation names (client methods) of each service, as plain data: the page builds its
 * worker-backed clients from these lists without loading the services themselves, and each
 * service's operation table is typed to cover exactly its list.
 */

/** Secrets Manager's operations (API reference, "Actions"), camelCase. */
export const SECRETS_MANAGER_OPERATIONS = [
  'createSecret',
  'putSecretValue',
  'getSecretValue',
  'batchGetSecretValue',
  'describeSecret',
  'listSecrets',
  'listSecretVersionIds',
  'updateSecret',
  'updateSecretVersionStage',
  'rotateSecret',
  'cancelRotateSecret',
  'deleteSecret',
  'restoreSecret',
  'replicateSecretToRegions',
  'removeRegionsFromReplication',
  'stopReplicationToReplica',
  'getResourcePolicy',
  'putResourcePolicy',
  'deleteResourcePolicy',
  'getRandomPassword',
  'tagResource',
  'untagResource',
] as const;

/** Parameter Store's operations (Systems Manager API reference), camelCase. */
export const SSM_OPERATIONS = [
  'putParameter',
  'getParameter',
  'getParameters',
  'getParametersByPath',
  'getParameterHistory',
  'labelParameterVersion',
  'unlabelParameterVersion',
  'deleteParameter',
  'deleteParameters',
  'describeParameters',
] as const;

/** The services a kit serves through its worker, by endpoint prefix. */
export const KitService = { SECRETS_MANAGER: 'secretsmanager', SSM: 'ssm' } as const;
/** A service the kit serves through its worker. */
export type KitService = (typeof KitService)[keyof typeof KitService];
