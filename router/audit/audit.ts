import type { IncomingMessage } from 'node:http';
import type { BlockList } from 'node:net';
import type { Principal } from '../../infra/auth/principal.js';
import { clientIp } from '../../infra/http/client-ip.js';
import { offeredRequestId } from '../../infra/http/request-id.js';

/**
 * What a record is about: a GraphQL operation, a purge of the router's response cache, a
 * graphql-ws connection (its `connection_init`), an inbound webhook (POST /webhooks/<source>), or
 * a CSV export (GET /exports/<list>.csv).
 */
export type AuditAction = 'operation' | 'cache_purge' | 'connection' | 'webhook' | 'export' | 'import';

/** What a cache purge asked for and, when it ran, how many entries it removed. */
export type CachePurgeDetail = ({ all: true } | { type: string; id?: string }) & { purged?: number };

/** An inbound webhook: the source it was posted to, the status it was answered with and, when stored, the stored webhook's id and whether it was a redelivery. */
export interface WebhookDetail {
  source: string;
  status: number;
  id?: string;
  duplicate?: boolean;
}

/** A CSV export: which one, the status it was answered with, and the filter parameters it named (their names only: a search may be personal). */
export interface ExportDetail {
  export: string;
  status: number;
  filters: string[];
  /** False when the transfer ended before the last row (the client left, or the subgraph failed). */
  complete: boolean;
}

/** An import upload or report: the path, the status it was answered with, the bytes received, and whether the transfer completed. */
export interface ImportDetail {
  path: string;
  status: number;
  bytes: number;
  complete: boolean;
}

/**
 * Audit records: one for every mutation and every denied request, cache purge, refused
 * WebSocket connection, inbound webhook, CSV export and import upload, written by the router.
 * Never holds request or response bodies, tokens or API keys.
 */
export interface AuditRecord {
  at: Date;
  action: AuditAction;
  /** The router's own id for the request (a UUID it made): on its log lines, in its errors and in the subgraphs'. */
  requestId: string;
  /** The x-request-id the client sent, or null. The client chooses it: it proves nothing. */
  clientRequestId: string | null;
  /** `kind:id` of the caller (`user:alice`, `api_key:key_123`), or null without credentials. */
  principal: string | null;
  clientIp: string | null;
  /** The name the client gave the operation: it need not say what the operation does (`rootFields` does). */
  operationName: string | null;
  operationType: 'query' | 'mutation' | 'subscription' | null;
  /**
   * The root fields the operation selects, as schema coordinates (`Mutation.createApiKey`),
   * through fragments, each once; empty for other actions and for an operation that did not parse.
   */
  rootFields: readonly string[];
  /** `ok`, or why the request was refused or failed. */
  outcome: 'ok' | 'error' | 'denied' | 'rate_limited';
  /** The first error code, when the outcome is not `ok`. */
  code: string | null;
  durationMs: number;
  /** For a cache purge: what it was asked to purge (absent when it was refused before reading the request); for a webhook, its source and answer; for an export, which and how it ended. */
  detail?: CachePurgeDetail | WebhookDetail | ExportDetail | ImportDetail;
}

/** `kind:id` of a caller, as audit records name it; null for a caller without credentials. */
export function auditPrincipal(principal: Principal | undefined): string | null {
  return principal ? `${principal.kind}:${principal.id}` : null;
}

/**
 * The record of an HTTP request that is not a GraphQL operation (a cache purge, an inbound
 * webhook, an export): the client's request id and address read from `req`, the duration from
 * `startedAt` (performance.now()), no operation fields.
 */
export function httpRequestRecord(
  req: IncomingMessage,
  trustedProxies: BlockList | undefined,
  startedAt: number,
  fields: Pick<AuditRecord, 'action' | 'requestId' | 'outcome' | 'code' | 'detail'> & { principal: Principal | undefined },
): AuditRecord {
  return {
    at: new Date(),
    ...fields,
    clientRequestId: offeredRequestId(req.headers),
    principal: auditPrincipal(fields.principal),
    clientIp: clientIp(req.socket.remoteAddress, req.headers['x-forwarded-for'], trustedProxies),
    operationName: null,
    operationType: null,
    rootFields: [],
    durationMs: Math.round(performance.now() - startedAt),
  };
}

/** Where audit records go: PostgreSQL when the router has a database, the log otherwise. */
export interface AuditSink {
  /** Queues the record; never throws and never waits on storage. */
  record(entry: AuditRecord): void;
  /** Writes what is queued and stops. */
  close(): Promise<void>;
}
