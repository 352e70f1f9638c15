import type { IdocRecord, IdocStatusRecord, Row, SapDataStore } from './sap-data-store.js';
import { RfcException, tableParameter, textParameter, type RfcFunction, type RfcStructure } from './rfc-types.js';

/**
 * RFC_READ_TABLE as SAP's standard function module behaves, over the simulator's tables KNA1,
 * LFA1, MARA, MAKT, VBAK, VBAP, EDIDC and EDIDS (projections of the system's data, so that the
 * numbers match OData and IDocs).
 *
 * - QUERY_TABLE names the table; FIELDS (FIELDNAME) chooses columns, all when empty. FIELDS comes
 *   back with OFFSET, LENGTH (NUMC 6), TYPE (C, N, D, T, P) and FIELDTEXT.
 * - DATA rows (WA) hold each field at its OFFSET, LENGTH characters wide: CHAR left-aligned, NUMC
 *   zero-padded, DATS YYYYMMDD, TIMS HHMMSS, packed numbers right-aligned with a trailing sign
 *   position. With a DELIMITER, it stands between fields (and OFFSETs count it). Trailing blanks
 *   of a row are dropped, as SOAP serialisation of a CHAR field does.
 * - OPTIONS (TEXT, 72-character lines, joined with a blank) is an Open SQL WHERE clause:
 *   `=`/EQ, `<>`/NE, `<`/LT, `>`/GT, `<=`/LE, `>=`/GE, LIKE (% and _), NOT LIKE, IN (…),
 *   BETWEEN … AND …, AND, OR, NOT, parentheses, 'quoted' literals ('' escapes a quote) and numbers.
 * - ROWSKIPS rows are skipped, then at most ROWCOUNT returned (0: all); NO_DATA = 'X' returns FIELDS only.
 * - Exceptions (SOAP faults): TABLE_NOT_AVAILABLE, FIELD_NOT_VALID, OPTION_NOT_VALID, DATA_BUFFER_EXCEEDED (a row over 512 characters).
 */
type AbapType = 'C' | 'N' | 'D' | 'T' | 'P';

interface TableField {
  name: string;
  type: AbapType;
  length: number;
  decimals: number;
  text: string;
  /** The value in ABAP's external form, unpadded (CHAR as is, DATS YYYYMMDD, P as a decimal string). */
  read(source: never, client: string): string;
}

interface TableDef {
  name: string;
  fields: readonly TableField[];
  fieldByName: ReadonlyMap<string, TableField>;
  rows(store: SapDataStore): readonly unknown[];
}

const LINE_LENGTH = 512;

/** ABAP's one-character language keys. */
const LANGUAGE_KEYS: Record<string, string> = { EN: 'E', DE: 'D', FR: 'F', NL: 'N', ES: 'S', IT: 'I' };

export function dats(ms: unknown): string {
  return typeof ms === 'number' ? new Date(ms).toISOString().slice(0, 10).replaceAll('-', '') : '00000000';
}

export function tims(value: unknown): string {
  if (typeof value === 'number') return new Date(value).toISOString().slice(11, 19).replaceAll(':', '');
  const match = /^PT(\d+)H(\d+)M(\d+)S$/.exec(String(value ?? ''));
  return match ? match.slice(1).map((part) => part.padStart(2, '0')).join('') : '000000';
}

function field<S>(name: string, spec: string, text: string, read: (source: S, client: string) => unknown): TableField {
  const match = /^([CNDTP])(\d+)(?:\.(\d+))?$/.exec(spec)!;
  const type = match[1] as AbapType;
  const length = Number(match[2]);
  const convert = (value: unknown): string => {
    if (type === 'D') return dats(value);
    if (type === 'T') return tims(value);
    if (type === 'N') return String(value ?? '').padStart(length, '0');
    if (typeof value === 'boolean') return value ? 'X' : '';
    return String(value ?? '');
  };
  return { name, type, length, decimals: Number(match[3] ?? 0), text, read: ((source: S, client: string) => convert(read(source, client))) as TableField['read'] };
}

function table(name: string, rows: (store: SapDataStore) => readonly unknown[], fields: TableField[]): TableDef {
  return { name, fields, fieldByName: new Map(fields.map((entry) => [entry.name, entry])), rows };
}

interface PartnerView {
  name1: string;
  partner: Row;
  role: Row;
  address: Row | undefined;
}

