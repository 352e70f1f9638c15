import { accessEnv, loadConfig } from '../../infra/config.js';
import { runService } from '../../infra/lifecycle.js';
import { start } from './server.js';

await runService('access', process.env.LOG_LEVEL, (logger) => start(loadConfig(accessEnv), { logger }));
