/**
 * Shared setup of the services tests: a KMS on memory storage with a settable clock, the services
 * over it, and the principals the tests call as.
 */
import { createKms, type Kms } from '../../src/kms/index.js';
import { createServices, type Services } from '../../src/services/index.js';
import { T0 } from '../kms/helpers.js';

export { rejects, T0, DAY } from '../kms/helpers.js';

export const ACCOUNT = '111122223333';
export const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
export const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;

export interface TestServices {
  kms: Kms;
  services: Services;
  clock: { t: number };
  close(): Promise<void>;
}

export async function testServices(name?: string): Promise<TestServices> {
  const clock = { t: T0 };
  const kms = await createKms({ storage: 'memory', now: () => clock.t, ...(name ? { name } : {}) });
  const services = await createServices({ kms });
  return {
    kms,
    services,
    clock,
    async close() {
      services.close();
      await kms.close();
    },
  };
}

/** A key policy: the account may do everything directly, and `statements` are added. */
export function keyPolicy(...statements: object[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'root', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' }, ...statements],
  });
}
