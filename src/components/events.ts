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

/** An `<ek-secrets>` action that changed a secret. */
export type SecretAction = 'create' | 'rotate' | 'replicate' | 'delete' | 'restore';

/**
 * The `detail` of every event the `<ek-*>` elements fire, by event name (see {@link fire}). Listen
 * on the element, on `<ek-kit>` or on `document`: every event bubbles and is composed.
 */
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
  'ek-secret-change': { action: SecretAction; region: string; name: string };
  /** A secret's value was revealed in `region` (the value itself is not in the event). */
  'ek-secret-revealed': { region: string; name: string; primaryRegion: string };
  /** `<ek-table>` added or deleted an item; `key` holds its key attributes. */
  'ek-table-change': { table: string; action: 'put' | 'delete'; key: Record<string, unknown> };
  'ek-backup-made': { size: number; fileName: string };
  'ek-restored': { summary: RestoreSummary };
  'ek-lock-change': { locked: boolean };
  /** Any failed action: `operation` names it, `error` keeps its class and `code`. */
  'ek-object-change': { region: string; bucket: string; key: string; action: 'uploaded' | 'deleted' };
  'ek-repository-change': { region: string; repositoryName: string; action: 'created' | 'deleted'; grantsNotRetired?: readonly string[] };
  'ek-error': { operation: string; error: unknown };
}

/** The name of an event an `<ek-*>` element fires (a key of {@link EventDetails}). */
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
    'ek-table-change': CustomEvent<EventDetails['ek-table-change']>;
    'ek-audit-verified': CustomEvent<EventDetails['ek-audit-verified']>;
    'ek-audit-exported': CustomEvent<EventDetails['ek-audit-exported']>;
    'ek-object-change': CustomEvent<EventDetails['ek-object-change']>;
    'ek-repository-change': CustomEvent<EventDetails['ek-repository-change']>;
    'ek-secret-change': CustomEvent<EventDetails['ek-secret-change']>;
    'ek-secret-revealed': CustomEvent<EventDetails['ek-secret-revealed']>;
    'ek-backup-made': CustomEvent<EventDetails['ek-backup-made']>;
    'ek-restored': CustomEvent<EventDetails['ek-restored']>;
    'ek-lock-change': CustomEvent<EventDetails['ek-lock-change']>;
    'ek-error': CustomEvent<EventDetails['ek-error']>;
  }
}
