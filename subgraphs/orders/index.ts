import { runService } from '../../infra/lifecycle.js';
import { orders } from './subgraph.js';

await runService('orders', process.env.LOG_LEVEL, (logger) => orders.start(process.env, { logger }));
