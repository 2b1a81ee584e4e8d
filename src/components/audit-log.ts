import { LitElement, html, css, nothing } from 'lit';
import { ActionController } from './task.js';
import { KitConsumer } from './kit-context.js';
import { describeError } from './describe-error.js';
import { fire } from './events.js';
import { baseStyles } from './styles.js';
import { auditOf, type AuditFilter, type AuditRecordView, type AuditSource } from './audit-source.js';

const SHOWN = 200;
const LISTING = /^(List|Describe|Get)/;

/**
 * The KMS's audit log, live: every call and service event as a CloudTrail-shaped record, newest
 * first, filtered by region, operation or failures; a button that verifies the hash chains and
 * digest signatures, and one that exports the log as JSON Lines. It reads the kit's audit log
 * (`kit.audit`), or the `source` property; without either it says the log is not available.
 *
 * @tagname ek-audit-log
 * @fires ek-audit-verified - `{ ok, checked, reason? }`.
 * @fires ek-audit-exported - `{ text, records }`.
 * @fires ek-error - a call failed: `{ operation, error }`.
 * @csspart filters - the filter controls.
 * @csspart records - the records table.
 * @csspart verification - the aria-live verification result.
 * @cssprop --ek-ok - a verified chain, --ek-bad a broken one.
 *
 * @example
 * ```html
 * <ek-kit><ek-audit-log></ek-audit-log></ek-kit>
 * ```
 */
export class EkAuditLog extends LitElement {
  static override properties = {
    source: { attribute: false },
    filter: { state: true },
  };

  static override styles = [
    baseStyles,
    css`
      .unavailable {
        border: 1px dashed var(--_line);
        border-radius: var(--_radius);
        padding: 0.75rem;
        background: var(--_soft);
      }
      .unavailable strong {
        display: block;
      }
      .scroll {
        max-height: 22rem;
        overflow: auto;
        border: 1px solid var(--_line);
        border-radius: var(--_radius);
      }
      .nowrap {
        white-space: nowrap;
        overflow-wrap: normal;
      }
      /* Operation names and error codes are single words: never cut one in two. The key id may break. */
      .word {
        overflow-wrap: normal;
      }
      td.failed {
        color: var(--_bad);
      }
      .verified {
        color: var(--_ok);
        font-weight: 600;
      }
      .broken {
        color: var(--_bad);
        font-weight: 600;
      }
    `,
  ];

  /** An audit log to show instead of the kit's. */
  declare source: AuditSource | undefined;
  declare filter: AuditFilter & { failuresOnly?: boolean; includeReads?: boolean };

