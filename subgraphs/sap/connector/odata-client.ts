import { XMLParser } from 'fast-xml-parser';
import type { Logger } from '../../../infra/logger.js';
import { ODataMetadata, type ODataEntity } from './odata-metadata.js';
import { chunkKeys, filterAnyOf, queryString, type ODataQuery } from './odata-query.js';
import type { SapServicePaths } from './sap-config.js';
import { sapBadResponse, sapConflict, sapError, type SapCall, type SapErrorBody, type SapErrorDetail } from './sap-errors.js';
import type { SapResponse, SapTransport } from './sap-transport.js';

/** A service by its configured name, or an OData service root path (`/sap/opu/odata/sap/ZMY_SRV`). */
export type ODataService = Exclude<keyof SapServicePaths, 'rfc' | 'idoc'> | `/${string}`;

/** One key property's value, or every key property by name for a compound key. */
export type ODataKey = string | number | Readonly<Record<string, string | number | boolean>>;

export interface ODataPage {
  results: ODataEntity[];
  /** With `inlineCount`: every match, beyond this page. */
  count?: number;
  /** SAP's `__next` link: more results wait (server-driven paging). */
  next?: string;
}

export interface ODataReadOptions {
  select?: readonly string[];
  expand?: readonly string[];
}

const ENTITY_SET = /^[A-Za-z_][A-Za-z0-9_]*$/;

const errorXml = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false, isArray: (name) => name === 'errordetail' });

/**
 * OData v2 (JSON verbose) against one SAP system. Reads are retried by the transport's policy;
 * writes carry the system's CSRF token (fetched once, refetched once when SAP says `Required`)
 * and are never retried. Updates are sent as PATCH with If-Match: SAP's published APIs
 * (API_BUSINESS_PARTNER, API_SALES_ORDER_SRV) document PATCH, SAP Gateway handles it as MERGE
 * (only the given properties change), and unlike MERGE it is a method that proxies know.
 */
export class ODataClient {
  /** Per service path; a failed read is dropped so that the next caller tries again. */
  private readonly metadataCache = new Map<string, Promise<ODataMetadata>>();
  private csrfToken: string | null = null;
  private csrfPending: Promise<string> | null = null;

  constructor(
    private readonly transport: SapTransport,
    private readonly logger: Logger,
  ) {}

  private get system(): string {
    return this.transport.id;
  }

  /** One page of `entitySet`. */
  async list(service: ODataService, entitySet: string, query: ODataQuery = {}): Promise<ODataPage> {
    const root = this.servicePath(service);
    return this.page(await this.metadata(service), `${root}/${checkSet(entitySet)}`, queryString(query), entitySet);
  }

  /**
   * Every page of `entitySet`, following `__next` up to `maxPages` requests (default 100). When
   * pages remain after that, `next` is set on the answer.
   */
  async listAll(service: ODataService, entitySet: string, query: ODataQuery = {}, options: { maxPages?: number } = {}): Promise<ODataPage> {
    const root = this.servicePath(service);
    const metadata = await this.metadata(service);
    const maxPages = options.maxPages ?? 100;
    const results: ODataEntity[] = [];
    let count: number | undefined;
    let request = { path: `${root}/${checkSet(entitySet)}`, search: queryString(query) };
    for (let pages = 1; ; pages++) {
      const answer = await this.page(metadata, request.path, request.search, entitySet);
      results.push(...answer.results);
      count ??= answer.count;
      if (answer.next === undefined || pages >= maxPages) {
        return { results, ...(count === undefined ? {} : { count }), ...(answer.next === undefined ? {} : { next: answer.next }) };
      }
      request = this.nextRequest(answer.next);
    }
  }

