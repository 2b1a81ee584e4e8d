/**
 * The kit's worker under Trusted Types (issue 11, "Strict pages"). A page served with
 * `Content-Security-Policy: require-trusted-types-for 'script'` refuses a plain string or URL as a
 * worker's script URL (`new Worker(url)` is a TrustedScriptURL sink): the kit passes its worker URL
 * through a Trusted Types policy of its own, `envelope-kit`, which admits only same-origin URLs
 * (the CSP's `worker-src 'self'` would refuse any other anyway). Where the browser has no Trusted
 * Types, or the page does not require them, the URL is used as it is.
 *
 * The policy is created once, on the first worker, never at import: a page whose CSP lists allowed
 * policy names (`trusted-types a b`) and not `envelope-kit` then fails only if it starts the kit's
 * own worker, with the browser's own error naming the policy, and can pass `createKit({ worker })`.
 */

interface TrustedTypePolicyLike {
  createScriptURL(url: string): unknown;
}

interface TrustedTypesLike {
  createPolicy(name: string, rules: { createScriptURL(url: string): string }): TrustedTypePolicyLike;
}

/** The policy name a page's `trusted-types` directive must allow when it lists names. */
export const TRUSTED_TYPES_POLICY = 'envelope-kit';

let policy: TrustedTypePolicyLike | null | undefined;

function kitPolicy(): TrustedTypePolicyLike | null {
  if (policy !== undefined) return policy;
  const tt = (globalThis as { trustedTypes?: TrustedTypesLike }).trustedTypes;
  policy = tt
    ? tt.createPolicy(TRUSTED_TYPES_POLICY, {
        createScriptURL(url: string): string {
          const resolved = new URL(url, globalThis.location?.href);
          if (globalThis.location && resolved.origin !== globalThis.location.origin) {
            throw new TypeError(`envelope-kit's Trusted Types policy admits same-origin worker scripts only, not ${resolved.origin}`);
          }
          return resolved.href;
        },
      })
    : null;
  return policy;
}

/**
 * `new Worker(url, options)` through the kit's Trusted Types policy. Called with `new` under the
 * name `Worker` in client.ts, so that bundlers still see `new Worker(new URL('…', import.meta.url))`
 * there and emit the worker (Vite matches exactly that text).
 *
 * @example
 * ```ts
 * import { TrustedWorker as Worker } from './strict-pages/trusted-worker.js';
 * const worker = new Worker(new URL('../workers/kit.worker.ts', import.meta.url), { type: 'module' });
 * ```
 */
export const TrustedWorker = function TrustedWorker(url: string | URL, options?: WorkerOptions): Worker {
  const kit = kitPolicy();
  const scriptUrl = kit ? (kit.createScriptURL(String(url)) as string) : url;
  return new globalThis.Worker(scriptUrl, options);
} as unknown as typeof Worker;
