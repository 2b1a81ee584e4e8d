import { LitElement, html, css, nothing } from 'lit';
import type { Kit } from '../client/kit.js';
import type { DescribeSecretResponse } from '../services/secrets-manager/types.js';
import { ActionController } from './task.js';
import { KitConsumer } from './kit-context.js';
import { describeError } from './describe-error.js';
import { fire, type SecretAction } from './events.js';
import { baseStyles, fieldGridStyles } from './styles.js';
import { sampleRotation, sampleRotationArn } from './sample-rotation.js';

/** Kits the sample rotation function is registered with (once per kit and region). */
const registered = new WeakMap<Kit, Set<string>>();

async function ensureSampleRotation(kit: Kit, region: string): Promise<string> {
  const arn = sampleRotationArn(kit.account, region);
  const done = registered.get(kit) ?? new Set<string>();
  if (!done.has(arn)) {
    await kit.registerRotationFunction(arn, sampleRotation);
    done.add(arn);
    registered.set(kit, done);
  }
  return arn;
}

interface SecretAct {
  readonly action: SecretAction;
  readonly name: string;
  readonly replicaRegion?: string;
}

/**
 * The secrets of one Region (Secrets Manager, through the kit's worker): a form to create a secret
 * (optionally replicated), the list with versions, replication status and deletion state, and per
 * secret: reveal the value on demand, rotate it with a sample rotation function, replicate it to
 * another Region, delete it (7-day recovery window) or restore it.
 *
 * @tagname ek-secrets
 * @fires ek-secret-change - a secret changed: `{ action, region, name }`.
 * @fires ek-secret-revealed - a value was revealed: `{ region, name, primaryRegion }` (never the value).
 * @fires ek-error - a call failed: `{ operation, error }`.
 * @csspart create - the create-secret form.
 * @csspart list - the secrets table.
 * @csspart value - a revealed value.
 * @csspart status - the aria-live line with results and errors.
 * @cssprop --ek-accent - buttons.
 *
 * @example
 * ```html
 * <ek-kit><ek-secrets region="us-east-1"></ek-secrets></ek-kit>
 * ```
 */
export class EkSecrets extends LitElement {
  static override properties = {
    region: { type: String, reflect: true },
  };

  static override styles = [
    baseStyles,
    fieldGridStyles,
    css`
      .table-wrap {
        overflow-x: auto;
      }
      .table-wrap table {
        min-width: 34rem;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.3rem;
      }
      .deleted {
        color: var(--_bad);
      }
      .InSync {
        color: var(--_ok);
      }
      .Failed {
        color: var(--_bad);
      }
      [part='value'] {
        display: block;
        max-width: 24rem;
        overflow-wrap: anywhere;
      }
    `,
  ];

  /** The Region shown; default the kit's first. */
  declare region: string;

  readonly #kit = new KitConsumer(this);
  #seenRevision = -1;
  /** Values revealed on demand, by secret name; forgotten when the list reloads or the Region changes. */
  #revealed = new Map<string, string>();
  /** Which controller's outcome the status line reports: the last one started. */
  #last: 'create' | 'act' | 'reveal' | undefined;

