import { context, SpanKind, trace } from '@opentelemetry/api';
import type pg from 'pg';
import { spanFailed, SpanAttributes, type Tracing } from './tracing.js';

type QueryCallback = (error: Error | null, result: unknown) => void;

/** `SELECT`, `INSERT`, `BEGIN`...: the statement's first word, for the span's name. */
function verbOf(text: string): string {
  return /^\s*([A-Za-z]+)/.exec(text)?.[1]?.toUpperCase() ?? 'SQL';
}

/**
 * A span per statement `client` sends while a traced request is active, a child of the active span
 * (so under a subgraph's server span, through the request's DataLoaders and repositories):
 * `db.system` postgresql and `db.statement` the statement's text, never its values. Statements
 * outside a traced request (the event relay's reads, retention) get none. `tracing` is asked on
 * every statement, so that a pool opened before its service's tracing (migrations) is traced too;
 * while it answers undefined, a statement costs this wrapper one call and one check.
 */
export function traceStatements(client: pg.PoolClient, tracing: () => Tracing | undefined): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((config: unknown, values?: unknown, callback?: unknown) => {
    const current = tracing();
    if (!current) return query(config, values, callback);
    const parent = context.active();
    const text = typeof config === 'string' ? config : (config as { text?: unknown } | null)?.text;
    // A submittable (a cursor) reports its end by events of its own: not traced.
    if (!trace.getSpan(parent) || typeof text !== 'string' || typeof (config as { submit?: unknown }).submit === 'function') return query(config, values, callback);
    const span = current.tracer.startSpan(
      `postgresql ${verbOf(text)}`,
      { kind: SpanKind.CLIENT, attributes: { [SpanAttributes.dbSystem]: 'postgresql', [SpanAttributes.dbStatement]: text } },
      parent,
    );
    const done = (error?: unknown) => {
      if (error) spanFailed(span, error);
      span.end();
    };
    const given = (typeof values === 'function' ? values : callback) as QueryCallback | undefined;
    if (given) {
      return query(config, typeof values === 'function' ? undefined : values, (error: Error | null, result: unknown) => {
        done(error);
        given(error, result);
      });
    }
    const result = query(config, values) as Promise<unknown>;
    result.then(() => done(), done);
    return result;
  }) as typeof client.query;
}
