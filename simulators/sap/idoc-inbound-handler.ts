import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Headers } from './http-helpers.js';
import { alpha, SapDomainError, type IdocRecord, type Row } from './sap-data-store.js';
import type { SapSystem } from './sap-system.js';
import { parseDateTimeLiteral } from './odata-filter-parser.js';

/**
 * IDoc-XML inbound at `{systemUrl}/sap/bc/idoc_xml` (POST, Content-Type application/xml or text/xml).
 *
 * The body is an IDoc-XML document: a root element named after the basic type holding one or more
 * `<IDOC BEGIN="1">`, each with its control record `<EDI_DC40 SEGMENT="1">` and data segments.
 * Every IDOC gets a 16-digit DOCNUM and statuses 50 (added) and 64 (ready to be transferred) at once;
 * the answer is 200 with
 *
 *   <?xml version="1.0" encoding="utf-8"?><IDOC_RESPONSE><DOCNUM>0000000001000001</DOCNUM><STATUS>64</STATUS></IDOC_RESPONSE>
 *
 * (DOCNUM and STATUS repeat, in document order, when the document holds several IDocs).
 * idocProcessingDelayMs later each is passed to the application (62) and posted: 53 with the
 * document number in the status text and STAPA1, or 51 with the reason. Statuses are readable
 * through RFC_READ_TABLE on EDIDC (STATUS) and EDIDS (STATUS, STATXT, STAPA1).
 *
 * Posting, by message type (EDI_DC40 MESTYP, else the basic type without its version):
 * - ORDERS (ORDERS05): a standard order for the sold-to party E1EDKA1 PARVW=AG/PARTN, customer
 *   reference E1EDK02 QUALF=001/BELNR (else E1EDK01 BELNR), currency E1EDK01 CURCY, requested
 *   delivery date E1EDK03 IDDAT=002/DATUM, one item per E1EDP01 (MENGE, MENEE) with the material of
 *   E1EDP19 QUALF=002/IDTNR (QUALF=001 is kept as the customer's material). The order is refused
 *   (51) like SAP does for an unknown, blocked or deleted sold-to party, an unknown or deleted
 *   material, or a missing quantity.
 * - DEBMAS (E1KNA1M: KUNNR, NAME1, NAME2, LAND1, ORT01, PSTLZ, STRAS, REGIO, SPRAS_ISO, TELF1):
 *   changes the customer, or creates it (an organisation) when KUNNR is new.
 * - MATMAS (E1MARAM: MATNR, MTART, MATKL, MEINS, BRGEW, NTGEW, GEWEI, LVORM; E1MAKTM: SPRAS_ISO, MAKTX):
 *   creates or changes the material.
 * - any other message type: 51 (no inbound processing).
 *
 * Malformed XML, or XML that is not an IDoc document, is a 400 with a plain-text reason.
 */
export interface IdocResult {
  status: number;
  headers: Headers;
  body: string;
}

type Segment = Record<string, unknown>;

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true, removeNSPrefix: true });

const LANGUAGES: Record<string, string> = { E: 'EN', D: 'DE', F: 'FR', N: 'NL', S: 'ES', I: 'IT' };

function list(value: unknown): Segment[] {
  if (value === undefined || value === null || value === '') return [];
  return (Array.isArray(value) ? value : [value]).filter((entry): entry is Segment => typeof entry === 'object' && entry !== null);
}

function text(segment: Segment | undefined, field: string): string {
  const value = segment?.[field];
  return typeof value === 'string' ? value.trim() : '';
}

function plain(status: number, message: string): IdocResult {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: message };
}

