/**
 * The page scripts/cross-browser-backup.mjs loads in each engine (bundled with esbuild, the kit's
 * worker beside it): `ekProduce()` fills a kit and backs it up, `ekConsume(made)` restores another
 * engine's backup into a fresh kit and decrypts every message made before it. Both return plain
 * JSON (bytes as base64), which is what WebDriver and the DevTools protocol carry back to Node.
 */
import { createKit, fromBase64, toBase64, type Kit } from '../../src/index.js';
import { deleteKmsStorage } from '../../src/kms/index.js';

const REGIONS = ['us-east-1', 'eu-west-1'];
const PASSPHRASE = 'cross-browser backups open anywhere';

/** What one engine made: its backup, and messages with the plaintexts they must decrypt to. */
export interface Produced {
  readonly engine: string;
  readonly backup: string;
  readonly messages: { readonly ciphertext: string; readonly plaintext: string; readonly context: Record<string, string>; readonly region?: string }[];
  readonly records: { readonly ciphertext: string; readonly plaintext: string }[];
}

export interface Consumed {
  readonly keys: number;
  readonly branchKeys: number;
  readonly decrypted: string[];
  readonly records: string[];
  readonly auditOk: boolean;
  readonly wrongPassphrase: string;
}

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

async function withKit<T>(body: (kit: Kit) => Promise<T>): Promise<T> {
  const name = `ek-cross-${crypto.randomUUID()}`;
  const kit = await createKit({ name, regions: REGIONS, worker: new Worker('./kit.worker.js', { type: 'module' }) });
  try {
    return await body(kit);
  } finally {
    await kit.close();
    await deleteKmsStorage({ storage: 'indexeddb', name, regions: REGIONS });
  }
}

async function produce(engine: string): Promise<Produced> {
  return withKit(async (kit) => {
    const east = kit.kms('us-east-1');
    const key = (await east.createKey({ Description: `made in ${engine}` })).KeyMetadata;
    await east.createAlias({ AliasName: 'alias/notes', TargetKeyId: key.KeyId });
    const messages: Produced['messages'][number][] = [];
    const add = async (plaintext: string, keyId: string, context: Record<string, string>, region?: string) => {
      const ciphertext = (await kit.encrypt(plaintext, { keyId, encryptionContext: context, ...(region ? { region } : {}) })).ciphertext;
      messages.push({ ciphertext: toBase64(ciphertext), plaintext, context, ...(region ? { region } : {}) });
    };
    await add(`a note from ${engine}`, 'alias/notes', { engine });
    await east.rotateKeyOnDemand({ KeyId: key.KeyId });
    await add(`after rotation in ${engine}`, key.Arn, {});
    const mrk = (await east.createKey({ MultiRegion: true })).KeyMetadata;
    await east.replicateKey({ KeyId: mrk.KeyId, ReplicaRegion: 'eu-west-1' });
    await add(`multi-Region from ${engine}`, mrk.Arn, {}, 'eu-west-1');
    const hmac = (await east.createKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyMetadata;
    await east.generateMac({ KeyId: hmac.KeyId, Message: text('m'), MacAlgorithm: 'HMAC_SHA_256' });
    const branchKeyId = await kit.createBranchKey({ keyId: key.Arn });
    const plaintexts = [`record 1 of ${engine}`, `record 2 of ${engine}`];
    const sealed = await kit.encryptMany(plaintexts.map(text), { branchKeyId, encryptionContext: {} });
    const backup = new Uint8Array(await (await kit.backup({ passphrase: PASSPHRASE })).arrayBuffer());
    return { engine, backup: toBase64(backup), messages, records: sealed.map((c, i) => ({ ciphertext: toBase64(c), plaintext: plaintexts[i]! })) };
  });
}

async function consume(made: Produced): Promise<Consumed> {
  return withKit(async (kit) => {
    const file = fromBase64(made.backup)!;
    const wrong = await kit.restore(file, { passphrase: 'not it' }).then(
      () => 'restored',
      (error: { code?: string }) => String(error.code),
    );
    const summary = await kit.restore(new Blob([file]), { passphrase: PASSPHRASE });
    const decrypted: string[] = [];
    for (const m of made.messages) {
      const { plaintext } = await kit.decrypt(fromBase64(m.ciphertext)!, { encryptionContext: m.context, ...(m.region ? { region: m.region } : {}) });
      decrypted.push(str(plaintext));
    }
    const results = await kit.decryptMany(made.records.map((r) => fromBase64(r.ciphertext)!));
    const records = results.map((r) => ('plaintext' in r ? str(r.plaintext) : `error ${r.error.code}`));
    const auditOk = (await kit.audit.verify()).ok;
    return { keys: summary.keys, branchKeys: summary.branchKeys, decrypted, records, auditOk, wrongPassphrase: wrong };
  });
}

Object.assign(globalThis, { ekProduce: produce, ekConsume: consume });