function partnerViews(store: SapDataStore, roles: ReadonlyMap<string, Row>): PartnerView[] {
  return [...roles.entries()].map(([id, role]) => {
    const partner = store.partners.get(id)!;
    return { name1: store.name1(partner), partner, role, address: store.mainAddress(id) };
  });
}

const mandt = field<unknown>('MANDT', 'C3', 'Client', (_source, client) => client);
const street = (view: PartnerView) => [view.address?.StreetName, view.address?.HouseNumber].filter(Boolean).join(' ');

const TABLES: ReadonlyMap<string, TableDef> = new Map(
  [
    table('KNA1', (store) => partnerViews(store, store.customers), [
      mandt,
      field<PartnerView>('KUNNR', 'C10', 'Customer', (view) => view.role.Customer),
      field<PartnerView>('LAND1', 'C3', 'Country/Region Key', (view) => view.address?.Country),
      field<PartnerView>('NAME1', 'C35', 'Name', (view) => view.name1),
      field<PartnerView>('NAME2', 'C35', 'Name 2', (view) => view.partner.OrganizationBPName2),
      field<PartnerView>('ORT01', 'C35', 'City', (view) => view.address?.CityName),
      field<PartnerView>('PSTLZ', 'C10', 'Postal Code', (view) => view.address?.PostalCode),
      field<PartnerView>('REGIO', 'C3', 'Region', (view) => view.address?.Region),
      field<PartnerView>('SORTL', 'C10', 'Sort field', (view) => String(view.partner.SearchTerm1).slice(0, 10)),
      field<PartnerView>('STRAS', 'C35', 'Street', street),
      field<PartnerView>('TELF1', 'C16', 'Telephone 1', (view) => view.partner._phone),
      field<PartnerView>('ERDAT', 'D8', 'Created On', (view) => view.role.CreationDate),
      field<PartnerView>('ERNAM', 'C12', 'Created By', (view) => view.role.CreatedByUser),
      field<PartnerView>('KTOKD', 'C4', 'Account Group', (view) => view.role.CustomerAccountGroup),
      field<PartnerView>('LIFNR', 'C10', 'Supplier', (view) => view.role.Supplier),
      field<PartnerView>('LOEVM', 'C1', 'Central Deletion Flag', (view) => view.role.DeletionIndicator),
      field<PartnerView>('AUFSD', 'C2', 'Central Order Block', (view) => view.role.OrderIsBlockedForCustomer),
      field<PartnerView>('SPRAS', 'C1', 'Language Key', (view) => LANGUAGE_KEYS[String(view.partner.Language)] ?? ''),
      field<PartnerView>('STCEG', 'C20', 'VAT Registration No.', (view) => view.role.VATRegistration),
      field<PartnerView>('BRSCH', 'C4', 'Industry', (view) => view.role.Industry),
    ]),
    table('LFA1', (store) => partnerViews(store, store.suppliers), [
      mandt,
      field<PartnerView>('LIFNR', 'C10', 'Supplier', (view) => view.role.Supplier),
      field<PartnerView>('LAND1', 'C3', 'Country/Region Key', (view) => view.address?.Country),
      field<PartnerView>('NAME1', 'C35', 'Name', (view) => view.name1),
      field<PartnerView>('NAME2', 'C35', 'Name 2', (view) => view.partner.OrganizationBPName2),
      field<PartnerView>('ORT01', 'C35', 'City', (view) => view.address?.CityName),
      field<PartnerView>('PSTLZ', 'C10', 'Postal Code', (view) => view.address?.PostalCode),
      field<PartnerView>('REGIO', 'C3', 'Region', (view) => view.address?.Region),
      field<PartnerView>('SORTL', 'C10', 'Sort field', (view) => String(view.partner.SearchTerm1).slice(0, 10)),
      field<PartnerView>('STRAS', 'C35', 'Street', street),
      field<PartnerView>('TELF1', 'C16', 'Telephone 1', (view) => view.partner._phone),
      field<PartnerView>('ERDAT', 'D8', 'Created On', (view) => view.role.CreationDate),
      field<PartnerView>('ERNAM', 'C12', 'Created By', (view) => view.role.CreatedByUser),
      field<PartnerView>('KTOKK', 'C4', 'Account Group', (view) => view.role.SupplierAccountGroup),
      field<PartnerView>('KUNNR', 'C10', 'Customer', (view) => view.role.Customer),
      field<PartnerView>('LOEVM', 'C1', 'Central Deletion Flag', (view) => view.role.DeletionIndicator),
      field<PartnerView>('SPERR', 'C1', 'Central Posting Block', (view) => view.role.PostingIsBlocked),
      field<PartnerView>('SPERM', 'C1', 'Central Purchasing Block', (view) => view.role.PurchasingIsBlocked),
      field<PartnerView>('STCEG', 'C20', 'VAT Registration No.', (view) => view.role.VATRegistration),
      field<PartnerView>('BRSCH', 'C4', 'Industry', (view) => view.role.Industry),
    ]),
    table('MARA', (store) => [...store.products.values()], [
      mandt,
      field<Row>('MATNR', 'C40', 'Material', (row) => row.Product),
      field<Row>('ERSDA', 'D8', 'Created On', (row) => row.CreationDate),
      field<Row>('ERNAM', 'C12', 'Created By', (row) => row.CreatedByUser),
      field<Row>('LAEDA', 'D8', 'Last Change', (row) => row.LastChangeDate),
      field<Row>('AENAM', 'C12', 'Changed By', (row) => row.LastChangedByUser),
      field<Row>('LVORM', 'C1', 'DF at Client Level', (row) => row.IsMarkedForDeletion),
      field<Row>('MTART', 'C4', 'Material Type', (row) => row.ProductType),
      field<Row>('MBRSH', 'C1', 'Industry Sector', (row) => row.IndustrySector),
      field<Row>('MATKL', 'C9', 'Material Group', (row) => row.ProductGroup),
      field<Row>('MEINS', 'C3', 'Base Unit of Measure', (row) => row.BaseUnit),
      field<Row>('BRGEW', 'P13.3', 'Gross Weight', (row) => row.GrossWeight),
      field<Row>('NTGEW', 'P13.3', 'Net Weight', (row) => row.NetWeight),
      field<Row>('GEWEI', 'C3', 'Weight Unit', (row) => row.WeightUnit),
      field<Row>('SPART', 'C2', 'Division', (row) => row.Division),
      field<Row>('EAN11', 'C18', 'EAN/UPC', (row) => row.ProductStandardID),
    ]),
    table('MAKT', (store) => [...store.productDescriptions.values()].flat(), [
      mandt,
      field<Row>('MATNR', 'C40', 'Material', (row) => row.Product),
      field<Row>('SPRAS', 'C1', 'Language Key', (row) => LANGUAGE_KEYS[String(row.Language)] ?? ''),
      field<Row>('MAKTX', 'C40', 'Material Description', (row) => row.ProductDescription),
      field<Row>('MAKTG', 'C40', 'Material Description', (row) => String(row.ProductDescription).toUpperCase()),
    ]),
    table('VBAK', (store) => [...store.salesOrders.values()], [
      mandt,
      field<Row>('VBELN', 'C10', 'Sales Document', (row) => row.SalesOrder),
      field<Row>('ERDAT', 'D8', 'Created On', (row) => row.CreationDate),
      field<Row>('ERZET', 'T6', 'Time', (row) => row._changedAt),
      field<Row>('ERNAM', 'C12', 'Created By', (row) => row.CreatedByUser),
      field<Row>('AUDAT', 'D8', 'Document Date', (row) => row.SalesOrderDate),
      field<Row>('VBTYP', 'C1', 'Document Category', () => 'C'),
      field<Row>('AUART', 'C4', 'Sales Document Type', (row) => row.SalesOrderType),
      field<Row>('NETWR', 'P15.2', 'Net Value', (row) => row.TotalNetAmount),
      field<Row>('WAERK', 'C5', 'Document Currency', (row) => row.TransactionCurrency),
      field<Row>('VKORG', 'C4', 'Sales Organization', (row) => row.SalesOrganization),
      field<Row>('VTWEG', 'C2', 'Distribution Channel', (row) => row.DistributionChannel),
      field<Row>('SPART', 'C2', 'Division', (row) => row.OrganizationDivision),
      field<Row>('VDATU', 'D8', 'Requested Delivery Date', (row) => row.RequestedDeliveryDate),
      field<Row>('BSTNK', 'C35', 'Customer Reference', (row) => row.PurchaseOrderByCustomer),
      field<Row>('BSTDK', 'D8', 'Customer Reference Date', (row) => row.CustomerPurchaseOrderDate),
      field<Row>('KUNNR', 'C10', 'Sold-to Party', (row) => row.SoldToParty),
      field<Row>('AEDAT', 'D8', 'Changed On', (row) => row.LastChangeDate),
      field<Row>('GBSTK', 'C1', 'Overall Status', (row) => row.OverallSDProcessStatus),
      field<Row>('LFSTK', 'C1', 'Delivery Status', (row) => row.OverallDeliveryStatus),
    ]),
    table('VBAP', (store) => [...store.salesOrderItems.values()].flat(), [
      mandt,
      field<Row>('VBELN', 'C10', 'Sales Document', (row) => row.SalesOrder),
      field<Row>('POSNR', 'N6', 'Item', (row) => row.SalesOrderItem),
      field<Row>('MATNR', 'C40', 'Material', (row) => row.Material),
      field<Row>('ARKTX', 'C40', 'Item Description', (row) => row.SalesOrderItemText),
      field<Row>('KWMENG', 'P15.3', 'Order Quantity', (row) => Number(row.RequestedQuantity).toFixed(3)),
      field<Row>('VRKME', 'C3', 'Sales Unit', (row) => row.RequestedQuantityUnit),
      field<Row>('NETWR', 'P15.2', 'Net Value', (row) => row.NetAmount),
      field<Row>('WAERK', 'C5', 'Document Currency', (row) => row.TransactionCurrency),
      field<Row>('WERKS', 'C4', 'Plant', (row) => row.ProductionPlant),
      field<Row>('GBSTA', 'C1', 'Overall Status', (row) => row.SDProcessStatus),
      field<Row>('LFSTA', 'C1', 'Delivery Status', (row) => row.DeliveryStatus),
    ]),
    table('EDIDC', (store) => [...store.idocs.values()], [
      mandt,
      field<IdocRecord>('DOCNUM', 'N16', 'IDoc Number', (idoc) => idoc.docnum),
      field<IdocRecord>('DOCREL', 'C4', 'SAP Release', () => '758'),
      field<IdocRecord>('STATUS', 'C2', 'IDoc Status', (idoc) => idoc.status),
      field<IdocRecord>('DIRECT', 'C1', 'Direction', () => '2'),
      field<IdocRecord>('IDOCTP', 'C30', 'Basic Type', (idoc) => idoc.idocType),
      field<IdocRecord>('CIMTYP', 'C30', 'Extension', () => ''),
      field<IdocRecord>('MESTYP', 'C30', 'Message Type', (idoc) => idoc.messageType),
      field<IdocRecord>('SNDPOR', 'C10', 'Sender Port', (idoc) => idoc.senderPort),
      field<IdocRecord>('SNDPRT', 'C2', 'Partner Type', (idoc) => idoc.senderPartnerType),
      field<IdocRecord>('SNDPRN', 'C10', 'Partner Number', (idoc) => idoc.senderPartner),
      field<IdocRecord>('RCVPOR', 'C10', 'Receiver Port', (idoc) => idoc.receiverPort),
      field<IdocRecord>('RCVPRT', 'C2', 'Partner Type', (idoc) => idoc.receiverPartnerType),
      field<IdocRecord>('RCVPRN', 'C10', 'Partner Number', (idoc) => idoc.receiverPartner),
      field<IdocRecord>('CREDAT', 'D8', 'Created On', (idoc) => idoc.createdAt),
      field<IdocRecord>('CRETIM', 'T6', 'Created At', (idoc) => idoc.createdAt),
      field<IdocRecord>('UPDDAT', 'D8', 'Changed On', (idoc) => idoc.updatedAt),
      field<IdocRecord>('UPDTIM', 'T6', 'Changed At', (idoc) => idoc.updatedAt),
    ]),
    table('EDIDS', (store) => [...store.idocs.values()].flatMap((idoc) => idoc.statuses.map((status, index) => ({ idoc, status, index }))), [
      mandt,
      field<StatusView>('DOCNUM', 'N16', 'IDoc Number', (view) => view.idoc.docnum),
      field<StatusView>('LOGDAT', 'D8', 'Date', (view) => view.status.at),
      field<StatusView>('LOGTIM', 'T6', 'Time', (view) => view.status.at),
      field<StatusView>('COUNTR', 'N6', 'Counter', (view) => String(view.index + 1)),
      field<StatusView>('CREDAT', 'D8', 'Created On', (view) => view.status.at),
      field<StatusView>('CRETIM', 'T6', 'Created At', (view) => view.status.at),
      field<StatusView>('STATUS', 'C2', 'IDoc Status', (view) => view.status.status),
      field<StatusView>('STATXT', 'C70', 'Status Text', (view) => view.status.text.slice(0, 70)),
      field<StatusView>('STAPA1', 'C50', 'Parameter 1', (view) => view.status.parameter),
      field<StatusView>('STAPA2', 'C50', 'Parameter 2', () => ''),
      field<StatusView>('STAPA3', 'C50', 'Parameter 3', () => ''),
      field<StatusView>('STAPA4', 'C50', 'Parameter 4', () => ''),
      field<StatusView>('STATYP', 'C1', 'Message Type', (view) => (view.status.status === '51' ? 'E' : 'S')),
      field<StatusView>('STAMID', 'C20', 'Message Class', () => ''),
      field<StatusView>('STAMNO', 'N3', 'Message Number', () => '000'),
    ]),
  ].map((entry) => [entry.name, entry]),
);

