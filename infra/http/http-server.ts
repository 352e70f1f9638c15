import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Server as NetServer, type AddressInfo } from 'node:net';
import { ErrorCode, httpErrorBody } from '../errors.js';
import type { Logger } from '../logger.js';
import { assignRequestId } from './request-id.js';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, requestId: string) => Promise<void> | void;

export interface HttpServerOptions {
  port: number;
  host: string;
  /** Handlers by exact path (query string ignored). */
  routes: Record<string, RouteHandler>;
  logger: Logger;
  /**
   * Runs before routing, for concerns such as CORS. Returning true means the
   * response has been sent (a pre-flight answered) and routing is skipped.
   */
  intercept?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Take the caller's x-request-id as the request's (a subgraph, called by the router); default true. The router makes its own. */
  trustClientRequestId?: boolean;
  /** A client must have sent its request headers within this; default 20 s. Past it: 408, and the connection closes. */
  headersTimeoutMs?: number;
  /** A client must have sent its whole request within this; default 60 s. */
  requestTimeoutMs?: number;
}

export interface RunningHttpServer {
  server: Server;
  /** `http://host:port` with the port actually bound (tests pass port 0). */
  origin: string;
  /** Stops accepting, lets in-flight requests finish for up to `timeoutMs`, then drops what remains. */
  close(timeoutMs: number): Promise<void>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  let inFlight = 0;
  let idle: (() => void) | undefined;
  let closing = false;

  const headersTimeout = options.headersTimeoutMs ?? 20_000;
  const requestTimeout = Math.max(options.requestTimeoutMs ?? 60_000, headersTimeout);
  // Node checks these timeouts every `connectionsCheckingInterval` (30 s by default): check often
  // enough that a slow client is cut off close to its timeout.
  const server = createServer({ connectionsCheckingInterval: Math.min(1_000, headersTimeout / 2) }, (req, res) => {
    inFlight += 1;
    res.on('close', () => {
      inFlight -= 1;
      if (inFlight === 0) idle?.();
    });
    if (closing) res.setHeader('connection', 'close');
    const requestId = assignRequestId(req, res, options.trustClientRequestId ?? true);
    if (options.intercept?.(req, res)) return;
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    const handler = options.routes[path];
    if (!handler) {
      sendJson(res, 404, httpErrorBody(`No route for ${path}`, ErrorCode.BadRequest, requestId));
      return;
    }
    Promise.resolve()
      .then(() => handler(req, res, requestId))
      .catch((error: unknown) => {
        options.logger.error({ err: error, requestId, path }, 'request handler failed');
        if (!res.headersSent) sendJson(res, 500, httpErrorBody('Unexpected error', ErrorCode.InternalServerError, requestId));
        else res.destroy();
      });
  });
  // Slow or stuck clients must not hold sockets forever.
  server.headersTimeout = headersTimeout;
  server.requestTimeout = requestTimeout;
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;

  return {
    server,
    origin: `http://${host}:${port}`,
    async close(timeoutMs) {
      closing = true;
      const deadline = Date.now() + timeoutMs;
      // net.Server's close stops accepting but, unlike http.Server's, does not drop accepted
      // connections whose request has not been parsed yet (the event loop was busy): those
      // requests were sent before the close and are served like the others.
      const closed = new Promise<void>((resolveClose) => NetServer.prototype.close.call(server, () => resolveClose()));
      const drained = () =>
        new Promise<void>((resolveIdle) => {
          if (inFlight === 0) return resolveIdle();
          const timer = setTimeout(resolveIdle, Math.max(0, deadline - Date.now()));
          idle = () => {
            clearTimeout(timer);
            resolveIdle();
          };
        });
      do {
        await drained();
        // Give sockets with unread data one more turn of the event loop to produce their request.
        await new Promise((resolveTurn) => setTimeout(resolveTurn, 10));
      } while (inFlight > 0 && Date.now() < deadline);
      server.closeIdleConnections();
      server.closeAllConnections();
      await closed;
    },
  };
}
