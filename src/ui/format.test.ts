import { describe, expect, it } from 'vitest';
import { shortTime, splitLinks } from './format';

describe('splitLinks', () => {
  it('keeps text without links as one part', () => {
    expect(splitLinks('no links here')).toEqual(['no links here']);
    expect(splitLinks('')).toEqual([]);
  });

  it('finds http and https links with the text around them', () => {
    expect(splitLinks('See https://shop.example/offers?a=1&b=2 and http://x.example.')).toEqual([
      'See ',
      { href: 'https://shop.example/offers?a=1&b=2', text: 'https://shop.example/offers?a=1&b=2' },
      ' and ',
      { href: 'http://x.example/', text: 'http://x.example' },
      '.',
    ]);
  });

  it('leaves trailing punctuation out, but a closing parenthesis that belongs to the URL in', () => {
    expect(splitLinks('(see https://a.example/x), https://en.wikipedia.org/wiki/Set_(mathematics).')).toEqual([
      '(see ',
      { href: 'https://a.example/x', text: 'https://a.example/x' },
      '), ',
      { href: 'https://en.wikipedia.org/wiki/Set_(mathematics)', text: 'https://en.wikipedia.org/wiki/Set_(mathematics)' },
      '.',
    ]);
  });

  it('never links other schemes', () => {
    const text = 'javascript:alert(1) data:text/html,<b>x</b> ftp://files.example/a mailto:a@b.example httpx://nope';
    expect(splitLinks(text)).toEqual([text]);
  });

  it('stops at quotes and angle brackets, so markup-looking text cannot smuggle an attribute', () => {
    expect(splitLinks('<a href="https://a.example/x" onclick=y>')).toEqual([
      '<a href="',
      { href: 'https://a.example/x', text: 'https://a.example/x' },
      '" onclick=y>',
    ]);
  });
});

describe('shortTime', () => {
  it('formats hours and minutes in the language, and is empty for a non-date', () => {
    const at = '2025-01-01T09:05:00.000Z';
    const expected = new Intl.DateTimeFormat('de', { hour: 'numeric', minute: '2-digit' }).format(new Date(at));
    expect(shortTime(at, 'de')).toBe(expected);
    expect(shortTime('not a date', 'en')).toBe('');
  });
});
