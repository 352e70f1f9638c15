import { Agent, fetch, Response, type RequestInit } from 'undici';
import { REQUEST_ID_HEADER } from '../infra/http/request-id.js';

interface SharedResponse {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: string;
}

export type SubgraphRequestInit = RequestInit & { headers: Record<string, string>; body: string };

/**
 * The router's HTTP client for subgraphs: undici with a keep-alive pool of at most
 * `connections` sockets per subgraph. Reads that are identical to one already in flight (same
 * URL, body and headers, the request id aside) are sent once; each caller gets its own Response
 * over the shared bytes, so nothing downstream shares mutable objects. Mutations never share.
 */
export class SubgraphClient {
  private readonly agent: Agent;
  private readonly inFlight = new Map<string, Promise<SharedResponse>>();
  /** Reads actually sent, and reads answered from another's flight (tests count them). */
  readonly counts = { sent: 0, shared: 0 };

  constructor(connections: number) {
    this.agent = new Agent({ connections, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000 });
  }

  send(url: string, init: SubgraphRequestInit, timeoutMs: number): Promise<Response> {
    return fetch(url, { ...init, dispatcher: this.agent, signal: AbortSignal.timeout(timeoutMs) });
  }

  async sendShared(url: string, init: SubgraphRequestInit, timeoutMs: number): Promise<Response> {
    const headers = Object.entries(init.headers)
      .filter(([name]) => name.toLowerCase() !== REQUEST_ID_HEADER)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    const key = JSON.stringify([url, headers, init.body]);
    let flight = this.inFlight.get(key);
    if (flight) {
      this.counts.shared += 1;
    } else {
      this.counts.sent += 1;
      flight = this.send(url, init, timeoutMs)
        .then(async (response) => ({
          status: response.status,
          statusText: response.statusText,
          headers: [...response.headers],
          body: await response.text(),
        }))
        .finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, flight);
    }
    const shared = await flight;
    return new Response(shared.body, { status: shared.status, statusText: shared.statusText, headers: shared.headers });
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

