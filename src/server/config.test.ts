import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ConfigError, isOrigin, loadConfig, parseConfig, WEBHOOK_ACTIONS } from './config';
import { EndpointRegistry } from './endpoints';

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
      'config: extra is not a known field (expected one of endpoints, retention)',
    );
    expect(errorOf({ endpoints: [valid], retention: { maxEvents: 0 } })).toBe(
      'config: retention.maxEvents must be a positive integer',
    );
    expect(errorOf({ endpoints: [valid], retention: { maxAge: 3 } })).toBe(
      'config: retention.maxAge is not a known field (expected one of maxEvents, maxAgeDays)',
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

  it('names a missing field with what it must be', () => {
    const { bot: _bot, ...noBot } = valid;
    expect(errorOf({ endpoints: [noBot] })).toBe('config: endpoints[0].bot is missing: it must be a path to a bot module');
    expect(errorOf({})).toBe('config: endpoints is missing: it must be a non-empty array');
    expect(errorOf({ endpoints: [valid], $schema: './node_modules/roundel/docs/config.schema.json' })).not.toMatch(/^config:/);
  });

  it('reads identitySecret, agents and webhooks, resolving env: secrets', () => {
    const parsed = parseConfig(
      withEndpoint({
        identitySecret: 'env:ID_SECRET',
        agents: [
          { id: 'alice@example.com', name: 'Alice', key: 'env:ALICE_KEY' },
          { id: 'bob@example.com', name: 'Bob', key: 'bob-literal-key' },
        ],
        webhooks: [{ url: 'https://crm.example.com/hook', secret: 'env:HOOK_SECRET', actions: ['incoming_event', 'thread_closed'] }],
      }),
      { ID_SECRET: 'id-s', ALICE_KEY: 'alice-k', HOOK_SECRET: 'hook-s' },
    );
    expect(parsed.ok && parsed.value.endpoints[0]).toEqual({
      ...valid,
      identitySecret: 'id-s',
      agents: [
        { id: 'alice@example.com', name: 'Alice', key: 'alice-k' },
        { id: 'bob@example.com', name: 'Bob', key: 'bob-literal-key' },
      ],
      webhooks: [{ url: 'https://crm.example.com/hook', secret: 'hook-s', actions: ['incoming_event', 'thread_closed'] }],
    });
  });

  it('names the bad field of identitySecret, agents and webhooks', () => {
    const agent = { id: 'alice@example.com', name: 'Alice', key: 'k' };
    const hook = { url: 'https://crm.example.com/hook', secret: 's', actions: ['incoming_event'] };
    expect(errorOf(withEndpoint({ identitySecret: '' }))).toBe('config: endpoints[0].identitySecret must be a non-empty string or "env:NAME"');
    expect(errorOf(withEndpoint({ identitySecret: 'env:NOPE' }))).toBe(
      'config: endpoints[0].identitySecret reads the environment variable NOPE, which is not set',
    );
    expect(errorOf(withEndpoint({ agents: {} }))).toBe('config: endpoints[0].agents must be an array of agents');
    expect(errorOf(withEndpoint({ agents: [agent, { ...agent, name: 'Alice 2', key: 'k2' }] }))).toBe(
      "config: endpoints[0].agents[1].id 'alice@example.com' is already used by endpoints[0].agents[0]",
    );
    expect(errorOf(withEndpoint({ agents: [{ id: 'a', name: 'A' }] }))).toBe(
      'config: endpoints[0].agents[0].key is missing: it must be a non-empty string or "env:NAME"',
    );
    expect(errorOf(withEndpoint({ agents: [{ ...agent, key: 'env:ALICE' }] }))).toBe(
      'config: endpoints[0].agents[0].key reads the environment variable ALICE, which is not set',
    );
    expect(errorOf(withEndpoint({ agents: [{ ...agent, name: 'line\nbreak' }] }))).toBe(
      'config: endpoints[0].agents[0].name must be 1-100 printable characters',
    );
    expect(errorOf(withEndpoint({ agents: [{ ...agent, role: 'admin' }] }))).toBe(
      'config: endpoints[0].agents[0].role is not a known field (expected one of id, name, key)',
    );
    expect(errorOf(withEndpoint({ webhooks: [{ ...hook, url: 'ftp://crm.example.com' }] }))).toBe(
      'config: endpoints[0].webhooks[0].url must be an http(s) URL, like https://crm.example.com/hook',
    );
    expect(errorOf(withEndpoint({ webhooks: [{ ...hook, actions: [] }] }))).toBe(
      'config: endpoints[0].webhooks[0].actions must be a non-empty array of distinct action names',
    );
    expect(errorOf(withEndpoint({ webhooks: [{ ...hook, actions: ['incoming_event', 'chat_deleted'] }] }))).toBe(
      'config: endpoints[0].webhooks[0].actions[1] must be an agent push action (incoming_chat_thread, incoming_event, thread_closed, ...)',
    );
    expect(errorOf(withEndpoint({ webhooks: [{ ...hook, secret: 'env:HOOK' }] }))).toBe(
      'config: endpoints[0].webhooks[0].secret reads the environment variable HOOK, which is not set',
    );
  });

  it('lets one agent key serve several endpoints of an organization, but only for one agent', () => {
    const alice = { id: 'alice@example.com', name: 'Alice', key: 'shared' };
    const second = { ...valid, endpoint: 'acme-support', agents: [alice] };
    expect(errorOf({ endpoints: [{ ...valid, agents: [alice] }, second] })).toBe('ok');
    expect(errorOf({ endpoints: [{ ...valid, agents: [alice] }, { ...second, agents: [{ ...alice, id: 'mallory' }] }] })).toBe(
      "config: endpoints[1].agents[0].key is already the key of agent 'alice@example.com' (endpoints[0].agents[0]) in organization 'acme': agents log in with their key alone",
    );
    expect(errorOf({ endpoints: [{ ...valid, agents: [alice] }, { ...second, organization: 'other', agents: [{ ...alice, id: 'm' }] }] })).toBe('ok');
  });

  it('lists the same webhook actions as the schema editors see', () => {
    const schema = JSON.parse(readFileSync(new URL('../../docs/config.schema.json', import.meta.url), 'utf8'));
    expect(WEBHOOK_ACTIONS).toEqual(schema.definitions.webhook.properties.actions.items.enum);
    expect(WEBHOOK_ACTIONS).toContain('incoming_chat_thread');
  });

  it('accepts the README example, $schema included', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const block = /### Config file\s+```json\n([\s\S]*?)```/.exec(readme)?.[1];
    const example: unknown = JSON.parse(block ?? 'null');
    expect(example).toHaveProperty('$schema', './node_modules/roundel/docs/config.schema.json');
    expect(errorOf(example, { ACME_API_KEY: 'k' })).toBe('ok');
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

describe('endpoint objects', () => {
  it('carry identitySecret, agents and webhooks (none by default)', () => {
    const bot = {};
    const plain = new EndpointRegistry([{ ...valid, bot }]).get('acme-demo')!;
    expect({ identitySecret: plain.identitySecret, agents: plain.agents, webhooks: plain.webhooks }).toEqual({
      identitySecret: undefined,
      agents: [],
      webhooks: [],
    });
    const agents = [{ id: 'alice@example.com', name: 'Alice', key: 'k' }];
    const webhooks = [{ url: 'http://127.0.0.1:9/hook', secret: 's', actions: ['incoming_event' as const] }];
    const full = new EndpointRegistry([{ ...valid, bot, identitySecret: 'id', agents, webhooks }]).get('acme-demo')!;
    expect({ identitySecret: full.identitySecret, agents: full.agents, webhooks: full.webhooks }).toEqual({
      identitySecret: 'id',
      agents,
      webhooks,
    });
    expect(full.agents[0]).not.toBe(agents[0]);
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
      `config: endpoints[0].bot (${join(dir, 'bot.mjs')}) must default-export an object whose onStart/onMessage/onEvent/onPageEvent/onFile are functions`,
    );
    write('missing.json', JSON.stringify({ endpoints: [{ ...valid, bot: './nope.mjs' }] }));
    await expect(loadConfig(join(dir, 'missing.json'))).rejects.toThrow(/^config: endpoints\[0\]\.bot: cannot load /);
  });
});
