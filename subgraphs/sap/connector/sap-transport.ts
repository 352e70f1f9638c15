import type { IncomingHttpHeaders } from 'node:http';
import { Agent, request } from 'undici';
import type { Logger } from '../../../infra/logger.js';
import { CookieJar } from './cookie-jar.js';
import { OAuthTokenSource } from './oauth-token-source.js';
import type { SapSystemConfig } from './sap-config.js';
import { networkErrorCode, TRANSIENT_NETWORK_CODES } from '../../../infra/resilience/network-errors.js';
import type { CircuitStateName } from '../../../infra/resilience/circuit-state.js';
import { SapPolicy, SapTransportFailure } from './sap-policy.js';
import type { SapOutcome, SapSystemMetrics } from './sap-metrics.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'MERGE';

export interface SapRequest {
  method: HttpMethod;
  /** Absolute path on the system (the base URL's path is prefixed), without a query. */
  path: string;
  /** Query parameters, already encoded (`$filter=A%20eq%20'1'`), without `?`; `sap-client` is added. */
  query?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Reads are retried on transient failures; writes never are. */
  idempotent: boolean;
  /** The cookies sent and kept: the system's own jar by default, a stateful session's jar in a session. */
  jar?: CookieJar;
}

export interface SapResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface SapSystemStatus {
  id: string;
  type: SapSystemConfig['type'];
  /** Whether the last call got an answer from SAP; null until the first call. */
  reachable: boolean | null;
  circuit: CircuitStateName;
  poolSize: number;
  /** Requests in flight now. */
  poolInUse: number;
  /** The last connection failure, timeout, 5xx, 401, 403 or unreadable answer. */
  lastError: { message: string; at: Date } | null;
  /** The last answer with a status below 400. */
  lastSuccessAt: Date | null;
}

const TRANSIENT_STATUS = new Set([502, 503, 504]);

/** An HTTP status's class, for the `status` label of sap_requests_total. */
function statusClass(status: number): SapOutcome {
  if (status >= 500) return '5xx';
  if (status >= 400) return '4xx';
  if (status >= 300) return '3xx';
  if (status >= 200) return '2xx';
  return '1xx';
}
/**
 * HTTP to one SAP system: an undici Agent (pool size, TLS client certificate), the credentials
 * (basic, OAuth2 bearer, or none besides the certificate), the system's cookie jar, `sap-client`
 * on every request, a timeout per exchange and the system's SapPolicy. Answers every HTTP
 * response except 502/503/504 to the caller; those, connection failures and timeouts reject
 * with SAP_UNAVAILABLE after the policy's retries. With OAuth2, a 401 fetches a new token and
 * sends the request once more (SAP did not process a request it did not authenticate).
 * Authorization headers and cookies are never logged; `logger` is the system's (SapSystem binds
 * its id).
 */
export class SapTransport {
  readonly jar = new CookieJar();
  private readonly agent: Agent;
  private readonly policy: SapPolicy;
  private readonly tokens: OAuthTokenSource | null;
  private readonly basic: string | null;
  private readonly base: URL;
  private inFlight = 0;
  private reachable: boolean | null = null;
  private lastError: { message: string; at: Date } | null = null;
  private lastSuccessAt: Date | null = null;

  constructor(
    readonly config: SapSystemConfig,
    private readonly logger: Logger,
    /** Counts and times every exchange; none without metrics. */
    private readonly metrics?: SapSystemMetrics,
  ) {
    const tls = config.tls;
    this.agent = new Agent({
      connections: config.poolSize,
      connect: tls
        ? {
            ...(tls.cert === null ? {} : { cert: tls.cert }),
            ...(tls.key === null ? {} : { key: tls.key.reveal() }),
            ...(tls.ca === null ? {} : { ca: tls.ca }),
            ...(tls.passphrase === null ? {} : { passphrase: tls.passphrase.reveal() }),
          }
        : undefined,
    });
    this.policy = new SapPolicy(config.id, config, logger);
    this.base = new URL(config.url);
    const auth = config.auth;
    this.basic = auth.kind === 'basic' ? `Basic ${Buffer.from(`${auth.user}:${auth.password.reveal()}`).toString('base64')}` : null;
    this.tokens = auth.kind === 'oauth2' ? new OAuthTokenSource(config.id, auth, (url, headers, body) => this.exchange('POST', this.tokenUrl(url), headers, body, null)) : null;
  }

  get id(): string {
    return this.config.id;
  }

