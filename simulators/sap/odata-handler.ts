import { randomBytes } from 'node:crypto';
import {
  compileFilter,
  ODataSyntaxError,
  parseDateTimeLiteral,
  parseDateTimeOffsetLiteral,
  parseKeyPredicate,
  parseTime,
  propertyReader,
} from './odata-filter-parser.js';
import { ODATA_SERVICES, type EntitySetDef, type PropertyDef, type ServiceDef } from './odata-model.js';
import { alpha, dateOnly, SapDomainError, type Row, type Value } from './sap-data-store.js';
import type { SapSystem } from './sap-system.js';
import type { Headers } from './http-helpers.js';

/**
 * SAP Gateway's OData v2 behaviour for the services of odata-model.ts, under
 * `{systemUrl}/sap/opu/odata/sap/<SERVICE>/`:
 *
 * - `$metadata` (EDMX XML), the service document, entity sets, single entities
 *   (`A_BusinessPartner('0010000001')`, composite keys `A_SalesOrderItem(SalesOrder='…',SalesOrderItem='10')`),
 *   navigation (`…/to_Item`) and `$count`; JSON verbose (`{ d: { results, __count, __next } }`),
 *   answered whatever the Accept header says (Atom is not implemented; `$format` other than json is a 400).
 * - `$filter`, `$select` (with `nav/Property` paths), `$expand` (nested with `/`), `$orderby`,
 *   `$top`, `$skip`, `$inlinecount=allpages`, and server-driven paging: a page holds at most
 *   pageSize rows and `__next` carries `$skiptoken` (the offset in the $skip/$top window).
 * - CSRF: `x-csrf-token: Fetch` on a GET/HEAD answers a token and, for a new session, the cookies
 *   `SAP_SESSIONID_<SID>_<client>` and `sap-usercontext`. Modifying requests (POST, PUT, PATCH,
 *   MERGE, DELETE, also `$batch`) need that token with that cookie, else 403 `x-csrf-token: Required`.
 * - Optimistic locking on sets with an ETag: updates and deletes need `If-Match` (428 without,
 *   412 with a stale one; `*` matches any). Reads of one entity send the `ETag` header.
 * - Writes: create A_BusinessPartner (deep insert of to_BusinessPartnerAddress, to_Customer,
 *   to_Supplier) and A_SalesOrder (deep insert of to_Item); update (PUT, PATCH, MERGE, also
 *   tunnelled as POST with `X-HTTP-Method`) A_BusinessPartner, A_Customer, A_SalesOrder; delete A_SalesOrder.
 * - `$batch` with GET parts; a change set is answered with a 400 part (not implemented).
 * - Errors as SAP's JSON error body (`error.code`, `error.message.value`, `error.innererror.errordetails`).
 */
export interface ODataCall {
  method: string;
  /** The path below the service root, percent-encoded as received (e.g. `A_SalesOrder('1')/to_Item`). */
  resourcePath: string;
  query: URLSearchParams;
  /** The query string as received, for `__next` links. */
  rawQuery: string;
  header(name: string): string | undefined;
  body: Buffer;
}

export interface ODataResult {
  status: number;
  headers: Headers;
  body: string;
}

export const MODIFYING_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'MERGE', 'DELETE']);

/** The kind of OData request a path is, for the per-system counts. */
export function odataKind(path: string): 'metadata' | 'batch' | 'odata' {
  if (/\/\$metadata\/?$/.test(path)) return 'metadata';
  if (/\/\$batch\/?$/.test(path)) return 'batch';
  return 'odata';
}

class ODataError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly target = '',
  ) {
    super(message);
  }
}

/** Message ids modelled on Gateway's message classes. */
const CODES = {
  syntax: '/IWBEP/CM_MGW_RT/004',
  notFound: '/IWBEP/CM_MGW_RT/020',
  noService: '/IWFND/MED/170',
  notImplemented: '/IWBEP/CM_MGW_RT/021',
  preconditionFailed: '/IWBEP/CM_MGW_RT/044',
  preconditionRequired: '/IWBEP/CM_MGW_RT/043',
  invalidPayload: '/IWBEP/CM_MGW_RT/008',
  methodNotAllowed: '/IWFND/CM_CONSUMER/003',
} as const;

const COMPONENTS: Record<string, string> = { API_BUSINESS_PARTNER: 'LO-MD-BP', API_PRODUCT_SRV: 'LO-MD-MM', API_SALES_ORDER_SRV: 'SD-SLS-API' };

function sapTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').replace(/\.(\d{3})Z$/, '.$10000');
}

