/** What the real lazy chunk brings (lazy.ts) without the page reports: the panel, the client's queues, the visitor's intents (api tests only). */
import { PANEL } from '../ui/mount.fixture';
import type { LazyModule } from './lazy';
import { startVisitorSide } from './visitor-intents';

/** `startVisitorSide` with `track` for the page reports (default: none). */
export const lazyWith = (track: NonNullable<Parameters<typeof startVisitorSide>[6]> = () => () => {}): LazyModule => ({
  ...PANEL,
  startVisitorSide: (client, store, interacted, guard, files, intents) => startVisitorSide(client, store, interacted, guard, files, intents, track),
});

export const LAZY: LazyModule = lazyWith();
