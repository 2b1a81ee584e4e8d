import { LitElement, html, css } from 'lit';
import { baseStyles } from './styles.js';
import { fire } from './events.js';

interface Pair {
  key: string;
  value: string;
}

/**
 * An encryption-context editor: rows of key/value pairs, added and removed with buttons. Keys must
 * be unique and non-empty, and the `aws-crypto-` prefix is reserved by the message format, so those
 * rows are flagged before any call is made.
 *
 * @tagname ek-context-editor
 * @fires ek-context-change - on every edit: `{ context, valid }`.
 * @csspart row - one pair's row.
 * @csspart add - the "Add pair" button.
 * @cssprop --ek-line - border colour.
 *
 * @example
 * ```html
 * <ek-context-editor label="Encryption context"></ek-context-editor>
 * <script type="module">
 *   const editor = document.querySelector('ek-context-editor');
 *   editor.context = { purpose: 'notes' };
 *   editor.addEventListener('ek-context-change', (e) => console.log(e.detail.context));
 * </script>
 * ```
 */
export class EkContextEditor extends LitElement {
  static override properties = {
    label: { type: String },
    pairs: { state: true },
  };

  static override styles = [
    baseStyles,
    css`
      fieldset {
        border: 1px solid var(--_line);
        border-radius: var(--_radius);
        padding: 0.5rem 0.75rem 0.75rem;
        margin: 0;
      }
      legend {
        font-weight: 600;
        font-size: 0.92em;
        padding: 0 0.25rem;
      }
      .pair {
        display: grid;
        grid-template-columns: minmax(0, 1fr) minmax(0, 1fr) auto;
        gap: 0.4rem;
        margin-bottom: 0.4rem;
      }
      .pair input {
        width: 100%;
      }
      .invalid {
        border-color: var(--_bad);
      }
      .problem {
        color: var(--_bad);
        font-size: 0.9em;
        margin: 0 0 0.4rem;
      }
    `,
  ];

  declare label: string;
  declare pairs: Pair[];

  constructor() {
    super();
    this.label = 'Encryption context';
    this.pairs = [];
  }

  /** The pairs as a map (the last of duplicate keys wins; {@link valid} is false then). */
  get context(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const { key, value } of this.pairs) if (key !== '') out[key] = value;
    return out;
  }

  set context(value: Record<string, string>) {
    this.pairs = Object.entries(value ?? {}).map(([key, v]) => ({ key, value: v }));
  }

  /** Why the pairs cannot be used, or undefined when they can. */
  get problem(): string | undefined {
    const seen = new Set<string>();
    for (const { key } of this.pairs) {
      if (key === '') return 'Every pair needs a key (remove empty rows).';
      if (key.startsWith('aws-crypto-')) return `“${key}”: keys starting with aws-crypto- are reserved by the message format.`;
      if (seen.has(key)) return `“${key}” appears twice: keys must be unique.`;
      seen.add(key);
    }
    return undefined;
  }

  get valid(): boolean {
    return this.problem === undefined;
  }

  #edit(index: number, member: keyof Pair, value: string): void {
    this.pairs = this.pairs.map((pair, i) => (i === index ? { ...pair, [member]: value } : pair));
    this.#changed();
  }

  #add(): void {
    this.pairs = [...this.pairs, { key: '', value: '' }];
    this.#changed();
    // Focus the new row's key so keyboard users can type at once.
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLInputElement>('.pair:last-of-type input')?.focus());
  }

  #remove(index: number): void {
    this.pairs = this.pairs.filter((_, i) => i !== index);
    this.#changed();
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('button.add')?.focus());
  }

  #changed(): void {
    fire(this, 'ek-context-change', { context: this.context, valid: this.valid });
  }

  override render() {
    const problem = this.problem;
    return html`<fieldset>
      <legend>${this.label}</legend>
      ${this.pairs.length === 0 ? html`<p class="muted">No pairs: the message will carry an empty context.</p>` : ''}
      ${this.pairs.map(
        (pair, i) => html`<div class="pair" part="row">
          <input
            aria-label="Key ${i + 1}"
            placeholder="key"
            .value=${pair.key}
            class=${pair.key === '' ? 'invalid' : ''}
            @input=${(e: Event) => this.#edit(i, 'key', (e.target as HTMLInputElement).value)}
          />
          <input
            aria-label="Value ${i + 1}"
            placeholder="value"
            .value=${pair.value}
            @input=${(e: Event) => this.#edit(i, 'value', (e.target as HTMLInputElement).value)}
          />
          <button type="button" aria-label="Remove pair ${i + 1}${pair.key ? ` (${pair.key})` : ''}" @click=${() => this.#remove(i)}>Remove</button>
        </div>`,
      )}
      <p class="problem" role="alert">${problem ?? ''}</p>
      <button type="button" class="add" part="add" @click=${() => this.#add()}>Add pair</button>
    </fieldset>`;
  }
}
