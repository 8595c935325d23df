import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin, type UserConfig } from 'vite';

const here = import.meta.dirname;
const dist = resolve(here, 'dist');
/** Where the lazy chunks of the widget go (served at `/widget/`), with the manifest that names them. */
const CHUNK_DIR = 'widget';
const CHUNK_MANIFEST = resolve(dist, CHUNK_DIR, 'chunks.json');

// Preact's classic `h` rather than the automatic runtime (what @preact/preset-vite sets up, as
// vitest.config.ts does): no preact/jsx-runtime wrapper in the bundle and shorter call sites.
// Each .tsx file imports `h` itself: an injected import would reach every module, and keep
// Preact in the first load.
const oxc = { jsx: { runtime: 'classic', pragma: 'h', pragmaFrag: 'Fragment' } } as const;
// Browsers with what styles.css relies on (color-mix, color-scheme, logical properties,
// constructable stylesheets): no prefixed or polyfilled copies of rules in the bundle.
const cssTarget = ['chrome123', 'edge123', 'firefox120', 'safari17.5'];

/** Writes `.br` and `.gz` copies beside `file`: the server sends them as they are (src/server/http/static.ts). */
function compressFile(file: string): void {
  const bytes = readFileSync(file);
  writeFileSync(`${file}.gz`, gzipSync(bytes, { level: 9 }));
  writeFileSync(`${file}.br`, brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }));
}

/**
 * Precompresses the scripts and source maps a build wrote (`files` picks them), so no request
 * pays for compression.
 */
function precompress(files: () => string[]): Plugin {
  return { name: 'roundel-precompress', apply: 'build', closeBundle: () => files().forEach(compressFile) };
}

/**
 * The ES module build writes into `dist/` beside the other builds (no emptyOutDir), and its split
 * chunks carry a content hash: drop the previous build's, or every build adds files to the package.
 */
function dropOldModuleChunks(): Plugin {
  return {
    name: 'roundel-drop-old-module-chunks',
    apply: 'build',
    buildStart() {
      if (!existsSync(dist)) return;
      for (const name of readdirSync(dist)) if (/^messenger-.+\.mjs(\.map)?$/.test(name)) rmSync(join(dist, name));
    },
  };
}

/** Every script and source map under `dir`. */
function scriptsUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return scriptsUnder(path);
    return /\.(m?js|map)$/.test(name) ? [path] : [];
  });
}

/**
 * The lazy chunk of the IIFE widget (src/api/lazy.ts): the panel (Preact, every component, rich
 * renderers, the panel's CSS, the strings loader) and the page reports for agents, as one ES
 * module with a content hash in its name, loaded with `import()` by messenger.js from the server
 * it came from. `chunks.json` names the file.
 */
function chunks(): UserConfig {
  return {
    oxc,
    build: {
      outDir: resolve(dist, CHUNK_DIR),
      emptyOutDir: true,
      target: 'es2022',
      cssTarget,
      sourcemap: true,
      rollupOptions: {
        input: { panel: resolve(here, 'src/api/lazy.ts') },
        // An app build drops an entry's exports unless told otherwise: the panel's are its API.
        preserveEntrySignatures: 'strict',
        output: { format: 'es', entryFileNames: '[name]-[hash].js', chunkFileNames: '[name]-[hash].js' },
      },
    },
    plugins: [
      precompress(() => scriptsUnder(resolve(dist, CHUNK_DIR))),
      {
        name: 'roundel-chunk-manifest',
        writeBundle(_options, bundle) {
          const files: Record<string, string> = {};
          for (const chunk of Object.values(bundle)) if (chunk.type === 'chunk' && chunk.isEntry) files[chunk.name] = `${CHUNK_DIR}/${chunk.fileName}`;
          writeFileSync(CHUNK_MANIFEST, JSON.stringify(files));
        },
      },
    ],
  };
}

/** The panel chunk's path relative to messenger.js, from the chunks build (run first). */
function panelChunk(): string {
  if (!existsSync(CHUNK_MANIFEST)) throw new Error(`${CHUNK_MANIFEST} is missing: run "vite build --mode chunks" first`);
  const files = JSON.parse(readFileSync(CHUNK_MANIFEST, 'utf8')) as { panel?: unknown };
  if (typeof files.panel !== 'string') throw new Error(`${CHUNK_MANIFEST} names no panel chunk`);
  return files.panel;
}

/** The widget, as an IIFE for the script tag or an ES module for bundlers: same code, same minification. */
function widget(format: 'iife' | 'es'): UserConfig {
  return {
    oxc,
    // The IIFE imports its panel from the server by path (src/api/messenger.ts); the ES module
    // build imports src/ui/panel-chunk.tsx and lets the site's bundler split it.
    define: format === 'iife' ? { 'import.meta.env.ROUNDEL_PANEL_CHUNK': JSON.stringify(panelChunk()) } : {},
    build: {
      outDir: 'dist',
      emptyOutDir: false,
      target: 'es2022',
      cssTarget,
      sourcemap: true,
      lib: {
        // The IIFE entry assigns window.ServisBot itself (it has no exports, so no extra global is
        // created); the module entry exports init and the types, and defines no global.
        entry: resolve(here, format === 'iife' ? 'src/api/messenger.ts' : 'src/api/index.ts'),
        formats: [format],
        name: 'ServisBotBundle',
        fileName: () => (format === 'iife' ? 'messenger.js' : 'messenger.mjs'),
      },
      rollupOptions: {
        // The protocol's parsers are built at module level from reader combinators and object
        // spreads, which the bundler cannot prove pure: it would keep every parser (the agent
        // protocol's too) in the widget. These calls build readers and nothing else, and no
        // module-level object of ours has a getter.
        treeshake: { manualPureFunctions: ['shape', 'check', 'oneOf', 'optional', 'array', 'Object.assign', 'Object.create'], propertyReadSideEffects: false },
        ...(format === 'es' ? { output: { chunkFileNames: 'messenger-[name]-[hash].mjs' } } : {}),
      },
    },
    plugins: format === 'iife' ? [precompress(() => [resolve(dist, 'messenger.js'), resolve(dist, 'messenger.js.map')])] : [dropOldModuleChunks()],
  };
}

/**
 * Four builds from one config:
 * - `--mode chunks`: the widget's lazy chunks under `dist/widget/` (first: the IIFE names them);
 * - default mode: the widget, one IIFE `dist/messenger.js` (served at /messenger.js);
 * - `--mode esm`: the same widget as `dist/messenger.mjs` (package export `roundel/messenger`),
 *   its panel a split chunk beside it (types from `tsc -p tsconfig.types.json` in dist/types/);
 * - `--mode server`: the Node server and the bundled demo bot as ESM under `dist/server/`,
 *   with dependencies left external (node_modules is there at run time).
 * Scripts and maps of the widget get precompressed `.br` / `.gz` copies.
 */
export default defineConfig(({ mode }) => {
  if (mode === 'chunks') return chunks();
  if (mode === 'esm') return widget('es');
  if (mode === 'console') {
    // The agent console (served at /agent/): a second Preact entry on the same components.
    return {
      // The automatic runtime: the console's own files import nothing for JSX, the widget's import `h` (unused here).
      oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
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
