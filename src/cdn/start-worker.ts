/**
 * Starts the kit's worker in the self-contained build (dist/cdn), which pages load without a
 * bundler, often from a CDN on another origin. Only that build calls this (build/kit-worker.ts puts
 * it in place of `new Worker(…)`); bundled apps start the worker the usual way.
 */
import { KitError, KitErrorCode } from '../client/errors.js';

/** How a worker is started from a script URL (`new Worker(url, options)` or a wrapper of it). */
export type WorkerConstructor = (url: string, options: WorkerOptions) => Worker;

/**
 * Starts the self-contained worker script at `url`.
 *
 * A worker script must be same-origin with the page (HTML's "worker" rules), and a CDN is not: there
 * the script is fetched (CDNs answer with CORS) and started from a `blob:` URL, which is the page's
 * own origin. The worker file of dist/cdn has no imports, so it runs from a blob as it is. A page
 * whose Content-Security-Policy forbids `worker-src blob:` serves dist/cdn from its own origin
 * instead, or passes `createKit({ worker })`.
 *
 * @param url - the worker file's URL, as `?worker&url` gives it (absolute, or relative to this module).
 * @param construct - starts a worker from a URL: the page code's own `Worker` (which may add a
 *   Trusted Types policy), the global one by default.
 * @returns the started module worker.
 * @throws KitError `WORKER_FAILED` when the script cannot be fetched from another origin.
 * @example
 * ```ts
 * const worker = await startKitWorker(new URL('./assets/kit.worker.js', import.meta.url).href);
 * ```
 */
export async function startKitWorker(url: string, construct: WorkerConstructor = (u, options) => new Worker(u, options)): Promise<Worker> {
  const resolved = new URL(url, import.meta.url);
  if (resolved.origin === location.origin) return construct(resolved.href, { type: 'module' });
  let script: string;
  try {
    const response = await fetch(resolved, { credentials: 'omit' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    script = await response.text();
  } catch (cause) {
    // A network failure or a server without CORS: say which file, so the fix is evident.
    throw new KitError(KitErrorCode.WORKER_FAILED, `the kit's worker script did not load from ${resolved.href} (${(cause as Error).message})`, { cause });
  }
  const blob = new Blob([script], { type: 'text/javascript' });
  // Not revoked: the worker may still be fetching it when this returns, and it is one small URL per kit.
  return construct(URL.createObjectURL(blob), { type: 'module' });
}
