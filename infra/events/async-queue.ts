/**
 * A push-to-pull bridge: values pushed by a producer come out of an async iterator in order.
 * Bounded: pushing past `capacity` undelivered values fails the iterator with `overflowError`,
 * so a consumer that cannot keep up is cut off instead of growing memory without limit.
 */
export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  private readonly values: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | undefined;
  private failWaiting: ((error: unknown) => void) | undefined;
  private failure: unknown;
  private done = false;

  constructor(
    private readonly capacity: number,
    private readonly overflowError: () => Error,
    private readonly onReturn?: () => void,
  ) {}

  push(value: T): void {
    if (this.done || this.failure) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = this.failWaiting = undefined;
      resolve({ value, done: false });
      return;
    }
    if (this.values.length >= this.capacity) {
      this.fail(this.overflowError());
      return;
    }
    this.values.push(value);
  }

  fail(error: unknown): void {
    if (this.done || this.failure) return;
    this.failure = error;
    this.values.length = 0;
    const reject = this.failWaiting;
    this.waiting = this.failWaiting = undefined;
    reject?.(error);
    this.onReturn?.();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.values.length > 0) return Promise.resolve({ value: this.values.shift()!, done: false });
    if (this.failure) return Promise.reject(this.failure);
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failWaiting = reject;
    });
  }

  return(): Promise<IteratorResult<T>> {
    if (!this.done) {
      this.done = true;
      this.values.length = 0;
      const resolve = this.waiting;
      this.waiting = this.failWaiting = undefined;
      resolve?.({ value: undefined, done: true });
      this.onReturn?.();
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
