/**
 * The content type of an upload, read from its first bytes (magic numbers), never from what the
 * client claims: a page could label an HTML file `image/png` and have it rendered from our origin.
 * Only the types below are accepted; anything else is refused (docs/security.md, "Visitor files").
 * SVG is deliberately not an image here: it is XML that can carry script, so it sniffs as text
 * and is only ever served as a `text/plain` attachment.
 */

/** The types a visitor may send, as the server names them in responses, pushes and `onFile`. */
export type SniffedType =
  | 'image/png'
  | 'image/jpeg'
  | 'image/gif'
  | 'image/webp'
  | 'application/pdf'
  | 'application/zip'
  | 'text/plain; charset=utf-8';

/** Types the widget may show inline and the server serves without `Content-Disposition: attachment`. */
export const INLINE_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

interface Signature {
  type: SniffedType;
  /** Bytes at `offset`; `undefined` entries match any byte. */
  bytes: readonly (number | undefined)[];
  offset?: number;
}

const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

const SIGNATURES: readonly Signature[] = [
  { type: 'image/png', bytes: [0x89, ...ascii('PNG'), 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: 'image/jpeg', bytes: [0xff, 0xd8, 0xff] },
  { type: 'image/gif', bytes: ascii('GIF87a') },
  { type: 'image/gif', bytes: ascii('GIF89a') },
  // RIFF <size> WEBP
  { type: 'image/webp', bytes: [...ascii('RIFF'), undefined, undefined, undefined, undefined, ...ascii('WEBP')] },
  { type: 'application/pdf', bytes: ascii('%PDF-') },
  // A local file header (office documents are zip files too: they are offered as a zip download).
  { type: 'application/zip', bytes: [0x50, 0x4b, 0x03, 0x04] },
];

function matches(data: Uint8Array, signature: Signature): boolean {
  const offset = signature.offset ?? 0;
  if (data.length < offset + signature.bytes.length) return false;
  return signature.bytes.every((byte, i) => byte === undefined || data[offset + i] === byte);
}

/** How much of a text file is checked: enough to tell text from binary, without scanning 10 MiB. */
const TEXT_PROBE_BYTES = 64 * 1024;

/**
 * Whether `data` reads as text: valid UTF-8 (a UTF-8 byte-order mark allowed) with no NUL and no
 * control characters other than tab, line feed, form feed and carriage return. A multi-byte
 * character cut at the probe's end is fine.
 */
export function looksLikeText(data: Uint8Array): boolean {
  if (data.length === 0) return false;
  const probe = data.subarray(0, Math.min(data.length, TEXT_PROBE_BYTES));
  for (const byte of probe) {
    if (byte === 0 || byte === 0x7f) return false;
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0c && byte !== 0x0d && byte !== 0x1b) return false;
  }
  // Trim a character that the probe boundary may have cut (at most 3 bytes of a 4-byte sequence).
  let end = probe.length;
  if (probe.length < data.length) {
    let back = 0;
    while (back < 3 && end - back - 1 >= 0 && ((probe[end - back - 1] as number) & 0xc0) === 0x80) back += 1;
    if (end - back - 1 >= 0 && ((probe[end - back - 1] as number) & 0xc0) === 0xc0) end -= back + 1;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(probe.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

/** The type of `data`, or `undefined` when it is none of the accepted ones. */
export function sniffContentType(data: Uint8Array): SniffedType | undefined {
  for (const signature of SIGNATURES) if (matches(data, signature)) return signature.type;
  return looksLikeText(data) ? 'text/plain; charset=utf-8' : undefined;
}
