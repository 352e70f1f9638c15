import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { ConfigError } from '../infra/config.js';
import { createOutboundHttp, OutboundRefused } from '../infra/http/outbound-http.js';
import { createLogger } from '../infra/logger.js';
import { compareWatermarks, mapItem } from '../subgraphs/queues/polling/poll-source.js';
import { pollSourcesOf, type PollSource } from '../subgraphs/queues/polling/polling-config.js';
import { queues } from '../subgraphs/queues/subgraph.js';
import { startTestHub, TEST_INTERNAL_SECRET, type TestHub } from './support/hub.js';
import { asRole } from './support/tokens.js';

/**
 * The polling connector against a REST source of the test's own that changes between rounds:
 * customers are upserted by externalId through the router, only what changed is applied (counted
 * in events.events), the watermark is stored per committed page so that a failed or crashed round
 * neither loses nor repeats anything, and bad items are reported without holding up the rest.
 */

const CRM_TOKEN = 'Bearer crm-token-that-only-the-environment-knows';

interface CrmItem {
  id?: string;
  fullName: string;
  contact: { email: string };
  level?: string;
  meta: { modifiedAt: string };
}

/** A second of 2026-01-01 as an ISO timestamp: the source's change times. */
const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();

/** The CRM: GET /api/customers?modified_since=&limit= answers `{ data: { items } }`, oldest first, changed at or after the watermark. */
class Crm {
  items: CrmItem[] = [];
  requests: { url: URL; authorization: string | undefined }[] = [];
  /** Answers 500 to a request whose watermark this accepts. */
  failWhen: ((since: string | null) => boolean) | undefined;
  private server: Server | undefined;
  url = '';

