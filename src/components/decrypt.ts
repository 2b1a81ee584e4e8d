import { LitElement, html, css, nothing } from 'lit';
import type { FileProgress } from '../client/kit.js';
import type { MessageHeader } from '../core/types.js';
import { ActionController } from './task.js';
import { KitConsumer } from './kit-context.js';
import { describeError } from './describe-error.js';
import { fire } from './events.js';
import { baseStyles, cryptoFormStyles } from './styles.js';
import { decodeBase64, headerOf, formatBytes } from './message-bytes.js';
import { fileProgress } from './file-progress.js';
import type { EkContextEditor } from './context-editor.js';

interface Decrypted {
  readonly plaintext: string | Blob;
  readonly header: MessageHeader | undefined;
  readonly region: string | undefined;
  readonly name?: string;
}

/**
 * Decrypts a message (pasted base64 or a file) through the kit, requiring the encryption-context
 * pairs in its editor, optionally through one region's KMS: a multi-Region key's replica there
 * unwraps the data key when the key's own region is down. Failures say what to do, by error code.
 *
 * @tagname ek-decrypt
 * @fires ek-decrypted - `{ plaintext, header, region }` (plaintext is a string for notes, a Blob for files).
 * @fires ek-error - decryption failed: `{ operation: 'decrypt', error }`.
 * @csspart input - the base64 textarea or file input.
 * @csspart output - the decrypted note.
 * @csspart progress - a file's progress bar.
 * @csspart status - the aria-live result line.
 * @cssprop --ek-ok - colour of success, --ek-bad of failure.
 *
 * @example
 * ```html
 * <ek-kit><ek-decrypt></ek-decrypt></ek-kit>
 * <script type="module">
 *   document.querySelector('ek-decrypt').message = base64Message;
 * </script>
 * ```
 */
export class EkDecrypt extends LitElement {
  static override properties = {
    message: { type: String },
    region: { type: String },
    mode: { type: String, reflect: true },
    context: { attribute: false },
    progress: { state: true },
  };

  static override styles = [
    baseStyles,
    cryptoFormStyles,
    css`
      output {
        display: block;
        white-space: pre-wrap;
        padding: 0.6rem 0.75rem;
        border-radius: var(--_radius);
        background: color-mix(in srgb, var(--_ok) 9%, var(--_paper));
        border: 1px solid color-mix(in srgb, var(--_ok) 35%, transparent);
        overflow-wrap: anywhere;
      }
      .status.error {
        padding: 0.5rem 0.75rem;
        border-radius: var(--_radius);
        background: color-mix(in srgb, var(--_bad) 8%, var(--_paper));
        border: 1px solid color-mix(in srgb, var(--_bad) 35%, transparent);
      }
      h3 {
        font-size: 1em;
        margin: 0.75rem 0 0.4rem;
      }
    `,
  ];

  /** The message as base64 (notes); files are chosen in the element. */
  declare message: string;
  /** Decrypt through this region's KMS; empty for the regions the message's key ARNs name. */
  declare region: string;
  declare mode: 'text' | 'file';
  /** The initial pairs the message must carry. */
  declare context: Record<string, string>;
  declare progress: FileProgress | undefined;

