import { LitElement, html, css, nothing } from 'lit';
import { ActionController } from './task.js';
import { KitConsumer } from './kit-context.js';
import { describeError } from './describe-error.js';
import { fire, type KeyAction } from './events.js';
import { baseStyles } from './styles.js';
import { regionality } from './key-list.js';
import type { KeyMetadata, RotationsListEntry } from '../kms/types.js';

interface Described {
  readonly metadata: KeyMetadata;
  readonly rotations: readonly RotationsListEntry[];
  readonly aliases: readonly string[];
}

/**
 * One KMS key: its metadata (DescribeKey) and what can be done to it: enable or disable, rotate
 * its material now, schedule or cancel deletion, add an alias, replicate a multi-Region primary to
 * another region, and edit its key policy (`<ek-key-policy>`).
 *
 * @tagname ek-key-details
 * @fires ek-key-change - after each action: `{ action, region, keyId }`.
 * @fires ek-error - a call failed: `{ operation, error }`.
 * @csspart metadata - the description list of the key.
 * @csspart actions - the action buttons.
 * @csspart status - the aria-live line with results and errors.
 * @cssprop --ek-soft - background of the panel.
 *
 * @example
 * ```html
 * <ek-key-details region="us-east-1" key-id="mrk-1234abcd12ab34cd56ef1234567890ab"></ek-key-details>
 * ```
 */
export class EkKeyDetails extends LitElement {
  static override properties = {
    region: { type: String },
    keyId: { type: String, attribute: 'key-id' },
  };

  static override styles = [
    baseStyles,
    css`
      :host {
        border: 1px solid var(--_line);
        border-radius: var(--_radius);
        padding: 0.75rem;
        background: var(--_soft);
      }
      h3 {
        margin: 0 0 0.5rem;
        font-size: 1em;
      }
      dl {
        display: grid;
        grid-template-columns: max-content minmax(0, 1fr);
        gap: 0.2rem 1rem;
        margin: 0 0 0.75rem;
      }
      dt {
        color: var(--_muted);
      }
      dd {
        margin: 0;
        min-width: 0;
      }
      fieldset {
        border: none;
        padding: 0;
        margin: 0;
      }
      input[type='number'] {
        width: 4.5rem;
      }
    `,
  ];

  declare region: string;
  declare keyId: string;