  upsert(item: CrmItem): void {
    this.items = [...this.items.filter((known) => known.id === undefined || known.id !== item.id), item];
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://crm');
      this.requests.push({ url, authorization: req.headers.authorization });
      const answer = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.headers.authorization !== CRM_TOKEN) return answer(401, { error: 'unauthorized' });
      const since = url.searchParams.get('modified_since');
      const limit = Number(url.searchParams.get('limit'));
      if (url.pathname === '/api/stuck') {
        // Every item has the same change time: a page can never get past it.
        return answer(200, { data: { items: [0, 1].map((n) => ({ id: `stuck-${n}`, fullName: `Stuck ${n}`, contact: { email: `stuck${n}@crm.test` }, meta: { modifiedAt: at(1) } })) } });
      }
      if (this.failWhen?.(since)) return answer(500, { error: 'the CRM is having a bad day' });
      const items = this.items
        .filter((item) => since === null || Date.parse(item.meta.modifiedAt) >= Date.parse(since))
        .sort((a, b) => Date.parse(a.meta.modifiedAt) - Date.parse(b.meta.modifiedAt))
        .slice(0, limit);
      answer(200, { data: { items } });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

const customer = (n: number, second: number, extra: Partial<CrmItem> = {}): CrmItem => ({
  id: `crm-${n}`,
  fullName: `Customer ${n}`,
  contact: { email: `customer${n}@crm.test` },
  level: 'STANDARD',
  meta: { modifiedAt: at(second) },
  ...extra,
});

const mapping = { externalId: 'id', name: 'fullName', email: 'contact.email', tier: 'level' };

const POLL_NOW = `mutation ($name: String!) { pollSourceNow(name: $name) {
  name url intervalSeconds watermark lastRunAt lastSuccessAt lastError itemsApplied itemsUnchanged itemsRejected
  recentRejections { externalId watermark reason at }
} }`;

interface PollSourceAnswer {
  name: string;
  url: string;
  watermark: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  itemsApplied: number;
  itemsUnchanged: number;
  itemsRejected: number;
  recentRejections: { externalId: string | null; watermark: string | null; reason: string }[];
}

const crm = new Crm();
let hub: TestHub;
let db: pg.Client;

async function pollNow(name = 'crm'): Promise<PollSourceAnswer> {
  return (await hub.query<{ pollSourceNow: PollSourceAnswer }>(POLL_NOW, { name })).pollSourceNow;
}

/** customer.* events of the CRM's customers (crm-…), by type. */
async function crmEvents(): Promise<{ created: number; updated: number }> {
  const { rows } = await db.query<{ type: string; count: string }>(
    `select e.type, count(*) from events.events e join customers.customers c on c.id::text = e.subject_id
     where e.subject_type = 'Customer' and c.external_id like 'crm-%' group by e.type`,
  );
  const count = (type: string) => Number(rows.find((row) => row.type === type)?.count ?? 0);
  return { created: count('customer.created'), updated: count('customer.updated') };
}

async function crmCustomers(): Promise<Map<string, { name: string; email: string; tier: string; updatedAt: Date }>> {
  const { rows } = await db.query("select external_id, name, email, tier, updated_at from customers.customers where external_id like 'crm-%'");
  return new Map(rows.map((row) => [row.external_id, { name: row.name, email: row.email, tier: row.tier, updatedAt: row.updated_at }]));
}

before(async () => {
  crm.items = [customer(1, 1), customer(2, 2), customer(3, 3)];
  await crm.start();
  const sources = [
    { name: 'crm', url: `${crm.url}/api/customers?tenant=acme`, intervalSeconds: 3600, watermarkParam: 'modified_since', watermarkField: 'meta.modifiedAt', itemsPath: 'data.items', pageSize: 2, headers: { authorization: { env: 'CRM_AUTH' } }, mapping },
    { name: 'stuck', url: `${crm.url}/api/stuck`, intervalSeconds: 3600, watermarkParam: 'modified_since', watermarkField: 'meta.modifiedAt', itemsPath: 'data.items', pageSize: 2, headers: { authorization: { env: 'CRM_AUTH' } }, mapping },
  ];
  // The test hub sets PROCESSORS=none: polling runs all the same.
  hub = await startTestHub({ env: { POLL_SOURCES: JSON.stringify(sources), CRM_AUTH: CRM_TOKEN, POLL_ALLOWED_HOSTS: '127.0.0.1' } });
  db = new pg.Client({ connectionString: hub.database.url });
  await db.connect();
});

after(async () => {
  await db?.end();
  await hub?.stop();
  await hub?.database.drop();
  await crm.stop();
});

describe('polling a REST source', () => {
  it('creates the source\'s customers on the first round, with the authorization header from its variable', async () => {
    const source = await pollNow();
    assert.equal(source.lastError, null);
    assert.ok(source.lastSuccessAt);
    assert.equal(source.watermark, at(3));
    assert.equal(source.itemsApplied, 3);
    assert.equal(source.url, `${crm.url}/api/customers?(hidden)`);
    const customers = await crmCustomers();
    assert.deepEqual([...customers.keys()].sort(), ['crm-1', 'crm-2', 'crm-3']);
    assert.equal(customers.get('crm-2')!.email, 'customer2@crm.test');
    assert.deepEqual(await crmEvents(), { created: 3, updated: 0 });
    const requests = crm.requests.filter((request) => request.url.pathname === '/api/customers');
    assert.ok(requests.length > 0);
    assert.ok(requests.every((request) => request.authorization === CRM_TOKEN), 'every request carries CRM_AUTH');
    const first = requests[0]!.url;
    assert.equal(first.searchParams.get('modified_since'), null, 'the first request asks for everything');
    assert.equal(first.searchParams.get('limit'), '2');
    assert.equal(first.searchParams.get('tenant'), 'acme', "the source's own query is kept");
  });

  it('applies exactly the changed and the new item on the next round, with one event each', async () => {
    crm.upsert(customer(2, 4, { fullName: 'Customer Two, renamed', level: 'PREMIUM' }));
    crm.upsert(customer(4, 5));
    const before = await pollNow();
    assert.equal(before.lastError, null);
    assert.equal(before.watermark, at(5));
    assert.deepEqual(await crmEvents(), { created: 4, updated: 1 });
    const two = (await crmCustomers()).get('crm-2')!;
    assert.equal(two.name, 'Customer Two, renamed');
    assert.equal(two.tier, 'PREMIUM');
  });

  it('writes no event when nothing changed, however often it polls', async () => {
    const before = await pollNow();
    const again = await pollNow();
    assert.equal(again.lastError, null);
    assert.equal(again.watermark, before.watermark);
    assert.equal(again.itemsApplied, before.itemsApplied);
    // The page starts at the watermark, inclusive: the item read there already is skipped, not counted again.
    assert.equal(again.itemsUnchanged, before.itemsUnchanged);
    assert.deepEqual(await crmEvents(), { created: 4, updated: 1 });
  });

  it('keeps the watermark at the last committed page when the source fails mid-round, and the next round applies the rest once', async () => {
    crm.upsert(customer(5, 6));
    crm.upsert(customer(6, 7));
    crm.upsert(customer(7, 8));
    // Pages from 5 s: [4, 5], [5, 6], then the page from 7 s fails.
    crm.failWhen = (since) => since === at(7);
    const failed = await pollNow();
    assert.match(failed.lastError ?? '', /source crm answered HTTP 500/);
    assert.equal(failed.watermark, at(7), 'the two committed pages moved it');
    assert.deepEqual(await crmEvents(), { created: 6, updated: 1 });
    crm.failWhen = undefined;
    const healed = await pollNow();
    assert.equal(healed.lastError, null);
    assert.equal(healed.watermark, at(8));
    assert.deepEqual(await crmEvents(), { created: 7, updated: 1 }, 'one created event per new customer, none twice');
  });

  it('changes nothing a second time when a round died after the router committed and before its page was stored', async () => {
    const before = await crmCustomers();
    const counted = await pollNow();
    // What a crash between the upserts and the page's commit leaves behind: the customers written, the watermark and hashes not.
    await db.query("update queues.poll_sources set watermark = $1, boundary = '{}' where name = 'crm'", [at(5)]);
    await db.query("delete from queues.poll_items where source = 'crm' and external_id in ('crm-5', 'crm-6', 'crm-7')");
    const source = await pollNow();
    assert.equal(source.lastError, null);
    assert.equal(source.watermark, at(8));
    // crm-4 is read again with the input last applied: not sent. The three others are sent with the keys of their first upserts.
    assert.equal(source.itemsUnchanged, counted.itemsUnchanged + 1);
    assert.equal(source.itemsApplied, counted.itemsApplied + 3);
    assert.deepEqual(await crmEvents(), { created: 7, updated: 1 }, 'the repeated upserts wrote no event');
    const afterwards = await crmCustomers();
    for (const id of ['crm-5', 'crm-6', 'crm-7']) assert.deepEqual(afterwards.get(id), before.get(id), `${id} was not written again`);
  });

  it('stops the round without moving the watermark while customers is down, and applies the change once it is back', async () => {
    crm.upsert(customer(1, 9, { fullName: 'Customer One, moved' }));
    await hub.stopSubgraph('customers');
    const failed = await pollNow();
    assert.match(failed.lastError ?? '', /SUBGRAPH_UNAVAILABLE|CIRCUIT_OPEN|TIMEOUT/);
    assert.equal(failed.watermark, at(8));
    await hub.restartSubgraph('customers');
    let healed = await pollNow();
    // The router's pool may hold a connection to the stopped subgraph: one more round at most.
    if (healed.lastError) healed = await pollNow();
    assert.equal(healed.lastError, null);
    assert.equal(healed.watermark, at(9));
    assert.equal((await crmCustomers()).get('crm-1')!.name, 'Customer One, moved');
    assert.deepEqual(await crmEvents(), { created: 7, updated: 2 });
  });

  it('reports a bad item and applies the others, the watermark going past it', async () => {
    const before = await pollNow();
    crm.upsert(customer(8, 10, { contact: { email: 'not an address' } }));
    crm.upsert({ fullName: 'Nobody', contact: { email: 'nobody@crm.test' }, meta: { modifiedAt: at(11) } });
    crm.upsert(customer(9, 12, { level: 'gold' }));
    crm.upsert(customer(10, 13));
    const source = await pollNow();
    assert.equal(source.lastError, null);
    assert.equal(source.watermark, at(13));
    assert.equal(source.itemsRejected, before.itemsRejected + 3);
    const reasons = new Map(source.recentRejections.map((rejection) => [rejection.externalId, rejection.reason]));
    assert.match(reasons.get('crm-8') ?? '', /^BAD_USER_INPUT: .*email/);
    assert.match(reasons.get(null) ?? '', /externalId: id is missing/);
    assert.match(reasons.get('crm-9') ?? '', /tier: level must be STANDARD, PREMIUM or PLATINUM/);
    assert.equal(source.recentRejections[0]!.watermark, at(12), 'newest first');
    const customers = await crmCustomers();
    assert.ok(customers.has('crm-10'));
    assert.ok(!customers.has('crm-8') && !customers.has('crm-9'));
    assert.deepEqual(await crmEvents(), { created: 8, updated: 2 });
  });

  it('stops a round whose full page makes no progress, naming the problem', async () => {
    const source = await pollNow('stuck');
    assert.match(source.lastError ?? '', /no progress: a full page of 2 items has no meta\.modifiedAt later than the watermark/);
    assert.equal(source.watermark, at(1));
  });

  it('lists its sources for admins, without their headers', async () => {
    const { pollSources } = await hub.query<{ pollSources: { name: string; url: string; intervalSeconds: number; watermark: string | null }[] }>('{ pollSources { name url intervalSeconds watermark } }');
    assert.deepEqual(pollSources.map((source) => source.name).sort(), ['crm', 'stuck']);
    assert.ok(!JSON.stringify(pollSources).includes('crm-token'));
    const forbidden = await hub.request('{ pollSources { name } }', {}, await asRole('api_user'));
    assert.equal(forbidden.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
  });

  it('reads sources through the SSRF guard: a loopback source needs POLL_ALLOWED_HOSTS, and an answer has a size limit', async () => {
    const guarded = createOutboundHttp({ allowedHosts: [], timeoutMs: 2_000 });
    const open = createOutboundHttp({ allowedHosts: ['127.0.0.1'], timeoutMs: 2_000 });
    try {
      await assert.rejects(guarded.get(`${crm.url}/api/customers`, { headers: { authorization: CRM_TOKEN }, maxBytes: 1_000_000 }), OutboundRefused);
      const answer = await open.get(`${crm.url}/api/customers?limit=1`, { headers: { authorization: CRM_TOKEN }, maxBytes: 1_000_000 });
      assert.equal(answer.status, 200);
      assert.equal(JSON.parse(answer.body).data.items.length, 1);
      await assert.rejects(open.get(`${crm.url}/api/customers?limit=100`, { headers: { authorization: CRM_TOKEN }, maxBytes: 100 }), /over 100 bytes/);
    } finally {
      await guarded.close();
      await open.close();
    }
  });

  it('answers NOT_FOUND for a source it does not have', async () => {
    const answer = await hub.request(POLL_NOW, { name: 'nope' });
    assert.equal(answer.body.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    assert.equal(answer.body.errors?.[0]?.extensions?.typename, 'PollSource');
    assert.equal(answer.body.errors?.[0]?.extensions?.id, 'nope');
  });
});

describe('polling sources configuration', () => {
  const valid = { name: 'crm', url: 'https://crm.example.com/api/customers', headers: { authorization: { env: 'CRM_AUTH' } }, mapping };
  const env = { CRM_AUTH: CRM_TOKEN };

  /** The ConfigError pollSourcesOf throws for this POLL_SOURCES. */
  function refusal(sources: string, environment: Record<string, string> = env): string {
    try {
      pollSourcesOf({ POLL_SOURCES: sources }, environment);
    } catch (error) {
      assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
      return error.message;
    }
    return assert.fail('POLL_SOURCES was accepted');
  }

  it('applies the defaults and reads each header from the variable it names', () => {
    const [source] = pollSourcesOf({ POLL_SOURCES: JSON.stringify([valid]) }, env) as PollSource[];
    assert.equal(source!.intervalSeconds, 60);
    assert.equal(source!.watermarkParam, 'updated_since');
    assert.equal(source!.watermarkField, 'updatedAt');
    assert.equal(source!.pageSize, 100);
    assert.equal(source!.pageSizeParam, 'limit');
    assert.equal(source!.initialWatermark, undefined);
    assert.equal(source!.itemsPath, undefined);
    assert.deepEqual(source!.headers, { authorization: CRM_TOKEN });
    assert.ok(Object.isFrozen(source));
    assert.deepEqual(pollSourcesOf({}, env), []);
  });

  it('names POLL_SOURCES when it is not JSON', () => {
    assert.match(refusal('[{"name": "crm",'), /POLL_SOURCES: is not JSON/);
    assert.match(refusal('{"name": "crm"}'), /POLL_SOURCES: must be a JSON array of sources/);
  });

  it('names the source and the field of every problem', () => {
    const message = refusal(
      JSON.stringify([
        { ...valid, mapping: { name: 'fullName', email: 'email' }, intervalSeconds: 0 },
        { ...valid, name: 'Bad-Name', url: 'ftp://crm.example.com' },
        { ...valid, name: 'typo', pageSise: 10 },
      ]),
    );
    assert.match(message, /POLL_SOURCES: source "crm": mapping\.externalId: /);
    assert.match(message, /POLL_SOURCES: source "crm": intervalSeconds: /);
    assert.match(message, /POLL_SOURCES: source "Bad-Name": name: must be 1 to 63 characters/);
    assert.match(message, /POLL_SOURCES: source "Bad-Name": url: must be an http:\/\/ or https:\/\/ URL/);
    assert.match(message, /POLL_SOURCES: source "typo": .*pageSise/);
    assert.match(refusal(JSON.stringify([valid, valid])), /source "crm": name: is used by two sources/);
    assert.match(refusal(JSON.stringify([{ ...valid, url: 'https://user:pw@crm.example.com/' }])), /url: must not hold credentials/);
  });

  it('refuses a secret written in the sources without showing it', () => {
    const message = refusal(JSON.stringify([{ ...valid, headers: { authorization: 'Bearer a-literal-secret' } }]));
    assert.match(message, /source "crm": headers\.authorization: must be \{"env": "VARIABLE"\}/);
    assert.ok(!message.includes('a-literal-secret'));
  });

  it('names a header variable that is not set', () => {
    assert.match(refusal(JSON.stringify([valid]), {}), /POLL_SOURCES: source "crm": headers\.authorization: the variable CRM_AUTH is not set/);
  });

  it('reads POLL_SOURCES_FILE, and names it when it cannot be read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'poll-sources-'));
    try {
      const file = join(dir, 'sources.json');
      writeFileSync(file, JSON.stringify([valid]));
      assert.equal(pollSourcesOf({ POLL_SOURCES_FILE: file }, env)[0]!.name, 'crm');
      assert.throws(() => pollSourcesOf({ POLL_SOURCES_FILE: join(dir, 'missing.json') }, env), /POLL_SOURCES_FILE=".*missing\.json": cannot be read/);
      assert.throws(() => pollSourcesOf({ POLL_SOURCES: '[]', POLL_SOURCES_FILE: file }, env), /set one of them, not both/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops the queues subgraph at start-up on a bad source', async () => {
    const base = { DATABASE_URL: 'postgres://127.0.0.1:1/none', INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET, LOG_LEVEL: 'silent' };
    await assert.rejects(queues.start({ ...base, POLL_SOURCES: 'nope' }, { logger: createLogger('queues', 'silent') }), (error: unknown) => error instanceof ConfigError && /POLL_SOURCES: is not JSON/.test(error.message));
    await assert.rejects(queues.start({ ...base, POLL_ALLOWED_HOSTS: 'localhost:80' }, { logger: createLogger('queues', 'silent') }), /POLL_ALLOWED_HOSTS="localhost:80"/);
  });
});

describe('polled items', () => {
  const [source] = pollSourcesOf({ POLL_SOURCES: JSON.stringify([{ name: 'crm', url: 'https://crm.example.com/', mapping }]) }, {}) as PollSource[];
  const item = (name: string, second: number) => ({ id: 'crm-1', fullName: name, contact: { email: 'one@crm.test' }, updatedAt: at(second) });

  it('gives the same version the same idempotency key, and a version that goes back to earlier values a key of its own', () => {
    const first = mapItem(source!, item('First', 1));
    const again = mapItem(source!, item('First', 1));
    const back = mapItem(source!, item('First', 3));
    assert.ok(first.kind === 'mapped' && again.kind === 'mapped' && back.kind === 'mapped');
    assert.equal(first.idempotencyKey, again.idempotencyKey);
    assert.notEqual(first.idempotencyKey, back.idempotencyKey);
    assert.equal(first.inputHash, back.inputHash, 'the same input: skipped when it was the last applied');
    assert.ok(first.idempotencyKey.length <= 200);
  });

  it('orders watermarks as numbers, as instants or as text', () => {
    assert.equal(compareWatermarks('9', '10'), -1);
    assert.equal(compareWatermarks('2026-01-01T10:00:00+01:00', '2026-01-01T09:30:00Z'), -1);
    assert.equal(compareWatermarks('b', 'a'), 1);
  });
});
