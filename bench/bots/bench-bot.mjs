// The bot the benchmarks run: it answers at once and does nothing else, so what is measured is
// Roundel's own path (store, runtime, delivery), not a bot's thinking time.
export default {
  // A pushback activation or an external event: say the text it carries (the load client keys
  // its latency samples on that text).
  async onEvent(ctx, event, eventData) {
    await ctx.say(typeof eventData?.text === 'string' && eventData.text !== '' ? eventData.text : event);
  },

  // `pageEvent({alias: 'fill', body: {n}})` fills the transcript with n messages (the memory
  // scenario), then tells the host page it is done.
  async onPageEvent(ctx, alias, body) {
    if (alias !== 'fill') return;
    const n = Math.min(Math.max(Number(body?.n) || 0, 0), 400);
    for (let i = 1; i <= n; i += 1) {
      void ctx.say(`Message ${i}: we have a unique offer just for you! Huge online sale today, up to 50% off.`);
    }
    ctx.notifyHost('filled');
  },
};
