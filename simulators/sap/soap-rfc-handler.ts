/**
 * SOAP-RFC at `{systemUrl}/sap/bc/soap/rfc`, as SAP's ICF handler for it behaves.
 *
 * Request: `POST …/sap/bc/soap/rfc?sap-client=100`, Content-Type text/xml, a SOAP 1.1 envelope
 * whose Body holds one element named after the function module in the namespace
 * `urn:sap-com:document:sap:rfc:functions` (any prefix):
 *
 *   <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:sap-com:document:sap:rfc:functions">
 *     <soapenv:Body><urn:RFC_READ_TABLE><QUERY_TABLE>KNA1</QUERY_TABLE>
 *       <OPTIONS><item><TEXT>LAND1 = 'DE'</TEXT></item></OPTIONS></urn:RFC_READ_TABLE></soapenv:Body>
 *   </soapenv:Envelope>
 *
 * Importing parameters are child elements, structures have a child per field, tables are
 * `<TABLE><item>…</item></TABLE>`. The answer is `<urn:FUNCTION.Response>` with the exporting
 * parameters and the tables (200, text/xml). An ABAP exception (TABLE_NOT_AVAILABLE, …) is a SOAP
 * Fault (HTTP 500) with faultstring = the exception name and
 * `<detail><urn:FUNCTION.Exception><Name>…</Name><Text>…</Text><Message><ID/><Number/></Message></…></detail>`;
 * an unknown function module is a Fault with faultstring FU_NOT_FOUND, a malformed envelope one
 * with faultcode SOAP-ENV:Client.
 *
 * Sessions (ICF stateful sessions):
 * - Without a session, every request is its own ABAP session: changes made by a write BAPI are
 *   discarded when the request ends (there is no way to commit them), exactly as on SAP.
 * - `?sap-sessioncmd=open` starts a stateful session: the answer sets the cookie
 *   `sap-contextid=SID%3aANON%3a…%3a<context>-NEW; path=/<SID>/sap/bc/soap/rfc`. The request may carry
 *   a call (it runs in the new session) or no body at all (200, empty body).
 * - Later requests that send the cookie run in that session: BAPI_CUSTOMER_CHANGEFROMDATA1 keeps its
 *   change there until BAPI_TRANSACTION_COMMIT applies it or BAPI_TRANSACTION_ROLLBACK drops it.
 * - `?sap-sessioncmd=close` (also `logoff` or `USR_ABORT`) ends the session after running the call
 *   in the body, if any; uncommitted changes are discarded and the cookie is cleared.
 * - A session idle for 10 minutes ends the same way. A cookie naming a session that no longer
 *   exists gets a SOAP Fault `SESSION_NOT_FOUND` (HTTP 500) and a cleared cookie, so a client
 *   never commits into a session it has lost.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { escapeXml } from './http-helpers.js';
import type { Headers } from './http-helpers.js';
import { FUNCTION_MODULES } from './rfc-function-modules.js';
import { RfcException, type RfcInput, type RfcOutput, type RfcUnit } from './rfc-types.js';
import type { SapSystem } from './sap-system.js';

export interface SoapResult {
  status: number;
  headers: Headers;
  body: string;
}

const RFC_NAMESPACE = 'urn:sap-com:document:sap:rfc:functions';
const CONTENT_TYPE = 'text/xml; charset=utf-8';

const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false, trimValues: true, isArray: (name) => name === 'item' });

function envelope(body: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Header/><SOAP-ENV:Body>${body}</SOAP-ENV:Body></SOAP-ENV:Envelope>`;
}

function fault(code: 'Client' | 'Server', faultstring: string, detail = ''): string {
  return envelope(`<SOAP-ENV:Fault><faultcode>SOAP-ENV:${code}</faultcode><faultstring>${escapeXml(faultstring)}</faultstring>${detail ? `<detail>${detail}</detail>` : ''}</SOAP-ENV:Fault>`);
}

function exceptionDetail(functionName: string, key: string, text: string, id = '', number = ''): string {
  return `<urn:${functionName}.Exception xmlns:urn="${RFC_NAMESPACE}"><Name>${escapeXml(key)}</Name><Text>${escapeXml(text)}</Text><Message><ID>${escapeXml(id)}</ID><Number>${escapeXml(number)}</Number></Message></urn:${functionName}.Exception>`;
}

function fieldsXml(row: Record<string, string>): string {
  let out = '';
  for (const [name, value] of Object.entries(row)) out += value === '' ? `<${name}/>` : `<${name}>${escapeXml(value)}</${name}>`;
  return out;
}

function outputXml(output: RfcOutput): string {
  let out = '';
  for (const [name, value] of Object.entries(output)) {
    if (typeof value === 'string') out += value === '' ? `<${name}/>` : `<${name}>${escapeXml(value)}</${name}>`;
    else if (Array.isArray(value)) out += value.length === 0 ? `<${name}/>` : `<${name}>${value.map((row) => `<item>${fieldsXml(row)}</item>`).join('')}</${name}>`;
    else out += `<${name}>${fieldsXml(value)}</${name}>`;
  }
  return out;
}

const CLOSE_COMMANDS = new Set(['close', 'logoff', 'usr_abort']);

/**
 * Handles one SOAP-RFC request of a system (authentication and sap-client are checked by the caller).
 * `contextCookie` is the request's sap-contextid cookie, if any.
 */
