import { setMaxListeners } from 'node:events';
import { connect } from 'node:net';
import { CloseCode } from 'graphql-ws';
import WebSocket from 'ws';
import { asRole, testToken } from './tokens.js';

/**
 * Hostile requests to the router, each with the answer it should get: shared by
 * test/hostile-input.test.ts (which asserts them) and bench/security.ts (which measures them).
 * A case builds its payload when the list is made, so that its run measures the router, not the
 * client building a megabyte of JSON.
 */

/** The router settings the cases assume (the rest are the defaults: OPERATION_MAX_TOKENS 5000, OPERATION_MAX_ROOT_FIELDS 10, WS_MAX_PAYLOAD_BYTES 1 MiB). */
export const HOSTILE_ROUTER_ENV: Readonly<Record<string, string>> = Object.freeze({
  HTTP_HEADERS_TIMEOUT_MS: '1000',
  HTTP_REQUEST_TIMEOUT_MS: '2000',
  WS_CONNECTION_INIT_TIMEOUT_MS: '1000',
  WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: '5',
  WS_MAX_CONNECTIONS_PER_ADDRESS: '10',
  WS_MAX_CONNECTIONS_PER_PRINCIPAL: '5',
});

/** A case, its answer included, must finish within this; a timeout that fails, not a performance target. */
export const CASE_CEILING_MS = 5_000;

/** The router's close codes for a client over one of its WebSocket limits. */
export const WS_CLOSE = Object.freeze({
  tooManyConnectionsPerAddress: 4290,
  tooManyConnectionsPerPrincipal: 4291,
  tooManySubscriptions: 4292,
  /** ws's own, for a message over maxPayload. */
  messageTooBig: 1009,
});

const MAX_BODY_BYTES = 1024 * 1024;
/** How long a WebSocket case waits for a close that should follow an answer at once. */
const CLOSE_WAIT_MS = 1_000;
/** The part of an answer's body an outcome keeps, for reports and failure messages. */
const BODY_EXCERPT = 600;

/** What the router answered to one case. */
export interface Outcome {
  /** The HTTP status, when an HTTP answer came (the WebSocket upgrade's, when it was refused). */
  status?: number;
  /** `extensions.code` of each GraphQL error in the answer (or in the graphql-ws message). */
  codes: string[];
  /** `extensions.limit` of the first error that has one. */
  limit?: string;
  /** The answer has `data` that is not null. */
  hasData: boolean;
  /** The graphql-ws message that answered the operation. */
  message?: 'error' | 'next' | 'complete' | 'connection_ack';
  /** The close code the router closed the WebSocket with. */
  closeCode?: number;
  /** The WebSocket was still open when the case ended. */
  open?: boolean;
  /** The first characters of the body (or of the graphql-ws message). */
  body: string;
  /** The whole body's size. */
  bytes: number;
  /** The whole body holds a stack trace (see hasStackTrace). */
  stackTrace: boolean;
  /** Anything else worth a line in a report ("the connection closed without an answer"). */
  note?: string;
}

export interface Expectation {
  /** As a test name and the report show it: "OPERATION_LIMIT_EXCEEDED (selections)". */
  description: string;
  accepts(outcome: Outcome): boolean;
}

export interface CaseTarget {
  /** The router's GraphQL endpoint, http://host:port/graphql. */
  url: string;
  /** Aborted at the ceiling: a case stops waiting and closes what it opened. */
  signal: AbortSignal;
}

export interface HostileCase {
  /** A noun phrase: "fragment fan-out (30 fragments, each spreading the next twice)". */
  name: string;
  transport: 'http' | 'ws';
  expected: Expectation;
  /**
   * The case waits on purpose for one of the router's timeouts (slow clients, a missing
   * connection_init): its time is the timeout's, not the router's work.
   */
  waits?: string;
  run(target: CaseTarget): Promise<Outcome>;
}

// ---------------------------------------------------------------------------------------------
// Expectations

function hasCode(outcome: Outcome, code: string, limit?: string): boolean {
  return outcome.codes.includes(code) && (limit === undefined || outcome.limit === limit);
}

/** A GraphQL error with `code` (and `extensions.limit`), over HTTP with `status` when given. */
export function graphqlError(code: string, options: { limit?: string; status?: number } = {}): Expectation {
  const status = options.status === undefined ? '' : `${options.status} `;
  return {
    description: `${status}${code}${options.limit ? ` (${options.limit})` : ''}`,
    accepts: (outcome) => (options.status === undefined || outcome.status === options.status) && hasCode(outcome, code, options.limit),
  };
}

/** An HTTP answer with this status, and this error code when given. */
export function httpStatus(status: number, code?: string): Expectation {
  return {
    description: `HTTP ${status}${code ? ` ${code}` : ''}`,
    accepts: (outcome) => outcome.status === status && (code === undefined || outcome.codes.includes(code)),
  };
}

/** A GraphQL error, whatever its code (an ambiguous document: any error that says so). */
export function anyError(): Expectation {
  return { description: 'a GraphQL error', accepts: (outcome) => outcome.codes.length > 0 };
}

/** A 200 with data and no error: the hostile part was harmless and the operation ran. */
export function answered(): Expectation {
  return { description: '200 with data', accepts: (outcome) => outcome.status === 200 && outcome.hasData && outcome.codes.length === 0 };
}

/** The router closed the WebSocket with this code. */
export function closedWith(code: number): Expectation {
  return { description: `close code ${code}`, accepts: (outcome) => outcome.closeCode === code };
}

