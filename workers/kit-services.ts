/**
 * The services (Secrets Manager, Parameter Store) a kit's worker serves next to its KMS: created on
 * first use over the worker's KMS, so a kit that never touches a secret opens no service database.
 * Every call is made as the kit's principal. Rotation functions live in the page (they are the
 * app's code): the worker holds a comlink proxy of each and calls it for every rotation step.
 */
import type { Remote } from 'comlink';
import { releaseProxy } from 'comlink';
import type { Kms } from '../src/kms/index.js';
import { createServices, type Services } from '../src/services/index.js';
import { KitService, SECRETS_MANAGER_OPERATIONS, SSM_OPERATIONS } from '../src/services/operation-names.js';
import type { RotationEvent } from '../src/services/secrets-manager/types.js';

/** What the worker holds of a page-side rotation function: the event goes, the step's outcome comes back. */
export type RemoteRotationStep = Remote<(event: RotationEvent) => Promise<void>>;

const OPERATIONS: Readonly<Record<KitService, readonly string[]>> = {
  [KitService.SECRETS_MANAGER]: SECRETS_MANAGER_OPERATIONS,
  [KitService.SSM]: SSM_OPERATIONS,
};

/** The worker's services: created on first use, calling as the kit's principal. */
export class KitServices {
  readonly #kms: Kms;
  readonly #principal: string | undefined;
  readonly #remotes = new Map<string, RemoteRotationStep>();
  #services?: Promise<Services>;

  constructor(kms: Kms, principal: string | undefined) {
    this.#kms = kms;
    this.#principal = principal;
  }

  #open(): Promise<Services> {
    this.#services ??= createServices({ kms: this.#kms });
    return this.#services;
  }

  /** The services, opened on first use (S3, ECR and Inspector calls reach them through here). */
  open(): Promise<Services> {
    return this.#open();
  }

  /** The principal every service client calls as (the kit's), or the account root. */
  get clientOptions(): { principal: string } | undefined {
    return this.#principal === undefined ? undefined : { principal: this.#principal };
  }

  /** One operation of one service's client in `region`. */
  async call(service: KitService, region: string, operation: string, request: unknown): Promise<unknown> {
    const names = Object.prototype.hasOwnProperty.call(OPERATIONS, service) ? OPERATIONS[service] : undefined;
    if (!names) throw new TypeError(`service must be one of ${Object.values(KitService).join(', ')}; got ${JSON.stringify(service)}`);
    if (!names.includes(operation)) throw new TypeError(`operation must be a ${service} client method; ${JSON.stringify(operation)} is not one`);
    const services = await this.#open();
    const options = this.#principal === undefined ? undefined : { principal: this.#principal };
    const client = (service === KitService.SSM ? services.ssm(region, options) : services.secretsManager(region, options)) as unknown as Record<string, (request: unknown) => Promise<unknown>>;
    return client[operation]!(request);
  }

  /** Registers a page-side rotation function; the page's wrapper gives it the page's client. */
  async registerRotationFunction(arn: string, remote: RemoteRotationStep): Promise<void> {
    const services = await this.#open();
    services.registerRotationFunction(arn, (event) => remote({ SecretId: event.SecretId, ClientRequestToken: event.ClientRequestToken, Step: event.Step }));
    this.#remotes.get(arn)?.[releaseProxy]();
    this.#remotes.set(arn, remote);
  }

  /** Runs what the clock made due (scheduled rotations, replica retries). */
  async tick(): Promise<void> {
    await (await this.#open()).tick();
  }

  async close(): Promise<void> {
    for (const remote of this.#remotes.values()) remote[releaseProxy]();
    this.#remotes.clear();
    if (this.#services) (await this.#services.catch(() => undefined))?.close();
  }
}
