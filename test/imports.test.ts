import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { eventually } from './support/eventually.js';
import { startTestHub, type TestHub } from './support/hub.js';
import { ANONYMOUS, testToken, withCredentials } from './support/tokens.js';
import { subscribe, wsClient } from './support/ws.js';
import { csvRecords, FileInvalid } from '../subgraphs/queues/imports/csv-records.js';
import { KeySet } from '../subgraphs/queues/imports/key-set.js';

let hub: TestHub;
let db: pg.Client;
const run = `${Date.now().toString(36)}`;
let counter = 0;
const unique = (prefix: string) => `${prefix}-${run}-${++counter}`;

const JOB_FIELDS = `id kind status rowsRead rowsImported rowsInserted rowsUpdated rowsUnchanged rowsRejected startedAt finishedAt createdBy reportPath
  failure { code message row } options { mode onError delimiter encoding columns { column field } ignoredColumns }`;
const JOB = `query ($id: ID!) { importJob(id: $id) { ${JOB_FIELDS} errors(first: 100) { totalCount edges { node { row column field code message } } } } }`;

async function bearer(scope: string, sub = `importer-${scope.replace(/\W/g, '')}`): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await testToken({ sub, scope })}` };
}

async function post(path: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(new URL(path, hub.routerUrl), { method: 'POST', headers: await withCredentials({ 'content-type': 'text/csv', ...headers }), body });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function finished(id: string, headers?: Record<string, string>): Promise<any> {
  return eventually(
    async () => (await hub.query(JOB, { id }, headers)).importJob,
    (job) => ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(job?.status),
    `import ${id} to finish`,
    60_000,
  );
}

async function importCsv(kind: 'customers' | 'orders', csv: string | Buffer, query = '', headers: Record<string, string> = {}): Promise<any> {
  const answer = await post(`/imports/${kind}${query}`, csv, headers);
  assert.equal(answer.status, 202, JSON.stringify(answer.body));
  assert.equal(answer.body.job.status, 'QUEUED');
  return finished(answer.body.job.id, Object.keys(headers).length > 0 ? headers : undefined);
}

function customersCsv(ids: string[], extra: (id: string, index: number) => Partial<Record<string, string>> = () => ({})): string {
  const header = ['externalId', 'name', 'email', 'customerGroup', 'creditLimit'];
  const lines = ids.map((id, index) => {
    const row = { externalId: id, name: `Imported ${id}`, email: `${id.toLowerCase()}@example.com`, customerGroup: 'RETAIL', creditLimit: '100.50', ...extra(id, index) };
    return header.map((name) => row[name as keyof typeof row] ?? '').join(',');
  });
  return [header.join(','), ...lines].join('\n') + '\n';
}

async function storedCustomers(ids: string[]): Promise<{ external_id: string; name: string; email: string; credit_limit: string; updated_at: Date }[]> {
  const result = await db.query('select external_id, name, email, credit_limit, updated_at from customers.customers where external_id = any($1) order by external_id', [ids]);
  return result.rows;
}

async function customerEvents(ids: string[]): Promise<number> {
  const result = await db.query(
    `select count(*)::int as n from events.events e join customers.customers c on c.id::text = e.subject_id where c.external_id = any($1)`,
    [ids],
  );
  return result.rows[0].n;
}

before(async () => {
  hub = await startTestHub({ env: { IMPORT_MAX_BYTES: String(4 * 1024 * 1024), IMPORT_BATCH_ROWS: '100' } });
  db = new pg.Client({ connectionString: hub.database.url });
  await db.connect();
});

after(async () => {
  await db?.end();
  await hub?.stop();
});

describe('customers imports', () => {
  it('imports a CSV upload in upsert mode, and a second import of the same file changes nothing and writes no event', async () => {
    const ids = Array.from({ length: 250 }, () => unique('IMP'));
    const csv = customersCsv(ids);
    const first = await importCsv('customers', csv);
    assert.equal(first.status, 'SUCCEEDED', JSON.stringify(first));
    assert.deepEqual([first.rowsRead, first.rowsInserted, first.rowsUpdated, first.rowsUnchanged, first.rowsRejected], [250, 250, 0, 0, 0]);
    assert.deepEqual(first.options.columns.map((column: { field: string }) => column.field), ['externalId', 'name', 'email', 'customerGroup', 'creditLimit']);
    const stored = await storedCustomers(ids);
    assert.equal(stored.length, 250);
    assert.equal(stored[0]!.credit_limit, '100.50');
    const events = await customerEvents(ids);
    assert.equal(events, 250);

    const second = await importCsv('customers', csv);
    assert.equal(second.status, 'SUCCEEDED');
    assert.deepEqual([second.rowsRead, second.rowsImported, second.rowsUnchanged, second.rowsRejected], [250, 0, 250, 0]);
    assert.equal(await customerEvents(ids), 250, 'no event for unchanged rows');
    assert.deepEqual((await storedCustomers(ids)).map((row) => row.updated_at.getTime()), stored.map((row) => row.updated_at.getTime()));
  });
});

describe('imports through GraphQL, options and reports', () => {
  it('uploads a file once, validates it (nothing written), then imports it with startImport, reporting progress by subscription', async () => {
    const ids = Array.from({ length: 450 }, () => unique('GQL'));
    const upload = await post('/imports/files?name=customers.csv', customersCsv(ids));
    assert.equal(upload.status, 201, JSON.stringify(upload.body));
    assert.equal(upload.body.file.bytes, Buffer.byteLength(customersCsv(ids)));
    const fileId = upload.body.file.id;

    const START = `mutation ($fileId: ID!, $options: ImportOptionsInput) { startImport(kind: CUSTOMERS, fileId: $fileId, options: $options) { ${JOB_FIELDS} file { id fileName bytes } } }`;
    const validated = (await hub.query(START, { fileId, options: { mode: 'VALIDATE_ONLY' } })).startImport;
    assert.equal(validated.status, 'QUEUED');
    assert.equal(validated.file.fileName, 'customers.csv');
    const validation = await finished(validated.id);
    assert.equal(validation.status, 'SUCCEEDED');
    assert.equal(validation.rowsInserted, 450, 'rows that would be inserted');
    assert.equal((await storedCustomers(ids)).length, 0, 'VALIDATE_ONLY writes nothing');

    const client = wsClient(hub.routerUrl);
    try {
      const started = (await hub.query(START, { fileId, options: { mode: 'INSERT' } })).startImport;
      const progress = subscribe(client, `subscription ($id: ID!) { importProgress(jobId: $id) { status rowsRead rowsImported } }`, { id: started.id });
      const last = await eventually(() => progress.results.at(-1), (result) => result?.data?.importProgress?.status === 'SUCCEEDED', 'the last progress event', 30_000);
      progress.stop();
      assert.deepEqual(last!.data!.importProgress, { status: 'SUCCEEDED', rowsRead: 450, rowsImported: 450 });
      assert.ok(progress.results.length >= 2, 'the job as it was, then as it ended');
      const counts = progress.results.map((result) => result.data!.importProgress.rowsRead);
      assert.deepEqual(counts, [...counts].sort((a, b) => a - b), 'progress only grows');
    } finally {
      await client.dispose();
    }
    assert.equal((await storedCustomers(ids)).length, 450);
  });

  it('reads a semicolon-separated Latin-1 file with mapped columns, and a UTF-8 file with a byte order mark', async () => {
    const id = unique('LAT');
    const latin1 = Buffer.from(`Kundennummer;Firma;E-Mail;Kreditlimit\n${id};Müller & Söhne;${id.toLowerCase()}@example.com;250\n`, 'latin1');
    const query = `?delimiter=%3B&encoding=latin1&map=${encodeURIComponent('externalId:Kundennummer')}&map=${encodeURIComponent('name:Firma')}&map=${encodeURIComponent('email:E-Mail')}&map=${encodeURIComponent('creditLimit:Kreditlimit')}`;
    const job = await importCsv('customers', latin1, query);
    assert.equal(job.status, 'SUCCEEDED', JSON.stringify(job));
    assert.equal(job.rowsInserted, 1);
    assert.equal(job.options.delimiter, ';');
    assert.equal(job.options.encoding, 'LATIN1');
    assert.equal((await storedCustomers([id]))[0]!.name, 'Müller & Söhne');

    const bomId = unique('BOM');
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`External ID,Name,Email\n${bomId},Zoë Ærø,${bomId.toLowerCase()}@example.com\n`, 'utf8')]);
    const bomJob = await importCsv('customers', bom, '?mode=insert');
    assert.equal(bomJob.status, 'SUCCEEDED', JSON.stringify(bomJob));
    assert.deepEqual(bomJob.options.columns.map((column: { column: string }) => column.column), ['External ID', 'Name', 'Email'], 'the BOM is not part of the first column');
    assert.equal((await storedCustomers([bomId]))[0]!.name, 'Zoë Ærø');
  });

  it('reports each bad row (cell count, invalid values, a duplicate externalId) with row, column and message, imports the others, and serves the report as CSV', async () => {
    const ids = Array.from({ length: 6 }, () => unique('BAD'));
    const csv = [
      'externalId,name,email,creditLimit',
      `${ids[0]},Good One,${ids[0]!.toLowerCase()}@example.com,10`,
      `${ids[1]},Too Few,${ids[1]!.toLowerCase()}@example.com`,
      `${ids[2]},Bad Email,not-an-email,10`,
      `${ids[3]},Bad Limit,${ids[3]!.toLowerCase()}@example.com,-5`,
      `${ids[0]},Same Id Again,again-${ids[0]!.toLowerCase()}@example.com,10`,
      `${ids[4]},Good Two,${ids[4]!.toLowerCase()}@example.com,20`,
      '',
      `${ids[5]},"Quoted, with comma",${ids[5]!.toLowerCase()}@example.com,30`,
    ].join('\r\n');
    const job = await importCsv('customers', csv);
    assert.equal(job.status, 'SUCCEEDED');
    assert.equal(job.rowsInserted, 3);
    assert.equal(job.rowsRejected, 4);
    const errors = (await hub.query(JOB, { id: job.id })).importJob.errors;
    const byRow = new Map<number, { column: string | null; field: string | null; code: string; message: string }>(errors.edges.map(({ node }: any) => [node.row, node]));
    assert.equal(byRow.get(3)!.column, null);
    assert.match(byRow.get(3)!.message, /3 cells; the header has 4/);
    assert.equal(byRow.get(4)!.column, 'email');
    assert.equal(byRow.get(4)!.code, 'BAD_USER_INPUT');
    assert.equal(byRow.get(5)!.column, 'creditLimit');
    assert.equal(byRow.get(6)!.code, 'CONFLICT');
    assert.match(byRow.get(6)!.message, /appears earlier in the file/);
    assert.deepEqual((await storedCustomers(ids)).map((row) => row.name).sort(), ['Good One', 'Good Two', 'Quoted, with comma']);

    const report = await fetch(new URL(job.reportPath, hub.routerUrl), { headers: await withCredentials() });
    assert.equal(report.status, 200);
    assert.equal(report.headers.get('content-type'), 'text/csv; charset=utf-8');
    const lines = (await report.text()).trim().split('\r\n');
    assert.equal(lines[0], 'row,column,field,code,message');
    assert.equal(lines.length, 1 + errors.totalCount);
    assert.match(lines[1]!, /^3,,,BAD_USER_INPUT,/);
  });

  it('with onError STOP imports the rows before the first bad row and fails the job saying where', async () => {
    const ids = Array.from({ length: 4 }, () => unique('STP'));
    const csv = customersCsv(ids, (_id, index) => (index === 2 ? { email: 'broken' } : {}));
    const job = await importCsv('customers', csv, '?onError=stop');
    assert.equal(job.status, 'FAILED');
    assert.equal(job.failure.code, 'IMPORT_STOPPED');
    assert.equal(job.failure.row, 4);
    assert.equal(job.rowsInserted, 2);
    assert.equal((await storedCustomers(ids)).length, 2);
  });
});

describe('bad uploads', () => {
  it('refuses a file that is not CSV, a spreadsheet, a header without a required column, and a mapping naming no column', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]);
    const binary = await post('/imports/customers', png);
    assert.equal(binary.status, 400);
    assert.equal(binary.body.errors[0].extensions.code, 'IMPORT_FILE_INVALID');

    const zip = await post('/imports/customers', Buffer.from('PK\u0003\u0004rest-of-a-zip', 'latin1'));
    assert.equal(zip.status, 400);
    assert.match(zip.body.errors[0].message, /xlsx/);

    const xlsx = await post('/imports/customers', 'whatever', { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
    assert.equal(xlsx.status, 415);
    assert.equal(xlsx.body.errors[0].extensions.code, 'IMPORT_FILE_INVALID');

    const json = await post('/imports/customers', '{"a":1}', { 'content-type': 'application/json' });
    assert.equal(json.status, 415);

    const missing = await post('/imports/customers', 'externalId,name\nX1,No Email\n');
    assert.equal(missing.status, 400, JSON.stringify(missing.body));
    assert.equal(missing.body.errors[0].extensions.code, 'IMPORT_COLUMNS_INVALID');
    assert.match(missing.body.errors[0].message, /EMAIL|email/);

    const mapped = await post(`/imports/customers?map=${encodeURIComponent('email:Mail')}`, 'externalId,name,email\nX1,Name,x@example.com\n');
    assert.equal(mapped.status, 400);
    assert.equal(mapped.body.errors[0].extensions.code, 'IMPORT_COLUMNS_INVALID');

    const badOption = await post('/imports/customers?mode=merge', customersCsv([unique('OPT')]));
    assert.equal(badOption.status, 400);
    assert.equal(badOption.body.errors[0].extensions.code, 'BAD_USER_INPUT');
    assert.equal(badOption.body.errors[0].extensions.fields[0].field, 'options.mode');

    const empty = await post('/imports/customers', '');
    assert.equal(empty.status, 400);
    assert.equal(empty.body.errors[0].extensions.code, 'IMPORT_FILE_INVALID');

    const broken = await importCsv('customers', `externalId,name,email\n${unique('Q')},"never closed,x@example.com\n`);
    assert.equal(broken.status, 'FAILED');
    assert.equal(broken.failure.code, 'IMPORT_FILE_INVALID');

    const notUtf8 = await post('/imports/customers', Buffer.from(`externalId,name,email\n${unique('L')},M\xfcller,m@example.com\n`, 'latin1'));
    assert.equal(notUtf8.status, 400);
    assert.match(notUtf8.body.errors[0].message, /UTF-8.*LATIN1/);
    const files = await db.query('select count(*)::int as n from queues.import_files where not complete');
    assert.equal(files.rows[0].n, 0, 'no half-stored file is left behind');
  });

  it('answers a 2 GB upload 413 at once, and cuts a streamed upload when it passes IMPORT_MAX_BYTES, keeping nothing', async () => {
    const before = (await db.query('select count(*)::int as n from queues.import_files')).rows[0].n;
    const huge = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      import('node:http').then(({ request }) => {
        const url = new URL('/imports/customers', hub.routerUrl);
        withCredentials({}).then((headers) => {
          const req = request(url, { method: 'POST', headers: { ...headers, 'content-type': 'text/csv', 'content-length': String(2 * 1024 ** 3) } }, (res) => {
            let body = '';
            res.on('data', (chunk) => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode!, body }));
          });
          req.on('error', reject);
          req.write('externalId,name,email\n');
        });
      }, reject);
    });
    assert.equal(huge.status, 413);
    assert.equal(JSON.parse(huge.body).errors[0].extensions.code, 'PAYLOAD_TOO_LARGE');

    // No content-length: chunked, counted as it arrives.
    const chunks = (async function* () {
      yield Buffer.from('externalId,name,email\n');
      for (let i = 0; i < 100; i++) yield Buffer.alloc(64 * 1024, 'x');
    })();
    const response = await fetch(new URL('/imports/customers', hub.routerUrl), {
      method: 'POST',
      headers: await withCredentials({ 'content-type': 'text/csv' }),
      body: ReadableStream.from(chunks),
      duplex: 'half',
    } as RequestInit).catch((error: unknown) => error);
    if (response instanceof Response) {
      assert.equal(response.status, 413);
      const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
      assert.equal(body.errors[0]!.extensions.code, 'PAYLOAD_TOO_LARGE');
    }
    await eventually(async (): Promise<number> => (await db.query("select count(*)::int as n from queues.import_files")).rows[0].n, (n) => n === before, 'the partial file to be removed');
  });

  it('needs the kind\'s write scope to upload, start or read a job', async () => {
    const csv = customersCsv([unique('SCP')]);
    assert.equal((await post('/imports/customers', csv, ANONYMOUS)).status, 401);
    assert.equal((await post('/imports/customers', csv, await bearer('customers:read'))).status, 403);
    assert.equal((await post('/imports/orders', 'orderKey\n', await bearer('customers:write'))).status, 403);
    const job = await importCsv('customers', csv, '', await bearer('customers:write'));
    assert.equal(job.status, 'SUCCEEDED');
    assert.equal((await hub.query(JOB, { id: job.id }, await bearer('orders:write'))).importJob, null, 'another kind\'s writer does not see it');
    const report = await fetch(new URL(job.reportPath, hub.routerUrl), { headers: await bearer('orders:write') });
    assert.equal(report.status, 404);
  });
});