/** A graphql-ws `error` message for the operation, with the socket left open. */
export function errorMessage(code: string, limit?: string): Expectation {
  return {
    description: `an error message with ${code}${limit ? ` (${limit})` : ''}, socket open`,
    accepts: (outcome) => outcome.message === 'error' && outcome.open === true && hasCode(outcome, code, limit),
  };
}

export function anyOf(...expectations: Expectation[]): Expectation {
  return {
    description: expectations.map((expectation) => expectation.description).join(' or '),
    accepts: (outcome) => expectations.some((expectation) => expectation.accepts(outcome)),
  };
}

/** One line for a report or a failure message: "HTTP 400 GRAPHQL_VALIDATION_FAILED, 312 B". */
export function describeOutcome(outcome: Outcome): string {
  const parts: string[] = [];
  if (outcome.status !== undefined) parts.push(`HTTP ${outcome.status}`);
  if (outcome.message) parts.push(`${outcome.message} message`);
  if (outcome.codes.length > 0) {
    const codes = [...new Set(outcome.codes)];
    parts.push(`${codes.join(', ')}${outcome.limit ? ` (${outcome.limit})` : ''}${outcome.codes.length > 1 ? ` ×${outcome.codes.length}` : ''}`);
  } else if (outcome.status !== undefined || outcome.message === 'next') {
    parts.push(outcome.hasData ? 'data, no error' : 'no error');
  }
  if (outcome.closeCode !== undefined) parts.push(`closed ${outcome.closeCode}`);
  else if (outcome.open !== undefined) parts.push(outcome.open ? 'socket open' : 'socket closed');
  if (outcome.note) parts.push(outcome.note);
  if (outcome.status !== undefined) parts.push(formatBytes(outcome.bytes));
  return parts.join(', ');
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${bytes} B`;
}

/** A stack trace in an answer: `at fn (/path/file.js:1:2)` or `at /path/file.js:1:2` frames, or Apollo's `stacktrace` extension. */
function hasStackTrace(body: string): boolean {
  return /"stacktrace"|\bat (?:[^\s"()]+ \()?(?:file:\/\/|node:|\/)[^\s"()]*:\d+:\d+/.test(body);
}

// ---------------------------------------------------------------------------------------------
// HTTP

interface GraphQLBody {
  data?: unknown;
  errors?: { extensions?: { code?: unknown; limit?: unknown } }[];
}

function outcomeOfBody(status: number | undefined, text: string, bytes: number): Outcome {
  const outcome: Outcome = { status, codes: [], hasData: false, body: text.slice(0, BODY_EXCERPT), bytes, stackTrace: hasStackTrace(text) };
  try {
    const body = JSON.parse(text) as GraphQLBody;
    readGraphQLBody(outcome, body);
  } catch {
    if (text.length > 0) outcome.note = 'the body is not JSON';
  }
  return outcome;
}

function readGraphQLBody(outcome: Outcome, body: GraphQLBody | GraphQLBody['errors']): void {
  const errors = Array.isArray(body) ? body : body?.errors;
  if (!Array.isArray(body)) outcome.hasData = body?.data !== undefined && body?.data !== null;
  for (const error of errors ?? []) {
    outcome.codes.push(String(error?.extensions?.code ?? 'no code'));
    if (outcome.limit === undefined && error?.extensions?.limit !== undefined) outcome.limit = String(error.extensions.limit);
  }
}

/** Sends one request as a GraphQL client would (an admin's bearer token unless `headers` has `authorization`). */
async function send(
  target: CaseTarget,
  request: { method?: 'GET' | 'POST'; search?: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<Outcome> {
  // What the GraphQL-over-HTTP spec has clients accept: request errors then come as 4xx, not 200.
  const headers = { accept: 'application/graphql-response+json, application/json;q=0.9', ...(await asRole('admin')), ...request.headers };
  try {
    const response = await fetch(`${target.url}${request.search ?? ''}`, {
      method: request.method ?? 'POST',
      headers,
      body: request.body,
      signal: target.signal,
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    return outcomeOfBody(response.status, bytes.toString('utf8'), bytes.length);
  } catch (error) {
    if (target.signal.aborted) throw target.signal.reason;
    // The router closed the connection without an answer (or reset it while the body was sent).
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { codes: [], hasData: false, body: '', bytes: 0, stackTrace: false, note: `no answer: ${cause?.code ?? cause?.message ?? String(error)}` };
  }
}

const json = { 'content-type': 'application/json' };

/** POSTs `{ query, variables, operationName }` as JSON, prepared now and sent as is on each run. */
function postOperation(query: string, extra: { variables?: unknown; operationName?: string } = {}): (target: CaseTarget) => Promise<Outcome> {
  const body = JSON.stringify({ query, ...extra });
  return (target) => send(target, { headers: json, body });
}

/** POSTs a body prepared as text or bytes. */
function postRaw(body: string | Buffer, headers: Record<string, string> = json): (target: CaseTarget) => Promise<Outcome> {
  return (target) => send(target, { headers, body });
}

/**
 * A client that sends its request one byte every `intervalMs`: the headers (never finished), or
 * with `body`, whole headers and then the body. Resolves with the router's answer, read off the
 * socket, once the router closes the connection.
 */
function trickle(target: CaseTarget, options: { body: boolean; intervalMs: number }): Promise<Outcome> {
  const url = new URL(target.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    const head = `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\n`;
    // The headers go out whole and the body trickles, or the headers trickle and never end.
    let pending = options.body ? '' : `${head}X-Slow: `;
    const drip = () => {
      if (socket.destroyed) return;
      socket.write(pending.length > 0 ? pending.slice(0, 1) : 'a');
      pending = pending.slice(1);
      timer = setTimeout(drip, options.intervalMs);
    };
    socket.on('connect', () => {
      if (options.body) socket.write(`${head}Content-Length: 100000\r\n\r\n{"query":"`);
      drip();
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      target.signal.removeEventListener('abort', abort);
      const text = Buffer.concat(chunks).toString('utf8');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
      const outcome = outcomeOfBody(status === undefined ? undefined : Number(status), text.slice(text.indexOf('\r\n\r\n') + 4), chunks.reduce((n, c) => n + c.length, 0));
      if (status === undefined) outcome.note = 'the router closed the connection without an answer';
      resolve(outcome);
    });
    const abort = () => {
      clearTimeout(timer);
      socket.destroy();
      reject(new Error(`no answer within the ceiling: the router still held the slow connection open${chunks.length > 0 ? ` (it had sent ${JSON.stringify(Buffer.concat(chunks).toString('utf8').slice(0, 80))})` : ''}`));
    };
    target.signal.addEventListener('abort', abort, { once: true });
  });
}

