import type { Logger } from '../../../infra/logger.js';
import { IdocClient } from './idoc-client.js';
import { ODataClient } from './odata-client.js';
import { RfcClient } from './rfc-client.js';
import type { SapSystemConfig } from './sap-config.js';
import type { SapSystemMetrics } from './sap-metrics.js';
import { SapTransport, type SapSystemStatus } from './sap-transport.js';

/** One SAP system: its configuration, its clients for OData, SOAP-RFC and IDocs over one transport, and its health. */
export class SapSystem {
  readonly odata: ODataClient;
  readonly rfc: RfcClient;
  readonly idoc: IdocClient;
  private readonly transport: SapTransport;

  constructor(
    readonly config: SapSystemConfig,
    logger: Logger,
    metrics?: SapSystemMetrics,
  ) {
    // Every line the system's parts log names the system.
    const systemLogger = logger.child({ sapSystem: config.id });
    this.transport = new SapTransport(config, systemLogger, metrics);
    this.odata = new ODataClient(this.transport, systemLogger);
    this.rfc = new RfcClient(this.transport, systemLogger);
    this.idoc = new IdocClient(this.transport, this.rfc, systemLogger);
  }

  get id(): string {
    return this.config.id;
  }

  get type(): SapSystemConfig['type'] {
    return this.config.type;
  }

  /** Reachability, circuit, pool and the last error and success, as of now. */
  status(): SapSystemStatus {
    return this.transport.status();
  }

  /** Lets requests in flight finish, then closes the system's connections. */
  close(): Promise<void> {
    return this.transport.close();
  }
}
