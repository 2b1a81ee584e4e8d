import { html, nothing } from 'lit';
import type { FileProgress } from '../client/kit.js';
import { formatBytes } from './message-bytes.js';

/**
 * The progress bar and cancel button of a running file call, shared by `<ek-encrypt>` and
 * `<ek-decrypt>` so both announce progress the same way.
 *
 * @example
 * ```ts
 * html`${fileProgress(this.progress, running, () => controller.abort())}`;
 * ```
 */
export function fileProgress(progress: FileProgress | undefined, running: boolean, cancel: () => void) {
  if (!running) return nothing;
  const done = progress?.done ?? 0;
  const total = progress?.total ?? 0;
  return html`<div class="row" part="progress">
    <progress max=${total || 1} value=${done} aria-label="File progress"></progress>
    <span class="muted" aria-live="polite">${formatBytes(done)} of ${formatBytes(total)}</span>
    <button type="button" @click=${cancel}>Cancel</button>
  </div>`;
}
