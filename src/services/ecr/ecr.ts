/**
 * A simulated Amazon ECR whose image layers and manifests are encrypted at rest as the ECR User
 * Guide, "Encryption at rest", describes:
 *
 * 1. CreateRepository sends DescribeKey to validate the key and get its ARN, then two CreateGrant
 *    requests, both as the caller through `ecr.<region>.amazonaws.com`; the grants name the ECR
 *    service principal as grantee and retiring principal, constrained to the repository's ARN
 *    (EncryptionContextSubset `aws:ecr:arn`, as the CloudTrail example of the guide shows).
 * 2. A push calls GenerateDataKey and a pull calls Decrypt, made by ECR through its grant, with the
 *    context `{ "aws:ecr:arn": <repository ARN>, "aws:s3:arn": <object of ECR's bucket> }`:
 *    revoking the grant or disabling the key breaks both at once.
 * 3. DeleteRepository sends two RetireGrant requests as the caller (who needs kms:RetireGrant); if
 *    they fail the repository is deleted anyway and the response says so, as the console does.
 *
 * The encryption configuration is fixed at creation: no operation changes it. ECR keeps images in
 * S3 buckets it manages, so the blobs here are sealed with S3's own modes (../s3/sse.ts).
 */
import { toBase64, utf8 } from '../../core/bytes.js';
import type { Bytes } from '../../core/types.js';
import { KmsError } from '../../kms/errors.js';
import type { Kms } from '../../kms/kms.js';
import { openRegionalStore, type RegionalStore } from '../regional-store.js';
import { ECRServiceException } from '../service-error.js';
import { openBody, sealDsseKms, sealSseKms, sealSseS3, type SealedBody } from '../s3/sse.js';
import type * as T from './types.js';

const LAYOUT = {
  service: 'ecr',
  version: 1,
  stores: {
    repositories: { keyPath: 'repositoryName' },
    images: { keyPath: 'id', indexes: ['repositoryName'] },
    layers: { keyPath: 'id', indexes: ['repositoryName'] },
    uploads: { keyPath: 'uploadId' },
    meta: { keyPath: 'id' },
  },
} as const;

interface RepositoryRecord {
  readonly repositoryName: string;
  readonly createdAt: number;
  readonly imageTagMutability: 'MUTABLE' | 'IMMUTABLE';
  readonly scanOnPush: boolean;
  readonly encryption: T.EncryptionConfiguration;
  /** The two grants CreateRepository made (KMS and KMS_DSSE). */
  readonly grantIds: readonly string[];
}
interface ImageRecord {
  readonly id: string;
  readonly repositoryName: string;
  readonly imageDigest: string;
  readonly tags: readonly string[];
  readonly mediaType: string;
  readonly manifest: SealedBody;
  readonly pushedAt: number;
}
interface LayerRecord {
  readonly id: string;
  readonly repositoryName: string;
  readonly digest: string;
  readonly size: number;
  readonly blob: SealedBody;
}
interface UploadRecord {
  readonly uploadId: string;
  readonly repositoryName: string;
  readonly parts: readonly Uint8Array[];
  readonly received: number;
}

/**
 * Options of `createEcrService`: the KMS that holds the repositories' keys and where ECR's records
 * live.
 */
export interface EcrServiceOptions {
  /** The simulated KMS the repositories' keys live in; its regions are ECR's regions. */
  kms: Kms;
  /** Default: as the KMS stores. */
  storage?: 'memory' | 'indexeddb';
  /** Default: the KMS's name. */
  name?: string;
}

/**
 * One region of the simulated ECR: the `@aws-sdk/client-ecr` operations it supports.
 *
 * @example
 * ```ts
 * const ecr = (await createEcrService({ kms })).client('us-east-1');
 * const { repository } = await ecr.createRepository({ repositoryName: 'app', encryptionConfiguration: { encryptionType: 'KMS' } });
 * ```
 */
