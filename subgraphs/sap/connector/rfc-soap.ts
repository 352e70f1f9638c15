import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { BapiMessage, SapErrorBody } from './sap-errors.js';

/**
 * SOAP 1.1 for SAP's SOAP-RFC service (/sap/bc/soap/rfc): a function module's call as an
 * envelope (`<urn:NAME xmlns:urn="urn:sap-com:document:sap:rfc:functions">`, structures as
 * nested elements, tables as `<T><item>…</item></T>`), its answer (`<NAME.Response>`) or SOAP
 * fault back as JSON with every value a string, the BAPI RETURN's messages, and
 * RFC_READ_TABLE's OPTIONS and DATA. SAP writes `/` in names (`/BIC/…`) as `_-` in XML.
 */

/**
 * A value for a call: scalars, structures as objects, tables as arrays of rows. `true` is ABAP's
 * `X`, `false` blank; null and undefined leave the parameter out. Typed `unknown` at the edge
 * because the admin mutation passes JSON through.
 */
export type RfcValue = string | number | boolean | null | undefined | RfcStructure | readonly RfcValue[];
export interface RfcStructure {
  readonly [field: string]: unknown;
}

/** A value as SAP answered it: strings, structures as objects, tables as arrays (one row is still an array). */
export type RfcData = string | RfcData[] | { [field: string]: RfcData };
export type RfcRow = { [field: string]: RfcData };

export interface RfcCallInput {
  importing?: RfcStructure;
  /** Table parameters; give an empty array to receive a table that is only returned. */
  tables?: Readonly<Record<string, readonly RfcStructure[]>>;
}

export interface RfcParsed {
  exporting: Record<string, RfcData>;
  tables: Record<string, RfcRow[]>;
}

export const RFC_NAMESPACE = 'urn:sap-com:document:sap:rfc:functions';
const SOAP_NAMESPACE = 'http://schemas.xmlsoap.org/soap/envelope/';