  readonly #load = new ActionController(this, async (): Promise<DescribeSecretResponse[]> => {
    const sm = this.#kit.require().secretsManager(this.#regionName());
    const { SecretList } = await sm.listSecrets({ IncludePlannedDeletion: true, SortOrder: 'asc' });
    // DescribeSecret carries the replication status ListSecrets lacks.
    return Promise.all(SecretList.map((s) => sm.describeSecret({ SecretId: s.ARN })));
  });

  readonly #create = new ActionController(this, async (_signal, input: { name: string; value: string; replica: string }) => {
    const sm = this.#kit.require().secretsManager(this.#regionName());
    return sm.createSecret({ Name: input.name, SecretString: input.value, ...(input.replica ? { AddReplicaRegions: [{ Region: input.replica }] } : {}) });
  });

  readonly #act = new ActionController(this, async (_signal, act: SecretAct): Promise<string> => {
    const kit = this.#kit.require();
    const region = this.#regionName();
    const sm = kit.secretsManager(region);
    switch (act.action) {
      case 'rotate': {
        const arn = await ensureSampleRotation(kit, region);
        const { VersionId } = await sm.rotateSecret({ SecretId: act.name, RotationLambdaARN: arn, RotationRules: { AutomaticallyAfterDays: 30 } });
        const current = await sm.getSecretValue({ SecretId: act.name });
        this.#revealed.delete(act.name);
        return current.VersionId === VersionId ? `Rotated ${act.name}: version ${VersionId} is AWSCURRENT.` : `The rotation of ${act.name} did not finish; AWSPENDING is left on ${VersionId}.`;
      }
      case 'replicate': {
        const { ReplicationStatus } = await sm.replicateSecretToRegions({ SecretId: act.name, AddReplicaRegions: [{ Region: act.replicaRegion! }] });
        const status = ReplicationStatus.find((r) => r.Region === act.replicaRegion);
        return `Replica in ${act.replicaRegion}: ${status?.Status ?? 'unknown'}${status?.StatusMessage ? ` (${status.StatusMessage})` : ''}.`;
      }
      case 'delete': {
        const { DeletionDate } = await sm.deleteSecret({ SecretId: act.name, RecoveryWindowInDays: 7 });
        this.#revealed.delete(act.name);
        return `${act.name} is scheduled for deletion on ${DeletionDate.toISOString().slice(0, 10)}; restore it before then.`;
      }
      case 'restore':
        await sm.restoreSecret({ SecretId: act.name });
        return `Restored ${act.name}.`;
      default:
        throw new TypeError(`unknown action ${String(act.action)}`);
    }
  });

  readonly #reveal = new ActionController(this, async (_signal, secret: { name: string; primaryRegion: string }) => {
    const { SecretString, SecretBinary } = await this.#kit.require().secretsManager(this.#regionName()).getSecretValue({ SecretId: secret.name });
    this.#revealed.set(secret.name, SecretString ?? `(${SecretBinary?.length ?? 0} bytes of binary)`);
    return secret;
  });

  constructor() {
    super();
    this.region = '';
  }

  #regionName(): string {
    return this.region || this.#kit.kit?.regions[0] || 'us-east-1';
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    const { kit, revision } = this.#kit.state;
    if (kit && (revision !== this.#seenRevision || changed.has('region'))) {
      this.#seenRevision = revision;
      if (changed.has('region')) this.#revealed.clear();
      void this.#load.run();
    }
  }

  async #onCreate(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const input = { name: String(data.get('name') ?? '').trim(), value: String(data.get('value') ?? ''), replica: String(data.get('replica') ?? '') };
    this.#last = 'create';
    const created = await this.#create.run(input);
    if (!created) {
      fire(this, 'ek-error', { operation: 'createSecret', error: this.#create.error });
      return;
    }
    form.reset();
    fire(this, 'ek-secret-change', { action: 'create', region: this.#regionName(), name: created.Name });
    this.#kit.changed();
  }

  async #run(act: SecretAct): Promise<void> {
    this.#last = 'act';
    const done = await this.#act.run(act);
    if (done === undefined) {
      fire(this, 'ek-error', { operation: `${act.action}Secret`, error: this.#act.error });
      return;
    }
    fire(this, 'ek-secret-change', { action: act.action, region: this.#regionName(), name: act.name });
    this.#kit.changed();
  }

  async #onReveal(name: string, primaryRegion: string): Promise<void> {
    if (this.#revealed.has(name)) {
      this.#revealed.delete(name);
      this.requestUpdate();
      return;
    }
    this.#last = 'reveal';
    if ((await this.#reveal.run({ name, primaryRegion })) === undefined) {
      fire(this, 'ek-error', { operation: 'getSecretValue', error: this.#reveal.error });
      return;
    }
    fire(this, 'ek-secret-revealed', { region: this.#regionName(), name, primaryRegion });
  }

  #onRegion(event: Event): void {
    this.region = (event.target as HTMLSelectElement).value;
  }

  override render() {
    const kit = this.#kit.kit;
    if (!kit) return html`<p class="muted" role="status">${this.#kit.state.error ? describeError(this.#kit.state.error) : 'Waiting for the kit…'}</p>`;
    const region = this.#regionName();
    const others = kit.regions.filter((r) => r !== region);
    const last = this.#last === 'create' ? this.#create : this.#last === 'act' ? this.#act : this.#last === 'reveal' ? this.#reveal : undefined;
    const status = last?.pending
      ? 'Working…'
      : this.#last === 'create'
        ? this.#create.render({ complete: (c) => `Created ${c.Name}${c.ReplicationStatus ? ` (replicas: ${c.ReplicationStatus.map((r) => `${r.Region} ${r.Status}`).join(', ')})` : ''}.`, error: (e) => describeError(e) })
        : this.#last === 'act'
          ? this.#act.render({ complete: (message) => message, error: (e) => describeError(e) })
          : this.#reveal.render({ error: (e) => describeError(e) });
    const failed = last?.status === 'error';
    return html`<div class="stack">
      <div class="row">
        <label for="region">Region</label>
        <select id="region" .value=${region} @change=${this.#onRegion}>
          ${kit.regions.map((r) => html`<option value=${r} ?selected=${r === region}>${r}</option>`)}
        </select>
      </div>
      <form part="create" @submit=${this.#onCreate} aria-label="Create a secret in ${region}">
        <label>Name <input name="name" required placeholder="prod/db" autocomplete="off" /></label>
        <label>Value <input name="value" required type="password" autocomplete="off" /></label>
        <label>Replicate to
          <select name="replica">
            <option value="">(no replica)</option>
            ${others.map((r) => html`<option value=${r}>${r}</option>`)}
          </select>
        </label>
        <button class="primary" type="submit" ?disabled=${this.#create.pending}>${this.#create.pending ? 'Creating…' : 'Create secret'}</button>
      </form>
      <p part="status" class="status ${failed ? 'error' : ''}" role="status" aria-live="polite">${status ?? ''}</p>
      ${this.#renderList(region, others)}
    </div>`;
  }

  #renderList(region: string, others: readonly string[]) {
    if (this.#load.status === 'error') return html`<p class="status error" role="alert">Could not list secrets: ${describeError(this.#load.error)}</p>`;
    const secrets = this.#load.value ?? [];
    if (secrets.length === 0) {
      return html`<p class="muted" aria-busy=${this.#load.pending ? 'true' : 'false'}>${this.#load.pending ? 'Loading secrets…' : `No secrets in ${region} yet: create one above.`}</p>`;
    }
    const busy = this.#act.pending;
    return html`<div class="table-wrap"><table part="list" aria-label="Secrets in ${region}">
      <thead><tr><th scope="col">secret</th><th scope="col">versions</th><th scope="col">replicas</th><th scope="col">actions</th></tr></thead>
      <tbody>
        ${secrets.map((s) => {
          const deleted = s.DeletedDate !== undefined;
          const replica = s.PrimaryRegion !== region;
          const value = this.#revealed.get(s.Name);
          const targets = others.filter((r) => r !== s.PrimaryRegion && !(s.ReplicationStatus ?? []).some((x) => x.Region === r));
          return html`<tr data-secret=${s.Name}>
            <td>
              <strong>${s.Name}</strong>${replica ? html` <span class="muted">(replica of ${s.PrimaryRegion})</span>` : nothing}
              ${deleted ? html`<br /><span class="deleted">scheduled for deletion</span>` : nothing}
              ${value !== undefined ? html`<br /><code part="value">${value}</code>` : nothing}
            </td>
            <td>${Object.entries(s.VersionIdsToStages ?? {}).map(([id, stages]) => html`<div><code class="muted" title=${id}>${id.slice(0, 8)}</code> ${stages.join(', ')}</div>`)}</td>
            <td>${(s.ReplicationStatus ?? []).map((r) => html`<div>${r.Region}: <span class=${r.Status} title=${r.StatusMessage ?? ''}>${r.Status}</span></div>`)}</td>
            <td><div class="actions">
              ${deleted
                ? html`<button type="button" ?disabled=${busy || replica} @click=${() => this.#run({ action: 'restore', name: s.Name })} aria-label="Restore ${s.Name}">Restore</button>`
                : html`<button type="button" ?disabled=${this.#reveal.pending} aria-pressed=${value !== undefined ? 'true' : 'false'} @click=${() => this.#onReveal(s.Name, s.PrimaryRegion)} aria-label="${value !== undefined ? 'Hide' : 'Reveal'} ${s.Name}">${value !== undefined ? 'Hide' : 'Reveal'}</button>
                    ${replica
                      ? nothing
                      : html`<button type="button" ?disabled=${busy} @click=${() => this.#run({ action: 'rotate', name: s.Name })} aria-label="Rotate ${s.Name}">Rotate</button>
                          ${targets.map((r) => html`<button type="button" ?disabled=${busy} @click=${() => this.#run({ action: 'replicate', name: s.Name, replicaRegion: r })} aria-label="Replicate ${s.Name} to ${r}">Replicate to ${r}</button>`)}
                          <button type="button" ?disabled=${busy || (s.ReplicationStatus?.length ?? 0) > 0} title=${(s.ReplicationStatus?.length ?? 0) > 0 ? 'A secret with replicas cannot be deleted' : ''} @click=${() => this.#run({ action: 'delete', name: s.Name })} aria-label="Delete ${s.Name}">Delete</button>`}`}
            </div></td>
          </tr>`;
        })}
      </tbody>
    </table></div>`;
  }
}
