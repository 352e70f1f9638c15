import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { normaliseDecimal } from './odata-values.js';
import { idocInvalid } from './sap-errors.js';

/**
 * Inbound IDocs in SAP's IDoc-XML (`<DEBMAS07><IDOC BEGIN="1"><EDI_DC40 SEGMENT="1">…`): the
 * control record, the segment tree in document order, and typed extracts of the message
 * types the hub reads (DEBMAS customers, MATMAS materials, ORDERS sales orders). Every failure
 * is an IDOC_INVALID error whose `reason` says what is wrong.
 */

export interface IdocSegment {
  /** `E1KNA1M`; `/` restored from XML's `_-` for namespaced segments. */
  name: string;
  /** Field values, trimmed; an empty element is `''`. */
  fields: Record<string, string>;
  children: IdocSegment[];
}

export type IdocMessageType = 'DEBMAS' | 'MATMAS' | 'ORDERS';

interface IdocCommon {
  /** The basic type (IDOCTYP): `DEBMAS07`, `ORDERS05`. */
  idocType: string;
  /** DOCNUM, 16 digits. */
  docnum: string;
  /** EDI_DC40's fields by name (MANDT, MESTYP, SNDPRN, CREDAT, …). */
  control: Record<string, string>;
  /** The data segments (EDI_DC40 left out), top level first, children nested. */
  segments: IdocSegment[];
}

export interface DebmasCustomer {
  /** KUNNR as SAP writes it (`0010000001`). */
  customerNumber: string;
  name: string;
  name2: string | null;
  street: string | null;
  postalCode: string | null;
  city: string | null;
  /** LAND1, ISO 3166 alpha-2 in most systems. */
  country: string | null;
  region: string | null;
  phone: string | null;
  /** The first SMTP address anywhere in the IDoc (SMTP_ADDR, E_MAIL); DEBMAS carries one only in extended or newer types. */
  email: string | null;
  language: string | null;
  /** LOEVM = 'X': flagged for deletion. */
  deleted: boolean;
}

export interface MatmasMaterial {
  materialNumber: string;
  /** The English description (E1MAKTM SPRAS_ISO EN or SPRAS E), else the first. */
  description: string | null;
  descriptions: { language: string; text: string }[];
  materialType: string | null;
  baseUnit: string | null;
  materialGroup: string | null;
  deleted: boolean;
}

export interface OrdersItem {
  position: string;
  /** E1EDP19 QUALF 002 (the supplier's material), else 001 (the customer's). */
  material: string | null;
  quantity: string | null;
  unit: string | null;
  netPrice: string | null;
}

export interface OrdersOrder {
  /** The sold-to party (E1EDKA1 PARVW AG). */
  soldTo: string | null;
  /** The customer's order number (E1EDK02 QUALF 001). */
  reference: string | null;
  /** YYYY-MM-DD from E1EDK02 DATUM. */
  orderDate: string | null;
  currency: string | null;
  /** E1EDK01 BELNR. */
  documentNumber: string | null;
  partners: { role: string; number: string }[];
  items: OrdersItem[];
}

export type ParsedIdoc =
  | (IdocCommon & { type: 'DEBMAS'; customer: DebmasCustomer })
  | (IdocCommon & { type: 'MATMAS'; material: MatmasMaterial })
  | (IdocCommon & { type: 'ORDERS'; order: OrdersOrder });

const MESSAGE_TYPES: readonly IdocMessageType[] = ['DEBMAS', 'MATMAS', 'ORDERS'];

const parser = new XMLParser({ preserveOrder: true, removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false, trimValues: true, htmlEntities: true });

type OrderedNode = Record<string, unknown>;

/** The element's name and children of a preserveOrder node, or undefined for text and declarations. */
function elementOf(node: OrderedNode): { name: string; children: OrderedNode[] } | undefined {
  const name = Object.keys(node).find((key) => key !== ':@' && key !== '#text' && !key.startsWith('?'));
  return name === undefined ? undefined : { name, children: node[name] as OrderedNode[] };
}

