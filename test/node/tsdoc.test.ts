/**
 * Every public export has TSDoc (house-style rule 8): each name a package entry exports,
 * followed through re-exports to its declaration, carries a doc comment with a summary, and every
 * exported function and class an `@example` as well. The failure lists each undocumented export
 * with its file and line, so the fix is a lookup away.
 *
 * test/node/doc-examples.test.ts runs the examples of the calls a user makes first.
 */
import { describe, expect, it } from 'vitest';
import { missingDocs, publicExports, type PublicExport } from '../support/public-api.js';

describe('TSDoc on every public export', () => {
  let exports: PublicExport[];

  it('finds the public exports of every entry', () => {
    exports = publicExports();
    // A guard against a resolver that finds nothing (and so passes everything): every entry exports
    // names, and the ones every README example uses are among them.
    const names = (entry: string) => new Set(exports.filter((e) => e.entry === entry).map((e) => e.name));
    expect(names('envelope-kit')).toContain('createKit');
    expect(names('envelope-kit')).toContain('encrypt');
    expect(names('envelope-kit/core')).toContain('RawAesKeyring');
    expect(names('envelope-kit/kms')).toContain('createKms');
    expect(names('envelope-kit/kms')).toContain('CreateKeyRequest'); // from `export type * from './types.js'`
    expect(names('envelope-kit/components')).toContain('EkKit');
  });

  it('documents each of them (a summary; an @example for functions and classes)', () => {
    const undocumented = exports
      .map((item) => ({ item, missing: missingDocs(item) }))
      .filter(({ missing }) => missing.length > 0)
      .map(({ item, missing }) => `${item.entry}: ${item.name} (${item.where}) lacks ${missing.join(' and ')}`);
    expect(undocumented).toEqual([]);
  });
});