/** SAP Gateway's JSON error body. */
export function sapErrorBody(serviceName: string, code: string, message: string, target = ''): string {
  return JSON.stringify({
    error: {
      code,
      message: { lang: 'en', value: message },
      innererror: {
        application: { component_id: COMPONENTS[serviceName] ?? '', service_namespace: '/SAP/', service_id: serviceName, service_version: '0001' },
        transactionid: randomBytes(16).toString('hex').toUpperCase(),
        timestamp: sapTimestamp(Date.now()),
        Error_Resolution: {
          SAP_Transaction: 'For backend administrators: use ADT feed reader "SAP Gateway Error Log" or run transaction /IWFND/ERROR_LOG on SAP Gateway hub system and search for entries with the timestamp above for more details',
          SAP_Note: 'See SAP Note 1797736 for error analysis (https://service.sap.com/sap/support/notes/1797736)',
        },
        errordetails: [{ code, message, propertyref: '', severity: 'error', target }],
      },
    },
  });
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', dataserviceversion: '2.0' } as const;

function json(status: number, value: unknown, headers: Headers = {}): ODataResult {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(value) };
}

interface Context {
  system: SapSystem;
  service: ServiceDef;
  /** Absolute URL of the service root, without a trailing slash. */
  serviceBase: string;
}

/**
 * Handles one request below `/sap/opu/odata/sap/`: `path` is what follows that prefix, `origin`
 * the scheme and host the client used (links in answers are absolute, as SAP's are).
 * CSRF tokens are fetched and checked here; authentication has been done by the caller.
 */
