/**
 * The demo page: the `<ek-*>` components inside one `<ek-kit>`, and a guide that walks a first-time
 * visitor through envelope encryption with a simulated multi-Region KMS. This file only wires
 * component events to the guide and the components to each other; every key stays in the kit's
 * worker, and the page keeps ids, ARNs and ciphertext only.
 */
import { auditOf, defineElements, errorCode, type EkDecrypt, type EkEncrypt, type EkKit, type EkTable } from '../components/index.js';
import { regionOfKeyArn } from '../components/message-header.js';
import { toBase64 } from '../core/bytes.js';
import { STEPS } from './steps.js';
import { clearState, loadState, saveState, type DemoState } from './progress.js';
import { renderGuide } from './guide.js';
import { followReading, keepFragmentInView, renderSections } from './navigation.js';
import { startAtRestTour } from './at-rest-tour.js';
import { LargeBodies } from '../services/large-bodies.js';

const KIT_NAME = 'envelope-kit-demo';
const DEFAULT_CONTEXT = { purpose: 'demo', department: 'field-ops' };

// Called, not just imported: package.json's "sideEffects": false lets the bundler drop a bare import.
defineElements();

const $ = <T extends Element>(selector: string): T => {
  const el = document.querySelector<T>(selector);
  if (!el) throw new Error(`the demo page lacks ${selector}`);
  return el;
};

// The sections first (src/demo/sections.ts), so that the elements below exist.
renderSections($<HTMLElement>('#sections'), $<HTMLElement>('#contents'));

const kitElement = $<EkKit>('ek-kit');
// The walkthrough's note goes through these two; the Files section has its own pair.
const encryptElement = $<EkEncrypt>('#encrypt ek-encrypt');
const decryptElement = $<EkDecrypt>('#decrypt ek-decrypt');
const fileEncryptElement = $<EkEncrypt>('#files ek-encrypt');
const fileDecryptElement = $<EkDecrypt>('#files ek-decrypt');
const guide = $<HTMLElement>('#guide');
// <ek-table> creates its branch key under the first KMS key the visitor makes or picks.
const tableElement = document.querySelector<EkTable>('ek-table');

followReading($<HTMLElement>('#contents'));
keepFragmentInView(kitElement);

const state: DemoState = loadState();
const done = new Set(state.done);
const outages = new Set<string>();

encryptElement.text = 'Meet at the north gate at 7.';
encryptElement.context = state.context ?? DEFAULT_CONTEXT;
if (state.keyArn) encryptElement.keyId = state.keyArn;
if (tableElement && state.keyArn) tableElement.keyId = state.keyArn;
decryptElement.context = state.context ?? DEFAULT_CONTEXT;
if (state.message) decryptElement.message = state.message;
fileEncryptElement.context = DEFAULT_CONTEXT;
if (state.keyArn) fileEncryptElement.keyId = state.keyArn;
fileDecryptElement.context = DEFAULT_CONTEXT;

function persist(): void {
  state.done = STEPS.filter((s) => done.has(s.id)).map((s) => s.id);
  saveState(state);
  draw();
}

/**
 * Marks a step done when every earlier step is, so that steps happen in the walkthrough's order;
 * "look at this" steps (with a confirm button) before it count as seen once a later one is done.
 */
function complete(id: string): void {
  const index = STEPS.findIndex((s) => s.id === id);
  if (index < 0 || done.has(id)) return;
  const before = STEPS.slice(0, index);
  if (!before.every((s) => done.has(s.id) || s.confirm)) return;
  for (const s of before) done.add(s.id);
  done.add(id);
  persist();
}

function draw(): void {
  renderGuide(guide, {
    done,
    auditUnavailable: kitElement.kit !== undefined && auditOf(kitElement.kit) === undefined,
    onConfirm: complete,
    onStartOver: () => void startOver(),
  });
}

const homeRegion = () => (state.keyArn ? regionOfKeyArn(state.keyArn) : undefined);

kitElement.addEventListener('ek-kit-ready', draw);

kitElement.addEventListener('ek-key-select', (event) => {
  encryptElement.keyId = event.detail.arn;
  fileEncryptElement.keyId = event.detail.arn;
  if (tableElement && !tableElement.keyId) tableElement.keyId = event.detail.arn;
});

