/**
 * The events the `<ek-*>` elements fire, as one typed map: `element.addEventListener('ek-encrypted',
 * (e) => e.detail.ciphertext)` type-checks. Every event bubbles and is composed, so an app can listen
 * once on `<ek-kit>` or `document`.
 */
import type { MessageHeader } from '../core/types.js';
import type { KeyMetadata } from '../kms/types.js';
import type { RestoreSummary } from '../kms/index.js';
import type { Kit } from '../client/kit.js';

/** A key-manager action that changed a key. */
export type KeyAction =
  | 'create'
  | 'alias'
  | 'enable'
  | 'disable'
  | 'rotate'
  | 'schedule-deletion'
  | 'cancel-deletion'
  | 'replicate'
  | 'put-policy';

export interface EventDetails {
  'ek-kit-ready': { kit: Kit };
  'ek-kit-error': { error: unknown };
  'ek-key-change': { action: KeyAction; region: string; keyId: string; metadata?: KeyMetadata };
  'ek-key-select': { region: string; keyId: string; arn: string };
  'ek-encrypted': { ciphertext: Uint8Array | Blob; header: MessageHeader; encryptionContext: Record<string, string>; keyId: string };
  'ek-decrypted': { plaintext: string | Blob; header?: MessageHeader; region?: string };
  'ek-context-change': { context: Record<string, string>; valid: boolean };
  'ek-simulation-change': { region: string; outage: boolean; latencyMs: number };
  'ek-audit-verified': { ok: boolean; checked: number; reason?: string };
  'ek-audit-exported': { text: string; records: number };
  'ek-backup-made': { size: number; fileName: string };
  'ek-restored': { summary: RestoreSummary };
  'ek-lock-change': { locked: boolean };
  /** Any failed action: `operation` names it, `error` keeps its class and `code`. */
  'ek-error': { operation: string; error: unknown };
}

export type EkEventName = keyof EventDetails;

/**
 * Dispatches a typed, bubbling, composed CustomEvent from `target`.
 *
 * @example
 * ```ts
 * fire(this, 'ek-error', { operation: 'encrypt', error });
 * ```
 */
export function fire<K extends EkEventName>(target: EventTarget, type: K, detail: EventDetails[K]): boolean {
  return target.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
}

declare global {
  interface HTMLElementEventMap {
    'ek-kit-ready': CustomEvent<EventDetails['ek-kit-ready']>;
    'ek-kit-error': CustomEvent<EventDetails['ek-kit-error']>;
    'ek-key-change': CustomEvent<EventDetails['ek-key-change']>;
    'ek-key-select': CustomEvent<EventDetails['ek-key-select']>;
    'ek-encrypted': CustomEvent<EventDetails['ek-encrypted']>;
    'ek-decrypted': CustomEvent<EventDetails['ek-decrypted']>;
    'ek-context-change': CustomEvent<EventDetails['ek-context-change']>;
    'ek-simulation-change': CustomEvent<EventDetails['ek-simulation-change']>;
    'ek-audit-verified': CustomEvent<EventDetails['ek-audit-verified']>;
    'ek-audit-exported': CustomEvent<EventDetails['ek-audit-exported']>;
    'ek-backup-made': CustomEvent<EventDetails['ek-backup-made']>;
    'ek-restored': CustomEvent<EventDetails['ek-restored']>;
    'ek-lock-change': CustomEvent<EventDetails['ek-lock-change']>;
    'ek-error': CustomEvent<EventDetails['ek-error']>;
  }
}
