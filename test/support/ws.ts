import type { FormattedExecutionResult, GraphQLFormattedError } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { roleToken } from './tokens.js';

/**
 * A graphql-ws client as a subscriber app would use it, signed in as admin in `connection_init`
 * unless `connectionParams` is given (`{}`: no credentials).
 */
export function wsClient(httpUrl: string, options: { lazy?: boolean; retryAttempts?: number; connectionParams?: Record<string, unknown> } = {}): Client {
  return createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: async () => options.connectionParams ?? { authorization: `Bearer ${await roleToken('admin')}` },
    lazy: options.lazy ?? true,
    retryAttempts: options.retryAttempts ?? 0,
  });
}

export interface Subscription<Data> {
  /** Results received so far. */
  results: FormattedExecutionResult<Data, unknown>[];
  /** Resolves when `count` results have arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<FormattedExecutionResult<Data, unknown>[]>;
  /** Resolves with the error the server ended the subscription with. */
  error: Promise<unknown>;
  stop(): void;
}

export function subscribe<Data = any>(client: Client, query: string, variables?: Record<string, unknown>): Subscription<Data> {
  const results: FormattedExecutionResult<Data, unknown>[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  let failed: (error: unknown) => void = () => {};
  const error = new Promise<unknown>((resolve) => (failed = resolve));
  const stop = client.subscribe<Data>(
    { query, variables },
    {
      next: (result) => {
        results.push(result);
        for (const waiter of waiters.filter((w) => results.length >= w.count)) waiter.resolve();
      },
      error: (err) => failed(err),
      complete: () => {},
    },
  );
  return {
    results,
    error,
    stop,
    waitFor(count, timeoutMs = 10_000) {
      if (results.length >= count) return Promise.resolve(results.slice(0, count));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${results.length} of ${count} results after ${timeoutMs} ms: ${JSON.stringify(results)}`)), timeoutMs);
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(results.slice(0, count));
          },
        });
      });
    },
  };
}

/**
 * The errors a refused operation ends with: the router refuses before anything runs with a
 * graphql-ws `error` message (the socket stays open). Rejects after `timeoutMs` without one.
 */
export async function refusal(subscription: Subscription<unknown>, timeoutMs = 10_000): Promise<GraphQLFormattedError[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no error message after ${timeoutMs} ms: ${JSON.stringify(subscription.results)}`)), timeoutMs)));
  try {
    const errors = await Promise.race([subscription.error, timeout]);
    if (!Array.isArray(errors)) throw new Error(`the operation ended with ${String(errors)}, not an error message`);
    return errors as GraphQLFormattedError[];
  } finally {
    clearTimeout(timer);
  }
}