function textOf(children: OrderedNode[]): string {
  return children.map((child) => (typeof child['#text'] === 'string' || typeof child['#text'] === 'number' ? String(child['#text']) : '')).join('').trim();
}

function toSegment(name: string, children: OrderedNode[]): IdocSegment {
  const segment: IdocSegment = { name: name.replace(/_-/g, '/'), fields: {}, children: [] };
  for (const child of children) {
    const element = elementOf(child);
    if (!element) continue;
    // A field holds text only; a child segment holds elements.
    if (element.children.some((grandchild) => elementOf(grandchild))) segment.children.push(toSegment(element.name, element.children));
    else segment.fields[element.name] = textOf(element.children);
  }
  return segment;
}

/** Every IDoc of an IDoc-XML document (SAP may send several in one). */
export function parseIdocs(xml: string): ParsedIdoc[] {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw idocInvalid(`not well-formed XML (${valid.err.msg} at line ${valid.err.line})`);
  const root = (parser.parse(xml) as OrderedNode[]).map(elementOf).find((element) => element !== undefined);
  if (!root) throw idocInvalid('no root element');
  const idocs = root.children.map(elementOf).filter((element) => element?.name === 'IDOC');
  if (idocs.length === 0) throw idocInvalid(`<${root.name}> holds no <IDOC>`);
  return idocs.map((idoc) => typed(root.name, toSegment('IDOC', idoc!.children)));
}

/** The one IDoc of an IDoc-XML document; a document with several is IDOC_INVALID (use parseIdocs). */
export function parseIdoc(xml: string): ParsedIdoc {
  const idocs = parseIdocs(xml);
  if (idocs.length !== 1) throw idocInvalid(`the document holds ${idocs.length} IDocs; one was expected`);
  return idocs[0]!;
}

function typed(rootName: string, idoc: IdocSegment): ParsedIdoc {
  const controlSegment = idoc.children.find((segment) => segment.name === 'EDI_DC40');
  if (!controlSegment) throw idocInvalid('no control record (EDI_DC40)');
  const control = controlSegment.fields;
  const idocType = control.IDOCTYP || rootName;
  const messageType = control.MESTYP || idocType.replace(/\d+$/, '');
  if (!control.DOCNUM || !/^\d{1,16}$/.test(control.DOCNUM)) throw idocInvalid(`the control record's DOCNUM ${JSON.stringify(control.DOCNUM ?? '')} is not 1 to 16 digits`);
  const common: IdocCommon = { idocType, docnum: control.DOCNUM.padStart(16, '0'), control, segments: idoc.children.filter((segment) => segment !== controlSegment) };
  switch (messageType as IdocMessageType) {
    case 'DEBMAS':
      return { ...common, type: 'DEBMAS', customer: debmasCustomer(common) };
    case 'MATMAS':
      return { ...common, type: 'MATMAS', material: matmasMaterial(common) };
    case 'ORDERS':
      return { ...common, type: 'ORDERS', order: ordersOrder(common) };
    default:
      throw idocInvalid(`message type ${JSON.stringify(messageType)} (IDoc type ${idocType}) is not one the hub reads: ${MESSAGE_TYPES.join(', ')}`);
  }
}

function find(segments: readonly IdocSegment[], name: string): IdocSegment | undefined {
  for (const segment of segments) {
    if (segment.name === name) return segment;
    const inner = find(segment.children, name);
    if (inner) return inner;
  }
  return undefined;
}

function findField(segments: readonly IdocSegment[], names: readonly string[]): string | undefined {
  for (const segment of segments) {
    for (const name of names) if (segment.fields[name]) return segment.fields[name];
    const inner = findField(segment.children, names);
    if (inner) return inner;
  }
  return undefined;
}

const orNull = (value: string | undefined) => (value ? value : null);

