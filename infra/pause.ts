/** Waits `ms`, or less when `signal` aborts; never rejects. For the background loops' idle and retry waits. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Exponential backoff for a background loop's retries after `failures` failures in a row: 500 ms doubling up to 30 s. */
export function retryDelay(failures: number): number {
  return Math.min(30_000, 500 * 2 ** Math.max(0, Math.min(failures - 1, 10)));
}
