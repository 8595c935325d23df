import { describe, expect, it } from 'vitest';
import { createFileLinks } from './file-links';

const T0 = 1_800_000_000_000;
const signed = (expires: number) => `https://chat.example.com/files/f1?expires=${expires}&signature=s`;

/** A window whose fetch answers from `answer` and records each request. */
function fakeWindow(answer: () => { status: number; body: unknown }) {
  const requests: { url: string; method?: string; authorization?: string; credentials?: string }[] = [];
  const window = {
    fetch: async (url: string, init: RequestInit) => {
      requests.push({ url, method: init.method, authorization: (init.headers as Record<string, string>).Authorization, credentials: init.credentials });
      const { status, body } = answer();
      return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
    },
  } as unknown as Window & typeof globalThis;
  return { window, requests };
}

const options = (window: Window & typeof globalThis, now: () => number, client: { token?: string } = { token: 'tok.1' }) => ({
  window,
  serverUrl: 'https://chat.example.com/roundel/',
  organization: 'acme',
  endpoint: 'acme demo',
  client,
  now,
});

describe('createFileLinks', () => {
  it('tells a link past its expires by the injected clock', () => {
    const clock = { now: T0 };
    const links = createFileLinks(options(fakeWindow(() => ({ status: 200, body: {} })).window, () => clock.now));
    expect(links.expired(signed(T0 / 1000 + 60))).toBe(false);
    clock.now += 60_000;
    expect(links.expired(signed(T0 / 1000 + 60))).toBe(true);
    // No expires (a URL of another kind), or not a URL: nothing to renew.
    expect(links.expired('https://chat.example.com/files/f1')).toBe(false);
    expect(links.expired('not a url')).toBe(false);
  });

  it("asks the server for a fresh link with the visitor's token, once for views asking together", async () => {
    const { window, requests } = fakeWindow(() => ({ status: 200, body: { url: signed(T0 / 1000 + 86_400) } }));
    const links = createFileLinks(options(window, () => T0));
    const [a, b] = await Promise.all([links.fresh('f 1'), links.fresh('f 1')]);
    expect(a).toBe(signed(T0 / 1000 + 86_400));
    expect(b).toBe(a);
    expect(requests).toEqual([
      {
        url: 'https://chat.example.com/roundel/files/f%201/link?organization=acme&endpoint=acme+demo',
        method: 'POST',
        authorization: 'Bearer tok.1',
        credentials: 'omit',
      },
    ]);
    // Settled, a later failure may ask again.
    await links.fresh('f 1');
    expect(requests).toHaveLength(2);
  });

  it('gives nothing for a refusal, a link that is not http(s), a broken body, or before login', async () => {
    const answers = [
      { status: 403, body: { error: { type: 'authentication', message: 'this file belongs to another chat' } } },
      { status: 200, body: { url: 'javascript:alert(1)' } },
      { status: 200, body: ['https://chat.example.com/files/f1'] },
    ];
    const { window, requests } = fakeWindow(() => answers.shift()!);
    const links = createFileLinks(options(window, () => T0));
    expect(await links.fresh('f1')).toBeUndefined();
    expect(await links.fresh('f1')).toBeUndefined();
    expect(await links.fresh('f1')).toBeUndefined();
    expect(requests).toHaveLength(3);
    const loggedOut = createFileLinks(options(window, () => T0, {}));
    expect(await loggedOut.fresh('f1')).toBeUndefined();
    expect(requests).toHaveLength(3);
  });

  it('never rejects: a network failure is no link', async () => {
    const window = { fetch: () => Promise.reject(new TypeError('Failed to fetch')) } as unknown as Window & typeof globalThis;
    expect(await createFileLinks(options(window, () => T0)).fresh('f1')).toBeUndefined();
  });
});
