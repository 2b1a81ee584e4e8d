import { LitElement, html, css, nothing } from 'lit';
import { ActionController } from './task.js';
import { KitConsumer } from './kit-context.js';
import { describeError } from './describe-error.js';
import { fire } from './events.js';
import { baseStyles } from './styles.js';
import type { Kit } from '../client/kit.js';
import type { ServerSideEncryption, ServerSideEncryptionRule } from '../services/s3/types.js';

/** One object as the bucket view lists it: HeadObject's encryption members and replication status. */
interface ObjectRow {
  readonly key: string;
  readonly size: number;
  readonly mode: string;
  readonly keyArn?: string;
  readonly bucketKey?: boolean;
  readonly replication?: string;
}

interface BucketView {
  readonly exists: boolean;
  readonly rule?: ServerSideEncryptionRule;
  readonly objects: readonly ObjectRow[];
}

const MODES: readonly { value: '' | ServerSideEncryption; label: string }[] = [
  { value: '', label: "bucket's default" },
  { value: 'AES256', label: 'SSE-S3 (AES256)' },
  { value: 'aws:kms', label: 'SSE-KMS (aws:kms)' },
  { value: 'aws:kms:dsse', label: 'DSSE-KMS (aws:kms:dsse)' },
];

/** How an object's encryption reads to people. */
function modeOf(head: { ServerSideEncryption?: string; SSECustomerAlgorithm?: string }): string {
  if (head.SSECustomerAlgorithm) return 'SSE-C';
  return head.ServerSideEncryption === 'aws:kms' ? 'SSE-KMS' : head.ServerSideEncryption === 'aws:kms:dsse' ? 'DSSE-KMS' : 'SSE-S3';
}

async function loadBucket(kit: Kit, region: string, bucket: string, signal: AbortSignal): Promise<BucketView> {
  const s3 = kit.s3(region);
  const { Buckets } = await s3.listBuckets();
  if (!Buckets.some((b) => b.Name === bucket)) return { exists: false, objects: [] };
  const { ServerSideEncryptionConfiguration } = await s3.getBucketEncryption({ Bucket: bucket });
  const objects: ObjectRow[] = [];
  let token: string | undefined;
  do {
    const page = await s3.listObjectsV2({ Bucket: bucket, ...(token ? { ContinuationToken: token } : {}) });
    for (const entry of page.Contents) {
      signal.throwIfAborted();
      try {
        const head = await s3.headObject({ Bucket: bucket, Key: entry.Key });
        objects.push({
          key: entry.Key,
          size: entry.Size,
          mode: modeOf(head),
          ...(head.SSEKMSKeyId ? { keyArn: head.SSEKMSKeyId } : {}),
          ...(head.BucketKeyEnabled ? { bucketKey: true } : {}),
          ...(head.ReplicationStatus ? { replication: head.ReplicationStatus } : {}),
        });
      } catch (error) {
        // HeadObject of an SSE-C object needs its key: the listing says so rather than failing.
        objects.push({ key: entry.Key, size: entry.Size, mode: (error as Error).name === 'InvalidRequest' ? 'SSE-C (key needed)' : `unreadable: ${(error as Error).name}` });
      }
    }
    token = page.NextContinuationToken;
  } while (token);
  return { exists: true, rule: ServerSideEncryptionConfiguration.Rules[0]!, objects };
}

/**
 * One S3 bucket of the kit's simulated S3: its default encryption, its objects with the encryption
 * mode of each (SSE-S3, SSE-KMS with or without a Bucket Key, DSSE-KMS, SSE-C) and replication
 * status, an upload form that picks the mode and KMS key, and downloads. Creates the bucket when it
 * does not exist yet.
 *
 * @tagname ek-bucket
 * @attr region - the bucket's Region (default: the kit's first).
 * @attr bucket - the bucket name.
 * @fires ek-object-change - an object was uploaded or deleted: `{ region, bucket, key, action }`.
 * @fires ek-error - a call failed: `{ operation, error }`.
 * @csspart settings - the default-encryption summary.
 * @csspart objects - the objects table.
 * @csspart upload - the upload form.
 * @csspart status - the live status line.
 *
 * @example
 * ```html
 * <ek-kit><ek-bucket region="us-east-1" bucket="photos"></ek-bucket></ek-kit>
 * ```
 */
