import { runService } from '../../infra/lifecycle.js';
import { queues } from './subgraph.js';

await runService('queues', process.env.LOG_LEVEL, (logger) => queues.start(process.env, { logger }));
