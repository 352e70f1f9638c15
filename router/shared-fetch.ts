import { REQUEST_ID_HEADER } from '../infra/http/request-id.js';

interface SharedResponse {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: string;
}

/**
 * Sends identical subgraph requests that are in flight at the same time once: the same URL,
 * body (query, variables) and headers, the request id aside. Each caller gets its own Response
 * over the shared bytes, so nothing downstream shares mutable objects. Only for reads: the
 * caller decides, and mutations never share.
 */
export class SharedFetch {
  private readonly inFlight = new Map<string, Promise<SharedResponse>>();
  /** Requests actually sent, and requests answered from another's flight (tests count them). */
  readonly counts = { sent: 0, shared: 0 };

  async fetch(url: string, init: RequestInit & { headers: Record<string, string>; body: string }, timeoutMs: number): Promise<Response> {
    const headers = Object.entries(init.headers)
      .filter(([name]) => name.toLowerCase() !== REQUEST_ID_HEADER)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    const key = JSON.stringify([url, headers, init.body]);
    let flight = this.inFlight.get(key);
    if (flight) {
      this.counts.shared += 1;
    } else {
      this.counts.sent += 1;
      flight = fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) })
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
}