export function handleIdocInbound(system: SapSystem, method: string, contentType: string | undefined, body: Buffer): IdocResult {
  if (method !== 'POST') return { ...plain(405, 'IDoc-XML inbound needs POST'), headers: { 'content-type': 'text/plain; charset=utf-8', allow: 'POST' } };
  if (!/^(application|text)\/xml\b/i.test(contentType ?? '')) return plain(415, `IDoc-XML inbound needs Content-Type application/xml or text/xml, not ${contentType ?? 'none'}`);
  const xml = body.toString('utf8');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) return plain(400, `Malformed IDoc XML: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`);
  const parsed = parser.parse(xml) as Record<string, unknown>;
  const roots = Object.keys(parsed).filter((name) => !name.startsWith('?'));
  const rootName = roots[0];
  const idocs = roots.length === 1 ? list((parsed[rootName!] as Segment | undefined)?.IDOC) : [];
  if (idocs.length === 0 || idocs.some((idoc) => list(idoc.EDI_DC40).length !== 1)) {
    return plain(400, 'Not an IDoc-XML document: expected <BASICTYPE><IDOC BEGIN="1"><EDI_DC40 SEGMENT="1">…</EDI_DC40>…</IDOC></BASICTYPE>');
  }
  const { store } = system;
  const records = idocs.map((idoc) => {
    const control = list(idoc.EDI_DC40)[0]!;
    const idocType = text(control, 'IDOCTYP') || rootName!;
    const now = Date.now();
    const record: IdocRecord = {
      docnum: store.newDocnum(),
      idocType,
      messageType: text(control, 'MESTYP') || idocType.replace(/\d+$/, ''),
      senderPort: text(control, 'SNDPOR'),
      senderPartnerType: text(control, 'SNDPRT'),
      senderPartner: text(control, 'SNDPRN'),
      receiverPort: text(control, 'RCVPOR') || `SAP${system.id}`,
      receiverPartnerType: text(control, 'RCVPRT') || 'LS',
      receiverPartner: text(control, 'RCVPRN') || `${system.id}CLNT${system.client}`,
      createdAt: now,
      updatedAt: now,
      status: '64',
      statusText: 'IDoc ready to be transferred to application',
      statuses: [
        { status: '50', text: 'IDoc added', at: now, parameter: '' },
        { status: '64', text: 'IDoc ready to be transferred to application', at: now, parameter: '' },
      ],
      xml,
    };
    store.idocs.set(record.docnum, record);
    system.schedule(system.idocProcessingDelayMs, () => processIdoc(system, record, idoc));
    return record;
  });
  const response = records.map((record) => `<DOCNUM>${record.docnum}</DOCNUM><STATUS>${record.status}</STATUS>`).join('');
  return { status: 200, headers: { 'content-type': 'application/xml; charset=utf-8' }, body: `<?xml version="1.0" encoding="utf-8"?><IDOC_RESPONSE>${response}</IDOC_RESPONSE>` };
}

function setStatus(record: IdocRecord, status: string, message: string, parameter = ''): void {
  const at = Date.now();
  record.statuses.push({ status, text: message, at, parameter });
  record.status = status;
  record.statusText = message;
  record.updatedAt = at;
}

function processIdoc(system: SapSystem, record: IdocRecord, idoc: Segment): void {
  setStatus(record, '62', 'IDoc passed to application');
  try {
    const [message, parameter] = post(system, record.messageType, idoc);
    setStatus(record, '53', message, parameter);
  } catch (error) {
    setStatus(record, '51', error instanceof SapDomainError ? error.message : `Application document not posted: ${(error as Error)?.message ?? String(error)}`);
  }
  system.logger?.info({ system: system.id, docnum: record.docnum, status: record.status, statusText: record.statusText }, 'SAP simulator IDoc processed');
}

