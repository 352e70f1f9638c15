import { runService } from '../../infra/lifecycle.js';
import { health } from './subgraph.js';

await runService('health', process.env.LOG_LEVEL, (logger) => health.start(process.env, { logger }));
