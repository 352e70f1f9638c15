import { customersEnv, loadConfig } from '../../infra/config.js';
import { runService } from '../../infra/lifecycle.js';
import { start } from './server.js';

await runService('customers', process.env.LOG_LEVEL, (logger) => start(loadConfig(customersEnv), { logger }));
