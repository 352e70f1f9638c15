import { resolve } from 'node:path';
import { loadConfig } from '../infra/config.js';
import { routerEnv } from './config.js';
import { runService } from '../infra/lifecycle.js';
import { start } from './server.js';

await runService('router', process.env.LOG_LEVEL, (logger) => {
  const config = loadConfig(routerEnv);
  // `npm run router` runs in the package folder; a relative path means the user's own folder.
  const SUPERGRAPH_PATH = resolve(process.env.INIT_CWD ?? process.cwd(), config.SUPERGRAPH_PATH);
  return start({ ...config, SUPERGRAPH_PATH }, { logger });
});
