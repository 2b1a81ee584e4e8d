import { LitElement, html, css, nothing } from 'lit';
import { ActionController } from './task.js';
import { KitConsumer } from './kit-context.js';
import { describeError } from './describe-error.js';
import { fire } from './events.js';
import { baseStyles, fieldGridStyles } from './styles.js';
import { keyLabel, listRegionKeys, regionality, type KeyEntry } from './key-list.js';
import type { KeyMetadata } from '../kms/types.js';

/**
 * The keys of one region: a form to create a key (optionally multi-Region, with an alias), the list
 * of keys with their state, and `<ek-key-details>` for the selected one (enable/disable, rotate,
 * deletion, aliases, replication and the key policy).
 *
 * @tagname ek-key-manager
 * @fires ek-key-change - a key was created: `{ action: 'create', region, keyId, metadata }` (details fire the others).
 * @fires ek-key-select - a key was selected: `{ region, keyId, arn }`.
 * @fires ek-error - a call failed: `{ operation, error }`.
 * @csspart create - the create-key form.
 * @csspart list - the keys table.
 * @csspart status - the aria-live line with results and errors.
 * @cssprop --ek-accent - buttons and the selected row.
 *
 * @example
 * ```html
 * <ek-kit><ek-key-manager region="us-east-1"></ek-key-manager></ek-kit>
 * ```
 */
export class EkKeyManager extends LitElement {
  static override properties = {
    region: { type: String, reflect: true },
    selected: { type: String },
  };

  static override styles = [
    baseStyles,
    fieldGridStyles,
    css`
      .check {
        display: flex;
        gap: 0.4rem;
        align-items: center;
      }
      tr[aria-selected='true'] td {
        background: color-mix(in srgb, var(--_accent) 10%, transparent);
      }
      td[class^='state-'] {
        white-space: nowrap;
        overflow-wrap: normal;
      }
      .state-Enabled {
        color: var(--_ok);
      }
      .state-Disabled,
      .state-PendingDeletion,
      .state-PendingReplicaDeletion {
        color: var(--_bad);
      }
      .table-wrap {
        overflow-x: auto;
        position: relative;
      }
      /* Narrow screens scroll the table inside its box rather than squeezing ids a letter per line. */
      .table-wrap table {
        min-width: 30rem;
      }
    `,
  ];

  declare region: string;
  /** The selected key's id. */
  declare selected: string;