export class EkBucket extends LitElement {
  static override properties = {
    region: { type: String },
    bucket: { type: String },
  };

  static override styles = [
    baseStyles,
    css`
      table {
        width: 100%;
        border-collapse: collapse;
      }
      th,
      td {
        text-align: left;
        padding: 0.25rem 0.4rem;
        border-bottom: 1px solid var(--_line);
        overflow-wrap: anywhere;
      }
      .settings {
        background: var(--_soft);
        border-radius: var(--_radius);
        padding: 0.5rem 0.75rem;
      }
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: end;
        margin-top: 0.75rem;
      }
    `,
  ];

  declare region: string;
  declare bucket: string;

  readonly #kit = new KitConsumer(this);
  #seen = '';
  readonly #load = new ActionController(this, (signal) => loadBucket(this.#kit.require(), this.#region(), this.bucket, signal));
  readonly #act = new ActionController(this, async (_signal, operation: string, work: () => Promise<string>) => ({ operation, message: await work() }));

  constructor() {
    super();
    this.region = '';
    this.bucket = '';
  }

  #region(): string {
    return this.region || this.#kit.require().regions[0]!;
  }

  protected override willUpdate(): void {
    const { kit, revision } = this.#kit.state;
    const id = `${revision}|${this.region}|${this.bucket}`;
    if (kit && this.bucket && id !== this.#seen) {
      this.#seen = id;
      void this.#load.run();
    }
  }

  async #do(operation: string, work: () => Promise<string>): Promise<void> {
    const done = await this.#act.run(operation, work);
    if (!done) fire(this, 'ek-error', { operation, error: this.#act.error });
    void this.#load.run();
  }

  #create(): Promise<void> {
    const region = this.#region();
    return this.#do('createBucket', async () => {
      await this.#kit.require().s3(region).createBucket({ Bucket: this.bucket, ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region } }) });
      return `Created ${this.bucket} in ${region}: objects are encrypted with SSE-S3 by default, SSE-C is blocked.`;
    });
  }

  #upload(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const file = data.get('file');
    const key = String(data.get('key') || (file instanceof File && file.name) || '');
    const mode = String(data.get('mode') ?? '') as '' | ServerSideEncryption;
    const kmsKey = String(data.get('kmsKey') ?? '').trim();
    const bucketKey = data.get('bucketKey') === 'on';
    return this.#do('putObject', async () => {
      if (!key) throw new TypeError('an object key (or a file) is required');
      const body = file instanceof File && file.size > 0 ? new Uint8Array(await file.arrayBuffer()) : new TextEncoder().encode(String(data.get('text') ?? ''));
      const put = await this.#kit.require().s3(this.#region()).putObject({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ...(mode ? { ServerSideEncryption: mode } : {}),
        ...(kmsKey && mode !== 'AES256' ? { SSEKMSKeyId: kmsKey } : {}),
        ...(bucketKey ? { BucketKeyEnabled: true } : {}),
      });
      fire(this, 'ek-object-change', { region: this.#region(), bucket: this.bucket, key, action: 'uploaded' });
      form.reset();
      return `Uploaded ${key}: ${modeOf(put)}${put.SSEKMSKeyId ? ` under ${put.SSEKMSKeyId}` : ''}${put.BucketKeyEnabled ? ' with a Bucket Key' : ''}.`;
    });
  }

  #download(key: string): Promise<void> {
    return this.#do('getObject', async () => {
      const { Body, ContentType } = await this.#kit.require().s3(this.#region()).getObject({ Bucket: this.bucket, Key: key });
      const url = URL.createObjectURL(new Blob([await Body.transformToByteArray()], { type: ContentType ?? 'application/octet-stream' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = key.split('/').pop() ?? key;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      return `Downloaded ${key}.`;
    });
  }

  #delete(key: string): Promise<void> {
    return this.#do('deleteObject', async () => {
      await this.#kit.require().s3(this.#region()).deleteObject({ Bucket: this.bucket, Key: key });
      fire(this, 'ek-object-change', { region: this.#region(), bucket: this.bucket, key, action: 'deleted' });
      return `Deleted ${key}.`;
    });
  }

  override render() {
    const kit = this.#kit.kit;
    if (!kit) return html`<p class="muted" role="status">${this.#kit.state.error ? describeError(this.#kit.state.error) : 'Waiting for the kit…'}</p>`;
    if (!this.bucket) return html`<p class="muted">Set the bucket attribute.</p>`;
    const view = this.#load.value;
    return html`${this.#load.status === 'error'
        ? html`<p class="error">${describeError(this.#load.error)}</p>`
        : !view
          ? html`<p class="muted">Loading ${this.bucket}…</p>`
          : !view.exists
            ? html`<p class="muted">No bucket ${this.bucket} in ${this.#region()} yet.</p>
                <button type="button" ?disabled=${this.#act.pending} @click=${() => this.#create()}>Create bucket</button>`
            : this.#renderBucket(view)}
      <p part="status" class="status ${this.#act.status === 'error' ? 'error' : ''}" role="status" aria-live="polite">
        ${this.#act.render({ pending: () => 'Working…', complete: ({ message }) => message, error: (e) => describeError(e) }) ?? ''}
      </p>`;
  }

  #renderBucket(view: BucketView) {
    const rule = view.rule!;
    const byDefault = rule.ApplyServerSideEncryptionByDefault;
    const blocked = rule.BlockedEncryptionTypes?.EncryptionType?.includes('SSE-C');
    return html`<div part="settings" class="settings" aria-label="Default encryption of ${this.bucket}">
        Default encryption: <strong>${modeOf({ ServerSideEncryption: byDefault?.SSEAlgorithm ?? 'AES256' })}</strong>
        ${byDefault?.KMSMasterKeyID ? html` under <code>${byDefault.KMSMasterKeyID}</code>` : byDefault?.SSEAlgorithm !== 'AES256' ? html` under <code>alias/aws/s3</code>` : nothing}
        · Bucket Key ${rule.BucketKeyEnabled ? 'on' : 'off'} · SSE-C ${blocked ? 'blocked' : 'allowed'}
      </div>
      ${view.objects.length === 0
        ? html`<p class="muted">No objects yet.</p>`
        : html`<table part="objects">
            <thead><tr><th>Key</th><th>Size</th><th>Encryption</th><th>Replication</th><th><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
              ${view.objects.map(
                (o) => html`<tr>
                  <td><code>${o.key}</code></td>
                  <td>${o.size} B</td>
                  <td>${o.mode}${o.bucketKey ? ' + Bucket Key' : ''}${o.keyArn ? html`<br /><small><code>${o.keyArn}</code></small>` : nothing}</td>
                  <td>${o.replication ?? '—'}</td>
                  <td class="row">
                    <button type="button" ?disabled=${this.#act.pending || o.mode.startsWith('SSE-C')} @click=${() => this.#download(o.key)}>Download</button>
                    <button type="button" ?disabled=${this.#act.pending} @click=${() => this.#delete(o.key)} aria-label="Delete ${o.key}">Delete</button>
                  </td>
                </tr>`,
              )}
            </tbody>
          </table>`}
      <form part="upload" @submit=${(e: SubmitEvent) => this.#upload(e)} aria-label="Upload to ${this.bucket}">
        <label>Key <input name="key" placeholder="notes/today.txt" /></label>
        <label>File <input name="file" type="file" /></label>
        <label>or text <input name="text" placeholder="hello" /></label>
        <label
          >Encryption
          <select name="mode">
            ${MODES.map((m) => html`<option value=${m.value}>${m.label}</option>`)}
          </select></label
        >
        <label>KMS key <input name="kmsKey" placeholder="alias/aws/s3" /></label>
        <label><input name="bucketKey" type="checkbox" /> Bucket Key</label>
        <button type="submit" ?disabled=${this.#act.pending}>Upload</button>
      </form>`;
  }
}
