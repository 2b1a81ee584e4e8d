import { LitElement, html, css, nothing } from 'lit';
import type { FileProgress } from '../client/kit.js';
import type { MessageHeader } from '../core/types.js';
import { ActionController } from './task.js';
import { KitConsumer } from './kit-context.js';
import { describeError } from './describe-error.js';
import { fire } from './events.js';
import { baseStyles, cryptoFormStyles } from './styles.js';
import { keyLabel, listRegionKeys } from './key-list.js';
import { headerOf, toBase64, formatBytes } from './message-bytes.js';
import { fileProgress } from './file-progress.js';
import type { EkContextEditor } from './context-editor.js';

interface Encrypted {
  readonly ciphertext: Uint8Array<ArrayBuffer> | Blob;
  readonly header: MessageHeader | undefined;
  readonly plaintextLength: number;
  readonly name?: string;
}

/**
 * Encrypts a note or a file under a KMS key of the kit, with an encryption context, and shows the
 * resulting message: base64 for a note (to copy into `<ek-decrypt>`), a download for a file, and the
 * header either way. The plaintext goes to the kit's worker; the page never sees the data key.
 *
 * @tagname ek-encrypt
 * @fires ek-encrypted - `{ ciphertext, header, encryptionContext, keyId }`.
 * @fires ek-error - encryption failed: `{ operation: 'encrypt', error }`.
 * @csspart input - the note textarea or file input.
 * @csspart output - the base64 message.
 * @csspart progress - a file's progress bar.
 * @csspart status - the aria-live result line.
 * @cssprop --ek-accent - the Encrypt button.
 *
 * @example
 * ```html
 * <ek-kit><ek-encrypt region="us-east-1" key-id="alias/notes"></ek-encrypt></ek-kit>
 * ```
 */
export class EkEncrypt extends LitElement {
  static override properties = {
    region: { type: String },
    keyId: { type: String, attribute: 'key-id' },
    mode: { type: String, reflect: true },
    text: { type: String },
    context: { attribute: false },
    progress: { state: true },
  };

  static override styles = [
    baseStyles,
    cryptoFormStyles,
    css`
      h3 {
        font-size: 1em;
        margin: 0.75rem 0 0.4rem;
      }
      select {
        min-width: min(14rem, 100%);
      }
    `,
  ];

  declare region: string;
  /** Key id, ARN or alias of the wrapping KMS key; the first enabled key when empty. */
  declare keyId: string;
  declare mode: 'text' | 'file';
  declare text: string;
  /** The initial encryption context of the editor. */
  declare context: Record<string, string>;
  declare progress: FileProgress | undefined;

