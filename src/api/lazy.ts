/**
 * The widget's lazy chunk (`dist/widget/panel-<hash>.js`, vite.config.ts): what messenger.js
 * imports after the conversation is Ready and the page is idle, or at the first open (at once
 * after Ready when page events, a context update or a stored outbox wait for it). The panel
 * (src/ui/panel-chunk.tsx), the client's queues (outbox, context, reports for agents:
 * src/client/queues.ts) and the page reports (page-tracker.ts), which start when the chunk
 * arrives: the first load stays the roundel, the host API and the connection.
 */
import { createQueues } from '../client';
import type { PanelModule } from '../ui';
import { trackPage } from './page-tracker';
import { visitorIntents } from './visitor-intents';

export * from '../ui/panel-chunk';
export { createQueues, trackPage, visitorIntents };

/**
 * What `import()` of the chunk gives. `trackPage`, `createQueues` and `visitorIntents` are
 * absent only in tests that stand in a bare panel.
 */
export type LazyModule = PanelModule & { trackPage?: typeof trackPage; createQueues?: typeof createQueues; visitorIntents?: typeof visitorIntents };
