import { describeStoreContract } from './contract';
import { openSqliteStore } from './sqlite';

describeStoreContract('SQLite', async (options) => openSqliteStore(':memory:', options));