interface StatusView {
  idoc: IdocRecord;
  status: IdocStatusRecord;
  index: number;
}

/** A value laid out in `length` characters as RFC_READ_TABLE's MOVE into the row does. */
function layout(entry: TableField, value: string): string {
  if (entry.type !== 'P') return value.length >= entry.length ? value.slice(0, entry.length) : value.padEnd(entry.length);
  const number = Number(value || 0);
  const text = `${Math.abs(number).toFixed(entry.decimals)}${number < 0 ? '-' : ' '}`;
  return text.length > entry.length ? `*${text.slice(text.length - entry.length + 1)}` : text.padStart(entry.length);
}

type Condition = (values: (name: string) => string) => boolean;

function optionError(message: string): RfcException {
  return new RfcException('OPTION_NOT_VALID', message, ['SAIS', '121']);
}

/** Parses an Open SQL WHERE clause into a condition over a row's field values. */
function parseWhere(text: string, tableDef: TableDef): Condition {
  const tokens: string[] = [];
  const pattern = /\s*('(?:[^']|'')*'|<>|<=|>=|[=<>(),]|[^\s=<>(),']+)/y;
  while (pattern.lastIndex < text.length && text.slice(pattern.lastIndex).trim() !== '') {
    const at = pattern.lastIndex;
    const match = pattern.exec(text);
    if (!match) throw optionError(`Invalid token at position ${at + 1} of "${text}" (an unterminated literal?)`);
    tokens.push(match[1]!);
  }
  let position = 0;
  const peek = () => tokens[position]?.toUpperCase();
  const next = () => {
    const token = tokens[position++];
    if (token === undefined) throw optionError(`Unexpected end of the WHERE clause "${text}"`);
    return token;
  };
  const literal = (): string => {
    const token = next();
    if (token.startsWith("'")) {
      if (!token.endsWith("'") || token.length < 2) throw optionError(`Unterminated literal ${token}`);
      return token.slice(1, -1).replaceAll("''", "'");
    }
    if (/^-?\d+(\.\d+)?$/.test(token)) return token;
    throw optionError(`Invalid literal ${token}`);
  };
  const compareWith = (entry: TableField) => (a: string, b: string): number => {
    if (entry.type === 'P') return Number(a) - Number(b);
    const x = entry.type === 'N' ? a.padStart(entry.length, '0') : a.trimEnd();
    const y = entry.type === 'N' ? b.padStart(entry.length, '0') : b.trimEnd();
    return x === y ? 0 : x < y ? -1 : 1;
  };
  const OPERATORS: Record<string, (order: number) => boolean> = {
    '=': (order) => order === 0, EQ: (order) => order === 0, '<>': (order) => order !== 0, NE: (order) => order !== 0,
    '<': (order) => order < 0, LT: (order) => order < 0, '>': (order) => order > 0, GT: (order) => order > 0,
    '<=': (order) => order <= 0, LE: (order) => order <= 0, '>=': (order) => order >= 0, GE: (order) => order >= 0,
  };
  const comparison = (): Condition => {
    if (peek() === '(') {
      next();
      const inner = or();
      if (next() !== ')') throw optionError(`Expected ) in "${text}"`);
      return inner;
    }
    const name = next().toUpperCase().replace(/^[A-Z0-9_/]+~/, '');
    const entry = tableDef.fieldByName.get(name);
    if (!entry) throw optionError(`Field ${name} is unknown in table ${tableDef.name}`);
    const compare = compareWith(entry);
    let negate = false;
    if (peek() === 'NOT') {
      next();
      negate = true;
    }
    const operator = next().toUpperCase();
    let test: Condition;
    if (operator === 'LIKE') {
      const pattern = new RegExp(`^${literal().replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replaceAll('%', '.*').replaceAll('_', '.')}$`, 's');
      test = (values) => pattern.test(values(name).trimEnd());
    } else if (operator === 'IN') {
      if (next() !== '(') throw optionError(`Expected ( after IN in "${text}"`);
      const list = [literal()];
      while (peek() === ',') {
        next();
        list.push(literal());
      }
      if (next() !== ')') throw optionError(`Expected ) to close IN in "${text}"`);
      test = (values) => list.some((item) => compare(values(name), item) === 0);
    } else if (operator === 'BETWEEN') {
      const low = literal();
      if (next().toUpperCase() !== 'AND') throw optionError(`Expected AND in BETWEEN in "${text}"`);
      const high = literal();
      test = (values) => compare(values(name), low) >= 0 && compare(values(name), high) <= 0;
    } else if (OPERATORS[operator] && !negate) {
      const value = literal();
      const accept = OPERATORS[operator]!;
      test = (values) => accept(compare(values(name), value));
    } else {
      throw optionError(`Invalid operator ${operator} in "${text}"`);
    }
    return negate ? (values) => !test(values) : test;
  };
  const not = (): Condition => {
    if (peek() === 'NOT') {
      next();
      const inner = not();
      return (values) => !inner(values);
    }
    return comparison();
  };
  const and = (): Condition => {
    let left = not();
    while (peek() === 'AND') {
      next();
      const [a, b] = [left, not()];
      left = (values) => a(values) && b(values);
    }
    return left;
  };
  const or = (): Condition => {
    let left = and();
    while (peek() === 'OR') {
      next();
      const [a, b] = [left, and()];
      left = (values) => a(values) || b(values);
    }
    return left;
  };
  const condition = or();
  if (position < tokens.length) throw optionError(`Unexpected ${tokens[position]} in "${text}"`);
  return condition;
}

