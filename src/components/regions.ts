import { LitElement, html, css, nothing } from 'lit';
import { ActionController } from './task.js';
import { KitConsumer } from './kit-context.js';
import { describeError } from './describe-error.js';
import { fire } from './events.js';
import { baseStyles } from './styles.js';
import { keyLabel, listRegionKeys, type KeyEntry } from './key-list.js';

interface RegionView {
  readonly region: string;
  readonly keys?: readonly KeyEntry[];
  readonly error?: unknown;
}

interface Simulated {
  readonly outage: boolean;
  readonly latencyMs: number;
}

const LATENCIES = [0, 250, 1000, 3000] as const;

/**
 * The kit's simulated regions side by side: the multi-Region keys in each (primary or replica) and
 * switches for an outage (every call fails with KMSInternalException) and added latency. The KMS
 * does not report its simulation settings, so this element shows the ones it set; they reset with
 * the worker (a reload), as the KMS's do.
 *
 * @tagname ek-regions
 * @fires ek-simulation-change - a region's switches changed: `{ region, outage, latencyMs }`.
 * @fires ek-error - a call failed: `{ operation, error }`.
 * @csspart region - one region's card.
 * @csspart outage - an outage switch.
 * @cssprop --ek-bad - colour of a region in outage.
 *
 * @example
 * ```html
 * <ek-kit><ek-regions></ek-regions></ek-kit>
 * ```
 */
export class EkRegions extends LitElement {
  static override properties = {
    simulated: { state: true },
  };

  static override styles = [
    baseStyles,
    css`
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr));
        gap: 0.75rem;
      }
      section {
        border: 1px solid var(--_line);
        border-radius: var(--_radius);
        padding: 0.6rem 0.75rem;
        background: var(--_paper);
        min-width: 0;
      }
      section.down {
        border-color: var(--_bad);
        background: color-mix(in srgb, var(--_bad) 6%, var(--_paper));
      }
      h3 {
        margin: 0 0 0.4rem;
        font-size: 1em;
        display: flex;
        justify-content: space-between;
        gap: 0.5rem;
      }
      .badge {
        font-size: 0.8em;
        font-weight: 600;
        color: var(--_ok);
      }
      .down .badge {
        color: var(--_bad);
      }
      ul {
        margin: 0 0 0.5rem;
        padding-left: 1.1rem;
      }
      li {
        overflow-wrap: anywhere;
      }
      button[role='switch'] {
        min-width: 7.5rem;
      }
      button[role='switch'][aria-checked='true'] {
        background: var(--_bad);
        border-color: var(--_bad);
        color: #fff;
      }
    `,
  ];

  declare simulated: Readonly<Record<string, Simulated>>;

  readonly #kit = new KitConsumer(this);
  #seen = -1;
  readonly #load = new ActionController(this, async (signal): Promise<RegionView[]> => {
    const kit = this.#kit.require();
    const [views, states] = await Promise.all([
      Promise.all(
        kit.regions.map((region) =>
          listRegionKeys(kit, region, signal).then(
            (keys) => ({ region, keys }),
            (error: unknown) => ({ region, error }),
          ),
        ),
      ),
      // The switches show the kit's settings, whoever set them (this element, another one, the app).
      Promise.all(kit.regions.map((region) => kit.simulation(region).catch(() => undefined))),
    ]);
    const simulated: Record<string, Simulated> = {};
    for (const state of states) if (state) simulated[state.region] = { outage: state.outage !== false, latencyMs: state.latencyMs };
    this.simulated = simulated;
    return views;
  });
  readonly #simulate = new ActionController(this, async (_signal, region: string, settings: Simulated) => {
    await this.#kit.require().simulate({ region, outage: settings.outage, latencyMs: settings.latencyMs });
    return { region, settings };
  });

  constructor() {
    super();
    this.simulated = {};
  }

  protected override willUpdate(): void {
    const { kit, revision } = this.#kit.state;
    if (kit && revision !== this.#seen) {
      this.#seen = revision;
      void this.#load.run();
    }
  }

  #settings(region: string): Simulated {
    return this.simulated[region] ?? { outage: false, latencyMs: 0 };
  }

  async #set(region: string, change: Partial<Simulated>): Promise<void> {
    const settings = { ...this.#settings(region), ...change };
    const done = await this.#simulate.run(region, settings);
    if (!done) {
      fire(this, 'ek-error', { operation: 'simulate', error: this.#simulate.error });
      return;
    }
    this.simulated = { ...this.simulated, [region]: settings };
    fire(this, 'ek-simulation-change', { region, ...settings });
    this.#kit.changed();
  }

  override render() {
    const kit = this.#kit.kit;
    if (!kit) return html`<p class="muted" role="status">${this.#kit.state.error ? describeError(this.#kit.state.error) : 'Waiting for the kit…'}</p>`;
    const views = this.#load.value ?? kit.regions.map((region) => ({ region }) as RegionView);
    return html`<div class="grid">${views.map((view) => this.#renderRegion(view))}</div>
      <p class="status ${this.#simulate.status === 'error' ? 'error' : ''}" role="status" aria-live="polite">
        ${this.#simulate.render({
          complete: ({ region, settings }) =>
            `${region}: ${settings.outage ? 'outage on: every call there fails' : 'answering'}${settings.latencyMs ? `, +${settings.latencyMs} ms per call` : ''}.`,
          error: (e) => describeError(e),
        }) ?? ''}
      </p>`;
  }

  #renderRegion(view: RegionView) {
    const { outage, latencyMs } = this.#settings(view.region);
    const multi = view.keys?.filter((k) => k.metadata.MultiRegion) ?? [];
    const single = (view.keys?.length ?? 0) - multi.length;
    return html`<section part="region" class=${outage ? 'down' : ''} aria-label="Region ${view.region}">
      <h3>${view.region} <span class="badge">${outage ? 'outage' : 'up'}</span></h3>
      ${view.error !== undefined
        ? html`<p class="muted">Keys unavailable: ${outage ? 'the region is down.' : describeError(view.error)}</p>`
        : view.keys === undefined
          ? html`<p class="muted">Loading…</p>`
          : html`${multi.length === 0
                ? html`<p class="muted">No multi-Region keys.</p>`
                : html`<ul aria-label="Multi-Region keys in ${view.region}">
                    ${multi.map((k) => html`<li><code>${keyLabel(k)}</code> ${k.metadata.MultiRegionConfiguration?.MultiRegionKeyType === 'REPLICA' ? 'replica' : 'primary'}</li>`)}
                  </ul>`}
              ${single > 0 ? html`<p class="muted">${single} single-Region key${single === 1 ? '' : 's'}</p>` : nothing}`}
      <div class="row">
        <button type="button" role="switch" part="outage" aria-checked=${outage ? 'true' : 'false'} ?disabled=${this.#simulate.pending}
          aria-label="Outage in ${view.region}" @click=${() => this.#set(view.region, { outage: !outage })}>${outage ? 'Outage: on' : 'Outage: off'}</button>
        <label class="sr-only" for="latency-${view.region}">Latency in ${view.region}</label>
        <select id="latency-${view.region}" ?disabled=${this.#simulate.pending} @change=${(e: Event) => this.#set(view.region, { latencyMs: Number((e.target as HTMLSelectElement).value) })}>
          ${[...new Set([...LATENCIES, latencyMs])].sort((a, b) => a - b).map((ms) => html`<option value=${ms} ?selected=${ms === latencyMs}>${ms === 0 ? 'no added latency' : `+${ms} ms`}</option>`)}
        </select>
      </div>
    </section>`;
  }
}
