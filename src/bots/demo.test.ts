import { afterEach, describe, expect, it } from 'vitest';
import { startServer, TestClient, type TestServer } from '../server/test/harness';
import demoBot, { HELP, PAUSE, RESUME, SUBSCRIBE } from './demo';

let t: TestServer;
afterEach(async () => {
  await t.close();
});

const notifications = (c: TestClient) =>
  c.storedPushes().flatMap((p) => (p.action === 'host_notification' ? [p.payload.message] : []));

let n = 0;
const say = (c: TestClient, text: string) => c.call('send_event', { event: { type: 'message', text, custom_id: `c${++n}` } });

describe('the demo bot', () => {
  it('walks through the seed story: subscribe, then offers arrive through the pushback', async () => {
    t = await startServer(demoBot);
    const c = await t.connect();
    await c.call('login');
    const [greeting] = await c.pushesUntil(1);
    expect(greeting).toMatchObject({ payload: { event: { quick_replies: [SUBSCRIBE, PAUSE, HELP] } } });

    await say(c, 'subscribe to offers');
    await c.pushesUntil(4);
    expect(c.texts().at(-1)).toBe("Hooray! Now you'll be the first to know about all our sales and promotions.");
    const [notice] = notifications(c);
    expect(notice).toMatch(new RegExp(`^pushback:${t.url}/pushgate/push_[0-9a-f-]{36}$`));
    const link = (notice ?? '').slice('pushback:'.length);

    const res = await fetch(link, { method: 'POST', body: JSON.stringify({ text: '03/25 only, 20% off!' }) });
    expect(res.status).toBe(202);
    await c.pushesUntil(6);
    expect((await fetch(link)).status).toBe(202);
    await c.pushesUntil(8);
    expect(c.texts().slice(-2)).toEqual([
      'We have a unique offer just for you! 03/25 only, 20% off!',
      'We have a unique offer just for you! Huge online sale today!',
    ]);
    expect(notifications(c).slice(1)).toEqual(['offer: 03/25 only, 20% off!', 'offer: Huge online sale today!']);

    // Subscribing again reuses the pushback.
    await say(c, SUBSCRIBE);
    await c.pushesUntil(11);
    expect(notifications(c).at(-1)).toBe(notice);
  });

  it('says an announcement sent to everyone and any other external event’s text', async () => {
    t = await startServer(demoBot);
    const c = await t.connect();
    const { chat_id: chatId } = await c.call('login');
    await c.pushesUntil(1);
    const send = (event: string, body: object) =>
      fetch(`${t.url}/api/v1/events/${event}`, {
        method: 'POST',
        headers: { Authorization: 'Bearer test-key-acme', 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await send('announcement', { users: 'everyone', data: { text: 'Doors open at nine' } })).status).toBe(202);
    await c.pushesUntil(4);
    expect(c.storedPushes()[1]).toMatchObject({ action: 'incoming_multicast', payload: { type: 'announcement', content: { text: 'Doors open at nine' } } });
    expect(c.texts().at(-1)).toBe('Announcement: Doors open at nine');
    expect(notifications(c)).toEqual(['announcement: Doors open at nine']);
    expect((await send('orderShipped', { users: [chatId], data: { text: 'Your order is on its way.' } })).status).toBe(202);
    expect((await send('ping', { users: [chatId] })).status).toBe(202);
    await c.pushesUntil(6);
    expect(c.texts().slice(-2)).toEqual(['Your order is on its way.', 'Something happened: ping.']);
  });

  it('pauses and resumes the visitor’s input with the private notifications', async () => {
    t = await startServer(demoBot);
    const c = await t.connect();
    await c.call('login');
    await c.pushesUntil(1);
    await say(c, PAUSE);
    await c.pushesUntil(4);
    expect(notifications(c)).toEqual(['SB:::UserInputDisabled']);
    expect(c.texts().at(-1)).toBe(`Your input is paused. Pick "${RESUME}" when you're ready.`);
    await say(c, RESUME);
    await c.pushesUntil(7);
    expect(notifications(c)).toEqual(['SB:::UserInputDisabled', 'SB:::UserInputEnabled']);
  });

  it('acknowledges page events and their body keys', async () => {
    t = await startServer(demoBot);
    const c = await t.connect();
    await c.call('login');
    await c.pushesUntil(1);
    await c.call('page_event', { alias: 'viewed-pricing', body: { plan: 'pro', seats: 3 }, custom_id: 'p1' });
    await c.call('page_event', { alias: 'checkout', custom_id: 'p2' });
    await c.pushesUntil(3);
    expect(c.texts().slice(1)).toEqual([
      "I see you're looking at: viewed-pricing (you told me about: plan, seats)",
      "I see you're looking at: checkout",
    ]);
  });

  it('hands the chat to a person when asked, and stays quiet while the agent answers', async () => {
    const agents = [{ id: 'agent@acme.example', name: 'Acme agent', key: 'demo-agent-key-0123456789' }];
    t = await startServer(demoBot, { endpoints: [{ organization: 'acme', endpoint: 'acme-test', bot: demoBot, allowedOrigins: ['https://shop.example'], agents }] });
    const c = await t.connect();
    const { chat_id: chatId } = (await c.call('login')) as { chat_id: string };
    await c.pushesUntil(1);
    await say(c, 'I want to talk to a person');
    const [, , reply, queued] = await c.pushesUntil(4);
    expect(reply).toMatchObject({ payload: { event: { text: 'Connecting you to a person. Someone from our team will join this chat.' } } });
    expect(queued).toMatchObject({ action: 'chat_thread_properties_updated', payload: { properties: { routing: { status: 'queued' } } } });
    const agent = await TestClient.open(`${t.url.replace('http', 'ws')}/agent/rtm?organization=acme`, t.url);
    await agent.call('login', { token: agents[0]!.key });
    await agent.call('add_user_to_chat', { chat_id: chatId });
    await say(c, 'hello?');
    await agent.call('send_event', { chat_id: chatId, event: { type: 'message', text: 'Hi, how can I help?' } });
    await c.waitFor((f) => f.type === 'push' && f.action === 'incoming_event' && (f.payload as { event: { author: string } }).event.author === 'agent');
    expect(c.texts()).not.toContainEqual(expect.stringContaining('hello?'));
  });
});
