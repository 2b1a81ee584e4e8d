/**
 * Renders a parsed message header. Everything shown here is readable by anyone holding the
 * ciphertext, which is the point: the demo makes visible what the format does not hide.
 */
import type { MessageHeader } from '../core/index.js';

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** Replaces `container`'s content with a description list of `header`'s fields. */
export function renderHeader(container: HTMLElement, header: MessageHeader): void {
  const list = document.createElement('dl');
  const row = (term: string, detail: Node | string): void => {
    const dt = document.createElement('dt');
    dt.textContent = term;
    const dd = document.createElement('dd');
    dd.append(detail);
    list.append(dt, dd);
  };
  row('version', String(header.version));
  row('algorithm suite', code(`0x${header.suiteId.toString(16).padStart(4, '0')}`));
  row('message id', code(hex(header.messageId)));
  row('content', header.contentType === 'framed' ? `framed, ${header.frameLength}-byte frames` : 'non-framed');
  row('encryption context', contextTable(header.encryptionContext));
  row('encrypted data keys', dataKeyTable(header));
  row('header length', `${header.headerLength} bytes`);
  container.replaceChildren(list);
}

function code(text: string): HTMLElement {
  const el = document.createElement('code');
  el.textContent = text;
  return el;
}

function table(headings: string[], rows: string[][]): HTMLTableElement {
  const el = document.createElement('table');
  const head = el.createTHead().insertRow();
  for (const h of headings) {
    const th = document.createElement('th');
    th.textContent = h;
    head.append(th);
  }
  const body = el.createTBody();
  for (const cells of rows) {
    const tr = body.insertRow();
    for (const text of cells) tr.insertCell().textContent = text;
  }
  return el;
}

function contextTable(context: Record<string, string>): Node | string {
  const pairs = Object.entries(context);
  if (pairs.length === 0) return 'none stored';
  const wrapper = document.createElement('div');
  wrapper.append(table(['key', 'value'], pairs));
  // Signed suites add the verification key to the context; users wonder where it came from.
  if (pairs.some(([key]) => key.startsWith('aws-crypto-'))) {
    const caption = document.createElement('p');
    caption.className = 'caption muted';
    caption.textContent = 'aws-crypto-public-key was added by the signed algorithm suite: it verifies the footer signature.';
    wrapper.append(caption);
  }
  return wrapper;
}

function dataKeyTable(header: MessageHeader): HTMLTableElement {
  const decoder = new TextDecoder();
  return table(
    ['provider id', 'provider info', 'wrapped key'],
    header.encryptedDataKeys.map((edk) => [
      edk.providerId,
      // Raw AES: the key name, then 4 + 4 + 12 bytes of tag length, IV length and IV.
      `${printable(decoder.decode(edk.providerInfo))} (${edk.providerInfo.length} bytes)`,
      `${edk.ciphertext.length} bytes`,
    ]),
  );
}

/** The readable prefix of provider info, which for raw keyrings starts with the key name. */
function printable(text: string): string {
  const match = /^[\x20-\x7e]*/.exec(text);
  return match?.[0] ?? '';
}