export function handleOData(system: SapSystem, path: string, origin: string, call: Omit<ODataCall, 'resourcePath'>, cookies: ReadonlyMap<string, string>): ODataResult {
  const slash = path.indexOf('/');
  const serviceSegment = slash < 0 ? path : path.slice(0, slash);
  const serviceName = decodeURIComponent(serviceSegment.split(';')[0]!).toUpperCase();
  const extraHeaders: Headers = {};
  const csrf = call.header('x-csrf-token');
  const sessionId = cookies.get(system.sessionCookie);
  if ((call.method === 'GET' || call.method === 'HEAD') && csrf?.toLowerCase() === 'fetch') {
    const issued = system.fetchCsrfToken(sessionId);
    extraHeaders['x-csrf-token'] = issued.token;
    if (issued.newSession) {
      extraHeaders['set-cookie'] = [`${system.sessionCookie}=${issued.sessionId}; path=/; HttpOnly`, `sap-usercontext=sap-client=${system.client}; path=/`];
    }
  } else if (MODIFYING_METHODS.has(call.method) && !system.csrfTokenValid(sessionId, csrf)) {
    return { status: 403, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-csrf-token': 'Required' }, body: 'CSRF token validation failed' };
  }
  const withExtra = (result: ODataResult): ODataResult => ({ ...result, headers: { ...result.headers, ...extraHeaders } });

  const service = ODATA_SERVICES.get(serviceName);
  if (!service) {
    return withExtra({ status: 404, headers: JSON_HEADERS, body: sapErrorBody(serviceName, CODES.noService, `No service found for namespace '/SAP/', name '${serviceName}', version '0001'`) });
  }
  const context: Context = { system, service, serviceBase: `${origin}/${system.id}/sap/opu/odata/sap/${service.name}` };
  const resourcePath = slash < 0 ? '' : path.slice(slash + 1);
  try {
    return withExtra(route(context, { ...call, resourcePath }));
  } catch (error) {
    return withExtra(errorResult(service.name, error));
  }
}

function errorResult(serviceName: string, error: unknown): ODataResult {
  if (error instanceof ODataError) return { status: error.status, headers: JSON_HEADERS, body: sapErrorBody(serviceName, error.code, error.message, error.target) };
  if (error instanceof ODataSyntaxError) return { status: 400, headers: JSON_HEADERS, body: sapErrorBody(serviceName, CODES.syntax, error.message) };
  if (error instanceof SapDomainError) return { status: 400, headers: JSON_HEADERS, body: sapErrorBody(serviceName, `${error.messageId[0]}/${error.messageId[1]}`, error.message) };
  return { status: 500, headers: JSON_HEADERS, body: sapErrorBody(serviceName, '/IWBEP/CM_MGW_RT/000', `Internal error: ${(error as Error)?.message ?? String(error)}`) };
}

function route(context: Context, call: ODataCall): ODataResult {
  const path = call.resourcePath.replace(/\/$/, '');
  const format = call.query.get('$format');
  if (format !== null && format !== 'json' && path !== '$metadata' && path !== '') {
    throw new ODataError(400, CODES.syntax, `$format=${format} is not supported by the simulator (JSON only)`);
  }
  if (path === '') {
    if (call.method !== 'GET' && call.method !== 'HEAD') throw new ODataError(405, CODES.methodNotAllowed, `Method ${call.method} not allowed on the service document`);
    if (format === 'json' || call.header('accept')?.includes('json')) return json(200, { d: { EntitySets: [...context.service.sets.keys()] } });
    return { status: 200, headers: { 'content-type': 'application/xml; charset=utf-8', dataserviceversion: '1.0' }, body: context.service.serviceDocumentXml };
  }
  if (path === '$metadata') {
    if (call.method !== 'GET' && call.method !== 'HEAD') throw new ODataError(405, CODES.methodNotAllowed, `Method ${call.method} not allowed on $metadata`);
    return { status: 200, headers: { 'content-type': 'application/xml; charset=utf-8', dataserviceversion: '2.0', 'sap-metadata-last-modified': 'Mon, 06 Jan 2025 08:00:00 GMT' }, body: context.service.metadataXml };
  }
  if (path === '$batch') {
    if (call.method !== 'POST') throw new ODataError(405, CODES.methodNotAllowed, '$batch needs POST');
    return batch(context, call);
  }
  return resource(context, call, resolvePath(context, path));
}

type Target =
  | { kind: 'collection'; set: EntitySetDef; rows: readonly Row[]; count: boolean; navigation: boolean }
  | { kind: 'entity'; set: EntitySetDef; row: Row; segment: string };

/** Splits a resource path at slashes outside quoted key values. */
function segments(path: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of path) {
    if (char === "'") quoted = !quoted;
    if (char === '/' && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts.map((part) => decodeURIComponent(part));
}

function resolvePath(context: Context, path: string): Target {
  const { service, system } = context;
  let target: Target | undefined;
  for (const segment of segments(path)) {
    if (segment === '$count') {
      if (target?.kind !== 'collection' || target.count) throw new ODataError(400, CODES.syntax, '$count must follow a collection');
      target = { ...target, count: true };
      continue;
    }
    const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:\((.*)\))?$/s.exec(segment);
    if (!match) throw new ODataError(404, CODES.notFound, `Resource not found for segment '${segment}'`);
    const [, name, key] = match as unknown as [string, string, string | undefined];
    let set: EntitySetDef;
    let rows: readonly Row[];
    if (!target) {
      const found = service.sets.get(name);
      if (!found) throw new ODataError(404, CODES.notFound, `Resource not found for segment '${name}'`);
      set = found;
      rows = key === undefined ? set.rows(system.store) : [];
      if (key !== undefined) {
        const row = set.find(system.store, parseKeyPredicate(key, set));
        if (!row) throw new ODataError(404, CODES.notFound, `Resource not found for segment '${segment}'`, segment);
        target = { kind: 'entity', set, row, segment };
        continue;
      }
      target = { kind: 'collection', set, rows, count: false, navigation: false };
      continue;
    }
    if (target.kind !== 'entity') throw new ODataError(400, CODES.syntax, `Segment '${segment}' must follow a single entity`);
    const navigation = target.set.navigationByName.get(name);
    if (!navigation) throw new ODataError(404, CODES.notFound, `Resource not found for segment '${segment}'`);
    set = service.sets.get(navigation.target)!;
    const resolved = navigation.resolve(system.store, target.row);
    if (navigation.many) {
      const list = resolved as readonly Row[];
      if (key !== undefined) {
        const keys = parseKeyPredicate(key, set);
        const row = list.find((candidate) => candidate === set.find(system.store, keys));
        if (!row) throw new ODataError(404, CODES.notFound, `Resource not found for segment '${segment}'`, segment);
        target = { kind: 'entity', set, row, segment };
      } else {
        target = { kind: 'collection', set, rows: list, count: false, navigation: true };
      }
    } else {
      if (key !== undefined) throw new ODataError(400, CODES.syntax, `Navigation property ${name} is not a collection`);
      if (!resolved) throw new ODataError(404, CODES.notFound, `Resource not found for segment '${segment}'`, segment);
      target = { kind: 'entity', set, row: resolved as Row, segment };
    }
  }
  return target!;
}

function resource(context: Context, call: ODataCall, target: Target): ODataResult {
  const { method } = call;
  if (target.kind === 'collection') {
    if (method === 'GET' || method === 'HEAD') return readCollection(context, call, target);
    if (method === 'POST' && !target.navigation && !target.count) return create(context, call, target.set);
    if (method === 'POST') throw notImplemented(target.set, 'CREATE_ENTITY');
    throw new ODataError(405, CODES.methodNotAllowed, `Method ${method} not allowed on collection ${target.set.name}`);
  }
  switch (method) {
    case 'GET':
    case 'HEAD': {
      const options = parseOptions(call.query, target.set, context.service, false);
      const etag = target.set.etag?.(target.row);
      const signature = `${target.set.name}\u0000${call.query.get('$select') ?? ''}\u0000${call.query.get('$expand') ?? ''}`;
      return { status: 200, headers: etag ? { ...JSON_HEADERS, etag } : JSON_HEADERS, body: `{"d":${entityText(context, target.set, target.row, options, signature)}}` };
    }
    case 'PUT':
    case 'PATCH':
    case 'MERGE':
      return update(context, call, target.set, target.row);
    case 'DELETE':
      return remove(context, call, target.set, target.row);
    default:
      throw new ODataError(405, CODES.methodNotAllowed, `Method ${method} not allowed on an entity`);
  }
}

function notImplemented(set: EntitySetDef, operation: string): ODataError {
  return new ODataError(501, CODES.notImplemented, `Method '${set.name.toUpperCase()}_${operation}' not implemented in data provider class`);
}

/** A `$select` tree: the properties chosen and, per navigation property, the selection below it. */
interface Selection {
  properties: ReadonlySet<string> | 'all';
  navigations: Map<string, Selection | undefined>;
}
/** A `$expand` tree. */
type Expansion = Map<string, Expansion>;

interface QueryOptions {
  filter?: (row: Row) => boolean;
  order?: (a: Row, b: Row) => number;
  top?: number;
  skip: number;
  skiptoken: number;
  inlinecount: boolean;
  select?: Selection;
  expand: Expansion;
}

const KNOWN_OPTIONS = new Set(['$filter', '$orderby', '$top', '$skip', '$skiptoken', '$inlinecount', '$select', '$expand', '$format']);

function nonNegative(name: string, value: string | null): number | undefined {
  if (value === null) return undefined;
  if (!/^\d+$/.test(value)) throw new ODataError(400, CODES.syntax, `Invalid value '${value}' for system query option ${name}`);
  return Number(value);
}

/** Parses and checks the system query options against the set (unknown names are a 400, as in Gateway). */
function parseOptions(query: URLSearchParams, set: EntitySetDef, service: ServiceDef, collection: boolean): QueryOptions {
  for (const name of query.keys()) {
    if (name.startsWith('$') && !KNOWN_OPTIONS.has(name)) throw new ODataError(400, CODES.syntax, `System query option '${name}' is not supported`);
  }
  const filterText = query.get('$filter');
  const inlinecount = query.get('$inlinecount');
  if (inlinecount !== null && inlinecount !== 'allpages' && inlinecount !== 'none') throw new ODataError(400, CODES.syntax, `Invalid value '${inlinecount}' for $inlinecount`);
  const options: QueryOptions = {
    filter: collection && filterText !== null && filterText.trim() !== '' ? compileFilter(filterText, set) : undefined,
    order: collection ? parseOrderBy(query.get('$orderby'), set) : undefined,
    top: collection ? nonNegative('$top', query.get('$top')) : undefined,
    skip: (collection ? nonNegative('$skip', query.get('$skip')) : 0) ?? 0,
    skiptoken: (collection ? nonNegative('$skiptoken', query.get('$skiptoken')) : 0) ?? 0,
    inlinecount: inlinecount === 'allpages',
    expand: parseExpand(query.get('$expand'), set, service),
  };
  const select = query.get('$select');
  if (select !== null && select.trim() !== '') options.select = parseSelect(select, set, service);
  return options;
}

function parseOrderBy(text: string | null, set: EntitySetDef): ((a: Row, b: Row) => number) | undefined {
  if (text === null || text.trim() === '') return undefined;
  const keys = text.split(',').map((part) => {
    const [name = '', direction = 'asc', extra] = part.trim().split(/\s+/);
    const entry = set.propertyByName.get(name);
    if (!entry) throw new ODataError(400, CODES.syntax, `Property ${name} not found in type ${set.typeName} ($orderby)`);
    if ((direction !== 'asc' && direction !== 'desc') || extra !== undefined) throw new ODataError(400, CODES.syntax, `Invalid $orderby '${part.trim()}'`);
    return { read: propertyReader(entry), sign: direction === 'asc' ? 1 : -1 };
  });
  return (a, b) => {
    for (const { read, sign } of keys) {
      const x = read(a);
      const y = read(b);
      if (x === y) continue;
      if (x === null) return -sign;
      if (y === null) return sign;
      return (x < y ? -1 : 1) * sign;
    }
    return 0;
  };
}

function parseExpand(text: string | null, set: EntitySetDef, service: ServiceDef): Expansion {
  const root: Expansion = new Map();
  if (text === null || text.trim() === '') return root;
  for (const path of text.split(',')) {
    let node = root;
    let current = set;
    for (const name of path.trim().split('/')) {
      const navigation = current.navigationByName.get(name);
      if (!navigation) throw new ODataError(400, CODES.syntax, `Property ${name} not found in type ${current.typeName} ($expand)`);
      if (!node.has(name)) node.set(name, new Map());
      node = node.get(name)!;
      current = service.sets.get(navigation.target)!;
    }
  }
  return root;
}

function parseSelect(text: string, set: EntitySetDef, service: ServiceDef): Selection {
  const root: Selection = { properties: new Set(), navigations: new Map() };
  for (const path of text.split(',')) {
    const names = path.trim().split('/');
    let node = root;
    let current = set;
    names.forEach((name, index) => {
      if (name === '*') {
        node.properties = 'all';
        return;
      }
      const navigation = current.navigationByName.get(name);
      if (navigation) {
        current = service.sets.get(navigation.target)!;
        const last = index === names.length - 1;
        let child = node.navigations.get(name);
        if (last) {
          if (!node.navigations.has(name)) node.navigations.set(name, undefined);
          return;
        }
        if (!child) {
          child = { properties: new Set(), navigations: new Map() };
          node.navigations.set(name, child);
        }
        node = child;
        return;
      }
      if (!current.propertyByName.has(name) || index !== names.length - 1) throw new ODataError(400, CODES.syntax, `Property ${name} not found in type ${current.typeName} ($select)`);
      if (node.properties !== 'all') (node.properties as Set<string>).add(name);
    });
  }
  return root;
}

function keyPredicate(set: EntitySetDef, row: Row): string {
  const quote = (value: Value) => `'${encodeURIComponent(String(value).replaceAll("'", "''"))}'`;
  if (set.keys.length === 1) return `(${quote(row[set.keys[0]!.name]!)})`;
  return `(${set.keys.map((key) => `${key.name}=${quote(row[key.name]!)}`).join(',')})`;
}

function jsonValue(entry: PropertyDef, value: Value | undefined): unknown {
  if (value === null || value === undefined) return null;
  if (entry.type === 'Edm.DateTime') return `/Date(${value})/`;
  if (entry.type === 'Edm.DateTimeOffset') return `/Date(${value}+0000)/`;
  return value;
}

/** An entity in JSON verbose form: `__metadata`, the selected properties, navigation deferred or expanded. */
function entityJson(context: Context, set: EntitySetDef, row: Row, select: Selection | undefined, expand: Expansion): Record<string, unknown> {
  const uri = `${context.serviceBase}/${set.name}${keyPredicate(set, row)}`;
  const metadata: Record<string, string> = { id: uri, uri, type: `${context.service.name}.${set.typeName}` };
  const etag = set.etag?.(row);
  if (etag) metadata.etag = etag;
  const out: Record<string, unknown> = { __metadata: metadata };
  const all = !select || select.properties === 'all';
  for (const entry of set.properties) {
    if (all || (select!.properties as ReadonlySet<string>).has(entry.name)) out[entry.name] = jsonValue(entry, row[entry.name]);
  }
  for (const navigation of set.navigations) {
    const expanded = expand.get(navigation.name);
    if (!expanded && select && !select.navigations.has(navigation.name)) continue;
    if (!expanded) {
      out[navigation.name] = { __deferred: { uri: `${uri}/${navigation.name}` } };
      continue;
    }
    const target = context.service.sets.get(navigation.target)!;
    const below = select?.navigations.get(navigation.name);
    const resolved = navigation.resolve(context.system.store, row);
    out[navigation.name] = navigation.many
      ? { results: (resolved as readonly Row[]).map((child) => entityJson(context, target, child, below, expanded)) }
      : resolved
        ? entityJson(context, target, resolved as Row, below, expanded)
        : null;
  }
  return out;
}

/**
 * Serialized entities, per row: a page of 100 partners is ~170 KB of JSON, and serializing it
 * dominated the cost of a read. An entry is valid for one service base, $select and $expand, and
 * one store version (any change to the data bumps it, so expanded rows cannot go stale either).
 */
const entityTexts = new WeakMap<Row, { key: string; text: string }>();

function entityText(context: Context, set: EntitySetDef, row: Row, options: QueryOptions, signature: string): string {
  const key = `${context.system.store.version}\u0000${context.serviceBase}\u0000${signature}`;
  const cached = entityTexts.get(row);
  if (cached?.key === key) return cached.text;
  const text = JSON.stringify(entityJson(context, set, row, options.select, options.expand));
  entityTexts.set(row, { key, text });
  return text;
}

function readCollection(context: Context, call: ODataCall, target: Extract<Target, { kind: 'collection' }>): ODataResult {
  const { set } = target;
  const options = parseOptions(call.query, set, context.service, true);
  let rows = options.filter ? target.rows.filter(options.filter) : target.rows;
  if (options.order) rows = [...rows].sort(options.order);
  const total = rows.length;
  const windowEnd = options.top === undefined ? total : Math.min(total, options.skip + options.top);
  const window = rows.slice(Math.min(options.skip, total), windowEnd);
  if (target.count) return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8', dataserviceversion: '2.0' }, body: String(window.length) };
  const pageSize = context.system.pageSize;
  const page = window.slice(options.skiptoken, options.skiptoken + pageSize);
  const signature = `${set.name}\u0000${call.query.get('$select') ?? ''}\u0000${call.query.get('$expand') ?? ''}`;
  let body = `{"d":{${options.inlinecount ? `"__count":"${total}",` : ''}"results":[${page.map((row) => entityText(context, set, row, options, signature)).join(',')}]`;
  if (options.skiptoken + pageSize < window.length) {
    const kept = call.rawQuery.split('&').filter((part) => part !== '' && !/^(\$|%24)skiptoken=/i.test(part));
    kept.push(`$skiptoken=${options.skiptoken + pageSize}`);
    body += `,"__next":${JSON.stringify(`${context.serviceBase}/${call.resourcePath.replace(/\/$/, '')}?${kept.join('&')}`)}`;
  }
  return { status: 200, headers: JSON_HEADERS, body: `${body}}}` };
}

/** Parses a JSON request body (plain or wrapped in `d`). */
function payload(call: ODataCall): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(call.body.toString('utf8'));
  } catch {
    throw new ODataError(400, CODES.invalidPayload, 'The request body is not valid JSON (the simulator accepts JSON payloads only)');
  }
  if (parsed && typeof parsed === 'object' && 'd' in parsed && Object.keys(parsed).length === 1) parsed = (parsed as { d: unknown }).d;
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ODataError(400, CODES.invalidPayload, 'The request body must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** A JSON payload value as the store keeps it; throws a 400 for a value of the wrong type. */
function fromJson(entry: PropertyDef, value: unknown): Value {
  const invalid = () => new ODataError(400, CODES.invalidPayload, `Invalid value ${JSON.stringify(value)} for property '${entry.name}' (${entry.type})`, entry.name);
  if (value === null) {
    if (entry.key) throw invalid();
    return null;
  }
  switch (entry.type) {
    case 'Edm.String':
      if (typeof value !== 'string') throw invalid();
      if (entry.maxLength !== undefined && value.length > entry.maxLength) {
        throw new ODataError(400, CODES.invalidPayload, `Value for property '${entry.name}' is longer than ${entry.maxLength} characters`, entry.name);
      }
      return value;
    case 'Edm.Boolean':
      if (typeof value !== 'boolean') throw invalid();
      return value;
    case 'Edm.Decimal': {
      const text = typeof value === 'number' ? String(value) : value;
      if (typeof text !== 'string' || !/^-?\d+(\.\d+)?$/.test(text)) throw invalid();
      return text;
    }
    case 'Edm.DateTime':
    case 'Edm.DateTimeOffset': {
      if (typeof value !== 'string') throw invalid();
      const ticks = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/.exec(value);
      const ms = ticks ? Number(ticks[1]) : (parseDateTimeOffsetLiteral(value) ?? parseDateTimeLiteral(value));
      if (ms === undefined) throw invalid();
      return entry.dateOnly ? dateOnly(ms) : ms;
    }
    case 'Edm.Time':
      if (typeof value !== 'string' || parseTime(value) === undefined) throw invalid();
      return value;
    case 'Edm.Guid':
      if (typeof value !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) throw invalid();
      return value.toLowerCase();
  }
}

/**
 * The properties of a payload, checked against the set: unknown names are a 400; read-only
 * properties are ignored (as Gateway does), except that a changed key is a 400 on update.
 * Navigation properties are returned apart, for deep inserts.
 */
function properties(set: EntitySetDef, body: Record<string, unknown>, mode: 'create' | 'update', current?: Row): { values: Row; navigations: Map<string, unknown> } {
  const values: Row = {};
  const navigations = new Map<string, unknown>();
  for (const [name, raw] of Object.entries(body)) {
    if (name === '__metadata') continue;
    if (set.navigationByName.has(name)) {
      navigations.set(name, raw);
      continue;
    }
    const entry = set.propertyByName.get(name);
    if (!entry) throw new ODataError(400, CODES.invalidPayload, `Property '${name}' is invalid for type ${set.typeName}`, name);
    const value = fromJson(entry, raw);
    if (mode === 'update' && entry.key && current && (entry.alpha ? alpha(String(value)) : value) !== current[name]) {
      throw new ODataError(400, CODES.invalidPayload, `Key property '${name}' cannot be changed`, name);
    }
    if (mode === 'create' ? entry.creatable : entry.updatable) values[name] = value;
  }
  return { values, navigations };
}

function nestedList(value: unknown, name: string): Record<string, unknown>[] {
  const list = Array.isArray(value) ? value : value && typeof value === 'object' && Array.isArray((value as { results?: unknown }).results) ? (value as { results: unknown[] }).results : undefined;
  if (!list || !list.every((item) => item && typeof item === 'object' && !Array.isArray(item))) {
    throw new ODataError(400, CODES.invalidPayload, `Deep insert of ${name} needs an array of objects (or { results: [...] })`, name);
  }
  return list as Record<string, unknown>[];
}

function nestedObject(value: unknown, name: string): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ODataError(400, CODES.invalidPayload, `Deep insert of ${name} needs an object`, name);
  return value as Record<string, unknown>;
}

