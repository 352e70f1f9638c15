/**
 * The bundled SAP simulator: a real HTTP server speaking SAP's wire formats, so that the SAP
 * connector (written against SAP's formats, never against this code; it must not import this
 * folder) can run without an SAP system. `npm start` runs it when no SAP system is configured.
 *
 * URL layout, for each system (default S4H, sap-client 100) under `{origin}/{SID}`:
 * - `/sap/opu/odata/sap/API_BUSINESS_PARTNER/`, `…/API_PRODUCT_SRV/`, `…/API_SALES_ORDER_SRV/`: OData v2 (odata-handler.ts)
 * - `/sap/bc/soap/rfc`: SOAP-RFC, stateful sessions with `sap-sessioncmd` (soap-rfc-handler.ts)
 * - `/sap/bc/idoc_xml`: IDoc-XML inbound (idoc-inbound-handler.ts)
 * - `/sap/bc/sec/oauth2/token`: OAuth 2.0 client credentials (oauth-token-handler.ts)
 * Every request needs `sap-client` (query parameter or header) equal to the system's client, and
 * basic authentication (default INTERCHANGE / simulator) or a bearer token from the token endpoint
 * (client interchange / simulator-secret); else 401 with `WWW-Authenticate`.
 *
 * Control surface, without authentication: `POST /__simulator/{SID}/faults` (a JSON SapFault),
 * `DELETE /__simulator/{SID}/faults`, `GET|DELETE /__simulator/{SID}/counts`, `GET /__simulator/{SID}/idocs`,
 * `GET /__simulator/` (the systems and their URLs).
 */
export { startSapSimulator, type RunningSapSimulator, type SapSimulatorOptions, type SimulatedIdoc } from './sap-simulator-server.js';
export type { RfcTransactionRecord, SapFault } from './sap-system.js';
