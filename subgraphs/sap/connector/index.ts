/**
 * The SAP connector: a client library for SAP systems (OData v2, SOAP-RFC, IDoc-XML) that works
 * against any conforming system. What the sap subgraph and its tests use is exported here.
 */
export { SapConnector } from './sap-connector.js';
export { SapSystem } from './sap-system.js';
export type { SapSystemStatus } from './sap-transport.js';
export type { CircuitStateName } from '../../../infra/resilience/circuit-state.js';
export {
  isSapSecretVariable,
  SAP_VARIABLE_PATTERNS,
  sapSystemsFromEnv,
  Secret,
  type SapAuthConfig,
  type SapIdocPartners,
  type SapServicePaths,
  type SapSystemConfig,
  type SapSystemType,
  type SapTlsConfig,
  type SapVariableDoc,
} from './sap-config.js';
export { ODataClient, type ODataKey, type ODataPage, type ODataReadOptions, type ODataService } from './odata-client.js';
export { ODataMetadata, type EdmNavigation, type EdmStructuredType, type ODataEntity } from './odata-metadata.js';
export { chunkKeys, filterAnyOf, MAX_FILTER_LENGTH, queryString, type ODataQuery } from './odata-query.js';
export { isoToODataDate, normaliseDecimal, odataDateToIso, stringLiteral, uriLiteral } from './odata-values.js';
export { RfcClient, type ReadTableOptions, type RfcCallOptions, type RfcResult, type RfcSession } from './rfc-client.js';
export type { RfcCallInput, RfcData, RfcRow, RfcStructure, RfcValue } from './rfc-soap.js';
export { buildOrders05, newDocnum, type Orders05Input, type Orders05Item } from './idoc-builder.js';
export { IDOC_STATUS_TEXTS, IdocClient, type IdocSent, type IdocStatus } from './idoc-client.js';
export {
  debmasCustomer,
  matmasMaterial,
  ordersOrder,
  parseIdoc,
  parseIdocs,
  type DebmasCustomer,
  type IdocMessageType,
  type IdocSegment,
  type MatmasMaterial,
  type OrdersItem,
  type OrdersOrder,
  type ParsedIdoc,
} from './idoc-parser.js';
export { idocInvalid, type BapiMessage, type SapErrorBody, type SapErrorDetail } from './sap-errors.js';