describe('long jobs', () => {
  it('cancels a running job after its batch in flight', async () => {
    const ids = Array.from({ length: 3000 }, () => unique('CAN'));
    const answer = await post('/imports/customers', customersCsv(ids));
    const id = answer.body.job.id;
    await eventually(async () => (await hub.query(JOB, { id })).importJob, (job) => job.rowsRead > 0, 'the first batch');
    const cancelled = (await hub.query(`mutation ($id: ID!) { cancelImport(id: $id) { id status } }`, { id })).cancelImport;
    assert.ok(['RUNNING', 'CANCELLED', 'SUCCEEDED'].includes(cancelled.status));
    const job = await finished(id);
    assert.equal(job.status, 'CANCELLED');
    assert.ok(job.rowsRead < 3000);
    assert.equal((await storedCustomers(ids)).length, job.rowsInserted, 'the counters say what was written');
  });

  it('resumes a job after the queues subgraph restarts, importing every row exactly once', async () => {
    const ids = Array.from({ length: 3000 }, () => unique('RES'));
    const answer = await post('/imports/customers', customersCsv(ids), {});
    const id = answer.body.job.id;
    await eventually(async () => (await hub.query(JOB, { id })).importJob, (job) => job.rowsRead >= 300, 'a few batches');
    await hub.restartSubgraph('queues');
    const job = await finished(id);
    assert.equal(job.status, 'SUCCEEDED', JSON.stringify(job));
    assert.equal(job.rowsRead, 3000);
    assert.equal(job.rowsInserted + job.rowsUnchanged, 3000);
    assert.equal(job.rowsRejected, 0);
    assert.equal((await storedCustomers(ids)).length, 3000);
    assert.equal(await customerEvents(ids), 3000, 'one customer.created each, none twice');
  });
});

