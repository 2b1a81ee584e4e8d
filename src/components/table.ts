import { LitElement, html, css, nothing } from 'lit';
import { ActionController } from './task.js';
import { KitConsumer } from './kit-context.js';
import { describeError } from './describe-error.js';
import { fire } from './events.js';
import { baseStyles } from './styles.js';
import type { KitTable, TableItem } from '../client/tables/kit-table.js';
import type { KitTableConfig } from '../client/tables/protocol.js';
import type { AttributeValue } from '../records/attribute-values.js';

/** `<ek-table>`'s schema: a kit table's configuration without the branch key, which the element finds or creates. */
export type EkTableSchema = Omit<KitTableConfig, 'branchKeyId'>;

/**
 * The default schema: notes whose title and body are encrypted, the title searchable through an
 * 8-bit beacon (short on purpose: different titles share beacons, and the element shows only
 * the real matches), and a signed, plaintext creation time.
 */
export const NOTES_SCHEMA: EkTableSchema = Object.freeze<EkTableSchema>({
  partitionKeyName: 'id',
  attributeActionsOnEncrypt: { id: 'SIGN_ONLY', title: 'ENCRYPT_AND_SIGN', body: 'ENCRYPT_AND_SIGN', created: 'SIGN_ONLY' },
  algorithmSuiteId: 0x6701,
  beacons: { standardBeacons: [{ name: 'title', length: 8 }] },
});


/** An attribute value as text for a cell: strings and numbers as they are, anything else as JSON. */
function cell(value: AttributeValue | undefined): string {
  if (value === undefined) return '';
  if ('S' in value) return value.S;
  if ('N' in value) return value.N;
  if ('BOOL' in value) return String(value.BOOL);
  if ('NULL' in value) return 'null';
  if ('B' in value) return `${value.B.length} bytes`;
  return JSON.stringify(value);
}

/**
 * An encrypted table of the kit: lists its items, adds new ones and searches them through beacons.
 * Items are encrypted in the kit's worker (DB-ESDK item format) under the table's branch key: the
 * one in `branch-key-id`, or the one the table made on its first write (under the KMS key `key-id`,
 * or a new KMS key) and keeps in its database. The page holds only plaintext it asked for.
 *
 * @tagname ek-table
 * @attr table - the table's name (default `notes`).
 * @attr key-id - the KMS key (id, ARN or alias) for the branch key the table makes on its first write.
 * @attr branch-key-id - an existing branch key of the kit (then `key-id` is not used).
 * @fires ek-table-change - an item was added or deleted: `{ table, action, key }`.
 * @fires ek-error - a call failed: `{ operation, error }`.
 * @csspart form - the form that adds an item.
 * @csspart search - the beacon search form.
 * @csspart items - the table of items.
 * @cssprop --ek-accent - accent colour of the buttons.
 *
 * @example
 * ```html
 * <ek-kit name="my-app"><ek-table table="notes" key-id="alias/notes"></ek-table></ek-kit>
 * ```
 */
export class EkTable extends LitElement {
  static override properties = {
    table: { type: String },
    keyId: { type: String, attribute: 'key-id' },
    branchKeyId: { type: String, attribute: 'branch-key-id' },
    schema: { attribute: false },
    query: { state: true },
  };

  static override styles = [
    baseStyles,
    css`
      form {
        display: grid;
        gap: 0.5rem;
        margin-bottom: 0.75rem;
      }
      label {
        display: grid;
        gap: 0.15rem;
        font-size: 0.9em;
      }
      input,
      textarea,
      select {
        font: inherit;
        padding: 0.3rem 0.45rem;
        border: 1px solid var(--_line);
        border-radius: var(--_radius);
      }
      .lock {
        color: var(--_ok);
        font-size: 0.8em;
      }
      td {
        overflow-wrap: anywhere;
      }
    `,
  ];

