/** A reloaded config (SIGHUP) reaches the running server and its open widgets without a reconnect. */
import { afterEach, describe, expect, it } from 'vitest';
import { EndpointRegistry } from './endpoints';
import { endpoint, startServer, type TestServer } from './test/harness';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('EndpointRegistry.reload', () => {
  it('updates known endpoints in place, adds new ones, and names those whose settings changed', () => {
    const registry = new EndpointRegistry([{ ...endpoint({}), title: 'Old' }, { ...endpoint({}), endpoint: 'other', title: 'Same' }]);
    const held = registry.get('acme-test')!;
    const changed = registry.reload([
      { ...endpoint({}), title: 'New', theme: { primary: '#123456' }, allowedOrigins: ['https://new.example'] },
      { ...endpoint({}), endpoint: 'other', title: 'Same' },
      { ...endpoint({}), endpoint: 'added', title: 'Added' },
    ]);
    expect(changed.map((e) => e.endpoint)).toEqual(['acme-test']);
    // What a session already holds is the updated object.
    expect(held.settings).toEqual({ title: 'New', theme: { primary: '#123456' } });
    expect([...held.allowedOrigins]).toEqual(['https://new.example']);
    expect(registry.get('added')?.settings.title).toBe('Added');
  });

  it('changes nothing when the reloaded config is invalid', () => {
    const registry = new EndpointRegistry([{ ...endpoint({}), title: 'Old' }]);
    expect(() => registry.reload([{ ...endpoint({}), title: 'New' }, { ...endpoint({}), title: 'Twice' }])).toThrow("endpoint 'acme-test' is configured twice");
    expect(registry.get('acme-test')!.settings.title).toBe('Old');
  });
});

describe('reloadEndpoints', () => {
  it('sends chat_properties_updated to the open widgets of a changed endpoint, on the same connection; later logins get the new settings', async () => {
    t = await startServer({ onStart: (ctx) => ctx.say('hi') });
    const open = await t.connect();
    const login = await open.call('login');
    expect(login.settings).toEqual({ title: 'Chat', theme: {} });

    expect(t.server.reloadEndpoints([{ ...endpoint({ onStart: (ctx) => ctx.say('hi') }), title: 'Acme help', theme: { primary: '#0b5cff' } }])).toEqual(['acme-test']);
    const update = await open.waitFor((frame) => frame.action === 'chat_properties_updated');
    expect(update).toEqual({
      action: 'chat_properties_updated',
      type: 'push',
      payload: { chat_id: login.chat_id, properties: { title: 'Acme help', theme: { primary: '#0b5cff' } } },
    });
    expect(open.ws.readyState).toBe(open.ws.OPEN);

    // Unchanged settings: nothing is sent.
    expect(t.server.reloadEndpoints([{ ...endpoint({}), title: 'Acme help', theme: { primary: '#0b5cff' } }])).toEqual([]);
    const later = await t.connect();
    expect((await later.call('login')).settings).toEqual({ title: 'Acme help', theme: { primary: '#0b5cff' } });
    expect(open.frames.filter((frame) => frame.action === 'chat_properties_updated')).toHaveLength(1);
  });
});
