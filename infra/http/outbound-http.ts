import { lookup as dnsLookup } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { z } from 'zod';

/**
 * HTTP for addresses that users configure (outbound webhooks first), with a guard against
 * server-side request forgery: by default nothing is sent to a loopback, private, link-local,
 * metadata or otherwise special address. The check runs where the socket is opened (undici's
 * `connect`), on the addresses DNS gave for that very connection, so a name that answers
 * differently between a check and the connect (DNS rebinding) cannot slip through; the peer
 * address of the connected socket is checked once more. Redirects are followed here, not by
 * undici, so each hop goes through the same connector.
 */

/** A destination that is forbidden (an address, a scheme, a malformed URL): sending it again as it is fails again. */
/**
 * A setting listing hosts that outbound requests may reach although they are loopback, private or
 * link-local addresses (`WEBHOOK_ALLOWED_HOSTS`, `POLL_ALLOWED_HOSTS`): comma-separated host names
 * or IP addresses as written in URLs, without ports; default none.
 */
export const allowedHostsSetting = z
  .string()
  .default('')
  .transform((value) => value.split(',').map((host) => host.trim()).filter(Boolean))
  .refine((hosts) => hosts.every((host) => /^(\[[0-9a-f:.]+\]|[0-9a-f:.]+|[a-z0-9_-]+(\.[a-z0-9_-]+)*)$/i.test(host)), 'must be host names or IP addresses, comma-separated, without ports');

export class OutboundRefused extends Error {
  override name = 'OutboundRefused';

  constructor(readonly reason: string) {
    super(`outbound request refused: ${reason}`);
  }
}

export interface OutboundResponse {
  status: number;
  /** The first 1 KB of the response body, decoded as UTF-8 (a character cut at the limit shows as U+FFFD). */
  bodyExcerpt: string;
  /** From the call to the end of the last response's body, redirects included. */
  latencyMs: number;
}

/** A GET's answer: its status and whole body. */
export interface OutboundBody {
  status: number;
  body: string;
  latencyMs: number;
}

export interface OutboundHttp {
  /**
   * POSTs `body` and resolves with the final response, whatever its status. Rejects with
   * OutboundRefused for a forbidden destination (before anything is sent to it), with an Error
   * named TimeoutError when the whole exchange outlasts `timeoutMs`, and with undici's network
   * errors (ECONNREFUSED, UND_ERR_SOCKET, ...) otherwise.
   *
   * Redirects: 307 and 308 are followed (the POST repeated with its body, each new address
   * checked as the first), up to `maxRedirects`; past that the last 3xx is the response.
   * 301, 302 and 303 are never followed (they would turn the POST into a GET): the 3xx is the
   * response, for the caller to count as a failed delivery. Authorization, Cookie and
   * Proxy-Authorization are dropped when a redirect leaves the origin, as fetch does.
   */
  post(url: string, init: { headers: Record<string, string>; body: string }): Promise<OutboundResponse>;
  /**
   * GETs `url` and resolves with the final response and its whole body (UTF-8), whatever its
   * status. Rejects as `post` does, and with OutboundRefused when the body is over `maxBytes`
   * (the connection is closed). Every redirect (301, 302, 303, 307, 308) is followed as a GET,
   * up to `maxRedirects`, each address checked as the first; credentials are dropped when a
   * redirect leaves the origin. For sources the hub reads (polling connectors).
   */
  get(url: string, init: { headers: Record<string, string>; maxBytes: number }): Promise<OutboundBody>;
  /** Lets requests in flight finish, then closes every connection. */
  close(): Promise<void>;
}

export interface OutboundHttpOptions {
  /**
   * Host names and IP addresses, as a URL's host would be written (no port), that skip the
   * address check: for development and tests (`localhost`, `127.0.0.1`). Matched exactly and
   * without regard to case against the URL's host, never against what a name resolves to:
   * allowing `127.0.0.1` does not allow `localhost`.
   */
  allowedHosts: readonly string[];
  /** The whole exchange, redirects and the body read included. */
  timeoutMs: number;
  /** 307/308 redirects followed per request; default 3, 0 follows none. */
  maxRedirects?: number;
  /** Keep-alive connections kept per origin; default 10. */
  maxConnectionsPerOrigin?: number;
}

const EXCERPT_BYTES = 1024;
/** A longer body is not read to its end: its connection is closed instead of reused. */
const DRAIN_LIMIT_BYTES = 64 * 1024;
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

/** [first address, prefix length, what the range is]. 255.255.255.255 (broadcast) lies in 240.0.0.0/4. */
const FORBIDDEN_IPV4: ReadonlyArray<readonly [string, number, string]> = [
  ['0.0.0.0', 8, '"this network"'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'shared address space (CGNAT)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved or broadcast'],
];

