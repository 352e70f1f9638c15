import { z } from 'zod';
import type { Scope } from '../../infra/auth/principal.js';
import { domainSubgraphEnv, httpUrl, loadConfig, port, positiveInt, type ConfigOf } from '../../infra/config.js';
import type { SubgraphDescriptor } from '../../infra/graphql/subgraph-descriptor.js';

/**
 * Who the sap subgraph is at the router when a hub runs it: sendOrderToSap reads the order and its
 * customer, and an inbound DEBMAS is published to the customer_updated queue, through the router.
 */
export const SAP_CALLER = Object.freeze({
  subject: 'service:sap',
  scopes: Object.freeze(['orders:read', 'customers:read', 'queues:publish'] satisfies Scope[]),
});

/**
 * The sap subgraph's own settings; the SAP systems themselves are SAP_SYSTEMS and SAP_<ID>_*
 * (connector/sap-config.ts), read from the same environment.
 */
export const sapEnv = {
  ...domainSubgraphEnv(4005),
  /** Comma-separated ids of the SAP systems; each has its SAP_<ID>_* variables (connector/sap-config.ts reads them all). */
  SAP_SYSTEMS: z.string().optional(),
  /** The system a `system` argument means when it names none; default the first of SAP_SYSTEMS. */
  SAP_DEFAULT_SYSTEM: z.string().optional(),
  /**
   * The bundled SAP simulator (simulators/sap): `auto` runs it when SAP_SYSTEMS is empty and
   * NODE_ENV is not production, as the system SIM; `true` always (beside the systems configured);
   * `false` never.
   */
  SAP_SIMULATOR: z.enum(['auto', 'true', 'false']).default('auto'),
  /** Where the simulator listens (its fault-control API is there too); 0 picks a free port. */
  SAP_SIMULATOR_PORT: port(4100),
  /** Basic-auth credentials SAP's HTTP port uses for POST /sap/idoc; without a password the route refuses every request. */
  SAP_IDOC_INBOUND_USER: z.string().min(1).default('sap'),
  SAP_IDOC_INBOUND_PASSWORD: z.string().optional(),
  /** How often the status of IDocs sent and not yet posted is read back from SAP (EDIDC). */
  SAP_IDOC_STATUS_POLL_MS: positiveInt(2_000, 3_600_000),
  /** The queue an inbound DEBMAS is published to, as a customer_updated message. */
  SAP_CUSTOMER_QUEUE: z.string().min(1).default('customer_updated'),
  /** The router's GraphQL URL and an API key with SAP_CALLER's scopes, for a sap subgraph run alone. */
  ROUTER_URL: httpUrl.optional(),
  ROUTER_API_KEY: z.string().optional(),
};

export type SapConfig = ConfigOf<typeof sapEnv>;

/** SAP systems (OData v2, SOAP-RFC, IDoc) through one connector, and the hub's entities linked to them. */
export const sap: SubgraphDescriptor<typeof sapEnv, 'sap'> = {
  name: 'sap',
  defaultPort: 4005,
  env: sapEnv,
  callsRouter: SAP_CALLER,
  codegen: {
    context: 'SapContext',
    mappers: {
      SapSystem: '../sap-service.js#SapSystemView',
      BusinessPartner: '../sap-entities.js#BusinessPartnerRow',
      SapCustomer: '../sap-entities.js#SapCustomerRow',
      Supplier: '../sap-entities.js#SupplierRow',
      Product: '../sap-entities.js#ProductRow',
      SalesOrder: '../sap-entities.js#SalesOrderRow',
      SalesOrderItem: '../sap-entities.js#SalesOrderItemRow',
      BusinessPartnerConnection: '../sap-entities.js#ODataConnection<BusinessPartnerRow>',
      SupplierConnection: '../sap-entities.js#ODataConnection<SupplierRow>',
      ProductConnection: '../sap-entities.js#ODataConnection<ProductRow>',
      SalesOrderConnection: '../sap-entities.js#ODataConnection<SalesOrderRow>',
      SapIdoc: '../sap-repository.js#IdocRow',
      InboundIdoc: '../sap-repository.js#InboundIdocRow',
      InboundIdocConnection: '../../../infra/db/pagination.js#Connection<InboundIdocRow>',
      Customer: '../sap-entities.js#CustomerRef',
      Order: '../sap-entities.js#OrderRef',
    },
  },
  start: async (env, deps) => (await import('./server.js')).start(loadConfig(sapEnv, env), env, deps),
};
