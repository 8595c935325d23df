/** Finds the installed package's root (for `dist/messenger.js` and `demo/`), from source or from dist. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest directory above `fromUrl` whose package.json is named `roundel`, or undefined. */
export function findPackageRoot(fromUrl: string): string | undefined {
  let dir = dirname(fileURLToPath(fromUrl));
  for (;;) {
    try {
      const pkg: unknown = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (typeof pkg === 'object' && pkg !== null && (pkg as { name?: unknown }).name === 'roundel') return dir;
    } catch {
      // no package.json here (or not JSON): keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
