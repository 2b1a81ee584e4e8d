/**
 * What a Secrets Manager operation handler gets: the Region, the calling principal, the KMS as
 * that principal through `secretsmanager.<region>.amazonaws.com`, the Region's store, the clock,
 * and the lookups every operation shares (a secret by name, ARN or partial ARN; the checks for
 * deleted and replica secrets, with AWS's messages).
 */
import type { Kms, KmsRegionClient } from '../../kms/index.js';
import { SecretsManagerServiceException } from '../errors.js';
import { kmsAs } from '../service-runtime.js';
import type { ServiceStore } from '../storage/store.js';
import { RequestReader } from '../validation.js';
import type { SecretRecord, SecretsManagerStores } from './schema.js';
import type { RotationFunction, SecretsManagerClient } from './types.js';

/** The service's endpoint prefix, as in kms:ViaService `secretsmanager.<region>.amazonaws.com`. */
export const SERVICE = 'secretsmanager';

/** Shared by every client of one `createServices` instance. */
export interface SecretsManagerEnvironment {
  readonly kms: Kms;
  readonly stores: ReadonlyMap<string, ServiceStore<SecretsManagerStores>>;
  readonly rotationFunctions: ReadonlyMap<string, RotationFunction>;
  /** A client of `region` calling as `principal` (replication and rotation reach other clients through it). */
  client(region: string, principal: string): SecretsManagerClient;
  checkOpen(): void;
}

/** A Secrets Manager exception (shorthand for the handlers). */
export const smError = (name: ConstructorParameters<typeof SecretsManagerServiceException>[0], message: string) => new SecretsManagerServiceException(name, message);

/** One Secrets Manager call's context: Region, principal, KMS as the principal via the service, store and lookups. */
export class SmContext {
  readonly env: SecretsManagerEnvironment;
  readonly region: string;
  readonly principal: string;
  readonly read = new RequestReader((message) => smError('InvalidParameterException', message));
  #kms?: KmsRegionClient;

  constructor(env: SecretsManagerEnvironment, region: string, principal: string) {
    this.env = env;
    this.region = region;
    this.principal = principal;
  }

  get account(): string {
    return this.env.kms.account;
  }

  now(): number {
    return this.env.kms.now();
  }

  get store(): ServiceStore<SecretsManagerStores> {
    return this.env.stores.get(this.region)!;
  }

  /** The KMS of this Region, as the caller, through Secrets Manager. */
  get kms(): KmsRegionClient {
    this.#kms ??= kmsAs(this.env.kms, { service: SERVICE, region: this.region, principal: this.principal });
    return this.#kms;
  }

  /** The KMS of another Region, as the caller, through Secrets Manager there (replication). */
  kmsIn(region: string): KmsRegionClient {
    return kmsAs(this.env.kms, { service: SERVICE, region, principal: this.principal });
  }

  /** The key a new version is sealed under: the secret's, or aws/secretsmanager (created on first use). */
  async keyFor(kmsKeyId: string | undefined, region = this.region): Promise<string> {
    if (kmsKeyId !== undefined) return kmsKeyId;
    await this.env.kms.awsManagedKey(region, SERVICE);
    return 'alias/aws/secretsmanager';
  }

  secretArn(name: string, region = this.region): string {
    const suffix = Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'[b % 62]).join('');
    return `arn:aws:secretsmanager:${region}:${this.account}:secret:${name}-${suffix}`;
  }

  /**
   * The secret `secretId` names here: a name, a full ARN, or a partial ARN (an ARN without the
   * six-character suffix); a secret whose recovery window has passed is gone for good.
   */
  async find(secretId: string): Promise<SecretRecord> {
    const record = await this.lookup(secretId);
    if (!record) throw smError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return record;
  }

  async lookup(secretId: string): Promise<SecretRecord | undefined> {
    let record: SecretRecord | undefined;
    if (secretId.startsWith('arn:')) {
      const m = /^arn:aws:secretsmanager:([^:]+):(\d{12}):secret:(.+)$/.exec(secretId);
      if (!m || m[1] !== this.region || m[2] !== this.account) return undefined;
      // A full ARN ends in -XXXXXX after the name; a partial ARN is the ARN without it.
      for (const name of new Set([m[3]!.replace(/-[A-Za-z0-9]{6}$/, ''), m[3]!])) {
        const found = await this.store.get('secrets', name);
        if (found && (found.ARN === secretId || (found.ARN.length === secretId.length + 7 && found.ARN.startsWith(`${secretId}-`)))) record = found;
        if (record) break;
      }
    } else {
      record = await this.store.get('secrets', secretId);
    }
    if (record?.deletion && record.deletion.DeletionDate <= this.now()) {
      await this.store.commit([{ store: 'secrets', id: record.id, expect: record.version, value: undefined }]).catch(() => undefined);
      return undefined;
    }
    return record;
  }

  /** Refuses a secret scheduled for deletion (API reference, GetSecretValue etc.: InvalidRequestException). */
  requireLive(secret: SecretRecord): void {
    if (secret.deletion) throw smError('InvalidRequestException', "You can't perform this operation on the secret because it was marked for deletion.");
  }

  /** Refuses a replica: it changes only through its primary (user guide, "Replicate secrets across Regions"). */
  requirePrimary(secret: SecretRecord): void {
    if (secret.PrimaryRegion !== this.region) {
      throw smError('InvalidRequestException', `Operation is not permitted on a replica secret: ${secret.ARN} is a replica of the secret in ${secret.PrimaryRegion}. Change the primary, or call StopReplicationToReplica to promote the replica.`);
    }
  }
}