  readonly #kit = new KitConsumer(this);
  #seen = '';
  readonly #describe = new ActionController(this, async (): Promise<Described> => {
    const kms = this.#kit.require().kms(this.region);
    const { KeyMetadata } = await kms.describeKey({ KeyId: this.keyId });
    const [rotations, aliases] = await Promise.all([
      kms.listKeyRotations({ KeyId: this.keyId }).then((r) => r.Rotations, () => []),
      kms.listAliases({ KeyId: this.keyId }).then((r) => r.Aliases.map((a) => a.AliasName)),
    ]);
    return { metadata: KeyMetadata, rotations, aliases };
  });
  readonly #act = new ActionController(this, async (_signal, action: KeyAction, call: () => Promise<unknown>, done: string) => {
    await call();
    return { action, done };
  });

  constructor() {
    super();
    this.region = '';
    this.keyId = '';
  }

  protected override willUpdate(): void {
    const { kit, revision } = this.#kit.state;
    const key = `${revision}|${this.region}|${this.keyId}`;
    if (kit && this.keyId && key !== this.#seen) {
      this.#seen = key;
      void this.#describe.run();
    }
  }

  async #run(action: KeyAction, operation: string, call: () => Promise<unknown>, done: string): Promise<void> {
    const result = await this.#act.run(action, call, done);
    if (!result) {
      fire(this, 'ek-error', { operation, error: this.#act.error });
      return;
    }
    fire(this, 'ek-key-change', { action, region: this.region, keyId: this.keyId });
    this.#kit.changed();
  }

  override render() {
    const described = this.#describe.value;
    if (!described || described.metadata.KeyId !== this.keyId) {
      return this.#describe.render({
        pending: () => html`<p class="muted">Loading the key…</p>`,
        error: (e) => html`<p class="status error" role="alert">${describeError(e)}</p>`,
      }) ?? nothing;
    }
    const { metadata: m, rotations, aliases } = described;
    const kms = this.#kit.require().kms(this.region);
    const id = { KeyId: m.KeyId };
    const busy = this.#act.pending;
    const pendingDeletion = m.KeyState === 'PendingDeletion' || m.KeyState === 'PendingReplicaDeletion';
    const isPrimary = m.MultiRegion && m.MultiRegionConfiguration?.MultiRegionKeyType === 'PRIMARY';
    const replicaRegions = new Set(m.MultiRegionConfiguration?.ReplicaKeys.map((k) => k.Region) ?? []);
    const targets = this.#kit.kit!.regions.filter((r) => r !== this.region && !replicaRegions.has(r));
    return html`<section aria-labelledby="title">
      <h3 id="title">Key ${aliases[0] ?? m.KeyId}</h3>
      <dl part="metadata">
        <dt>ARN</dt><dd><code>${m.Arn}</code></dd>
        <dt>State</dt><dd>${m.KeyState}${m.DeletionDate ? ` (deleted on ${new Date(m.DeletionDate).toISOString().slice(0, 10)})` : ''}</dd>
        <dt>Kind</dt><dd>${regionality(m)}, ${m.KeySpec}</dd>
        ${m.MultiRegion
          ? html`<dt>Replicas</dt><dd>${[m.MultiRegionConfiguration?.PrimaryKey.Region, ...replicaRegions].filter(Boolean).join(', ')}</dd>`
          : nothing}
        <dt>Aliases</dt><dd>${aliases.length ? aliases.join(', ') : html`<span class="muted">none</span>`}</dd>
        <dt>Key material</dt><dd>${rotations.length === 0 ? 'original (never rotated)' : `rotated ${rotations.length}×; earlier material is kept to unwrap older data keys`}</dd>
      </dl>
      <fieldset part="actions" class="stack" ?disabled=${busy}>
        <legend class="sr-only">Actions on this key</legend>
        <div class="row">
          ${m.Enabled
            ? html`<button type="button" @click=${() => this.#run('disable', 'disableKey', () => kms.disableKey(id), 'Key disabled.')}>Disable</button>`
            : html`<button type="button" ?disabled=${pendingDeletion} @click=${() => this.#run('enable', 'enableKey', () => kms.enableKey(id), 'Key enabled.')}>Enable</button>`}
          <button type="button" ?disabled=${!m.Enabled || (m.MultiRegion && !isPrimary)} title=${m.MultiRegion && !isPrimary ? 'Rotate the primary: replicas follow it' : ''}
            @click=${() => this.#run('rotate', 'rotateKeyOnDemand', () => kms.rotateKeyOnDemand(id), 'Rotated: new messages use new key material; old messages still decrypt.')}>Rotate now</button>
          ${pendingDeletion
            ? html`<button type="button" @click=${() => this.#run('cancel-deletion', 'cancelKeyDeletion', () => kms.cancelKeyDeletion(id), 'Deletion cancelled; the key is disabled until you enable it.')}>Cancel deletion</button>`
            : html`<label for="days">Delete after</label>
                <input id="days" type="number" min="7" max="30" value="7" aria-describedby="days-unit" /><span id="days-unit">days</span>
                <button type="button" @click=${() => this.#scheduleDeletion()}>Schedule deletion</button>`}
        </div>
        <div class="row">
          <label for="alias">New alias</label>
          <input id="alias" placeholder="alias/notes" autocomplete="off" @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && this.#addAlias()} />
          <button type="button" @click=${() => this.#addAlias()}>Add alias</button>
        </div>
        ${isPrimary
          ? html`<div class="row">
              <label for="replica">Replicate to</label>
              <select id="replica" ?disabled=${targets.length === 0}>
                ${targets.length ? targets.map((r) => html`<option value=${r}>${r}</option>`) : html`<option>every region has a replica</option>`}
              </select>
              <button type="button" ?disabled=${targets.length === 0} @click=${() => this.#replicate()}>Replicate</button>
            </div>`
          : nothing}
      </fieldset>
      <p part="status" class="status ${this.#act.error ? 'error' : 'ok'}" role="status" aria-live="polite">
        ${this.#act.render({ pending: () => 'Working…', complete: (r) => r.done, error: (e) => describeError(e) }) ?? ''}
      </p>
      <details>
        <summary>Key policy</summary>
        <ek-key-policy .region=${this.region} .keyId=${m.KeyId}></ek-key-policy>
      </details>
    </section>`;
  }

  #input(id: string): HTMLInputElement | HTMLSelectElement {
    return this.renderRoot.querySelector<HTMLInputElement | HTMLSelectElement>(`#${id}`)!;
  }

  #scheduleDeletion(): void {
    const days = Number(this.#input('days').value);
    const kms = this.#kit.require().kms(this.region);
    void this.#run('schedule-deletion', 'scheduleKeyDeletion', () => kms.scheduleKeyDeletion({ KeyId: this.keyId, PendingWindowInDays: days }), `Deletion scheduled in ${days} days; cancel it any time before.`);
  }

  #addAlias(): void {
    const input = this.#input('alias');
    let name = input.value.trim();
    if (!name) return;
    if (!name.startsWith('alias/')) name = `alias/${name}`;
    const kms = this.#kit.require().kms(this.region);
    void this.#run('alias', 'createAlias', () => kms.createAlias({ AliasName: name, TargetKeyId: this.keyId }), `Alias ${name} now points at this key.`).then(() => {
      if (this.#act.status === 'complete') input.value = '';
    });
  }

  #replicate(): void {
    const region = this.#input('replica').value;
    const kms = this.#kit.require().kms(this.region);
    void this.#run('replicate', 'replicateKey', () => kms.replicateKey({ KeyId: this.keyId, ReplicaRegion: region }), `Replicated to ${region}: the same key id and material, usable there.`);
  }
}