function create(context: Context, call: ODataCall, set: EntitySetDef): ODataResult {
  const { store } = context.system;
  const body = payload(call);
  const { values, navigations } = properties(set, body, 'create');
  const sets = context.service.sets;
  let row: Row;
  if (set.name === 'A_BusinessPartner') {
    const nested = (name: string) => properties(sets.get(set.navigationByName.get(name)!.target)!, nestedObject(navigations.get(name), name), 'create').values;
    row = store.createBusinessPartner(values, {
      addresses: navigations.has('to_BusinessPartnerAddress')
        ? nestedList(navigations.get('to_BusinessPartnerAddress'), 'to_BusinessPartnerAddress').map((item) => properties(sets.get('A_BusinessPartnerAddress')!, item, 'create').values)
        : undefined,
      customer: navigations.has('to_Customer') ? nested('to_Customer') : undefined,
      supplier: navigations.has('to_Supplier') ? nested('to_Supplier') : undefined,
    });
  } else if (set.name === 'A_SalesOrder') {
    const items = navigations.has('to_Item') ? nestedList(navigations.get('to_Item'), 'to_Item').map((item) => properties(sets.get('A_SalesOrderItem')!, item, 'create').values) : [];
    for (const name of ['SalesOrderType', 'SalesOrganization', 'DistributionChannel', 'OrganizationDivision', 'SoldToParty']) {
      if (!values[name]) throw new ODataError(400, CODES.invalidPayload, `Property '${name}' is required`, name);
    }
    row = store.createSalesOrder({ header: values, items }).order;
  } else {
    throw notImplemented(set, 'CREATE_ENTITY');
  }
  const expand: Expansion = new Map([...navigations.keys()].map((name) => [name, new Map()]));
  const entity = entityJson(context, set, row, undefined, expand);
  const headers: Headers = { location: (entity.__metadata as { uri: string }).uri };
  const etag = set.etag?.(row);
  if (etag) headers.etag = etag;
  return json(201, { d: entity }, headers);
}

