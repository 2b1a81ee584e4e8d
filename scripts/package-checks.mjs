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

await check('envelope-kit/kms resolves', async () => {
  const kms = await import('envelope-kit/kms');
  assert(kms.VERSION === pkg.version, 'kms VERSION ' + kms.VERSION + ' != ' + pkg.version);
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
