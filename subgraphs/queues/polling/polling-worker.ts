import { randomUUID } from 'node:crypto';
import { fingerprint } from '../../../infra/db/idempotency.js';
import { notFound } from '../../../infra/errors.js';
import { RouterUnreachable, type RouterClient } from '../../../infra/graphql/router-client.js';
import type { OutboundHttp } from '../../../infra/http/outbound-http.js';
import type { Logger } from '../../../infra/logger.js';
import { pause, retryDelay } from '../../../infra/pause.js';
import { compareWatermarks, fetchPage, mapItem, SourceFailure, watermarkOf, type MappedItem } from './poll-source.js';
import type { PollSource } from './polling-config.js';
import { LeaseLost } from '../workers.js';
import type { PollingRepository, PollRejection, PollSourceRow } from './polling-repository.js';

/** A replica's hold on a source while it polls it; renewed every RENEW_MS, so a crashed replica's runs out within this. */
const LEASE_SECONDS = 60;
const RENEW_MS = 15_000;
/** How often an idle source's loop looks at its row again (another replica may have polled it, pollSourceNow may have run). */
const IDLE_CHECK_MS = 5_000;
/** While the router is not up (the hub starts it after the subgraphs), how often to look again. */
const ROUTER_WAIT_MS = 250;
/** pollSourceNow waits this long at most for another replica's round to end before answering the source as it is. */
const LEASE_WAIT_MS = 30_000;
/** Failed rounds back off from the interval, doubling, up to this (or the interval when that is longer). */
const MAX_BACKOFF_SECONDS = 3_600;

/** API answers that say the item itself can never be applied as it is: a rejection, and the round goes on. */
const REFUSED = new Set(['BAD_USER_INPUT', 'CONFLICT']);

const UPSERT_CUSTOMER = `mutation PollSourceUpsertCustomer($externalId: String!, $input: UpsertCustomerInput!, $key: String) {
  upsertCustomerByExternalId(externalId: $externalId, input: $input, idempotencyKey: $key) { created }
}`;

/** The round cannot go on now (the router, a subgraph or the source failed): nothing more of it is stored. */
class TransientFailure extends Error {
  override name = 'TransientFailure';
}

/** The subgraph is stopping: the round ends where it is, its page not stored. */
class Stopped extends Error {
  override name = 'Stopped';
}

type Applied = { kind: 'applied' } | { kind: 'refused'; reason: string };

export interface PollingWorkerDeps {
  sources: readonly PollSource[];
  repository: PollingRepository;
  http: OutboundHttp;
  /** The client for the router, or why there is none (no credentials): then every round fails with that reason. */
  router: RouterClient | string;
  /** False while the router is not up: scheduled rounds wait for it. */
  routerUp(): boolean;
  maxResponseBytes: number;
  logger: Logger;
}

/** The delay before the next scheduled round after `failures` failed rounds in a row (0: a success). */
export function nextRunInSeconds(intervalSeconds: number, failures: number): number {
  if (failures === 0) return intervalSeconds;
  return Math.min(intervalSeconds * 2 ** Math.min(failures - 1, 20), Math.max(intervalSeconds, MAX_BACKOFF_SECONDS));
}

/** Runs `work` over `items`, `limit` at a time; after a failure (or an abort) no new item starts. Rethrows the first failure. */
async function bounded<T, R>(items: readonly T[], limit: number, signal: AbortSignal, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  let done = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (!failure && !signal.aborted && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index]!);
        done++;
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failure) throw failure.error;
  if (done < items.length) throw new Stopped('stopped during the round');
  return results;
}

/**
 * Polls the configured sources: one loop per source runs a round when it is due (its interval
 * after the last round, backed off after failures), and pollNow runs one at once. A round reads
 * pages by watermark, applies each page's items through the router, and stores the page's
 * watermark, counters and item hashes in one transaction before reading the next. One replica
 * polls a source at a time (a lease on its row); in this process, rounds of a source run one
 * after another.
 */
export class PollingWorker {
  /** This replica, as the leases name it. */
  private readonly owner = `${process.pid}:${randomUUID()}`;
  private readonly controller = new AbortController();
  /** Per source, the end of its last round started in this process: the next waits for it. */
  private readonly tails = new Map<string, Promise<unknown>>();
  private loops: Promise<void>[] = [];

