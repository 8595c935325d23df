import { resolve } from 'node:path';
import { defineConfig, type UserConfig } from 'vite';

const here = import.meta.dirname;

/** The widget, as an IIFE for the script tag or an ES module for bundlers: same code, same minification. */
function widget(format: 'iife' | 'es'): UserConfig {
  return {
    // Preact's classic `h` rather than the automatic runtime (what @preact/preset-vite sets up, as
    // vitest.config.ts does): no preact/jsx-runtime wrapper in the bundle and shorter call sites.
    oxc: { jsx: { runtime: 'classic', pragma: 'h', pragmaFrag: 'Fragment' }, jsxInject: "import { h } from 'preact'" },
    build: {
      outDir: 'dist',
      emptyOutDir: false,
      target: 'es2022',
      // Browsers with what styles.css relies on (color-mix, color-scheme, logical properties,
      // constructable stylesheets): no prefixed or polyfilled copies of rules in the bundle.
      cssTarget: ['chrome123', 'edge123', 'firefox120', 'safari17.5'],
      sourcemap: true,
      lib: {
        // The IIFE entry assigns window.ServisBot itself (it has no exports, so no extra global is
        // created); the module entry exports init and the types, and defines no global.
        entry: resolve(here, format === 'iife' ? 'src/api/messenger.ts' : 'src/api/index.ts'),
        formats: [format],
        name: 'ServisBotBundle',
        fileName: () => (format === 'iife' ? 'messenger.js' : 'messenger.mjs'),
      },
    },
  };
}

/**
 * Three builds from one config:
 * - default mode: the widget, one IIFE `dist/messenger.js` (served at /messenger.js);
 * - `--mode esm`: the same widget as `dist/messenger.mjs` (package export `roundel/messenger`,
 *   types from `tsc -p tsconfig.types.json` in dist/types/);
 * - `--mode server`: the process entry (src/main/cli.ts: the server and the bundled demo bot)
 *   as ESM under `dist/server/`,
 *   with dependencies left external (node_modules is there at run time).
 */
export default defineConfig(({ mode }) => {
  if (mode === 'esm') return widget('es');
  if (mode === 'console') {
    // The agent console (served at /agent/): a second Preact entry on the same components.
    return {
      oxc: { jsx: { runtime: 'classic', pragma: 'h', pragmaFrag: 'Fragment' }, jsxInject: "import { h, Fragment } from 'preact'" },
      build: {
        outDir: 'dist/console',
        emptyOutDir: true,
        target: 'es2022',
        sourcemap: true,
        lib: { entry: resolve(here, 'src/console/main.tsx'), formats: ['iife'], name: 'RoundelConsole', fileName: () => 'console.js' },
      },
    };
  }
  if (mode === 'server') {
    return {
      build: {
        ssr: true,
        outDir: 'dist/server',
        emptyOutDir: true,
        target: 'node20',
        minify: false,
        sourcemap: true,
        rollupOptions: {
          input: { cli: resolve(here, 'src/main/cli.ts') },
          output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
        },
      },
    };
  }
  return widget('iife');
});
