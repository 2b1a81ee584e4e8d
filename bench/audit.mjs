#!/usr/bin/env node
// Audit-log micro-benchmark (Node, memory storage). Not a test: it prints figures and exits 0.
//   node bench/audit.mjs [--quick]
//
// 1. Append throughput: records/s for one region with callers appending one at a time, and with
//    64 and 1024 appends in flight (group commit: many records per transaction).
// 2. The cost of auditing to the KMS: GenerateDataKey and Encrypt calls per second on the
//    simulated KMS (memory storage) created with `audit: false`, and with its audit log on (every
//    call's record stored before the call returns), at 1, 16 and 256 calls in flight. Runs
//    alternate (plain, audited, plain, audited, ...) so that a busy machine penalizes both alike;
//    the best run of each is reported, with the process CPU time per call (all threads, so the
//    crypto thread pool counts), which other processes on the machine disturb less than wall time.
//    Skipped, with the reason, when src/kms does not build.
//
// Source is bundled with esbuild into a temporary folder (nothing is written to the repository).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const QUICK = process.argv.includes('--quick');
const root = fileURLToPath(new URL('..', import.meta.url));
const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

/** Bundles `entry` and imports it; resolves to the module, or to the build error. */
async function load(out, name, entry) {
  try {
    await esbuild.build({ entryPoints: { [name]: join(root, entry) }, bundle: true, format: 'esm', platform: 'node', outdir: out, logLevel: 'silent' });
  } catch (error) {
    return { error };
  }
  return { module: await import(join(out, `${name}.js`)) };
}

/** Runs `total` calls of `fn` with `inFlight` callers; returns calls per second. */
async function rate(total, inFlight, fn) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < total) await fn(next++);
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

const fmt = (n) => Math.round(n).toLocaleString('en-US').padStart(7);

async function appendThroughput({ AuditLog, MemoryAuditStorage, buildAuditEvent }) {
  console.log('1. append throughput, one region');
  const event = (i) =>
    buildAuditEvent({
      eventName: 'GenerateDataKey',
      region: REGION,
      account: ACCOUNT,
      time: Date.now(),
      principal: `arn:aws:iam::${ACCOUNT}:user/alice`,
      request: { KeyId: KEY_ARN, KeySpec: 'AES_256', EncryptionContext: { tenant: `t-${i % 10}`, purpose: 'bench' } },
      response: { KeyId: KEY_ARN, KeyMaterialId: 'ab'.repeat(32), Plaintext: new Uint8Array(32), CiphertextBlob: new Uint8Array(184) },
      resources: [KEY_ARN],
    });
  const N = QUICK ? 2000 : 20000;
  for (const inFlight of [1, 64, 1024]) {
    const audit = await AuditLog.open({ storage: new MemoryAuditStorage(), account: ACCOUNT, regions: [REGION] });
    const events = Array.from({ length: N }, (_, i) => event(i));
    const perSecond = await rate(N, inFlight, (i) => audit.append(REGION, events[i]));
    const { commits } = audit.stats(REGION);
    const verified = await audit.verify();
    console.log(`   ${String(inFlight).padStart(4)} in flight: ${fmt(perSecond)} records/s   ${commits} transactions for ${N} records   verify: ${verified.ok ? 'ok' : 'BROKEN'}`);
    await audit.close();
  }
}

async function kmsCost({ createKms }) {
  // Two Kms instances, identical but for the audit log: `audit: false` is the baseline; the other
  // records every call through the KMS's own seam (src/kms/audit/recording.ts -> AuditLog.record),
  // awaited before each call returns.
  const instances = { plain: await createKms({ storage: 'memory', audit: false }), audited: await createKms({ storage: 'memory' }) };
  const setups = {};
  for (const [label, kms] of Object.entries(instances)) {
    const client = kms.region(REGION);
    const { KeyMetadata } = await client.createKey({});
    const KeyId = KeyMetadata.KeyId;
    setups[label] = {
      GenerateDataKey: () => client.generateDataKey({ KeyId, KeySpec: 'AES_256', EncryptionContext: { purpose: 'bench' } }),
      Encrypt: () => client.encrypt({ KeyId, Plaintext: new Uint8Array(32), EncryptionContext: { purpose: 'bench' } }),
    };
  }
  const CALLS = QUICK ? 2000 : 10000;
  const ROUNDS = QUICK ? 1 : 3;
  for (const op of ['GenerateDataKey', 'Encrypt']) {
    for (const inFlight of [1, 16, 256]) {
      const best = { plain: 0, audited: 0 };
      const cpu = { plain: Infinity, audited: Infinity };
      for (let round = 0; round < ROUNDS; round++) {
        for (const label of ['plain', 'audited']) {
          const before = process.cpuUsage();
          best[label] = Math.max(best[label], await rate(CALLS, inFlight, setups[label][op]));
          const used = process.cpuUsage(before);
          cpu[label] = Math.min(cpu[label], (used.user + used.system) / CALLS);
        }
      }
      console.log(
        `   ${op.padEnd(16)} ${String(inFlight).padStart(3)} in flight: ${fmt(best.plain)}/s plain, ${fmt(best.audited)}/s audited (${Math.round((best.audited / best.plain) * 100)}%);` +
          `  CPU per call ${cpu.plain.toFixed(0)} µs plain, ${cpu.audited.toFixed(0)} µs audited`,
      );
    }
  }
  const check = await instances.audited.audit.verify();
  console.log(`\n   the audited Kms's log after the runs: ${check.checked} records, ${check.digests} digests, verify ${check.ok ? 'ok' : 'BROKEN'}`);
  for (const kms of Object.values(instances)) kms.close();
}

// The simulated KMS is being built in this tree; a failure inside it must not hide part 1.
process.on('unhandledRejection', (error) => console.log(`   (the simulated KMS raised ${error?.message ?? error})`));
const out = mkdtempSync(join(tmpdir(), 'envelope-kit-audit-bench-'));
try {
  console.log(`audit bench (Node ${process.version}, memory storage${QUICK ? ', --quick' : ''})\n`);
  const audit = await load(out, 'audit', 'src/kms/audit/index.ts');
  if (audit.error) throw audit.error;
  await appendThroughput(audit.module);
  console.log('\n2. KMS calls per second, without and with auditing (best of alternating runs)');
  // The KMS is bundled separately: part 1 needs only the audit log.
  const kms = await load(out, 'kms', 'src/kms/index.ts');
  if (kms.error) console.log(`   skipped: src/kms/index.ts does not build (${kms.error.errors?.[0]?.text ?? kms.error.message})`);
  else await kmsCost(kms.module).catch((error) => console.log(`   skipped: the simulated KMS failed (${error?.message ?? error}); it is being worked on in this tree`));
} finally {
  rmSync(out, { recursive: true, force: true });
}
