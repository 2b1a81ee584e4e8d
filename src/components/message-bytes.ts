/**
 * Reading a message's header on the page. The header is public by design (suite, context, wrapped
 * keys), so parsing it here needs no key and shows a file's header without a second worker call.
 */
import { parseHeader } from '../core/header.js';
import type { MessageHeader } from '../core/types.js';
import { fromBase64, toBase64 } from '../core/bytes.js';

export { toBase64 };

/**
 * The header at the start of `message`, or undefined when it is not a message. Reads a Blob 64 KiB
 * at a time until the header ends, so a large file is never read whole.
 *
 * @example
 * ```ts
 * const header = await headerOf(await kit.encryptFile(file, options));
 * ```
 */
export async function headerOf(message: Uint8Array | Blob): Promise<MessageHeader | undefined> {
  try {
    if (message instanceof Uint8Array) return parseHeader(message);
    for (let size = 64 * 1024; ; size *= 4) {
      const bytes = new Uint8Array(await message.slice(0, size).arrayBuffer());
      const parsed = parseHeader(bytes);
      if (parsed || size >= message.size) return parsed;
    }
  } catch {
    return undefined;
  }
}

/**
 * Decodes pasted base64, forgiving whitespace and line breaks (copying from a page adds them).
 *
 * @example
 * ```ts
 * const bytes = decodeBase64(textarea.value); // undefined when it is not base64
 * ```
 */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  return fromBase64(text.replace(/\s+/g, '')) as Uint8Array<ArrayBuffer> | undefined;
}

/** "1.2 MiB" for progress and sizes. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}
