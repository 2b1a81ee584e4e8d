import { LitElement, html, css, nothing } from 'lit';
import { ActionController } from './task.js';
import { KitConsumer } from './kit-context.js';
import { describeError } from './describe-error.js';
import { fire } from './events.js';
import { baseStyles } from './styles.js';
import type { Kit } from '../client/kit.js';
import type { GrantListEntry } from '../kms/types.js';
import type { EncryptionType, ImageIdentifier, Repository } from '../services/ecr/types.js';

interface RepositoryView {
  readonly repository?: Repository;
  /** The repository's KMS grants (constraint `aws:ecr:arn` = its ARN), read from the KMS. */
  readonly grants: readonly GrantListEntry[];
  readonly images: readonly ImageIdentifier[];
}

async function loadRepository(kit: Kit, region: string, name: string): Promise<RepositoryView> {
  const ecr = kit.ecr(region);
  const { repositories } = await ecr.describeRepositories();
  const repository = repositories.find((r) => r.repositoryName === name);
  if (!repository) return { grants: [], images: [] };
  const keyArn = repository.encryptionConfiguration.kmsKey;
  const grants = keyArn ? (await kit.kms(region).listGrants({ KeyId: keyArn })).Grants.filter((g) => g.Constraints?.EncryptionContextSubset?.['aws:ecr:arn'] === repository.repositoryArn) : [];
  const { imageIds } = await ecr.listImages({ repositoryName: name });
  return { repository, grants, images: imageIds };
}

/**
 * One ECR repository of the kit's simulated ECR: its encryption configuration, read-only once the
 * repository exists (ECR has no operation that changes it), the two KMS grants ECR made on the key
 * for it, and its images. Before the repository exists, a form creates it with AES256, KMS or
 * KMS_DSSE and an optional key.
 *
 * @tagname ek-repository
 * @attr region - the repository's Region (default: the kit's first).
 * @attr repository - the repository name.
 * @fires ek-repository-change - the repository was created or deleted: `{ region, repositoryName, action, grantsNotRetired? }`.
 * @fires ek-error - a call failed: `{ operation, error }`.
 * @csspart encryption - the read-only encryption settings.
 * @csspart grants - the grants list.
 * @csspart status - the live status line.
 *
 * @example
 * ```html
 * <ek-kit><ek-repository region="us-east-1" repository="web"></ek-repository></ek-kit>
 * ```
 */
export class EkRepository extends LitElement {
  static override properties = {
    region: { type: String },
    repository: { type: String },
  };

  static override styles = [
    baseStyles,
    css`
      dl {
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 0.2rem 0.75rem;
        margin: 0 0 0.5rem;
      }
      dd {
        margin: 0;
        overflow-wrap: anywhere;
      }
      ul {
        padding-left: 1.1rem;
      }
      li {
        overflow-wrap: anywhere;
      }
    `,
  ];

  declare region: string;
  declare repository: string;

  readonly #kit = new KitConsumer(this);
  #seen = '';
  readonly #load = new ActionController(this, () => loadRepository(this.#kit.require(), this.#region(), this.repository));
  readonly #act = new ActionController(this, async (_signal, operation: string, work: () => Promise<string>) => ({ operation, message: await work() }));

  constructor() {
    super();
    this.region = '';
    this.repository = '';
  }

