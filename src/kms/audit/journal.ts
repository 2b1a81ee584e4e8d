/**
 * The audit log's write-ahead journal: where a KMS call's record is stored before the call returns,
 * when the log lives in IndexedDB and the code runs in a dedicated worker (as the kit runs it).
 *
 * Why: an IndexedDB transaction per call costs more than the call itself (in Chromium, a readwrite
 * commit is 0.4 to 1 ms; a GenerateDataKey on IndexedDB-backed keys about 0.7 ms), so a log that
 * commits before every call returns cut sequential KMS throughput to a quarter. An append to a file
 * in the origin private file system (OPFS) through a FileSystemSyncAccessHandle is a synchronous
 * write of a few microseconds. The record is written there first; the writer (region-writer.ts)
 * then chains the journaled records and commits them to IndexedDB in groups, in the background.
 *
 * Durability is the same as IndexedDB's default: since Chrome 121, and in Firefox and Safari, the
 * default durability of a transaction is "relaxed": complete once the operating system has the
 * data. A journal write is complete once the operating system has it too: it survives a crash of
 * the tab, the worker or the browser, not a power loss. (IndexedDbAuditStorage's `durability:
 * 'strict'` turns the journal off: every call then waits for a flushed transaction.)
 *
 * Format: lines of `<entry number>\t<event JSON>\n`, entry numbers 1, 2, 3, … per journal. Every
 * IndexedDB commit of journaled records also stores, in the same transaction, the highest entry
 * number it covers (the watermark, meta key `journal:<id>`), so after a crash exactly the entries
 * above the watermark are missing from IndexedDB. A torn last line (the process died inside a
 * write) is ignored: its call had not returned.
 *
 * Two files per journal, `…~a.jsonl` and `…~b.jsonl`, written one at a time: once the active one is
 * larger than {@link SWITCH_BYTES} and the other has been emptied (all its entries committed), the
 * writer switches, so a journal under constant load never grows without bound. A file whose entries
 * are all committed is truncated to nothing.
 *
 * Ownership: each journal holds a Web Lock named after its id for its whole life. When the context
 * that owned it dies (tab closed, worker terminated, crash) the lock is released, and the next
 * AuditLog.open of the same log finds the files with a free lock: an orphan, replayed into the chain
 * and then deleted ({@link findJournals}); a journal whose lock is still held when the log opens
 * (its owner is alive, or still being torn down) is adopted as soon as the lock is released
 * ({@link adoptWhenFree}).
 */
import type { AuditEvent } from './cloudtrail-record.js';

/** OPFS directory that holds every journal. */
export const JOURNAL_DIRECTORY = 'envelope-kit-audit-journal';
/** The active file is switched once it is this large and the other file is empty. */
export const SWITCH_BYTES = 1 << 20;
const LOCK_PREFIX = 'envelope-kit-audit-journal:';

/** The members of FileSystemSyncAccessHandle used here (not in TypeScript's DOM library). */
interface SyncAccessHandle {
  write(buffer: Uint8Array, options?: { at?: number }): number;
  read(buffer: Uint8Array, options?: { at?: number }): number;
  truncate(size: number): void;
  getSize(): number;
  flush(): void;
  close(): void;
}

interface SyncFileHandle extends FileSystemFileHandle {
  createSyncAccessHandle(): Promise<SyncAccessHandle>;
}

interface JournalFile {
  readonly name: string;
  readonly handle: SyncAccessHandle;
  size: number;
  /** Highest entry number written to the file since it was last emptied (0: empty). */
  last: number;
}

const encoder = new TextEncoder();

/** A file name's parts: `<encoded database name>~<journal id>~<a|b>.jsonl`. */
function fileName(databaseName: string, id: string, which: 'a' | 'b'): string {
  return `${encodeURIComponent(databaseName)}~${id}~${which}.jsonl`;
}

function parseFileName(name: string): { databaseName: string; id: string } | null {
  const match = /^([^~]+)~([0-9a-f-]{36})~[ab]\.jsonl$/.exec(name);
  if (!match) return null;
  try {
    return { databaseName: decodeURIComponent(match[1]!), id: match[2]! };
  } catch {
    return null;
  }
}

/**
 * Whether this context can keep a journal: a dedicated worker with OPFS sync access handles and Web
 * Locks (Chromium, Firefox). Elsewhere (a page's main thread, WebKitGTK's workers, Node) the log
 * commits to IndexedDB before every call returns, as it always did.
 */
export function journalSupported(): boolean {
  return typeof (globalThis as { FileSystemSyncAccessHandle?: unknown }).FileSystemSyncAccessHandle === 'function' && journalsReadable();
}

/** Whether journals left by others can be found and read here (OPFS and Web Locks; any context, the main thread too). */
export function journalsReadable(): boolean {
  const scope = globalThis as { navigator?: { storage?: { getDirectory?: unknown }; locks?: unknown } };
  return typeof scope.navigator?.storage?.getDirectory === 'function' && typeof scope.navigator?.locks === 'object';
}