/** Checks If-Match against the entity's ETag: 428 without one, 412 when stale; `*` matches. */
function checkPrecondition(set: EntitySetDef, row: Row, call: ODataCall): void {
  if (!set.etag) return;
  const ifMatch = call.header('if-match');
  if (!ifMatch) throw new ODataError(428, CODES.preconditionRequired, 'Data service request is required to be conditional; try using the "If-Match" header');
  const current = set.etag(row);
  const given = ifMatch.split(',').map((tag) => tag.trim());
  if (!given.includes('*') && !given.includes(current)) {
    throw new ODataError(412, CODES.preconditionFailed, `The ETag of ${set.name}${keyPredicate(set, row)} has changed since it was read (precondition failed)`);
  }
}

function initialValue(entry: PropertyDef): Value {
  switch (entry.type) {
    case 'Edm.Boolean':
      return false;
    case 'Edm.Decimal':
      return '0';
    case 'Edm.String':
      return '';
    case 'Edm.Time':
      return 'PT00H00M00S';
    default:
      return null;
  }
}

function update(context: Context, call: ODataCall, set: EntitySetDef, row: Row): ODataResult {
  if (!set.updatable) throw notImplemented(set, 'UPDATE_ENTITY');
  checkPrecondition(set, row, call);
  const { values, navigations } = properties(set, payload(call), 'update', row);
  if (navigations.size > 0) throw new ODataError(400, CODES.invalidPayload, `Navigation properties cannot be changed by an update of ${set.name}`);
  if (call.method === 'PUT') {
    for (const entry of set.properties) if (entry.updatable && !(entry.name in values)) values[entry.name] = initialValue(entry);
  }
  const { store } = context.system;
  Object.assign(row, values);
  const at = store.stamp();
  store.touch(row, at);
  if (set.name === 'A_BusinessPartner') {
    store.syncPartnerNames(row);
    const id = String(row.BusinessPartner);
    for (const related of [store.customers.get(id), store.suppliers.get(id)]) if (related) store.touch(related, at);
  }
  return { status: 204, headers: set.etag ? { dataserviceversion: '1.0', etag: set.etag(row) } : { dataserviceversion: '1.0' }, body: '' };
}