kitElement.addEventListener('ek-key-change', (event) => {
  const { action } = event.detail;
  if (tableElement && !tableElement.keyId && action === 'create' && event.detail.metadata?.Arn) tableElement.keyId = event.detail.metadata.Arn;
  if (action === 'create') complete('create-key');
  if (action === 'rotate') complete('rotate');
  if (action === 'replicate') complete('replicate');
});

kitElement.addEventListener('ek-encrypted', (event) => {
  const { ciphertext, encryptionContext, keyId } = event.detail;
  if (!(ciphertext instanceof Uint8Array)) return;
  state.message = toBase64(ciphertext);
  state.context = encryptionContext;
  state.keyArn = keyId;
  // Hand the new message to the decrypt form, as a visitor would paste it.
  decryptElement.message = state.message;
  decryptElement.context = encryptionContext;
  complete('encrypt');
});

kitElement.addEventListener('ek-decrypted', (event) => {
  // The walkthrough's steps are about its note; a file decrypted in "Files" does not count.
  if (event.target !== decryptElement) return;
  const { region } = event.detail;
  const home = homeRegion();
  complete('decrypt');
  if (done.has('rotate')) complete('old-decrypts');
  if (state.cleared && state.restored) complete('backup-restore');
  if (region && region !== home && home && outages.has(home)) complete('decrypt-elsewhere');
});

kitElement.addEventListener('ek-error', (event) => {
  if (event.target !== decryptElement) return;
  const { operation, error } = event.detail;
  const code = errorCode(error);
  if (operation === 'decrypt' && (code === 'ENCRYPTION_CONTEXT_MISMATCH' || code === 'InvalidCiphertextException')) complete('wrong-context');
});

kitElement.addEventListener('ek-simulation-change', (event) => {
  const { region, outage } = event.detail;
  if (outage) outages.add(region);
  else outages.delete(region);
  if (outage && region === homeRegion()) complete('outage');
});

kitElement.addEventListener('ek-secret-revealed', (event) => {
  const { region, primaryRegion } = event.detail;
  if (region !== primaryRegion && outages.has(primaryRegion)) complete('secret-replica');
});

kitElement.addEventListener('ek-audit-verified', (event) => {
  if (event.detail.ok) complete('audit');
});

const atRestTour = startAtRestTour(kitElement, $<HTMLElement>('#at-rest-tour'));

kitElement.addEventListener('ek-restored', () => {
  state.restored = true;
  saveState(state);
});

// "Clear this site's keys": what clearing the site's data does to the kit (its databases go), while
// the walkthrough keeps its progress and its note, so the restored keys can show they decrypt it.
$<HTMLButtonElement>('#clear-keys').addEventListener('click', () => {
  if (!confirm('Delete every key of the demo, as clearing this site’s data would? Only a backup can bring them back.')) return;
  state.cleared = true;
  state.restored = false;
  saveState(state);
  void deleteKitDatabases().then(() => location.reload());
});

/** Closes the kit and deletes its IndexedDB databases and the large S3 bodies beside them. */
async function deleteKitDatabases(): Promise<void> {
  await kitElement.kit?.close();
  const databases = typeof indexedDB.databases === 'function' ? await indexedDB.databases() : [];
  await Promise.all(
    databases
      .map((d) => d.name)
      .filter((name): name is string => name?.startsWith(`${KIT_NAME}:`) === true)
      .map((name) => new Promise<void>((resolve) => {
        const request = indexedDB.deleteDatabase(name);
        request.onsuccess = request.onerror = request.onblocked = () => resolve();
      })),
  );
  // Large S3 bodies live in OPFS beside those databases (src/services/large-bodies.ts).
  await Promise.all(databases.map((d) => d.name).filter((name): name is string => name?.startsWith(`${KIT_NAME}:`) === true).map((name) => LargeBodies.remove(name)));
}

/** Deletes the demo's keys (its IndexedDB databases) and progress, then reloads. */
async function startOver(): Promise<void> {
  if (!confirm('Delete the demo’s keys and start the walkthrough again?')) return;
  clearState();
  atRestTour.reset();
  await deleteKitDatabases();
  location.reload();
}

draw();
