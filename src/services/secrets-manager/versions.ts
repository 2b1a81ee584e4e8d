/**
 * Versions and staging labels (user guide, "Secrets Manager concepts: secret versions";
 * API reference, PutSecretValue and UpdateSecretVersionStage):
 *
 * - a staging label is attached to at most one version of a secret at a time: attaching it to a
 *   version removes it from the one that had it;
 * - moving AWSCURRENT to a version moves AWSPREVIOUS to the version AWSCURRENT left;
 * - a version has at most 20 labels (quotas, "Staging labels attached to a version of a secret");
 * - a version without labels is deprecated; Secrets Manager keeps 100 versions and removes the
 *   oldest deprecated ones beyond that, but never a version created in the last 24 hours
 *   (PutSecretValue: "you can create more versions than Secrets Manager removes").
 */
import { SecretsManagerServiceException } from '../errors.js';
import type { SecretRecord, VersionRecord } from './schema.js';

/** The staging label of the current version. */
export const AWSCURRENT = 'AWSCURRENT';
/** The staging label of the version AWSCURRENT last left. */
export const AWSPREVIOUS = 'AWSPREVIOUS';
/** The staging label of the version a rotation is making. */
export const AWSPENDING = 'AWSPENDING';
/** Quotas: staging labels attached to one version. */
export const MAX_LABELS_PER_VERSION = 20;
/** Versions kept beyond those created in the last 24 hours. */
export const VERSIONS_KEPT = 100;
const DAY_MS = 86_400_000;

/** The version carrying `stage`, if any. */
export function versionWithStage(secret: SecretRecord, stage: string): VersionRecord | undefined {
  return secret.Versions.find((v) => v.Stages.includes(stage));
}

/**
 * `versions` with `label` attached to `targetId` and removed from wherever it was; AWSCURRENT's
 * move also moves AWSPREVIOUS to the version AWSCURRENT left.
 */
export function attachLabel(versions: readonly VersionRecord[], label: string, targetId: string): VersionRecord[] {
  const previousHolder = versions.find((v) => v.Stages.includes(label));
  if (previousHolder?.VersionId === targetId) return [...versions];
  let next = versions.map((v) => (v.Stages.includes(label) ? { ...v, Stages: v.Stages.filter((s) => s !== label) } : v));
  next = next.map((v) => (v.VersionId === targetId ? { ...v, Stages: [...v.Stages, label] } : v));
  if (label === AWSCURRENT && previousHolder) next = attachLabel(next, AWSPREVIOUS, previousHolder.VersionId);
  for (const v of next) {
    if (v.Stages.length > MAX_LABELS_PER_VERSION) {
      throw new SecretsManagerServiceException('LimitExceededException', `A secret version can have at most ${MAX_LABELS_PER_VERSION} staging labels; version ${v.VersionId} would have ${v.Stages.length}.`);
    }
  }
  return next;
}

/** `versions` with `label` removed from `versionId`. */
export function detachLabel(versions: readonly VersionRecord[], label: string, versionId: string): VersionRecord[] {
  return versions.map((v) => (v.VersionId === versionId ? { ...v, Stages: v.Stages.filter((s) => s !== label) } : v));
}

/** Adds a new version with `stages` (moving each label to it) and prunes old deprecated versions. */
export function addVersion(versions: readonly VersionRecord[], version: VersionRecord, stages: readonly string[], now: number): VersionRecord[] {
  if (stages.length > MAX_LABELS_PER_VERSION) {
    throw new SecretsManagerServiceException('LimitExceededException', `A secret version can have at most ${MAX_LABELS_PER_VERSION} staging labels; ${stages.length} were given.`);
  }
  let next = [...versions.filter((v) => v.VersionId !== version.VersionId), { ...version, Stages: [] }];
  for (const stage of stages) next = attachLabel(next, stage, version.VersionId);
  return prune(next, now);
}

/** Removes the oldest deprecated versions beyond 100, sparing those created in the last 24 hours. */
export function prune(versions: readonly VersionRecord[], now: number): VersionRecord[] {
  let excess = versions.length - VERSIONS_KEPT;
  if (excess <= 0) return [...versions];
  const drop = new Set<string>();
  for (const v of [...versions].sort((a, b) => a.CreatedDate - b.CreatedDate)) {
    if (excess <= 0) break;
    if (v.Stages.length === 0 && now - v.CreatedDate >= DAY_MS) {
      drop.add(v.VersionId);
      excess--;
    }
  }
  return versions.filter((v) => !drop.has(v.VersionId));
}
