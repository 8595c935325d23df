import { describe, expect, it } from 'vitest';
import { INLINE_IMAGE_TYPES, looksLikeText, sniffContentType } from './sniff';

const bytes = (...values: (number | string)[]): Uint8Array =>
  Uint8Array.from(values.flatMap((v) => (typeof v === 'string' ? [...Buffer.from(v, 'latin1')] : [v])));

describe('sniffContentType', () => {
  it('reads each accepted type from its magic number, whatever follows', () => {
    expect(sniffContentType(bytes(0x89, 'PNG\r\n', 0x1a, '\n', 0, 0, 0, 13, 'IHDR'))).toBe('image/png');
    expect(sniffContentType(bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'JFIF'))).toBe('image/jpeg');
    expect(sniffContentType(bytes('GIF89a', 1, 0, 1, 0))).toBe('image/gif');
    expect(sniffContentType(bytes('GIF87a', 1, 0, 1, 0))).toBe('image/gif');
    expect(sniffContentType(bytes('RIFF', 0x24, 0, 0, 0, 'WEBPVP8 '))).toBe('image/webp');
    expect(sniffContentType(bytes('%PDF-1.7\n%', 0xe2, 0xe3))).toBe('application/pdf');
    expect(sniffContentType(bytes('PK', 3, 4, 20, 0))).toBe('application/zip');
    expect(sniffContentType(bytes('Order 1234 arrived broken.\r\nPhotos follow.\n'))).toBe('text/plain; charset=utf-8');
  });

  it('never trusts a name or label: markup is plain text, and SVG is never an image', () => {
    expect(sniffContentType(bytes('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'))).toBe('text/plain; charset=utf-8');
    expect(sniffContentType(bytes('<!doctype html><script>alert(1)</script>'))).toBe('text/plain; charset=utf-8');
    expect(INLINE_IMAGE_TYPES.has('image/svg+xml')).toBe(false);
    expect([...INLINE_IMAGE_TYPES].sort()).toEqual(['image/gif', 'image/jpeg', 'image/png', 'image/webp']);
  });

  it('refuses binary it does not know, empty data and cut-off signatures', () => {
    expect(sniffContentType(bytes(0x7f, 'ELF', 2, 1, 1, 0))).toBeUndefined();
    expect(sniffContentType(bytes('MZ', 0x90, 0, 3, 0))).toBeUndefined();
    expect(sniffContentType(new Uint8Array())).toBeUndefined();
    // RIFF but not WEBP (a WAV file), and a PNG signature cut short.
    expect(sniffContentType(bytes('RIFF', 0x24, 0, 0, 0, 'WAVEfmt ', 0, 0, 0))).toBeUndefined();
    expect(sniffContentType(bytes(0x89, 'PNG', 0x0d))).toBeUndefined();
  });
});

describe('looksLikeText', () => {
  it('accepts UTF-8 in any script, with a byte-order mark', () => {
    expect(looksLikeText(Buffer.from('\ufeffPedido roto: ¿reembolso? 注文 ✓ مرحبا', 'utf8'))).toBe(true);
  });

  it('refuses NUL, control characters and invalid UTF-8', () => {
    expect(looksLikeText(Buffer.from('text\u0000more'))).toBe(false);
    expect(looksLikeText(Buffer.from('bell\u0007'))).toBe(false);
    expect(looksLikeText(bytes('caf', 0xe9))).toBe(false); // Latin-1, not UTF-8
    expect(looksLikeText(bytes(0xc0, 0xaf))).toBe(false); // overlong encoding
  });

  it('reads only a probe of a large file, and a character cut at its end is not an error', () => {
    const probe = 64 * 1024;
    const cut = Buffer.concat([Buffer.alloc(probe - 1, 'a'), Buffer.from('€'), Buffer.alloc(10, 'b')]);
    expect(looksLikeText(cut)).toBe(true);
    // Binary after the probe is not read (a known limit of sniffing: the type is of the start).
    expect(looksLikeText(Buffer.concat([Buffer.alloc(probe, 'a'), Buffer.from([0, 0, 0])]))).toBe(true);
    expect(looksLikeText(Buffer.concat([Buffer.alloc(probe - 2, 'a'), Buffer.from([0xff, 0xfe, 0xfd])]))).toBe(false);
  });
});