export interface EcrClient {
  readonly region: string;
  createRepository(request: T.CreateRepositoryRequest): Promise<{ repository: T.Repository }>;
  describeRepositories(request?: T.DescribeRepositoriesRequest): Promise<{ repositories: T.Repository[]; nextToken?: string }>;
  deleteRepository(request: T.DeleteRepositoryRequest): Promise<T.DeleteRepositoryResponse>;
  initiateLayerUpload(request: { repositoryName: string }): Promise<T.InitiateLayerUploadResponse>;
  uploadLayerPart(request: T.UploadLayerPartRequest): Promise<{ registryId: string; repositoryName: string; uploadId: string; lastByteReceived: number }>;
  completeLayerUpload(request: T.CompleteLayerUploadRequest): Promise<{ registryId: string; repositoryName: string; uploadId: string; layerDigest: string }>;
  putImage(request: T.PutImageRequest): Promise<{ image: T.Image }>;
  batchGetImage(request: T.BatchGetImageRequest): Promise<{ images: T.Image[]; failures: T.ImageFailure[] }>;
  listImages(request: T.ListImagesRequest): Promise<{ imageIds: T.ImageIdentifier[] }>;
  batchDeleteImage(request: T.BatchDeleteImageRequest): Promise<{ imageIds: T.ImageIdentifier[]; failures: T.ImageFailure[] }>;
  getDownloadUrlForLayer(request: { repositoryName: string; layerDigest: string }): Promise<T.GetDownloadUrlForLayerResponse>;
}

/** The simulated ECR of every region of a KMS. */
export interface EcrService {
  client(region: string, options?: { principal?: string }): EcrClient;
  close(): void;
}

const ecrError = (name: string, message: string, status = 400, cause?: unknown) => new ECRServiceException(name, message, { status, ...(cause !== undefined ? { cause } : {}) });

/** A KMS failure as ECR reports it: KmsException, whose `kmsError` names the KMS exception. */
function kmsException(error: unknown, doing: string): unknown {
  if (!(error instanceof KmsError)) return error;
  const wrapped = ecrError('KmsException', `${doing} failed due to a KMS exception: ${error.name}: ${error.message}`, 400, error);
  Object.defineProperty(wrapped, 'kmsError', { value: error.name, enumerable: true });
  return wrapped;
}

const REPOSITORY_NAME = /^(?=.{2,256}$)((?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*)$/;
const PART_SIZE = 10 * 1024 * 1024;

async function sha256Digest(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Bytes));
  return `sha256:${[...digest].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * Opens the simulated ECR for every region of `kms`.
 *
 * @example
 * ```ts
 * const service = await createEcrService({ kms });
 * const ecr = service.client('us-east-1', { principal: 'arn:aws:iam::111122223333:user/alice' });
 * ```
 */
export async function createEcrService(options: EcrServiceOptions): Promise<EcrService> {
  if (options === null || typeof options !== 'object' || !options.kms) throw new TypeError('options.kms must be a Kms from createKms');
  const { kms } = options;
  const stores = new Map<string, RegionalStore>();
  for (const region of kms.regions) {
    stores.set(region, await openRegionalStore({ storage: options.storage ?? kms.storage, name: options.name ?? kms.name, account: kms.account, region }, LAYOUT));
  }
  const serviceKeys = new Map<string, Promise<CryptoKey>>();
  const serviceKey = (region: string) => {
    let key = serviceKeys.get(region);
    if (!key) {
      key = (async () => {
        const store = stores.get(region)!;
        const found = await store.get<{ key: CryptoKey }>('meta', 'aes256-key');
        if (found) return found.key;
        // ifAbsent: two tabs racing keep the first key, and both read it back.
        await store.commit([{ store: 'meta', value: { id: 'aes256-key', key: await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']) }, ifAbsent: true }]);
        return (await store.get<{ key: CryptoKey }>('meta', 'aes256-key'))!.key;
      })();
      serviceKeys.set(region, key);
    }
    return key;
  };
  return {
    client(region, clientOptions) {
      const store = stores.get(region);
      if (!store) throw new RangeError(`region ${JSON.stringify(region)} is not one of this ECR's regions: ${kms.regions.join(', ')}`);
      return createEcrClient({ kms, region, store, serviceKey: () => serviceKey(region), principal: clientOptions?.principal ?? `arn:aws:iam::${kms.account}:root` });
    },
    close() {
      for (const store of stores.values()) store.close();
    },
  };
}

