/**
 * The widget's lazy chunk (`dist/widget/panel-<hash>.js`, vite.config.ts): what messenger.js
 * imports after the conversation is Ready and the page is idle, or at the first open (at once
 * after Ready when page events, a context update or a stored outbox wait for it). The panel
 * (src/ui/panel-chunk.tsx), and what {@link startVisitorSide} starts when the chunk arrives: the
 * visitor's intents, the client's queues (outbox, context, reports for agents:
 * src/client/queues.ts) and the page reports (page-tracker.ts). The first load stays the
 * roundel, the host API and the connection.
 */
import type { PanelModule } from '../ui';
import { startVisitorSide } from './visitor-intents';

export * from '../ui/panel-chunk';
export { startVisitorSide };

/** What `import()` of the chunk gives. `startVisitorSide` is absent only in tests that stand in a bare panel. */
export type LazyModule = PanelModule & { startVisitorSide?: typeof startVisitorSide };
