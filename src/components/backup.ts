import { LitElement, html, css, nothing } from 'lit';
import { argumentError } from '../core/arguments.js';
import { ActionController, TaskStatus } from './task.js';
import { KitConsumer } from './kit-context.js';
import { describeError } from './describe-error.js';
import { fire } from './events.js';
import { baseStyles } from './styles.js';
import type { RestoreSummary } from '../kms/index.js';
import type { StorageStatus } from '../client/key-custody/storage.js';

/** Bytes as the unit a person reads (KiB, MiB, GiB). */
function size(bytes: number | undefined): string {
  if (bytes === undefined) return 'unknown';
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** A file name that sorts by date and says what it is: `<kit name>-backup-2026-12-07T15-30-00.ekbackup`. */
function fileName(kitName: string): string {
  return `${kitName}-backup-${new Date().toISOString().slice(0, 19).replace(/:/g, '-')}.ekbackup`;
}

const MIN_PASSPHRASE = 8;

/**
 * Keys a user cannot lose: download an encrypted backup of the whole key store, restore one, lock
 * and unlock a kit created with a passphrase (or unlock it with a passkey), and see whether the
 * browser keeps the kit's storage persistently (README, "Keys you cannot lose").
 *
 * @tagname ek-backup
 * @fires ek-backup-made - a backup was made and offered for download: `{ size, fileName }`.
 * @fires ek-restored - a backup was restored: `{ summary }`.
 * @fires ek-lock-change - the kit was locked or unlocked here: `{ locked }`.
 * @fires ek-error - an action failed: `{ operation, error }` (`backup`, `restore`, `lock`, `unlock`, `add-passkey`, `persist`).
 * @csspart storage - the storage status.
 * @csspart backup - the backup form.
 * @csspart restore - the restore form.
 * @csspart lock - the lock controls (kits with a passphrase).
 * @csspart download - the link of the backup just made.
 * @cssprop --ek-bad - colour of a warning (storage not persistent, kit locked).
 *
 * @example
 * ```html
 * <ek-kit name="notes"><ek-backup></ek-backup></ek-kit>
 * ```
 */
export class EkBackup extends LitElement {
  static override properties = {
    download: { state: true },
  };

  static override styles = [
    baseStyles,
    css`
      fieldset {
        border: 1px solid var(--_line);
        border-radius: var(--_radius);
        padding: 0.5rem 0.75rem 0.75rem;
        margin: 0 0 0.75rem;
        min-width: 0;
      }
      legend {
        font-weight: 600;
      }
      label {
        max-width: 100%;
        min-width: 0;
      }
      input[type='password'] {
        max-width: 100%;
      }
      /* A file input is as wide as its button plus the longest file name: let it shrink instead. */
      input[type='file'] {
        display: block;
        width: 100%;
        max-width: 22rem;
        box-sizing: border-box;
      }
      .warn {
        color: var(--_bad);
      }
    `,
  ];

  /** The object URL and name of the backup just made, until the next one. */
  declare download: { url: string; name: string; size: number } | undefined;

  readonly #kit = new KitConsumer(this);
  #seen = -1;

  readonly #storage = new ActionController(this, async (): Promise<StorageStatus> => this.#kit.require().storage());
  readonly #persist = new ActionController(this, async (): Promise<boolean> => {
    const granted = await navigator.storage?.persist?.();
    void this.#storage.run();
    return granted === true;
  });
  readonly #backup = new ActionController(this, async (_signal, passphrase: string) => {
    const kit = this.#kit.require();
    const blob = await kit.backup({ passphrase });
    if (this.download) URL.revokeObjectURL(this.download.url);
    this.download = { url: URL.createObjectURL(blob), name: fileName(kit.name), size: blob.size };
    return this.download;
  });
  readonly #restore = new ActionController(this, async (_signal, file: File, passphrase: string, replace: boolean): Promise<RestoreSummary> => {
    return this.#kit.require().restore(file, { passphrase, replace });
  });
  readonly #lock = new ActionController(this, async (_signal, action: 'lock' | 'unlock' | 'passkey' | 'add-passkey', passphrase?: string): Promise<string> => {
    const kit = this.#kit.require();
    if (action === 'lock') await kit.lock();
    else if (action === 'unlock') await kit.unlock(passphrase!);
    else if (action === 'passkey') await kit.unlock({ prf: true });
    else {
      await kit.addPasskey({ passphrase: passphrase!, userName: kit.name });
      return 'Passkey added: it can unlock this kit from now on.';
    }
    return kit.locked ? 'Locked: key operations are refused until the kit is unlocked.' : 'Unlocked.';
  });

  constructor() {
    super();
    this.download = undefined;
  }

  protected override willUpdate(): void {
    const { kit, revision } = this.#kit.state;
    if (kit && revision !== this.#seen) {
      this.#seen = revision;
      void this.#storage.run();
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.download) URL.revokeObjectURL(this.download.url);
  }

  #field(form: HTMLFormElement, name: string): string {
    return (form.elements.namedItem(name) as HTMLInputElement | null)?.value ?? '';
  }

  async #onBackup(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const passphrase = this.#field(form, 'passphrase');
    if (passphrase !== this.#field(form, 'confirm')) {
      this.#backup.error = argumentError('passphrase', 'differs from its confirmation: the two passphrases differ');
      this.#backup.status = TaskStatus.ERROR;
      this.requestUpdate();
      return;
    }
    const made = await this.#backup.run(passphrase);
    if (!made) {
      fire(this, 'ek-error', { operation: 'backup', error: this.#backup.error });
      return;
    }
    form.reset();
    fire(this, 'ek-backup-made', { size: made.size, fileName: made.name });
  }

  async #onRestore(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const file = (form.elements.namedItem('file') as HTMLInputElement).files?.[0];
    if (!file) return;
    const replace = (form.elements.namedItem('replace') as HTMLInputElement).checked;
    const summary = await this.#restore.run(file, this.#field(form, 'passphrase'), replace);
    if (!summary) {
      fire(this, 'ek-error', { operation: 'restore', error: this.#restore.error });
      return;
    }
    form.reset();
    fire(this, 'ek-restored', { summary });
    // Every view of keys, replicas and audit records refreshes.
    this.#kit.changed();
  }

  async #onLock(action: 'lock' | 'unlock' | 'passkey' | 'add-passkey', passphrase?: string): Promise<void> {
    const done = await this.#lock.run(action, passphrase);
    if (done === undefined) {
      fire(this, 'ek-error', { operation: action === 'passkey' ? 'unlock' : action, error: this.#lock.error });
      return;
    }
    if (action !== 'add-passkey') fire(this, 'ek-lock-change', { locked: this.#kit.require().locked });
    if (action === 'unlock' || action === 'passkey') this.#kit.changed();
  }

  override render() {
    const kit = this.#kit.kit;
    if (!kit) return html`<p class="muted" role="status">${this.#kit.state.error ? describeError(this.#kit.state.error) : 'Waiting for the kit…'}</p>`;
    return html`${this.#renderStorage()} ${kit.lockable ? this.#renderLock() : nothing} ${this.#renderBackup()} ${this.#renderRestore()}`;
  }

  #renderStorage() {
    const status = this.#storage.value;
    return html`<fieldset part="storage">
      <legend>Storage</legend>
      ${status === undefined
        ? html`<p class="muted">${this.#storage.error ? describeError(this.#storage.error) : 'Reading the storage status…'}</p>`
        : html`<p>
              ${status.persisted
                ? html`<strong>Persistent</strong>: the browser will not evict these keys to free space.`
                : html`<strong class="warn">Best effort</strong>: the browser may evict these keys when it runs short of space
                    (and Safari deletes them after seven days without a visit).`}
              Using ${size(status.usage)} of ${size(status.quota)}.
            </p>
            ${status.persisted
              ? nothing
              : html`<button type="button" ?disabled=${this.#persist.pending} @click=${() => this.#persist.run()}>Ask for persistent storage</button>`}
            <p class="muted">Clearing the site's data, a new device or another browser still loses them: only a backup protects against that.</p>`}
    </fieldset>`;
  }

  #renderLock() {
    const locked = this.#kit.require().locked;
    return html`<fieldset part="lock">
      <legend>Lock</legend>
      <p>${locked ? html`<strong class="warn">Locked</strong>: key operations are refused until it is unlocked.` : html`<strong>Unlocked</strong>.`}</p>
      ${locked
        ? html`<form class="row" @submit=${(e: SubmitEvent) => {
              e.preventDefault();
              const form = e.target as HTMLFormElement;
              void this.#onLock('unlock', this.#field(form, 'passphrase')).then(() => form.reset());
            }}>
            <label>Passphrase <input type="password" name="passphrase" required autocomplete="current-password" /></label>
            <button type="submit" class="primary" ?disabled=${this.#lock.pending}>Unlock</button>
            <button type="button" ?disabled=${this.#lock.pending} @click=${() => this.#onLock('passkey')}>Unlock with a passkey</button>
          </form>`
        : html`<div class="row">
            <button type="button" ?disabled=${this.#lock.pending} @click=${() => this.#onLock('lock')}>Lock now</button>
          </div>
          <form class="row" @submit=${(e: SubmitEvent) => {
              e.preventDefault();
              const form = e.target as HTMLFormElement;
              void this.#onLock('add-passkey', this.#field(form, 'passphrase')).then(() => form.reset());
            }}>
            <label>Passphrase <input type="password" name="passphrase" required autocomplete="current-password" /></label>
            <button type="submit" ?disabled=${this.#lock.pending}>Add a passkey</button>
          </form>`}
      <p class="status ${this.#lock.status === 'error' ? 'error' : ''}" role="status" aria-live="polite">
        ${this.#lock.render({ pending: () => 'Working…', complete: (message) => message, error: (e) => describeError(e) }) ?? ''}
      </p>
    </fieldset>`;
  }

  #renderBackup() {
    return html`<form part="backup" @submit=${(e: SubmitEvent) => this.#onBackup(e)}>
      <fieldset>
        <legend>Back up every key</legend>
        <p class="muted">One file with every key, alias, policy, grant and audit record, encrypted under a key derived from this passphrase (Argon2id). Keep the file anywhere; without the passphrase it is useless.</p>
        <div class="row">
          <label>Passphrase <input type="password" name="passphrase" required minlength=${MIN_PASSPHRASE} autocomplete="new-password" /></label>
          <label>Again <input type="password" name="confirm" required minlength=${MIN_PASSPHRASE} autocomplete="new-password" /></label>
          <button type="submit" class="primary" ?disabled=${this.#backup.pending}>Make a backup</button>
        </div>
        <p class="status ${this.#backup.status === 'error' ? 'error' : 'ok'}" role="status" aria-live="polite">
          ${this.#backup.render({
            pending: () => html`Deriving the key and encrypting…`,
            complete: (made) => html`Backup ready (${size(made.size)}):
              <a part="download" class="download" href=${made.url} download=${made.name}>Download ${made.name}</a>`,
            error: (e) => html`${describeError(e)}`,
          }) ?? ''}
        </p>
      </fieldset>
    </form>`;
  }

  #renderRestore() {
    return html`<form part="restore" @submit=${(e: SubmitEvent) => this.#onRestore(e)}>
      <fieldset>
        <legend>Restore a backup</legend>
        <div class="row">
          <label>Backup file <input type="file" name="file" required accept=".ekbackup,application/octet-stream" /></label>
          <label>Passphrase <input type="password" name="passphrase" required autocomplete="off" /></label>
        </div>
        <div class="row">
          <label><input type="checkbox" name="replace" /> Replace the keys this kit holds now</label>
          <button type="submit" class="primary" ?disabled=${this.#restore.pending}>Restore</button>
        </div>
        <p class="status ${this.#restore.status === 'error' ? 'error' : 'ok'}" role="status" aria-live="polite">
          ${this.#restore.render({
            pending: () => 'Deriving the key and restoring…',
            complete: (s) =>
              `Restored ${s.keys} key${s.keys === 1 ? '' : 's'} (${s.materials} key material versions), ${s.aliases} alias${s.aliases === 1 ? '' : 'es'}, ${s.grants} grant${s.grants === 1 ? '' : 's'}, ${s.auditRecords} audit records and ${s.branchKeys} branch key records, from a backup made ${s.backupCreated}.`,
            error: (e) => describeError(e),
          }) ?? ''}
        </p>
      </fieldset>
    </form>`;
  }
}