/** A parameter or function name as an XML name: `/BIC/X` becomes `_-BIC_-X`. */
export function xmlName(name: string): string {
  return name.replace(/\//g, '_-');
}

const sapName = (name: string) => name.replace(/_-/g, '/');

/** Element text escaped: only `&`, `<` and `>` need it (quotes stay readable for SAP's logs). */
function escapeXml(text: string): string {
  return text.replace(/[&<>]/g, (char) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt' }[char]};`);
}

function element(name: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  const tag = xmlName(name);
  if (Array.isArray(value)) return `<${tag}>${value.map((row: unknown) => element('item', row)).join('')}</${tag}>`;
  if (typeof value === 'object') {
    return `<${tag}>${Object.entries(value as RfcStructure).map(([field, inner]) => element(field, inner)).join('')}</${tag}>`;
  }
  const text = typeof value === 'boolean' ? (value ? 'X' : '') : String(value);
  return `<${tag}>${escapeXml(text)}</${tag}>`;
}

/** The SOAP envelope calling `name` with `input`. */
export function rfcEnvelope(name: string, input: RfcCallInput = {}): string {
  const parameters = [
    ...Object.entries(input.importing ?? {}).map(([param, value]) => element(param, value)),
    ...Object.entries(input.tables ?? {}).map(([table, rows]) => element(table, rows)),
  ].join('');
  return (
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<soap-env:Envelope xmlns:soap-env="${SOAP_NAMESPACE}"><soap-env:Header/><soap-env:Body>` +
    `<urn:${xmlName(name)} xmlns:urn="${RFC_NAMESPACE}">${parameters}</urn:${xmlName(name)}>` +
    `</soap-env:Body></soap-env:Envelope>`
  );
}

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: true,
  parseTagValue: false,
  // RFC_READ_TABLE's WA rows are fixed-width: leading blanks are data.
  trimValues: false,
  htmlEntities: true,
  isArray: (name) => name === 'item',
});

type XmlNode = Record<string, unknown>;

/** Text and elements as RfcData: whitespace between elements dropped, `item` lists as arrays. */
function data(node: unknown): RfcData {
  if (typeof node === 'string') return node;
  if (node === null || typeof node !== 'object') return String(node ?? '');
  const entries = Object.entries(node as XmlNode).filter(([key]) => key !== '#text');
  if (entries.length === 0) return (node as XmlNode)['#text'] === undefined ? '' : String((node as XmlNode)['#text']);
  if (entries.length === 1 && entries[0]![0] === 'item') return (entries[0]![1] as unknown[]).map(data);
  return Object.fromEntries(entries.map(([key, value]) => [sapName(key), data(value)]));
}

export type RfcAnswer = { kind: 'response'; result: RfcParsed } | { kind: 'fault'; fault: SapErrorBody };

/**
 * Reads SAP's answer to a call of `name`. `tableNames` are the tables the call passed: an empty
 * one comes back as `<T/>` and is still an empty array. Throws an Error saying what is wrong
 * when the text is not a SOAP envelope with a response or a fault.
 */
export function parseRfcAnswer(name: string, xml: string, tableNames: ReadonlySet<string>): RfcAnswer {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`not well-formed XML (${valid.err.msg} at line ${valid.err.line})`);
  const body = ((parser.parse(xml) as XmlNode).Envelope as XmlNode | undefined)?.Body as XmlNode | undefined;
  if (!body || typeof body !== 'object') throw new Error('no SOAP Envelope/Body');
  if (body.Fault && typeof body.Fault === 'object') return { kind: 'fault', fault: faultBody(name, body.Fault as XmlNode) };
  const key = Object.keys(body).find((candidate) => candidate.endsWith('.Response'));
  if (!key) throw new Error(`no ${name}.Response in the SOAP body`);
  const result: RfcParsed = { exporting: {}, tables: {} };
  const response = body[key];
  if (response !== null && typeof response === 'object') {
    for (const [param, raw] of Object.entries(response as XmlNode)) {
      if (param === '#text') continue;
      const paramName = sapName(param);
      const value = data(raw);
      if (Array.isArray(value)) result.tables[paramName] = value as RfcRow[];
      else if (tableNames.has(paramName) && typeof value === 'string') result.tables[paramName] = [];
      else result.exporting[paramName] = value;
    }
  }
  return { kind: 'response', result };
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim();
  if (value && typeof value === 'object' && typeof (value as XmlNode)['#text'] === 'string') return ((value as XmlNode)['#text'] as string).trim();
  return undefined;
}

/**
 * A SOAP fault: `faultstring`, and from `detail` SAP's exception (`<NAME.Exception><Name/>
 * <Text/><Message><ID/><Number/></Message>`) when there is one.
 */
function faultBody(name: string, fault: XmlNode): SapErrorBody {
  const faultstring = text(fault.faultstring) ?? 'SOAP fault';
  const detail = fault.detail && typeof fault.detail === 'object' ? (fault.detail as XmlNode) : undefined;
  const exceptionKey = detail && Object.keys(detail).find((key) => key.endsWith('.Exception'));
  const exception = exceptionKey ? (detail[exceptionKey] as XmlNode) : undefined;
  const exceptionName = text(exception?.Name);
  const exceptionText = text(exception?.Text);
  const message = exception?.Message as XmlNode | undefined;
  const messageCode = text(message?.ID) && text(message?.Number) ? `${text(message?.ID)}/${text(message?.Number)}` : undefined;
  return {
    // Without a detail, SAP's faultstring is the exception's name (FU_NOT_FOUND, SESSION_NOT_FOUND).
    code: exceptionName || messageCode || (/^[A-Z][A-Z0-9_]*$/.test(faultstring) ? faultstring : text(fault.faultcode)) || null,
    message: exceptionText || faultstring,
    function: name,
    detail: detail ? JSON.stringify(data(detail)) : undefined,
  };
}

/**
 * The messages of a BAPI's RETURN, a structure (in exporting) or a table, of any of SAP's
 * return types (BAPIRET2, BAPIRET1, BAPIRETURN with CODE instead of ID and NUMBER). Rows with
 * neither type nor message (an initial structure: all went well) are left out.
 */
export function bapiMessages(result: RfcParsed): BapiMessage[] {
  const raw = result.tables.RETURN ?? (result.exporting.RETURN !== undefined ? [result.exporting.RETURN] : []);
  const messages: BapiMessage[] = [];
  for (const row of raw) {
    if (typeof row !== 'object' || Array.isArray(row)) continue;
    const field = (name: string) => (typeof row[name] === 'string' ? (row[name] as string).trim() : '');
    const type = field('TYPE');
    const message = field('MESSAGE');
    if (!type && !message) continue;
    const code = field('CODE');
    messages.push({ type, id: field('ID') || code.slice(0, -3), number: field('NUMBER') || code.slice(-3), message, field: field('FIELD') || null });
  }
  return messages;
}

/** RFC_READ_TABLE's OPTIONS rows are 72 characters. */
const OPTION_WIDTH = 72;

/**
 * A WHERE clause as RFC_READ_TABLE's OPTIONS rows: `conditions` and'ed (each in `( … )` when
 * there are several; ABAP wants blanks around parentheses), split between tokens into rows of
 * at most 72 characters, never inside a quoted literal. A token longer than a row is a
 * RangeError.
 */
export function optionRows(conditions: readonly string[]): { TEXT: string }[] {
  const clause = conditions.length > 1 ? conditions.map((condition) => `( ${condition} )`).join(' AND ') : (conditions[0] ?? '');
  const tokens = clause.match(/(?:'(?:[^']|'')*'|[^\s'])+/g) ?? [];
  const rows: string[] = [];
  let current = '';
  for (const token of tokens) {
    if (token.length > OPTION_WIDTH) throw new RangeError(`RFC_READ_TABLE cannot take a WHERE token longer than ${OPTION_WIDTH} characters: ${token.slice(0, 20)}…`);
    if (current === '') current = token;
    else if (current.length + 1 + token.length <= OPTION_WIDTH) current += ` ${token}`;
    else {
      rows.push(current);
      current = token;
    }
  }
  if (current !== '') rows.push(current);
  return rows.map((row) => ({ TEXT: row }));
}

/**
 * RFC_READ_TABLE's DATA as objects keyed by FIELDNAME, each value trimmed. A row is cut at its
 * fields' OFFSET and LENGTH; with a delimiter, a row that splits into exactly one part per
 * field is split instead (the offsets then count the delimiters too, so both agree, but a
 * split also survives a system that trims blanks inside the row).
 */
export function readTableRows(result: RfcParsed, delimiter: string | undefined): Record<string, string>[] {
  const fields = (result.tables.FIELDS ?? []).map((field) => {
    const row = field as RfcRow;
    return { name: String(row.FIELDNAME ?? '').trim(), offset: Number(row.OFFSET ?? 0), length: Number(row.LENGTH ?? 0) };
  });
  return (result.tables.DATA ?? []).map((item) => {
    const wa = typeof item === 'string' ? item : String((item as RfcRow).WA ?? '');
    const parts = delimiter ? wa.split(delimiter) : [];
    const row: Record<string, string> = {};
    fields.forEach((field, index) => {
      row[field.name] = (parts.length === fields.length ? parts[index]! : wa.slice(field.offset, field.offset + field.length)).trim();
    });
    return row;
  });
}
