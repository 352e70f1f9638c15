import { runService } from '../../infra/lifecycle.js';
import { sap } from './subgraph.js';

await runService('sap', process.env.LOG_LEVEL, (logger) => sap.start(process.env, { logger }));
