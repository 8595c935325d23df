import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../test/harness';

let t: TestServer;
afterEach(async () => {
  await t.close();
});

describe('ctx.typing()', () => {
  it('shows the typing indicator again after the bot said something, for more long work', async () => {
    let release!: () => void;
    const lookup = new Promise<void>((resolve) => (release = resolve));
    t = await startServer({
      async onMessage(ctx) {
        await ctx.say('Let me look that up…');
        ctx.typing();
        await lookup;
        await ctx.say('Found it.');
      },
    });
    const c = await t.connect();
    await c.call('login');
    await c.call('send_event', { event: { type: 'message', text: 'order status?', custom_id: 'm1' } });
    // The long work goes on only once the indicator is shown.
    await c.waitFor((f) => f.action === 'incoming_typing_indicator');
    release();
    await c.pushesUntil(3);
    await c.waitFor((f) => f.action === 'incoming_typing_indicator' && JSON.stringify(f).includes('"is_typing":false'));
    const sequence = c.frames
      .filter((f) => f.type === 'push')
      .map((f) => {
        const payload = f.payload as { typing_indicator?: { is_typing: boolean }; event?: { text: string } };
        return payload.typing_indicator ? `typing:${payload.typing_indicator.is_typing}` : payload.event?.text;
      });
    // Shown after what was said so far (an arriving message hides it), hidden when the handler ends.
    expect(sequence).toEqual(['order status?', 'Let me look that up…', 'typing:true', 'Found it.', 'typing:false']);
  });
});
