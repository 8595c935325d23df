/**
 * Pins the public surface (README.md, "The widget"): a change here must be a deliberate change to the
 * contract, made together with the README.
 */
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { version } from '../../package.json';
import { fakeInit } from './fake-client.fixture';
import { HOST_EVENT_NAMES, type HostEvents, type MessengerEvent } from './index';

afterEach(() => {
  vi.resetModules();
  const globals = window as unknown as Record<string, unknown>;
  delete globals.ServisBot;
  delete globals.ServisBOT;
});

describe('the public surface', () => {
  it('messenger.js defines window.ServisBot = window.ServisBOT = { init, instance, version } and no other global', async () => {
    const before = new Set(Object.keys(window));
    await import('./messenger');
    expect(Object.keys(window).filter((key) => !before.has(key)).sort()).toEqual(['ServisBOT', 'ServisBot']);
    expect(window.ServisBOT).toBe(window.ServisBot);
    expect(Object.keys(window.ServisBot).sort()).toEqual(['init', 'instance', 'version']);
    expect(typeof window.ServisBot.init).toBe('function');
    expect(window.ServisBot.instance).toBeUndefined();
    expect(window.ServisBot.version).toBe(version);
    expect(Object.isFrozen(window.ServisBot)).toBe(true);
  });

  it('a second copy of messenger.js keeps the first ServisBot (one widget per page)', async () => {
    await import('./messenger');
    const first = window.ServisBot;
    vi.resetModules();
    await import('./messenger');
    expect(window.ServisBot).toBe(first);
    expect(window.ServisBOT).toBe(first);
  });

  it('the API object has exactly the contract members', () => {
    const api = fakeInit().init({ organization: 'acme', endpoint: 'acme-demo' });
    try {
      expect(Object.keys(api).sort()).toEqual(['close', 'destroy', 'hide', 'off', 'on', 'open', 'pageEvent', 'reset', 'rewriteContext', 'show', 'toggle']);
      expect(Object.isFrozen(api)).toBe(true);
    } finally {
      api.destroy();
    }
  });

  it('the host events are "notification", "Messenger", "message" and "unread"', () => {
    expect(HOST_EVENT_NAMES).toEqual(['notification', 'Messenger', 'message', 'unread']);
    expectTypeOf<keyof HostEvents>().toEqualTypeOf<'notification' | 'Messenger' | 'message' | 'unread'>();
    expectTypeOf<HostEvents['notification']>().toEqualTypeOf<string>();
    expectTypeOf<HostEvents['unread']>().toEqualTypeOf<number>();
    expectTypeOf<keyof HostEvents['message']>().toEqualTypeOf<'id' | 'author' | 'text' | 'createdAt'>();
    expectTypeOf<HostEvents['message']['author']>().toEqualTypeOf<'bot' | 'visitor' | 'agent'>();
    expectTypeOf<MessengerEvent['type']>().toEqualTypeOf<'ROUNDEL' | 'CONVERSATION'>();
    expectTypeOf<MessengerEvent['value']>().toEqualTypeOf<'Opened' | 'Closed' | 'First User Interaction' | 'Ready'>();
  });
});
