/**
 * Helpers of the component tests: a `<ek-kit>` of its own per test (a unique database name, so
 * tests never see each other's keys), polling for shadow-DOM content, and real key presses through
 * Web Test Runner's `sendKeys` (the browser's own input path, so focus and activation are real).
 */
import { expect } from 'chai';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/components/index.js';
import { defineElements, type EkKit } from '../../src/components/index.js';
import { deleteKmsStorage } from '../../src/kms/index.js';
import type { Kit } from '../../src/index.js';

defineElements();

export const REGIONS = ['us-east-1', 'eu-west-1'] as const;

export interface Mounted {
  readonly provider: EkKit;
  readonly kit: Kit;
  readonly name: string;
  cleanup(): Promise<void>;
}

/** Mounts `<ek-kit>` with `inner` HTML inside and resolves once its kit is ready. */
export async function mountKit(inner: string): Promise<Mounted> {
  const name = `ek-components-test-${crypto.randomUUID()}`;
  const provider = document.createElement('ek-kit');
  provider.setAttribute('name', name);
  provider.setAttribute('regions', REGIONS.join(' '));
  provider.innerHTML = inner;
  const ready = new Promise<Kit>((resolve, reject) => {
    provider.addEventListener('ek-kit-ready', (e) => resolve(e.detail.kit), { once: true });
    provider.addEventListener('ek-kit-error', (e) => reject(e.detail.error), { once: true });
  });
  document.body.append(provider);
  const kit = await ready;
  return {
    provider,
    kit,
    name,
    async cleanup() {
      await kit.close();
      provider.remove();
      // Bounded: a delete blocked by a connection the worker left open must not hang the suite
      // (each test's database name is unique, so a leftover cannot leak into another test).
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deleted = await Promise.race([
        deleteKmsStorage({ storage: 'indexeddb', name, regions: REGIONS }).then(() => true),
        new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), 5_000))),
      ]);
      clearTimeout(timer);
      if (!deleted) console.warn(`components test: deleting ${name} was blocked for 5 s (a KMS connection left open?)`);
    },
  };
}

/** Polls `probe` until it returns a truthy value (shadow DOM updates after async work). */
export async function until<T>(probe: () => T | undefined | null | false, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (performance.now() > deadline) expect.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The first element matching `selector` in `host`'s shadow root. */
export function inShadow<T extends Element = HTMLElement>(host: Element | null | undefined, selector: string): T | null {
  return host?.shadowRoot?.querySelector<T>(selector) ?? null;
}

/** The button in `host`'s shadow root whose text is `text`. */
export function button(host: Element, text: string): HTMLButtonElement | undefined {
  return [...(host.shadowRoot?.querySelectorAll('button') ?? [])].find((b) => b.textContent?.trim() === text);
}

export function shadowText(host: Element | null | undefined): string {
  return host?.shadowRoot?.textContent?.replace(/\s+/g, ' ') ?? '';
}

/** Resolves with the next `type` event's detail from `target`. */
export function nextEvent<D>(target: EventTarget, type: string, timeoutMs = 10_000): Promise<D> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} event within ${timeoutMs} ms`)), timeoutMs);
    target.addEventListener(
      type,
      (event) => {
        clearTimeout(timer);
        resolve((event as CustomEvent<D>).detail);
      },
      { once: true },
    );
  });
}

/** Focuses `element` and checks that it really took focus (it is keyboard reachable). */
export function focus(element: HTMLElement): void {
  element.focus();
  const root = element.getRootNode() as ShadowRoot | Document;
  expect(root.activeElement, `${element.localName} takes focus`).to.equal(element);
}

/** Types into the focused element, as a user would. */
export const type = (text: string) => sendKeys({ type: text });
/** Presses one key (Enter, Space, Tab…) on the focused element. */
export const press = (key: string) => sendKeys({ press: key });
