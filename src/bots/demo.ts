/**
 * The bundled demo bot: the seed's pushback story (subscribe → a pushback link → an external
 * service activates it → "We have a unique offer just for you!"), external events (an
 * `announcement` to everyone is said in every chat), pausing the visitor's input and answering
 * page events. Written only against the public bot API.
 */
import type { Bot, BotContext } from '../server';

export const SUBSCRIBE = 'Subscribe to offers';
export const PAUSE = 'Pause my input';
export const RESUME = 'Resume input';
export const HELP = 'Help';
/** The pushback's event: an offer for a subscribed visitor. */
export const NEW_NOTIFICATION = 'newNotification';
/** The external event the demo page sends to everyone; `data.text` is said in every chat. */
export const ANNOUNCEMENT = 'announcement';

const MENU = [SUBSCRIBE, PAUSE, HELP];
/** Room left under the message (4000) and notification (2000) limits for the words around a quote. */
const MESSAGE_QUOTE = 3000;
const NOTIFICATION_QUOTE = 1500;

interface DemoState {
  subscribed?: boolean;
  pushbackLink?: string;
  inputPaused?: boolean;
}

const stateOf = (ctx: BotContext): DemoState => ctx.state as DemoState;
const quote = (text: string, max = MESSAGE_QUOTE): string => (text.length > max ? `${text.slice(0, max)}…` : text);

async function subscribe(ctx: BotContext): Promise<void> {
  const state = stateOf(ctx);
  if (state.subscribed && state.pushbackLink) {
    await ctx.say("You're already subscribed: the next offer will land right here.", { quickReplies: [HELP] });
    await ctx.notifyHost(`pushback:${state.pushbackLink}`);
    return;
  }
  const pushback = await ctx.createPushback(NEW_NOTIFICATION, { text: 'Huge online sale today!' });
  state.subscribed = true;
  state.pushbackLink = pushback.link;
  await ctx.say("Hooray! Now you'll be the first to know about all our sales and promotions.");
  // The demo page reads this notification and shows the link, standing in for the mailing list service.
  await ctx.notifyHost(`pushback:${pushback.link}`);
}

async function resume(ctx: BotContext): Promise<void> {
  stateOf(ctx).inputPaused = false;
  await ctx.enableInput();
}

const demoBot: Bot = {
  async onStart(ctx) {
    await ctx.say("Hi! I'm the Acme demo bot. Subscribe to our offers, or pause your input to see the host page API at work.", {
      quickReplies: MENU,
    });
  },

  async onMessage(ctx, text) {
    const said = text.trim().toLowerCase();
    if (said.includes('subscribe')) return subscribe(ctx);
    if (said === PAUSE.toLowerCase() || said.startsWith('pause')) {
      stateOf(ctx).inputPaused = true;
      await ctx.disableInput();
      await ctx.say(`Your input is paused. Pick "${RESUME}" when you're ready.`, { quickReplies: [RESUME] });
      return;
    }
    if (said.startsWith('resume')) {
      await resume(ctx);
      await ctx.say('Welcome back! Type away.', { quickReplies: MENU });
      return;
    }
    // A person takes over: the chat waits in the agent console's queue (/agent/).
    if (said === 'human' || said === 'agent' || said.includes('person')) {
      await ctx.say('Connecting you to a person. Someone from our team will join this chat.');
      await ctx.handoff('the visitor asked for a person');
      return;
    }
    if (said === 'help') {
      await ctx.say(
        `"${SUBSCRIBE}" creates a pushback: activating its link sends you an offer. ` +
          `"${PAUSE}" disables the text input until you resume. Anything else, I'll echo.`,
        { quickReplies: MENU },
      );
      return;
    }
    if (stateOf(ctx).inputPaused) await resume(ctx);
    await ctx.say(`You said: "${quote(text)}". Pick an option below to see more.`, { quickReplies: MENU });
  },

  async onEvent(ctx, event, eventData) {
    const text = typeof eventData.text === 'string' ? eventData.text.trim() : '';
    if (event === NEW_NOTIFICATION) {
      if (text === '') return;
      if (stateOf(ctx).inputPaused) await resume(ctx);
      await ctx.say(`We have a unique offer just for you! ${quote(text)}`);
      await ctx.notifyHost(`offer: ${quote(text, NOTIFICATION_QUOTE)}`);
      return;
    }
    // An external event (POST /api/v1/events/{event}); the demo page sends `announcement` to everyone.
    if (event === ANNOUNCEMENT && text !== '') {
      await ctx.say(`Announcement: ${quote(text)}`);
      await ctx.notifyHost(`announcement: ${quote(text, NOTIFICATION_QUOTE)}`);
      return;
    }
    await ctx.say(text === '' ? `Something happened: ${quote(event)}.` : quote(text));
  },

  async onPageEvent(ctx, alias, context) {
    const keys = Object.keys(context);
    const details = keys.length > 0 ? ` (you told me about: ${keys.join(', ')})` : '';
    await ctx.say(quote(`I see you're looking at: ${alias}${details}`));
  },

  // The file is read through the signed URL it comes with, as a bot that keeps or forwards it would.
  async onFile(ctx, file) {
    const res = await fetch(file.url);
    if (!res.ok) return ctx.say(quote(`I could not open ${file.name}.`));
    const bytes = (await res.arrayBuffer()).byteLength;
    await ctx.say(quote(`Thanks! I got **${file.name}** (${bytes} bytes, ${file.contentType}).`));
  },
};

export default demoBot;
