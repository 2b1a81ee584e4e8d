/**
 * The demo's sections, in page order: the one list to edit when a part of the kit gets its place in
 * the demo. Each entry becomes a card on the page (`<section id=…>`), an entry of the table of
 * contents, and a link target (`index.html#<id>`); the walkthrough's steps name their section by
 * this id, checked by the compiler ({@link SectionId}). The end-to-end test reads the table of
 * contents from the page, so a new section is checked there without editing the test.
 *
 * To add one: append an entry with a short, stable `id` (it is a public URL: renaming it breaks
 * links people have saved), a `title` for the contents, a one-line `hint`, and the elements it shows.
 */
import { html, type TemplateResult } from 'lit';

/** One part of the demo. */
export interface DemoSection {
  /** The URL fragment and element id: lower-case words joined by `-`, never changed once published. */
  readonly id: string;
  /** The heading, and the entry in the table of contents. */
  readonly title: string;
  /** One or two sentences under the heading: what to try here. */
  readonly hint: string;
  /** The section's elements. They sit inside the page's `<ek-kit>`, so they share its kit. */
  readonly content: () => TemplateResult;
}

export const SECTIONS = [
  {
    id: 'keys',
    title: 'KMS keys',
    hint: 'KMS keys in the simulated regions. Press “Manage” on a key to rotate, replicate, alias, disable or delete it, or to edit its key policy.',
    content: () => html`<ek-key-manager region="us-east-1"></ek-key-manager>`,
  },
  {
    id: 'encrypt',
    title: 'Encrypt',
    hint: 'The encryption context is stored in clear in the message and authenticated: decrypt must present the same pairs.',
    content: () => html`<ek-encrypt></ek-encrypt>`,
  },
  {
    id: 'decrypt',
    title: 'Decrypt',
    hint: 'The last encrypted note is filled in for you. Change a context value, or the message itself, to see it refused.',
    content: () => html`<ek-decrypt></ek-decrypt>`,
  },
  {
    id: 'files',
    title: 'Files',
    hint: 'Files of any size stream through the worker frame by frame, with progress and a Cancel button; nothing is uploaded. Encrypt one, then decrypt the downloaded .encrypted file.',
    content: () => html`<div class="pair">
      <div><h3>Encrypt a file</h3><ek-encrypt mode="file"></ek-encrypt></div>
      <div><h3>Decrypt a file</h3><ek-decrypt mode="file"></ek-decrypt></div>
    </div>`,
  },
  {
    id: 'regions',
    title: 'Regions',
    hint: 'Each region is a separate KMS with its own database. Switch an outage on to see what still works.',
    content: () => html`<ek-regions></ek-regions>`,
  },
  {
    id: 'records',
    title: 'Encrypted records',
    hint: "Notes kept in IndexedDB in the AWS Database Encryption SDK's item format: title and body encrypted attribute by attribute, found again through a truncated beacon of the title. Uses the key you created above.",
    content: () => html`<ek-table table="notes"></ek-table>`,
  },
  {
    id: 'at-rest',
    title: 'Objects and images at rest',
    hint: 'A simulated S3 and ECR on the same KMS: each encryption mode makes the KMS calls AWS documents, as you, and they show in the audit log.',
    content: () => html`<div id="at-rest-tour" class="tour" aria-labelledby="at-rest-tour-title"></div>
      <h3>Objects at rest</h3>
      <ek-bucket region="us-east-1" bucket="demo-notes"></ek-bucket>
      <h3>Images at rest</h3>
      <ek-repository region="us-east-1" repository="demo-app"></ek-repository>`,
  },
  {
    id: 'audit',
    title: 'Audit log',
    hint: 'Every KMS call, as CloudTrail would record it, hash-chained per region.',
    content: () => html`<ek-audit-log></ek-audit-log>`,
  },
  {
    id: 'secrets',
    title: 'Secrets',
    hint: 'Secrets Manager on the same KMS: each value is encrypted under a data key from the region’s KMS. Reveal shows a value only when asked.',
    content: () => html`<ek-secrets region="us-west-2"></ek-secrets>`,
  },
  {
    id: 'backup',
    title: 'Keys you cannot lose',
    hint: 'The keys live in this browser only: clearing the site’s data loses them, and every message with them. A backup, encrypted under your passphrase, brings them back in any browser.',
    // The clear button does what "Clear site data" would do to the keys, and keeps the walkthrough's
    // progress and note (main.ts): the demo's stand-in for the browser's own setting.
    content: () => html`<ek-backup></ek-backup>
      <p class="row"><button type="button" id="clear-keys">Clear this site’s keys</button>
        <span class="hint">Deletes the kit’s databases and reloads, as clearing the site’s data would.</span></p>`,
  },
] as const satisfies readonly DemoSection[];

/** The id of a section of {@link SECTIONS}: what a walkthrough step may point at. */
export type SectionId = (typeof SECTIONS)[number]['id'];

/** The section with this id, or undefined (for ids that come from the URL). */
export function sectionById(id: string): DemoSection | undefined {
  return SECTIONS.find((s) => s.id === id);
}