describe('orders imports', () => {
  it('groups adjacent lines by order key into orders, rejects an order whose customer is unknown, and a second upsert changes nothing', async () => {
    const externalId = unique('OC');
    await hub.query('mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }', { input: { externalId, name: 'Order Customer', email: `${externalId.toLowerCase()}@example.com` } });
    const [a, b, c] = [unique('ORD'), unique('ORD'), unique('ORD')];
    const csv = [
      'orderKey,customerExternalId,currency,sku,description,quantity,unitPrice',
      `${a},${externalId},EUR,SKU-1,First,2,10.50`,
      `${a},${externalId},EUR,SKU-2,Second,1,5`,
      `${b},NO-SUCH-CUSTOMER,EUR,SKU-1,,1,1`,
      `${c},${externalId},usd,SKU-3,,3,2.25`,
    ].join('\n');
    const job = await importCsv('orders', csv);
    assert.equal(job.status, 'SUCCEEDED', JSON.stringify(job));
    assert.deepEqual([job.rowsRead, job.rowsInserted, job.rowsRejected], [4, 3, 1]);
    const errors = (await hub.query(JOB, { id: job.id })).importJob.errors.edges.map(({ node }: any) => node);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].row, 4);
    assert.equal(errors[0].code, 'NOT_FOUND');
    assert.equal(errors[0].column, 'customerExternalId');
    assert.match(errors[0].message, /unknown customer/);

    const stored = await db.query(
      `select o.external_id, o.currency, o.total::text as total, count(l.*)::int as lines from orders.orders o join orders.order_lines l on l.order_id = o.id
       where o.external_id = any($1) group by o.id order by o.external_id`,
      [[a, b, c]],
    );
    assert.deepEqual(stored.rows, [
      { external_id: a, currency: 'EUR', total: '26.0000', lines: 2 },
      { external_id: c, currency: 'USD', total: '6.7500', lines: 1 },
    ].sort((x, y) => (x.external_id < y.external_id ? -1 : 1)));

    const again = await importCsv('orders', csv);
    assert.deepEqual([again.rowsInserted, again.rowsUnchanged, again.rowsRejected], [0, 3, 1]);
  });

  it('rejects a whole order when one of its rows has the wrong number of cells, and imports the others', async () => {
    const externalId = unique('OC');
    await hub.query('mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }', { input: { externalId, name: 'Order Customer', email: `${externalId.toLowerCase()}@example.com` } });
    const [a, b] = [unique('ORD'), unique('ORD')];
    const csv = [
      'orderKey,customerExternalId,currency,sku,quantity,unitPrice',
      `${a},${externalId},EUR,SKU-1,1,1`,
      `${a},${externalId},EUR,SKU-2,1`,
      `${a},${externalId},EUR,SKU-3,1,1`,
      `${b},${externalId},EUR,SKU-1,1,1`,
    ].join('\n');
    const job = await importCsv('orders', csv);
    assert.deepEqual([job.rowsInserted, job.rowsRejected], [1, 3]);
    const stored = await db.query('select external_id from orders.orders where external_id = any($1)', [[a, b]]);
    assert.deepEqual(stored.rows.map((row) => row.external_id), [b]);
    const rows = (await hub.query(JOB, { id: job.id })).importJob.errors.edges.map(({ node }: any) => node.row);
    assert.deepEqual(rows, [2, 3, 4]);
  });
});