function remove(context: Context, call: ODataCall, set: EntitySetDef, row: Row): ODataResult {
  if (!set.deletable) throw notImplemented(set, 'DELETE_ENTITY');
  checkPrecondition(set, row, call);
  context.system.store.deleteSalesOrder(String(row.SalesOrder));
  return { status: 204, headers: { dataserviceversion: '1.0' }, body: '' };
}

const STATUS_TEXT: Record<number, string> = { 200: 'OK', 201: 'Created', 204: 'No Content', 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 412: 'Precondition Failed', 428: 'Precondition Required', 500: 'Internal Server Error', 501: 'Not Implemented' };

interface BatchPart {
  headers: Map<string, string>;
  body: string;
}

/** Splits a multipart/mixed body into its parts (headers lower-cased). */
function multipart(body: string, boundary: string): BatchPart[] {
  const parts: BatchPart[] = [];
  const chunks = body.split(`--${boundary}`);
  for (const chunk of chunks.slice(1)) {
    if (chunk.startsWith('--')) break;
    const text = chunk.replace(/^\r?\n/, '');
    const split = /\r?\n\r?\n/.exec(text);
    const head = split ? text.slice(0, split.index) : text;
    const rest = split ? text.slice(split.index + split[0].length) : '';
    parts.push({ headers: headerLines(head), body: rest.replace(/\r?\n$/, '') });
  }
  return parts;
}

