import { describe, expect, it, vi } from 'vitest';
import { ENGLISH } from '../protocol';
import { loadStrings } from './i18n';

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('loadStrings', () => {
  it.each(['en', 'en-GB', 'ja', 'pt-BR'])('fetches nothing for %s (English, or no table)', async (lang) => {
    const fetch = vi.fn();
    expect(await loadStrings('https://chat.example.com/', lang, fetch)).toBeUndefined();
    expect(fetch).not.toHaveBeenCalled();
  });

  it("fetches the language's table from the server, under its path, and completes it from English", async () => {
    const fetch = vi.fn(async () => json({ send: 'Enviar', evil: '<b>' }));
    expect(await loadStrings('https://chat.example.com/roundel/', 'es-MX', fetch)).toEqual({ ...ENGLISH, send: 'Enviar' });
    expect(fetch).toHaveBeenCalledWith('https://chat.example.com/roundel/i18n/es-mx.json', expect.objectContaining({ signal: expect.any(AbortSignal) }));
  });

  it.each([
    ['a table the server lacks (404)', async () => json({ error: { type: 'not_found', message: 'no' } }, 404)],
    ['a body that is not JSON', async () => new Response('<html>')],
    ['a fetch that rejects (network, CSP, timeout)', async () => Promise.reject(new TypeError('Failed to fetch'))],
    ['a fetch the page broke', () => {
      throw new Error('hostile');
    }],
  ])('is undefined, never a rejection, for %s', async (_name, impl) => {
    expect(await loadStrings('https://chat.example.com', 'ar', vi.fn(impl) as unknown as typeof fetch)).toBeUndefined();
  });
});
