import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { ErrorCode, httpErrorBody } from '../errors.js';
import { attachReleaseHandle, release, type ReleaseHandle } from '../graphql/request-release.js';
import { sendJson, type RouteHandler } from './http-server.js';

export interface GraphQLHandlerOptions<TContext extends BaseContext> {
  /** Builds the per-request context; runs once per HTTP request, after the body is read. */
  context: (req: IncomingMessage, requestId: string) => Promise<TContext> | TContext;
  /** Requests with a larger body get 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /**
   * Runs once the request is read, before Apollo Server; returning true means it has answered
   * (the router's response cache does). Throwing from it fails the request with a 500.
   */
  respond?: (request: { method: string; body: unknown }, req: IncomingMessage, res: ServerResponse, requestId: string) => Promise<boolean>;
  /**
   * Once the response is written, also empty Apollo Server's copy of the context (see
   * request-release.ts); the result is always dropped. For servers whose operations leave no
   * work running after their response: every resolver awaited, no retry that reads the context later.
   */
  releaseContext?: boolean;
}

class BodyTooLarge extends Error {}

/** The request body as text; rejects with BodyTooLarge past `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolveBody, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Plugs Apollo Server into a plain node:http server: the body is read and parsed here,
 * everything GraphQL (CSRF prevention, GET, batching, landing page) stays in Apollo Server.
 */
export function graphqlHandler<TContext extends BaseContext>(
  server: ApolloServer<TContext>,
  options: GraphQLHandlerOptions<TContext>,
): RouteHandler {
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  return async (req: IncomingMessage, res: ServerResponse, requestId: string) => {
    let body: unknown;
    if (req.method === 'POST') {
      let raw: string;
      try {
        raw = await readBody(req, maxBodyBytes);
      } catch (error) {
        if (!(error instanceof BodyTooLarge)) throw error;
        res.setHeader('connection', 'close');
        sendJson(res, 413, httpErrorBody(`Request body larger than ${maxBodyBytes} bytes`, ErrorCode.BadRequest, requestId));
        return;
      }
      const isJson = (req.headers['content-type'] ?? '').toLowerCase().includes('json');
      if (isJson && raw.length > 0) {
        try {
          body = JSON.parse(raw);
        } catch {
          sendJson(res, 400, httpErrorBody('The request body is not valid JSON', ErrorCode.BadRequest, requestId));
          return;
        }
      } else {
        body = raw;
      }
    }

    const url = req.url ?? '/';
    const queryStart = url.indexOf('?');
    const method = req.method?.toUpperCase() ?? 'GET';
    const search = queryStart >= 0 ? url.slice(queryStart) : '';
    if (options.respond && (await options.respond({ method, body }, req, res, requestId))) return;
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    let handle: ReleaseHandle | undefined;
    try {
      const response = await server.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method, headers, search, body },
        context: async () => {
          const context = await options.context(req, requestId);
          handle = attachReleaseHandle(context);
          return context;
        },
      });

      for (const [name, value] of response.headers) res.setHeader(name, value);
      res.statusCode = response.status ?? 200;
      if (response.body.kind === 'complete') {
        res.end(response.body.string);
        return;
      }
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    } finally {
      if (handle) release(handle, { context: options.releaseContext === true });
    }
  };
}