function headerLines(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

function boundaryOf(contentType: string | undefined): string | undefined {
  return /boundary=("?)([^";]+)\1/i.exec(contentType ?? '')?.[2];
}

/** `$batch`: each GET part is run as its own request; change sets are answered with a 400 part. */
function batch(context: Context, call: ODataCall): ODataResult {
  const boundary = boundaryOf(call.header('content-type'));
  if (!boundary || !/^multipart\/mixed/i.test(call.header('content-type') ?? '')) {
    throw new ODataError(400, CODES.syntax, '$batch needs Content-Type multipart/mixed with a boundary');
  }
  const responseBoundary = `batch_${randomBytes(12).toString('hex')}`;
  const answers = multipart(call.body.toString('utf8'), boundary).map((part) => batchPart(context, part));
  const body =
    answers
      .map((answer) => {
        const head = [`HTTP/1.1 ${answer.status} ${STATUS_TEXT[answer.status] ?? ''}`.trim()];
        for (const [name, value] of Object.entries(answer.headers)) head.push(`${name}: ${Array.isArray(value) ? value.join(', ') : String(value)}`);
        head.push(`content-length: ${Buffer.byteLength(answer.body)}`);
        return `--${responseBoundary}\r\ncontent-type: application/http\r\ncontent-transfer-encoding: binary\r\n\r\n${head.join('\r\n')}\r\n\r\n${answer.body}\r\n`;
      })
      .join('') + `--${responseBoundary}--\r\n`;
  return { status: 202, headers: { 'content-type': `multipart/mixed; boundary=${responseBoundary}`, dataserviceversion: '2.0' }, body };
}

