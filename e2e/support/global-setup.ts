import { existsSync } from 'node:fs';

/** The e2e suite tests what ships: refuse to run against a missing build. */
export default function globalSetup(): void {
  for (const file of ['dist/messenger.js', 'dist/server/cli.js']) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first (npm test does).`);
  }
}