async function directory(): Promise<FileSystemDirectoryHandle> {
  const root = await navigator.storage.getDirectory();
  return root.getDirectoryHandle(JOURNAL_DIRECTORY, { create: true });
}

/** Holds the lock `name` until `release()`; resolves once it is held (or with null when `ifAvailable` and taken). */
function holdLock(name: string, options: { ifAvailable?: boolean; signal?: AbortSignal }): Promise<(() => void) | null> {
  return new Promise((resolve, reject) => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    navigator.locks
      .request(name, options, (lock) => {
        if (!lock) {
          resolve(null);
          return undefined;
        }
        resolve(release);
        return held;
      })
      .catch(reject);
  });
}

/**
 * One writer's journal (see above). `write` is synchronous and throws if the file cannot take the
 * line (quota, a closed handle): the writer then falls back to waiting for the commit.
 *
 * @example
 * ```ts
 * const journal = await AuditJournal.open('envelope-kit-kms:111122223333-audit-us-east-1');
 * if (journal) {
 *   const n = journal.write(JSON.stringify(event)); // stored: the call may return
 *   // ... later, in the transaction that commits entries up to n: meta `journal:${journal.id}` = n
 *   journal.committed(n);
 * }
 * ```
 */
export class AuditJournal {
  readonly id: string;
  readonly databaseName: string;
  #files: [JournalFile, JournalFile];
  #active: 0 | 1 = 0;
  #next = 1;
  #committed = 0;
  #release: () => void;
  #closed = false;
  #buffer = new Uint8Array(4096);

  private constructor(id: string, databaseName: string, files: [JournalFile, JournalFile], release: () => void) {
    this.id = id;
    this.databaseName = databaseName;
    this.#files = files;
    this.#release = release;
  }

  /** A new journal for `databaseName`, or null where journals are not supported or OPFS refuses. */
  static async open(databaseName: string): Promise<AuditJournal | null> {
    if (!journalSupported()) return null;
    const id = crypto.randomUUID();
    const release = await holdLock(LOCK_PREFIX + id, {});
    if (!release) return null;
    const opened: SyncAccessHandle[] = [];
    try {
      const dir = await directory();
      const files: JournalFile[] = [];
      for (const which of ['a', 'b'] as const) {
        const name = fileName(databaseName, id, which);
        const file = (await dir.getFileHandle(name, { create: true })) as SyncFileHandle;
        const handle = await file.createSyncAccessHandle();
        opened.push(handle);
        handle.truncate(0);
        files.push({ name, handle, size: 0, last: 0 });
      }
      return new AuditJournal(id, databaseName, files as [JournalFile, JournalFile], release);
    } catch {
      // OPFS can be unavailable in a worker (private browsing, storage disabled): no journal.
      for (const handle of opened) handle.close();
      release();
      return null;
    }
  }

  /** Entries written and not yet committed. */
  get pending(): number {
    return this.#next - 1 - this.#committed;
  }

