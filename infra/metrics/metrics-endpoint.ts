import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../auth/principal.js';
import { ErrorCode, httpErrorBody } from '../errors.js';
import { sendJson, startHttpServer, type RouteHandler } from '../http/http-server.js';
import type { Logger } from '../logger.js';
import { mergedMetrics, METRICS_CONTENT_TYPE, type Registry } from './metrics-registry.js';

/** The path every service serves its metrics at. */
export const METRICS_PATH = '/metrics';

/** The scope that reads `/metrics` through a service's own port (`admin` includes it). */
export const METRICS_SCOPE = 'metrics:read';

/** Whether `principal` may read metrics: it has `metrics:read` (or `admin`). */
export function mayReadMetrics(principal: Principal | undefined): boolean {
  return Boolean(principal && (principal.scopes.includes(METRICS_SCOPE) || principal.scopes.includes('admin')));
}

/**
 * Who is asking, for the metrics route: the verified principal (undefined without credentials), or
 * `answered` when the check already answered the request itself (credentials refused: 401, 429, 503).
 */
export type MetricsCaller = { principal: Principal | undefined } | 'answered';

/**
 * `GET /metrics`: the Prometheus text exposition of `registries` (merged when there are several).
 * With `identify`, a caller without credentials gets 401 and one without `metrics:read` 403, as JSON
 * error bodies with the stable codes; without it (the separate METRICS_PORT listener) anyone may read.
 */
export function metricsHandler(registries: readonly Registry[], identify?: (req: IncomingMessage, res: ServerResponse, requestId: string) => Promise<MetricsCaller>): RouteHandler {
  return async (req, res, requestId) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      sendJson(res, 405, httpErrorBody('Metrics are read with GET', ErrorCode.BadRequest, requestId));
      return;
    }
    if (identify) {
      const caller = await identify(req, res, requestId);
      if (caller === 'answered') return;
      if (!caller.principal) {
        res.setHeader('www-authenticate', 'Bearer realm="interchange"');
        sendJson(res, 401, httpErrorBody(`Reading metrics needs credentials with the ${METRICS_SCOPE} scope`, ErrorCode.Unauthenticated, requestId));
        return;
      }
      if (!mayReadMetrics(caller.principal)) {
        sendJson(res, 403, httpErrorBody(`Reading metrics needs the ${METRICS_SCOPE} scope`, ErrorCode.Forbidden, requestId));
        return;
      }
    }
    const body = await mergedMetrics(registries);
    res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

export interface RunningMetricsServer {
  /** `http://host:port/metrics`, with the port actually bound. */
  url: string;
  close(timeoutMs: number): Promise<void>;
}

/**
 * The separate listener of METRICS_PORT: `GET /metrics` without credentials, for a Prometheus on
 * the internal network (keep the port off the public one), and nothing else.
 */
export async function startMetricsServer(options: { port: number; host: string; registries: readonly Registry[]; logger: Logger }): Promise<RunningMetricsServer> {
  const http = await startHttpServer({
    port: options.port,
    host: options.host,
    logger: options.logger,
    routes: { [METRICS_PATH]: metricsHandler(options.registries) },
  });
  const url = `${http.origin}${METRICS_PATH}`;
  options.logger.info({ url }, 'metrics listening');
  return { url, close: (timeoutMs) => http.close(timeoutMs) };
}