const FORBIDDEN_IPV6: ReadonlyArray<readonly [string, number, string]> = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['fc00::', 7, 'unique local (AWS metadata fd00:ec2::254 among them)'],
  ['fe80::', 10, 'link-local'],
  ['ff00::', 8, 'multicast'],
];

/** `10.0.0.0` under `64:ff9b::/96` (NAT64): `64:ff9b::a00:0`. */
function nat64(ipv4: string): string {
  const [a = 0, b = 0, c = 0, d = 0] = ipv4.split('.').map(Number);
  return `64:ff9b::${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
}

interface Rule {
  list: BlockList;
  label: string;
}

function rule(address: string, prefix: number, family: 'ipv4' | 'ipv6', label: string): Rule {
  const list = new BlockList();
  list.addSubnet(address, prefix, family);
  return { list, label };
}

// BlockList checks an IPv4-mapped IPv6 address (::ffff:7f00:1) against the IPv4 rules itself;
// NAT64 addresses get rules of their own, one per forbidden IPv4 range.
const RULES: readonly Rule[] = [
  ...FORBIDDEN_IPV4.map(([address, prefix, what]) => rule(address, prefix, 'ipv4', `${what} (${address}/${prefix})`)),
  ...FORBIDDEN_IPV6.map(([address, prefix, what]) => rule(address, prefix, 'ipv6', `${what} (${address}/${prefix})`)),
  ...FORBIDDEN_IPV4.map(([address, prefix, what]) => rule(nat64(address), 96 + prefix, 'ipv6', `${what} (${address}/${prefix}) behind NAT64`)),
];

/**
 * Why an outbound request must not go to `address`, or undefined when it may. Anything that
 * is not an IP address is forbidden.
 */
export function forbiddenAddress(address: string): string | undefined {
  const bare = address.replace(/%.*$/, '');
  const version = isIP(bare);
  if (version === 0) return `not an IP address: ${JSON.stringify(address)}`;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  return RULES.find(({ list }) => list.check(bare, family))?.label;
}

/** An allowedHosts entry, or a URL's host, as compared: lower case, an IPv6 address bare and canonical. */
function hostKey(host: string): string {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return isIP(bare) === 6 ? new URL(`http://[${bare}]`).hostname.slice(1, -1) : bare;
}

function allowedHostSet(entries: readonly string[]): ReadonlySet<string> {
  for (const entry of entries) {
    if (!isIP(entry.replace(/^\[(.*)\]$/, '$1')) && !/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/i.test(entry)) {
      throw new Error(`allowedHosts: ${JSON.stringify(entry)} is not a host name or IP address (no port, no scheme)`);
    }
  }
  return new Set(entries.map(hostKey));
}

/** dns.lookup that fails with OutboundRefused when any address of the name is forbidden. */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '');
    for (const { address } of addresses) {
      const reason = forbiddenAddress(address);
      if (reason) return callback(new OutboundRefused(`${hostname} resolves to ${address}: ${reason}`), '');
    }
    const first = addresses[0];
    if (options.all) callback(null, addresses);
    else if (first) callback(null, first.address, first.family);
    else callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
  });
};

/**
 * undici's connector with the guard: an IP literal is checked here (Node does not look it up),
 * a name through guardedLookup, and the connected socket's peer address once more.
 */
function guardedConnector(allowed: ReadonlySet<string>, timeoutMs: number): buildConnector.connector {
  const unchecked = buildConnector({ timeout: timeoutMs });
  const checked = buildConnector({ timeout: timeoutMs, lookup: guardedLookup });
  return (options, callback) => {
    const host = hostKey(options.hostname);
    if (allowed.has(host)) return unchecked(options, callback);
    if (isIP(host)) {
      const reason = forbiddenAddress(host);
      if (reason) return callback(new OutboundRefused(`${host} is ${reason}`), null);
    }
    checked(options, (error, socket) => {
      if (error) return callback(error, null);
      const reason = forbiddenAddress(socket.remoteAddress ?? '');
      if (!reason) return callback(null, socket);
      socket.destroy();
      callback(new OutboundRefused(`${host} connected to ${socket.remoteAddress}: ${reason}`), null);
    });
  };
}