describe('the set of keys a job has seen', () => {
  it('holds a million keys exactly: each found, none added twice, no stranger found', () => {
    const keys = new KeySet();
    for (let i = 0; i < 1_000_000; i++) assert.equal(keys.add(`KEY-${i}`), true);
    assert.equal(keys.size, 1_000_000);
    let found = 0;
    let strangers = 0;
    for (let i = 0; i < 1_000_000; i++) {
      if (keys.has(`KEY-${i}`)) found++;
      if (keys.has(`OTHER-${i}`)) strangers++;
    }
    assert.equal(found, 1_000_000);
    assert.equal(strangers, 0);
    assert.equal(keys.add('KEY-42'), false);
  });
});

describe('reading a file chunk by chunk', () => {
  async function read(chunks: Buffer[], encoding: 'UTF8' | 'LATIN1' = 'UTF8'): Promise<{ records: string[][]; failure?: string }> {
    const records: string[][] = [];
    try {
      for await (const page of csvRecords((async function* () { yield* chunks; })(), { delimiter: ',', encoding })) records.push(...page.map((record) => record.cells));
    } catch (error) {
      if (!(error instanceof FileInvalid)) throw error;
      return { records, failure: error.message };
    }
    return { records };
  }

  it('joins a UTF-8 character cut by a chunk boundary, at every place it can be cut, and drops a byte order mark', async () => {
    const file = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('name,city\nZoë,Århus €\nSøren 😀,Köln\n', 'utf8')]);
    for (let at = 1; at < file.length; at++) {
      const { records, failure } = await read([file.subarray(0, at), file.subarray(at)]);
      assert.equal(failure, undefined, `cut at byte ${at}`);
      assert.deepEqual(records, [['name', 'city'], ['Zoë', 'Århus €'], ['Søren 😀', 'Köln']], `cut at byte ${at}`);
    }
  });

  it('gives the records before bytes that are not UTF-8, then fails naming where', async () => {
    // The last line of the first chunk is not given: it may go on in the next.
    const { records, failure } = await read([Buffer.from('a,b\n1,2\n3,unfinished'), Buffer.from([0x2c, 0xff, 0x0a])]);
    assert.deepEqual(records, [['a', 'b'], ['1', '2']]);
    assert.match(failure!, /not valid UTF-8 \(within bytes 20 to 23\).*LATIN1/);
    assert.match((await read([Buffer.from('a,b\n1,\xe2\x82', 'latin1')])).failure!, /ends inside a character/);
  });

  it('reads Latin-1 bytes as Latin-1', async () => {
    assert.deepEqual((await read([Buffer.from('name\nZo\xeb \xc6r\xf8\n', 'latin1')], 'LATIN1')).records, [['name'], ['Zoë Ærø']]);
  });
});
