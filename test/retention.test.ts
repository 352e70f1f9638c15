import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { eventually } from './support/eventually.js';
import { startTestHub, type TestHub } from './support/hub.js';

/**
 * Retention on the real path: each domain that keeps idempotency keys removes those older than
 * IDEMPOTENCY_RETENTION_DAYS when it starts (and hourly), and keeps the younger ones; the queues
 * subgraph does the same for webhook deliveries, inbound webhooks, import jobs and import files.
 */

let hub: TestHub;
let db: pg.Client;

before(async () => {
  hub = await startTestHub({ env: { IDEMPOTENCY_RETENTION_DAYS: '2', WEBHOOK_RETENTION_DAYS: '2', IMPORT_JOB_RETENTION_DAYS: '2', IMPORT_FILE_RETENTION_HOURS: '1', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' } });
  db = new pg.Client({ connectionString: hub.database.url });
  await db.connect();
});

after(async () => {
  await db?.end();
  await hub?.stop();
});

async function keys(schema: string): Promise<string[]> {
  const { rows } = await db.query<{ key: string }>(`select key from ${schema}.idempotency_keys order by key`);
  return rows.map((row) => row.key);
}

describe('idempotency key retention', () => {
  for (const schema of ['customers', 'orders'] as const) {
    it(`removes the ${schema} keys older than IDEMPOTENCY_RETENTION_DAYS when the subgraph starts, and keeps the younger`, async () => {
      await db.query(
        `insert into ${schema}.idempotency_keys (key, operation, fingerprint, created_at)
         values ('old', 'op', 'f', now() - interval '3 days'), ('young', 'op', 'f', now() - interval '1 day')`,
      );
      await hub.restartSubgraph(schema);
      assert.deepEqual(await eventually(() => keys(schema), (found) => !found.includes('old'), `the old ${schema} key to be removed`), ['young']);
    });
  }
});

describe('queues retention', () => {
  it('removes settled webhook deliveries and stored inbound webhooks older than WEBHOOK_RETENTION_DAYS, and finished import jobs and old files, keeping the rest', async () => {
    const tag = Date.now().toString(36);
    const { createWebhookEndpoint } = await hub.query('mutation ($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { endpoint { id } } }', {
      input: { url: 'http://127.0.0.1:9/hook', eventTypes: [`retention.${tag}`] },
    });
    const endpointId = createWebhookEndpoint.endpoint.id;
    await db.query(
      `insert into queues.webhook_deliveries (endpoint_id, event_id, event_type, payload, status, created_at) values
         ($1, 1, 'x', '{}', 'DELIVERED', now() - interval '3 days'), ($1, 2, 'x', '{}', 'FAILED', now() - interval '3 days'),
         ($1, 3, 'x', '{}', 'PENDING', now() - interval '3 days'), ($1, 4, 'x', '{}', 'DELIVERED', now() - interval '1 day')`,
      [endpointId],
    );
    const { createInboundWebhookSource } = await hub.query('mutation ($input: CreateInboundWebhookSourceInput!) { createInboundWebhookSource(input: $input) { source { id } } }', {
      input: { name: `retention_${tag}`, scheme: 'STANDARD_WEBHOOKS' },
    });
    const sourceId = createInboundWebhookSource.source.id;
    await db.query(
      `insert into queues.inbound_webhooks (source_id, webhook_id, type, headers, body, created_at) values
         ($1, 'old', 't', '{}', '{}', now() - interval '3 days'), ($1, 'young', 't', '{}', '{}', now() - interval '1 day')`,
      [sourceId],
    );
    const files = await db.query<{ id: string; created_at: Date }>(
      `insert into queues.import_files (created_by, complete, created_at) values ('t', true, now() - interval '2 hours'), ('t', true, now()) returning id`,
    );
    const [oldFile, youngFile] = files.rows.map((row) => row.id);
    const options = JSON.stringify({ mode: 'UPSERT', onError: 'SKIP', delimiter: ',', encoding: 'UTF8', columns: [], ignoredColumns: [], headerCells: 0, batchRows: 1 });
    const jobs = await db.query<{ id: string }>(
      `insert into queues.import_jobs (kind, status, options, created_by, finished_at) values
         ('CUSTOMERS', 'SUCCEEDED', $1, 't', now() - interval '3 days'), ('CUSTOMERS', 'FAILED', $1, 't', now() - interval '1 day') returning id`,
      [options],
    );
    const [oldJob, youngJob] = jobs.rows.map((row) => row.id);

    await hub.restartSubgraph('queues');
    const deliveries = await eventually(
      async () => (await db.query<{ event_id: string }>('select event_id from queues.webhook_deliveries where endpoint_id = $1 order by event_id', [endpointId])).rows.map((row) => Number(row.event_id)),
      (ids) => ids.length === 2,
      'the old settled deliveries to be removed',
    );
    assert.deepEqual(deliveries, [3, 4], 'the pending one stays, whatever its age');
    const inbound = await eventually(
      async () => (await db.query<{ webhook_id: string }>('select webhook_id from queues.inbound_webhooks where source_id = $1', [sourceId])).rows.map((row) => row.webhook_id),
      (ids) => ids.length === 1,
      'the old inbound webhook to be removed',
    );
    assert.deepEqual(inbound, ['young']);
    const keptJobs = await eventually(
      async () => (await db.query<{ id: string }>('select id from queues.import_jobs where id = any($1)', [[oldJob, youngJob]])).rows.map((row) => row.id),
      (ids) => ids.length === 1,
      'the old import job to be removed',
    );
    assert.deepEqual(keptJobs, [youngJob]);
    const keptFiles = await eventually(
      async () => (await db.query<{ id: string }>('select id from queues.import_files where id = any($1)', [[oldFile, youngFile]])).rows.map((row) => row.id),
      (ids) => ids.length === 1,
      'the old import file to be removed',
    );
    assert.deepEqual(keptFiles, [youngFile]);
  });
});
