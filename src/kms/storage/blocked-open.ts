/**
 * Opening a database whose schema upgrade another connection blocks (issue 11, storage faults):
 * another tab still runs a kit that holds the old version open and does not step aside (the kit's
 * own connections close themselves on `versionchange`). IndexedDB then waits, for as long as that
 * tab lives, and `createKms` hung with it. Instead, once the browser reports the upgrade blocked
 * and it stays blocked for {@link BLOCKED_GRACE_MS}, the open fails with a
 * {@link StorageBlockedError} that says what to do; a connection that opens after that is closed
 * at once, so nothing is left holding the database.
 */
import { SimulatorError, SimulatorErrorCode } from '../errors.js';
import { openDB, type DBSchema, type IDBPDatabase, type OpenDBCallbacks } from 'idb';

/** How long an upgrade may stay blocked before the open gives up: long enough for a tab that is closing. */
export const BLOCKED_GRACE_MS = 3_000;

/**
 * Another connection (another tab or worker) holds an older version of a database open, so this
 * version of the kit cannot upgrade it. Close the other tabs of the app (or reload them) and try again.
 *
 * @example
 * ```ts
 * try { await createKms({ storage: 'indexeddb' }); } catch (e) { if (e instanceof StorageBlockedError) showCloseOtherTabs(); }
 * ```
 */
export class StorageBlockedError extends SimulatorError {
  /** The database whose upgrade is blocked. */
  readonly database: string;
  constructor(database: string, oldVersion: number, newVersion: number) {
    super(
      SimulatorErrorCode.STORAGE_FAILED,
      `IndexedDB database "${database}" cannot be upgraded from version ${oldVersion} to ${newVersion}: another tab (or worker) of this site still has version ${oldVersion} open. Close or reload the site's other tabs, then try again.`,
    );
    this.name = 'StorageBlockedError';
    this.database = database;
  }
}

/**
 * idb's `openDB`, failing with {@link StorageBlockedError} when the upgrade stays blocked.
 *
 * @example
 * ```ts
 * const db = await openUnblocked<KmsRegionDB>(name, SCHEMA_VERSION, { upgrade, blocking: () => db.close() });
 * ```
 */
export function openUnblocked<S extends DBSchema>(name: string, version: number, callbacks: OpenDBCallbacks<S>): Promise<IDBPDatabase<S>> {
  return new Promise((resolve, reject) => {
    let gaveUp = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    openDB<S>(name, version, {
      ...callbacks,
      blocked(currentVersion, blockedVersion, event) {
        callbacks.blocked?.(currentVersion, blockedVersion, event);
        timer ??= setTimeout(() => {
          gaveUp = true;
          reject(new StorageBlockedError(name, currentVersion, blockedVersion ?? version));
        }, BLOCKED_GRACE_MS);
      },
    }).then(
      (db) => {
        clearTimeout(timer);
        if (gaveUp) db.close();
        else resolve(db);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