export function handleSoapRfc(system: SapSystem, method: string, query: URLSearchParams, contextCookie: string | undefined, body: Buffer): SoapResult {
  const headers: Headers = { 'content-type': CONTENT_TYPE };
  if (method !== 'POST') return { status: 405, headers: { ...headers, allow: 'POST' }, body: fault('Client', `Method ${method} not allowed: SOAP-RFC needs POST`) };
  const command = query.get('sap-sessioncmd')?.toLowerCase();
  const cookiePath = `/${system.id}/sap/bc/soap/rfc`;
  const clearCookie = `sap-contextid=; path=${cookiePath}; expires=Thu, 01 Jan 1970 00:00:00 GMT`;

  let unit: RfcUnit;
  let stateful = false;
  if (command === 'open') {
    const context = system.openRfcContext();
    unit = context;
    stateful = true;
    headers['set-cookie'] = `sap-contextid=${encodeURIComponent(`SID:ANON:simulator_${system.id}_00:${context.id}-NEW`)}; path=${cookiePath}`;
  } else if (contextCookie) {
    const id = /([0-9A-F]{36})/.exec(decodeURIComponent(contextCookie))?.[1];
    const context = id ? system.rfcContext(id) : undefined;
    if (!context) {
      if (command && CLOSE_COMMANDS.has(command)) return { status: 200, headers: { ...headers, 'set-cookie': clearCookie }, body: '' };
      return {
        status: 500,
        headers: { ...headers, 'set-cookie': clearCookie },
        body: fault('Server', 'SESSION_NOT_FOUND', exceptionDetail('SESSION', 'SESSION_NOT_FOUND', 'The stateful session of this sap-contextid has ended; its uncommitted changes are lost')),
      };
    }
    unit = context;
    stateful = true;
  } else {
    unit = { id: '', pending: [] };
  }

  const closing = command !== undefined && CLOSE_COMMANDS.has(command) && stateful;
  const finish = (result: SoapResult): SoapResult => {
    if (closing) {
      system.endRfcContext(unit.id);
      result.headers['set-cookie'] = clearCookie;
    } else if (!stateful) {
      system.finishUnitOfWork(unit, 'discarded');
    }
    return result;
  };

  const text = body.toString('utf8');
  if (text.trim() === '' && (command === 'open' || closing)) return finish({ status: 200, headers, body: '' });
  return finish(call(system, unit, text, headers));
}

function call(system: SapSystem, unit: RfcUnit, text: string, headers: Headers): SoapResult {
  const malformed = (message: string): SoapResult => ({ status: 500, headers, body: fault('Client', `Malformed SOAP request: ${message}`) });
  const valid = XMLValidator.validate(text);
  if (valid !== true) return malformed(`${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`);
  const parsed = parser.parse(text) as Record<string, unknown>;
  const soapBody = (parsed.Envelope as Record<string, unknown> | undefined)?.Body;
  if (!soapBody || typeof soapBody !== 'object') return malformed('no SOAP Envelope/Body');
  const names = Object.keys(soapBody).filter((name) => name !== '#text');
  if (names.length !== 1) return malformed(`the Body must hold exactly one function module call, found ${names.length}`);
  const functionName = names[0]!;
  const fn = FUNCTION_MODULES.get(functionName);
  if (!fn) {
    return {
      status: 500,
      headers,
      body: fault('Client', 'FU_NOT_FOUND', exceptionDetail(functionName, 'FU_NOT_FOUND', `Function module ${functionName} not found`, 'FL', '046')),
    };
  }
  const raw = (soapBody as Record<string, unknown>)[functionName];
  const input: RfcInput = raw && typeof raw === 'object' ? (raw as RfcInput) : {};
  try {
    const output = fn(input, { system, unit });
    return { status: 200, headers, body: envelope(`<urn:${functionName}.Response xmlns:urn="${RFC_NAMESPACE}">${outputXml(output)}</urn:${functionName}.Response>`) };
  } catch (error) {
    if (error instanceof RfcException) {
      return { status: 500, headers, body: fault('Client', error.key, exceptionDetail(functionName, error.key, error.message, error.messageId[0], error.messageId[1])) };
    }
    system.logger?.error({ err: error, functionName }, 'SAP simulator function module failed');
    return { status: 500, headers, body: fault('Server', 'SYSTEM_FAILURE', exceptionDetail(functionName, 'SYSTEM_FAILURE', (error as Error)?.message ?? String(error))) };
  }
}
