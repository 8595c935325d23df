// `npm start [-- FLAGS]`: install what is missing, build, then run `roundel serve FLAGS` in this
// same process (so SIGTERM/SIGINT reach the server directly and it closes gracefully).
import { ensureDependencies, run } from './setup.mjs';

ensureDependencies();
const built = run('npm', ['run', 'build']);
if (built !== 0) process.exit(built);
process.argv.splice(2, 0, 'serve');
await import('../bin/roundel.mjs');