  /**
   * The entities whose `property` is one of `values`: `filterAnyOf` in batches that keep each URL
   * under about 6 KB (see chunkKeys), one request per batch (more if SAP pages), `query.filter`
   * and'ed to each. Results in SAP's order, batch after batch; a value that matches nothing is
   * simply absent.
   */
  async listAnyOf(service: ODataService, entitySet: string, property: string, values: readonly (string | number)[], query: ODataQuery = {}): Promise<ODataEntity[]> {
    if (values.length === 0) return [];
    const batches = chunkKeys(values, { property });
    const pages = await Promise.all(
      batches.map((batch) => {
        const anyOf = filterAnyOf(property, batch);
        return this.listAll(service, entitySet, { ...query, filter: query.filter ? `(${query.filter}) and ${anyOf}` : anyOf });
      }),
    );
    return pages.flatMap((page) => page.results);
  }

  /** One entity by key, or null when SAP answers 404. Its ETag is `__etag` (from `__metadata.etag` or the ETag header). */
  async get(service: ODataService, entitySet: string, key: ODataKey, options: ODataReadOptions = {}): Promise<ODataEntity | null> {
    const root = this.servicePath(service);
    const metadata = await this.metadata(service);
    const type = metadata.entitySet(checkSet(entitySet));
    const path = `${root}/${entitySet}${metadata.keyPredicate(key, type)}`;
    const response = await this.transport.send({ method: 'GET', path, query: queryString(options), headers: { accept: 'application/json' }, idempotent: true });
    if (response.status === 404) return null;
    const call = this.call('GET', path);
    if (response.status !== 200) throw this.failure(response, call);
    const d = this.json(response, call).d;
    if (d === null || typeof d !== 'object' || Array.isArray(d)) throw this.badResponse(call, 'the answer has no entity in `d`');
    const entity = metadata.decodeEntity(d as Record<string, unknown>, type);
    entity.__etag ??= header(response, 'etag') ?? null;
    return entity;
  }

  /** Creates an entity (deep inserts through navigation properties); answers the entity SAP created, or null if it sent none (204). */
  async create(service: ODataService, entitySet: string, body: Readonly<Record<string, unknown>>): Promise<ODataEntity | null> {
    const root = this.servicePath(service);
    const metadata = await this.metadata(service);
    const type = metadata.entitySet(checkSet(entitySet));
    const path = `${root}/${entitySet}`;
    const call = this.call('POST', path);
    const response = await this.write(root, { method: 'POST', path, body: JSON.stringify(metadata.encodeEntity(body, type)) });
    if (response.status === 204) return null;
    if (response.status !== 201 && response.status !== 200) throw this.failure(response, call);
    const d = this.json(response, call).d;
    if (d === null || typeof d !== 'object') throw this.badResponse(call, 'the answer has no entity in `d`');
    const entity = metadata.decodeEntity(d as Record<string, unknown>, type);
    entity.__etag ??= header(response, 'etag') ?? null;
    return entity;
  }

  /**
   * Changes the given properties of one entity (PATCH, If-Match `etag`; null sends no If-Match,
   * which SAP refuses with 428 where it checks ETags). A stale ETag rejects with SAP_CONFLICT.
   * Answers the entity's new ETag when SAP sends one.
   */
  async update(service: ODataService, entitySet: string, key: ODataKey, changes: Readonly<Record<string, unknown>>, etag: string | null): Promise<{ etag: string | null }> {
    const root = this.servicePath(service);
    const metadata = await this.metadata(service);
    const type = metadata.entitySet(checkSet(entitySet));
    const path = `${root}/${entitySet}${metadata.keyPredicate(key, type)}`;
    const headers: Record<string, string> = etag === null ? {} : { 'if-match': etag };
    const response = await this.write(root, { method: 'PATCH', path, body: JSON.stringify(metadata.encodeEntity(changes, type)), headers });
    if (response.status !== 204 && response.status !== 200) throw this.failure(response, this.call('PATCH', path));
    return { etag: header(response, 'etag') ?? null };
  }

  /** The service's `$metadata`, read once per service (concurrent callers share the request). */
  metadata(service: ODataService): Promise<ODataMetadata> {
    const root = this.servicePath(service);
    let cached = this.metadataCache.get(root);
    if (!cached) {
      cached = this.readMetadata(root);
      cached.catch(() => this.metadataCache.delete(root));
      this.metadataCache.set(root, cached);
    }
    return cached;
  }

