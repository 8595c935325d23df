/**
 * The widget's lazy chunk (`dist/widget/panel-<hash>.js`, vite.config.ts): what messenger.js
 * imports after the conversation is Ready and the page is idle, or at the first open. The panel
 * (src/ui/panel-chunk.tsx), the file uploads (upload.ts), and the page reports for agents (page-tracker.ts), which start when
 * the chunk arrives: the first load stays the roundel, the host API and the connection.
 */
import type { PanelModule } from '../ui';
import { trackPage } from './page-tracker';
import { createUploader } from './upload';

export * from '../ui/panel-chunk';
export { createUploader, trackPage };

/** What `import()` of the chunk gives. `trackPage` and `createUploader` are absent only in tests that stand in a bare panel. */
export type LazyModule = PanelModule & { trackPage?: typeof trackPage; createUploader?: typeof createUploader };
