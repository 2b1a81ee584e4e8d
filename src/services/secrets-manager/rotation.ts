/**
 * Rotation (user guide, "Rotate AWS Secrets Manager secrets", "How rotation works"; API
 * reference, RotateSecret and CancelRotateSecret). A rotation function registered with
 * `services.registerRotationFunction(arn, fn)` stands in for the rotation Lambda named by
 * `RotationLambdaARN`. A rotation:
 *
 * 1. refuses to start while a previous one is unfinished: an AWSPENDING label on a version other
 *    than AWSCURRENT's ("any later invocation of RotateSecret assumes that a previous rotation
 *    request is still in progress and returns an error");
 * 2. creates the new version with AWSPENDING and no value (its id is ClientRequestToken);
 * 3. calls the function for createSecret, setSecret, testSecret and finishSecret, in order, with
 *    `{ SecretId, ClientRequestToken, Step }` and the Region's Secrets Manager client;
 * 4. once finishSecret has moved AWSCURRENT to the new version, removes AWSPENDING from it and
 *    records LastRotatedDate.
 *
 * A step that throws leaves the secret as it is (AWSPENDING on the new version), which is what
 * makes the next RotateSecret fail until someone cleans up. As in AWS, RotateSecret itself
 * succeeds: the rotation runs after the request is accepted (here: before the call returns, so its
 * effects are visible at once); the failure shows in the labels. `RotateImmediately: false` runs
 * only testSecret against a temporary AWSPENDING version, then removes it, and leaves the rotation
 * to the schedule, which `services.tick()` runs by the injected clock.
 */
import { mutate } from '../storage/store.js';
import { smError, type SmContext } from './context.js';
import type { RotationRecord, SecretRecord } from './schema.js';
import { checkRules, nextRotationDate } from './schedule.js';
import type { CancelRotateSecretResponse, RotateSecretResponse, RotationEvent } from './types.js';
import { attachLabel, AWSCURRENT, AWSPENDING, detachLabel, versionWithStage } from './versions.js';
import { readToken } from './values.js';
import { syncReplicas } from './replication.js';

const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;

/** The unfinished-rotation check of RotateSecret. */
function requireNoRotationInProgress(secret: SecretRecord): void {
  const pending = versionWithStage(secret, AWSPENDING);
  if (pending && !pending.Stages.includes(AWSCURRENT)) {
    throw smError('InvalidRequestException', `A previous rotation isn't complete. That rotation will be reattempted. (Version ${pending.VersionId} still has AWSPENDING: finish it, or remove the label with UpdateSecretVersionStage.)`);
  }
}

/** RotateSecret (API reference, "RotateSecret"). */
export async function rotateSecret(ctx: SmContext, req: Record<string, unknown>): Promise<RotateSecretResponse> {
  const secretId = ctx.read.string(req.SecretId, 'SecretId');
  const token = readToken(ctx, req.ClientRequestToken) ?? crypto.randomUUID();
  const lambda = ctx.read.optionalString(req.RotationLambdaARN, 'RotationLambdaARN', 1, 2048);
  const rules = req.RotationRules === undefined ? undefined : checkRules(req.RotationRules);
  const immediately = ctx.read.optionalBoolean(req.RotateImmediately, 'RotateImmediately') ?? true;

  const secret = await mutate(ctx.store, async () => {
    const current = await ctx.find(secretId);
    ctx.requireLive(current);
    ctx.requirePrimary(current);
    const LambdaARN = lambda ?? current.rotation?.LambdaARN;
    if (LambdaARN === undefined) throw smError('InvalidRequestException', 'No Lambda rotation function ARN is associated with this secret: pass RotationLambdaARN.');
    if (!ctx.env.rotationFunctions.has(LambdaARN)) {
      throw smError('InvalidRequestException', `Secrets Manager cannot invoke the rotation function ${LambdaARN}: register it with services.registerRotationFunction.`);
    }
    requireNoRotationInProgress(current);
    if (immediately && !versionWithStage(current, AWSCURRENT)) throw smError('InvalidRequestException', 'The secret has no AWSCURRENT version to rotate; put a value first.');
    const Rules = rules ?? current.rotation?.Rules;
    const now = ctx.now();
    const base = current.rotation?.LastRotatedDate ?? now;
    const next = Rules ? nextRotationDate(Rules, immediately ? now : base) : undefined;
    const rotation: RotationRecord = {
      ...current.rotation,
      Enabled: true,
      LambdaARN,
      ...(Rules ? { Rules } : {}),
      ...(next !== undefined ? { NextRotationDate: next } : {}),
    };
    const record: SecretRecord = { ...current, version: current.version + 1, rotation, LastChangedDate: now };
    return { writes: [{ store: 'secrets' as const, id: current.id, expect: current.version, value: record }], result: record };
  });
  if (immediately) {
    await runRotation(ctx, secret, token);
    return { ARN: secret.ARN, Name: secret.Name, VersionId: token };
  }
  await testOnly(ctx, secret, token);
  return { ARN: secret.ARN, Name: secret.Name };
}