  readonly #kit = new KitConsumer(this);
  #url: string | undefined;
  readonly #decrypt = new ActionController(this, async (signal, input: { bytes?: Uint8Array<ArrayBuffer>; file?: File; context: Record<string, string> }): Promise<Decrypted> => {
    const kit = this.#kit.require();
    const options = { encryptionContext: input.context, region: this.region || undefined };
    if (input.file) {
      this.progress = { done: 0, total: input.file.size };
      const header = await headerOf(input.file);
      const blob = await kit.decryptFile(input.file, options, { signal, onProgress: (p) => (this.progress = p) });
      return { plaintext: blob, header, region: options.region, name: input.file.name.replace(/\.encrypted$/, '') || 'decrypted' };
    }
    const { plaintext, header } = await kit.decrypt(input.bytes!, options);
    return { plaintext: new TextDecoder().decode(plaintext), header, region: options.region };
  });

  constructor() {
    super();
    this.message = '';
    this.region = '';
    this.mode = 'text';
    this.context = {};
    this.progress = undefined;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.#url) URL.revokeObjectURL(this.#url);
    this.#url = undefined;
  }

  /** Why the pasted text cannot be decrypted, before asking the worker. */
  get inputProblem(): string | undefined {
    if (this.mode !== 'text') return undefined;
    if (this.message.trim() === '') return 'Paste an encrypted message (base64) first.';
    return decodeBase64(this.message) ? undefined : 'That is not base64: copy the whole encrypted message.';
  }

  async #onDecrypt(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const editor = this.renderRoot.querySelector<EkContextEditor>('ek-context-editor');
    if (editor && !editor.valid) return;
    const context = editor?.context ?? this.context;
    let input: { bytes?: Uint8Array<ArrayBuffer>; file?: File; context: Record<string, string> };
    if (this.mode === 'file') {
      const file = this.renderRoot.querySelector<HTMLInputElement>('#file')?.files?.[0];
      if (!file) return;
      input = { file, context };
    } else {
      // A fresh copy each time: the kit transfers (detaches) the bytes it is given.
      const bytes = decodeBase64(this.message);
      if (!bytes) return;
      input = { bytes, context };
    }
    const result = await this.#decrypt.run(input);
    this.progress = undefined;
    this.#kit.changed();
    if (!result) {
      fire(this, 'ek-error', { operation: this.mode === 'file' ? 'decryptFile' : 'decrypt', error: this.#decrypt.error });
      return;
    }
    if (this.#url) URL.revokeObjectURL(this.#url);
    this.#url = result.plaintext instanceof Blob ? URL.createObjectURL(result.plaintext) : undefined;
    // The link is rendered from #url, which is not a reactive property.
    this.requestUpdate();
    fire(this, 'ek-decrypted', { plaintext: result.plaintext, header: result.header, region: result.region });
  }

  override render() {
    const kit = this.#kit.kit;
    if (!kit) return html`<p class="muted" role="status">${this.#kit.state.error ? describeError(this.#kit.state.error) : 'Waiting for the kit…'}</p>`;
    const running = this.#decrypt.pending;
    const problem = this.inputProblem;
    return html`<form class="stack" @submit=${this.#onDecrypt} aria-label="Decrypt">
      <fieldset class="modes">
        <legend class="sr-only">What to decrypt</legend>
        <label><input type="radio" name="mode" value="text" .checked=${this.mode === 'text'} @change=${() => (this.mode = 'text')} /> A note (base64)</label>
        <label><input type="radio" name="mode" value="file" .checked=${this.mode === 'file'} @change=${() => (this.mode = 'file')} /> An encrypted file</label>
      </fieldset>
      ${this.mode === 'text'
        ? html`<label for="message">Encrypted message (base64)</label>
            <textarea id="message" part="input" rows="4" spellcheck="false" aria-describedby="input-problem"
              .value=${this.message} @input=${(e: Event) => (this.message = (e.target as HTMLTextAreaElement).value)}></textarea>
            <p id="input-problem" class="muted">${problem ?? ""}</p>`
        : html`<label for="file">Encrypted file</label><input id="file" part="input" type="file" />`}
      <ek-context-editor label="Required encryption context" .context=${this.context}></ek-context-editor>
      <div class="row">
        <label for="region">Use the KMS in</label>
        <select id="region" @change=${(e: Event) => (this.region = (e.target as HTMLSelectElement).value)}>
          <option value="" ?selected=${this.region === ''}>the key’s own region</option>
          ${kit.regions.map((r) => html`<option value=${r} ?selected=${r === this.region}>${r}</option>`)}
        </select>
      </div>
      <div class="row">
        <button class="primary" type="submit" ?disabled=${running || problem !== undefined}>${running ? 'Decrypting…' : 'Decrypt'}</button>
      </div>
      ${fileProgress(this.progress, running && this.mode === 'file', () => this.#decrypt.abort(new DOMException('cancelled', 'AbortError')))}
      <p part="status" class="status ${this.#decrypt.status === 'error' ? 'error' : 'ok'}" role=${this.#decrypt.status === 'error' ? 'alert' : 'status'} aria-live="polite">
        ${this.#decrypt.render({
          pending: () => 'Decrypting in the worker…',
          complete: (r) => `Decrypted${r.region ? ` through ${r.region}` : ''}: the context matched and the message is intact.`,
          error: (e) => `Decryption failed. ${describeError(e)}`,
        }) ?? ''}
      </p>
      ${this.#decrypt.render({ complete: (r) => this.#renderResult(r) }) ?? nothing}
    </form>`;
  }

  #renderResult(result: Decrypted) {
    return html`${typeof result.plaintext === 'string'
        ? html`<label for="output">Decrypted note</label><output id="output" part="output">${result.plaintext}</output>`
        : html`<a class="download" href=${this.#url ?? ''} download=${result.name ?? 'decrypted'}>Download ${result.name} (${formatBytes(result.plaintext.size)})</a>`}
      ${result.header ? html`<h3>Message header</h3><ek-message-header .header=${result.header}></ek-message-header>` : nothing}`;
  }
}
