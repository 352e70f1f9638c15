import { z } from 'zod';
import { commonEnv, loadConfig, port } from '../../infra/config.js';
import { runService } from '../../infra/lifecycle.js';
import { startSapSimulator } from './index.js';

/**
 * Runs the SAP simulator alone: `tsx simulators/sap/main.ts`. Reads SAP_SIMULATOR_PORT (default
 * 4100), SAP_SIMULATOR_HOST (default 127.0.0.1) and SAP_SIMULATOR_SYSTEMS (comma-separated
 * SID:client pairs, default S4H:100), and logs each system's URL.
 */
const simulatorEnv = {
  LOG_LEVEL: commonEnv.LOG_LEVEL,
  SAP_SIMULATOR_PORT: port(4100),
  SAP_SIMULATOR_HOST: z.string().min(1).default('127.0.0.1'),
  SAP_SIMULATOR_SYSTEMS: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9]{2}(:\d{3})?(,[A-Za-z][A-Za-z0-9]{2}(:\d{3})?)*$/, 'must be SID:client pairs separated by commas, e.g. S4H:100,ECC:800')
    .default('S4H:100'),
};

await runService('sap-simulator', process.env.LOG_LEVEL, async (logger) => {
  const config = loadConfig(simulatorEnv);
  const systems = config.SAP_SIMULATOR_SYSTEMS.split(',').map((entry) => {
    const [id = '', client] = entry.split(':');
    return { id, client };
  });
  const simulator = await startSapSimulator({ port: config.SAP_SIMULATOR_PORT, host: config.SAP_SIMULATOR_HOST, systems, logger });
  for (const { id } of systems) logger.info({ system: id.toUpperCase(), url: simulator.systemUrl(id), faults: `${simulator.origin}/__simulator/${id.toUpperCase()}/faults` }, 'SAP simulator system');
  return simulator;
});