// ---------------------------------------------------------------------------------------------
// WebSocket (graphql-transport-ws, spoken by hand so that a case can break the protocol)

interface WsMessage {
  type: string;
  id?: string;
  payload?: unknown;
}

class RawSocket {
  readonly messages: WsMessage[] = [];
  closeCode?: number;
  /** The upgrade's status, when the router refused the WebSocket with an HTTP answer. */
  refusedStatus?: number;
  readonly closed: Promise<void>;
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly socket: WebSocket,
    opened: (socket: RawSocket) => void,
  ) {
    let onClosed: () => void = () => {};
    this.closed = new Promise((resolve) => (onClosed = resolve));
    socket.on('open', () => opened(this));
    socket.on('message', (data) => {
      try {
        this.messages.push(JSON.parse(String(data)) as WsMessage);
      } catch {
        this.messages.push({ type: 'unparsable' });
      }
      this.notify();
    });
    socket.on('unexpected-response', (_request, response) => {
      this.refusedStatus = response.statusCode;
      response.resume();
      socket.terminate();
    });
    socket.on('error', () => {});
    socket.on('close', (code) => {
      this.closeCode = this.refusedStatus === undefined ? code : undefined;
      onClosed();
      this.notify();
      opened(this);
    });
  }

  /** Opens a socket (resolves once it is open, or closed or refused); closes it when `signal` aborts. */
  static open(url: string, signal: AbortSignal): Promise<RawSocket> {
    return new Promise((resolve) => {
      const ws = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
      new RawSocket(ws, resolve);
      signal.addEventListener('abort', () => ws.terminate(), { once: true });
    });
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  send(message: WsMessage | string): void {
    if (this.isOpen) this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Resolves with the first message that matches, or undefined once the socket is closed or `timeoutMs` passes. */
  async next(matches: (message: WsMessage) => boolean, signal: AbortSignal, timeoutMs?: number): Promise<WsMessage | undefined> {
    const deadline = timeoutMs === undefined ? Infinity : performance.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(matches);
      if (found) return found;
      if (this.closeCode !== undefined || this.refusedStatus !== undefined || performance.now() >= deadline) return undefined;
      if (signal.aborted) throw signal.reason;
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          clearTimeout(timer);
          signal.removeEventListener('abort', wake);
          resolve();
        };
        const timer = deadline === Infinity ? undefined : setTimeout(wake, deadline - performance.now());
        this.waiters.add(wake);
        signal.addEventListener('abort', wake, { once: true });
      });
    }
  }

  /** Sends connection_init and waits for connection_ack; false when the router closed instead. */
  async init(payload: Record<string, unknown>, signal: AbortSignal): Promise<boolean> {
    this.send({ type: 'connection_init', payload });
    return (await this.next((message) => message.type === 'connection_ack', signal)) !== undefined;
  }

  /** Waits until the router closes the socket, or `timeoutMs`; true if it did. */
  async waitForClose(signal: AbortSignal, timeoutMs?: number): Promise<boolean> {
    await this.next(() => false, signal, timeoutMs);
    return this.closeCode !== undefined || this.refusedStatus !== undefined;
  }

  /** Closes from the client's side and waits for the close to complete (so that the router has counted it). */
  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close(1000);
    const forced = setTimeout(() => this.socket.terminate(), 1_000);
    await this.closed;
    clearTimeout(forced);
  }

  private notify(): void {
    for (const wake of [...this.waiters]) wake();
  }
}

/** What a socket came to: its close code (or open), and the answer to operation `id` if any. */
function socketOutcome(socket: RawSocket, id?: string): Outcome {
  const answer = id === undefined ? undefined : socket.messages.find((message) => message.id === id && ['error', 'next', 'complete'].includes(message.type));
  const text = answer ? JSON.stringify(answer) : '';
  const outcome: Outcome = {
    status: socket.refusedStatus,
    codes: [],
    hasData: false,
    closeCode: socket.closeCode,
    open: socket.isOpen,
    body: text.slice(0, BODY_EXCERPT),
    bytes: text.length,
    stackTrace: hasStackTrace(text),
  };
  if (answer) {
    outcome.message = answer.type as Outcome['message'];
    readGraphQLBody(outcome, answer.payload as GraphQLBody);
  }
  return outcome;
}

async function adminParams(): Promise<Record<string, unknown>> {
  return { authorization: (await asRole('admin')).authorization };
}