  /** Appends one entry (`json` must be one line: JSON.stringify output is); returns its number. */
  write(json: string): number {
    if (this.#closed) throw new Error('the audit journal is closed');
    const n = this.#next;
    const line = `${n}\t${json}\n`;
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    if (this.#buffer.length < line.length * 3) this.#buffer = new Uint8Array(line.length * 3);
    const { written } = encoder.encodeInto(line, this.#buffer);
    let file = this.#files[this.#active];
    const other = this.#files[this.#active ^ 1]!;
    if (file.size >= SWITCH_BYTES && other.last === 0) {
      this.#active ^= 1;
      file = other;
    }
    const bytes = this.#buffer.subarray(0, written);
    const done = file.handle.write(bytes, { at: file.size });
    if (done !== written) {
      // A short write (quota): cut the partial line off again, so the file stays well formed.
      file.handle.truncate(file.size);
      throw new Error(`audit journal: wrote ${done} of ${written} bytes`);
    }
    file.size += written;
    file.last = n;
    this.#next = n + 1;
    return n;
  }

  /** Every entry up to `n` is in IndexedDB: files holding only such entries are emptied. */
  committed(n: number): void {
    if (this.#closed || n <= this.#committed) return;
    this.#committed = n;
    for (const file of this.#files) {
      if (file.last !== 0 && file.last <= n) {
        file.handle.truncate(0);
        file.size = 0;
        file.last = 0;
      }
    }
  }

  /** Closes the files, deletes them when everything is committed, and releases the lock. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const empty = this.pending === 0;
    for (const file of this.#files) file.handle.close();
    try {
      if (empty) {
        const dir = await directory();
        for (const file of this.#files) await dir.removeEntry(file.name).catch(() => undefined);
      }
    } finally {
      // With entries left (a failed commit), the files stay: the next open recovers them.
      this.#release();
    }
  }
}

/** An orphaned journal's entries, oldest first, and what to do once they are committed. */
export interface OrphanJournal {
  readonly id: string;
  readonly entries: readonly { readonly n: number; readonly event: AuditEvent }[];
  /** Deletes the files and releases the lock; call after the entries are committed (or found committed). */
  discard(): Promise<void>;
  /** Releases the lock without deleting anything (recovery failed; a later open retries). */
  release(): void;
}

/** The journals of one log found in OPFS: those whose owner is gone (locked for the caller), and those still owned. */
export interface FoundJournals {
  readonly orphans: OrphanJournal[];
  /** Ids of journals whose lock is held: a live writer, or one whose context is still being torn down. */
  readonly owned: string[];
}

/**
 * The journals of `databaseName`, except `exclude` (the caller's own): the orphans, each locked
 * for the caller until `discard()` or `release()`, and the ids of the others. Nothing where OPFS
 * or Web Locks are missing. Works on a page's main thread too (reading needs no sync access
 * handle), so a page recovers what a worker left.
 */
export async function findJournals(databaseName: string, exclude: ReadonlySet<string> = new Set()): Promise<FoundJournals> {
  const found: FoundJournals = { orphans: [], owned: [] };
  const files = await journalFiles(databaseName);
  if (!files) return found;
  for (const [id, names] of files.byId) {
    if (exclude.has(id)) continue;
    const release = await holdLock(LOCK_PREFIX + id, { ifAvailable: true });
    if (!release) {
      found.owned.push(id);
      continue;
    }
    found.orphans.push(await readOrphan(files.dir, id, names, release));
  }
  return found;
}

/**
 * Waits until journal `id`'s owner is gone (its lock is released: the context closed, crashed or
 * finished being torn down), then returns it as an orphan, locked for the caller. Null when
 * `signal` aborts first, or when the owner closed cleanly and left nothing.
 */
export async function adoptWhenFree(databaseName: string, id: string, signal: AbortSignal): Promise<OrphanJournal | null> {
  let release: (() => void) | null;
  try {
    release = await holdLock(LOCK_PREFIX + id, { signal });
  } catch (error) {
    if (signal.aborted) return null;
    throw error;
  }
  if (!release) return null;
  try {
    const files = await journalFiles(databaseName);
    const names = files?.byId.get(id);
    if (!files || !names) {
      release();
      return null;
    }
    return await readOrphan(files.dir, id, names, release);
  } catch (error) {
    release();
    throw error;
  }
}

async function journalFiles(databaseName: string): Promise<{ dir: FileSystemDirectoryHandle; byId: Map<string, string[]> } | null> {
  if (!journalsReadable()) return null;
  let dir: FileSystemDirectoryHandle;
  try {
    dir = await directory();
  } catch {
    return null;
  }
  const byId = new Map<string, string[]>();
  for await (const name of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) {
    const parsed = parseFileName(name);
    if (parsed?.databaseName !== databaseName) continue;
    byId.set(parsed.id, [...(byId.get(parsed.id) ?? []), name]);
  }
  return { dir, byId };
}

/** Reads an orphan's files (the caller holds its lock). */
async function readOrphan(dir: FileSystemDirectoryHandle, id: string, names: readonly string[], release: () => void): Promise<OrphanJournal> {
  try {
    const entries: { n: number; event: AuditEvent }[] = [];
    for (const name of names) entries.push(...parseJournal(await readText(dir, name)));
    entries.sort((a, b) => a.n - b.n);
    return {
      id,
      entries,
      async discard() {
        try {
          for (const name of names) await dir.removeEntry(name).catch(() => undefined);
        } finally {
          release();
        }
      },
      release,
    };
  } catch (error) {
    release();
    throw error;
  }
}

/**
 * A file's text. A dead context's lock can be released a moment before its sync access handle is
 * closed, and reading a file with an open handle fails (NoModificationAllowedError in Chromium):
 * retried for up to two seconds.
 */
async function readText(dir: FileSystemDirectoryHandle, name: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await (await (await dir.getFileHandle(name)).getFile()).text();
    } catch (error) {
      if ((error as Error)?.name === 'NotFoundError') return '';
      if (attempt >= 40) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Deletes every journal file of `databaseName` that no live writer owns (a full reset of the log). */
export async function deleteJournals(databaseName: string): Promise<void> {
  for (const orphan of (await findJournals(databaseName)).orphans) await orphan.discard();
}

/**
 * The entries of a journal file. Lines that do not parse are skipped: only the last line can be
 * torn (appends are sequential), and a torn line's call never returned.
 */
export function parseJournal(text: string): { n: number; event: AuditEvent }[] {
  const out: { n: number; event: AuditEvent }[] = [];
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab <= 0) continue;
    const n = Number(line.slice(0, tab));
    if (!Number.isSafeInteger(n) || n < 1) continue;
    try {
      const event = JSON.parse(line.slice(tab + 1)) as AuditEvent;
      if (event !== null && typeof event === 'object' && !Array.isArray(event)) out.push({ n, event });
    } catch {
      // torn
    }
  }
  return out;
}
