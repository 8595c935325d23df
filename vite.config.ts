import { resolve } from 'node:path';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

/**
 * Two builds from one config:
 * - default mode: the widget, one IIFE `dist/messenger.js` that assigns window.ServisBot itself
 *   (the entry has no exports, so no extra global is created);
 * - `--mode server`: the Node server and the bundled demo bot as ESM under `dist/server/`,
 *   with dependencies left external (node_modules is there at run time).
 */
export default defineConfig(({ mode }) => {
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
          input: { cli: resolve(__dirname, 'src/server/cli.ts') },
          output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
        },
      },
    };
  }
  return {
    plugins: [preact()],
    build: {
      outDir: 'dist',
      emptyOutDir: false,
      target: 'es2022',
      sourcemap: true,
      lib: {
        entry: resolve(__dirname, 'src/api/messenger.ts'),
        formats: ['iife'],
        name: 'ServisBotBundle',
        fileName: () => 'messenger.js',
      },
    },
  };
});
