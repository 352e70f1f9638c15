import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { SapDataStore, type CustomerMasterChange } from './sap-data-store.js';
import { seedSampleData } from './sap-sample-data.js';

/** A fault injected into one system; it applies to every request to that system until cleared. */
export interface SapFault {
  /** Each request waits this long before it is handled (or failed). */
  latencyMs?: number;
  /** Requests are answered with this status instead of being handled. */
  failStatus?: 500 | 502 | 503;
  /** Share of requests that fail, 0..1 (default 1 with failStatus); spread evenly: 0.5 fails every second request. */
  failRate?: number;
  /** One-shot: every CSRF token issued so far becomes invalid (clients must fetch a new one). Not kept as a standing fault. */
  expireCsrfTokens?: boolean;
  /** Requests get their connection destroyed without any answer. */
  resetConnections?: boolean;
}

export const COUNT_KINDS = ['odata', 'batch', 'soap', 'idoc', 'metadata', 'csrfFetch', 'token', 'other'] as const;
export type CountKind = (typeof COUNT_KINDS)[number];

/** A change made by a write BAPI inside a logical unit of work, waiting for BAPI_TRANSACTION_COMMIT. */
export interface PendingChange {
  function: string;
  customer: string;
  change: CustomerMasterChange;
}

/** What became of the changes of a logical unit of work (readable through RunningSapSimulator.rfcTransactions). */
export interface RfcTransactionRecord {
  /** The stateful context (sap-contextid) it ran in; '' for a stateless request. */
  context: string;
  outcome: 'committed' | 'rolled-back' | 'discarded';
  changes: readonly PendingChange[];
  at: number;
}

/** A stateful SOAP-RFC context (an ABAP user session): holds the open logical unit of work. */
export interface RfcContext {
  id: string;
  pending: PendingChange[];
  lastUsed: number;
}

export interface SapSystemOptions {
  id: string;
  client: string;
  pageSize: number;
  idocProcessingDelayMs: number;
  tokenLifetimeSeconds: number;
  logger?: Logger;
}

/** Contexts idle this long are ended (their open changes discarded), like an ABAP session timeout. */
export const RFC_CONTEXT_TIMEOUT_MS = 10 * 60_000;
/** At most this many CSRF sessions and access tokens are remembered; the oldest are forgotten first. */
const MAX_SESSIONS = 20_000;

/**
 * One simulated SAP system (SID + client): its data, and the state of its protocols. Each system
 * under the simulator is independent of the others.
 */
export class SapSystem {
  readonly id: string;
  readonly client: string;
  readonly pageSize: number;
  readonly idocProcessingDelayMs: number;
  readonly tokenLifetimeSeconds: number;
  readonly logger: Logger | undefined;
  readonly store = new SapDataStore();
  readonly counts = Object.fromEntries(COUNT_KINDS.map((kind) => [kind, 0])) as Record<CountKind, number>;
  readonly transactions: RfcTransactionRecord[] = [];
  /** The security session cookie, as SAP names it. */
  readonly sessionCookie: string;

  private fault: SapFault | undefined;
  private faultedRequests = 0;
  /** SAP_SESSIONID value -> the CSRF token of that session (undefined once expired). */
  private readonly csrfSessions = new Map<string, string | undefined>();
  /** OAuth access token -> expiry (epoch ms). */
  private readonly accessTokens = new Map<string, number>();
  private readonly rfcContexts = new Map<string, RfcContext>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(options: SapSystemOptions) {
    this.id = options.id;
    this.client = options.client;
    this.pageSize = options.pageSize;
    this.idocProcessingDelayMs = options.idocProcessingDelayMs;
    this.tokenLifetimeSeconds = options.tokenLifetimeSeconds;
    this.logger = options.logger;
    this.sessionCookie = `SAP_SESSIONID_${this.id}_${this.client}`;
    seedSampleData(this.store);
  }

  count(kind: CountKind): void {
    this.counts[kind]++;
  }

  resetCounts(): void {
    for (const kind of COUNT_KINDS) this.counts[kind] = 0;
  }

  setFault(fault: SapFault): void {
    if (fault.expireCsrfTokens) this.expireCsrfTokens();
    const { expireCsrfTokens: _oneShot, ...standing } = fault;
    this.fault = Object.values(standing).some((value) => value !== undefined) ? standing : undefined;
    this.faultedRequests = 0;
    this.logger?.info({ system: this.id, fault }, 'SAP simulator fault set');
  }

