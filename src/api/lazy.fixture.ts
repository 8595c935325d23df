/** What the real lazy chunk brings (lazy.ts) without the page reports: the panel, the client's queues, the visitor's intents (api tests only). */
import { createQueues } from '../client';
import { PANEL } from '../ui/mount.fixture';
import type { LazyModule } from './lazy';
import { visitorIntents } from './visitor-intents';

export const LAZY: LazyModule = { ...PANEL, createQueues, visitorIntents };
