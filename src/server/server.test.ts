import { describe, expect, it } from 'vitest';
import { silentLogger } from './logger';
import type { Bot } from './runtime/types';
import { createServer, type ServerOptions } from './server';

const endpoint = { organization: 'acme', endpoint: 'acme-test', bot: {} as Bot, allowedOrigins: [] };
const options = (patch: Partial<ServerOptions>): ServerOptions => ({
  dbPath: ':memory:',
  endpoints: [endpoint],
  logger: silentLogger,
  ...patch,
});

describe('createServer', () => {
  it('refuses bad options with a TypeError naming them', async () => {
    await expect(createServer(options({ handlerTimeoutMs: 0 }))).rejects.toThrow(
      new TypeError('handlerTimeoutMs must be a positive number'),
    );
    await expect(createServer(options({ endpoints: [endpoint, endpoint] }))).rejects.toThrow(
      new TypeError("endpoint 'acme-test' is configured twice"),
    );
    const badBot = { ...endpoint, bot: { onMessage: 'hi' } as unknown as Bot };
    await expect(createServer(options({ endpoints: [badBot] }))).rejects.toThrow(
      new TypeError("endpoint 'acme-test': bot.onMessage must be a function"),
    );
    await expect(createServer(options({ publicUrl: 'ftp://x.example' }))).rejects.toThrow(
      new TypeError('publicUrl must be an http(s) URL'),
    );
  });

  it('uses the configured public URL without a trailing slash, and closes without ever listening', async () => {
    const server = await createServer(options({ publicUrl: 'https://chat.example.com/' }));
    expect(server.url()).toBe('https://chat.example.com');
    expect(server.httpServer.listening).toBe(false);
    await server.close();
    await server.close();
  });
});
