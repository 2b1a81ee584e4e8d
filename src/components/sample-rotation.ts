/**
 * A rotation function for demonstrations, written as AWS's single-user rotation templates are
 * ("Lambda rotation function templates"): createSecret puts a new random password as AWSPENDING,
 * setSecret and testSecret would change and check the database (there is none here), finishSecret
 * moves AWSCURRENT to the new version. `<ek-secrets>` registers it with the kit.
 */
import type { RotationEvent, SecretsManagerClient } from '../services/secrets-manager/types.js';

/**
 * The Lambda ARN the sample is registered as in `account`'s `region`.
 *
 * @example
 * ```ts
 * sampleRotationArn('111122223333', 'us-east-1'); // 'arn:aws:lambda:us-east-1:111122223333:function:ek-sample-rotation'
 * ```
 */
export function sampleRotationArn(account: string, region: string): string {
  return `arn:aws:lambda:${region}:${account}:function:ek-sample-rotation`;
}

/**
 * The sample rotation function.
 *
 * @example
 * ```ts
 * await kit.registerRotationFunction(sampleRotationArn(kit.account, 'us-east-1'), sampleRotation);
 * await kit.secretsManager('us-east-1').rotateSecret({ SecretId: 'db', RotationLambdaARN: sampleRotationArn(kit.account, 'us-east-1') });
 * ```
 */
export async function sampleRotation(event: RotationEvent, client: SecretsManagerClient): Promise<void> {
  const { SecretId, ClientRequestToken, Step } = event;
  if (Step === 'createSecret') {
    const { RandomPassword } = await client.getRandomPassword({ PasswordLength: 24, ExcludeCharacters: '"\'\\/@' });
    await client.putSecretValue({ SecretId, ClientRequestToken, SecretString: RandomPassword, VersionStages: ['AWSPENDING'] });
  } else if (Step === 'testSecret') {
    // A real function would log in with the pending password; here it must at least be readable.
    await client.getSecretValue({ SecretId, VersionId: ClientRequestToken, VersionStage: 'AWSPENDING' });
  } else if (Step === 'finishSecret') {
    const current = await client.getSecretValue({ SecretId });
    if (current.VersionId === ClientRequestToken) return;
    await client.updateSecretVersionStage({ SecretId, VersionStage: 'AWSCURRENT', MoveToVersionId: ClientRequestToken, RemoveFromVersionId: current.VersionId });
  }
}
