/**
 * Large byte members of a service's records kept in the origin private file system (OPFS) instead
 * of IndexedDB: "objects in IndexedDB, or OPFS for large bodies". IndexedDB holds the record with a
 * small reference in place of the bytes; the bytes (already ciphertext: nothing here sees a
 * plaintext or a key) live in one OPFS file per version, named at random.
 *
 * Order of writes, so a crash never leaves a record pointing at nothing: the file is written before
 * the record that references it is committed, and a file a committed write replaced or deleted is
 * removed only after that commit. A crash in between leaves an unreferenced file, never a dangling
 * reference.
 *
 * Where OPFS is missing or refuses (Node, a private window of some engines), the bytes simply stay
 * in IndexedDB.
 */

/** Which member of which store may spill, and from what size. */
export interface LargeBodySpec {
  readonly store: string;
  /** Dotted path of the Uint8Array member, e.g. `body.ciphertext`. */
  readonly path: string;
  /** Byte length from which the member is kept in OPFS. */
  readonly threshold: number;
}

/** What IndexedDB stores in place of spilled bytes. */
interface SpilledRef {
  readonly opfsFile: string;
  readonly byteLength: number;
}

const isRef = (value: unknown): value is SpilledRef => typeof value === 'object' && value !== null && typeof (value as SpilledRef).opfsFile === 'string';

function getPath(record: unknown, path: readonly string[]): unknown {
  let node = record;
  for (const part of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** A copy of `record` with the member at `path` replaced (the record itself is left alone). */
function withPath(record: object, path: readonly string[], value: unknown): object {
  const [head, ...rest] = path;
  const source = record as Record<string, unknown>;
  return { ...source, [head!]: rest.length === 0 ? value : withPath((source[head!] ?? {}) as object, rest, value) };
}

interface WritableHandle {
  createWritable?(): Promise<{ write(data: BufferSource): Promise<void>; close(): Promise<void> }>;
  createSyncAccessHandle?(): Promise<{ write(data: BufferSource, options?: { at: number }): number; truncate(size: number): void; flush(): void; close(): void }>;
  getFile(): Promise<File>;
}

/**
 * The OPFS side of one database: `spill` before a commit, `hydrate` after a read, `release` after a
 * commit that dropped references.
 */
export class LargeBodies {
  readonly #spec: LargeBodySpec;
  readonly #path: readonly string[];
  readonly #directory: Promise<FileSystemDirectoryHandle | undefined>;

  constructor(databaseName: string, spec: LargeBodySpec) {
    this.#spec = spec;
    this.#path = spec.path.split('.');
    this.#directory = openDirectory(databaseName);
  }

  /** The bytes a record references, if it references any. */
  reference(store: string, record: unknown): string | undefined {
    if (store !== this.#spec.store) return undefined;
    const value = getPath(record, this.#path);
    return isRef(value) ? value.opfsFile : undefined;
  }

  /** `value` ready to store: its large member written to OPFS and replaced by a reference. */
  async spill(store: string, value: object): Promise<object> {
    if (store !== this.#spec.store) return value;
    const bytes = getPath(value, this.#path);
    if (!(bytes instanceof Uint8Array) || bytes.byteLength < this.#spec.threshold) return value;
    const directory = await this.#directory;
    if (!directory) return value;
    try {
      const name = `${crypto.randomUUID()}.bin`;
      await writeFile(await directory.getFileHandle(name, { create: true }) as unknown as WritableHandle, bytes);
      return withPath(value, this.#path, { opfsFile: name, byteLength: bytes.byteLength } satisfies SpilledRef);
    } catch {
      // OPFS refused (quota, an engine without a way to write here): keep the bytes in IndexedDB.
      return value;
    }
  }

  /** `record` with a spilled member read back from OPFS. */
  async hydrate<T>(store: string, record: T): Promise<T> {
    if (store !== this.#spec.store || record === undefined) return record;
    const ref = getPath(record, this.#path);
    if (!isRef(ref)) return record;
    const directory = await this.#directory;
    if (!directory) throw new Error(`a stored record references ${ref.opfsFile} in OPFS, which this context cannot open`);
    const file = await (await directory.getFileHandle(ref.opfsFile)).getFile();
    return withPath(record as object, this.#path, new Uint8Array(await file.arrayBuffer())) as T;
  }

  /** Removes files no record references any more (after the commit that dropped them). */
  async release(files: readonly string[]): Promise<void> {
    const directory = await this.#directory;
    if (!directory) return;
    for (const name of files) await directory.removeEntry(name).catch(() => undefined);
  }

  /** Removes the database's whole OPFS directory (deleting the database). */
  static async remove(databaseName: string): Promise<void> {
    const root = await opfsRoot();
    await root?.removeEntry(directoryName(databaseName), { recursive: true }).catch(() => undefined);
  }
}

const directoryName = (databaseName: string) => `envelope-kit-bodies-${encodeURIComponent(databaseName)}`;

async function opfsRoot(): Promise<FileSystemDirectoryHandle | undefined> {
  const storage = (globalThis as { navigator?: { storage?: { getDirectory?: () => Promise<FileSystemDirectoryHandle> } } }).navigator?.storage;
  if (typeof storage?.getDirectory !== 'function') return undefined;
  try {
    return await storage.getDirectory();
  } catch {
    return undefined;
  }
}

async function openDirectory(databaseName: string): Promise<FileSystemDirectoryHandle | undefined> {
  const root = await opfsRoot();
  try {
    return await root?.getDirectoryHandle(directoryName(databaseName), { create: true });
  } catch {
    return undefined;
  }
}

/** Writes a whole file: createWritable where the engine has it, else a sync access handle (workers). */
async function writeFile(handle: WritableHandle, bytes: Uint8Array): Promise<void> {
  if (typeof handle.createWritable === 'function') {
    const writable = await handle.createWritable();
    await writable.write(bytes as Uint8Array<ArrayBuffer>);
    await writable.close();
    return;
  }
  if (typeof handle.createSyncAccessHandle === 'function') {
    const access = await handle.createSyncAccessHandle();
    try {
      access.truncate(0);
      access.write(bytes as Uint8Array<ArrayBuffer>, { at: 0 });
      access.flush();
    } finally {
      access.close();
    }
    return;
  }
  throw new TypeError('this engine cannot write OPFS files here');
}
