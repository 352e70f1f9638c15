import { loadConfig, routerEnv } from '../infra/config.js';
import { runService } from '../infra/lifecycle.js';
import { start } from './server.js';

await runService('router', process.env.LOG_LEVEL, (logger) => start(loadConfig(routerEnv), { logger }));
