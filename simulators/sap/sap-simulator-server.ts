import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { BodyTooLargeError, headerValue, parseCookies, readBody, send, sendJson, sendText, type Headers } from './http-helpers.js';
import { handleIdocInbound } from './idoc-inbound-handler.js';
import { handleOAuthToken } from './oauth-token-handler.js';
import { handleOData, odataKind, sapErrorBody } from './odata-handler.js';
import { COUNT_KINDS, SapSystem, type CountKind, type RfcTransactionRecord, type SapFault } from './sap-system.js';
import { handleSoapRfc } from './soap-rfc-handler.js';

export interface SapSimulatorOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** The simulated systems, each under `/<id>`; default one system S4H with client 100. */
  systems?: readonly { id: string; /** sap-client, default '100' */ client?: string }[];
  /** Basic-auth user accepted by every system (case-insensitive, as SAP user names are); default 'INTERCHANGE'. */
  user?: string;
  /** Default 'simulator'. */
  password?: string;
  /** OAuth client of the token endpoint; default 'interchange'. */
  oauthClientId?: string;
  /** Default 'simulator-secret'. */
  oauthClientSecret?: string;
  /** Lifetime of OAuth access tokens; default 3600. */
  tokenLifetimeSeconds?: number;
  /** How long after it arrives an inbound IDoc is posted (status 53 or 51); default 20. */
  idocProcessingDelayMs?: number;
  /** Rows per page of an OData collection before `__next`; default 100. */
  pageSize?: number;
  /** Logs start, faults and IDoc processing; silent without one. */
  logger?: Logger;
}

/** A received IDoc as tests see it; `type` is the basic type (ORDERS05). */
export interface SimulatedIdoc {
  docnum: string;
  type: string;
  status: string;
  statusText: string;
  xml: string;
}

export interface RunningSapSimulator {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** The base URL a connector is configured with for a system, e.g. `${origin}/S4H`. */
  systemUrl(id: string): string;
  /** Replaces the system's standing fault (expireCsrfTokens acts once, at once). */
  setFault(systemId: string, fault: SapFault): void;
  /** Clears the fault of one system, or of all. */
  clearFaults(systemId?: string): void;
  /** Requests received per kind since start or resetCounts(): odata, batch, soap, idoc, metadata, csrfFetch (also counted under its kind), token, other. */
  counts(systemId: string): Record<string, number>;
  resetCounts(): void;
  /** IDocs received, in arrival order, with their current status. */
  idocs(systemId: string): readonly SimulatedIdoc[];
  /** Units of work of write BAPIs: committed, rolled back, or discarded (stateless call, session ended). */
  rfcTransactions(systemId: string): readonly RfcTransactionRecord[];
  stop(): Promise<void>;
}

const CONTROL_PREFIX = '__simulator';

function classify(path: string): CountKind {
  const lower = path.toLowerCase();
  if (lower.startsWith('/sap/opu/odata/')) return odataKind(path);
  if (lower.startsWith('/sap/bc/soap/rfc')) return 'soap';
  if (lower.startsWith('/sap/bc/idoc_xml')) return 'idoc';
  if (lower.startsWith('/sap/bc/sec/oauth2/token')) return 'token';
  return 'other';
}

function html(title: string, text: string): string {
  return `<html><head><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>`;
}

/** The answer of a failing system, in the form the path's clients expect. */
function failure(kind: CountKind, status: 500 | 502 | 503, systemId: string): { headers: Headers; body: string } {
  if (status === 500 && (kind === 'odata' || kind === 'metadata' || kind === 'batch')) {
    return { headers: { 'content-type': 'application/json; charset=utf-8' }, body: sapErrorBody('', '/IWFND/CM_BEC/026', `Simulated fault: internal server error in system ${systemId}`) };
  }
  if (status === 500 && kind === 'soap') {
    return {
      headers: { 'content-type': 'text/xml; charset=utf-8' },
      body: '<?xml version="1.0" encoding="utf-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body><SOAP-ENV:Fault><faultcode>SOAP-ENV:Server</faultcode><faultstring>SYSTEM_FAILURE</faultstring></SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>',
    };
  }
  const title = { 500: '500 Internal Server Error', 502: '502 Bad Gateway', 503: '503 Service Unavailable' }[status];
  const text = status === 500 ? 'The ABAP application server failed (simulated fault)' : status === 502 ? 'ICM: partner not reached (simulated fault)' : 'SAP Web Dispatcher: no server available for the request (simulated fault)';
  return { headers: { 'content-type': 'text/html; charset=utf-8' }, body: html(title, text) };
}