/** Adds the empty AWSPENDING version `token`. */
async function createPending(ctx: SmContext, name: string, token: string): Promise<SecretRecord> {
  return mutate(ctx.store, async () => {
    const current = await ctx.find(name);
    if (current.Versions.some((v) => v.VersionId === token)) throw smError('ResourceExistsException', `A version with the ClientRequestToken ${token} already exists.`);
    const Versions = attachLabel([...current.Versions, { VersionId: token, Stages: [], CreatedDate: ctx.now() }], AWSPENDING, token);
    const record: SecretRecord = { ...current, version: current.version + 1, Versions };
    return { writes: [{ store: 'secrets' as const, id: current.id, expect: current.version, value: record }], result: record };
  });
}

async function callStep(ctx: SmContext, secret: SecretRecord, token: string, step: RotationEvent['Step']): Promise<void> {
  const fn = ctx.env.rotationFunctions.get(secret.rotation!.LambdaARN!)!;
  await fn({ SecretId: secret.ARN, ClientRequestToken: token, Step: step }, ctx.env.client(ctx.region, ctx.principal));
}

/** Runs the four steps; returns whether the rotation finished. */
export async function runRotation(ctx: SmContext, secret: SecretRecord, token: string): Promise<boolean> {
  await createPending(ctx, secret.Name, token);
  try {
    for (const step of STEPS) await callStep(ctx, secret, token, step);
  } catch {
    // The rotation failed at this step; AWSPENDING stays where it is, as in AWS.
    return false;
  }
  const finished = await mutate(ctx.store, async () => {
    const current = await ctx.find(secret.Name);
    const finished = versionWithStage(current, AWSCURRENT)?.VersionId === token;
    if (!finished) return { writes: [], result: false };
    const now = ctx.now();
    const rules = current.rotation?.Rules;
    const next = rules ? nextRotationDate(rules, now) : undefined;
    const rotation: RotationRecord = { ...current.rotation!, LastRotatedDate: now, ...(next !== undefined ? { NextRotationDate: next } : {}) };
    const record: SecretRecord = { ...current, version: current.version + 1, Versions: detachLabel(current.Versions, AWSPENDING, token), rotation, LastChangedDate: now };
    return { writes: [{ store: 'secrets' as const, id: current.id, expect: current.version, value: record }], result: true };
  });
  await syncReplicas(ctx, await ctx.find(secret.Name));
  return finished;
}

/** RotateImmediately false: testSecret against a temporary AWSPENDING version, then removed. */
async function testOnly(ctx: SmContext, secret: SecretRecord, token: string): Promise<void> {
  await createPending(ctx, secret.Name, token);
  try {
    await callStep(ctx, secret, token, 'testSecret');
  } catch {
    // The test failed; the schedule stands, as the configuration was accepted.
  } finally {
    await mutate(ctx.store, async () => {
      const current = await ctx.find(secret.Name);
      const record: SecretRecord = { ...current, version: current.version + 1, Versions: current.Versions.filter((v) => v.VersionId !== token) };
      return { writes: [{ store: 'secrets' as const, id: current.id, expect: current.version, value: record }], result: undefined };
    });
  }
}

/** CancelRotateSecret (API reference, "CancelRotateSecret"). */
export async function cancelRotateSecret(ctx: SmContext, req: Record<string, unknown>): Promise<CancelRotateSecretResponse> {
  const secretId = ctx.read.string(req.SecretId, 'SecretId');
  return mutate(ctx.store, async () => {
    const current = await ctx.find(secretId);
    ctx.requireLive(current);
    ctx.requirePrimary(current);
    if (!current.rotation?.Enabled) throw smError('InvalidRequestException', 'Rotation is not enabled for this secret.');
    const { NextRotationDate: _none, ...rest } = current.rotation;
    const pending = versionWithStage(current, AWSPENDING);
    // Cancelling leaves the labels as they are (API reference): the caller may need to clean up AWSPENDING.
    const record: SecretRecord = { ...current, version: current.version + 1, rotation: { ...rest, Enabled: false } };
    return {
      writes: [{ store: 'secrets' as const, id: current.id, expect: current.version, value: record }],
      result: { ARN: current.ARN, Name: current.Name, ...(pending && !pending.Stages.includes(AWSCURRENT) ? { VersionId: pending.VersionId } : {}) },
    };
  });
}

/** Runs every due scheduled rotation of this Region (services.tick), as the account root. */
export async function runDueRotations(ctx: SmContext): Promise<void> {
  const now = ctx.now();
  for (const secret of await ctx.store.all('secrets')) {
    const r = secret.rotation;
    if (!r?.Enabled || r.NextRotationDate === undefined || r.NextRotationDate > now || secret.deletion || secret.PrimaryRegion !== ctx.region) continue;
    if (!r.LambdaARN || !ctx.env.rotationFunctions.has(r.LambdaARN)) continue;
    try {
      requireNoRotationInProgress(secret);
    } catch {
      continue;
    }
    // Due now: move the schedule first so a failing rotation is not retried on every tick.
    const scheduled = await mutate(ctx.store, async () => {
      const current = await ctx.find(secret.Name);
      const next = current.rotation?.Rules ? nextRotationDate(current.rotation.Rules, now) : undefined;
      const rotation: RotationRecord = { ...current.rotation!, ...(next !== undefined ? { NextRotationDate: next } : {}) };
      const record: SecretRecord = { ...current, version: current.version + 1, rotation };
      return { writes: [{ store: 'secrets' as const, id: current.id, expect: current.version, value: record }], result: record };
    });
    await runRotation(ctx, scheduled, crypto.randomUUID());
  }
}
