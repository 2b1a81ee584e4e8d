/**
 * A Parameter Store client of one Region: one table of operations and one pipeline every call
 * goes through (the shape of src/kms/client.ts): checks the services are open, reads the request
 * object, runs the handler, and turns anything that is not an SSM error into InternalServerError.
 */
import type { Kms, KmsRegionClient } from '../../kms/index.js';
import { ServiceError, SSMServiceException } from '../errors.js';
import type { SSM_OPERATIONS } from '../operation-names.js';
import { kmsAs } from '../service-runtime.js';
import type { ServiceStore } from '../storage/store.js';
import { RequestReader } from '../validation.js';
import * as parameters from './parameters.js';
import type { SsmStores } from './schema.js';
import type { SsmClient } from './types.js';

/** The service's endpoint prefix, as in kms:ViaService `ssm.<region>.amazonaws.com`. */
export const SERVICE = 'ssm';

/** Shared by every client of one `createServices` instance. */
export interface SsmEnvironment {
  readonly kms: Kms;
  readonly stores: ReadonlyMap<string, ServiceStore<SsmStores>>;
  checkOpen(): void;
}

/** What a Parameter Store handler gets. */
export class SsmContext {
  readonly env: SsmEnvironment;
  readonly region: string;
  readonly principal: string;
  readonly read = new RequestReader((message) => new SSMServiceException('ValidationException', message));
  #kms?: KmsRegionClient;

  constructor(env: SsmEnvironment, region: string, principal: string) {
    this.env = env;
    this.region = region;
    this.principal = principal;
  }

  get store(): ServiceStore<SsmStores> {
    return this.env.stores.get(this.region)!;
  }

  now(): number {
    return this.env.kms.now();
  }

  /** The KMS of this Region, as the caller, through Parameter Store. */
  get kms(): KmsRegionClient {
    this.#kms ??= kmsAs(this.env.kms, { service: SERVICE, region: this.region, principal: this.principal });
    return this.#kms;
  }

  /** `arn:aws:ssm:<region>:<account>:parameter/<name>` (a leading slash of the name is not doubled). */
  parameterArn(name: string): string {
    return `arn:aws:ssm:${this.region}:${this.env.kms.account}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
  }
}

// The page builds its worker-backed client from the name list: the list must be exactly the client's methods.
type Methods = Exclude<keyof SsmClient, 'region'>;
type Listed = (typeof SSM_OPERATIONS)[number];
/** Compiles only while the operation-name list and the client interface name the same methods. */
export const OPERATION_LIST_MATCHES: [Methods] extends [Listed] ? ([Listed] extends [Methods] ? true : never) : never = true;

type Handler = (ctx: SsmContext, request: Record<string, unknown>) => Promise<unknown>;

const OPERATIONS: Record<(typeof SSM_OPERATIONS)[number] & Exclude<keyof SsmClient, 'region'>, Handler> = {
  putParameter: parameters.putParameter,
  getParameter: parameters.getParameter,
  getParameters: parameters.getParameters,
  getParametersByPath: parameters.getParametersByPath,
  getParameterHistory: parameters.getParameterHistory,
  labelParameterVersion: parameters.labelParameterVersion,
  unlabelParameterVersion: parameters.unlabelParameterVersion,
  deleteParameter: parameters.deleteParameter,
  deleteParameters: parameters.deleteParameters,
  describeParameters: parameters.describeParameters,
};

async function invoke(env: SsmEnvironment, region: string, principal: string, handler: Handler, request: unknown): Promise<unknown> {
  try {
    env.checkOpen();
    const ctx = new SsmContext(env, region, principal);
    return await handler(ctx, ctx.read.object(request));
  } catch (error) {
    if (error instanceof ServiceError) throw error;
    throw new SSMServiceException('InternalServerError', `An error occurred on the server side: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }
}

/** The client of `region` calling as `principal` (checked by services.ts). */
export function createSsmClient(env: SsmEnvironment, region: string, principal: string): SsmClient {
  const client: Record<string, unknown> = { region };
  for (const [method, handler] of Object.entries(OPERATIONS)) client[method] = (request?: unknown) => invoke(env, region, principal, handler, request);
  return Object.freeze(client) as unknown as SsmClient;
}
