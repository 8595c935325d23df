import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, isOrigin, loadConfig, parseConfig } from './config';

const valid = {
  organization: 'acme',
  endpoint: 'acme-demo',
  bot: './bots/demo.mjs',
  allowedOrigins: ['http://localhost:3000'],
  apiKey: 'a-long-secret',
};
const withEndpoint = (patch: Record<string, unknown>) => ({ endpoints: [{ ...valid, ...patch }] });
const errorOf = (raw: unknown, env = {}) => {
  const result = parseConfig(raw, env);
  return result.ok ? 'ok' : result.error;
};

describe('parseConfig', () => {
  it('accepts the contract example and resolves env: keys', () => {
    expect(parseConfig({ endpoints: [valid] })).toEqual({ ok: true, value: { endpoints: [valid] } });
    const fromEnv = parseConfig(withEndpoint({ apiKey: 'env:ACME_KEY', title: 'Acme', theme: { primary: '#000' } }), {
      ACME_KEY: 'k1',
    });
    expect(fromEnv.ok && fromEnv.value.endpoints[0]).toEqual({ ...valid, apiKey: 'k1', title: 'Acme', theme: { primary: '#000' } });
  });

  it('names the bad field', () => {
    expect(errorOf(null)).toBe('config: the file must hold a JSON object');
    expect(errorOf({ endpoints: [] })).toBe('config: endpoints must be a non-empty array');
    expect(errorOf({ endpoints: [valid], extra: 1 })).toBe(
      'config: extra is not a known field (expected endpoints, retention)',
    );
    expect(errorOf({ endpoints: [valid], retention: { maxEvents: 0 } })).toBe(
      'config: retention.maxEvents must be a positive integer',
    );
    expect(errorOf({ endpoints: [valid], retention: { maxAge: 3 } })).toBe(
      'config: retention.maxAge is not a known field (expected maxEvents, maxAgeDays)',
    );
    expect(errorOf(withEndpoint({ allowedOrigins: ['https://ok.example', 'https://bad.example/path'] }))).toBe(
      'config: endpoints[0].allowedOrigins[1] must be an origin like https://example.com',
    );
    expect(errorOf(withEndpoint({ allowedOrigins: 'https://ok.example' }))).toBe(
      'config: endpoints[0].allowedOrigins must be an array of origins',
    );
    expect(errorOf(withEndpoint({ endpoint: 'has space' }))).toBe(
      "config: endpoints[0].endpoint must be 1-100 letters, digits, '.', '_' or '-'",
    );
    expect(errorOf(withEndpoint({ bot: 3 }))).toBe('config: endpoints[0].bot must be a path to a bot module');
    expect(errorOf(withEndpoint({ apiKey: 'env:MISSING' }))).toBe(
      'config: endpoints[0].apiKey reads the environment variable MISSING, which is not set',
    );
    expect(errorOf(withEndpoint({ theme: { primary: 1 } }))).toBe('config: endpoints[0].theme.primary must be a string');
    expect(errorOf(withEndpoint({ allowedOrigin: [] }))).toMatch(/^config: endpoints\[0\]\.allowedOrigin is not a known field/);
    expect(errorOf({ endpoints: [valid, { ...valid, organization: 'other' }] })).toBe(
      "config: endpoints[1].endpoint 'acme-demo' is already used by endpoints[0]",
    );
  });

  it('reads an optional retention block', () => {
    expect(parseConfig({ endpoints: [valid], retention: { maxEvents: 50, maxAgeDays: 7 } })).toEqual({
      ok: true,
      value: { endpoints: [valid], retention: { maxEvents: 50, maxAgeDays: 7 } },
    });
  });

  it('recognises origins', () => {
    expect(['http://localhost:3000', 'https://shop.example'].every(isOrigin)).toBe(true);
    expect(['https://shop.example/', 'ftp://x.example', 'shop.example', '*', 'null'].some(isOrigin)).toBe(false);
  });
});

describe('loadConfig', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => writeFileSync(join(dir, name), text);

  it('imports the bot relative to the config file', async () => {
    dir = mkdtempSync(join(tmpdir(), 'roundel-config-'));
    write('bot.mjs', 'export default { onStart() {} };');
    write('roundel.json', JSON.stringify({ endpoints: [{ ...valid, bot: './bot.mjs' }] }));
    const [endpoint] = (await loadConfig(join(dir, 'roundel.json'))).endpoints;
    expect(endpoint?.endpoint).toBe('acme-demo');
    expect(typeof endpoint?.bot.onStart).toBe('function');
  });

  it('rejects unreadable files, bad JSON and bots without a usable default export', async () => {
    dir = mkdtempSync(join(tmpdir(), 'roundel-config-'));
    await expect(loadConfig(join(dir, 'none.json'))).rejects.toThrow(/^config: cannot read /);
    write('bad.json', '{');
    await expect(loadConfig(join(dir, 'bad.json'))).rejects.toThrow(/is not valid JSON/);
    write('bot.mjs', 'export default { onStart: 5 };');
    write('roundel.json', JSON.stringify({ endpoints: [{ ...valid, bot: './bot.mjs' }] }));
    const error = await loadConfig(join(dir, 'roundel.json')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      `config: endpoints[0].bot (${join(dir, 'bot.mjs')}) must default-export an object whose onStart/onMessage/onEvent/onPageEvent are functions`,
    );
    write('missing.json', JSON.stringify({ endpoints: [{ ...valid, bot: './nope.mjs' }] }));
    await expect(loadConfig(join(dir, 'missing.json'))).rejects.toThrow(/^config: endpoints\[0\]\.bot: cannot load /);
  });
});
