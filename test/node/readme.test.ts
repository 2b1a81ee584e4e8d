/**
 * The README's table of contents links every section, and every link lands on one: a section added
 * without a line in "Contents" (or renamed under it) fails here, naming it. Anchors are GitHub's:
 * the heading lowercased, punctuation dropped, spaces turned into hyphens, `-1`, `-2` … for repeats.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/public-api.js';

const README = readFileSync(`${ROOT}README.md`, 'utf8');

/** `##` and `###` headings outside fenced code blocks, in order. */
function headings(markdown: string): { level: number; text: string }[] {
  const found: { level: number; text: string }[] = [];
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const match = fenced ? null : /^(#{2,3}) (.+?)\s*$/.exec(line);
    if (match) found.push({ level: match[1]!.length, text: match[2]! });
  }
  return found;
}

/** GitHub's anchor for each heading text, in order (repeats numbered as GitHub numbers them). */
function anchors(texts: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return texts.map((text) => {
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    return count === 0 ? base : `${base}-${count}`;
  });
}

describe('README: the table of contents', () => {
  const all = headings(README);
  const contentsAt = all.findIndex((h) => h.text === 'Contents');
  const sections = all.filter((h) => h.text !== 'Contents');
  const contents = README.slice(README.indexOf('## Contents'), README.indexOf('\n## ', README.indexOf('## Contents') + 1));
  const links = [...contents.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]!);

  it('comes first, right after the introduction', () => {
    expect(contentsAt).toBe(0);
  });

  it('links every section, in order, and nothing else', () => {
    expect(sections.length).toBeGreaterThan(5);
    expect(links).toEqual(anchors(sections.map((h) => h.text)));
  });

  it('has a Limitations section', () => {
    expect(sections.map((h) => h.text)).toContain('Limitations');
  });
});
