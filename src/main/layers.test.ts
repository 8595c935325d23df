/**
 * The import rules of the layout (README, "Architecture"), checked over the source files' import
 * graph so that a wrong-way import fails the suite instead of creeping in: the server never
 * imports a bot, the browser layers or the process wiring; nothing but `main` is allowed to need
 * `main`; the protocol depends on no other layer. Tests may reach across (they wire real parts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('..', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(entry.name) && !/\.test\.tsx?$|\.fixture\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** Layer of every relative import of a file (`server`, `bots`, ...): `from '…'`, bare `import '…'` and `import('…')`. */
function importedLayers(file: string): Set<string> {
  const text = readFileSync(file, 'utf8');
  const layers = new Set<string>();
  for (const match of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(?\s*)['"](\.[^'"]+)['"]/g)) {
    const target = relative(SRC, resolve(dirname(file), match[1] ?? ''));
    layers.add(target.split('/')[0] ?? '');
  }
  return layers;
}

const layerOf = (file: string): string => relative(SRC, file).split('/')[0] ?? '';

/** Layers each layer must not import. */
const FORBIDDEN: Record<string, readonly string[]> = {
  protocol: ['client', 'ui', 'api', 'console', 'server', 'bots', 'main'],
  server: ['client', 'ui', 'api', 'console', 'bots', 'main'],
  bots: ['main'],
  client: ['server', 'bots', 'main'],
  ui: ['server', 'bots', 'main'],
};

describe('import direction', () => {
  const files = sourceFiles(SRC);

  it('finds the source files it checks', () => {
    expect(files.some((f) => f.endsWith(join('main', 'cli.ts')))).toBe(true);
    expect(files.some((f) => f.endsWith(join('server', 'server.ts')))).toBe(true);
  });

  it('keeps every layer away from the layers it must not import', () => {
    const wrong: string[] = [];
    for (const file of files) {
      const forbidden = FORBIDDEN[layerOf(file)] ?? [];
      for (const layer of importedLayers(file)) if (forbidden.includes(layer)) wrong.push(`${relative(SRC, file)} imports ${layer}/`);
    }
    expect(wrong).toEqual([]);
  });

  it('lets only main import server and bots together', () => {
    const both = files.filter((file) => {
      const layers = importedLayers(file);
      return layerOf(file) !== 'main' && layers.has('server') && layers.has('bots');
    });
    expect(both.map((f) => relative(SRC, f))).toEqual([]);
  });
});