  readonly #kit = new KitConsumer(this);
  #seen = '';
  #url: string | undefined;
  readonly #keys = new ActionController(this, (signal) => listRegionKeys(this.#kit.require(), this.#region(), signal));
  readonly #encrypt = new ActionController(this, async (signal, input: { keyId: string; context: Record<string, string>; file?: File }): Promise<Encrypted> => {
    const kit = this.#kit.require();
    const options = { keyId: input.keyId, encryptionContext: input.context, region: this.#region() };
    if (input.file) {
      this.progress = { done: 0, total: input.file.size };
      const blob = await kit.encryptFile(input.file, options, { signal, onProgress: (p) => (this.progress = p) });
      return { ciphertext: blob, header: await headerOf(blob), plaintextLength: input.file.size, name: `${input.file.name}.encrypted` };
    }
    const plaintext = new TextEncoder().encode(this.text);
    // The bytes are this component's own, so they are transferred, not copied: read the length first.
    const plaintextLength = plaintext.length;
    const { ciphertext, header } = await kit.encrypt(plaintext, { ...options, transfer: true });
    return { ciphertext, header, plaintextLength };
  });

  constructor() {
    super();
    this.region = '';
    this.keyId = '';
    this.mode = 'text';
    this.text = '';
    this.context = {};
    this.progress = undefined;
  }

  #region(): string {
    return this.region || this.#kit.kit?.regions[0] || 'us-east-1';
  }

  protected override willUpdate(): void {
    const { kit, revision } = this.#kit.state;
    const key = `${revision}|${this.#region()}`;
    if (kit && key !== this.#seen) {
      this.#seen = key;
      void this.#keys.run();
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.#url) URL.revokeObjectURL(this.#url);
    this.#url = undefined;
  }

  get #editor(): EkContextEditor | null {
    return this.renderRoot.querySelector('ek-context-editor');
  }

  #usableKeys() {
    return (this.#keys.value ?? []).filter((k) => k.metadata.Enabled && k.metadata.KeyUsage === 'ENCRYPT_DECRYPT' && k.metadata.KeySpec === 'SYMMETRIC_DEFAULT');
  }

  /** The chosen key as an ARN when it is one of the listed keys, so the header names its region. */
  #chosenKey(): string | undefined {
    const keys = this.#usableKeys();
    const chosen = this.keyId
      ? keys.find((k) => k.metadata.KeyId === this.keyId || k.metadata.Arn === this.keyId || k.aliases.includes(this.keyId))
      : keys.at(-1);
    return chosen?.metadata.Arn ?? (this.keyId || undefined);
  }

  async #onEncrypt(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const editor = this.#editor;
    if (editor && !editor.valid) return;
    const keyId = this.#chosenKey();
    if (!keyId) return;
    const file = this.mode === 'file' ? this.renderRoot.querySelector<HTMLInputElement>('#file')?.files?.[0] : undefined;
    if (this.mode === 'file' && !file) return;
    const context = editor?.context ?? this.context;
    const result = await this.#encrypt.run({ keyId, context, file });
    this.progress = undefined;
    if (!result) {
      fire(this, 'ek-error', { operation: this.mode === 'file' ? 'encryptFile' : 'encrypt', error: this.#encrypt.error });
      return;
    }
    if (this.#url) URL.revokeObjectURL(this.#url);
    this.#url = result.ciphertext instanceof Blob ? URL.createObjectURL(result.ciphertext) : undefined;
    // The link is rendered from #url, which is not a reactive property.
    this.requestUpdate();
    if (result.header) fire(this, 'ek-encrypted', { ciphertext: result.ciphertext, header: result.header, encryptionContext: context, keyId });
    // The KMS was called (GenerateDataKey): audit views refresh.
    this.#kit.changed();
  }

  override render() {
    const kit = this.#kit.kit;
    if (!kit) return html`<p class="muted" role="status">${this.#kit.state.error ? describeError(this.#kit.state.error) : 'Waiting for the kit…'}</p>`;
    const keys = this.#usableKeys();
    const chosen = this.#chosenKey();
    const running = this.#encrypt.pending;
    return html`<form class="stack" @submit=${this.#onEncrypt} aria-label="Encrypt">
      <div class="row">
        <label for="key">KMS key</label>
        <select id="key" ?disabled=${keys.length === 0} @change=${(e: Event) => (this.keyId = (e.target as HTMLSelectElement).value)}>
          ${keys.length === 0 ? html`<option value="">${this.#keys.pending ? 'loading keys…' : 'no enabled key: create one first'}</option>` : nothing}
          ${keys.map((k) => html`<option value=${k.metadata.Arn} ?selected=${k.metadata.Arn === chosen}>${keyLabel(k)} (${this.#region()})</option>`)}
        </select>
      </div>
      <fieldset class="modes">
        <legend class="sr-only">What to encrypt</legend>
        <label><input type="radio" name="mode" value="text" .checked=${this.mode === 'text'} @change=${() => (this.mode = 'text')} /> A note</label>
        <label><input type="radio" name="mode" value="file" .checked=${this.mode === 'file'} @change=${() => (this.mode = 'file')} /> A file</label>
      </fieldset>
      ${this.mode === 'text'
        ? html`<label for="text">Note</label>
            <textarea id="text" part="input" rows="3" .value=${this.text} @input=${(e: Event) => (this.text = (e.target as HTMLTextAreaElement).value)}></textarea>`
        : html`<label for="file">File (any size: it streams through the worker)</label>
            <input id="file" part="input" type="file" />`}
      <ek-context-editor .context=${this.context}></ek-context-editor>
      <div class="row">
        <button class="primary" type="submit" ?disabled=${running || !chosen}>${running ? 'Encrypting…' : 'Encrypt'}</button>
      </div>
      ${fileProgress(this.progress, running && this.mode === 'file', () => this.#encrypt.abort(new DOMException('cancelled', 'AbortError')))}
      <p part="status" class="status ${this.#encrypt.status === 'error' ? 'error' : 'ok'}" role="status" aria-live="polite">
        ${this.#encrypt.render({
          pending: () => 'Encrypting in the worker…',
          complete: (r) => `Encrypted: a ${formatBytes(r.ciphertext instanceof Blob ? r.ciphertext.size : r.ciphertext.length)} message.`,
          error: (e) => describeError(e),
        }) ?? ''}
      </p>
      ${this.#encrypt.render({ complete: (r) => this.#renderResult(r) }) ?? nothing}
    </form>`;
  }

  #renderResult(result: Encrypted) {
    return html`${result.ciphertext instanceof Blob
        ? html`<a class="download" href=${this.#url ?? ''} download=${result.name ?? 'message.encrypted'}>Download ${result.name}</a>`
        : html`<label for="output">Encrypted message (base64)</label>
            <textarea id="output" part="output" rows="4" readonly .value=${toBase64(result.ciphertext)}></textarea>`}
      <h3>Message header</h3>
      <ek-message-header .header=${result.header} .plaintextLength=${result.plaintextLength}></ek-message-header>`;
  }
}