function checkFault(body: unknown): SapFault | string {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'the fault must be a JSON object';
  const fault = body as Record<string, unknown>;
  for (const key of Object.keys(fault)) {
    if (!['latencyMs', 'failStatus', 'failRate', 'expireCsrfTokens', 'resetConnections'].includes(key)) return `unknown fault property ${key}`;
  }
  const { latencyMs, failStatus, failRate, expireCsrfTokens, resetConnections } = fault;
  if (latencyMs !== undefined && !(typeof latencyMs === 'number' && latencyMs >= 0 && latencyMs <= 600_000)) return 'latencyMs must be a number of milliseconds, 0 to 600000';
  if (failStatus !== undefined && failStatus !== 500 && failStatus !== 502 && failStatus !== 503) return 'failStatus must be 500, 502 or 503';
  if (failRate !== undefined && !(typeof failRate === 'number' && failRate >= 0 && failRate <= 1)) return 'failRate must be a number from 0 to 1';
  if (expireCsrfTokens !== undefined && typeof expireCsrfTokens !== 'boolean') return 'expireCsrfTokens must be a boolean';
  if (resetConnections !== undefined && typeof resetConnections !== 'boolean') return 'resetConnections must be a boolean';
  return fault as SapFault;
}

/**
 * Starts the SAP simulator: one HTTP server, each system under `/<SID>` (see index.ts for the URL
 * layout), and the control surface under `/__simulator/`. Resolves once it listens.
 */