function batchPart(context: Context, part: BatchPart): ODataResult {
  const serviceName = context.service.name;
  if (/^multipart\/mixed/i.test(part.headers.get('content-type') ?? '')) {
    return { status: 400, headers: JSON_HEADERS, body: sapErrorBody(serviceName, CODES.notImplemented, 'Change sets in $batch are not supported by the simulator') };
  }
  const split = /\r?\n\r?\n/.exec(part.body);
  const head = split ? part.body.slice(0, split.index) : part.body;
  const [requestLine = '', ...headerText] = head.split(/\r?\n/);
  const [method = '', target = ''] = requestLine.split(' ');
  if (method !== 'GET') {
    return { status: 400, headers: JSON_HEADERS, body: sapErrorBody(serviceName, CODES.syntax, `Only GET is allowed outside a change set (got ${method || 'nothing'})`) };
  }
  const headers = headerLines(headerText.join('\n'));
  const relative = target.replace(/^https?:\/\/[^/]+/, '').replace(new RegExp(`^.*?/${serviceName}/`, 'i'), '');
  const questionMark = relative.indexOf('?');
  const rawQuery = questionMark < 0 ? '' : relative.slice(questionMark + 1);
  try {
    return route(context, {
      method,
      resourcePath: questionMark < 0 ? relative : relative.slice(0, questionMark),
      query: new URLSearchParams(rawQuery),
      rawQuery,
      header: (name) => headers.get(name),
      body: Buffer.alloc(0),
    });
  } catch (error) {
    return errorResult(serviceName, error);
  }
}