function createEcrClient(env: { kms: Kms; region: string; store: RegionalStore; serviceKey: () => Promise<CryptoKey>; principal: string }): EcrClient {
  const { kms, region, store } = env;
  const account = kms.account;
  const endpoint = `ecr.${region}.amazonaws.com`;
  // Repository set-up and clean-up: the caller's own KMS calls, through ECR.
  const asCaller = kms.region(region, { principal: env.principal, viaService: endpoint });
  // Pushes and pulls: ECR itself, the grantee of the repository's grants.
  const asEcr = kms.region(region, { principal: endpoint, context: { 'aws:SourceAccount': account } });
  const arnOf = (name: string) => `arn:aws:ecr:${region}:${account}:repository/${name}`;
  const toRepository = (r: RepositoryRecord): T.Repository => ({
    repositoryArn: arnOf(r.repositoryName),
    registryId: account,
    repositoryName: r.repositoryName,
    repositoryUri: `${account}.dkr.ecr.${region}.amazonaws.com/${r.repositoryName}`,
    createdAt: new Date(r.createdAt),
    imageTagMutability: r.imageTagMutability,
    imageScanningConfiguration: { scanOnPush: r.scanOnPush },
    encryptionConfiguration: { ...r.encryption },
  });
  const repositoryOf = async (name: unknown): Promise<RepositoryRecord> => {
    if (typeof name !== 'string' || name.length === 0) throw ecrError('InvalidParameterException', 'repositoryName must be a non-empty string.');
    const found = await store.get<RepositoryRecord>('repositories', name);
    if (!found) throw ecrError('RepositoryNotFoundException', `The repository with name '${name}' does not exist in the registry with id '${account}'`);
    return found;
  };
  // Where ECR's managed bucket keeps a blob: the aws:s3:arn half of the encryption context.
  const location = (kind: 'layer' | 'manifest', repository: string, digest: string) => `arn:aws:s3:::${region}-starport-${kind}-bucket/${account}/${repository}/${digest}`;

  async function seal(repository: RepositoryRecord, where: string, bytes: Uint8Array): Promise<SealedBody> {
    const e = repository.encryption;
    if (e.encryptionType === 'AES256') return sealSseS3(await env.serviceKey(), where, bytes);
    const context = { 'aws:ecr:arn': arnOf(repository.repositoryName), 'aws:s3:arn': where };
    try {
      return e.encryptionType === 'KMS_DSSE' ? await sealDsseKms(asEcr, { keyId: e.kmsKey!, context }, bytes) : await sealSseKms(asEcr, { keyId: e.kmsKey!, context }, bytes);
    } catch (error) {
      throw kmsException(error, 'The push');
    }
  }
  async function unseal(sealed: SealedBody, where: string): Promise<Bytes> {
    try {
      return await openBody(sealed, {
        serviceKey: env.serviceKey,
        kms: asEcr,
        bucketKey: () => Promise.reject(new TypeError('ECR blobs have no bucket keys')),
        objectArn: where,
      });
    } catch (error) {
      throw kmsException(error, 'The pull');
    }
  }
  const findImage = async (repositoryName: string, id: T.ImageIdentifier): Promise<ImageRecord | undefined> => {
    const images = await store.byIndex<ImageRecord>('images', 'repositoryName', repositoryName);
    return images.find((i) => (id.imageDigest === undefined || i.imageDigest === id.imageDigest) && (id.imageTag === undefined || i.tags.includes(id.imageTag)));
  };

  return Object.freeze({
    region,
    async createRepository(req) {
      const name = req?.repositoryName;
      if (typeof name !== 'string' || !REPOSITORY_NAME.test(name)) throw ecrError('InvalidParameterException', 'repositoryName must be 2-256 characters of lowercase letters, digits and ._-/ as ECR allows.');
      if (await store.get('repositories', name)) throw ecrError('RepositoryAlreadyExistsException', `The repository with name '${name}' already exists in the registry with id '${account}'`);
      const requested = req.encryptionConfiguration ?? { encryptionType: 'AES256' as const };
      if (!['AES256', 'KMS', 'KMS_DSSE'].includes(requested.encryptionType)) throw ecrError('InvalidParameterException', 'encryptionType must be AES256, KMS or KMS_DSSE.');
      let encryption: T.EncryptionConfiguration = { encryptionType: requested.encryptionType };
      const grantIds: string[] = [];
      if (requested.encryptionType === 'AES256') {
        if (requested.kmsKey !== undefined) throw ecrError('InvalidParameterException', 'kmsKey can only be specified with the KMS or KMS_DSSE encryption type.');
      } else {
        const keyRegion = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):/.exec(requested.kmsKey ?? '')?.[1];
        if (keyRegion !== undefined && keyRegion !== region) throw ecrError('InvalidParameterException', `The KMS key must be in the same Region as the repository (${region}), not ${keyRegion}.`);
        const repositoryArn = arnOf(name);
        let keyArn: string | undefined;
        try {
          // Without a key, the AWS managed key alias/aws/ecr, created on first use.
          const keyId = requested.kmsKey ?? (await kms.awsManagedKey(region, 'ecr'));
          const { KeyMetadata } = await asCaller.describeKey({ KeyId: keyId });
          keyArn = KeyMetadata.Arn;
          if (KeyMetadata.KeySpec !== 'SYMMETRIC_DEFAULT' || KeyMetadata.KeyUsage !== 'ENCRYPT_DECRYPT') throw ecrError('InvalidParameterException', 'The KMS key must be a symmetric encryption key.');
          const grant = (operations: ('GenerateDataKey' | 'Decrypt' | 'DescribeKey' | 'RetireGrant')[]) =>
            asCaller.createGrant({ KeyId: KeyMetadata.Arn, GranteePrincipal: endpoint, RetiringPrincipal: endpoint, Operations: operations, Constraints: { EncryptionContextSubset: { 'aws:ecr:arn': repositoryArn } } });
          grantIds.push((await grant(['GenerateDataKey', 'Decrypt'])).GrantId);
          grantIds.push((await grant(['DescribeKey', 'RetireGrant'])).GrantId);
          encryption = { encryptionType: requested.encryptionType, kmsKey: KeyMetadata.Arn };
        } catch (error) {
          // Undo a half-made set-up: a grant made before the second failed is retired.
          for (const grantId of grantIds) await asCaller.retireGrant({ KeyId: keyArn!, GrantId: grantId }).catch(() => undefined);
          throw kmsException(error, 'CreateRepository');
        }
      }
      const record: RepositoryRecord = { repositoryName: name, createdAt: kms.now(), imageTagMutability: req.imageTagMutability ?? 'MUTABLE', scanOnPush: req.imageScanningConfiguration?.scanOnPush ?? false, encryption, grantIds };
      await store.commit([{ store: 'repositories', value: record }]);
      return { repository: toRepository(record) };
    },
    async describeRepositories(req = {}) {
      const all = (await store.all<RepositoryRecord>('repositories')).sort((a, b) => a.createdAt - b.createdAt || (a.repositoryName < b.repositoryName ? -1 : 1));
      if (req.repositoryNames) {
        const missing = req.repositoryNames.find((n) => !all.some((r) => r.repositoryName === n));
        if (missing !== undefined) throw ecrError('RepositoryNotFoundException', `The repository with name '${missing}' does not exist in the registry with id '${account}'`);
        return { repositories: all.filter((r) => req.repositoryNames!.includes(r.repositoryName)).map(toRepository) };
      }
      const start = req.nextToken !== undefined ? Number(atob(req.nextToken)) : 0;
      const max = req.maxResults ?? 100;
      const page = all.slice(start, start + max);
      return { repositories: page.map(toRepository), ...(start + max < all.length ? { nextToken: btoa(String(start + max)) } : {}) };
    },
    async deleteRepository(req) {
      const repository = await repositoryOf(req?.repositoryName);
      const images = await store.byIndex<ImageRecord>('images', 'repositoryName', repository.repositoryName);
      const layers = await store.byIndex<LayerRecord>('layers', 'repositoryName', repository.repositoryName);
      if (images.length > 0 && !req.force) {
        throw ecrError('RepositoryNotEmptyException', `The repository with name '${repository.repositoryName}' in registry with id '${account}' cannot be deleted because it still contains images`);
      }
      await store.commit([
        { store: 'repositories', delete: repository.repositoryName },
        ...images.map((i) => ({ store: 'images', delete: i.id })),
        ...layers.map((l) => ({ store: 'layers', delete: l.id })),
      ]);
      const failed: string[] = [];
      for (const grantId of repository.grantIds) {
        try {
          await asCaller.retireGrant({ KeyId: repository.encryption.kmsKey!, GrantId: grantId });
        } catch (error) {
          if (!(error instanceof KmsError)) throw error;
          failed.push(grantId);
        }
      }
      const response: T.DeleteRepositoryResponse = { repository: toRepository(repository) };
      if (failed.length > 0) {
        const kmsKey = repository.encryption.kmsKey!;
        response.kmsGrantsNotRetired = { kmsKey, grantIds: failed, message: `The repository [${repository.repositoryName}] has been deleted successfully but the grants created by the kmsKey [${kmsKey}] failed to be retired` };
      }
      return response;
    },
    async initiateLayerUpload(req) {
      const repository = await repositoryOf(req?.repositoryName);
      const uploadId = crypto.randomUUID();
      await store.commit([{ store: 'uploads', value: { uploadId, repositoryName: repository.repositoryName, parts: [], received: 0 } satisfies UploadRecord }]);
      return { uploadId, partSize: PART_SIZE };
    },
    async uploadLayerPart(req) {
      const repository = await repositoryOf(req?.repositoryName);
      const upload = await store.get<UploadRecord>('uploads', String(req.uploadId));
      if (!upload || upload.repositoryName !== repository.repositoryName) throw ecrError('UploadNotFoundException', `The upload with id '${String(req.uploadId)}' was not found.`);
      if (!(req.layerPartBlob instanceof Uint8Array)) throw new TypeError('layerPartBlob must be a Uint8Array');
      if (req.partFirstByte !== upload.received || req.partLastByte !== upload.received + req.layerPartBlob.length - 1) {
        throw ecrError('InvalidLayerPartException', `Parts must be uploaded in order: the next part starts at byte ${upload.received} and ends at its last byte.`);
      }
      const received = upload.received + req.layerPartBlob.length;
      await store.commit([{ store: 'uploads', value: { ...upload, parts: [...upload.parts, new Uint8Array(req.layerPartBlob)], received } }]);
      return { registryId: account, repositoryName: repository.repositoryName, uploadId: upload.uploadId, lastByteReceived: received - 1 };
    },
    async completeLayerUpload(req) {
      const repository = await repositoryOf(req?.repositoryName);
      const upload = await store.get<UploadRecord>('uploads', String(req.uploadId));
      if (!upload || upload.repositoryName !== repository.repositoryName) throw ecrError('UploadNotFoundException', `The upload with id '${String(req.uploadId)}' was not found.`);
      if (upload.received === 0) throw ecrError('EmptyUploadException', 'The specified layer upload does not contain any layer parts.');
      const bytes = new Uint8Array(upload.received);
      let offset = 0;
      for (const part of upload.parts) {
        bytes.set(part, offset);
        offset += part.length;
      }
      const digest = await sha256Digest(bytes);
      if (req.layerDigests?.[0] !== digest) throw ecrError('InvalidLayerException', `The layer digest calculated for the upload (${digest}) did not match the layer digest supplied.`);
      if (await store.get('layers', `${repository.repositoryName}#${digest}`)) throw ecrError('LayerAlreadyExistsException', `The layer ${digest} already exists in the repository.`);
      const blob = await seal(repository, location('layer', repository.repositoryName, digest), bytes);
      await store.commit([
        { store: 'layers', value: { id: `${repository.repositoryName}#${digest}`, repositoryName: repository.repositoryName, digest, size: bytes.length, blob } satisfies LayerRecord },
        { store: 'uploads', delete: upload.uploadId },
      ]);
      return { registryId: account, repositoryName: repository.repositoryName, uploadId: upload.uploadId, layerDigest: digest };
    },
    async putImage(req) {
      const repository = await repositoryOf(req?.repositoryName);
      if (typeof req.imageManifest !== 'string') throw ecrError('InvalidParameterException', 'imageManifest must be a string.');
      let manifest: { layers?: { digest?: string }[]; mediaType?: string };
      try {
        manifest = JSON.parse(req.imageManifest);
      } catch {
        throw ecrError('InvalidParameterException', 'imageManifest must be a JSON image manifest.');
      }
      const digest = await sha256Digest(utf8(req.imageManifest));
      if (req.imageDigest !== undefined && req.imageDigest !== digest) throw ecrError('ReferencedImagesNotFoundException', 'The image digest does not match the manifest.');
      const missing = (manifest.layers ?? []).map((l) => l.digest).filter((d): d is string => typeof d === 'string');
      for (const layerDigest of missing) {
        if (!(await store.get('layers', `${repository.repositoryName}#${layerDigest}`))) throw ecrError('LayersNotFoundException', `The image layer ${layerDigest} does not exist in the repository.`);
      }
      const existing = await findImage(repository.repositoryName, { imageDigest: digest });
      const tagged = req.imageTag === undefined ? undefined : await findImage(repository.repositoryName, { imageTag: req.imageTag });
      if (existing && req.imageTag !== undefined && existing.tags.includes(req.imageTag)) {
        throw ecrError('ImageAlreadyExistsException', `Image with digest '${digest}' and tag '${req.imageTag}' already exists in the repository.`);
      }
      if (tagged && tagged.imageDigest !== digest && repository.imageTagMutability === 'IMMUTABLE') throw ecrError('ImageTagAlreadyExistsException', `The image tag '${req.imageTag}' already exists and cannot be overwritten because the repository is immutable.`);
      const mediaType = req.imageManifestMediaType ?? manifest.mediaType ?? 'application/vnd.docker.distribution.manifest.v2+json';
      const sealed = existing?.manifest ?? (await seal(repository, location('manifest', repository.repositoryName, digest), utf8(req.imageManifest)));
      const writes: { store: string; value: object }[] = [];
      if (tagged && tagged.imageDigest !== digest) writes.push({ store: 'images', value: { ...tagged, tags: tagged.tags.filter((t) => t !== req.imageTag) } });
      const tags = [...(existing?.tags ?? []), ...(req.imageTag !== undefined ? [req.imageTag] : [])];
      writes.push({ store: 'images', value: { id: `${repository.repositoryName}#${digest}`, repositoryName: repository.repositoryName, imageDigest: digest, tags, mediaType, manifest: sealed, pushedAt: kms.now() } satisfies ImageRecord });
      await store.commit(writes);
      return { image: { registryId: account, repositoryName: repository.repositoryName, imageId: { imageDigest: digest, ...(req.imageTag !== undefined ? { imageTag: req.imageTag } : {}) }, imageManifest: req.imageManifest, imageManifestMediaType: mediaType } };
    },
    async batchGetImage(req) {
      const repository = await repositoryOf(req?.repositoryName);
      const images: T.Image[] = [];
      const failures: T.ImageFailure[] = [];
      for (const imageId of req.imageIds ?? []) {
        if (imageId.imageDigest === undefined && imageId.imageTag === undefined) {
          failures.push({ imageId, failureCode: 'MissingDigestAndTag', failureReason: 'Invalid request parameters: both tag and digest cannot be null' });
          continue;
        }
        const found = await findImage(repository.repositoryName, imageId);
        if (!found) {
          failures.push({ imageId, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' });
          continue;
        }
        const manifest = new TextDecoder().decode(await unseal(found.manifest, location('manifest', repository.repositoryName, found.imageDigest)));
        images.push({ registryId: account, repositoryName: repository.repositoryName, imageId: { imageDigest: found.imageDigest, ...(imageId.imageTag !== undefined ? { imageTag: imageId.imageTag } : {}) }, imageManifest: manifest, imageManifestMediaType: found.mediaType });
      }
      return { images, failures };
    },
    async listImages(req) {
      const repository = await repositoryOf(req?.repositoryName);
      const status = req.filter?.tagStatus ?? 'ANY';
      const ids: T.ImageIdentifier[] = [];
      for (const image of await store.byIndex<ImageRecord>('images', 'repositoryName', repository.repositoryName)) {
        if (image.tags.length === 0 && status !== 'TAGGED') ids.push({ imageDigest: image.imageDigest });
        if (status !== 'UNTAGGED') for (const tag of image.tags) ids.push({ imageDigest: image.imageDigest, imageTag: tag });
      }
      return { imageIds: ids };
    },
    async batchDeleteImage(req) {
      const repository = await repositoryOf(req?.repositoryName);
      const imageIds: T.ImageIdentifier[] = [];
      const failures: T.ImageFailure[] = [];
      for (const imageId of req.imageIds ?? []) {
        const found = await findImage(repository.repositoryName, imageId);
        if (!found) {
          failures.push({ imageId, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' });
          continue;
        }
        const remaining = imageId.imageTag !== undefined && imageId.imageDigest === undefined ? found.tags.filter((t) => t !== imageId.imageTag) : [];
        await store.commit([remaining.length > 0 ? { store: 'images', value: { ...found, tags: remaining } } : { store: 'images', delete: found.id }]);
        imageIds.push({ imageDigest: found.imageDigest, ...(imageId.imageTag !== undefined ? { imageTag: imageId.imageTag } : {}) });
      }
      return { imageIds, failures };
    },
    async getDownloadUrlForLayer(req) {
      const repository = await repositoryOf(req?.repositoryName);
      const layer = await store.get<LayerRecord>('layers', `${repository.repositoryName}#${String(req.layerDigest)}`);
      if (!layer) throw ecrError('LayersNotFoundException', `The image layer ${String(req.layerDigest)} does not exist in the repository.`);
      const bytes = await unseal(layer.blob, location('layer', repository.repositoryName, layer.digest));
      return { downloadUrl: `data:application/octet-stream;base64,${toBase64(bytes)}`, layerDigest: layer.digest, layerBlob: bytes };
    },
  } satisfies EcrClient);
}

