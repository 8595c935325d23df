#!/usr/bin/env node
// The `roundel` command. The server is built to dist/server/cli.js by `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/server/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('roundel: dist/server/cli.js is missing; run `npm run build` (or `npm start`) first.\n');
  process.exit(1);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2), process.env);
