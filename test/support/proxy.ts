import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountingProxy {
  url: string;
  /** Requests received so far. */
  requests(): number;
  /** Distinct TCP connections the requests came on. */
  connections(): number;
  /** The headers of the last request received. */
  lastHeaders(): IncomingHttpHeaders | undefined;
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of a subgraph that counts requests, answers the first `failures`
 * with 503, and can hold every answer for `delayMs`.
 */
export async function countingProxy(target: string, options: { failures?: number; delayMs?: number } = {}): Promise<CountingProxy> {
  let requests = 0;
  let lastHeaders: IncomingHttpHeaders | undefined;
  const sockets = new Set<unknown>();
  const server = createServer(async (req, res) => {
    requests += 1;
    lastHeaders = req.headers;
    sockets.add(req.socket);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (requests <= (options.failures ?? 0)) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable');
      return;
    }
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    for (const name of ['authorization', 'x-request-id', 'x-interchange-identity']) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const upstream = await fetch(target, { method: 'POST', headers, body: Buffer.concat(chunks) });
    res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    requests: () => requests,
    connections: () => sockets.size,
    lastHeaders: () => lastHeaders,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
