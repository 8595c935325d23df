import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../test/harness';

let t: TestServer;
afterEach(async () => {
  await t.close();
});

describe('ctx.typing()', () => {
  it('shows the typing indicator again after the bot said something, for more long work', async () => {
    t = await startServer({
      async onMessage(ctx) {
        await ctx.say('Let me look that up…');
        ctx.typing();
        await ctx.say('Found it.');
      },
    });
    const c = await t.connect();
    await c.call('login');
    await c.call('send_event', { event: { type: 'message', text: 'order status?', custom_id: 'm1' } });
    await c.pushesUntil(3);
    await c.waitFor((f) => f.action === 'incoming_typing_indicator' && JSON.stringify(f).includes('"is_typing":false'));
    const sequence = c.frames
      .filter((f) => f.type === 'push')
      .map((f) => {
        const payload = f.payload as { typing_indicator?: { is_typing: boolean }; event?: { text: string } };
        return payload.typing_indicator ? `typing:${payload.typing_indicator.is_typing}` : payload.event?.text;
      });
    expect(sequence).toEqual(['order status?', 'typing:true', 'Let me look that up…', 'typing:true', 'Found it.', 'typing:false']);
  });
});