function httpUrl(url: string, base?: URL): URL {
  let parsed: URL;
  try {
    parsed = new URL(url, base);
  } catch {
    throw new OutboundRefused(`not a valid URL: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new OutboundRefused(`only http: and https: URLs are allowed, not ${parsed.protocol}`);
  }
  return parsed;
}

function withoutCredentials(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !CREDENTIAL_HEADERS.has(name.toLowerCase())));
}

/** Aborts `controller` with a TimeoutError naming the origin asked last, after `timeoutMs`: the whole exchange, redirects included. */
function deadline(timeoutMs: number, origin: () => string): { controller: AbortController; timer: NodeJS.Timeout } {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    const error = new Error(`outbound request to ${origin()} timed out after ${timeoutMs} ms`);
    error.name = 'TimeoutError';
    controller.abort(error);
  }, timeoutMs);
  return { controller, timer };
}

/** The whole body, or OutboundRefused once it passes `maxBytes` (leaving the loop destroys the body). */
async function readAll(body: AsyncIterable<Buffer>, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let seen = 0;
  for await (const chunk of body) {
    seen += chunk.length;
    if (seen > maxBytes) throw new OutboundRefused(`the response body is over ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The first EXCERPT_BYTES of `body`. The rest is read and dropped up to DRAIN_LIMIT_BYTES, so
 * that the connection can serve the next request; past that, leaving the loop destroys the
 * body and undici closes the connection.
 */
async function readExcerpt(body: AsyncIterable<Buffer>): Promise<string> {
  const kept: Buffer[] = [];
  let seen = 0;
  for await (const chunk of body) {
    if (seen < EXCERPT_BYTES) kept.push(chunk.subarray(0, EXCERPT_BYTES - seen));
    seen += chunk.length;
    if (seen > DRAIN_LIMIT_BYTES) break;
  }
  return Buffer.concat(kept).toString('utf8');
}

export function createOutboundHttp(options: OutboundHttpOptions): OutboundHttp {
  const { timeoutMs, maxRedirects = 3, maxConnectionsPerOrigin = 10 } = options;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw new RangeError(`timeoutMs must be a positive number, not ${timeoutMs}`);
  if (!(Number.isInteger(maxRedirects) && maxRedirects >= 0)) throw new RangeError(`maxRedirects must be a whole number, not ${maxRedirects}`);
  if (!(Number.isInteger(maxConnectionsPerOrigin) && maxConnectionsPerOrigin >= 1)) {
    throw new RangeError(`maxConnectionsPerOrigin must be a positive whole number, not ${maxConnectionsPerOrigin}`);
  }
  const agent = new Agent({
    connect: guardedConnector(allowedHostSet(options.allowedHosts), timeoutMs),
    connections: maxConnectionsPerOrigin,
  });

  return {
    async post(url, init) {
      const started = performance.now();
      let target = httpUrl(url);
      let headers = init.headers;
      const { controller, timer } = deadline(timeoutMs, () => target.origin);
      try {
        for (let redirects = 0; ; redirects += 1) {
          const response = await agent.request({
            origin: target.origin,
            path: `${target.pathname}${target.search}`,
            method: 'POST',
            headers,
            body: init.body,
            signal: controller.signal,
          });
          const bodyExcerpt = await readExcerpt(response.body);
          const { location } = response.headers;
          const repeatable = response.statusCode === 307 || response.statusCode === 308;
          if (!repeatable || typeof location !== 'string' || redirects >= maxRedirects) {
            return { status: response.statusCode, bodyExcerpt, latencyMs: Math.round(performance.now() - started) };
          }
          const next = httpUrl(location, target);
          if (next.origin !== target.origin) headers = withoutCredentials(headers);
          target = next;
        }
      } catch (error) {
        throw controller.signal.aborted ? controller.signal.reason : error;
      } finally {
        clearTimeout(timer);
      }
    },

    async get(url, init) {
      const started = performance.now();
      let target = httpUrl(url);
      let headers = init.headers;
      const { controller, timer } = deadline(timeoutMs, () => target.origin);
      try {
        for (let redirects = 0; ; redirects += 1) {
          const response = await agent.request({ origin: target.origin, path: `${target.pathname}${target.search}`, method: 'GET', headers, signal: controller.signal });
          const { location } = response.headers;
          const redirect = [301, 302, 303, 307, 308].includes(response.statusCode) && typeof location === 'string' && redirects < maxRedirects;
          if (!redirect) {
            const body = await readAll(response.body, init.maxBytes);
            return { status: response.statusCode, body, latencyMs: Math.round(performance.now() - started) };
          }
          await readExcerpt(response.body);
          const next = httpUrl(location, target);
          if (next.origin !== target.origin) headers = withoutCredentials(headers);
          target = next;
        }
      } catch (error) {
        throw controller.signal.aborted ? controller.signal.reason : error;
      } finally {
        clearTimeout(timer);
      }
    },

    close() {
      return agent.close();
    },
  };
}
