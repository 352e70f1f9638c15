import { createHash } from 'node:crypto';
import { CamelCasePlugin, Kysely, PostgresDialect, type LogEvent } from 'kysely';
import pg from 'pg';
import type { Logger } from '../logger.js';
import { traceStatements } from '../tracing/sql-spans.js';
import type { Tracing } from '../tracing/tracing.js';

export interface PoolStats {
  /** Connections open, idle or in use. */
  total: number;
  idle: number;
  /** Queries queued for a free connection. */
  waiting: number;
  max: number;
}

export interface Database<DB> {
  db: Kysely<DB>;
  poolStats(): PoolStats;
  /** Resolves when PostgreSQL answers `select 1`. */
  ping(): Promise<void>;
  /** From now on, a span per statement sent inside a traced request (infra/tracing/sql-spans.ts). */
  traceStatements(tracing: Tracing): void;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  url: string;
  poolMax: number;
  connectTimeoutMs: number;
  /** The PostgreSQL schema this service owns; every query is scoped to it. */
  schema: string;
  logger: Logger;
  /** Called once for every SQL statement sent (tests count statements with it). */
  onQuery?: (sql: string) => void;
}

/** One pool per process and service, with every query built by Kysely scoped to the service's own schema. */
export function createDatabase<DB>(options: DatabaseOptions): Database<DB> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax,
    connectionTimeoutMillis: options.connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    application_name: `interchange-${options.schema}`,
  });
  let closing = false;
  let tracing: Tracing | undefined;
  // Each connection's end: pg-pool's end() resolves once its clients are told to end, not once
  // their connections have closed, and close() waits for those too.
  const connectionsEnded = new Set<Promise<void>>();
  // An idle client losing its connection (PostgreSQL restarted) must not crash the process;
  // the pool drops the client and the next query opens a new connection.
  pool.on('error', (error) => {
    if (!closing) options.logger.warn({ err: error }, 'idle PostgreSQL connection lost');
  });
  // A checked-out client has no listener of the pool's: without this, PostgreSQL going away
  // between two queries on it would be an unhandled 'error' event that ends the process.
  // The failed query still gets its error, and the pool drops the broken client on release.
  pool.on('connect', (client) => {
    client.on('error', (error) => {
      if (!closing) options.logger.warn({ err: error }, 'PostgreSQL connection lost');
    });
    const ended: Promise<void> = new Promise((resolveEnd) => client.once('end', () => resolveEnd()));
    connectionsEnded.add(ended);
    void ended.then(() => connectionsEnded.delete(ended));
    prepareReads(client);
    // Outside prepareReads, so that a span has the statement as Kysely sent it.
    traceStatements(client, () => tracing);
  });

  const onQuery = options.onQuery;
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({ pool }),
    // Tables and columns are snake_case in SQL and camelCase in TypeScript.
    plugins: [new CamelCasePlugin()],
    log: onQuery ? (event: LogEvent) => onQuery(event.query.sql) : undefined,
  }).withSchema(options.schema);

  return {
    db,
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: options.poolMax }),
    async ping() {
      await pool.query('select 1');
    },
    traceStatements(given) {
      tracing = given;
    },
    async close() {
      closing = true;
      await db.destroy();
      // Bounded: a connection PostgreSQL no longer answers on must not hold the shutdown.
      await Promise.race([Promise.all(connectionsEnded), new Promise((resolveLate) => setTimeout(resolveLate, 2_000).unref())]);
    },
  };
}

/**
 * Reads run as prepared statements: each connection parses and plans a SELECT the first time it
 * sees its text and then only binds new values, which saves PostgreSQL most of its work on the
 * short queries the subgraphs send. A text that grows with the number of values (an IN list) is
 * not prepared, so a connection keeps one statement per query shape in the code, not one per
 * batch size: lists of keys go as one array value (`= any($1)`). Past MAX_PREPARED texts on one
 * connection (SQL built with literal values would make ever new ones), further texts run unprepared.
 */
function prepareReads(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const names = new Map<string, string>();
  client.query = ((text: unknown, values?: unknown, callback?: unknown) => {
    if (typeof text !== 'string' || !Array.isArray(values)) return query(text, values, callback);
    let name = names.get(text);
    if (!name) {
      if (names.size >= MAX_PREPARED || !/^\s*select\b/i.test(text) || /\bin \(\$/i.test(text)) return query(text, values, callback);
      names.set(text, (name = `ic_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`));
    }
    return query({ name, text, values }, callback);
  }) as typeof client.query;
}

const MAX_PREPARED = 500;

/** PostgreSQL error codes this codebase reacts to. */
export const PgErrorCode = {
  UniqueViolation: '23505',
  ForeignKeyViolation: '23503',
} as const;

export function isPgError(error: unknown, code: string): error is pg.DatabaseError {
  return error instanceof pg.DatabaseError && error.code === code;
}
