import type { Logger } from '../../../infra/logger.js';
import { CookieJar } from './cookie-jar.js';
import { bapiMessages, optionRows, parseRfcAnswer, readTableRows, rfcEnvelope, RFC_NAMESPACE, type RfcCallInput, type RfcData, type RfcRow, type RfcStructure } from './rfc-soap.js';
import { sapBadResponse, sapError, sapUnavailable, type BapiMessage, type SapCall } from './sap-errors.js';
import type { SapTransport } from './sap-transport.js';

export interface RfcResult {
  exporting: Record<string, RfcData>;
  tables: Record<string, RfcRow[]>;
  /** The BAPI RETURN's messages of type W and I. */
  warnings: BapiMessage[];
}

export interface RfcCallOptions extends RfcCallInput {
  /**
   * The function only reads (RFC_READ_TABLE, BAPI_*_GETDETAIL): it is retried on transient
   * failures like an OData read. Default false: a call may change data, so it is sent once.
   */
  idempotent?: boolean;
}

export interface ReadTableOptions {
  /** Fields to read (default: every field, which RFC_READ_TABLE caps at 512 characters a row). */
  fields?: readonly string[];
  /** Open SQL conditions, and'ed: `STATUS EQ '53'`, `DOCNUM IN ( '0000000000000001' , '0000000000000002' )`. */
  where?: readonly string[];
  /** One character between fields in each row; default none (fixed width). */
  delimiter?: string;
  /** Rows at most (0 or absent: all). */
  rowCount?: number;
  rowSkips?: number;
}

/** Calls within one stateful session; one at a time, in the order made. */
export interface RfcSession {
  call(name: string, options?: RfcCallInput): Promise<RfcResult>;
}

const FUNCTION_NAME = /^[A-Z0-9_/]{1,30}$/;

/** The cookie by which ICF finds a stateful session. */
const CONTEXT_COOKIE = 'sap-contextid';

/**
 * SOAP-RFC against one SAP system (POST to its RFC path). A BAPI RETURN with a message of type
 * E or A rejects with SAP_ERROR carrying every message; W and I come back as `warnings`. A SOAP
 * fault rejects with SAP_ERROR (the exception's name as `sap.code`).
 */
export class RfcClient {
  constructor(
    private readonly transport: SapTransport,
    private readonly logger: Logger,
  ) {}

  call(name: string, options: RfcCallOptions = {}): Promise<RfcResult> {
    return this.send(name, options, { idempotent: options.idempotent ?? false, jar: undefined, sessionCommand: undefined });
  }

  /** `call` for the admin mutation: importing parameters and tables in, exporting parameters, tables and warnings out, all JSON. */
  callFunction(name: string, importing: RfcStructure = {}, tables: Readonly<Record<string, readonly RfcStructure[]>> = {}): Promise<RfcResult> {
    return this.call(name, { importing, tables });
  }

  /**
   * A table's rows through RFC_READ_TABLE, as objects keyed by field name with trimmed values.
   * Retried like a read.
   */
  async readTable(table: string, options: ReadTableOptions = {}): Promise<Record<string, string>[]> {
    const importing: Record<string, string | number> = { QUERY_TABLE: table };
    if (options.delimiter) importing.DELIMITER = options.delimiter;
    if (options.rowCount) importing.ROWCOUNT = options.rowCount;
    if (options.rowSkips) importing.ROWSKIPS = options.rowSkips;
    const result = await this.call('RFC_READ_TABLE', {
      importing,
      tables: { OPTIONS: optionRows(options.where ?? []), FIELDS: (options.fields ?? []).map((field) => ({ FIELDNAME: field })), DATA: [] },
      idempotent: true,
    });
    return readTableRows(result, options.delimiter);
  }

