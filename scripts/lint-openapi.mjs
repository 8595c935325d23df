// Lints docs/openapi.json with @redocly/cli (rules in redocly.yaml; the two websocket upgrades,
// answered 101, are excused in .redocly.lint-ignore.yaml). Any error or warning fails, each
// printed with where it is. Part of `npm test` (scripts/test.mjs).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root } from './setup.mjs';

const result = spawnSync('npx', ['redocly', 'lint', join('docs', 'openapi.json'), '--format=json'], {
  cwd: root,
  encoding: 'utf8',
});
let report;
try {
  report = JSON.parse(result.stdout);
} catch {
  process.stderr.write(`redocly lint did not answer JSON (exit ${result.status}):\n${result.stdout}${result.stderr}`);
  process.exit(1);
}
const { errors, warnings, ignored } = report.totals;
for (const problem of report.problems) {
  const where = problem.location?.[0]?.pointer ?? '';
  process.stderr.write(`${problem.severity} ${problem.ruleId}: ${problem.message} at ${where}\n`);
}
console.log(`docs/openapi.json: ${errors} errors, ${warnings} warnings (${ignored} excused)`);
process.exit(errors + warnings === 0 ? 0 : 1);