  clearFault(): void {
    this.fault = undefined;
    this.faultedRequests = 0;
  }

  /**
   * What the standing fault does to the next request: its latency, and whether it fails (and how).
   * Failures are spread evenly: the n-th request fails when floor(n * failRate) moves on.
   */
  nextFault(): { latencyMs: number; failure?: 'reset' | 500 | 502 | 503 } {
    const fault = this.fault;
    if (!fault) return { latencyMs: 0 };
    const latencyMs = fault.latencyMs ?? 0;
    if (fault.resetConnections) return { latencyMs, failure: 'reset' };
    if (!fault.failStatus) return { latencyMs };
    const rate = fault.failRate ?? 1;
    const n = this.faultedRequests++;
    return Math.floor((n + 1) * rate) > Math.floor(n * rate) ? { latencyMs, failure: fault.failStatus } : { latencyMs };
  }

  /** The CSRF token of a session, issuing a session and/or token when there is none. */
  fetchCsrfToken(sessionId: string | undefined): { sessionId: string; token: string; newSession: boolean } {
    const known = sessionId !== undefined && this.csrfSessions.has(sessionId);
    const id = known ? sessionId! : randomBytes(24).toString('base64url');
    let token = this.csrfSessions.get(id);
    if (!token) {
      token = randomBytes(16).toString('base64');
      remember(this.csrfSessions, id, token);
    }
    return { sessionId: id, token, newSession: !known };
  }

  csrfTokenValid(sessionId: string | undefined, token: string | undefined): boolean {
    return sessionId !== undefined && token !== undefined && token !== '' && this.csrfSessions.get(sessionId) === token;
  }

  /** Every token issued so far stops being valid; the sessions stay, so a new fetch with the same cookie works. */
  expireCsrfTokens(): void {
    for (const id of this.csrfSessions.keys()) this.csrfSessions.set(id, undefined);
  }

  issueAccessToken(): { token: string; expiresIn: number } {
    const token = randomBytes(32).toString('base64url');
    remember(this.accessTokens, token, Date.now() + this.tokenLifetimeSeconds * 1000);
    return { token, expiresIn: this.tokenLifetimeSeconds };
  }

  accessTokenValid(token: string): boolean {
    const expiresAt = this.accessTokens.get(token);
    if (expiresAt === undefined) return false;
    if (expiresAt > Date.now()) return true;
    this.accessTokens.delete(token);
    return false;
  }

  openRfcContext(): RfcContext {
    const now = Date.now();
    for (const [id, context] of this.rfcContexts) {
      if (now - context.lastUsed > RFC_CONTEXT_TIMEOUT_MS) this.endRfcContext(id);
    }
    const context: RfcContext = { id: randomBytes(18).toString('hex').toUpperCase(), pending: [], lastUsed: now };
    this.rfcContexts.set(context.id, context);
    return context;
  }

  /** The live context with this id, or undefined (unknown, ended, or timed out). */
  rfcContext(id: string): RfcContext | undefined {
    const context = this.rfcContexts.get(id);
    if (!context) return undefined;
    if (Date.now() - context.lastUsed > RFC_CONTEXT_TIMEOUT_MS) {
      this.endRfcContext(id);
      return undefined;
    }
    context.lastUsed = Date.now();
    return context;
  }

  /** Ends a context; its uncommitted changes are discarded, as when an ABAP session ends. */
  endRfcContext(id: string): void {
    const context = this.rfcContexts.get(id);
    if (!context) return;
    this.rfcContexts.delete(id);
    this.finishUnitOfWork(context, 'discarded');
  }

  /** Records and clears a unit of work's changes (applying them is the caller's job, before this). */
  finishUnitOfWork(context: Pick<RfcContext, 'id' | 'pending'>, outcome: RfcTransactionRecord['outcome']): void {
    if (context.pending.length === 0) return;
    this.transactions.push({ context: context.id, outcome, changes: context.pending.splice(0), at: Date.now() });
  }

  /** Runs `task` after `delayMs` unless the system is stopped first. */
  schedule(delayMs: number, task: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      task();
    }, delayMs);
    this.timers.add(timer);
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_SESSIONS) map.delete(map.keys().next().value!);
}