/** Posts an IDoc's application document: [status text, STAPA1]; throws SapDomainError for status 51. */
function post(system: SapSystem, messageType: string, idoc: Segment): [string, string] {
  const { store } = system;
  switch (messageType) {
    case 'ORDERS': {
      const header = list(idoc.E1EDK01)[0];
      const soldTo = list(idoc.E1EDKA1).find((partner) => text(partner, 'PARVW') === 'AG');
      if (!soldTo || !text(soldTo, 'PARTN')) throw new SapDomainError('Sold-to party (E1EDKA1 with PARVW AG) is missing', ['VG', '203']);
      const reference = text(list(idoc.E1EDK02).find((entry) => text(entry, 'QUALF') === '001'), 'BELNR') || text(header, 'BELNR');
      const deliveryDate = text(list(idoc.E1EDK03).find((entry) => text(entry, 'IDDAT') === '002'), 'DATUM');
      const items = list(idoc.E1EDP01).map((item, index): Row => {
        const references = list(item.E1EDP19);
        const material = text(references.find((entry) => text(entry, 'QUALF') === '002'), 'IDTNR');
        const position = text(item, 'POSEX') || String((index + 1) * 10);
        if (!material) throw new SapDomainError(`Item ${position}: no material number (E1EDP19 QUALF 002)`, ['VG', '204']);
        const row: Row = { Material: material, RequestedQuantity: text(item, 'MENGE'), MaterialByCustomer: text(references.find((entry) => text(entry, 'QUALF') === '001'), 'IDTNR') };
        if (text(item, 'MENEE')) row.RequestedQuantityUnit = text(item, 'MENEE');
        return row;
      });
      const orderHeader: Row = { SoldToParty: text(soldTo, 'PARTN'), PurchaseOrderByCustomer: reference.slice(0, 35), SalesOrderType: 'OR' };
      if (text(header, 'CURCY')) orderHeader.TransactionCurrency = text(header, 'CURCY');
      if (/^\d{8}$/.test(deliveryDate)) orderHeader.RequestedDeliveryDate = parseDateTimeLiteral(`${deliveryDate.slice(0, 4)}-${deliveryDate.slice(4, 6)}-${deliveryDate.slice(6)}T00:00`) ?? null;
      const { order } = store.createSalesOrder({ header: orderHeader, items });
      return [`Standard Order ${order.SalesOrder} has been saved`, String(order.SalesOrder)];
    }
    case 'DEBMAS': {
      const segment = list(idoc.E1KNA1M)[0];
      const id = alpha(text(segment, 'KUNNR'));
      if (!segment || !id) throw new SapDomainError('Customer number (E1KNA1M KUNNR) is missing', ['F2', '160']);
      const language = text(segment, 'SPRAS_ISO') || LANGUAGES[text(segment, 'SPRAS')] || undefined;
      const optional = (field: string) => text(segment, field) || undefined;
      if (store.customers.has(id)) {
        store.changeCustomerMaster(id, {
          name: optional('NAME1'), name2: optional('NAME2'), country: optional('LAND1'), city: optional('ORT01'), postalCode: optional('PSTLZ'),
          street: optional('STRAS'), region: optional('REGIO'), language, phone: optional('TELF1'),
        });
        return [`Customer ${id} has been changed`, id];
      }
      if (!text(segment, 'NAME1')) throw new SapDomainError(`Customer ${id}: a name (E1KNA1M NAME1) is required to create it`, ['F2', '161']);
      store.createBusinessPartner(
        { BusinessPartner: id, BusinessPartnerCategory: '2', OrganizationBPName1: text(segment, 'NAME1'), OrganizationBPName2: text(segment, 'NAME2'), Language: language ?? 'EN', SearchTerm1: text(segment, 'NAME1').toUpperCase().slice(0, 20), _phone: text(segment, 'TELF1') },
        {
          addresses: [{ Country: text(segment, 'LAND1'), CityName: text(segment, 'ORT01'), PostalCode: text(segment, 'PSTLZ'), StreetName: text(segment, 'STRAS'), Region: text(segment, 'REGIO') }],
          customer: { CustomerAccountGroup: text(segment, 'KTOKD') || 'CUST' },
        },
      );
      return [`Customer ${id} has been created`, id];
    }
    case 'MATMAS': {
      const segment = list(idoc.E1MARAM)[0];
      const id = text(segment, 'MATNR').toUpperCase();
      if (!segment || !id) throw new SapDomainError('Material number (E1MARAM MATNR) is missing', ['M3', '300']);
      const existed = store.products.has(id);
      const fields: Row = {};
      const map: Record<string, string> = { MTART: 'ProductType', MATKL: 'ProductGroup', MEINS: 'BaseUnit', GEWEI: 'WeightUnit', MBRSH: 'IndustrySector', SPART: 'Division' };
      for (const [field, name] of Object.entries(map)) if (text(segment, field)) fields[name] = text(segment, field);
      for (const [field, name] of [['BRGEW', 'GrossWeight'], ['NTGEW', 'NetWeight']] as const) {
        if (text(segment, field)) fields[name] = Number(text(segment, field)).toFixed(3);
      }
      if (text(segment, 'LVORM')) fields.IsMarkedForDeletion = text(segment, 'LVORM') === 'X';
      const descriptions = list(segment.E1MAKTM).concat(list(idoc.E1MAKTM));
      const english = descriptions.find((entry) => (text(entry, 'SPRAS_ISO') || LANGUAGES[text(entry, 'SPRAS')]) === 'EN') ?? descriptions[0];
      const description = english ? { language: text(english, 'SPRAS_ISO') || LANGUAGES[text(english, 'SPRAS')] || 'EN', text: text(english, 'MAKTX') } : undefined;
      if (!existed && !description?.text) throw new SapDomainError(`Material ${id}: a description (E1MAKTM MAKTX) is required to create it`, ['M3', '301']);
      store.upsertProduct(id, fields, description);
      return [`Material ${id} has been ${existed ? 'changed' : 'created'}`, id];
    }
    default:
      throw new SapDomainError(`No inbound processing for message type ${messageType || "' '"} (the simulator posts ORDERS, DEBMAS and MATMAS)`, ['E0', '337']);
  }
}
