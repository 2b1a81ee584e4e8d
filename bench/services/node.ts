/**
 * The services' cost per call in Node over memory storage, audit log on (as the kit runs): how
 * many GetSecretValue / PutSecretValue / SecureString reads a second, and what each adds over
 * the KMS calls it makes (one GenerateDataKey per version, one Decrypt per read).
 */
import { createKms } from '../../src/kms/index.js';
import { createServices } from '../../src/services/index.js';

const BUDGET_MS = Number(process.env.BUDGET_MS ?? 1500);

async function rate(label: string, op: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 20; i++) await op(i);
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < BUDGET_MS) await op(n++);
  const perSecond = n / ((performance.now() - start) / 1000);
  console.log(`${label.padEnd(46)} ${Math.round(perSecond).toLocaleString('en-US').padStart(7)} /s`);
  return perSecond;
}

const kms = await createKms({ storage: 'memory' });
const services = await createServices({ kms });
const sm = services.secretsManager('us-east-1');
const ssm = services.ssm('us-east-1');
const kmsClient = kms.region('us-east-1');
const { KeyMetadata } = await kmsClient.createKey({});

await sm.createSecret({ Name: 'bench', SecretString: 'x'.repeat(256) });
await ssm.putParameter({ Name: '/bench/std', Value: 'y'.repeat(256), Type: 'SecureString' });
await ssm.putParameter({ Name: '/bench/adv', Value: 'y'.repeat(256), Type: 'SecureString', Tier: 'Advanced' });
const blob = (await kmsClient.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext: new Uint8Array(32) })).CiphertextBlob;

console.log(`services bench (Node ${process.version}, memory storage, audit on, ${BUDGET_MS} ms per cell)`);
await rate('KMS Decrypt (the floor of a read)', () => kmsClient.decrypt({ CiphertextBlob: blob }));
await rate('GetSecretValue (256 B)', () => sm.getSecretValue({ SecretId: 'bench' }));
await rate('PutSecretValue (256 B, new version)', (i) => sm.putSecretValue({ SecretId: 'bench', SecretString: `v${i}` }));
await rate('GetParameter SecureString Standard', () => ssm.getParameter({ Name: '/bench/std', WithDecryption: true }));
await rate('GetParameter SecureString Advanced (ESDK)', () => ssm.getParameter({ Name: '/bench/adv', WithDecryption: true }));
services.close();
await kms.close();
