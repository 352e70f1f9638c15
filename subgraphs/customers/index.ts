import { runService } from '../../infra/lifecycle.js';
import { customers } from './subgraph.js';

await runService('customers', process.env.LOG_LEVEL, (logger) => customers.start(process.env, { logger }));