/** A socket signed in as admin, acknowledged; runs `work` and closes the socket whatever happens. */
async function withSocket(target: CaseTarget, work: (socket: RawSocket) => Promise<Outcome>): Promise<Outcome> {
  const socket = await RawSocket.open(target.url, target.signal);
  try {
    if (!(await socket.init(await adminParams(), target.signal))) return { ...socketOutcome(socket), note: 'connection_init was not acknowledged' };
    return await work(socket);
  } finally {
    await socket.close();
  }
}

/** Sends one subscribe message and waits for its answer; the socket must then stay open. */
function subscribeWith(payload: string | { query: string; variables?: unknown }): (target: CaseTarget) => Promise<Outcome> {
  const message = typeof payload === 'string' ? payload : JSON.stringify({ id: 'hostile', type: 'subscribe', payload });
  return (target) =>
    withSocket(target, async (socket) => {
      socket.send(message);
      const answer = await socket.next((m) => m.id === 'hostile' && ['error', 'next', 'complete'].includes(m.type), target.signal, CASE_CEILING_MS - CLOSE_WAIT_MS);
      // A refusal must leave the connection usable: a ping still gets its pong (or the close shows).
      if (answer) {
        socket.send({ type: 'ping' });
        await socket.next((m) => m.type === 'pong', target.signal, CLOSE_WAIT_MS);
      }
      const outcome = socketOutcome(socket, 'hostile');
      if (!answer && outcome.open) outcome.note = 'no answer to the operation yet';
      return outcome;
    });
}

/** Opens `count` sockets, each acknowledged, with the connection_init payload `params(i)`; then one more, whose fate is the outcome. */
async function oneConnectionTooMany(target: CaseTarget, count: number, params: (index: number) => Promise<Record<string, unknown>>): Promise<Outcome> {
  const sockets: RawSocket[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const socket = await RawSocket.open(target.url, target.signal);
      sockets.push(socket);
      if (!(await socket.init(await params(i), target.signal))) {
        return { ...socketOutcome(socket), note: `connection ${i + 1} of ${count}, within the limit, was refused` };
      }
    }
    const extra = await RawSocket.open(target.url, target.signal);
    sockets.push(extra);
    if (extra.isOpen) {
      extra.send({ type: 'connection_init', payload: await params(count) });
      await extra.next((message) => message.type === 'connection_ack', target.signal);
    }
    await extra.waitForClose(target.signal, CLOSE_WAIT_MS);
    const outcome = socketOutcome(extra);
    if (extra.messages.some((message) => message.type === 'connection_ack')) outcome.message = 'connection_ack';
    return outcome;
  } finally {
    await Promise.all(sockets.map((socket) => socket.close()));
  }
}

// ---------------------------------------------------------------------------------------------
// Documents

function repeat(count: number, text: (index: number) => string, separator = ' '): string {
  return Array.from({ length: count }, (_, index) => text(index)).join(separator);
}

/**
 * `query { <root> }` and `levels` fragments on `type`, each spreading the next `spreads` times,
 * the last selecting `leaf`: small text, `spreads ** (levels - 1)` selections once expanded.
 */
function fanOut(options: { levels: number; spreads: number; type?: string; root?: (spread: string) => string; leaf?: string; operation?: string }): string {
  const type = options.type ?? 'Query';
  const root = options.root ?? ((spread: string) => spread);
  const fragments = repeat(options.levels - 1, (i) => `fragment F${i} on ${type} { ${repeat(options.spreads, () => `...F${i + 1}`)} }`, '\n');
  const last = `fragment F${options.levels - 1} on ${type} { ${options.leaf ?? '__typename'} }`;
  return `${options.operation ?? 'query FanOut'} { ${root('...F0')} }\n${fragments}\n${last}`;
}

/** `orders { edges { node { customer { orders … id } } } }` under a customer, `times` times: 4 levels each. */
function customerOrdersChain(times: number): string {
  let inner = 'id';
  for (let i = 0; i < times; i++) inner = `orders(first: 1) { edges { node { customer { ${inner} } } } }`;
  return inner;
}

function introspectionNesting(ofTypes: number): string {
  return `{ __schema { types { fields { type { ${'ofType { '.repeat(ofTypes)}name${' }'.repeat(ofTypes)} } } } } }`;
}

const ROOT_FIELDS_A = 'customerGroups { code } a1: customers(first: 0) { totalCount } a2: customers(first: 0) { totalCount } a3: customers(first: 0) { totalCount } a4: customers(first: 0) { totalCount } a5: customers(first: 0) { totalCount }';
const ROOT_FIELDS_B = 'orders(first: 0) { totalCount } b1: orders(first: 0) { totalCount } b2: orders(first: 0) { totalCount } b3: orders(first: 0) { totalCount } b4: orders(first: 0) { totalCount } b5: orders(first: 0) { totalCount }';

const SUBSCRIPTION = 'subscription { orderEvents { id } }';

