/**
 * Audit records: one for every mutation and every denied request, written by the router.
 * Never holds request or response bodies, tokens or API keys.
 */
export interface AuditRecord {
  at: Date;
  requestId: string;
  /** `kind:id` of the caller (`user:alice`, `api_key:key_123`), or null without credentials. */
  principal: string | null;
  clientIp: string | null;
  operationName: string | null;
  operationType: 'query' | 'mutation' | 'subscription' | null;
  /** `ok`, or why the request was refused or failed. */
  outcome: 'ok' | 'error' | 'denied' | 'rate_limited';
  /** The first error code, when the outcome is not `ok`. */
  code: string | null;
  durationMs: number;
}

/** Where audit records go: PostgreSQL when the router has a database, the log otherwise. */
export interface AuditSink {
  /** Queues the record; never throws and never waits on storage. */
  record(entry: AuditRecord): void;
  /** Writes what is queued and stops. */
  close(): Promise<void>;
}
