/**
 * <ek-table>: adds notes (encrypted in the kit's worker), lists them, searches them through the
 * 8-bit title beacon (collisions filtered), deletes one, driven by typing and clicks.
 */
import { expect } from 'chai';
import { describe, it } from '../support/bdd.js';
import { mountKit, until, inShadow, shadowText, nextEvent, focus, type } from './components-support.js';
import type { EkTable, EventDetails } from '../../src/components/index.js';
import { branchKeyStoreNames } from '../../src/client/protocol.js';
import { tableDatabaseName } from '../../src/client/tables/protocol.js';

function deleteDatabase(name: string): Promise<unknown> {
  return new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = request.onerror = request.onblocked = resolve;
  });
}

describe('components: <ek-table>', () => {
  it('adds, lists, searches by beacon and deletes encrypted notes', async () => {
    const table = `notes-${crypto.randomUUID().slice(0, 8)}`;
    const m = await mountKit('');
    try {
      const { KeyMetadata } = await m.kit.kms('us-east-1').createKey({ Description: 'ek-table' });
      const element = document.createElement('ek-table') as EkTable;
      element.setAttribute('table', table);
      element.setAttribute('key-id', KeyMetadata.Arn);
      m.provider.append(element);
      await until(() => shadowText(element).includes('0 items'), 'the empty table');

      for (const [title, body] of [['Groceries', 'milk, eggs'], ['Ideas', 'a boat'], ['Groceries', 'bread']] as const) {
        const changed = nextEvent<EventDetails['ek-table-change']>(m.provider, 'ek-table-change');
        const titleInput = inShadow<HTMLInputElement>(element, 'input[name="title"]')!;
        focus(titleInput);
        await type(title);
        inShadow<HTMLTextAreaElement>(element, 'textarea[name="body"]')!.value = body;
        inShadow<HTMLButtonElement>(element, 'form[part="form"] button[type="submit"]')!.click();
        const detail = await changed;
        expect(detail.action).to.equal('put');
        expect(detail.table).to.equal(table);
      }
      await until(() => shadowText(element).includes('3 items'), 'three items');
      expect(inShadow(element, 'table[part="items"]')!.textContent).to.contain('milk, eggs').and.contain('a boat');

      // What the page's table holds in IndexedDB is ciphertext.
      // the table keeps the branch key it made: another handle needs only the schema
      const stored = await m.kit.table(table, { ...element.schema, keyId: KeyMetadata.Arn }).export();
      expect(stored).to.have.length(3);
      expect(JSON.stringify(stored)).to.not.contain('Groceries');

      const search = inShadow<HTMLInputElement>(element, 'form[part="search"] input[name="value"]')!;
      focus(search);
      await type('Groceries');
      inShadow<HTMLButtonElement>(element, 'form[part="search"] button[type="submit"]')!.click();
      await until(() => shadowText(element).includes('2 items with title = “Groceries”'), 'the search result');
      const rows = [...inShadow(element, 'table[part="items"]')!.querySelectorAll('tbody tr')].map((r) => r.textContent ?? '');
      expect(rows).to.have.length(2);
      expect(rows.every((r) => r.includes('Groceries'))).to.equal(true);

      const deleted = nextEvent<EventDetails['ek-table-change']>(m.provider, 'ek-table-change');
      inShadow<HTMLButtonElement>(element, 'table[part="items"] tbody button')!.click();
      expect((await deleted).action).to.equal('delete');
      await until(() => shadowText(element).includes('1 item with title'), 'one left');
    } finally {
      const branchKeys = branchKeyStoreNames(m.name).database;
      await m.cleanup();
      await deleteDatabase(branchKeys);
      await deleteDatabase(tableDatabaseName(m.name, table));
    }
  });
});