  constructor(private readonly deps: PollingWorkerDeps) {}

  get sources(): readonly PollSource[] {
    return this.deps.sources;
  }

  /** Starts the scheduled rounds. */
  start(): void {
    this.loops = this.deps.sources.map((source) => this.loop(source));
  }

  /** Ends every round at the next item or page, and waits for them. */
  async stop(): Promise<void> {
    this.controller.abort();
    await Promise.all([...this.loops, ...this.tails.values()].map((done) => done.catch(() => undefined)));
  }

  /** Runs a round of the source now and answers when it has ended (NOT_FOUND for a name no source has). */
  async pollNow(name: string): Promise<PollSourceRow> {
    const source = this.deps.sources.find((candidate) => candidate.name === name);
    if (!source) throw notFound('PollSource', name);
    await this.exclusive(name, async () => {
      const deadline = Date.now() + LEASE_WAIT_MS;
      // Another replica's round: wait for it to end, then run ours.
      while (!(await this.round(source, false)) && Date.now() < deadline && !this.controller.signal.aborted) await pause(200, this.controller.signal);
    });
    return (await this.deps.repository.find(name))!;
  }

  private exclusive(name: string, work: () => Promise<void>): Promise<void> {
    const run = (this.tails.get(name) ?? Promise.resolve()).catch(() => undefined).then(work);
    this.tails.set(name, run);
    return run;
  }

