import { LitElement, html, css, nothing } from 'lit';
import type { MessageHeader } from '../core/types.js';
import { findSuite, suiteHex } from '../core/suites.js';
import { baseStyles } from './styles.js';

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/**
 * The region an `aws-kms` data key can be unwrapped in: the one its key ARN names.
 *
 * @example
 * ```ts
 * regionOfKeyArn('arn:aws:kms:eu-west-1:111122223333:key/mrk-1234'); // 'eu-west-1'
 * ```
 */
export function regionOfKeyArn(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:key\//.exec(arn)?.[1];
}

function suiteName(id: number): string {
  const suite = findSuite(id);
  if (!suite) return 'unknown suite';
  const parts = [`AES-${suite.keyLength * 8}-GCM`];
  if (suite.kdfHash) parts.push(`HKDF-${suite.kdfHash}`);
  if (suite.committing) parts.push('key commitment');
  if (suite.signature) parts.push(`ECDSA ${suite.signature.curve} signature`);
  return parts.join(', ');
}

/**
 * Shows what a message's header tells anyone who holds it: the algorithm suite, the encryption
 * context, each wrapped data key with the KMS key and region that can unwrap it, and the framing.
 * Nothing here is secret, which is the point of showing it.
 *
 * @tagname ek-message-header
 * @csspart header - the description list.
 * @csspart data-keys - the wrapped data keys table.
 * @cssprop --ek-muted - colour of secondary text.
 *
 * @example
 * ```ts
 * const view = document.createElement('ek-message-header');
 * view.header = (await kit.decrypt(bytes)).header;
 * view.plaintextLength = 1200;
 * ```
 */
export class EkMessageHeader extends LitElement {
  static override properties = {
    header: { attribute: false },
    plaintextLength: { type: Number, attribute: 'plaintext-length' },
  };

  static override styles = [
    baseStyles,
    css`
      dl {
        display: grid;
        grid-template-columns: max-content minmax(0, 1fr);
        gap: 0.35rem 1rem;
        margin: 0;
      }
      dt {
        color: var(--_muted);
        font-weight: 600;
      }
      dd {
        margin: 0;
        min-width: 0;
      }
      .scroll-x {
        overflow-x: auto;
      }
      th,
      .nowrap {
        white-space: nowrap;
        overflow-wrap: normal;
      }
      @media (max-width: 36rem) {
        dl {
          grid-template-columns: minmax(0, 1fr);
        }
        dd {
          margin-bottom: 0.4rem;
        }
      }
    `,
  ];

  declare header: MessageHeader | undefined;
  /** When known, the frame count is shown: ceil(length / frame length), plus the final frame rule. */
  declare plaintextLength: number | undefined;

  override render() {
    const h = this.header;
    if (!h) return html`<p class="muted">No message yet.</p>`;
    const context = Object.entries(h.encryptionContext);
    return html`<dl part="header">
      <dt>Algorithm suite</dt>
      <dd><code>${suiteHex(h.suiteId)}</code> ${suiteName(h.suiteId)} (message format v${h.version})</dd>
      <dt>Message id</dt>
      <dd><code>${hex(h.messageId)}</code></dd>
      <dt>Encryption context</dt>
      <dd>
        ${context.length === 0
          ? html`<span class="muted">none stored</span>`
          : html`<table>
              <thead><tr><th scope="col">key</th><th scope="col">value</th></tr></thead>
              <tbody>${context.map(([k, v]) => html`<tr><td><code>${k}</code></td><td><code>${v.length > 48 ? `${v.slice(0, 48)}…` : v}</code></td></tr>`)}</tbody>
            </table>`}
        ${context.some(([k]) => k.startsWith('aws-crypto-'))
          ? html`<p class="muted">aws-crypto-public-key was added by the signed suite: it verifies the footer signature.</p>`
          : nothing}
      </dd>
      <dt>Wrapped data keys</dt>
      <dd>
        <div class="scroll-x"><table part="data-keys">
          <thead><tr><th scope="col">provider</th><th scope="col">KMS key</th><th scope="col">unwrap in</th><th scope="col">size</th></tr></thead>
          <tbody>
            ${h.encryptedDataKeys.map((edk) => {
              const info = new TextDecoder().decode(edk.providerInfo);
              const region = edk.providerId === 'aws-kms' ? regionOfKeyArn(info) : undefined;
              return html`<tr>
                <td class="nowrap"><code>${edk.providerId}</code></td>
                <td><code>${edk.providerId === 'aws-kms' ? info : `${edk.providerInfo.length} bytes`}</code></td>
                <td class="nowrap">${region ?? html`<span class="muted">n/a</span>`}${info.includes(':key/mrk-') ? html`<br /><span class="muted">or any replica</span>` : nothing}</td>
                <td class="nowrap">${edk.ciphertext.length} B</td>
              </tr>`;
            })}
          </tbody>
        </table></div>
      </dd>
      <dt>Body</dt>
      <dd>${this.#frames(h)}</dd>
      <dt>Header length</dt>
      <dd>${h.headerLength} bytes</dd>
    </dl>`;
  }

  #frames(h: MessageHeader): string {
    if (h.contentType !== 'framed') return 'non-framed (one block)';
    const base = `framed, ${h.frameLength.toLocaleString('en')}-byte frames`;
    if (this.plaintextLength === undefined) return base;
    // The last frame is always a "final frame", possibly empty when the length divides evenly.
    const frames = Math.floor(this.plaintextLength / h.frameLength) + 1;
    return `${base}: ${frames} frame${frames === 1 ? '' : 's'} for ${this.plaintextLength.toLocaleString('en')} bytes`;
  }
}