  declare table: string;
  declare keyId: string | undefined;
  declare branchKeyId: string | undefined;
  /** The table's configuration without `branchKeyId`; default {@link NOTES_SCHEMA}. */
  declare schema: EkTableSchema;
  /** The search in effect (beacon name and value), or undefined for the whole table. */
  declare query: { readonly beacon: string; readonly value: string } | undefined;

  readonly #kit = new KitConsumer(this);
  #settings = 0;
  #requested = '';
  #handle: { readonly key: string; readonly table: KitTable } | undefined;

  readonly #load = new ActionController(this, async (_signal): Promise<TableItem[]> => {
    const table = this.#table();
    const items = this.query ? await table.query({ beacon: { [this.query.beacon]: this.query.value } }) : await table.scan();
    const key = this.schema.partitionKeyName;
    return items.sort((a, b) => cell(b.created ?? b[key]).localeCompare(cell(a.created ?? a[key]), 'en', { numeric: true }));
  });
  readonly #put = new ActionController(this, async (_signal, item: TableItem) => {
    await this.#table().put(item);
    return item;
  });
  readonly #delete = new ActionController(this, async (_signal, key: TableItem) => {
    await this.#table().delete(key);
    return key;
  });

  constructor() {
    super();
    this.table = 'notes';
    this.schema = NOTES_SCHEMA;
    this.query = undefined;
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('table') || changed.has('schema') || changed.has('branchKeyId') || changed.has('keyId')) {
      this.#handle = undefined;
      this.#settings++;
    }
    const { kit, revision } = this.#kit.state;
    if (!kit) return;
    // one load per change of what is shown (not per render: a load's own updates render too)
    const wanted = JSON.stringify([revision, this.#settings, this.query ?? null]);
    if (wanted !== this.#requested) {
      this.#requested = wanted;
      void this.#load.run();
    }
  }

  /** The kit's table (the worker makes its branch key on the first write, not here). */
  #table(): KitTable {
    const kit = this.#kit.require();
    const config: KitTableConfig = { ...this.schema, ...(this.keyId ? { keyId: this.keyId } : {}), ...(this.branchKeyId ? { branchKeyId: this.branchKeyId } : {}) };
    const key = JSON.stringify([this.table, config]);
    if (this.#handle?.key !== key) this.#handle = { key, table: kit.table(this.table, config) };
    return this.#handle.table;
  }

  /** The attributes the form asks for: every configured one but the partition key, which is generated. */
  #fields(): string[] {
    return Object.entries(this.schema.attributeActionsOnEncrypt)
      .filter(([name, action]) => name !== this.schema.partitionKeyName && name !== 'created' && action !== 'DO_NOTHING')
      .map(([name]) => name);
  }

  async #add(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const item: Record<string, AttributeValue> = { [this.schema.partitionKeyName]: { S: crypto.randomUUID() } };
    if ('created' in this.schema.attributeActionsOnEncrypt) item.created = { N: String(Date.now()) };
    for (const name of this.#fields()) {
      const value = String(data.get(name) ?? '');
      if (value !== '') item[name] = { S: value };
    }
    const done = await this.#put.run(item);
    if (!done) {
      fire(this, 'ek-error', { operation: 'table.put', error: this.#put.error });
      return;
    }
    form.reset();
    fire(this, 'ek-table-change', { table: this.table, action: 'put', key: { [this.schema.partitionKeyName]: item[this.schema.partitionKeyName]! } });
    void this.#load.run();
  }

  async #remove(item: TableItem): Promise<void> {
    const key = { [this.schema.partitionKeyName]: item[this.schema.partitionKeyName]! };
    if (this.schema.sortKeyName) key[this.schema.sortKeyName] = item[this.schema.sortKeyName]!;
    const done = await this.#delete.run(key);
    if (!done) {
      fire(this, 'ek-error', { operation: 'table.delete', error: this.#delete.error });
      return;
    }
    fire(this, 'ek-table-change', { table: this.table, action: 'delete', key });
    void this.#load.run();
  }

  #search(event: SubmitEvent): void {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const value = String(data.get('value') ?? '');
    this.query = value === '' ? undefined : { beacon: String(data.get('beacon')), value };
  }

  override render() {
    const kit = this.#kit.kit;
    if (!kit) return html`<p class="muted" role="status">${this.#kit.state.error ? describeError(this.#kit.state.error) : 'Waiting for the kit…'}</p>`;
    const fields = this.#fields();
    const beacons = [...(this.schema.beacons?.standardBeacons ?? []).map((b) => b.name), ...(this.schema.beacons?.compoundBeacons ?? []).map((b) => b.name)];
    const columns = Object.keys(this.schema.attributeActionsOnEncrypt).filter((n) => n !== this.schema.partitionKeyName);
    const busy = this.#put.pending || this.#delete.pending;
    return html`
      <form part="form" aria-label="Add an item to ${this.table}" @submit=${(e: SubmitEvent) => this.#add(e)}>
        ${fields.map(
          (name) => html`<label
            >${name}
            ${this.schema.attributeActionsOnEncrypt[name] === 'ENCRYPT_AND_SIGN' ? html`<span class="lock">encrypted</span>` : html`<span class="muted">signed, in clear</span>`}
            ${name === 'body' ? html`<textarea name=${name} rows="2"></textarea>` : html`<input name=${name} autocomplete="off" />`}
          </label>`,
        )}
        <div class="row"><button type="submit" ?disabled=${busy}>Add</button></div>
      </form>
      ${beacons.length > 0
        ? html`<form part="search" role="search" aria-label="Search ${this.table}" @submit=${(e: SubmitEvent) => this.#search(e)}>
            <div class="row">
              <label class="sr-only" for="beacon">Beacon</label>
              <select id="beacon" name="beacon">${beacons.map((b) => html`<option value=${b} ?selected=${this.query?.beacon === b}>${b}</option>`)}</select>
              <label class="sr-only" for="value">Value</label>
              <input id="value" name="value" placeholder="exact value" .value=${this.query?.value ?? ''} autocomplete="off" />
              <button type="submit">Search</button>
              ${this.query ? html`<button type="button" @click=${() => (this.query = undefined)}>Show all</button>` : nothing}
            </div>
          </form>`
        : nothing}
      <p class="status ${this.#load.status === 'error' || this.#put.status === 'error' || this.#delete.status === 'error' ? 'error' : ''}" role="status" aria-live="polite">
        ${this.#put.status === 'error'
            ? describeError(this.#put.error)
            : this.#delete.status === 'error'
              ? describeError(this.#delete.error)
              : (this.#load.render({
                  pending: () => 'Loading…',
                  complete: (items) => (this.query ? `${items.length} item${items.length === 1 ? '' : 's'} with ${this.query.beacon} = “${this.query.value}”.` : `${items.length} item${items.length === 1 ? '' : 's'}.`),
                  error: (e) => describeError(e),
                }) ?? '')}
      </p>
      ${this.#load.value && this.#load.value.length > 0
        ? html`<table part="items" aria-label="Items of ${this.table}">
            <thead><tr>${columns.map((c) => html`<th scope="col">${c}</th>`)}<th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
              ${this.#load.value.map(
                (item) => html`<tr>
                  ${columns.map((c) => html`<td>${c === 'created' && item[c] && 'N' in item[c]! ? new Date(Number(cell(item[c]))).toLocaleString() : cell(item[c])}</td>`)}
                  <td><button type="button" ?disabled=${busy} aria-label="Delete ${cell(item[fields[0] ?? this.schema.partitionKeyName])}" @click=${() => this.#remove(item)}>Delete</button></td>
                </tr>`,
              )}
            </tbody>
          </table>`
        : nothing}
    `;
  }
}