  private async loop(source: PollSource): Promise<void> {
    const { signal } = this.controller;
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (!this.deps.routerUp()) {
          await pause(ROUTER_WAIT_MS, signal);
          continue;
        }
        const row = await this.deps.repository.find(source.name);
        const dueInMs = row?.nextRunAt ? row.nextRunAt.getTime() - Date.now() : 0;
        if (dueInMs > 0) await pause(Math.min(dueInMs, IDLE_CHECK_MS), signal);
        else {
          let ran = false;
          await this.exclusive(source.name, async () => {
            ran = await this.round(source, true);
          });
          // Held by another replica, or polled since: look again a little later.
          if (!ran) await pause(IDLE_CHECK_MS, signal);
        }
        failures = 0;
      } catch (error) {
        if (signal.aborted) return;
        failures++;
        const waitMs = retryDelay(failures);
        this.deps.logger.warn({ err: error, source: source.name, retryInMs: waitMs }, 'polling failed; trying again');
        await pause(waitMs, signal);
      }
    }
  }

  /**
   * One round, when this replica can take the source (and, with `dueOnly`, when it is due):
   * answers whether it ran. Its failure is recorded on the source (lastError, backoff), not thrown.
   */
  private async round(source: PollSource, dueOnly: boolean): Promise<boolean> {
    const { repository, logger } = this.deps;
    const row = await repository.claim(source.name, this.owner, LEASE_SECONDS, dueOnly);
    if (!row) return false;
    const log = logger.child({ pollSource: source.name });
    const renewal = setInterval(() => {
      void repository.renew(source.name, this.owner, LEASE_SECONDS).catch((error: unknown) => log.warn({ err: error }, 'could not renew the poll source lease'));
    }, RENEW_MS);
    renewal.unref();
    let error: string | null = null;
    let failures = 0;
    let nextRun: number;
    try {
      await this.pages(source, row);
      nextRun = nextRunInSeconds(source.intervalSeconds, 0);
    } catch (caught) {
      error = (caught as Error).message || String(caught);
      if (caught instanceof Stopped) {
        // Not the source's fault: the next replica to start continues at once.
        failures = row.failures;
        nextRun = 0;
      } else {
        failures = row.failures + 1;
        nextRun = nextRunInSeconds(source.intervalSeconds, failures);
        const known = caught instanceof TransientFailure || caught instanceof LeaseLost || caught instanceof SourceFailure;
        log.warn({ err: known ? undefined : caught, reason: error, failures, nextRunInSeconds: nextRun }, 'poll round failed; the watermark stays at the last committed page');
      }
    } finally {
      clearInterval(renewal);
    }
    await repository.finish(source.name, this.owner, { error, failures, nextRunInSeconds: nextRun });
    return true;
  }

  /** Reads, applies and commits pages from the row's watermark until a short page. */
  private async pages(source: PollSource, row: PollSourceRow): Promise<void> {
    const { router } = this.deps;
    if (typeof router === 'string') throw new TransientFailure(`polling cannot call the router: ${router}`);
    let watermark = row.watermark ?? source.initialWatermark;
    let boundary = new Set(row.watermark === null ? [] : row.boundary);
    for (;;) {
      if (this.controller.signal.aborted) throw new Stopped('stopped during the round');
      const items = (await fetchPage(source, watermark, this.deps.http, this.deps.maxResponseBytes)).map((item) => ({ item, print: fingerprint('item', item) }));
      // The page starts at the watermark, inclusive: the items handled there already are skipped.
      const page = await this.applyPage(source, items.filter(({ print }) => !boundary.has(print)).map(({ item }) => item), router);
      const progress = page.greatest !== undefined && (watermark === undefined || compareWatermarks(page.greatest, watermark) > 0);
      if (progress) watermark = page.greatest;
      const atWatermark = items.filter(({ item }) => {
        const value = watermarkOf(source, item);
        return value !== undefined && watermark !== undefined && compareWatermarks(value, watermark) === 0;
      });
      boundary = new Set([...(progress ? [] : boundary), ...atWatermark.map(({ print }) => print)]);
      await this.deps.repository.commitPage(source.name, this.owner, LEASE_SECONDS, { ...page, watermark: watermark ?? null, boundary: [...boundary] });
      if (items.length < source.pageSize) return;
      if (!progress) {
        throw new TransientFailure(
          `no progress: a full page of ${items.length} items has no ${source.watermarkField} later than the watermark ${watermark === undefined ? '(none)' : JSON.stringify(watermark)}, ` +
            `so the next page would be the same; raise pageSize above the number of items that share one ${source.watermarkField} value`,
        );
      }
    }
  }

  /** Maps a page's items and applies those that changed; throws TransientFailure (or Stopped) and then nothing of the page is stored. */
  private async applyPage(source: PollSource, items: readonly unknown[], router: RouterClient) {
    const at = new Date().toISOString();
    const rejections: PollRejection[] = [];
    let greatest: string | undefined;
    // The latest version of each item: two of one page are never applied at once, out of order.
    const latest = new Map<string, MappedItem>();
    for (const item of items) {
      const mapped = mapItem(source, item);
      if (mapped.watermark !== undefined && (greatest === undefined || compareWatermarks(mapped.watermark, greatest) > 0)) greatest = mapped.watermark;
      if (mapped.kind === 'unmappable') {
        rejections.push({ externalId: mapped.externalId ?? null, watermark: mapped.watermark ?? null, reason: mapped.reason, at });
        continue;
      }
      const earlier = latest.get(mapped.externalId);
      if (!earlier || compareWatermarks(mapped.watermark, earlier.watermark) >= 0) latest.set(mapped.externalId, mapped);
    }
    const hashes = await this.deps.repository.inputHashes(source.name, [...latest.keys()]);
    const changed = [...latest.values()].filter((item) => hashes.get(item.externalId) !== item.inputHash);
    const outcomes = await bounded(changed, source.concurrency, this.controller.signal, (item) => this.apply(router, item));
    outcomes.forEach((outcome, index) => {
      const item = changed[index]!;
      if (outcome.kind === 'refused') rejections.push({ externalId: item.externalId, watermark: item.watermark, reason: outcome.reason, at });
    });
    return {
      greatest,
      settled: changed.map(({ externalId, inputHash }) => ({ externalId, inputHash })),
      applied: outcomes.filter((outcome) => outcome.kind === 'applied').length,
      unchanged: latest.size - changed.length,
      rejections,
    };
  }

  private async apply(router: RouterClient, item: MappedItem): Promise<Applied> {
    let result;
    try {
      result = await router.execute(UPSERT_CUSTOMER, { externalId: item.externalId, input: item.input, key: item.idempotencyKey }, item.idempotencyKey.slice(0, 128));
    } catch (error) {
      if (error instanceof RouterUnreachable) throw new TransientFailure(error.message);
      throw error;
    }
    if (!result.errors) return { kind: 'applied' };
    const [first] = result.errors;
    const reason = `${first!.code}: ${first!.message}`;
    if (REFUSED.has(first!.code)) return { kind: 'refused', reason };
    throw new TransientFailure(`the router answered ${reason} (externalId ${JSON.stringify(item.externalId)})`);
  }
}
