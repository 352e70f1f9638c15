import { badUserInput } from '../../../infra/errors.js';
import type { Logger } from '../../../infra/logger.js';
import type { Registry } from '../../../infra/metrics/metrics-registry.js';
import type { SapSystemConfig } from './sap-config.js';
import { SapMetrics } from './sap-metrics.js';
import { SapSystem } from './sap-system.js';

/** Every configured SAP system, by id (see sapSystemsFromEnv). */
export class SapConnector {
  private readonly byId: ReadonlyMap<string, SapSystem>;

  /** `metrics`: the sap subgraph's registry, for the SAP metrics (sap-metrics.ts); none without it. */
  constructor(configs: readonly SapSystemConfig[], options: { logger: Logger; metrics?: Registry }) {
    const metrics = options.metrics && new SapMetrics(options.metrics, () => this.systems().map((system) => system.status()));
    this.byId = new Map(configs.map((config) => [config.id, new SapSystem(config, options.logger, metrics?.forSystem(config.id))]));
  }

  /** The system `id`; an unknown id throws BAD_USER_INPUT on the field `system`. */
  system(id: string): SapSystem {
    const system = this.byId.get(id);
    if (!system) {
      const known = [...this.byId.keys()];
      throw badUserInput([{ field: 'system', message: known.length > 0 ? `must be one of ${known.join(', ')}` : 'names no SAP system: none is configured (SAP_SYSTEMS)' }]);
    }
    return system;
  }

  /** In the order of the configuration. */
  systems(): SapSystem[] {
    return [...this.byId.values()];
  }

  /** Closes every system's connections (requests in flight finish first). */
  async close(): Promise<void> {
    await Promise.all(this.systems().map((system) => system.close()));
  }
}
