import { XMLParser } from 'fast-xml-parser';
import { ErrorCode } from '../../../infra/errors.js';
import type { Logger } from '../../../infra/logger.js';
import type { RfcClient } from './rfc-client.js';
import { hasCode, sapError } from './sap-errors.js';
import type { SapTransport } from './sap-transport.js';

export interface IdocSent {
  /** The IDoc number SAP gave, 16 digits; the control record's when SAP's answer names none. */
  docnum: string;
  /** The status SAP answered with, when it did (`64`, `53`, `51`); null otherwise. */
  status: string | null;
}

export interface IdocStatus {
  docnum: string;
  /** EDIDC-STATUS: `64` ready for the application, `53` posted, `51` not posted, … */
  status: string;
  /** The latest EDIDS status text with its parameters filled in, else SAP's standard text for the status. */
  statusText: string;
}

/** SAP's descriptions of the common IDoc statuses (table TEDS2), for systems whose EDIDS cannot be read. */
export const IDOC_STATUS_TEXTS: Readonly<Record<string, string>> = Object.freeze({
  '01': 'IDoc generated',
  '03': 'Data passed to port OK',
  '30': 'IDoc ready for dispatch (ALE service)',
  '50': 'IDoc added',
  '51': 'Application document not posted',
  '52': 'Application document not fully posted',
  '53': 'Application document posted',
  '56': 'IDoc with errors added',
  '60': 'Error during syntax check of IDoc (inbound)',
  '62': 'IDoc passed to application',
  '63': 'Error passing IDoc to application',
  '64': 'IDoc ready to be transferred to application',
  '65': 'Error in ALE service',
  '66': 'IDoc is waiting for predecessor IDoc (serialization)',
  '68': 'Error - no further processing',
  '69': 'IDoc was edited',
  '70': 'Original of an IDoc which was edited',
  '74': 'IDoc was created by test transaction',
  '75': 'IDoc is in inbound queue',
});

/** IDoc numbers read per RFC_READ_TABLE call. */
const STATUS_BATCH = 100;

const answerXml = new XMLParser({ removeNSPrefix: true, ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false });

const docnumOf = (value: string) => value.trim().padStart(16, '0');

/** The first value of `names` anywhere in a parsed document (elements or attributes, any depth). */
function findValue(node: unknown, names: readonly string[]): string | undefined {
  if (node === null || typeof node !== 'object') return undefined;
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (names.includes(key.toUpperCase()) && (typeof value === 'string' || typeof value === 'number') && String(value).trim() !== '') return String(value).trim();
  }
  for (const value of Object.values(node as Record<string, unknown>)) {
    const found = findValue(value, names);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** `&1`…`&4` and then bare `&`s of an EDIDS text replaced by its STAPA1…4. */
function statusText(row: Record<string, string>): string {
  const params = [row.STAPA1 ?? '', row.STAPA2 ?? '', row.STAPA3 ?? '', row.STAPA4 ?? ''];
  let next = 0;
  const text = (row.STATXT ?? '').replace(/&([1-4])?/g, (_match, index: string | undefined) => (index ? params[Number(index) - 1]! : (params[next++] ?? '')));
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * IDocs to one SAP system: IDoc-XML posted to its inbound service (never retried: a second post
 * would be a second IDoc), and statuses read from EDIDC and EDIDS through RFC_READ_TABLE.
 */
export class IdocClient {
  constructor(
    private readonly transport: SapTransport,
    private readonly rfc: RfcClient,
    private readonly logger: Logger,
  ) {}

  /**
   * Posts an IDoc-XML document. SAP's answer is read for a DOCNUM and a STATUS (XML elements or
   * attributes, or JSON fields, of those names); a plain 2xx answer (SAP's idoc_xml service
   * answers 200 with no IDoc number) leaves the DOCNUM of the document's control record.
   */
  async send(xml: string): Promise<IdocSent> {
    const path = this.transport.config.paths.idoc;
    const response = await this.transport.send({ method: 'POST', path, headers: { 'content-type': 'text/xml; charset=utf-8' }, body: xml, idempotent: false });
    if (response.status < 200 || response.status >= 300) {
      const text = response.body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);
      throw sapError(this.transport.id, { method: 'POST', path: this.transport.fullPath(path) }, response.status, { code: null, message: text ? `HTTP ${response.status}: ${text}` : `HTTP ${response.status}` });
    }
    let answer: unknown;
    const body = response.body.trim();
    try {
      answer = body.startsWith('{') ? JSON.parse(body) : body.startsWith('<') ? answerXml.parse(body) : undefined;
    } catch {
      answer = undefined;
    }
    const answered = findValue(answer, ['DOCNUM']);
    const docnum = answered && /^\d{1,16}$/.test(answered) ? answered : /<DOCNUM>\s*(\d{1,16})\s*<\/DOCNUM>/.exec(xml)?.[1];
    if (docnum === undefined) throw new RangeError('the IDoc has no DOCNUM in its control record, and SAP answered none');
    const status = findValue(answer, ['STATUS']);
    return { docnum: docnumOf(docnum), status: status && /^\d{2}$/.test(status) ? status : null };
  }

  /**
   * The current status of each IDoc in `docnums` (EDIDC-STATUS) with its text (the latest EDIDS
   * row's, or the standard text when EDIDS cannot be read). IDocs SAP does not have are absent
   * from the answer; the others come in the order asked.
   */
  async status(docnums: readonly string[]): Promise<IdocStatus[]> {
    const wanted = [...new Set(docnums.map(docnumOf))];
    const found = new Map<string, IdocStatus>();
    for (let start = 0; start < wanted.length; start += STATUS_BATCH) {
      const batch = wanted.slice(start, start + STATUS_BATCH);
      const where = [`DOCNUM IN ( ${batch.map((docnum) => `'${docnum}'`).join(' , ')} )`];
      const controls = await this.rfc.readTable('EDIDC', { fields: ['DOCNUM', 'STATUS'], where });
      const texts = await this.latestTexts(where);
      for (const row of controls) {
        const docnum = docnumOf(row.DOCNUM ?? '');
        const status = row.STATUS ?? '';
        const latest = texts.get(docnum);
        const text = latest && latest.status === status && latest.text ? latest.text : (IDOC_STATUS_TEXTS[status] ?? `Status ${status}`);
        found.set(docnum, { docnum, status, statusText: text });
      }
    }
    return wanted.flatMap((docnum) => found.get(docnum) ?? []);
  }

  /** The latest EDIDS row per IDoc (highest COUNTR); empty when the system refuses to read EDIDS. */
  private async latestTexts(where: string[]): Promise<Map<string, { status: string; text: string; counter: number }>> {
    const latest = new Map<string, { status: string; text: string; counter: number }>();
    let rows: Record<string, string>[];
    try {
      rows = await this.rfc.readTable('EDIDS', { fields: ['DOCNUM', 'COUNTR', 'STATUS', 'STATXT', 'STAPA1', 'STAPA2', 'STAPA3', 'STAPA4'], where });
    } catch (error) {
      if (!hasCode(error, ErrorCode.SapError) && !hasCode(error, ErrorCode.SapBadResponse)) throw error;
      this.logger.debug({ err: error }, 'EDIDS cannot be read; using the standard status texts');
      return latest;
    }
    for (const row of rows) {
      const docnum = docnumOf(row.DOCNUM ?? '');
      const counter = Number(row.COUNTR ?? 0);
      const current = latest.get(docnum);
      if (!current || counter >= current.counter) latest.set(docnum, { status: row.STATUS ?? '', text: statusText(row), counter });
    }
    return latest;
  }
}