  private async readMetadata(root: string): Promise<ODataMetadata> {
    const path = `${root}/$metadata`;
    const response = await this.transport.send({ method: 'GET', path, headers: { accept: 'application/xml' }, idempotent: true });
    const call = this.call('GET', path);
    if (response.status !== 200) throw this.failure(response, call);
    try {
      return ODataMetadata.parse(response.body);
    } catch (error) {
      throw this.badResponse(call, (error as Error).message, error);
    }
  }

  private async page(metadata: ODataMetadata, path: string, search: string, entitySet: string): Promise<ODataPage> {
    const response = await this.transport.send({ method: 'GET', path, query: search, headers: { accept: 'application/json' }, idempotent: true });
    const call = this.call('GET', path);
    if (response.status !== 200) throw this.failure(response, call);
    const d = this.json(response, call).d as { results?: unknown; __count?: unknown; __next?: unknown } | unknown[] | undefined;
    // OData v1 services answer a bare array in `d`.
    const rows = Array.isArray(d) ? d : d && typeof d === 'object' ? d.results : undefined;
    if (!Array.isArray(rows)) throw this.badResponse(call, 'the answer has no `d.results` array');
    const type = metadata.entitySet(entitySet);
    const page: ODataPage = { results: rows.map((row: Record<string, unknown>) => metadata.decodeEntity(row, type)) };
    if (!Array.isArray(d) && d) {
      if (d.__count !== undefined) page.count = Number(d.__count);
      if (typeof d.__next === 'string' && d.__next !== '') page.next = d.__next;
    }
    return page;
  }

  /**
   * The request for a `__next` link. Only its path and query are used, on this system's origin:
   * SAP may write its internal host name, and credentials go nowhere else. `sap-client` is the
   * transport's to add; `$format=json` is added if the link lost it.
   */
  private nextRequest(next: string): { path: string; search: string } {
    const url = new URL(next, `${this.transport.config.url}/`);
    url.searchParams.delete('sap-client');
    const base = this.transport.fullPath('');
    const path = base && url.pathname.startsWith(`${base}/`) ? url.pathname.slice(base.length) : url.pathname;
    let search = url.search.slice(1);
    if (!/(^|&)\$format=/.test(search)) search = search ? `${search}&$format=json` : '$format=json';
    return { path, search };
  }

  /** A write with the CSRF token; once more with a fresh token when SAP refuses the token. */
  private async write(root: string, request: { method: 'POST' | 'PATCH'; path: string; body: string; headers?: Record<string, string> }): Promise<SapResponse> {
    const send = (token: string) =>
      this.transport.send({
        ...request,
        headers: { ...request.headers, 'content-type': 'application/json', accept: 'application/json', ...(token ? { 'x-csrf-token': token } : {}) },
        idempotent: false,
      });
    const token = await this.csrf(root);
    const response = await send(token);
    if (!csrfRefused(response)) return response;
    this.logger.info('SAP refused the CSRF token; fetching a new one');
    if (this.csrfToken === token) this.csrfToken = null;
    return send(await this.csrf(root));
  }

  /** The system's CSRF token (empty when SAP sends none: CSRF protection is off). */
  private csrf(root: string): Promise<string> {
    if (this.csrfToken !== null) return Promise.resolve(this.csrfToken);
    this.csrfPending ??= this.fetchCsrf(root).finally(() => {
      this.csrfPending = null;
    });
    return this.csrfPending;
  }

  private async fetchCsrf(root: string): Promise<string> {
    const path = `${root}/`;
    const response = await this.transport.send({ method: 'GET', path, headers: { 'x-csrf-token': 'Fetch', accept: 'application/json' }, idempotent: true });
    if (response.status !== 200) throw this.failure(response, this.call('GET', path));
    const token = header(response, 'x-csrf-token') ?? '';
    this.csrfToken = token;
    return token;
  }

  private servicePath(service: ODataService): string {
    const path = service.startsWith('/') ? service : this.transport.config.paths[service as Exclude<ODataService, `/${string}`>];
    if (path === undefined) throw new RangeError(`unknown OData service ${JSON.stringify(service)}`);
    return path.replace(/\/+$/, '');
  }

