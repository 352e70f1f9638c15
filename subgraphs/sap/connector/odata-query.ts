import { uriLiteral } from './odata-values.js';

/** System query options of an OData v2 read. `$format=json` is always added; `sap-client` by the transport. */
export interface ODataQuery {
  /** A `$filter` expression as OData writes it: `BusinessPartnerCategory eq '1'`. */
  filter?: string;
  select?: readonly string[];
  /** Navigation paths, `/` for deeper levels: `to_Item/to_PricingElement`. */
  expand?: readonly string[];
  /** `CreationDate desc` or several of them. */
  orderby?: string | readonly string[];
  top?: number;
  skip?: number;
  /** Asks for `$inlinecount=allpages` (the total in the page's `count`). */
  inlineCount?: boolean;
  /** Further parameters (`search`, custom query options), values unencoded. */
  custom?: Readonly<Record<string, string>>;
}

/** Encoded like encodeURIComponent, but `,` and `/` stay readable: SAP Gateway takes them either way. */
function encode(value: string): string {
  return encodeURIComponent(value).replace(/%2C/g, ',').replace(/%2F/g, '/');
}

function count(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`$${name} must be a non-negative integer, got ${value}`);
  return value;
}

/** The query string (no `?`) for `query`, `$format=json` last. */
export function queryString(query: ODataQuery = {}): string {
  const parts: string[] = [];
  if (query.filter) parts.push(`$filter=${encode(query.filter)}`);
  if (query.select?.length) parts.push(`$select=${query.select.map(encode).join(',')}`);
  if (query.expand?.length) parts.push(`$expand=${query.expand.map(encode).join(',')}`);
  const orderby = typeof query.orderby === 'string' ? [query.orderby] : (query.orderby ?? []);
  if (orderby.length) parts.push(`$orderby=${orderby.map(encode).join(',')}`);
  const top = count('top', query.top);
  if (top !== undefined) parts.push(`$top=${top}`);
  const skip = count('skip', query.skip);
  if (skip !== undefined) parts.push(`$skip=${skip}`);
  if (query.inlineCount) parts.push('$inlinecount=allpages');
  for (const [name, value] of Object.entries(query.custom ?? {})) parts.push(`${encode(name)}=${encode(value)}`);
  parts.push('$format=json');
  return parts.join('&');
}

/**
 * `(P eq 'a' or P eq 'b')`: one filter for a batch of keys. Strings are quoted with `'` doubled;
 * numbers and booleans are written as they are. Throws a RangeError for no values (no filter
 * matches nothing in OData v2; the caller should not ask).
 */
export function filterAnyOf(property: string, values: readonly (string | number | boolean)[]): string {
  if (values.length === 0) throw new RangeError('filterAnyOf needs at least one value');
  return `(${values.map((value) => `${property} eq ${uriLiteral(value)}`).join(' or ')})`;
}

/**
 * The filter's share of a request URL: SAP's ICM and the proxies in front of it refuse request
 * lines of 8 KB or more by default, so URLs are kept under about 6 KB and the filter under 4 KB
 * (encoded), leaving the rest for the path, `$select`, `$expand` and the other options.
 */
export const MAX_FILTER_LENGTH = 4096;

/** The property name `chunkKeys` assumes when it is not told: longer than most SAP property names. */
const ASSUMED_PROPERTY = 'x'.repeat(40);

/**
 * Splits `values` (duplicates dropped, first occurrence kept) into batches whose
 * `filterAnyOf(property, batch)` stays within `maxFilterLength` characters once URL-encoded:
 * one request per batch. Without `property`, a name of 40 characters is assumed. A single
 * value longer than the limit still gets a batch of its own.
 */
export function chunkKeys<T extends string | number | boolean>(values: readonly T[], options: { property?: string; maxFilterLength?: number } = {}): T[][] {
  const property = options.property ?? ASSUMED_PROPERTY;
  const max = options.maxFilterLength ?? MAX_FILTER_LENGTH;
  const separator = encode(' or ').length;
  const chunks: T[][] = [];
  let current: T[] = [];
  // The enclosing `(` and `)`.
  let length = 2;
  for (const value of new Set(values)) {
    const term = encode(`${property} eq ${uriLiteral(value)}`).length;
    if (current.length > 0 && length + separator + term > max) {
      chunks.push(current);
      current = [];
      length = 2;
    }
    length += (current.length > 0 ? separator : 0) + term;
    current.push(value);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
