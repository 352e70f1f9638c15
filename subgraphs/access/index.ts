import { runService } from '../../infra/lifecycle.js';
import { access } from './subgraph.js';

await runService('access', process.env.LOG_LEVEL, (logger) => access.start(process.env, { logger }));