  readonly #kit = new KitConsumer(this);
  #seenRevision = -1;
  readonly #load = new ActionController(this, (signal) => listRegionKeys(this.#kit.require(), this.#regionName(), signal));
  readonly #create = new ActionController(this, async (_signal, input: { description: string; alias: string; multiRegion: boolean }): Promise<KeyMetadata> => {
    const kms = this.#kit.require().kms(this.#regionName());
    const { KeyMetadata } = await kms.createKey({ Description: input.description, MultiRegion: input.multiRegion });
    if (input.alias) await kms.createAlias({ AliasName: input.alias, TargetKeyId: KeyMetadata.KeyId });
    return KeyMetadata;
  });

  constructor() {
    super();
    this.region = '';
    this.selected = '';
  }

  #regionName(): string {
    return this.region || this.#kit.kit?.regions[0] || 'us-east-1';
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    const { kit, revision } = this.#kit.state;
    if (kit && (revision !== this.#seenRevision || changed.has('region'))) {
      this.#seenRevision = revision;
      void this.#load.run();
    }
  }

  async #onCreate(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    let alias = String(data.get('alias') ?? '').trim();
    if (alias && !alias.startsWith('alias/')) alias = `alias/${alias}`;
    const metadata = await this.#create.run({ description: String(data.get('description') ?? ''), alias, multiRegion: data.get('multi-region') === 'on' });
    if (!metadata) {
      fire(this, 'ek-error', { operation: 'createKey', error: this.#create.error });
      return;
    }
    form.reset();
    fire(this, 'ek-key-change', { action: 'create', region: this.#regionName(), keyId: metadata.KeyId, metadata });
    this.#select(metadata);
    this.#kit.changed();
  }

  #select(metadata: KeyMetadata): void {
    this.selected = metadata.KeyId;
    fire(this, 'ek-key-select', { region: this.#regionName(), keyId: metadata.KeyId, arn: metadata.Arn });
  }

  #onRegion(event: Event): void {
    this.region = (event.target as HTMLSelectElement).value;
    this.selected = '';
  }

  override render() {
    const kit = this.#kit.kit;
    if (!kit) return html`<p class="muted" role="status">${this.#kit.state.error ? describeError(this.#kit.state.error) : 'Waiting for the kit…'}</p>`;
    const region = this.#regionName();
    const keys = this.#load.value ?? [];
    const selected = keys.find((k) => k.metadata.KeyId === this.selected);
    return html`<div class="stack">
      <div class="row">
        <label for="region">Region</label>
        <select id="region" .value=${region} @change=${this.#onRegion}>
          ${kit.regions.map((r) => html`<option value=${r} ?selected=${r === region}>${r}</option>`)}
        </select>
      </div>
      <form part="create" @submit=${this.#onCreate} aria-label="Create a KMS key in ${region}">
        <label>Description <input name="description" placeholder="e.g. notes" autocomplete="off" /></label>
        <label>Alias (optional) <input name="alias" placeholder="alias/notes" autocomplete="off" /></label>
        <span class="check"><input type="checkbox" id="mrk" name="multi-region" checked /><label for="mrk">Multi-Region (can be replicated)</label></span>
        <button class="primary" type="submit" ?disabled=${this.#create.pending}>${this.#create.pending ? 'Creating…' : 'Create key'}</button>
      </form>
      <p part="status" class="status ${this.#create.error ? 'error' : ''}" role="status" aria-live="polite">
        ${this.#create.render({
          pending: () => `Creating a key in ${region}…`,
          complete: (m) => `Created ${m.KeyId} in ${region}.`,
          error: (e) => describeError(e),
        }) ?? ''}
      </p>
      ${this.#renderList(keys, region)}
      ${selected ? html`<ek-key-details .region=${region} .keyId=${selected.metadata.KeyId}></ek-key-details>` : nothing}
    </div>`;
  }

  #renderList(keys: readonly KeyEntry[], region: string) {
    if (this.#load.status === 'error') return html`<p class="status error" role="alert">Could not list keys: ${describeError(this.#load.error)}</p>`;
    if (keys.length === 0) {
      return html`<p class="muted" aria-busy=${this.#load.pending ? 'true' : 'false'}>${this.#load.pending ? 'Loading keys…' : `No keys in ${region} yet: create one above.`}</p>`;
    }
    return html`<div class="table-wrap"><table part="list" aria-label="Keys in ${region}">
      <thead><tr><th scope="col">key</th><th scope="col">state</th><th scope="col">kind</th><th scope="col"><span class="sr-only">select</span></th></tr></thead>
      <tbody>
        ${keys.map(
          (entry) => html`<tr aria-selected=${entry.metadata.KeyId === this.selected ? 'true' : 'false'}>
            <td><strong>${keyLabel(entry)}</strong><br /><code class="muted">${entry.metadata.KeyId}</code>${entry.metadata.Description ? html`<br /><span class="muted">${entry.metadata.Description}</span>` : nothing}</td>
            <td class="state-${entry.metadata.KeyState}">${entry.metadata.KeyState}</td>
            <td>${regionality(entry.metadata)}</td>
            <td><button type="button" aria-pressed=${entry.metadata.KeyId === this.selected ? 'true' : 'false'} aria-label="Manage ${keyLabel(entry)}" @click=${() => this.#select(entry.metadata)}>Manage</button></td>
          </tr>`,
        )}
      </tbody>
    </table></div>`;
  }
}
