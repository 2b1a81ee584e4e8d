/**
 * The walkthrough's steps: what the visitor does, what it shows, and which component event marks
 * it done. Kept as data so the guide, the persistence and the end-to-end test read one list.
 */
import type { SectionId } from './sections.js';

export interface Step {
  readonly id: string;
  readonly title: string;
  /** What to do, in the page's own words (the button and field names the visitor sees). */
  readonly todo: string;
  /** Why it matters: the envelope-encryption idea this step shows. */
  readonly why: string;
  /** The section of the page where the step happens (src/demo/sections.ts). */
  readonly section: SectionId;
  /** Steps that a button in the guide confirms, because they are about looking, not doing. */
  readonly confirm?: string;
}

export const STEPS: readonly Step[] = [
  {
    id: 'create-key',
    title: 'Create a key',
    todo: 'In “KMS keys”, give the key a description and press “Create key” (leave Multi-Region on).',
    why: 'A KMS key never leaves the KMS (here: the kit’s worker). It only wraps and unwraps data keys.',
    section: 'keys',
  },
  {
    id: 'encrypt',
    title: 'Encrypt a note',
    todo: 'In “Encrypt”, write a note, keep or edit the encryption context, and press “Encrypt”.',
    why: 'Each message gets a fresh data key; the KMS key wraps it. The context is authenticated but not secret.',
    section: 'encrypt',
  },
  {
    id: 'header',
    title: 'Read the header',
    todo: 'Below the encrypted message, find the wrapped data key: its KMS key ARN names the region that can unwrap it.',
    why: 'The header is readable by anyone with the message: suite, context and every wrapped copy of the data key.',
    section: 'encrypt',
    confirm: 'I found the wrapped data key',
  },
  {
    id: 'decrypt',
    title: 'Decrypt it',
    todo: 'In “Decrypt” (the message is already filled in), press “Decrypt”.',
    why: 'The worker asks the KMS to unwrap the data key, then decrypts and verifies every frame and the signature.',
    section: 'decrypt',
  },
  {
    id: 'wrong-context',
    title: 'Try a wrong context',
    todo: 'Change a value in “Required encryption context” (e.g. the department) and press “Decrypt” again.',
    why: 'The context is bound into the message and the KMS call: a different one is refused, with a clear reason.',
    section: 'decrypt',
  },
  {
    id: 'rotate',
    title: 'Rotate the key',
    todo: 'Put the value back. In “KMS keys”, press “Manage” on your key, then “Rotate now”.',
    why: 'Rotation adds new key material for new messages; the old material stays to unwrap old data keys.',
    section: 'keys',
  },
  {
    id: 'old-decrypts',
    title: 'The old message still decrypts',
    todo: 'In “Decrypt”, with the right context, press “Decrypt”.',
    why: 'The wrapped data key records which material wrapped it, so no data has to be re-encrypted.',
    section: 'decrypt',
  },
  {
    id: 'replicate',
    title: 'Replicate to another region',
    todo: 'In the key’s panel, choose a region under “Replicate to” and press “Replicate”.',
    why: 'A multi-Region replica has the same key id and material, so it unwraps the same data keys.',
    section: 'keys',
  },
  {
    id: 'outage',
    title: 'Take the first region down',
    todo: 'In “Regions”, switch “Outage” on for the key’s own region.',
    why: 'Every call there now fails, as during a real regional outage.',
    section: 'regions',
  },
  {
    id: 'decrypt-elsewhere',
    title: 'Decrypt in the second region',
    todo: 'In “Decrypt”, set “Use the KMS in” to the replica’s region and press “Decrypt”.',
    why: 'The replica unwraps the data key: the message stays readable while its home region is down.',
    section: 'decrypt',
  },
  {
    id: 'audit',
    title: 'Check the audit log',
    todo: 'In “Audit log”, press “Verify the chain”.',
    why: 'Every KMS call was recorded, hash-chained per region: changing or removing one breaks the chain.',
    section: 'audit',
  },
  {
    id: 'secret-replica',
    title: 'A secret survives a region outage through its replica',
    todo: 'In “Secrets”, choose a region that is up (e.g. us-west-2), create a secret with “Replicate to” set to another region, switch “Outage” on for the secret’s region in “Regions”, then in “Secrets” choose the replica’s region and press “Reveal”.',
    why: 'Secrets Manager keeps each copy encrypted under a KMS key of its own region: the replica decrypts there while the primary’s region is down.',
    section: 'secrets',
  },
  {
    id: 'backup-restore',
    title: 'Back up, clear, restore',
    todo: 'In “Keys you cannot lose”, make a backup and download it; press “Clear this site’s keys”; after the reload, restore the file with its passphrase; then in “Decrypt” press “Decrypt”.',
    why: 'Keys in a browser are lost with its site data. The backup (an AWS Encryption SDK message under your passphrase) brings every key back, so the old note decrypts.',
    section: 'backup',
  },
];
