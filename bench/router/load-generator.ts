/**
 * The bench's load generator, a process of its own so that it can be pinned to another core
 * than the target's. Driven over IPC by bench/router.ts: each `run` message is one autocannon
 * run against one URL; the answer is its summary. Every request carries the next of a pool of
 * pre-generated JWTs (made before any run), and every response body is compared with the
 * expected bytes.
 */
import type { EventEmitter } from 'node:events';
import autocannon from 'autocannon';
import { benchTokens } from './bench-tokens.js';

export interface LoadJob {
  url: string;
  /** The JSON request body. */
  body: string;
  /** Every response must be exactly this. */
  expectBody: string;
  connections: number;
  durationSeconds: number;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  /** Latency percentiles in ms (autocannon records whole milliseconds). */
  p50: number;
  p99: number;
  mean: number;
  non2xx: number;
  mismatches: number;
  errors: number;
  timeouts: number;
  /** A body that differed, for the error message. */
  sampleMismatch?: string;
}

const tokens = benchTokens(Number(process.env.BENCH_TOKENS ?? 200_000));
let next = 0;
// Cycling after the whole pool is used: a token comes back only hundreds of thousands of
// requests later, never while its earlier use is in flight.
const nextToken = () => tokens[next++ % tokens.length]!;

function run(job: LoadJob): Promise<LoadResult> {
  const url = new URL(job.url);
  let sampleMismatch: string | undefined;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: url.origin,
        connections: job.connections,
        duration: job.durationSeconds,
        timeout: 10,
        verifyBody: (body) => body === job.expectBody,
        requests: [
          {
            method: 'POST',
            path: url.pathname,
            headers: { 'content-type': 'application/json' },
            body: job.body,
            setupRequest: (request) => ({ ...request, headers: { ...request.headers, authorization: nextToken() } }),
          },
        ],
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        resolve({
          requests: result.requests.total,
          seconds: result.duration,
          requestsPerSecond: result.requests.total / result.duration,
          p50: result.latency.p50,
          p99: result.latency.p99,
          mean: result.latency.average,
          non2xx: result.non2xx,
          mismatches: result.mismatches,
          errors: result.errors,
          timeouts: result.timeouts,
          sampleMismatch,
        });
      },
    );
    // Not in autocannon's type declarations: the body of each mismatch, as it emits it.
    (instance as unknown as EventEmitter).on('reqMismatch', (body: string) => {
      sampleMismatch ??= body.slice(0, 2_000);
    });
  });
}

process.on('message', (message: { type: 'run'; job: LoadJob }) => {
  run(message.job).then(
    (result) => process.send!({ type: 'result', result }),
    (error: unknown) => process.send!({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send!({ type: 'ready' });
