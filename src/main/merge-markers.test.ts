/**
 * No file of the repository keeps a merge's conflict markers: inside a comment they compile and
 * every test passes, so only a scan finds them (one once sat in a doc comment for a whole round).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TEXT = /\.(ts|tsx|mjs|js|json|md|css|html|yaml|yml|sh)$/;

it('has no conflict markers in any tracked text file', () => {
  const files = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((file) => TEXT.test(file) && !file.startsWith('bench/results'));
  expect(files.length).toBeGreaterThan(100);
  const marked = files.filter((file) => /^(<{7}|>{7}) |^={7}$/m.test(readFileSync(join(ROOT, file), 'utf8')));
  expect(marked).toEqual([]);
});
