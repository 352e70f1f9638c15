import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import type { RouteHandler } from '../infra/http/http-server.js';
import { fromRoot } from '../infra/paths.js';

/** Where the page is served. Vite builds with `/dashboard/` as its base, so every asset URL starts with it. */
export const DASHBOARD_PATH = '/dashboard';

/** Where `npm run build:dashboard` writes the page (router/dashboard/vite.config.ts). */
export const DASHBOARD_BUILD_DIR = fromRoot('dist', 'dashboard');

/** The file types a build has; a file of any other type is not served. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** Vite names what it emits under assets/ by content hash: a changed file is a new URL, so these never go stale. */
const HASHED_ASSET = 'public, max-age=31536000, immutable';

interface BuiltFile {
  body: Buffer;
  contentType: string;
  cacheControl: string;
  etag: string;
}

/**
 * The operators' dashboard (sources in router/dashboard/): index.html at `/dashboard` and
 * `/dashboard/`, the built assets at `/dashboard/assets/<name>`.
 *
 * The build is read once, when the router starts, and the routes are exactly its files: a path
 * that names no file of the build (`..`, encoded or not, another folder, a file written since)
 * has no route and gets the router's 404 like any unknown path, so there is no path to resolve
 * and nothing to traverse. A rebuild is served after a restart: Vite empties the folder and
 * renames the hashed files, so reading it live would mix two builds. Without a build the page's
 * paths answer 503 saying how to make one.
 *
 * The page holds no data and needs no credentials; what it shows comes from `/graphql` with the
 * operator's token. Its Content-Security-Policy admits scripts, styles and connections from the
 * router's own origin only.
 */
export function dashboardRoutes(dir: string = DASHBOARD_BUILD_DIR): Record<string, RouteHandler> {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) {
    const missing: RouteHandler = (_req, res) => {
      sendText(res, 503, `The dashboard is not built: run npm run build:dashboard, then restart the router.\n`);
    };
    return { [DASHBOARD_PATH]: missing, [`${DASHBOARD_PATH}/`]: missing };
  }
  const page = builtFile(readFileSync(index), CONTENT_TYPES['.html']!, 'no-cache');
  const routes: Record<string, RouteHandler> = {
    [DASHBOARD_PATH]: serve(page, true),
    [`${DASHBOARD_PATH}/`]: serve(page, true),
  };
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const contentType = CONTENT_TYPES[extname(name)];
    const path = name.split(/[\\/]/).join('/');
    if (!contentType || path === 'index.html') continue;
    const cacheControl = path.startsWith('assets/') ? HASHED_ASSET : 'no-cache';
    routes[`${DASHBOARD_PATH}/${path}`] = serve(builtFile(readFileSync(join(dir, name)), contentType, cacheControl), false);
  }
  return routes;
}

function builtFile(body: Buffer, contentType: string, cacheControl: string): BuiltFile {
  return { body, contentType, cacheControl, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

/** GET and HEAD of one file, with a 304 for a matching If-None-Match; `document` adds the page's policies. */
function serve(file: BuiltFile, document: boolean): RouteHandler {
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return sendText(res, 405, 'Use GET\n');
    }
    res.setHeader('x-content-type-options', 'nosniff');
    if (document) {
      res.setHeader('content-security-policy', contentSecurityPolicy(req.headers));
      res.setHeader('referrer-policy', 'no-referrer');
      res.setHeader('x-frame-options', 'DENY');
    }
    res.setHeader('cache-control', file.cacheControl);
    res.setHeader('etag', file.etag);
    if (req.headers['if-none-match'] === file.etag) {
      res.writeHead(304).end();
      return;
    }
    res.writeHead(200, { 'content-type': file.contentType, 'content-length': file.body.length });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  };
}

/** A host name, IPv4 or bracketed IPv6 address, with an optional port: what a Host header may be put into the policy as. */
const PLAIN_HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * Same origin only. `connect-src 'self'` covers `/graphql` and, in CSP Level 3 browsers, the
 * WebSocket to it; older WebKit does not count ws:/wss: as 'self', hence the router's own host
 * named with both schemes (a TLS proxy in front may make it wss:).
 */
export function contentSecurityPolicy(headers: IncomingHttpHeaders): string {
  const host = headers.host;
  const sockets = host && PLAIN_HOST.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    `connect-src 'self'${sockets}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}
