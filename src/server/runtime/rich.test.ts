import { describe, expect, it } from 'vitest';
import { RICH_LIMITS, parseSayOptions } from './rich';

/** The TypeError message `parseSayOptions(options)` throws, or 'ok'. */
function refusal(options: unknown): string {
  try {
    parseSayOptions(options);
    return 'ok';
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

describe('say options', () => {
  it('turns image and buttons into a first untitled element and cards into titled ones (LiveChat cards template)', () => {
    expect(
      parseSayOptions({
        quickReplies: ['Yes'],
        image: { url: 'https://shop.example/a.png', alt: 'A red kettle' },
        buttons: [{ title: 'Open', url: 'https://shop.example/a' }, { title: 'Buy', postback: 'buy a' }],
        cards: [
          { title: 'Kettle', subtitle: '1.7 l', image: { url: 'http://shop.example/k.png', alt: 'Kettle' }, buttons: [{ title: 'More', postback: 'more kettle' }] },
          { title: 'Toaster' },
        ],
      }),
    ).toEqual({
      quickReplies: ['Yes'],
      rich: {
        template_id: 'cards',
        elements: [
          {
            image: { url: 'https://shop.example/a.png', alternative_text: 'A red kettle' },
            buttons: [
              { type: 'url', text: 'Open', value: 'https://shop.example/a' },
              { type: 'message', text: 'Buy', value: 'buy a' },
            ],
          },
          {
            title: 'Kettle',
            subtitle: '1.7 l',
            image: { url: 'http://shop.example/k.png', alternative_text: 'Kettle' },
            buttons: [{ type: 'message', text: 'More', value: 'more kettle' }],
          },
          { title: 'Toaster' },
        ],
      },
    });
    expect(parseSayOptions(undefined)).toEqual({});
    expect(parseSayOptions({})).toEqual({});
    expect(parseSayOptions({ buttons: [] })).toEqual({});
  });

  it('accepts only absolute http(s) URLs, whatever the spelling of another scheme', () => {
    for (const url of ['javascript:alert(1)', 'JAVASCRIPT:alert(1)', ' javascript:alert(1)', 'java\tscript:alert(1)', 'data:text/html,<b>x</b>', 'vbscript:x', 'file:///etc/passwd', 'blob:https://x/1', 'ftp://x.example/a', '//x.example/a', '/relative', 'https//x', '']) {
      const button = refusal({ buttons: [{ title: 'x', url }] });
      const img = refusal({ image: { url, alt: 'x' } });
      expect([url, button], url).toEqual([url, url === '' ? 'TypeError: say: options.buttons[0].url must be a non-empty string' : 'TypeError: say: options.buttons[0].url must be an http(s) URL']);
      expect(img).toMatch(/^TypeError: say: options\.image\.url must be/);
    }
    expect(parseSayOptions({ buttons: [{ title: 'x', url: 'HTTPS://Shop.Example/a b' }] }).rich?.elements[0]?.buttons?.[0]?.value).toBe('https://shop.example/a%20b');
  });

  it('names the bad field: types, missing parts, both url and postback, lengths and counts', () => {
    const long = (n: number) => 'x'.repeat(n);
    expect([
      refusal('cards'),
      refusal({ quickReplies: 'no' }),
      refusal({ buttons: [{ title: 'x' }] }),
      refusal({ buttons: [{ title: 'x', url: 'https://a.example', postback: 'p' }] }),
      refusal({ buttons: [{ title: ' ', postback: 'p' }] }),
      refusal({ buttons: Array(RICH_LIMITS.buttons + 1).fill({ title: 'x', postback: 'p' }) }),
      refusal({ buttons: [{ title: long(201), postback: 'p' }] }),
      refusal({ buttons: [{ title: 'x', postback: long(201) }] }),
      refusal({ image: { url: 'https://a.example/i.png' } }),
      refusal({ image: { url: 'https://a.example/i.png', alt: long(501) } }),
      refusal({ image: 'https://a.example/i.png' }),
      refusal({ cards: [{ subtitle: 'no title' }] }),
      refusal({ cards: Array(RICH_LIMITS.cards + 1).fill({ title: 't' }) }),
      refusal({ cards: [{ title: 't', buttons: [{ title: 'x', url: 'https://a.example/' + long(2048) }] }] }),
      refusal({ cards: [{ title: 't' }, { title: 't', image: { url: 'data:image/png;base64,AAAA', alt: 'x' } }] }),
    ]).toEqual([
      'TypeError: say: options must be an object',
      'TypeError: say: options.quickReplies must be an array',
      'TypeError: say: options.buttons[0] must have either a url or a postback',
      'TypeError: say: options.buttons[0] must have either a url or a postback',
      'TypeError: say: options.buttons[0].title must be a non-empty string',
      'TypeError: say: options.buttons must have at most 5 entries',
      'TypeError: say: options.buttons[0].title must be at most 200 characters',
      'TypeError: say: options.buttons[0].postback must be at most 200 characters',
      'TypeError: say: options.image.alt must be a non-empty string',
      'TypeError: say: options.image.alt must be at most 500 characters',
      'TypeError: say: options.image must be an object',
      'TypeError: say: options.cards[0].title must be a non-empty string',
      'TypeError: say: options.cards must have at most 10 entries',
      'TypeError: say: options.cards[0].buttons[0].url must be at most 2048 characters',
      'TypeError: say: options.cards[1].image.url must be an http(s) URL',
    ]);
  });

  it('copies: later changes by the bot do not reach what was stored, and unknown fields are dropped', () => {
    const button = { title: 'x', postback: 'p', onclick: 'alert(1)' };
    const parsed = parseSayOptions({ buttons: [button], html: '<b>' });
    button.postback = 'changed';
    expect(parsed).toEqual({ rich: { template_id: 'cards', elements: [{ buttons: [{ type: 'message', text: 'x', value: 'p' }] }] } });
  });
});