export const rfcReadTable: RfcFunction = (input, context) => {
  const tableName = textParameter(input, 'QUERY_TABLE').toUpperCase();
  const tableDef = TABLES.get(tableName);
  if (!tableDef) throw new RfcException('TABLE_NOT_AVAILABLE', `Table ${tableName || "' '"} is not available`, ['SAIS', '131']);
  const delimiter = textParameter(input, 'DELIMITER').slice(0, 1);
  const noData = textParameter(input, 'NO_DATA').trim() !== '';
  const rowSkips = Math.max(0, Number(textParameter(input, 'ROWSKIPS') || 0) || 0);
  const rowCount = Math.max(0, Number(textParameter(input, 'ROWCOUNT') || 0) || 0);
  const requested = tableParameter(input, 'FIELDS').map((row) => String(row.FIELDNAME ?? '').trim().toUpperCase()).filter(Boolean);
  const options = tableParameter(input, 'OPTIONS');
  const chosen = (requested.length > 0 ? requested : tableDef.fields.map((entry) => entry.name)).map((name) => {
    const entry = tableDef.fieldByName.get(name);
    if (!entry) throw new RfcException('FIELD_NOT_VALID', `Field ${name} is not valid in table ${tableName}`, ['SAIS', '133']);
    return entry;
  });
  let cursor = 0;
  const fields: RfcStructure[] = chosen.map((entry, index) => {
    if (index > 0) cursor += delimiter.length;
    const offset = cursor;
    cursor += entry.length;
    return { FIELDNAME: entry.name, OFFSET: String(offset).padStart(6, '0'), LENGTH: String(entry.length).padStart(6, '0'), TYPE: entry.type, FIELDTEXT: entry.text };
  });
  if (cursor > LINE_LENGTH && !noData) throw new RfcException('DATA_BUFFER_EXCEEDED', `The chosen fields of ${tableName} are ${cursor} characters wide, more than ${LINE_LENGTH}`, ['SAIS', '134']);
  const whereText = options.map((row) => String(row.TEXT ?? '')).join(' ').trim();
  const data: RfcStructure[] = [];
  if (!noData) {
    const condition = whereText ? parseWhere(whereText, tableDef) : undefined;
    const client = context.system.client;
    let matched = 0;
    for (const source of tableDef.rows(context.system.store)) {
      const values = (name: string) => tableDef.fieldByName.get(name)!.read(source as never, client);
      if (condition && !condition(values)) continue;
      matched++;
      if (matched <= rowSkips) continue;
      data.push({ WA: chosen.map((entry) => layout(entry, entry.read(source as never, client))).join(delimiter).trimEnd() });
      if (rowCount > 0 && data.length >= rowCount) break;
    }
  }
  return { DATA: data, FIELDS: fields, OPTIONS: options.map((row) => ({ TEXT: String(row.TEXT ?? '') })) };
};
