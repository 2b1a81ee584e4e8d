import { LitElement, html, css } from 'lit';
import { ActionController } from './task.js';
import { KitConsumer } from './kit-context.js';
import { describeError } from './describe-error.js';
import { fire } from './events.js';
import { baseStyles } from './styles.js';

/**
 * A key-policy editor: loads the key's `default` policy, checks that the text is JSON as you type,
 * and saves with PutKeyPolicy. The KMS validates the document (statements, principals, the lockout
 * safety check) and its MalformedPolicyDocumentException message, which names the statement and
 * element at fault, is shown as it is.
 *
 * @tagname ek-key-policy
 * @fires ek-key-change - the policy was saved: `{ action: 'put-policy', region, keyId }`.
 * @fires ek-error - loading or saving failed: `{ operation, error }`.
 * @csspart editor - the policy textarea.
 * @csspart status - the aria-live validation line.
 * @cssprop --ek-mono - the editor's font.
 *
 * @example
 * ```html
 * <ek-key-policy region="us-east-1" key-id="1234abcd-12ab-34cd-56ef-1234567890ab"></ek-key-policy>
 * ```
 */
export class EkKeyPolicy extends LitElement {
  static override properties = {
    region: { type: String },
    keyId: { type: String, attribute: 'key-id' },
    draft: { state: true },
  };

  static override styles = [
    baseStyles,
    css`
      textarea {
        min-height: 14rem;
      }
    `,
  ];

  declare region: string;
  declare keyId: string;
  declare draft: string | undefined;

  readonly #kit = new KitConsumer(this);
  #loadedFor = '';
  readonly #load = new ActionController(this, async () => {
    const { Policy } = await this.#kit.require().kms(this.region).getKeyPolicy({ KeyId: this.keyId, PolicyName: 'default' });
    // Pretty-printed for editing; the KMS accepts any JSON whitespace.
    return JSON.stringify(JSON.parse(Policy), null, 2);
  });
  readonly #save = new ActionController(this, async (_signal, policy: string) => {
    await this.#kit.require().kms(this.region).putKeyPolicy({ KeyId: this.keyId, PolicyName: 'default', Policy: policy });
    return policy;
  });

  constructor() {
    super();
    this.region = '';
    this.keyId = '';
    this.draft = undefined;
  }

  protected override willUpdate(): void {
    const key = `${this.region}|${this.keyId}`;
    if (this.#kit.kit && this.keyId && key !== this.#loadedFor) {
      this.#loadedFor = key;
      this.draft = undefined;
      this.#save.reset();
      void this.#load.run();
    }
  }

  /** A local check before any call: JSON syntax only; everything else is the KMS's to judge. */
  get syntaxProblem(): string | undefined {
    if (this.draft === undefined) return undefined;
    try {
      JSON.parse(this.draft);
      return undefined;
    } catch (error) {
      return `Not valid JSON: ${(error as Error).message}`;
    }
  }

  async #onSave(): Promise<void> {
    const text = this.draft ?? this.#load.value;
    if (text === undefined || this.syntaxProblem) return;
    const saved = await this.#save.run(text);
    if (saved === undefined) {
      fire(this, 'ek-error', { operation: 'putKeyPolicy', error: this.#save.error });
      return;
    }
    fire(this, 'ek-key-change', { action: 'put-policy', region: this.region, keyId: this.keyId });
    this.#kit.changed();
  }

  override render() {
    if (this.#load.status === 'error') return html`<p class="status error" role="alert">Could not load the policy: ${describeError(this.#load.error)}</p>`;
    if (this.#load.value === undefined) return html`<p class="muted">Loading the policy…</p>`;
    const syntax = this.syntaxProblem;
    const message =
      syntax ??
      this.#save.render({
        pending: () => 'Saving…',
        complete: () => 'Policy saved.',
        error: (e) => describeError(e),
      }) ??
      '';
    const bad = syntax !== undefined || this.#save.status === 'error';
    return html`<div class="stack">
      <label for="policy">Key policy (JSON), name <code>default</code></label>
      <textarea id="policy" part="editor" spellcheck="false" aria-invalid=${bad ? 'true' : 'false'} aria-describedby="policy-status"
        .value=${this.draft ?? this.#load.value}
        @input=${(e: Event) => { this.draft = (e.target as HTMLTextAreaElement).value; this.#save.reset(); }}></textarea>
      <div class="row">
        <button type="button" class="primary" ?disabled=${syntax !== undefined || this.#save.pending} @click=${this.#onSave}>Save policy</button>
        <button type="button" ?disabled=${this.draft === undefined} @click=${() => { this.draft = undefined; this.#save.reset(); }}>Revert</button>
      </div>
      <p id="policy-status" part="status" class="status ${bad ? 'error' : this.#save.status === 'complete' ? 'ok' : ''}" role="status" aria-live="polite">${message}</p>
    </div>`;
  }
}
