import { afterEach, describe, expect, it } from 'vitest';
import type { Bot } from '../runtime/types';
import { ENDPOINT_A, seedChats, startApiServer, type ApiServer } from '../test/api';
import { API_BODY_BYTES } from './api';

let t: ApiServer;
afterEach(async () => {
  await t.close();
});

const bot: Bot = { onEvent: (ctx, event, data) => ctx.say(`${event} ${JSON.stringify(data)}`) };
const CHAT = 'chat-a-0001';
const INPUT = { channelType: 'chatwidget', botId: ENDPOINT_A, chatId: CHAT, event: 'newNotification', eventData: { text: 'sale' } };
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function setup(): Promise<void> {
  t = await startApiServer(bot);
  seedChats(t.dbPath, [{ id: CHAT }]);
}

const texts = async (chatId: string): Promise<string[]> => {
  await t.server.idle();
  const page = (await t.call(`/api/v1/chats/${chatId}/events`)).body as { events: Array<{ action: string; payload: { event?: { text: string } } }> };
  return page.events.flatMap((e) => (e.action === 'incoming_event' && e.payload.event ? [e.payload.event.text] : []));
};

describe('POST /api/v1/pushbacks', () => {
  it('creates a pushback (201, Location) that GET reads and DELETE removes; later activations answer 404', async () => {
    await setup();
    const created = await t.call('/api/v1/pushbacks', { body: INPUT });
    expect(created.status).toBe(201);
    const pushback = created.body as { id: string; link: string; created: string };
    expect(pushback.id).toMatch(UUID_V4);
    expect(new Date(pushback.created).toISOString()).toBe(pushback.created);
    expect(pushback).toEqual({ ...INPUT, id: pushback.id, link: `${t.url}/pushgate/push_${pushback.id}`, created: pushback.created });
    expect(created.headers.get('location')).toBe(`/api/v1/pushbacks/${pushback.id}`);

    expect(await t.call(`/api/v1/pushbacks/${pushback.id}`)).toMatchObject({ status: 200, body: pushback });
    expect((await fetch(pushback.link, { method: 'POST', body: '{"text":"20% off"}' })).status).toBe(202);
    expect(await texts(CHAT)).toEqual(['newNotification {"text":"20% off"}']);

    expect(await t.call(`/api/v1/pushbacks/${pushback.id}`, { method: 'DELETE' })).toMatchObject({ status: 204, body: null });
    const activation = await fetch(pushback.link);
    expect(activation.status).toBe(404);
    expect(await activation.json()).toEqual({ error: { type: 'not_found', message: 'no such pushback' } });
    for (const method of ['GET', 'DELETE']) {
      expect(await t.call(`/api/v1/pushbacks/${pushback.id}`, { method })).toMatchObject({
        status: 404,
        body: { error: { type: 'not_found', message: 'no such pushback' } },
      });
    }
    expect(await texts(CHAT)).toEqual(['newNotification {"text":"20% off"}']);
  });

  it('requires all five fields (400 naming the field)', async () => {
    await setup();
    for (const field of ['channelType', 'botId', 'chatId', 'event'] as const) {
      const { [field]: _dropped, ...rest } = INPUT;
      expect(await t.call('/api/v1/pushbacks', { body: rest }), field).toMatchObject({
        status: 400,
        body: { error: { type: 'validation', message: `${field} must be a non-empty string of at most 200 characters` } },
      });
      expect((await t.call('/api/v1/pushbacks', { body: { ...INPUT, [field]: '' } })).status, field).toBe(400);
    }
    const { eventData: _data, ...withoutData } = INPUT;
    expect(await t.call('/api/v1/pushbacks', { body: withoutData })).toMatchObject({
      status: 400,
      body: { error: { type: 'validation', message: 'eventData must be a JSON object' } },
    });
    expect((await t.call('/api/v1/pushbacks', { body: { ...INPUT, eventData: [1] } })).status).toBe(400);
    expect(await t.call('/api/v1/pushbacks', { body: { ...INPUT, channelType: 'sms' } })).toMatchObject({
      status: 400,
      body: { error: { type: 'validation', message: "channelType must be 'chatwidget'" } },
    });
  });

  it('answers 400 for bodies that are not a JSON object, 413 over 1 MiB', async () => {
    await setup();
    const notObject = { error: { type: 'validation', message: 'request body must be a JSON object' } };
    expect(await t.call('/api/v1/pushbacks', { body: '[]' })).toMatchObject({ status: 400, body: notObject });
    expect(await t.call('/api/v1/pushbacks', { body: '', method: 'POST' })).toMatchObject({ status: 400, body: notObject });
    expect(await t.call('/api/v1/pushbacks', { body: '{oops' })).toMatchObject({
      status: 400,
      body: { error: { type: 'validation', message: 'request body must be valid JSON' } },
    });
    const huge = JSON.stringify({ ...INPUT, eventData: { text: 'x'.repeat(API_BODY_BYTES) } });
    const tooLarge = await t.call('/api/v1/pushbacks', { body: huge });
    expect(tooLarge).toMatchObject({
      status: 413,
      body: { error: { type: 'entity_too_large', message: `request body must be at most ${API_BODY_BYTES} bytes` } },
    });
    // Just under the limit is read (and refused only for the size of eventData).
    const under = JSON.stringify({ ...INPUT, eventData: { text: 'x'.repeat(API_BODY_BYTES - 200) } });
    expect(await t.call('/api/v1/pushbacks', { body: under })).toMatchObject({
      status: 400,
      body: { error: { type: 'validation', message: 'eventData must serialise to at most 16384 characters' } },
    });
  });

  it('answers 404 for an unknown chat and 405 with Allow for other methods', async () => {
    await setup();
    expect(await t.call('/api/v1/pushbacks', { body: { ...INPUT, chatId: 'nope' } })).toMatchObject({
      status: 404,
      body: { error: { type: 'not_found', message: "no such chat 'nope'" } },
    });
    const list = await t.call('/api/v1/pushbacks');
    expect(list).toMatchObject({ status: 405, body: { error: { type: 'method_not_allowed', message: 'method GET is not allowed here' } } });
    expect(list.headers.get('allow')).toBe('POST');
    const put = await t.call('/api/v1/pushbacks/00000000-0000-4000-8000-000000000000', { method: 'PUT', body: {} });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, DELETE');
  });
});
