// The checks scripts/package-test.mjs runs inside a throwaway consumer project, with the packed
// tarball installed: every import below resolves exactly as it would in a user's app, not through
// the repository's own files.
// Usage there: node package-checks.mjs <packed-files.json> <bare-imports.json>
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const packedFiles = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const require = createRequire(import.meta.url);
const pkgDir = dirname(require.resolve('envelope-kit/package.json'));
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));

const results = [];
async function check(name, fn) {
  try {
    await fn();
    results.push({ name, ok: true });
    console.log('  ok    ' + name);
  } catch (error) {
    results.push({ name, ok: false });
    console.log('  FAIL  ' + name + '\n        ' + (error?.stack ?? error).toString().split('\n').join('\n        '));
  }
}
function assert(condition, message) {
  if (!condition) throw new Error(message);
}
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

await check('envelope-kit/core: encrypt/decrypt round trip with a raw AES keyring', async () => {
  const { encrypt, decrypt, RawAesKeyring } = await import('envelope-kit/core');
  const keyring = new RawAesKeyring({ keyNamespace: 'ns', keyName: 'k', wrappingKey: new Uint8Array(32) });
  const plaintext = new TextEncoder().encode('hello from the packed tarball');
  const encryptionContext = { purpose: 'package-test' };
  const { ciphertext, header } = await encrypt(keyring, plaintext, { encryptionContext });
  assert(ciphertext instanceof Uint8Array && ciphertext.length > plaintext.length, 'ciphertext is not longer bytes');
  assert(header.encryptionContext.purpose === 'package-test', 'encrypt header lacks the context');
  assert(header.encryptedDataKeys[0]?.providerId === 'ns', 'EDK providerId is not the key namespace');
  const decrypted = await decrypt(keyring, ciphertext);
  assert(same([...decrypted.plaintext], [...plaintext]), 'decrypted plaintext differs');
  assert(decrypted.header.encryptionContext.purpose === 'package-test', 'decrypt header lacks the context');
});

await check('envelope-kit: re-exports the core with the same classes', async () => {
  const main = await import('envelope-kit');
  const core = await import('envelope-kit/core');
  assert(typeof main.encrypt === 'function', 'envelope-kit has no encrypt');
  // Shared chunks, not copies: instanceof must hold whichever entry the error came from.
  assert(main.EnvelopeError === core.EnvelopeError, 'EnvelopeError differs between entries');
  assert(main.VERSION === pkg.version, 'VERSION ' + main.VERSION + ' != package.json ' + pkg.version);
});

await check('envelope-kit/records: an item round trip through the hierarchical keyring, with a beacon', async () => {
  const { createItemEncryptor, StaticBranchKeyStore } = await import('envelope-kit/records');
  const { HierarchicalKeyring } = await import('envelope-kit/core');
  const branchKeyId = 'package-test';
  const keyStore = await StaticBranchKeyStore.create({
    branchKeyId,
    branchKeyVersion: '00000000-0000-4000-8000-000000000000',
    branchKey: new Uint8Array(32).fill(1),
    beaconKey: new Uint8Array(32).fill(2),
  });
  const encryptor = createItemEncryptor({
    tableName: 'Notes',
    partitionKeyName: 'id',
    attributeActionsOnEncrypt: { id: 'SIGN_ONLY', title: 'ENCRYPT_AND_SIGN' },
    keyring: new HierarchicalKeyring({ keyStore, branchKeyId, ttlSeconds: 60 }),
    search: { writeVersion: 1, versions: [{ version: 1, keyStore, keySource: { single: { keyIdentifier: branchKeyId, cacheTTL: 60 } }, standardBeacons: [{ name: 'title', length: 16 }] }] },
  });
  const { encryptedItem } = await encryptor.encryptItem({ id: { S: '1' }, title: { S: 'hello' } });
  assert(encryptedItem.title.B instanceof Uint8Array, 'title is not encrypted');
  assert(encryptedItem.aws_dbe_head.B[0] === 1, 'no version 1 header');
  assert(encryptedItem.aws_dbe_b_title.S === (await encryptor.beacon('title', 'hello')), 'beacon differs');
  const { plaintextItem } = await encryptor.decryptItem(encryptedItem);
  assert(plaintextItem.title.S === 'hello', 'decrypted title differs');
});

await check('envelope-kit/kms resolves', async () => {
  const kms = await import('envelope-kit/kms');
  assert(kms.VERSION === pkg.version, 'kms VERSION ' + kms.VERSION + ' != ' + pkg.version);
});

await check('envelope-kit/services: a secret and a SecureString round trip over envelope-kit/kms in memory', async () => {
  const { createKms } = await import('envelope-kit/kms');
  const { createServices, ServiceError } = await import('envelope-kit/services');
  const kms = await createKms({ storage: 'memory' });
  const services = await createServices({ kms });
  const sm = services.secretsManager('us-east-1');
  await sm.createSecret({ Name: 'package-test', SecretString: 'from the tarball' });
  assert((await sm.getSecretValue({ SecretId: 'package-test' })).SecretString === 'from the tarball', 'secret did not round-trip');
  const ssm = services.ssm('us-east-1');
  await ssm.putParameter({ Name: '/package/test', Value: 'secure', Type: 'SecureString' });
  assert((await ssm.getParameter({ Name: '/package/test', WithDecryption: true })).Parameter.Value === 'secure', 'SecureString did not round-trip');
  const error = await sm.getSecretValue({ SecretId: 'missing' }).catch((e) => e);
  assert(error instanceof ServiceError && error.name === 'ResourceNotFoundException', 'missing secret is not a ResourceNotFoundException');
  services.close();
  await kms.close();
});

