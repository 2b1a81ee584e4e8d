/**
 * The demo page: encrypt a note under a wrapping key that exists only in this tab, show the
 * message's header, decrypt it again, and show the error `code` when the context or the
 * ciphertext was changed.
 */
import { EnvelopeError, RawAesKeyring, decrypt, encrypt, fromBase64, toBase64 } from '../core/index.js';
import { ContextEditor } from './context-editor.js';
import { renderHeader } from './header-view.js';

const KEY_NAMESPACE = 'envelope-kit-demo';
const KEY_NAME = 'note-key';

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html lacks #${id}`);
  return el as T;
};

const keyStatus = $('key-status');
const newKeyButton = $<HTMLButtonElement>('new-key');
const note = $<HTMLTextAreaElement>('note');
const encryptButton = $<HTMLButtonElement>('encrypt');
const ciphertextBox = $<HTMLTextAreaElement>('ciphertext');
const ciphertextSize = $('ciphertext-size');
const headerView = $('header');
const decryptButton = $<HTMLButtonElement>('decrypt');
const result = $('result');

const context = new ContextEditor($('context-rows'), { purpose: 'demo', department: 'field-ops' });
$('add-pair').addEventListener('click', () => context.addRow());

let keyring: RawAesKeyring | undefined;

async function newKey(): Promise<void> {
  newKeyButton.disabled = true;
  encryptButton.disabled = true;
  // Non-extractable: the page can use the key but no script, including this one, can read it.
  const wrappingKey = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  keyring = new RawAesKeyring({ keyNamespace: KEY_NAMESPACE, keyName: KEY_NAME, wrappingKey });
  keyStatus.textContent =
    `AES-256-GCM CryptoKey, extractable: ${wrappingKey.extractable}. ` +
    `Keyring namespace "${KEY_NAMESPACE}", key name "${KEY_NAME}".`;
  newKeyButton.disabled = false;
  encryptButton.disabled = false;
}

function showError(error: unknown): void {
  result.className = 'result bad';
  const code = document.createElement('div');
  code.className = 'code';
  const message = document.createElement('pre');
  if (error instanceof EnvelopeError) {
    code.textContent = error.code;
    message.textContent = error.message;
  } else if (error instanceof Error) {
    // The core's argument errors carry `code: 'INVALID_ARGUMENT'` too.
    code.textContent = (error as Error & { code?: string }).code ?? error.name;
    message.textContent = `${error.name}: ${error.message}`;
  } else {
    code.textContent = 'ERROR';
    message.textContent = String(error);
  }
  result.replaceChildren(code, message);
}

function showPlaintext(text: string): void {
  result.className = 'result ok';
  const title = document.createElement('strong');
  title.textContent = 'Decrypted:';
  const body = document.createElement('pre');
  body.textContent = text;
  result.replaceChildren(title, body);
}

async function onEncrypt(): Promise<void> {
  if (!keyring) return;
  result.replaceChildren();
  try {
    const plaintext = new TextEncoder().encode(note.value);
    const { ciphertext, header } = await encrypt(keyring, plaintext, { encryptionContext: context.read() });
    ciphertextBox.value = toBase64(ciphertext);
    ciphertextSize.textContent = `(${ciphertext.length} bytes for ${plaintext.length} bytes of note)`;
    renderHeader(headerView, header);
    decryptButton.disabled = false;
  } catch (error) {
    showError(error);
  }
}

async function onDecrypt(): Promise<void> {
  if (!keyring) return;
  result.replaceChildren();
  try {
    const ciphertext = fromBase64(ciphertextBox.value.replace(/\s+/g, ''));
    if (!ciphertext) throw new TypeError('the ciphertext box does not hold valid base64');
    // The editor's current pairs are required: the message is refused unless it carries them.
    const { plaintext, header } = await decrypt(keyring, ciphertext, { encryptionContext: context.read() });
    renderHeader(headerView, header);
    showPlaintext(new TextDecoder().decode(plaintext));
  } catch (error) {
    showError(error);
  }
}

newKeyButton.addEventListener('click', () => void newKey().catch(showError));
encryptButton.addEventListener('click', () => void onEncrypt());
decryptButton.addEventListener('click', () => void onDecrypt());
ciphertextBox.addEventListener('input', () => {
  decryptButton.disabled = ciphertextBox.value.trim() === '';
});

void newKey().catch((error: unknown) => {
  keyStatus.textContent = 'Could not generate a key (this page needs a secure context: https or localhost).';
  showError(error);
});
