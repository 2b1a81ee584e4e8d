/**
 * The encryption-context editor: rows of key/value inputs. The demo reads it twice, at encrypt and
 * at decrypt, which is what lets a user change a pair in between and see decryption refused.
 */
import type { EncryptionContext } from '../core/index.js';

/** Rows of key/value inputs inside `container`, pre-filled with `initial`. */
export class ContextEditor {
  readonly #container: HTMLElement;

  constructor(container: HTMLElement, initial: EncryptionContext) {
    this.#container = container;
    for (const [key, value] of Object.entries(initial)) this.addRow(key, value);
  }

  /** Appends an editable pair and focuses its key input when it starts empty. */
  addRow(key = '', value = ''): void {
    const row = document.createElement('div');
    row.className = 'context-row';
    const keyInput = input('key', key);
    const valueInput = input('value', value);
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'remove';
    remove.textContent = '✕';
    remove.setAttribute('aria-label', 'Remove this pair');
    remove.addEventListener('click', () => row.remove());
    row.append(keyInput, valueInput, remove);
    this.#container.append(row);
    if (!key) keyInput.focus();
  }

  /**
   * The pairs as a context. Rows with an empty key are skipped (an empty key is legal in the
   * format, but in a form it almost always means "not filled in yet").
   */
  read(): EncryptionContext {
    const context: EncryptionContext = {};
    for (const row of this.#container.querySelectorAll('.context-row')) {
      const [key, value] = [...row.querySelectorAll('input')].map((el) => el.value);
      if (key) context[key] = value ?? '';
    }
    return context;
  }
}

function input(name: 'key' | 'value', value: string): HTMLInputElement {
  const el = document.createElement('input');
  el.type = 'text';
  el.value = value;
  el.placeholder = name;
  el.setAttribute('aria-label', `context ${name}`);
  el.spellcheck = false;
  return el;
}