export async function startSapSimulator(options: SapSimulatorOptions = {}): Promise<RunningSapSimulator> {
  const host = options.host ?? '127.0.0.1';
  const user = (options.user ?? 'INTERCHANGE').toUpperCase();
  const password = options.password ?? 'simulator';
  const oauthClient = { clientId: options.oauthClientId ?? 'interchange', clientSecret: options.oauthClientSecret ?? 'simulator-secret' };
  const logger = options.logger;
  const systems = new Map<string, SapSystem>();
  for (const entry of options.systems ?? [{ id: 'S4H', client: '100' }]) {
    const id = entry.id.toUpperCase();
    if (!/^[A-Z][A-Z0-9]{2}$/.test(id)) throw new Error(`SAP system id '${entry.id}' is not a SID (three characters, a letter first)`);
    if (systems.has(id)) throw new Error(`SAP system id '${id}' is given twice`);
    const client = entry.client ?? '100';
    if (!/^\d{3}$/.test(client)) throw new Error(`sap-client '${client}' of system ${id} is not three digits`);
    systems.set(id, new SapSystem({
      id,
      client,
      pageSize: options.pageSize ?? 100,
      idocProcessingDelayMs: options.idocProcessingDelayMs ?? 20,
      tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600,
      logger,
    }));
  }
  const system = (id: string): SapSystem => {
    const found = systems.get(id.toUpperCase());
    if (!found) throw new Error(`No simulated SAP system '${id}' (systems: ${[...systems.keys()].join(', ')})`);
    return found;
  };

  /** 401 as SAP's ICF answers a failed logon: an HTML page and a Basic challenge (plus Bearer's error for a bad token). */
  const logonFailed = (response: ServerResponse, target: SapSystem, reason: string, bearer = false) => {
    const realm = `realm="SAP NetWeaver Application Server [${target.id}/${target.client}]"`;
    const challenge = bearer ? [`Basic ${realm}`, `Bearer ${realm}, error="invalid_token"`] : `Basic ${realm}`;
    send(response, 401, { 'content-type': 'text/html; charset=utf-8', 'www-authenticate': challenge }, html('Logon Error Message', `Logon failed. ${reason}`));
  };

  const authenticated = (target: SapSystem, authorization: string | undefined): true | { reason: string; bearer: boolean } => {
    if (!authorization) return { reason: 'No logon data was provided (basic authentication or a bearer token)', bearer: false };
    const [scheme = '', credentials = ''] = authorization.split(/\s+/, 2);
    if (scheme.toLowerCase() === 'basic') {
      const decoded = Buffer.from(credentials, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0 && decoded.slice(0, colon).toUpperCase() === user && decoded.slice(colon + 1) === password) return true;
      return { reason: 'Name or password is incorrect (repeat logon)', bearer: false };
    }
    if (scheme.toLowerCase() === 'bearer') return target.accessTokenValid(credentials) ? true : { reason: 'The access token is invalid or has expired', bearer: true };
    return { reason: `Authentication scheme ${scheme} is not supported`, bearer: false };
  };

  const control = async (request: IncomingMessage, response: ServerResponse, parts: string[]) => {
    const [, id, resource] = parts;
    if (!id) {
      sendJson(response, 200, { systems: [...systems.values()].map((entry) => ({ id: entry.id, client: entry.client, url: `${origin}/${entry.id}` })) });
      return;
    }
    const target = systems.get(id.toUpperCase());
    if (!target) return sendText(response, 404, `No simulated SAP system '${id}'`);
    const route = `${request.method} ${resource ?? ''}`;
    switch (route) {
      case 'POST faults': {
        let body: unknown;
        try {
          body = JSON.parse((await readBody(request)).toString('utf8'));
        } catch {
          return sendText(response, 400, 'The fault must be JSON');
        }
        const fault = checkFault(body);
        if (typeof fault === 'string') return sendText(response, 400, fault);
        target.setFault(fault);
        return sendJson(response, 200, { system: target.id, fault });
      }
      case 'DELETE faults':
        target.clearFault();
        return send(response, 204, {});
      case 'GET counts':
        return sendJson(response, 200, { ...target.counts });
      case 'DELETE counts':
        target.resetCounts();
        return send(response, 204, {});
      case 'GET idocs':
        return sendJson(response, 200, [...target.store.idocs.values()].map(({ docnum, idocType, messageType, status, statusText, statuses }) => ({ docnum, idocType, messageType, status, statusText, statuses })));
      default:
        return sendText(response, 404, `Unknown control request ${route}; see POST/DELETE faults, GET/DELETE counts, GET idocs`);
    }
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = request.url ?? '/';
    const questionMark = url.indexOf('?');
    const rawPath = questionMark < 0 ? url : url.slice(0, questionMark);
    const rawQuery = questionMark < 0 ? '' : url.slice(questionMark + 1);
    const parts = rawPath.split('/').slice(1);
    if (parts[0] === CONTROL_PREFIX) return control(request, response, parts);
    const target = systems.get((parts[0] ?? '').toUpperCase());
    if (!target) return sendText(response, 404, `No simulated SAP system at /${parts[0] ?? ''} (systems: ${[...systems.keys()].map((id) => `/${id}`).join(', ')})`);
    const path = `/${parts.slice(1).join('/')}`;
    const method = request.method ?? 'GET';
    const csrfFetch = headerValue(request, 'x-csrf-token')?.toLowerCase() === 'fetch';
    const kind = classify(path);
    target.count(kind);
    if (csrfFetch) target.count('csrfFetch');

    const fault = target.nextFault();
    if (fault.latencyMs > 0) await sleep(fault.latencyMs);
    if (fault.failure === 'reset') {
      request.socket.destroy();
      return;
    }
    if (fault.failure) {
      const answer = failure(kind, fault.failure, target.id);
      return send(response, fault.failure, answer.headers, answer.body);
    }

    const query = new URLSearchParams(rawQuery);
    const client = query.get('sap-client') ?? headerValue(request, 'sap-client');
    if (client !== target.client) {
      const reason = client === undefined || client === null
        ? `sap-client is missing: the simulator has no default client (system ${target.id} has client ${target.client})`
        : `Client ${client} is not available in this system`;
      return logonFailed(response, target, reason);
    }

    const lower = path.toLowerCase();
    const body = await readBody(request);
    if (lower.startsWith('/sap/bc/sec/oauth2/token')) {
      const answer = handleOAuthToken(target, oauthClient, method, headerValue(request, 'authorization'), headerValue(request, 'content-type'), body);
      return send(response, answer.status, answer.headers, answer.body);
    }
    const auth = authenticated(target, headerValue(request, 'authorization'));
    if (auth !== true) return logonFailed(response, target, auth.reason, auth.bearer);

    const cookies = parseCookies(request.headers.cookie);
    if (lower.startsWith('/sap/opu/odata/sap/')) {
      const tunnelled = method === 'POST' ? headerValue(request, 'x-http-method')?.toUpperCase() : undefined;
      const answer = handleOData(target, path.slice('/sap/opu/odata/sap/'.length), `http://${request.headers.host ?? new URL(origin).host}`, {
        method: tunnelled && ['MERGE', 'PATCH', 'PUT', 'DELETE'].includes(tunnelled) ? tunnelled : method,
        query,
        rawQuery,
        header: (name) => headerValue(request, name),
        body,
      }, cookies);
      return send(response, answer.status, answer.headers, answer.body);
    }
    if (lower === '/sap/bc/soap/rfc' || lower === '/sap/bc/soap/rfc/') {
      const answer = handleSoapRfc(target, method, query, cookies.get('sap-contextid'), body);
      return send(response, answer.status, answer.headers, answer.body);
    }
    if (lower === '/sap/bc/idoc_xml' || lower === '/sap/bc/idoc_xml/') {
      const answer = handleIdocInbound(target, method, headerValue(request, 'content-type'), body);
      return send(response, answer.status, answer.headers, answer.body);
    }
    return send(response, 404, { 'content-type': 'text/html; charset=utf-8' }, html('404 Not Found', `Service cannot be reached: no ICF service at ${path} in the simulator`));
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (error instanceof BodyTooLargeError) return sendText(response, 413, error.message);
      logger?.error({ err: error, url: request.url }, 'SAP simulator request failed');
      if (!response.headersSent) sendText(response, 500, 'The SAP simulator failed to handle the request');
      else response.destroy();
    });
  });
  // Longer than the usual client pool idle time, so that clients, not the server, close idle connections.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const origin = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  logger?.info({ origin, systems: [...systems.keys()] }, 'SAP simulator listening');

  return {
    origin,
    systemUrl: (id) => `${origin}/${system(id).id}`,
    setFault: (id, fault) => {
      const checked = checkFault(fault);
      if (typeof checked === 'string') throw new Error(`Invalid SAP fault: ${checked}`);
      system(id).setFault(checked);
    },
    clearFaults: (id) => {
      for (const entry of id === undefined ? systems.values() : [system(id)]) entry.clearFault();
    },
    counts: (id) => Object.fromEntries(COUNT_KINDS.map((kind) => [kind, system(id).counts[kind]])),
    resetCounts: () => {
      for (const entry of systems.values()) entry.resetCounts();
    },
    idocs: (id) => [...system(id).store.idocs.values()].map((idoc) => ({ docnum: idoc.docnum, type: idoc.idocType, status: idoc.status, statusText: idoc.statusText, xml: idoc.xml })),
    rfcTransactions: (id) => [...system(id).transactions],
    stop: async () => {
      for (const entry of systems.values()) entry.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      logger?.info({ origin }, 'SAP simulator stopped');
    },
  };
}