  /** The path as requested: the base URL's path joined with `path`. */
  fullPath(path: string): string {
    return `${this.base.pathname.replace(/\/$/, '')}${path}`;
  }

  send(req: SapRequest): Promise<SapResponse> {
    return this.policy.execute(() => this.attempt(req), { retriable: req.idempotent });
  }

  status(): SapSystemStatus {
    return {
      id: this.config.id,
      type: this.config.type,
      reachable: this.reachable,
      circuit: this.policy.state,
      poolSize: this.config.poolSize,
      poolInUse: this.inFlight,
      lastError: this.lastError,
      lastSuccessAt: this.lastSuccessAt,
    };
  }

  /** Notes a failure that the transport cannot see (an unreadable answer) in `status().lastError`. */
  noteError(message: string): void {
    this.lastError = { message, at: new Date() };
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  /**
   * SAP's own OAuth server (/sap/bc/sec/oauth2/token) is an ICF service of a client, so a token
   * URL on the system's origin gets `sap-client` unless it names one; a token URL elsewhere (an
   * identity provider) is left as it is.
   */
  private tokenUrl(url: string): string {
    const parsed = new URL(url);
    if (parsed.origin !== this.base.origin || parsed.searchParams.has('sap-client')) return url;
    parsed.searchParams.set('sap-client', this.config.client);
    return parsed.href;
  }

  private async attempt(req: SapRequest): Promise<SapResponse> {
    const path = this.fullPath(req.path);
    const url = `${this.base.origin}${path}?${req.query ? `${req.query}&` : ''}sap-client=${this.config.client}`;
    const jar = req.jar ?? this.jar;
    const headers: Record<string, string> = { ...req.headers };
    const cookie = jar.header(path);
    if (cookie) headers.cookie = cookie;

    let token: string | null = null;
    if (this.basic) headers.authorization = this.basic;
    else if (this.tokens) {
      token = await this.tokens.token();
      headers.authorization = `Bearer ${token}`;
    }
    let response = await this.exchange(req.method, url, headers, req.body, jar);
    if (response.status === 401 && this.tokens && token !== null) {
      this.logger.info('SAP refused the OAuth2 token; fetching a new one');
      this.tokens.invalidate(token);
      headers.authorization = `Bearer ${await this.tokens.token()}`;
      const retried = jar.header(path);
      if (retried) headers.cookie = retried;
      response = await this.exchange(req.method, url, headers, req.body, jar);
    }
    if (response.status >= 500 || response.status === 401 || response.status === 403) {
      this.lastError = { message: `HTTP ${response.status} to ${req.method} ${path}`, at: new Date() };
    }
    return response;
  }

  /** One HTTP exchange within the timeout; throws SapTransportFailure when no usable answer came. */
  private async exchange(method: HttpMethod, url: string, headers: Record<string, string>, body: string | undefined, jar: CookieJar | null): Promise<SapResponse> {
    const path = new URL(url).pathname;
    const signal = AbortSignal.timeout(this.config.timeoutMs);
    const started = performance.now();
    this.inFlight += 1;
    try {
      const response = await request(url, { method, headers, body, dispatcher: this.agent, signal });
      const text = await response.body.text();
      this.metrics?.exchanged(method, statusClass(response.statusCode), (performance.now() - started) / 1000);
      if (jar) jar.store(response.headers['set-cookie'], path);
      if (TRANSIENT_STATUS.has(response.statusCode)) {
        this.reachable = false;
        throw new SapTransportFailure(`HTTP ${response.statusCode}`, true, response.statusCode);
      }
      this.reachable = true;
      if (response.statusCode < 400) this.lastSuccessAt = new Date();
      return { status: response.statusCode, headers: response.headers as IncomingHttpHeaders, body: text };
    } catch (error) {
      if (!(error instanceof SapTransportFailure)) {
        const code = networkErrorCode(error);
        this.reachable = false;
        this.metrics?.exchanged(method, signal.aborted ? 'timeout' : 'error', (performance.now() - started) / 1000);
        if (signal.aborted) error = new SapTransportFailure(`timeout after ${this.config.timeoutMs} ms`, true, undefined, { cause: error });
        else error = new SapTransportFailure(code ?? (error as Error).message, code === undefined || TRANSIENT_NETWORK_CODES.has(code), undefined, { cause: error });
      }
      const failure = error as SapTransportFailure;
      this.lastError = { message: `${failure.reason} (${method} ${path})`, at: new Date() };
      this.logger.debug({ method, path, reason: failure.reason }, 'SAP call failed');
      throw failure;
    } finally {
      this.inFlight -= 1;
    }
  }
}
