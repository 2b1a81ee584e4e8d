/**
 * One "tab" of scripts/many-tabs.mjs: exposes createKit to the script (window.manyTabs), which
 * opens several of these pages in one browser on one kit name and drives them all at once.
 */
import { createKit } from '../../src/index.js';

(globalThis as unknown as { manyTabs: unknown }).manyTabs = { createKit };
document.body.dataset.ready = '1';