  private call(method: string, path: string): SapCall {
    return { method, path: this.transport.fullPath(path) };
  }

  private json(response: SapResponse, call: SapCall): { d?: unknown } {
    try {
      const parsed: unknown = JSON.parse(response.body);
      if (parsed !== null && typeof parsed === 'object') return parsed as { d?: unknown };
    } catch (error) {
      throw this.badResponse(call, `the answer is not JSON (${contentType(response)})`, error);
    }
    throw this.badResponse(call, 'the answer is not a JSON object');
  }

  private badResponse(call: SapCall, reason: string, cause?: unknown) {
    this.transport.noteError(`unreadable answer to ${call.method} ${call.path}: ${reason}`);
    return sapBadResponse(this.system, call, reason, cause);
  }

  /** The error for an answer that is not a success: SAP_CONFLICT for 412, SAP_ERROR with SAP's error body otherwise. */
  private failure(response: SapResponse, call: SapCall) {
    const body = parseErrorBody(response);
    if (response.status === 412) return sapConflict(this.system, call, body);
    return sapError(this.system, call, response.status, body ?? { code: null, message: statusMessage(response) });
  }
}

function checkSet(entitySet: string): string {
  if (!ENTITY_SET.test(entitySet)) throw new RangeError(`${JSON.stringify(entitySet)} is not an entity set name`);
  return entitySet;
}

function header(response: SapResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function contentType(response: SapResponse): string {
  return header(response, 'content-type')?.split(';')[0] ?? 'no content type';
}

function csrfRefused(response: SapResponse): boolean {
  return response.status === 403 && (header(response, 'x-csrf-token')?.toLowerCase() === 'required' || /CSRF token validation failed/i.test(response.body));
}

/** A short text for an answer without an SAP error body: a plain-text body of one line, or the status. */
function statusMessage(response: SapResponse): string {
  const text = response.body.trim();
  const plain = contentType(response) === 'text/plain' && text.length > 0 && text.length <= 200 && !text.includes('\n');
  return plain ? `HTTP ${response.status}: ${text}` : `HTTP ${response.status}`;
}

/**
 * SAP Gateway's error body, JSON (`{ error: { code, message: { value }, innererror: { errordetails } } }`)
 * or XML (`<error><code/><message/><innererror><errordetails><errordetail>…`), or null.
 */
export function parseErrorBody(response: SapResponse): SapErrorBody | null {
  const text = response.body.trim();
  let error: Record<string, unknown> | undefined;
  if (text.startsWith('{')) {
    try {
      error = (JSON.parse(text) as { error?: Record<string, unknown> }).error;
    } catch {
      return null;
    }
  } else if (text.startsWith('<') && /<(\w+:)?error[\s>]/.test(text)) {
    try {
      error = (errorXml.parse(text) as { error?: Record<string, unknown> }).error;
    } catch {
      return null;
    }
  }
  if (!error || typeof error !== 'object') return null;
  const message = error.message as { value?: unknown } | string | undefined;
  const inner = error.innererror as { errordetails?: unknown } | undefined;
  const rawDetails = inner?.errordetails;
  const detailList = (Array.isArray(rawDetails) ? rawDetails : ((rawDetails as { errordetail?: unknown[] } | undefined)?.errordetail ?? [])) as Record<string, unknown>[];
  const details: SapErrorDetail[] = detailList.map((detail) => ({
    code: String(detail.code ?? ''),
    message: String(detail.message ?? ''),
    severity: typeof detail.severity === 'string' ? detail.severity : null,
    target: typeof detail.target === 'string' && detail.target !== '' ? detail.target : typeof detail.propertyref === 'string' && detail.propertyref !== '' ? detail.propertyref : null,
  }));
  return {
    code: typeof error.code === 'string' ? error.code : null,
    message: typeof message === 'string' ? message : typeof message?.value === 'string' ? message.value : `HTTP ${response.status}`,
    details,
  };
}
