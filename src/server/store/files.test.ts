import { describeFilesContract } from './files-contract';
import { openSqliteStore } from './sqlite';

describeFilesContract('SQLite', async (options) => openSqliteStore(':memory:', options));
