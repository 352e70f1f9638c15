import { fingerprint } from '../../../infra/db/idempotency.js';
import { OutboundRefused, type OutboundHttp } from '../../../infra/http/outbound-http.js';
import type { PollSource } from './polling-config.js';

/**
 * Reading one page of a polling source and mapping its items to the hub's UpsertCustomerInput.
 * No state and no SQL: the worker (polling-worker.ts) decides what to apply and when.
 */

/** The source could not be read (unreachable, timeout, non-2xx, not the JSON expected): the round stops and the watermark stays. */
export class SourceFailure extends Error {
  override name = 'SourceFailure';
}

/** A value at a dot path (`data.items`, `contact.email`); undefined when any step is missing. */
export function readPath(value: unknown, path: string): unknown {
  let current = value;
  for (const step of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}

/** The URL of the page at `watermark` (none: from the beginning), the source's own query kept. */
export function pageUrl(source: PollSource, watermark: string | undefined): string {
  const url = new URL(source.url);
  if (watermark !== undefined) url.searchParams.set(source.watermarkParam, watermark);
  url.searchParams.set(source.pageSizeParam, String(source.pageSize));
  return url.toString();
}

/** The source's URL as answered and logged: origin and path, no credentials, no query (which may hold a key). */
export function shownUrl(source: PollSource): string {
  const url = new URL(source.url);
  return `${url.origin}${url.pathname}${url.search ? '?(hidden)' : ''}`;
}

/** GETs the page at `watermark` and answers its items; throws SourceFailure. */
export async function fetchPage(source: PollSource, watermark: string | undefined, http: OutboundHttp, maxBytes: number): Promise<unknown[]> {
  let answer;
  try {
    answer = await http.get(pageUrl(source, watermark), { headers: { accept: 'application/json', ...source.headers }, maxBytes });
  } catch (error) {
    if (error instanceof OutboundRefused) throw new SourceFailure(`source ${source.name}: ${error.message}`);
    const timedOut = (error as Error).name === 'TimeoutError';
    throw new SourceFailure(`source ${source.name} ${timedOut ? 'did not answer in time' : `could not be reached: ${(error as Error).message}`}`, { cause: error });
  }
  if (answer.status < 200 || answer.status > 299) throw new SourceFailure(`source ${source.name} answered HTTP ${answer.status}`);
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    throw new SourceFailure(`source ${source.name} answered HTTP ${answer.status} with a body that is not JSON`);
  }
  const items = source.itemsPath === undefined ? body : readPath(body, source.itemsPath);
  if (!Array.isArray(items)) throw new SourceFailure(`source ${source.name} answered without an array ${source.itemsPath === undefined ? 'as its body' : `at ${source.itemsPath}`}`);
  return items;
}

const NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * Orders two watermark values: as numbers when both are, as instants when both parse as dates
 * (so `2026-01-01T10:00:00+01:00` comes before `2026-01-01T09:30:00Z`), else as text.
 */
export function compareWatermarks(a: string, b: string): number {
  if (NUMBER.test(a) && NUMBER.test(b)) return Math.sign(Number(a) - Number(b));
  const [ta, tb] = [Date.parse(a), Date.parse(b)];
  if (!Number.isNaN(ta) && !Number.isNaN(tb) && ta !== tb) return Math.sign(ta - tb);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The item's watermarkField value as text; undefined when it has none (or not a string or number). */
export function watermarkOf(source: PollSource, item: unknown): string | undefined {
  return text(readPath(item, source.watermarkField));
}

/** An item ready to apply: its UpsertCustomerInput and what makes its version unique. */
export interface MappedItem {
  kind: 'mapped';
  externalId: string;
  /** The item's watermarkField value, as text. */
  watermark: string;
  input: Record<string, string | null>;
  /** Of the mapped input: unchanged since the last time it was applied when equal. */
  inputHash: string;
  /**
   * The mutation's idempotencyKey: this source, this item, this version (its watermark value)
   * and this input. Reading the same version again (the inclusive boundary, a page re-read after
   * a crash) repeats the key, which the customers subgraph answers without a change or an event;
   * a later version that goes back to earlier values has another watermark and so another key.
   */
  idempotencyKey: string;
}

/** An item that cannot be mapped: recorded as a rejection, and the round goes on. */
export interface UnmappableItem {
  kind: 'unmappable';
  externalId: string | undefined;
  watermark: string | undefined;
  reason: string;
}

const TIERS = new Set(['STANDARD', 'PREMIUM', 'PLATINUM']);

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/**
 * Maps an item by the source's mapping. Absent optional fields are left out (an update keeps
 * them); `null` clears phone, customerGroup, creditLimit and tier. Only the shape is checked
 * here; the customers domain's own rules (email format, customer groups) are the API's.
 */
export function mapItem(source: PollSource, item: unknown): MappedItem | UnmappableItem {
  const watermark = watermarkOf(source, item);
  const externalId = text(readPath(item, source.mapping.externalId));
  const refuse = (reason: string): UnmappableItem => ({ kind: 'unmappable', externalId, watermark, reason });
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return refuse('the item is not a JSON object');
  if (externalId === undefined || externalId.trim() === '') return refuse(`externalId: ${source.mapping.externalId} is missing or not a string or number`);
  if (watermark === undefined) return refuse(`${source.watermarkField} (the watermark field) is missing or not a string or number`);
  const input: Record<string, string | null> = {};
  for (const [field, path] of Object.entries(source.mapping)) {
    if (field === 'externalId') continue;
    const value = readPath(item, path);
    const required = field === 'name' || field === 'email';
    if (value === undefined || (value === null && required)) {
      if (required) return refuse(`${field}: ${path} is missing`);
      continue;
    }
    if (value === null) {
      input[field] = null;
      continue;
    }
    const shown = text(value);
    if (shown === undefined || (field !== 'creditLimit' && typeof value !== 'string')) return refuse(`${field}: ${path} must be a ${field === 'creditLimit' ? 'decimal (a string or a number)' : 'string'}`);
    if (field === 'tier' && !TIERS.has(shown)) return refuse(`tier: ${path} must be STANDARD, PREMIUM or PLATINUM, not ${JSON.stringify(shown)}`);
    input[field] = shown;
  }
  const id = externalId.trim();
  return {
    kind: 'mapped',
    externalId: id,
    watermark,
    input,
    inputHash: fingerprint('upsertCustomerByExternalId', { externalId: id, ...input }),
    idempotencyKey: `poll:${source.name}:${fingerprint('poll', { externalId: id, watermark, input })}`,
  };
}