/** The customer of a DEBMAS IDoc, from E1KNA1M. */
export function debmasCustomer(idoc: Pick<IdocCommon, 'segments' | 'docnum'>): DebmasCustomer {
  const kna1 = find(idoc.segments, 'E1KNA1M');
  if (!kna1?.fields.KUNNR) throw idocInvalid(`DEBMAS ${idoc.docnum}: no E1KNA1M segment with a KUNNR`);
  const f = kna1.fields;
  return {
    customerNumber: f.KUNNR!,
    name: f.NAME1 ?? '',
    name2: orNull(f.NAME2),
    street: orNull(f.STRAS),
    postalCode: orNull(f.PSTLZ),
    city: orNull(f.ORT01),
    country: orNull(f.LAND1),
    region: orNull(f.REGIO),
    phone: orNull(f.TELF1),
    email: orNull(findField(idoc.segments, ['SMTP_ADDR', 'E_MAIL', 'EMAIL'])),
    language: orNull(f.SPRAS_ISO || f.SPRAS),
    deleted: f.LOEVM === 'X',
  };
}

/** The material of a MATMAS IDoc, from E1MARAM and its E1MAKTM descriptions. */
export function matmasMaterial(idoc: Pick<IdocCommon, 'segments' | 'docnum'>): MatmasMaterial {
  const mara = find(idoc.segments, 'E1MARAM');
  if (!mara?.fields.MATNR) throw idocInvalid(`MATMAS ${idoc.docnum}: no E1MARAM segment with a MATNR`);
  const texts = mara.children.filter((segment) => segment.name === 'E1MAKTM');
  const descriptions = texts.map((segment) => ({ language: segment.fields.SPRAS_ISO || segment.fields.SPRAS || '', text: segment.fields.MAKTX ?? '' }));
  const english = texts.find((segment) => segment.fields.SPRAS_ISO === 'EN' || segment.fields.SPRAS === 'E') ?? texts[0];
  return {
    materialNumber: mara.fields.MATNR,
    description: orNull(english?.fields.MAKTX),
    descriptions,
    materialType: orNull(mara.fields.MTART),
    baseUnit: orNull(mara.fields.MEINS),
    materialGroup: orNull(mara.fields.MATKL),
    deleted: mara.fields.LVORM === 'X',
  };
}

/** YYYYMMDD as YYYY-MM-DD; anything else as null. */
function isoDate(value: string | undefined): string | null {
  return value && /^\d{8}$/.test(value) && value !== '00000000' ? `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}` : null;
}

/** The order of an ORDERS IDoc (ORDERS01 to ORDERS05): header, partners, items. */
export function ordersOrder(idoc: Pick<IdocCommon, 'segments' | 'docnum'>): OrdersOrder {
  const top = idoc.segments;
  const header = top.find((segment) => segment.name === 'E1EDK01');
  const partners = top.filter((segment) => segment.name === 'E1EDKA1').map((segment) => ({ role: segment.fields.PARVW ?? '', number: segment.fields.PARTN ?? '' }));
  const reference = top.find((segment) => segment.name === 'E1EDK02' && segment.fields.QUALF === '001');
  const items = top
    .filter((segment) => segment.name === 'E1EDP01')
    .map((item) => {
      const ids = item.children.filter((segment) => segment.name === 'E1EDP19');
      const material = ids.find((segment) => segment.fields.QUALF === '002') ?? ids.find((segment) => segment.fields.QUALF === '001');
      return {
        position: item.fields.POSEX ?? '',
        material: orNull(material?.fields.IDTNR),
        quantity: item.fields.MENGE ? normaliseDecimal(item.fields.MENGE) : null,
        unit: orNull(item.fields.MENEE),
        netPrice: item.fields.VPREI ? normaliseDecimal(item.fields.VPREI) : null,
      };
    });
  if (!header && partners.length === 0 && items.length === 0) throw idocInvalid(`ORDERS ${idoc.docnum}: no E1EDK01, E1EDKA1 or E1EDP01 segment`);
  return {
    soldTo: orNull(partners.find((partner) => partner.role === 'AG')?.number),
    reference: orNull(reference?.fields.BELNR),
    orderDate: isoDate(reference?.fields.DATUM),
    currency: orNull(header?.fields.CURCY),
    documentNumber: orNull(header?.fields.BELNR),
    partners,
    items,
  };
}