/** A JSON array nested `depth` deep, as text (building it as a value and stringifying would overflow the stack). */
function nestedArrayJson(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

/** The body of `{ query, variables }` with `variablesJson` spliced in as text. */
function bodyWithVariables(query: string, variablesJson: string): string {
  return `{"query":${JSON.stringify(query)},"variables":${variablesJson}}`;
}

// ---------------------------------------------------------------------------------------------
// The cases

const LIMIT = 'OPERATION_LIMIT_EXCEEDED';
const VALIDATION = 'GRAPHQL_VALIDATION_FAILED';
const PARSE = 'GRAPHQL_PARSE_FAILED';
const BAD_REQUEST = 'BAD_REQUEST';
const BAD_USER_INPUT = 'BAD_USER_INPUT';

/** A refusal of the request as such: 400 or 415, BAD_REQUEST. */
const refusedRequest = anyOf(httpStatus(400, BAD_REQUEST), httpStatus(415, BAD_REQUEST));

/** Every case, payloads built. */
export function hostileCases(): HostileCase[] {
  const megabyteOfX = 'x'.repeat(900 * 1024);
  // Keys in base 36 keep the body under 1 MiB.
  const hundredThousandKeys = `{${repeat(100_000, (i) => `"${i.toString(36)}":0`, ',')}}`;

  return [
    // Fragments
    {
      name: 'fragment fan-out (30 fragments, each spreading the next twice)',
      transport: 'http',
      expected: graphqlError(LIMIT, { limit: 'selections' }),
      run: postOperation(fanOut({ levels: 30, spreads: 2 })),
    },
    {
      name: 'wide fragment fan-out (each fragment spreading the next 10 times, over 8 levels)',
      transport: 'http',
      expected: graphqlError(LIMIT, { limit: 'selections' }),
      run: postOperation(fanOut({ levels: 9, spreads: 10 })),
    },
    {
      name: 'fragment fan-out below a field (30 fragments on CustomerGroup)',
      transport: 'http',
      expected: graphqlError(LIMIT, { limit: 'selections' }),
      run: postOperation(fanOut({ levels: 30, spreads: 2, type: 'CustomerGroup', root: (spread) => `customerGroups { ${spread} }`, leaf: 'code' })),
    },
    {
      name: 'a fragment cycle (F1 spreads F2 spreads F1)',
      transport: 'http',
      expected: graphqlError(VALIDATION),
      run: postOperation('query Cycle { ...F1 }\nfragment F1 on Query { __typename ...F2 }\nfragment F2 on Query { __typename ...F1 }'),
    },
    {
      name: 'a fragment cycle through 50 fragments, each spreading the next twice',
      transport: 'http',
      expected: graphqlError(VALIDATION),
      run: postOperation(`query Cycle { ...F0 }\n${repeat(50, (i) => `fragment F${i} on Query { __typename ...F${(i + 1) % 50} ...F${(i + 1) % 50} }`, '\n')}`),
    },

    // Depth
    {
      name: 'nesting customers and orders 64 levels deep',
      transport: 'http',
      expected: graphqlError(LIMIT, { limit: 'depth' }),
      run: postOperation(`{ customers(first: 1) { edges { node { ${customerOrdersChain(15)} } } } }`),
    },
    {
      name: 'introspection nested 25 levels deep (__schema { types { fields { type { ofType … } } } })',
      transport: 'http',
      // Introspection is off in production: refused by validation there.
      expected: anyOf(graphqlError(LIMIT, { limit: 'depth' }), graphqlError(VALIDATION)),
      run: postOperation(introspectionNesting(20)),
    },
    {
      name: 'introspection nested 205 levels deep',
      transport: 'http',
      expected: anyOf(graphqlError(LIMIT, { limit: 'depth' }), graphqlError(VALIDATION)),
      run: postOperation(introspectionNesting(200)),
    },
    {
      name: 'selections of unknown fields nested 1,500 levels deep',
      transport: 'http',
      expected: anyOf(graphqlError(LIMIT, { limit: 'depth' }), graphqlError(VALIDATION)),
      run: postOperation(`{ ${'a { '.repeat(1_500)}b${' }'.repeat(1_500)} }`),
    },

    // Size of the document
    {
      name: 'one field repeated 10,000 times',
      transport: 'http',
      expected: graphqlError(LIMIT, { limit: 'tokens' }),
      run: postOperation(`{ ${'__typename '.repeat(10_000)}}`),
    },
    {
      name: 'one field repeated 2,400 times (under the token limit)',
      transport: 'http',
      // graphql-js would compare every pair of same-named fields (2.9 million) but stops at its own budget: "Validation aborted."
      expected: anyOf(answered(), graphqlError(LIMIT), graphqlError(VALIDATION)),
      run: postOperation(`{ ${'__typename '.repeat(2_400)}}`),
    },
    {
      name: '1,000 aliases of one field',
      transport: 'http',
      expected: graphqlError(LIMIT),
      run: postOperation(`{ ${repeat(1_000, (i) => `a${i}: __typename`)} }`),
    },
    {
      name: 'one directive repeated 500 times on one field',
      transport: 'http',
      expected: anyOf(graphqlError(VALIDATION), graphqlError(LIMIT, { limit: 'directives' })),
      run: postOperation(`{ __typename ${'@include(if: true) '.repeat(500)}}`),
    },
    {
      name: '400 fields each with @skip(if: false)',
      transport: 'http',
      expected: graphqlError(LIMIT),
      run: postOperation(`{ ${'__typename @skip(if: false) '.repeat(400)}}`),
    },
    {
      name: '12 root fields hidden in two fragment spreads',
      transport: 'http',
      expected: graphqlError(LIMIT, { limit: 'root fields' }),
      run: postOperation(`query Hidden { ...A ...B }\nfragment A on Query { ${ROOT_FIELDS_A} }\nfragment B on Query { ${ROOT_FIELDS_B} }`),
    },
    {
      name: '12 root fields hidden in inline fragments',
      transport: 'http',
      expected: graphqlError(LIMIT, { limit: 'root fields' }),
      run: postOperation(`{ ... on Query { ${ROOT_FIELDS_A} } ... @include(if: true) { ${ROOT_FIELDS_B} } }`),
    },
    {
      name: '12 root fields hidden in a fragment spread inside a fragment',
      transport: 'http',
      expected: graphqlError(LIMIT, { limit: 'root fields' }),
      run: postOperation(`query Hidden { ...Outer }\nfragment Outer on Query { ...Inner }\nfragment Inner on Query { ${ROOT_FIELDS_A} ${ROOT_FIELDS_B} }`),
    },
    {
      name: '1,000 named operations, one of them chosen by operationName',
      transport: 'http',
      expected: graphqlError(LIMIT, { limit: 'tokens' }),
      run: postOperation(repeat(1_000, (i) => `query Q${i} { __typename __typename }`, '\n'), { operationName: 'Q999' }),
    },
    {
      name: '1,000 named operations without an operationName',
      transport: 'http',
      expected: graphqlError(LIMIT, { limit: 'tokens' }),
      run: postOperation(repeat(1_000, (i) => `query Q${i} { __typename __typename }`, '\n')),
    },
    {
      name: 'two operations without an operationName',
      transport: 'http',
      expected: anyError(),
      run: postOperation('query A { __typename }\nquery B { __typename }'),
    },
    {
      name: '800 named operations (under the token limit) without an operationName',
      transport: 'http',
      expected: anyError(),
      run: postOperation(repeat(800, (i) => `query Q${i} { __typename }`, '\n')),
    },

    // Values
    {
      name: 'a 900 KB string literal as an argument',
      transport: 'http',
      // Not an id, so no customer: null, or an error that says why.
      expected: anyOf(answered(), graphqlError('NOT_FOUND'), graphqlError(BAD_USER_INPUT), graphqlError(LIMIT)),
      run: postOperation(`{ customer(id: "${megabyteOfX}") { name } }`),
    },
    {
      name: 'a 900 KB string variable',
      transport: 'http',
      expected: anyOf(answered(), graphqlError(BAD_USER_INPUT), graphqlError(LIMIT)),
      run: postOperation('query Search($s: String) { customers(first: 1, filter: { search: $s }) { totalCount } }', { variables: { s: megabyteOfX } }),
    },
    {
      name: 'first: 1e400',
      transport: 'http',
      expected: graphqlError(VALIDATION),
      run: postOperation('{ customers(first: 1e400) { totalCount } }'),
    },
    {
      name: 'a 5,000-digit Int literal',
      transport: 'http',
      expected: graphqlError(VALIDATION),
      run: postOperation(`{ customers(first: ${'9'.repeat(5_000)}) { totalCount } }`),
    },
    {
      name: 'a JSON number of 100,000 digits as an Int variable',
      transport: 'http',
      // JSON.parse makes it Infinity: not an Int (or, as a page size, a cost over any limit).
      expected: anyOf(graphqlError(BAD_USER_INPUT), graphqlError(LIMIT)),
      run: postRaw(bodyWithVariables('query Page($n: Int) { customers(first: $n) { totalCount } }', `{"n":${'9'.repeat(100_000)}}`)),
    },
    {
      name: 'a variables object with 100,000 keys',
      transport: 'http',
      expected: anyOf(answered(), refusedRequest, graphqlError(BAD_USER_INPUT)),
      run: postRaw(bodyWithVariables('{ customerGroups { code } }', hundredThousandKeys)),
    },
    {
      name: 'a variables object over 1 MiB',
      transport: 'http',
      expected: httpStatus(413, BAD_REQUEST),
      run: postOperation('query Search($s: String) { customers(first: 1, filter: { search: $s }) { totalCount } }', { variables: { s: 'x'.repeat(MAX_BODY_BYTES + 1) } }),
    },
    {
      name: 'a String variable holding lists nested 100,000 deep',
      transport: 'http',
      expected: anyOf(graphqlError(BAD_USER_INPUT), refusedRequest),
      run: postRaw(bodyWithVariables('query Search($s: String) { customers(first: 1, filter: { search: $s }) { totalCount } }', `{"s":${nestedArrayJson(100_000)}}`)),
    },
    {
      name: 'an undeclared variable holding lists nested 500,000 deep',
      transport: 'http',
      expected: anyOf(answered(), graphqlError(BAD_USER_INPUT), refusedRequest),
      run: postRaw(bodyWithVariables('{ customerGroups { code } }', `{"bomb":${nestedArrayJson(500_000)}}`)),
    },

    // The HTTP request itself
    {
      name: 'a JSON body that is an array nested 500,000 deep',
      transport: 'http',
      expected: refusedRequest,
      run: postRaw(nestedArrayJson(500_000)),
    },
    {
      name: 'a batch of 1,000 operations (batching is off)',
      transport: 'http',
      expected: refusedRequest,
      run: postRaw(JSON.stringify(Array.from({ length: 1_000 }, () => ({ query: '{ customerGroups { code } }' })))),
    },
    {
      name: 'invalid UTF-8 bytes in the query',
      transport: 'http',
      expected: anyOf(httpStatus(400, BAD_REQUEST), httpStatus(400, PARSE)),
      run: postRaw(Buffer.concat([Buffer.from('{"query":"{ __typename '), Buffer.from([0xff, 0xfe, 0xc0, 0xaf]), Buffer.from(' }"}')])),
    },
    {
      name: 'invalid UTF-8 bytes between JSON tokens',
      transport: 'http',
      expected: httpStatus(400, BAD_REQUEST),
      run: postRaw(Buffer.concat([Buffer.from('{"query":"{ __typename }"'), Buffer.from([0xc0, 0xa2, 0xff]), Buffer.from('}')])),
    },
    {
      name: 'a JSON body sent as text/plain',
      transport: 'http',
      expected: refusedRequest,
      run: postRaw(JSON.stringify({ query: '{ customerGroups { code } }' }), { 'content-type': 'text/plain' }),
    },
    {
      name: 'an XML body (application/xml)',
      transport: 'http',
      expected: refusedRequest,
      run: postRaw('<?xml version="1.0"?><query>{ customerGroups { code } }</query>', { 'content-type': 'application/xml' }),
    },
    {
      name: 'multipart/form-data without a boundary',
      transport: 'http',
      expected: refusedRequest,
      run: postRaw('--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{"query":"{ __typename }"}\r\n--x--', { 'content-type': 'multipart/form-data' }),
    },
    {
      name: 'a body without a content type',
      transport: 'http',
      expected: refusedRequest,
      // A Buffer body: fetch adds no content-type of its own.
      run: postRaw(Buffer.from(JSON.stringify({ query: '{ customerGroups { code } }' })), {}),
    },
    {
      name: 'an empty body',
      transport: 'http',
      expected: refusedRequest,
      run: postRaw(''),
    },
    {
      name: 'a GET with a 100 KB query string',
      transport: 'http',
      expected: anyOf(httpStatus(431), httpStatus(414)),
      run: (target) => send(target, { method: 'GET', search: `?query=${encodeURIComponent(`{ ${'__typename '.repeat(9_000)}}`)}`.slice(0, 100 * 1024) }),
    },
    {
      name: 'a slow client sending its headers one byte every 200 ms',
      transport: 'http',
      expected: httpStatus(408),
      waits: 'HTTP_HEADERS_TIMEOUT_MS, 1 s',
      run: (target) => trickle(target, { body: false, intervalMs: 200 }),
    },
    {
      name: 'a slow client sending its body one byte every 200 ms',
      transport: 'http',
      expected: httpStatus(408),
      waits: 'HTTP_REQUEST_TIMEOUT_MS, 2 s',
      run: (target) => trickle(target, { body: true, intervalMs: 200 }),
    },

    // WebSocket
    {
      name: 'a WebSocket client that never sends connection_init',
      transport: 'ws',
      expected: closedWith(CloseCode.ConnectionInitialisationTimeout),
      waits: 'WS_CONNECTION_INIT_TIMEOUT_MS, 1 s',
      run: async (target) => {
        const socket = await RawSocket.open(target.url, target.signal);
        try {
          await socket.waitForClose(target.signal);
          return socketOutcome(socket);
        } finally {
          await socket.close();
        }
      },
    },
    {
      name: 'a WebSocket message over 1 MiB',
      transport: 'ws',
      expected: closedWith(WS_CLOSE.messageTooBig),
      run: (target) =>
        withSocket(target, async (socket) => {
          socket.send({ id: 'hostile', type: 'subscribe', payload: { query: `${SUBSCRIPTION}#${'x'.repeat(MAX_BODY_BYTES)}` } });
          await socket.waitForClose(target.signal, CLOSE_WAIT_MS);
          return socketOutcome(socket, 'hostile');
        }),
    },
    {
      name: 'the fragment fan-out document as a subscribe message',
      transport: 'ws',
      expected: errorMessage(LIMIT, 'selections'),
      run: subscribeWith({ query: fanOut({ levels: 30, spreads: 2 }) }),
    },
    {
      name: 'a subscription with a fragment fan-out below its root field',
      transport: 'ws',
      expected: errorMessage(LIMIT, 'selections'),
      run: subscribeWith({ query: fanOut({ levels: 30, spreads: 2, type: 'OrderEvent', operation: 'subscription FanOut', root: (spread) => `orderEvents { ${spread} }`, leaf: 'id' }) }),
    },
    {
      name: 'a subscription over the token limit',
      transport: 'ws',
      expected: errorMessage(LIMIT, 'tokens'),
      run: subscribeWith({ query: `subscription { orderEvents { ${'id '.repeat(6_000)}} }` }),
    },
    {
      name: 'a subscription nested past the depth limit',
      transport: 'ws',
      expected: errorMessage(LIMIT, 'depth'),
      run: subscribeWith({ query: `subscription { orderEvents { order { customer { ${customerOrdersChain(3)} } } } }` }),
    },
    {
      name: 'a WebSocket message that is not JSON',
      transport: 'ws',
      expected: closedWith(CloseCode.BadRequest),
      run: (target) =>
        withSocket(target, async (socket) => {
          socket.send('{"type":"subscribe","id":');
          await socket.waitForClose(target.signal, CLOSE_WAIT_MS);
          return socketOutcome(socket);
        }),
    },
    {
      name: 'a second connection_init',
      transport: 'ws',
      expected: closedWith(CloseCode.TooManyInitialisationRequests),
      run: (target) =>
        withSocket(target, async (socket) => {
          socket.send({ type: 'connection_init', payload: await adminParams() });
          await socket.waitForClose(target.signal, CLOSE_WAIT_MS);
          return socketOutcome(socket);
        }),
    },
    {
      name: 'a sixth subscription on one connection (WS_MAX_SUBSCRIPTIONS_PER_CONNECTION=5)',
      transport: 'ws',
      expected: closedWith(WS_CLOSE.tooManySubscriptions),
      run: (target) =>
        withSocket(target, async (socket) => {
          for (let i = 1; i <= 6; i++) socket.send({ id: `s${i}`, type: 'subscribe', payload: { query: SUBSCRIPTION } });
          await socket.waitForClose(target.signal, CLOSE_WAIT_MS);
          const outcome = socketOutcome(socket, 's6');
          const refused = socket.messages.filter((message) => message.type === 'error').length;
          if (refused > 0) outcome.note = `${refused} subscriptions answered with an error message`;
          return outcome;
        }),
    },
    {
      name: 'an 11th connection from one address (WS_MAX_CONNECTIONS_PER_ADDRESS=10)',
      transport: 'ws',
      expected: closedWith(WS_CLOSE.tooManyConnectionsPerAddress),
      // A principal each, so that only the address limit applies.
      run: (target) => oneConnectionTooMany(target, 10, async (i) => ({ authorization: `Bearer ${await testToken({ sub: `hostile-address-${i}`, roles: ['readonly'] })}` })),
    },
    {
      name: 'a 6th connection for one principal (WS_MAX_CONNECTIONS_PER_PRINCIPAL=5)',
      transport: 'ws',
      expected: closedWith(WS_CLOSE.tooManyConnectionsPerPrincipal),
      run: (target) => {
        const token = testToken({ sub: 'hostile-principal', roles: ['readonly'] });
        return oneConnectionTooMany(target, 5, async () => ({ authorization: `Bearer ${await token}` }));
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Running a case while /health is polled

export interface HealthPolls {
  /** Latency of each poll that got an answer, in ms. */
  latenciesMs: number[];
  /** Each poll that did not get a 200: "503", "no answer within 2000 ms". */
  failures: string[];
}

export interface CaseRun {
  /** Undefined when the case failed to complete (see `failure`). */
  outcome?: Outcome;
  /** Why there is no outcome: the ceiling passed, or the case threw. */
  failure?: string;
  elapsedMs: number;
  health: HealthPolls;
}

/**
 * What was wrong with a run, if anything: no outcome, a 5xx, a stack trace, an answer other than
 * the expected one, a /health poll that failed, or the ceiling passed. Empty when the case was
 * answered well.
 */
export function problemsOf(hostile: HostileCase, run: CaseRun, ceilingMs = CASE_CEILING_MS): string[] {
  const problems: string[] = [];
  const outcome = run.outcome;
  if (!outcome) {
    problems.push(`no outcome: ${run.failure}`);
  } else {
    const excerpt = outcome.body ? `: ${outcome.body.slice(0, 300)}` : '';
    if (outcome.status !== undefined && outcome.status >= 500) problems.push(`a server error, ${describeOutcome(outcome)}${excerpt}`);
    if (outcome.stackTrace) problems.push(`a stack trace in the answer${excerpt}`);
    if (!hostile.expected.accepts(outcome)) problems.push(`expected ${hostile.expected.description}, got ${describeOutcome(outcome)}${excerpt}`);
  }
  const polls = run.health.latenciesMs.length + run.health.failures.length;
  if (polls === 0) problems.push('/health was never polled');
  if (run.health.failures.length > 0) {
    problems.push(`/health failed ${run.health.failures.length} of ${polls} polls (${[...new Set(run.health.failures)].join(', ')})`);
  }
  if (run.elapsedMs >= ceilingMs) problems.push(`took ${Math.round(run.elapsedMs)} ms, over the ${ceilingMs} ms ceiling`);
  return problems;
}

/** A /health poll that takes longer than this counts as failed. */
export const HEALTH_TIMEOUT_MS = 2_000;

/** GET /health once; the latency in ms, or why it failed. */
export async function pollHealth(routerUrl: string, timeoutMs = HEALTH_TIMEOUT_MS): Promise<{ latencyMs: number } | { failure: string }> {
  const started = performance.now();
  try {
    const response = await fetch(new URL('/health', routerUrl), { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    if (response.status !== 200) return { failure: `HTTP ${response.status}` };
    return { latencyMs: performance.now() - started };
  } catch {
    return { failure: `no answer within ${timeoutMs} ms` };
  }
}

/**
 * Runs `hostile` against the router at `routerUrl` while polling its /health every `pollMs`
 * (one poll at a time; the first at the start), and gives up at `ceilingMs`.
 */
export async function runCase(hostile: HostileCase, routerUrl: string, options: { ceilingMs?: number; pollMs?: number } = {}): Promise<CaseRun> {
  const ceilingMs = options.ceilingMs ?? CASE_CEILING_MS;
  const pollMs = options.pollMs ?? 50;
  const health: HealthPolls = { latenciesMs: [], failures: [] };
  const controller = new AbortController();
  // Every socket a case opens listens for the abort (eleven for the connection limits).
  setMaxListeners(100, controller.signal);
  const ceiling = setTimeout(() => controller.abort(new Error(`no outcome within ${ceilingMs} ms`)), ceilingMs);
  let running = true;
  let stopWaiting: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (stopWaiting = resolve));

  const poller = (async () => {
    while (running) {
      const started = performance.now();
      const polled = await pollHealth(routerUrl);
      if ('latencyMs' in polled) health.latenciesMs.push(polled.latencyMs);
      else health.failures.push(polled.failure);
      const wait = started + pollMs - performance.now();
      if (running && wait > 0) await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, wait))]);
    }
  })();

  const started = performance.now();
  let outcome: Outcome | undefined;
  let failure: string | undefined;
  try {
    outcome = await hostile.run({ url: routerUrl, signal: controller.signal });
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
  }
  const elapsedMs = performance.now() - started;
  clearTimeout(ceiling);
  running = false;
  stopWaiting();
  // Whatever the case left open (sockets) closes now.
  controller.abort(new Error('the case is over'));
  await poller;
  return { outcome, failure, elapsedMs, health };
}
