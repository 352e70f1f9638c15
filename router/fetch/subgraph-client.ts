import { STATUS_CODES, type IncomingHttpHeaders } from 'node:http';
import { Agent } from 'undici';
import { REQUEST_ID_HEADER } from '../../infra/http/request-id.js';

/** Headers that differ between requests that are otherwise identical: left out of the key that lets reads share a flight. */
const PER_REQUEST_HEADERS: ReadonlySet<string> = new Set([REQUEST_ID_HEADER, 'traceparent', 'tracestate']);

export interface SubgraphRequestInit {
  method?: string;
  headers: Record<string, string>;
  body: string;
}

/** A subgraph's response headers, read-only, looked up without regard to letter case as fetch's Headers are. */
export class SubgraphResponseHeaders {
  constructor(private readonly raw: IncomingHttpHeaders) {}

  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }

  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }

  *entries(): IterableIterator<[string, string]> {
    for (const name of Object.keys(this.raw).sort()) yield [name, this.get(name)!];
  }

  keys(): IterableIterator<string> {
    return Object.keys(this.raw).sort()[Symbol.iterator]();
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }

  forEach(callback: (value: string, name: string) => void): void {
    for (const [name, value] of this.entries()) callback(value, name);
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

/**
 * What @apollo/gateway reads of a subgraph's answer (ok, status, statusText, url, headers,
 * text(), json()), over a body already read in full. It stands in for a fetch Response: the
 * gateway reads every body whole anyway, and a Response costs a web stream to write the bytes
 * into and another to read them out. Each json() parses afresh, so callers sharing one answer
 * never share mutable objects.
 */
export class SubgraphResponse {
  readonly ok: boolean;
  readonly statusText: string;
  readonly headers: SubgraphResponseHeaders;

  constructor(
    readonly url: string,
    readonly status: number,
    headers: IncomingHttpHeaders,
    private readonly body: string,
    /** The answer of an identical request already in flight, sent by another caller (sendShared). */
    readonly shared = false,
  ) {
    this.ok = status >= 200 && status < 300;
    this.statusText = STATUS_CODES[status] ?? '';
    this.headers = new SubgraphResponseHeaders(headers);
  }

  async text(): Promise<string> {
    return this.body;
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.body);
  }
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * The router's HTTP client for subgraphs: undici's request API (no WHATWG fetch, no web
 * streams) over a keep-alive pool of at most `connections` sockets per subgraph. Reads that are
 * identical to one already in flight (same URL, body and headers, the request id and trace context aside) are
 * sent once; each caller gets its own SubgraphResponse over the shared bytes. Mutations never
 * share.
 *
 * Failures are what the resilience policy classifies: network errors keep undici's codes
 * (ECONNREFUSED, UND_ERR_SOCKET, ...) and a call not answered within its timeout fails with an
 * error named TimeoutError.
 */
export class SubgraphClient {
  private readonly agent: Agent;
  private readonly inFlight = new Map<string, Promise<Answer>>();
  /** Each subgraph URL split once into what undici's request() takes. */
  private readonly targets = new Map<string, { origin: string; path: string }>();
  /** Reads actually sent, and reads answered from another's flight (tests count them). */
  readonly counts = { sent: 0, shared: 0 };

  constructor(connections: number) {
    this.agent = new Agent({ connections, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000 });
  }

  async send(url: string, init: SubgraphRequestInit, timeoutMs: number): Promise<SubgraphResponse> {
    const answer = await this.request(url, init, timeoutMs);
    return new SubgraphResponse(url, answer.status, answer.headers, answer.body);
  }

  async sendShared(url: string, init: SubgraphRequestInit, timeoutMs: number): Promise<SubgraphResponse> {
    // Header names and values cannot hold a line break (RFC 9110), nor can the URL: joined by
    // line breaks, with an empty line before the body, the key is unambiguous.
    let key = `${url}\n`;
    for (const name of Object.keys(init.headers).sort()) {
      if (!PER_REQUEST_HEADERS.has(name.toLowerCase())) key += `${name}: ${init.headers[name]}\n`;
    }
    key += `\n${init.body}`;
    let flight = this.inFlight.get(key);
    const shared = flight !== undefined;
    if (flight) {
      this.counts.shared += 1;
    } else {
      this.counts.sent += 1;
      flight = this.request(url, init, timeoutMs).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, flight);
    }
    const answer = await flight;
    return new SubgraphResponse(url, answer.status, answer.headers, answer.body, shared);
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  private async request(url: string, init: SubgraphRequestInit, timeoutMs: number): Promise<Answer> {
    let target = this.targets.get(url);
    if (!target) {
      const parsed = new URL(url);
      target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
      this.targets.set(url, target);
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
    try {
      const response = await this.agent.request({
        origin: target.origin,
        path: target.path,
        method: (init.method ?? 'POST') as 'POST',
        headers: init.headers,
        body: init.body,
        signal: controller.signal,
      });
      return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
    } finally {
      clearTimeout(timer);
    }
  }
}