await check('envelope-kit/services: an SSE-KMS object and a KMS repository over envelope-kit/kms in memory', async () => {
  const { createKms } = await import('envelope-kit/kms');
  const { createServices, S3ServiceException } = await import('envelope-kit/services');
  const kms = await createKms({ storage: 'memory' });
  const services = await createServices({ kms });
  const s3 = services.s3('us-east-1');
  await s3.createBucket({ Bucket: 'package-test' });
  const put = await s3.putObject({ Bucket: 'package-test', Key: 'k', Body: 'from the tarball', ServerSideEncryption: 'aws:kms', BucketKeyEnabled: true });
  assert(put.BucketKeyEnabled === true && put.SSEKMSKeyId.startsWith('arn:aws:kms:us-east-1:'), 'SSE-KMS with a Bucket Key was not reported');
  assert((await (await s3.getObject({ Bucket: 'package-test', Key: 'k' })).Body.transformToString()) === 'from the tarball', 'object did not round-trip');
  const error = await s3.getObject({ Bucket: 'package-test', Key: 'missing' }).catch((e) => e);
  assert(error instanceof S3ServiceException && error.name === 'NoSuchKey', 'missing object is not NoSuchKey');
  const { repository } = await services.ecr('us-east-1').createRepository({ repositoryName: 'package-test', encryptionConfiguration: { encryptionType: 'KMS' } });
  assert(repository.encryptionConfiguration.kmsKey, 'the repository has no KMS key');
  services.close();
  await kms.close();
});

// The components are main-thread browser code (Lit needs HTMLElement when it loads), so plain Node
// only resolves the entry and looks at what it defines; the browser suites and the demo's
// end-to-end test load and drive them.
await check('envelope-kit/components resolves to a module that defines the <ek-*> elements', () => {
  const file = new URL(import.meta.resolve('envelope-kit/components'));
  const text = readFileSync(file, 'utf8');
  const imported = [...text.matchAll(/from\s*["'](\.[^"']+)["']/g)].map((m) => readFileSync(new URL(m[1], file), 'utf8'));
  const all = [text, ...imported].join('\n');
  for (const tag of ['ek-kit', 'ek-key-manager', 'ek-encrypt', 'ek-decrypt', 'ek-regions', 'ek-audit-log']) {
    assert(all.includes(tag), 'components bundle does not mention <' + tag + '>');
  }
});

await check('every exports entry has its JavaScript and .d.ts file', () => {
  for (const [entry, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'string') {
      assert(existsSync(join(pkgDir, target)), entry + ': missing ' + target);
      continue;
    }
    for (const condition of ['types', 'default']) {
      assert(target[condition], entry + ': no "' + condition + '" condition');
      assert(existsSync(join(pkgDir, target[condition])), entry + ': missing ' + target[condition]);
    }
  }
});

await check('the tarball holds the build only (no sources, tests or configs)', () => {
  const stray = packedFiles.filter((f) => !f.startsWith('dist/lib/') && !f.startsWith('dist/cdn/') && !['package.json', 'README.md', 'LICENSE'].includes(f));
  assert(stray.length === 0, 'unexpected files: ' + stray.slice(0, 10).join(', '));
  assert(!packedFiles.some((f) => f.startsWith('dist/lib/types/demo/')), 'the demo types were packed');
});

// Both found by package-test.mjs with esbuild's parser, which the consumer project does not have.
const bare = JSON.parse(readFileSync(process.argv[3], 'utf8'));

await check('dist/cdn has no bare imports (loads in a browser without an import map)', () => {
  assert(packedFiles.includes('dist/cdn/index.js') && packedFiles.includes('dist/cdn/components.js'), 'dist/cdn is not in the tarball');
  assert(bare.cdn.length === 0, 'bare imports: ' + bare.cdn.slice(0, 10).join(', '));
});

await check("dist/lib's bare imports are exactly the declared dependencies (the app's bundler dedupes them)", () => {
  // 'lib/chunks/x.js: @noble/hashes/sha2.js' -> '@noble/hashes'
  const packageOf = (specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
  const imported = [...new Set(bare.lib.map((entry) => packageOf(entry.slice(entry.indexOf(': ') + 2))))].sort();
  const declared = Object.keys(pkg.dependencies ?? {}).sort();
  assert(same(imported, declared), 'imported ' + JSON.stringify(imported) + ', declared ' + JSON.stringify(declared));
  assert(packedFiles.includes('dist/lib/kit.worker.js'), 'the worker entry dist/lib/kit.worker.js is not in the tarball');
});

const failed = results.filter((r) => !r.ok).length;
console.log('package: ' + (results.length - failed) + ' passed, ' + failed + ' failed');
process.exit(failed === 0 ? 0 : 1);