  readonly #kit = new KitConsumer(this);
  #seen = '';
  #url: string | undefined;
  readonly #records = new ActionController(this, async (): Promise<readonly AuditRecordView[]> => {
    const { failuresOnly, includeReads, ...filter } = this.filter;
    const records = await this.#source()!.query(Object.fromEntries(Object.entries(filter).filter(([, v]) => v)));
    // Views that list keys call List*/Describe*/Get* on every change; hidden by default so the calls a
    // visitor made (encrypt, decrypt, rotate…) are not buried. A named operation filter shows them anyway.
    const shown = records.filter((r) => (!failuresOnly || r.errorCode) && (includeReads || filter.eventName || !LISTING.test(r.eventName)));
    return shown.reverse();
  });
  readonly #verify = new ActionController(this, async () => this.#source()!.verify());
  readonly #export = new ActionController(this, async () => this.#source()!.export());

  constructor() {
    super();
    this.source = undefined;
    this.filter = {};
  }

  #source(): AuditSource | undefined {
    return this.source ?? auditOf(this.#kit.kit);
  }

  protected override willUpdate(): void {
    const key = `${this.#kit.state.revision}|${JSON.stringify(this.filter)}|${this.source ? 'own' : 'kit'}`;
    if (this.#source() && key !== this.#seen) {
      this.#seen = key;
      void this.#records.run();
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.#url) URL.revokeObjectURL(this.#url);
    this.#url = undefined;
  }

  async #onVerify(): Promise<void> {
    const result = await this.#verify.run();
    if (!result) {
      fire(this, 'ek-error', { operation: 'audit.verify', error: this.#verify.error });
      return;
    }
    fire(this, 'ek-audit-verified', { ok: result.ok, checked: result.checked, reason: result.firstBroken?.reason });
  }

  async #onExport(): Promise<void> {
    const text = await this.#export.run();
    if (text === undefined) {
      fire(this, 'ek-error', { operation: 'audit.export', error: this.#export.error });
      return;
    }
    if (this.#url) URL.revokeObjectURL(this.#url);
    this.#url = URL.createObjectURL(new Blob([text], { type: 'application/x-ndjson' }));
    // The link is rendered from #url, which is not a reactive property.
    this.requestUpdate();
    fire(this, 'ek-audit-exported', { text, records: text.split('\n').filter(Boolean).length });
  }

  #setFilter(change: Partial<EkAuditLog['filter']>): void {
    this.filter = { ...this.filter, ...change };
  }

  override render() {
    const kit = this.#kit.kit;
    const source = this.#source();
    if (!source) {
      if (!kit && !this.#kit.state.error) return html`<p class="muted" role="status">Waiting for the kit…</p>`;
      return html`<div class="unavailable" role="status">
        <strong>Audit log: not available yet</strong>
        <span class="muted">This kit does not expose the KMS audit log (<code>kit.audit</code>) yet, so there are no records to show
          here. Nothing is simulated: records, verification and export appear once the kit provides them.</span>
      </div>`;
    }
    const regions = kit?.regions ?? [];
    return html`<div class="stack">
      <div class="row" part="filters" role="group" aria-label="Filters">
        <label for="f-region">Region</label>
        <select id="f-region" @change=${(e: Event) => this.#setFilter({ region: (e.target as HTMLSelectElement).value || undefined })}>
          <option value="">all</option>
          ${regions.map((r) => html`<option value=${r}>${r}</option>`)}
        </select>
        <label for="f-event">Operation</label>
        <input id="f-event" placeholder="e.g. Decrypt" size="12" @change=${(e: Event) => this.#setFilter({ eventName: (e.target as HTMLInputElement).value.trim() || undefined })} />
        <label><input type="checkbox" @change=${(e: Event) => this.#setFilter({ failuresOnly: (e.target as HTMLInputElement).checked })} /> failures only</label>
        <label><input type="checkbox" @change=${(e: Event) => this.#setFilter({ includeReads: (e.target as HTMLInputElement).checked })} /> include List/Describe/Get calls</label>
      </div>
      ${this.#renderRecords()}
      <div class="row">
        <button type="button" class="primary" ?disabled=${this.#verify.pending} @click=${this.#onVerify}>${this.#verify.pending ? 'Verifying…' : 'Verify the chain'}</button>
        <button type="button" ?disabled=${this.#export.pending} @click=${this.#onExport}>Export (JSON Lines)</button>
        ${this.#url ? html`<a href=${this.#url} download="kms-audit.jsonl">Download the export</a>` : nothing}
      </div>
      <p part="verification" class="status" role="status" aria-live="polite">
        ${this.#verify.render({
          pending: () => html`Checking every record’s hash chain and the signed digests…`,
          complete: (v) =>
            v.ok
              ? html`<span class="verified">Verified: ${v.checked} records, chains intact and digests signed.</span>`
              : html`<span class="broken">Broken at ${v.firstBroken?.region} #${v.firstBroken?.sequence}: ${v.firstBroken?.reason}</span>`,
          error: (e) => html`<span class="broken">${describeError(e)}</span>`,
        }) ?? ''}
      </p>
    </div>`;
  }

  #renderRecords() {
    if (this.#records.status === 'error') return html`<p class="status error" role="alert">${describeError(this.#records.error)}</p>`;
    const records = this.#records.value;
    if (!records) return html`<p class="muted">Loading records…</p>`;
    if (records.length === 0) return html`<p class="muted">No records match.</p>`;
    return html`<p class="muted" aria-live="polite">${records.length} record${records.length === 1 ? '' : 's'}${records.length > SHOWN ? `, newest ${SHOWN} shown` : ''}</p>
      <div class="scroll" tabindex="0" aria-label="Audit records">
        <table part="records">
          <thead><tr><th scope="col">time (UTC)</th><th scope="col">region</th><th scope="col">operation</th><th scope="col">key</th><th scope="col">result</th></tr></thead>
          <tbody>
            ${records.slice(0, SHOWN).map(
              (r) => html`<tr>
                <td class="nowrap">${r.eventTime.replace('T', ' ').replace('Z', '')}</td>
                <td class="nowrap">${r.awsRegion}</td>
                <td class="word">${r.eventName}</td>
                <td><code>${r.resources?.[0]?.ARN.split('/').pop() ?? ''}</code></td>
                <td class=${r.errorCode ? 'word failed' : 'word'}>${r.errorCode ?? 'ok'}</td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>`;
  }
}