  /**
   * Runs `work` in a stateful ICF session (opened with `sap-sessioncmd=open`, kept by its
   * cookies in a jar of its own), then BAPI_TRANSACTION_COMMIT with WAIT = 'X' in that session.
   * When `work` or the commit fails, BAPI_TRANSACTION_ROLLBACK runs in the session and the error
   * is rethrown. The session is closed (`sap-sessioncmd=close`) either way. Nothing in a session
   * is retried. A session SAP did not open (no sap-contextid cookie) is SAP_BAD_RESPONSE, one that
   * ended on the way (the cookie cleared) SAP_UNAVAILABLE: a call, and above all the commit, never
   * runs outside the session, where it would commit nothing and look like success.
   */
  async transaction<T>(work: (session: RfcSession) => Promise<T>): Promise<T> {
    const jar = new CookieJar();
    let opened = false;
    let queue: Promise<unknown> = Promise.resolve();
    const inSession = async (name: string, options: RfcCallInput): Promise<RfcResult> => {
      const first = !opened;
      opened = true;
      if (!first && !jar.has(CONTEXT_COOKIE)) throw sapUnavailable(this.transport.id, `the stateful session ended before ${name}: its uncommitted changes are lost`);
      const result = await this.send(name, options, { idempotent: false, jar, sessionCommand: first ? 'open' : undefined });
      if (first && !jar.has(CONTEXT_COOKIE)) {
        throw sapBadResponse(this.transport.id, { method: 'POST', path: `${this.transport.fullPath(this.transport.config.paths.rfc)} (${name})` }, 'SAP did not open a stateful session (no sap-contextid cookie)');
      }
      return result;
    };
    const session: RfcSession = {
      call: (name, options = {}) => {
        const next = queue.then(() => inSession(name, options));
        queue = next.catch(() => undefined);
        return next;
      },
    };
    try {
      const result = await work(session);
      await session.call('BAPI_TRANSACTION_COMMIT', { importing: { WAIT: 'X' } });
      return result;
    } catch (error) {
      if (opened) {
        await session.call('BAPI_TRANSACTION_ROLLBACK').catch((rollbackError: unknown) => {
          this.logger.warn({ err: rollbackError }, 'BAPI_TRANSACTION_ROLLBACK failed; the session ends without a commit');
        });
      }
      throw error;
    } finally {
      // A session SAP never opened, or already ended (its cookie cleared), has nothing to close.
      if (opened) await queue.then(() => (jar.has(CONTEXT_COOKIE) ? this.closeSession(jar) : undefined));
    }
  }

  private async closeSession(jar: CookieJar): Promise<void> {
    const path = this.transport.config.paths.rfc;
    try {
      await this.transport.send({ method: 'POST', path, query: 'sap-sessioncmd=close', headers: { 'content-type': 'text/xml; charset=utf-8' }, body: '', idempotent: false, jar });
    } catch (error) {
      // The session times out on SAP's side anyway.
      this.logger.warn({ err: error }, 'could not close an SAP session');
    }
  }

  private async send(name: string, options: RfcCallInput, how: { idempotent: boolean; jar: CookieJar | undefined; sessionCommand: 'open' | undefined }): Promise<RfcResult> {
    if (!FUNCTION_NAME.test(name)) throw new RangeError(`${JSON.stringify(name)} is not a function module name`);
    const path = this.transport.config.paths.rfc;
    const call: SapCall = { method: 'POST', path: `${this.transport.fullPath(path)} (${name})` };
    const response = await this.transport.send({
      method: 'POST',
      path,
      query: how.sessionCommand ? `sap-sessioncmd=${how.sessionCommand}` : undefined,
      headers: { 'content-type': 'text/xml; charset=utf-8', accept: 'text/xml', soapaction: `"${RFC_NAMESPACE}:${name}"` },
      body: rfcEnvelope(name, options),
      idempotent: how.idempotent,
      jar: how.jar,
    });
    const xml = response.body.trimStart().startsWith('<') ? response.body : null;
    let answer;
    try {
      if (xml === null) throw new Error(`not XML (HTTP ${response.status})`);
      answer = parseRfcAnswer(name, xml, new Set(Object.keys(options.tables ?? {})));
    } catch (error) {
      if (response.status !== 200) throw sapError(this.transport.id, call, response.status, { code: null, message: `HTTP ${response.status}`, function: name });
      this.transport.noteError(`unreadable answer to ${name}: ${(error as Error).message}`);
      throw sapBadResponse(this.transport.id, call, (error as Error).message, error);
    }
    if (answer.kind === 'fault') throw sapError(this.transport.id, call, response.status, answer.fault);
    if (response.status !== 200) throw sapError(this.transport.id, call, response.status, { code: null, message: `HTTP ${response.status}`, function: name });
    const messages = bapiMessages(answer.result);
    const errors = messages.filter((message) => message.type === 'E' || message.type === 'A');
    if (errors.length > 0) {
      const [first] = errors;
      throw sapError(this.transport.id, call, response.status, { code: first!.id || first!.number ? `${first!.id}/${first!.number}` : null, message: first!.message || `${name} failed`, function: name, messages });
    }
    return { ...answer.result, warnings: messages.filter((message) => message.type === 'W' || message.type === 'I') };
  }
}
