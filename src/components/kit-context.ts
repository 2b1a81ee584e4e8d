/**
 * How one kit reaches every component inside `<ek-kit>`: a bubbling, composed request event that
 * the nearest provider answers with a subscription (the pattern of the Web Components Community
 * Group's context protocol, in a few lines rather than a dependency). The provider pushes the kit
 * once it is ready, and a new `revision` whenever a component reports that KMS state changed, so
 * every view of keys, replicas and audit records refreshes together.
 */
import type { ReactiveController, ReactiveElement } from 'lit';
import type { Kit } from '../client/kit.js';

/** What a provider shares: the kit once ready, or why it could not start, and a change counter. */
export interface KitState {
  readonly kit?: Kit;
  readonly error?: unknown;
  /** Incremented after every change to KMS state reported with {@link KitConsumer.changed}. */
  readonly revision: number;
}

/**
 * The request a consumer sends up the tree; the provider that handles it stops its propagation.
 *
 * @example
 * ```ts
 * const request = new KitRequestEvent((state) => console.log(state.kit?.regions));
 * element.dispatchEvent(request);
 * request.unsubscribe?.(); // when done
 * ```
 */
export class KitRequestEvent extends Event {
  static readonly type = 'ek-kit-request';
  /** Set by the provider: call to stop receiving updates. */
  unsubscribe: (() => void) | undefined;

  constructor(readonly callback: (state: KitState) => void) {
    super(KitRequestEvent.type, { bubbles: true, composed: true });
  }
}

/**
 * Sent up the tree after a component changed KMS state; the provider bumps the revision.
 *
 * @example
 * ```ts
 * await kit.kms('us-east-1').createKey({});
 * document.querySelector('ek-key-manager')?.dispatchEvent(new KmsChangeEvent()); // lists refresh
 * ```
 */
export class KmsChangeEvent extends Event {
  static readonly type = 'ek-kms-change';

  constructor() {
    super(KmsChangeEvent.type, { bubbles: true, composed: true });
  }
}

const NO_KIT: KitState = { revision: 0 };

/**
 * Gives its host the nearest `<ek-kit>`'s kit and re-renders it whenever that state changes.
 *
 * @example
 * ```ts
 * class KeyCount extends LitElement {
 *   readonly kit = new KitConsumer(this);
 *   override render() { return this.kit.state.kit ? 'ready' : 'waiting for <ek-kit>'; }
 * }
 * ```
 */
export class KitConsumer implements ReactiveController {
  state: KitState = NO_KIT;
  readonly #host: ReactiveElement;
  #unsubscribe: (() => void) | undefined;
  #connected = false;

  constructor(host: ReactiveElement) {
    this.#host = host;
    host.addController(this);
  }

  get kit(): Kit | undefined {
    return this.state.kit;
  }

  /** The kit, or a TypeError naming what is missing (for controllers' work functions). */
  require(): Kit {
    const { kit, error } = this.state;
    if (kit) return kit;
    throw error instanceof Error ? error : new TypeError(`<${this.#host.localName}> needs a ready kit: place it inside <ek-kit>`);
  }

  /** Tells every component under the same provider that keys, replicas or records changed. */
  changed(): void {
    this.#host.dispatchEvent(new KmsChangeEvent());
  }

  hostConnected(): void {
    this.#connected = true;
    if (!this.#request()) {
      // The provider's element may be defined after this one: ask again once it is.
      void customElements.whenDefined('ek-kit').then(() => {
        if (this.#connected && !this.#unsubscribe) this.#request();
      });
    }
  }

  hostDisconnected(): void {
    this.#connected = false;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  #request(): boolean {
    const event = new KitRequestEvent((state) => {
      this.state = state;
      this.#host.requestUpdate();
    });
    this.#host.dispatchEvent(event);
    this.#unsubscribe = event.unsubscribe;
    return event.unsubscribe !== undefined;
  }
}
