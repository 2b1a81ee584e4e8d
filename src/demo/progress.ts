/**
 * What the demo remembers across reloads. Keys persist in the kit's IndexedDB (in the worker); this
 * keeps only what the page itself made: the walkthrough's progress, the last message (ciphertext is
 * safe to store: that is the point of it) and its context. Never a key or a plaintext.
 */

const STORAGE_KEY = 'envelope-kit-demo:v1';

export interface DemoState {
  done: string[];
  /** The last encrypted note, base64. */
  message?: string;
  context?: Record<string, string>;
  /** The key the note was encrypted under (an ARN: its region is the "first" region). */
  keyArn?: string;
  /** The "back up, clear, restore" step: the keys were cleared after a backup, then restored. */
  cleared?: boolean;
  restored?: boolean;
}

export function loadState(): DemoState {
  try {
    const parsed = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}') as Partial<DemoState>;
    return { ...parsed, done: Array.isArray(parsed.done) ? parsed.done.filter((d) => typeof d === 'string') : [] };
  } catch {
    // A corrupt or foreign value: start the walkthrough afresh rather than fail to load.
    return { done: [] };
  }
}

export function saveState(state: DemoState): void {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(state));
}

export function clearState(): void {
  localStorage.removeItem(STORAGE_KEY);
}
