import { loadConfig, ordersEnv } from '../../infra/config.js';
import { runService } from '../../infra/lifecycle.js';
import { start } from './server.js';

await runService('orders', process.env.LOG_LEVEL, (logger) => start(loadConfig(ordersEnv), { logger }));
