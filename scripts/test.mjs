// `npm test`: install what is missing (dependencies, PostgreSQL and Redis, a Chromium), then
// typecheck, OpenAPI lint, unit + integration (vitest, every answer checked against
// docs/openapi.json), build, the packed package installed and served, and the Playwright e2e
// suite on the built bundle in Chromium.
// Prints one closing summary line.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureServices } from './services.mjs';
import { ensureChromium, ensureDependencies, root, run } from './setup.mjs';

// Not test-results/: Playwright empties that folder when it starts.
const reports = join(root, 'reports');
mkdirSync(reports, { recursive: true });

function step(name, command, args, env) {
  console.log(`\n── ${name} ──`);
  const status = run(command, args, env ? { env: { ...process.env, ...env } } : {});
  if (status !== 0) {
    console.error(`\nnpm test: ${name} failed (exit ${status})`);
    process.exit(status);
  }
}

/** Reads pass/fail counts from a vitest or Playwright JSON report (0/0 when absent). */
function counts(file) {
  if (!existsSync(file)) return { passed: 0, failed: 0 };
  const report = JSON.parse(readFileSync(file, 'utf8'));
  if (typeof report.numPassedTests === 'number') {
    return { passed: report.numPassedTests, failed: report.numFailedTests };
  }
  const stats = report.stats ?? {};
  return { passed: stats.expected ?? 0, failed: (stats.unexpected ?? 0) + (stats.flaky ?? 0) };
}

ensureDependencies();
// The multi-node tests start a real PostgreSQL and Redis (apt-get installs them when missing, as root).
ensureServices();
step('typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
step('OpenAPI lint (redocly)', 'node', [join(root, 'scripts', 'lint-openapi.mjs')]);
const unitReport = join(reports, 'vitest.json');
step('unit + integration (vitest)', 'npx', [
  'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${unitReport}`,
]);
step('build', 'npm', ['run', 'build']);
step('package (npm pack, install into a temp dir, npx roundel serve)', 'node', [join(root, 'scripts', 'test-package.mjs')]);
const chromium = await ensureChromium();
const e2eReport = join(reports, 'playwright.json');
step('e2e (Playwright, Chromium)', 'npx', ['playwright', 'test'], {
  CHROMIUM_PATH: chromium,
  PLAYWRIGHT_JSON_OUTPUT_NAME: e2eReport,
});

const unit = counts(unitReport);
const e2e = counts(e2eReport);
console.log(`\nunit: ${unit.passed} passed, ${unit.failed} failed`);
console.log(`e2e: ${e2e.passed} passed, ${e2e.failed} failed`);
console.log(`total: ${unit.passed + e2e.passed} passed, ${unit.failed + e2e.failed} failed`);
