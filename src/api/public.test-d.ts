/**
 * Type tests of the published types (public.ts → dist/types/public.d.ts), checked by
 * `tsc --noEmit` (npm test's typecheck step), never run. Each `@ts-expect-error` line is a misuse
 * that must not compile: if it ever compiles, tsc reports the unused directive.
 */
import { expectTypeOf } from 'vitest';
import * as implementation from './index';
import { init, type MessengerApi, type MessengerEvent } from './public';

// The declarations are the implementation's types, member by member.
expectTypeOf(implementation.init).toEqualTypeOf(init);
expectTypeOf<typeof implementation.currentInstance>().toEqualTypeOf<typeof import('./public').currentInstance>();
expectTypeOf<typeof implementation.READY_EVENT>().toEqualTypeOf<'servisbot:ready'>();
expectTypeOf<typeof implementation.version>().toEqualTypeOf<string>();
expectTypeOf<typeof implementation.HOST_EVENT_NAMES>().toEqualTypeOf<typeof import('./public').HOST_EVENT_NAMES>();

declare const api: MessengerApi;

// init: organization and endpoint are required, every option has its type.
expectTypeOf(init({ organization: 'acme', endpoint: 'acme-demo' })).toEqualTypeOf<MessengerApi>();
init({ organization: 'acme', endpoint: 'acme-demo', dir: 'rtl', theme: { primary: '#0b5cff', headerBg: '#111' }, context: { a: 1 } });
// @ts-expect-error endpoint is required
init({ organization: 'acme' });
// @ts-expect-error dir is 'ltr' | 'rtl'
init({ organization: 'acme', endpoint: 'acme-demo', dir: 'up' });
// @ts-expect-error alwaysOpen is a boolean
init({ organization: 'acme', endpoint: 'acme-demo', alwaysOpen: 'true' });
// @ts-expect-error theme values are CSS strings
init({ organization: 'acme', endpoint: 'acme-demo', theme: { primary: 1 } });

// on: the handler's payload narrows by event name.
api.on('Messenger', (event) => {
  expectTypeOf(event).toEqualTypeOf<MessengerEvent>();
  expectTypeOf(event.value).toEqualTypeOf<'Opened' | 'Closed' | 'First User Interaction' | 'Ready'>();
  if (event.type === 'ROUNDEL') expectTypeOf(event.value).toEqualTypeOf<'Opened' | 'Closed'>();
  if (event.value === 'Ready') expectTypeOf(event.conversationId).toEqualTypeOf<string>();
  // @ts-expect-error only Ready carries a conversationId
  void event.conversationId;
});
api.on('notification', (message) => expectTypeOf(message).toEqualTypeOf<string>());
expectTypeOf(api.on('notification', () => {})).toEqualTypeOf<() => void>();
// @ts-expect-error no event has this name
api.on('messages', () => {});
api.on('message', (message) => expectTypeOf(message.author).toEqualTypeOf<'bot' | 'visitor' | 'agent'>());
api.on('unread', (count) => expectTypeOf(count).toEqualTypeOf<number>());
expectTypeOf(api.show).toEqualTypeOf<() => void>();
expectTypeOf(api.hide).toEqualTypeOf<() => void>();
// @ts-expect-error a notification is a string
api.on('notification', (message: number) => message);
// @ts-expect-error a Messenger event is not a string
api.off('Messenger', (event: string) => event);

// pageEvent: an alias, or { alias, body? } with an object body; resolves to nothing.
expectTypeOf(api.pageEvent('checkout')).toEqualTypeOf<Promise<void>>();
api.pageEvent({ alias: 'viewed-pricing', body: { plan: 'pro' } });
// @ts-expect-error alias is required
api.pageEvent({ body: { plan: 'pro' } });
// @ts-expect-error body is an object
api.pageEvent({ alias: 'x', body: 'pro' });
// @ts-expect-error context is an object
api.rewriteContext('gold');
