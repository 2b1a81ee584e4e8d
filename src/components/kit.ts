import { LitElement, html, css } from 'lit';
import { createKit, type Kit } from '../client/kit.js';
import { ActionController } from './task.js';
import { KitRequestEvent, KmsChangeEvent, type KitState } from './kit-context.js';
import { describeError } from './describe-error.js';
import { fire } from './events.js';
import { baseStyles } from './styles.js';

/**
 * Provides one kit to every `<ek-*>` element inside it. It starts the kit itself (`createKit` with
 * its `name`, `regions` and `principal` attributes) unless given one through the `kit` property,
 * and closes only a kit it started, when it leaves the page.
 *
 * @tagname ek-kit
 * @fires ek-kit-ready - the kit is ready: `{ kit }`.
 * @fires ek-kit-error - the kit could not start: `{ error }`.
 * @csspart status - the "starting" / error line shown above the content.
 * @cssprop --ek-accent - accent colour of every element inside.
 * @slot - the components that use the kit.
 *
 * @example
 * ```html
 * <ek-kit name="my-app" regions="us-east-1 eu-west-1">
 *   <ek-key-manager region="us-east-1"></ek-key-manager>
 *   <ek-encrypt></ek-encrypt>
 * </ek-kit>
 * ```
 */
export class EkKit extends LitElement {
  static override properties = {
    name: { type: String },
    regions: { type: String },
    principal: { type: String },
  };

  static override styles = [
    baseStyles,
    css`
      .status:empty {
        display: none;
      }
    `,
  ];

  declare name: string;
  /** Space-separated region names; empty for the kit's defaults. */
  declare regions: string;
  declare principal: string;

  #state: KitState = { revision: 0 };
  #given: Kit | undefined;
  #owned: Kit | undefined;
  readonly #subscribers = new Set<(state: KitState) => void>();
  readonly #start = new ActionController(this, async () => {
    const kit = await createKit({
      name: this.name || undefined,
      regions: this.regions ? this.regions.split(/\s+/).filter(Boolean) : undefined,
      principal: this.principal || undefined,
    });
    if (!this.isConnected) {
      await kit.close();
      throw new DOMException('the element left the page while the kit started', 'AbortError');
    }
    return kit;
  });

  constructor() {
    super();
    this.name = '';
    this.regions = '';
    this.principal = '';
    // Listeners go on the host in the constructor, so requests from children that upgrade first are answered.
    this.addEventListener(KitRequestEvent.type, (event) => {
      const request = event as KitRequestEvent;
      event.stopPropagation();
      const callback = request.callback;
      this.#subscribers.add(callback);
      request.unsubscribe = () => this.#subscribers.delete(callback);
      callback(this.#state);
    });
    this.addEventListener(KmsChangeEvent.type, (event) => {
      event.stopPropagation();
      this.#publish({ ...this.#state, revision: this.#state.revision + 1 });
    });
  }

  /** The kit, once ready. Setting it provides that kit instead (the caller keeps ownership). */
  get kit(): Kit | undefined {
    return this.#state.kit;
  }

  set kit(kit: Kit | undefined) {
    this.#given = kit;
    this.#publish({ kit, revision: this.#state.revision + 1 });
    if (kit) fire(this, 'ek-kit-ready', { kit });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.#given && !this.#owned && !this.#start.pending) void this.#open();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // A move within the page disconnects and reconnects in one task: only close if it stays out.
    queueMicrotask(() => {
      if (this.isConnected || !this.#owned) return;
      const kit = this.#owned;
      this.#owned = undefined;
      this.#publish({ revision: this.#state.revision + 1 });
      void kit.close();
    });
  }

  async #open(): Promise<void> {
    const kit = await this.#start.run();
    if (kit) {
      this.#owned = kit;
      this.#publish({ kit, revision: this.#state.revision + 1 });
      fire(this, 'ek-kit-ready', { kit });
    } else if (this.#start.error !== undefined) {
      this.#publish({ error: this.#start.error, revision: this.#state.revision + 1 });
      fire(this, 'ek-kit-error', { error: this.#start.error });
    }
  }

  #publish(state: KitState): void {
    this.#state = state;
    for (const callback of this.#subscribers) callback(state);
  }

  override render() {
    const status = this.#given
      ? ''
      : this.#start.render({
          pending: () => 'Starting the kit’s worker…',
          error: (error) => `The kit could not start. ${describeError(error)}`,
        });
    return html`<p part="status" class="status ${this.#start.error ? 'error' : 'muted'}" role="status" aria-live="polite">${status ?? ''}</p>
      <slot></slot>`;
  }
}
