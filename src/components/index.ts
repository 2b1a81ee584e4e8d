/**
 * `envelope-kit/components`: the `<ek-*>` web components (design.md, "The worker and the page").
 * Importing this module defines them all; each is thin, delegating its async work to an
 * {@link ActionController} and getting its kit from the nearest `<ek-kit>`.
 *
 * @example
 * ```html
 * <script type="module">import { defineElements } from 'envelope-kit/components'; defineElements();</script>
 * <ek-kit name="notes">
 *   <ek-key-manager></ek-key-manager>
 *   <ek-encrypt></ek-encrypt>
 *   <ek-decrypt></ek-decrypt>
 *   <ek-regions></ek-regions>
 *   <ek-audit-log></ek-audit-log>
 *   <ek-backup></ek-backup>
 * </ek-kit>
 * ```
 * @packageDocumentation
 */
import { EkKit } from './kit.js';
import { EkContextEditor } from './context-editor.js';
import { EkMessageHeader } from './message-header.js';
import { EkKeyManager } from './key-manager.js';
import { EkKeyDetails } from './key-details.js';
import { EkKeyPolicy } from './key-policy.js';
import { EkEncrypt } from './encrypt.js';
import { EkDecrypt } from './decrypt.js';
import { EkRegions } from './regions.js';
import { EkAuditLog } from './audit-log.js';
import { EkBackup } from './backup.js';
import { EkBucket } from './bucket.js';
import { EkRepository } from './repository.js';
import { EkSecrets } from './secrets.js';

export { EkKit, EkContextEditor, EkMessageHeader, EkKeyManager, EkKeyDetails, EkKeyPolicy, EkEncrypt, EkDecrypt, EkRegions, EkAuditLog, EkSecrets, EkBackup };
export { sampleRotation, sampleRotationArn } from './sample-rotation.js';
export { EkBucket, EkRepository };
import { EkTable, NOTES_SCHEMA, type EkTableSchema } from './table.js';

export { EkTable, NOTES_SCHEMA, type EkTableSchema };
export { ActionController, TaskStatus, type TaskRenderers } from './task.js';
export { KitConsumer, KitRequestEvent, KmsChangeEvent, type KitState } from './kit-context.js';
export { describeError, errorCode } from './describe-error.js';
export { fire, type EventDetails, type EkEventName, type KeyAction, type SecretAction } from './events.js';
export { auditOf, type AuditSource, type AuditFilter, type AuditRecordView, type AuditVerificationView } from './audit-source.js';
export { regionOfKeyArn } from './message-header.js';

/** Tag name → class; `ek-kit` first so that providers exist before the elements that ask them. */
const ELEMENTS = {
  'ek-kit': EkKit,
  'ek-context-editor': EkContextEditor,
  'ek-message-header': EkMessageHeader,
  'ek-key-policy': EkKeyPolicy,
  'ek-key-details': EkKeyDetails,
  'ek-key-manager': EkKeyManager,
  'ek-encrypt': EkEncrypt,
  'ek-decrypt': EkDecrypt,
  'ek-regions': EkRegions,
  'ek-audit-log': EkAuditLog,
  'ek-bucket': EkBucket,
  'ek-repository': EkRepository,
  'ek-secrets': EkSecrets,
  'ek-table': EkTable,
  'ek-backup': EkBackup,
} as const;

/**
 * Defines every `<ek-*>` element (once: a page that loads two copies keeps the first definitions).
 * Importing this module also does it, but bundlers that trust package.json's `"sideEffects": false`
 * drop a bare `import 'envelope-kit/components'`, so apps bundled that way call this.
 *
 * @example
 * ```ts
 * import { defineElements } from 'envelope-kit/components';
 * defineElements();
 * ```
 */
export function defineElements(): void {
  for (const [tag, element] of Object.entries(ELEMENTS)) {
    if (!customElements.get(tag)) customElements.define(tag, element);
  }
}

defineElements();

declare global {
  interface HTMLElementTagNameMap {
    'ek-kit': EkKit;
    'ek-context-editor': EkContextEditor;
    'ek-message-header': EkMessageHeader;
    'ek-key-policy': EkKeyPolicy;
    'ek-key-details': EkKeyDetails;
    'ek-key-manager': EkKeyManager;
    'ek-encrypt': EkEncrypt;
    'ek-decrypt': EkDecrypt;
    'ek-regions': EkRegions;
    'ek-audit-log': EkAuditLog;
    'ek-bucket': EkBucket;
    'ek-repository': EkRepository;
    'ek-secrets': EkSecrets;
    'ek-table': EkTable;
    'ek-backup': EkBackup;
  }
}

/**
 * The package version (checked against package.json by scripts/package-test.mjs).
 * @example
 * ```ts
 * import { VERSION } from 'envelope-kit/components';
 * console.log(VERSION); // '0.1.0'
 * ```
 */
export const VERSION = '0.1.0';
