import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { internalHeaders, startTestHub, type TestHub } from './support/hub.js';
import { asRole, testToken } from './support/tokens.js';

const IMPORT = `mutation ($fields: [CustomerImportField!]!, $rows: [ImportRowInput!]!, $mode: ImportMode!, $onError: ImportErrorPolicy!, $key: String) {
  importCustomers(fields: $fields, rows: $rows, mode: $mode, onError: $onError, idempotencyKey: $key) {
    inserted updated unchanged rejectedRows rejected { row field code message }
  }
}`;
const ALL_FIELDS = ['EXTERNAL_ID', 'NAME', 'EMAIL', 'PHONE', 'CUSTOMER_GROUP', 'CREDIT_LIMIT', 'TIER'];

let hub: TestHub;
let db: pg.Client;
/** As the queues' import job calls the router: a service token holding customers:write and nothing else. */
let importer: Record<string, string>;
let counter = 0;
const unique = (prefix: string) => `${prefix}-${++counter}-${Date.now()}`;

interface Call {
  fields?: string[];
  rows: { row: number; values: (string | null)[] }[];
  mode?: 'INSERT' | 'UPSERT' | 'VALIDATE_ONLY';
  onError?: 'STOP' | 'SKIP';
  key?: string;
}

function importRequest({ fields = ALL_FIELDS, rows, mode = 'UPSERT', onError = 'SKIP', key }: Call, headers = importer) {
  return hub.request(IMPORT, { fields, rows, mode, onError, key }, headers);
}

async function importRows(call: Call) {
  const response = await importRequest(call);
  assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
  return response.body.data.importCustomers;
}

/** Rows numbered from 2, as under a CSV header. */
const numbered = (rows: (string | null)[][]) => rows.map((values, i) => ({ row: i + 2, values }));

/** Read from the table itself: the router's response cache is purged by the events, a moment after the write. */
async function customerByExternalId(externalId: string) {
  const { rows } = await db.query(
    `select id, external_id as "externalId", name, email, phone, customer_group as "customerGroup", credit_limit::text as "creditLimit", tier,
       created_at as "createdAt", updated_at as "updatedAt" from customers.customers where external_id = $1`,
    [externalId],
  );
  return rows[0];
}

async function count(table: 'customers.customers' | 'events.events'): Promise<number> {
  return (await db.query(`select count(*)::int as n from ${table}`)).rows[0].n;
}

before(async () => {
  hub = await startTestHub();
  db = new pg.Client({ connectionString: hub.database.url });
  await db.connect();
  importer = { authorization: `Bearer ${await testToken({ sub: 'csv-importer', scope: 'customers:write' })}` };
});
after(async () => {
  await db?.end();
  await hub?.stop();
});

describe('Customer by its second key, externalId', () => {
  it('resolves references by externalId in one statement, null for an unknown one', async () => {
    const externalId = unique('ref');
    const { createCustomer } = await hub.query('mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }', {
      input: { externalId, name: 'Referenced Ltd', email: `${unique('ref')}@example.com` },
    });
    hub.statements.reset();
    const response = await fetch(hub.customersUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await internalHeaders()) },
      body: JSON.stringify({
        query: 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id externalId name } } }',
        variables: {
          r: [
            { __typename: 'Customer', externalId },
            { __typename: 'Customer', externalId: 'no-such-external-id' },
            { __typename: 'Customer', id: createCustomer.id },
          ],
        },
      }),
    });
    const body = (await response.json()) as any;
    assert.equal(body.errors, undefined);
    assert.deepEqual(body.data._entities, [
      { id: createCustomer.id, externalId, name: 'Referenced Ltd' },
      null,
      { id: createCustomer.id, externalId, name: 'Referenced Ltd' },
    ]);
    // One read per key (the queues subgraph's consumers of createCustomer's event may send statements of their own meanwhile).
    const reads = hub.statements.list().filter((statement) => statement.includes('"customers"."customers"'));
    assert.equal(reads.length, 2, reads.join('\n'));
  });
});

