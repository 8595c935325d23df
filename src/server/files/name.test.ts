import { describe, expect, it } from 'vitest';
import { cleanFileName, contentDisposition } from './name';

describe('cleanFileName', () => {
  it('keeps the last path segment, without control or bidi-override characters', () => {
    expect(cleanFileName('C:\\Users\\ana\\broken order.png')).toBe('broken order.png');
    expect(cleanFileName('../../etc/passwd')).toBe('passwd');
    expect(cleanFileName('photo\u202egnp.exe')).toBe('photognp.exe');
    expect(cleanFileName('  a\r\nb.txt ')).toBe('ab.txt');
    expect(cleanFileName('pedido ñ 注文.pdf')).toBe('pedido ñ 注文.pdf');
  });

  it('refuses names that leave nothing, dot names and names over 255 characters', () => {
    expect(cleanFileName('')).toBeUndefined();
    expect(cleanFileName('dir/')).toBeUndefined();
    expect(cleanFileName('..')).toBeUndefined();
    expect(cleanFileName('\u0000')).toBeUndefined();
    expect(cleanFileName(`${'a'.repeat(251)}.png`)).toBe(`${'a'.repeat(251)}.png`);
    expect(cleanFileName(`${'a'.repeat(252)}.png`)).toBeUndefined();
  });
});

describe('contentDisposition', () => {
  it('gives an ASCII fallback and the exact UTF-8 name', () => {
    expect(contentDisposition('attachment', 'pedido "roto" ñ.pdf')).toBe(
      `attachment; filename="pedido _roto_ _.pdf"; filename*=UTF-8''pedido%20%22roto%22%20%C3%B1.pdf`,
    );
    expect(contentDisposition('inline', "it's (1).png")).toBe(`inline; filename="it's (1).png"; filename*=UTF-8''it%27s%20%281%29.png`);
  });
});
