import { badUserInput } from '../../../infra/errors.js';
import type { Logger } from '../../../infra/logger.js';
import type { SapSystemConfig } from './sap-config.js';
import { SapSystem } from './sap-system.js';

/** Every configured SAP system, by id (see sapSystemsFromEnv). */
export class SapConnector {
  private readonly byId: ReadonlyMap<string, SapSystem>;

  constructor(configs: readonly SapSystemConfig[], options: { logger: Logger }) {
    this.byId = new Map(configs.map((config) => [config.id, new SapSystem(config, options.logger)]));
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