describe('importCustomers', () => {
  it('inserts rows with the mutations’ normalisation and defaults, and writes customer.created for each with the request id', async () => {
    const [a, b] = [unique('ins'), unique('ins')];
    const eventsBefore = await count('events.events');
    const response = await importRequest({
      mode: 'INSERT',
      rows: numbered([
        [a, '  Ada Imported  ', ` ${a.toUpperCase()}@Example.COM `, '+44 20 7946 0000', 'WHOLESALE', '1250.5', 'PREMIUM'],
        [b, 'Bob Imported', `${b}@example.com`, '', '', '', ''],
      ]),
    });
    assert.deepEqual(response.body.data.importCustomers, { inserted: 2, updated: 0, unchanged: 0, rejectedRows: 0, rejected: [] });
    const first = await customerByExternalId(a);
    assert.equal(first.name, 'Ada Imported');
    assert.equal(first.email, `${a}@example.com`);
    assert.equal(first.creditLimit, '1250.50');
    assert.deepEqual([first.phone, first.customerGroup, first.tier], ['+44 20 7946 0000', 'WHOLESALE', 'PREMIUM']);
    const second = await customerByExternalId(b);
    assert.deepEqual([second.phone, second.customerGroup, second.creditLimit, second.tier], [null, 'RETAIL', '0.00', 'STANDARD'], 'empty cells take the defaults');
    const { rows: events } = await db.query('select type, subject_id, data, request_id from events.events where id > (select max(id) - 2 from events.events) order by id');
    assert.equal(await count('events.events'), eventsBefore + 2);
    assert.deepEqual(events.map((event) => [event.type, event.subject_id]), [['customer.created', first.id], ['customer.created', second.id]]);
    assert.equal(events[0].data.email, `${a}@example.com`);
    assert.equal(events[0].request_id, response.headers.get('x-request-id'));
  });

  it('writes the same event data as the mutations: createCustomer’s for a new row, upsertCustomerByExternalId’s for a changed one', async () => {
    const [a, b] = [unique('same'), unique('same')];
    const { createCustomer } = await hub.query('mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }', {
      input: { externalId: a, name: 'Mutated Ltd', email: `${a}@example.com`, phone: '+1 555 0100', customerGroup: 'WHOLESALE', creditLimit: '12.5', tier: 'PREMIUM' },
    });
    await importRows({ mode: 'INSERT', rows: numbered([[b, 'Imported Ltd', `${b}@example.com`, '+1 555 0100', 'WHOLESALE', '12.5', 'PREMIUM']]) });
    const imported = await customerByExternalId(b);
    const dataOf = async (id: string) => (await db.query(`select type, data from events.events where subject_id = $1 order by id`, [id])).rows;
    const [mutated] = await dataOf(createCustomer.id);
    const [created] = await dataOf(imported.id);
    assert.equal(created.type, 'customer.created');
    assert.deepEqual(Object.keys(created.data).sort(), Object.keys(mutated.data).sort());
    // The row as a mutation's event has it: creditLimit a string, times as JSON writes a Date.
    const { id: _id, ...fields } = imported;
    assert.deepEqual(created.data, JSON.parse(JSON.stringify(fields)));

    await importRows({ fields: ['EXTERNAL_ID', 'NAME', 'EMAIL', 'CREDIT_LIMIT'], rows: numbered([[b, 'Imported Ltd', `${b}@example.com`, '99']]) });
    const { updatedAt } = await customerByExternalId(b);
    const [, updated] = await dataOf(imported.id);
    assert.equal(updated.type, 'customer.updated');
    assert.deepEqual(updated.data, { name: 'Imported Ltd', email: `${b}@example.com`, creditLimit: '99.00', updatedAt: updatedAt.toJSON() });
  });

  it('upserts by externalId: updates only the columns given, leaves equal rows alone and writes no event for them', async () => {
    const [a, b] = [unique('up'), unique('up')];
    const emailA = `${a}@example.com`;
    const emailB = `${b}@example.com`;
    await importRows({ mode: 'INSERT', rows: numbered([[a, 'Alpha Corp', emailA, '+1 555 0100', 'WHOLESALE', '100', 'PREMIUM'], [b, 'Beta Corp', emailB, '+1 555 0200', '', '100.5', '']]) });
    const storedB = await customerByExternalId(b);
    const c = unique('up');
    const eventsBefore = await count('events.events');
    const result = await importRows({
      fields: ['EXTERNAL_ID', 'NAME', 'EMAIL', 'CREDIT_LIMIT'],
      rows: numbered([
        // Renamed; its empty credit limit leaves the stored one.
        [a, 'Alpha Corporation', emailA, ''],
        // Equal to what is stored: 100.50 written as 100.5, the email in capitals.
        [b, 'Beta Corp', emailB.toUpperCase(), '100.50'],
        [c, 'Gamma Corp', `${c}@example.com`, '7'],
      ]),
    });
    assert.deepEqual(result, { inserted: 1, updated: 1, unchanged: 1, rejectedRows: 0, rejected: [] });
    const updated = await customerByExternalId(a);
    assert.equal(updated.name, 'Alpha Corporation');
    assert.deepEqual([updated.phone, updated.customerGroup, updated.creditLimit, updated.tier], ['+1 555 0100', 'WHOLESALE', '100.00', 'PREMIUM'], 'columns not written keep their values');
    assert.deepEqual(await customerByExternalId(b), storedB, 'an unchanged row is not written: updatedAt stays');
    const created = await customerByExternalId(c);
    assert.deepEqual([created.customerGroup, created.creditLimit, created.tier], ['RETAIL', '7.00', 'STANDARD']);
    assert.equal(await count('events.events'), eventsBefore + 2);
    const { rows: events } = await db.query(`select type, subject_id, data from events.events where subject_id = any($1) and id > (select max(id) - 2 from events.events) order by id`, [
      [updated.id, created.id],
    ]);
    assert.deepEqual(events.map((event) => [event.type, event.subject_id]), [['customer.updated', updated.id], ['customer.created', created.id]]);
    assert.deepEqual(Object.keys(events[0].data).sort(), ['email', 'name', 'updatedAt'], 'the update event names the fields written');

    const again = await importRows({ fields: ['EXTERNAL_ID', 'NAME', 'EMAIL', 'CREDIT_LIMIT'], rows: numbered([[a, 'Alpha Corporation', emailA, '100'], [c, 'Gamma Corp', `${c}@example.com`, '7.00']]) });
    assert.deepEqual(again, { inserted: 0, updated: 0, unchanged: 2, rejectedRows: 0, rejected: [] });
    assert.equal(await count('events.events'), eventsBefore + 2);
  });

  it('reports every kind of bad row, one entry per bad field, and writes the good rows', async () => {
    const stored = unique('bad');
    await importRows({ mode: 'INSERT', rows: numbered([[stored, 'Stored Customer', `${stored}@example.com`, '', '', '', '']]) });
    const ids = Array.from({ length: 9 }, () => unique('bad'));
    const customersBefore = await count('customers.customers');
    const result = await importRows({
      mode: 'INSERT',
      rows: numbered([
        [ids[0]!, 'Good Row', `${ids[0]}@example.com`, '', '', '', ''],
        [ids[1]!, 'Too Few Cells', `${ids[1]}@example.com`],
        [ids[2]!, 'X', 'not-an-email', 'call me', 'NOPE', '1000000.01', 'GOLD'],
        [ids[3]!, 'Bad Credit', `${ids[3]}@example.com`, '', '', '10.005', ''],
        [ids[0]!, 'Repeated Key', `${ids[4]}@example.com`, '', '', '', ''],
        [ids[5]!, 'Repeated Email', `${ids[0]!.toUpperCase()}@EXAMPLE.com`, '', '', '', ''],
        [stored, 'Existing Key', `${ids[6]}@example.com`, '', '', '', ''],
        [ids[7]!, 'Existing Email', ` ${stored}@example.com`, '', '', '', ''],
        [ids[8]!, '', '', '', '', '', ''],
        [`${ids[8]}-e`, 'Exponent Credit', `${ids[8]}-e@example.com`, '', '', '1e3', ''],
        [`${ids[8]}-t`, 'Text Credit', `${ids[8]}-t@example.com`, '', '', 'lots', 'premium'],
      ]),
    });
    const problems = result.rejected.map((error: any) => [error.row, error.field, error.code]);
    assert.deepEqual(problems, [
      [3, null, 'BAD_USER_INPUT'],
      [4, 'name', 'BAD_USER_INPUT'],
      [4, 'email', 'BAD_USER_INPUT'],
      [4, 'phone', 'BAD_USER_INPUT'],
      [4, 'creditLimit', 'BAD_USER_INPUT'],
      [4, 'tier', 'BAD_USER_INPUT'],
      [4, 'customerGroup', 'BAD_USER_INPUT'],
      [5, 'creditLimit', 'BAD_USER_INPUT'],
      [6, 'externalId', 'CONFLICT'],
      [7, 'email', 'CONFLICT'],
      [8, 'externalId', 'CONFLICT'],
      [9, 'email', 'CONFLICT'],
      [10, 'name', 'BAD_USER_INPUT'],
      [10, 'email', 'BAD_USER_INPUT'],
      [11, 'creditLimit', 'BAD_USER_INPUT'],
      [12, 'creditLimit', 'BAD_USER_INPUT'],
      [12, 'tier', 'BAD_USER_INPUT'],
    ]);
    const message = (row: number, field: string | null) => result.rejected.find((error: any) => error.row === row && error.field === field).message;
    assert.equal(message(3, null), 'has 3 cells; expected 7');
    assert.match(message(4, 'customerGroup'), /RETAIL/);
    assert.equal(message(6, 'externalId'), 'repeats the externalId of row 2');
    assert.equal(message(7, 'email'), 'repeats the email of row 2');
    assert.equal(message(10, 'name'), 'is required');
    assert.match(message(11, 'creditLimit'), /plain notation/);
    assert.deepEqual([result.inserted, result.rejectedRows], [1, 10]);
    assert.equal(await count('customers.customers'), customersBefore + 1);
  });

  it('rejects an upsert row whose email belongs to another customer', async () => {
    const [owner, other, keyless] = [unique('own'), unique('own'), unique('own')];
    await importRows({ mode: 'INSERT', rows: numbered([[owner, 'Email Owner', `${owner}@example.com`, '', '', '', ''], [other, 'Other One', `${other}@example.com`, '', '', '', '']]) });
    await importRows({ mode: 'INSERT', fields: ['NAME', 'EMAIL'], rows: numbered([['No Key Ltd', `${keyless}@example.com`]]) });
    const result = await importRows({
      fields: ['EXTERNAL_ID', 'NAME', 'EMAIL'],
      rows: numbered([
        // Its own email, by its own key: an update, not a conflict.
        [owner, 'Email Owner Renamed', ` ${owner.toUpperCase()}@example.com`],
        // A customer without an externalId is another customer too.
        [unique('own'), 'Taker Inc', `${keyless}@example.com`],
        [other, 'Other One', `${other}@example.com`],
        [other.toUpperCase(), 'Other Two', `${owner}@example.com`],
      ]),
    });
    assert.deepEqual(result, {
      inserted: 0,
      updated: 1,
      unchanged: 1,
      rejectedRows: 2,
      rejected: [
        { row: 3, field: 'email', code: 'CONFLICT', message: 'is already taken by another customer' },
        { row: 5, field: 'email', code: 'CONFLICT', message: 'repeats the email of row 2' },
      ],
    });
    assert.equal((await customerByExternalId(other)).email, `${other}@example.com`);
    assert.equal((await customerByExternalId(owner)).name, 'Email Owner Renamed');
    assert.equal(await customerByExternalId(other.toUpperCase()), undefined);
  });

  it('with STOP writes only the rows before the first bad one and reports that one; with SKIP writes all the good ones', async () => {
    const ids = Array.from({ length: 4 }, () => unique('stop'));
    const rows = numbered([
      [ids[0]!, 'First Good', `${ids[0]}@example.com`, '', '', '', ''],
      [ids[1]!, 'First Bad', 'nope', '', '', '', ''],
      [ids[2]!, 'Second Good', `${ids[2]}@example.com`, '', '', '', ''],
      [ids[3]!, 'Second Bad', `${ids[3]}@example.com`, '', 'NOPE', '', ''],
    ]);
    const stopped = await importRows({ mode: 'INSERT', onError: 'STOP', rows });
    assert.deepEqual(stopped, { inserted: 1, updated: 0, unchanged: 0, rejectedRows: 1, rejected: [{ row: 3, field: 'email', code: 'BAD_USER_INPUT', message: 'must be a well-formed email address' }] });
    assert.ok(await customerByExternalId(ids[0]!));
    assert.equal(await customerByExternalId(ids[2]!), undefined);

    const skipped = await importRows({ mode: 'UPSERT', onError: 'SKIP', rows });
    assert.deepEqual([skipped.inserted, skipped.unchanged, skipped.rejectedRows], [1, 1, 2]);
    assert.deepEqual(skipped.rejected.map((error: any) => [error.row, error.field]), [[3, 'email'], [5, 'customerGroup']]);
    assert.ok(await customerByExternalId(ids[2]!));
  });

  it('with VALIDATE_ONLY checks against the database, counts what would happen and writes nothing', async () => {
    const [a, b] = [unique('dry'), unique('dry')];
    await importRows({ mode: 'INSERT', rows: numbered([[a, 'Dry Stored', `${a}@example.com`, '', '', '5', '']]) });
    const stored = await customerByExternalId(a);
    const [customersBefore, eventsBefore] = [await count('customers.customers'), await count('events.events')];
    const rows = numbered([
      [a, 'Dry Stored', `${a}@example.com`, '', '', '5.00', ''],
      [a, 'Dry Repeated', `${a}-2@example.com`, '', '', '', ''],
      [b, 'Dry New', `${b}@example.com`, '', '', '', ''],
    ]);
    const asUpsert = await importRows({ mode: 'VALIDATE_ONLY', rows });
    assert.deepEqual([asUpsert.inserted, asUpsert.updated, asUpsert.unchanged, asUpsert.rejectedRows], [1, 0, 1, 1]);
    assert.deepEqual(asUpsert.rejected.map((error: any) => [error.row, error.field, error.code]), [[3, 'externalId', 'CONFLICT']]);
    const renamed = await importRows({ mode: 'VALIDATE_ONLY', rows: numbered([[a, 'Dry Renamed', `${a}@example.com`, '', '', '', '']]) });
    assert.deepEqual([renamed.updated, renamed.unchanged], [1, 0]);
    // Without EXTERNAL_ID it checks as INSERT: the stored email is a conflict.
    const asInsert = await importRows({ mode: 'VALIDATE_ONLY', fields: ['NAME', 'EMAIL'], rows: numbered([['Dry Stored', `${a}@example.com`], ['Dry Other', `${b}@example.com`]]) });
    assert.deepEqual([asInsert.inserted, asInsert.rejected[0]?.field, asInsert.rejected[0]?.code], [1, 'email', 'CONFLICT']);
    assert.deepEqual([await count('customers.customers'), await count('events.events')], [customersBefore, eventsBefore]);
    assert.deepEqual(await customerByExternalId(a), stored);
    assert.equal(await customerByExternalId(b), undefined);
  });

  it('answers a repeat with the same idempotency key with the first result and imports nothing twice', async () => {
    const key = `import:${unique('job')}:2`;
    const ids = [unique('idem'), unique('idem')];
    const call: Call = { mode: 'INSERT', key, rows: numbered([[ids[0]!, 'Once Only', `${ids[0]}@example.com`, '', '', '', ''], [ids[1]!, 'X', `${ids[1]}@example.com`, '', '', '', '']]) };
    const first = await importRows(call);
    assert.deepEqual([first.inserted, first.rejectedRows], [1, 1]);
    const [customersBefore, eventsBefore] = [await count('customers.customers'), await count('events.events')];
    assert.deepEqual(await importRows(call), first);
    assert.deepEqual([await count('customers.customers'), await count('events.events')], [customersBefore, eventsBefore]);
    const other = await importRequest({ ...call, mode: 'UPSERT' });
    assert.equal(other.body.errors?.[0]?.extensions?.code, 'CONFLICT');
    assert.equal(other.body.errors?.[0]?.extensions?.field, 'idempotencyKey');
  });

  it('refuses a call whose fields or rows break the call’s rules, naming the argument, and takes an empty batch', async () => {
    const row = numbered([['x', 'Valid Name', 'v@example.com']]);
    const cases: [Call, string, RegExp][] = [
      [{ fields: ['EXTERNAL_ID', 'NAME', 'NAME', 'EMAIL'], rows: [] }, 'fields', /NAME more than once/],
      [{ fields: ['EXTERNAL_ID', 'NAME'], rows: row, mode: 'INSERT' }, 'fields', /EMAIL/],
      [{ fields: ['NAME', 'EMAIL'], rows: row, mode: 'UPSERT' }, 'fields', /EXTERNAL_ID/],
      [{ fields: ['EXTERNAL_ID', 'NAME', 'EMAIL'], rows: Array.from({ length: 5_001 }, (_, i) => ({ row: i + 2, values: ['x', 'y', 'z'] })) }, 'rows', /at most 5,000/],
      [{ fields: ['EXTERNAL_ID', 'NAME', 'EMAIL'], rows: row, key: '  ' }, 'idempotencyKey', /empty/],
    ];
    const customersBefore = await count('customers.customers');
    for (const [call, field, message] of cases) {
      const response = await importRequest(call);
      const error = response.body.errors?.[0];
      assert.equal(error?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(call.fields));
      assert.equal(error?.extensions?.fields?.[0]?.field, field);
      assert.match(error?.extensions?.fields?.[0]?.message, message);
    }
    assert.equal(await count('customers.customers'), customersBefore);
    assert.deepEqual(await importRows({ rows: [] }), { inserted: 0, updated: 0, unchanged: 0, rejectedRows: 0, rejected: [] });
  });

  it('is FORBIDDEN without customers:write', async () => {
    const response = await importRequest({ rows: [] }, await asRole('readonly'));
    assert.equal(response.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
  });

  it('never imports an email twice when two calls race for it', async () => {
    const email = `${unique('race')}@example.com`;
    const results = await Promise.all(
      Array.from({ length: 4 }, () => importRows({ mode: 'INSERT', fields: ['EXTERNAL_ID', 'NAME', 'EMAIL'], rows: numbered([[unique('race'), 'Racer Ltd', email]]) })),
    );
    assert.equal(results.reduce((sum, result) => sum + result.inserted, 0), 1);
    for (const result of results.filter((candidate) => candidate.inserted === 0)) assert.deepEqual(result.rejected.map((error: any) => [error.field, error.code]), [['email', 'CONFLICT']]);
    assert.equal((await db.query('select count(*)::int as n from customers.customers where email = $1', [email])).rows[0].n, 1);
  });

  describe('SQL statements per call', () => {
    const batch = (size: number) => {
      const tag = unique('bulk');
      return numbered(Array.from({ length: size }, (_, i) => [`${tag}-${i}`, `Bulk Customer ${i}`, `${tag}-${i}@example.com`, '+1 555 0100', 'RETAIL', `${i}.50`, 'STANDARD']));
    };
    const [small, large] = [batch(10), batch(1_000)];
    /**
     * The call's statements: those on the customers schema and the event store's writes. Begin and
     * commit are left out, since the queues subgraph's consumers of the previous call's events
     * may open transactions of their own meanwhile.
     */
    const statements = async (rows: Call['rows'], mode: Call['mode']) => {
      hub.statements.reset();
      const result = await importRows({ rows, mode });
      return { result, statements: hub.statements.list().filter((statement) => /"customers"\.|events\.events|pg_advisory_xact_lock/.test(statement)) };
    };

    it('are the same for 1,000 new rows as for 10, their events included', async () => {
      const [ten, thousand] = [await statements(small, 'INSERT'), await statements(large, 'INSERT')];
      assert.deepEqual([ten.result.inserted, thousand.result.inserted], [10, 1_000]);
      // The groups, the stored keys, and one statement that writes the rows and their events.
      assert.equal(ten.statements.length, 3, ten.statements.join('\n'));
      assert.deepEqual(thousand.statements, ten.statements);
    });

    it('are the same for 1,000 unchanged rows as for 10, and for checking them', async () => {
      const [ten, thousand] = [await statements(small, 'UPSERT'), await statements(large, 'UPSERT')];
      assert.deepEqual([ten.result.unchanged, thousand.result.unchanged], [10, 1_000]);
      // The groups and the stored rows: rows equal to them are not sent to be written.
      assert.equal(ten.statements.length, 2, ten.statements.join('\n'));
      assert.deepEqual(thousand.statements, ten.statements);
      const [tenChecked, thousandChecked] = [await statements(small, 'VALIDATE_ONLY'), await statements(large, 'VALIDATE_ONLY')];
      assert.deepEqual([tenChecked.result.unchanged, thousandChecked.result.unchanged], [10, 1_000]);
      assert.deepEqual(thousandChecked.statements, ten.statements);
    });
  });
});
