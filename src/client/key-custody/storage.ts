/**
 * The page's view of the browser storage the kit's keys live in (README, "Keys you cannot lose"):
 * whether the origin's storage is persistent, how much it uses, and asking once for persistence
 * when the kit first creates a key.
 *
 * `navigator.storage.persist()` lives on the page only (StorageManager in workers has no persist),
 * which is why this is not in the worker. Persistence protects against eviction under storage
 * pressure (and, in Safari, against the seven-day rule for script-writable storage, for installed
 * web apps only); it never protects against the user clearing site data, a lost device or a new
 * browser profile. A backup is the only real protection.
 */

/** What `kit.storage()` reports. */
export interface StorageStatus {
  /** `navigator.storage.persisted()`: the origin's storage is exempt from eviction under pressure. */
  readonly persisted: boolean;
  /** Bytes the origin uses (an estimate, padded by some engines), or undefined where the engine cannot say. */
  readonly usage: number | undefined;
  /** Bytes the origin may use (an estimate), or undefined where the engine cannot say. */
  readonly quota: number | undefined;
}

type StorageLike = Pick<StorageManager, 'persisted' | 'estimate'> & Partial<Pick<StorageManager, 'persist'>>;

const storage = (): StorageLike | undefined => (typeof navigator === 'undefined' ? undefined : (navigator.storage as StorageLike | undefined));

/**
 * The origin's storage status.
 *
 * @example
 * ```ts
 * const { persisted, usage, quota } = await storageStatus();
 * ```
 */
export async function storageStatus(): Promise<StorageStatus> {
  const manager = storage();
  if (!manager) return { persisted: false, usage: undefined, quota: undefined };
  const [persisted, estimate] = await Promise.all([manager.persisted().catch(() => false), manager.estimate().catch(() => ({}) as StorageEstimate)]);
  return { persisted, usage: estimate.usage, quota: estimate.quota };
}

let asked: Promise<boolean> | undefined;

/**
 * Asks once per page for persistent storage, unless it is persistent already; resolves with the
 * answer. Never awaited on a key call's path: Firefox may show a permission prompt and wait for it.
 *
 * @example
 * ```ts
 * void askForPersistence();
 * ```
 */
export function askForPersistence(): Promise<boolean> {
  asked ??= (async () => {
    const manager = storage();
    if (!manager?.persist) return false;
    if (await manager.persisted().catch(() => false)) return true;
    return manager.persist().catch(() => false);
  })();
  return asked;
}