  #region(): string {
    return this.region || this.#kit.require().regions[0]!;
  }

  protected override willUpdate(): void {
    const { kit, revision } = this.#kit.state;
    const id = `${revision}|${this.region}|${this.repository}`;
    if (kit && this.repository && id !== this.#seen) {
      this.#seen = id;
      void this.#load.run();
    }
  }

  async #do(operation: string, work: () => Promise<string>): Promise<void> {
    const done = await this.#act.run(operation, work);
    if (!done) fire(this, 'ek-error', { operation, error: this.#act.error });
    void this.#load.run();
    this.#kit.changed();
  }

  #create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const encryptionType = String(data.get('encryptionType') ?? 'AES256') as EncryptionType;
    const kmsKey = String(data.get('kmsKey') ?? '').trim();
    return this.#do('createRepository', async () => {
      const { repository } = await this.#kit.require().ecr(this.#region()).createRepository({
        repositoryName: this.repository,
        encryptionConfiguration: { encryptionType, ...(kmsKey ? { kmsKey } : {}) },
      });
      fire(this, 'ek-repository-change', { region: this.#region(), repositoryName: this.repository, action: 'created' });
      return `Created ${repository.repositoryName} with ${repository.encryptionConfiguration.encryptionType}: this cannot be changed.`;
    });
  }

  #delete(): Promise<void> {
    return this.#do('deleteRepository', async () => {
      const deleted = await this.#kit.require().ecr(this.#region()).deleteRepository({ repositoryName: this.repository, force: true });
      const notRetired = deleted.kmsGrantsNotRetired;
      fire(this, 'ek-repository-change', { region: this.#region(), repositoryName: this.repository, action: 'deleted', ...(notRetired ? { grantsNotRetired: notRetired.grantIds } : {}) });
      return notRetired ? notRetired.message : `Deleted ${this.repository}; its KMS grants were retired.`;
    });
  }

  override render() {
    const kit = this.#kit.kit;
    if (!kit) return html`<p class="muted" role="status">${this.#kit.state.error ? describeError(this.#kit.state.error) : 'Waiting for the kit…'}</p>`;
    if (!this.repository) return html`<p class="muted">Set the repository attribute.</p>`;
    const view = this.#load.value;
    return html`${this.#load.status === 'error'
        ? html`<p class="error">${describeError(this.#load.error)}</p>`
        : !view
          ? html`<p class="muted">Loading ${this.repository}…</p>`
          : view.repository
            ? this.#renderRepository(view)
            : this.#renderCreate()}
      <p part="status" class="status ${this.#act.status === 'error' ? 'error' : ''}" role="status" aria-live="polite">
        ${this.#act.render({ pending: () => 'Working…', complete: ({ message }) => message, error: (e) => describeError(e) }) ?? ''}
      </p>`;
  }

  #renderCreate() {
    return html`<form @submit=${(e: SubmitEvent) => this.#create(e)} aria-label="Create repository ${this.repository}">
      <p class="muted">No repository ${this.repository} in ${this.#region()} yet. Its encryption is chosen now, once.</p>
      <label
        >Encryption
        <select name="encryptionType">
          <option value="AES256">AES256 (S3-managed keys)</option>
          <option value="KMS">KMS</option>
          <option value="KMS_DSSE">KMS_DSSE (two layers)</option>
        </select></label
      >
      <label>KMS key ARN <input name="kmsKey" placeholder="alias/aws/ecr when empty" /></label>
      <button type="submit" ?disabled=${this.#act.pending}>Create repository</button>
    </form>`;
  }

  #renderRepository(view: RepositoryView) {
    const r = view.repository!;
    return html`<dl part="encryption" aria-label="Encryption of ${r.repositoryName} (read-only)">
        <dt>Repository</dt>
        <dd><code>${r.repositoryArn}</code></dd>
        <dt>Encryption</dt>
        <dd>${r.encryptionConfiguration.encryptionType} <span class="muted">(fixed at creation)</span></dd>
        ${r.encryptionConfiguration.kmsKey ? html`<dt>KMS key</dt><dd><code>${r.encryptionConfiguration.kmsKey}</code></dd>` : nothing}
        <dt>Images</dt>
        <dd>${view.images.length === 0 ? 'none' : view.images.map((i) => i.imageTag ?? i.imageDigest).join(', ')}</dd>
      </dl>
      ${r.encryptionConfiguration.kmsKey
        ? html`<h4>KMS grants for this repository</h4>
            ${view.grants.length === 0
              ? html`<p class="error">No grant: ECR cannot push or pull (a revoked grant breaks both).</p>`
              : html`<ul part="grants">
                  ${view.grants.map((g) => html`<li><code>${g.GrantId.slice(0, 12)}…</code> to <code>${g.GranteePrincipal}</code>: ${g.Operations.join(', ')}</li>`)}
                </ul>`}`
        : nothing}
      <button type="button" ?disabled=${this.#act.pending} @click=${() => this.#delete()}>Delete repository</button>`;
  }
}
