import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestHub, type TestHub } from './support/hub.js';

const CUSTOMER_FIELDS = 'id externalId name email phone customerGroup creditLimit tier createdAt updatedAt';
const CREATE = `mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { ${CUSTOMER_FIELDS} } }`;
const UPDATE = `mutation ($id: ID!, $input: UpdateCustomerInput!) { updateCustomer(id: $id, input: $input) { ${CUSTOMER_FIELDS} } }`;
const UPSERT = `mutation ($externalId: String!, $input: UpsertCustomerInput!) {
  upsertCustomerByExternalId(externalId: $externalId, input: $input) { created customer { ${CUSTOMER_FIELDS} } }
}`;

let hub: TestHub;
let counter = 0;
const unique = (prefix: string) => `${prefix}-${++counter}-${Date.now()}`;

async function createCustomer(input: Record<string, unknown> = {}) {
  const tag = unique('c');
  const data = await hub.query(CREATE, { input: { name: `Customer ${tag}`, email: `${tag}@example.com`, ...input } });
  return data.createCustomer;
}

async function countRows(): Promise<number> {
  const data = await hub.query('{ customers(first: 0) { totalCount } }');
  return data.customers.totalCount;
}

before(async () => {
  hub = await startTestHub();
});
after(async () => {
  await hub?.stop();
});

describe('customers through the router', () => {
  it('creates a customer with trimmed input, defaults and an exact credit limit', async () => {
    const customer = await createCustomer({ name: '  Ada Lovelace  ', email: ' ADA@Example.COM ', phone: '+44 (0)20 7946-0000', creditLimit: '999999.99' });
    assert.equal(customer.name, 'Ada Lovelace');
    assert.equal(customer.email, 'ada@example.com');
    assert.equal(customer.phone, '+44 (0)20 7946-0000');
    assert.equal(customer.creditLimit, '999999.99');
    assert.equal(customer.customerGroup, 'RETAIL');
    assert.equal(customer.tier, 'STANDARD');
    assert.match(customer.createdAt, /^\d{4}-\d\d-\d\dT/);
  });

  it('reads a customer by id and answers null for an unknown or malformed id', async () => {
    const created = await createCustomer({ tier: 'PLATINUM', customerGroup: 'WHOLESALE' });
    const data = await hub.query(`query ($a: ID!, $b: ID!, $c: ID!) {
      a: customer(id: $a) { id tier customerGroup } b: customer(id: $b) { id } c: customer(id: $c) { id } }`, {
      a: created.id,
      b: '00000000-0000-4000-8000-000000000000',
      c: 'not-a-uuid',
    });
    assert.deepEqual(data.a, { id: created.id, tier: 'PLATINUM', customerGroup: 'WHOLESALE' });
    assert.equal(data.b, null);
    assert.equal(data.c, null);
  });

  it('lists the customer groups from their table', async () => {
    const data = await hub.query('{ customerGroups { code name } }');
    assert.deepEqual(data.customerGroups.map((group: { code: string }) => group.code), ['DISTRIBUTOR', 'EMPLOYEE', 'RETAIL', 'WHOLESALE']);
  });

  it('reports every bad field at once and writes nothing', async () => {
    const before = await countRows();
    const response = await hub.request(CREATE, {
      input: { name: ' A ', email: 'not-an-email', phone: 'call me', customerGroup: 'NOPE', creditLimit: '1000000.01' },
    });
    const [error] = response.body.errors ?? [];
    assert.equal(error?.extensions?.code, 'BAD_USER_INPUT');
    const fields = Object.fromEntries(error?.extensions?.fields.map((f: { field: string; message: string }) => [f.field, f.message]));
    assert.deepEqual(Object.keys(fields).sort(), ['creditLimit', 'customerGroup', 'email', 'name', 'phone']);
    assert.match(fields.customerGroup, /RETAIL/);
    assert.equal(response.body.data, null);
    assert.equal(await countRows(), before);
  });

  it('rejects a credit limit below 0, with too many decimals, or in exponent notation', async () => {
    for (const creditLimit of ['-1', '10.005']) {
      const response = await hub.request(CREATE, { input: { name: 'Valid Name', email: `${unique('x')}@example.com`, creditLimit } });
      assert.equal(response.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', creditLimit);
      assert.equal(response.body.errors?.[0]?.extensions?.fields?.[0]?.field, 'creditLimit');
    }
    const response = await hub.request(CREATE, { input: { name: 'Valid Name', email: `${unique('x')}@example.com`, creditLimit: '1e3' } });
    assert.equal(response.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
  });

  it('answers CONFLICT for a duplicate email (ignoring case) or externalId', async () => {
    const first = await createCustomer({ externalId: unique('ext') });
    const byEmail = await hub.request(CREATE, { input: { name: 'Someone Else', email: first.email.toUpperCase() } });
    assert.equal(byEmail.body.errors?.[0]?.extensions?.code, 'CONFLICT');
    assert.equal(byEmail.body.errors?.[0]?.extensions?.field, 'email');
    const byExternalId = await hub.request(CREATE, { input: { name: 'Someone Else', email: `${unique('y')}@example.com`, externalId: first.externalId } });
    assert.equal(byExternalId.body.errors?.[0]?.extensions?.code, 'CONFLICT');
    assert.equal(byExternalId.body.errors?.[0]?.extensions?.field, 'externalId');
  });

  it('updates only the fields given, clears phone with null, and moves updatedAt', async () => {
    const created = await createCustomer({ phone: '+1 555 0100', tier: 'PREMIUM' });
    const { updateCustomer } = await hub.query(UPDATE, { id: created.id, input: { creditLimit: 250.5, phone: null } });
    assert.equal(updateCustomer.creditLimit, '250.50');
    assert.equal(updateCustomer.phone, null);
    assert.equal(updateCustomer.tier, 'PREMIUM');
    assert.equal(updateCustomer.name, created.name);
    assert.ok(new Date(updateCustomer.updatedAt) >= new Date(created.updatedAt));
  });

  it('refuses null for a required field and NOT_FOUND for an unknown customer', async () => {
    const created = await createCustomer();
    const nulled = await hub.request(UPDATE, { id: created.id, input: { name: null } });
    assert.equal(nulled.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.deepEqual(nulled.body.errors?.[0]?.extensions?.fields, [{ field: 'name', message: 'cannot be null' }]);
    const missing = await hub.request(UPDATE, { id: '00000000-0000-4000-8000-000000000000', input: { name: 'New Name' } });
    assert.equal(missing.body.errors?.[0]?.extensions?.code, 'NOT_FOUND');
  });

  it('upserts by externalId: creates once, then updates the same customer', async () => {
    const externalId = unique('erp');
    const email = `${unique('sync')}@example.com`;
    const first = await hub.query(UPSERT, { externalId, input: { name: 'Synced Ltd', email, phone: '+49 30 1234' } });
    assert.equal(first.upsertCustomerByExternalId.created, true);
    const second = await hub.query(UPSERT, { externalId, input: { name: 'Synced GmbH', email, tier: 'PREMIUM' } });
    assert.equal(second.upsertCustomerByExternalId.created, false);
    assert.equal(second.upsertCustomerByExternalId.customer.id, first.upsertCustomerByExternalId.customer.id);
    assert.equal(second.upsertCustomerByExternalId.customer.name, 'Synced GmbH');
    assert.equal(second.upsertCustomerByExternalId.customer.phone, '+49 30 1234', 'a field left out keeps its value');
    assert.equal(second.upsertCustomerByExternalId.customer.tier, 'PREMIUM');
  });

  it('never duplicates a customer when the same externalId is synced concurrently', async () => {
    const externalId = unique('race');
    const email = `${unique('race')}@example.com`;
    const results = await Promise.all(Array.from({ length: 8 }, () => hub.query(UPSERT, { externalId, input: { name: 'Racer Inc', email } })));
    const ids = new Set(results.map((result) => result.upsertCustomerByExternalId.customer.id));
    assert.equal(ids.size, 1);
    assert.equal(results.filter((result) => result.upsertCustomerByExternalId.created).length, 1);
    const found = await hub.query('query ($s: String) { customers(filter: { search: $s }) { totalCount } }', { s: externalId });
    assert.equal(found.customers.totalCount, 1);
  });

  it('validates the upsert input and its externalId together', async () => {
    const response = await hub.request(UPSERT, { externalId: '   ', input: { name: 'X', email: 'bad' } });
    const fields = response.body.errors?.[0]?.extensions?.fields.map((f: { field: string }) => f.field).sort();
    assert.deepEqual(fields, ['email', 'externalId', 'name']);
  });
});

describe('customer pagination and filters', () => {
  const tag = `page${Date.now()}`;
  const created: string[] = [];

  before(async () => {
    for (let i = 0; i < 5; i++) {
      const customer = await createCustomer({ name: `Paged ${tag} ${i}`, customerGroup: i % 2 ? 'WHOLESALE' : 'RETAIL', tier: i === 4 ? 'PLATINUM' : 'STANDARD' });
      created.push(customer.id);
    }
  });

  const PAGE = `query ($first: Int, $after: String, $filter: CustomerFilter) {
    customers(first: $first, after: $after, filter: $filter) { totalCount edges { cursor node { id name } } pageInfo { hasNextPage endCursor } }
  }`;

  it('walks every page newest first without gaps or repeats', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const data: any = await hub.query(PAGE, { first: 2, after, filter: { search: tag } });
      assert.equal(data.customers.totalCount, 5);
      seen.push(...data.customers.edges.map((edge: any) => edge.node.id));
      after = data.customers.pageInfo.hasNextPage ? data.customers.pageInfo.endCursor : null;
      pages += 1;
    } while (after);
    assert.equal(pages, 3);
    assert.deepEqual(seen, [...created].reverse());
  });

  it('answers an empty last page with hasNextPage false', async () => {
    const data = await hub.query(PAGE, { first: 5, filter: { search: tag } });
    assert.equal(data.customers.pageInfo.hasNextPage, false);
    const next = await hub.query(PAGE, { first: 5, after: data.customers.pageInfo.endCursor, filter: { search: tag } });
    assert.deepEqual(next.customers.edges, []);
    assert.equal(next.customers.pageInfo.endCursor, null);
  });

  it('filters by search, group and tier', async () => {
    const wholesale = await hub.query(PAGE, { filter: { search: tag, customerGroup: 'WHOLESALE' } });
    assert.equal(wholesale.customers.totalCount, 2);
    const platinum = await hub.query(PAGE, { filter: { search: tag.toUpperCase(), tier: 'PLATINUM' } });
    assert.deepEqual(platinum.customers.edges.map((edge: any) => edge.node.id), [created[4]]);
    const literal = await hub.query(PAGE, { filter: { search: '%' } });
    assert.equal(literal.customers.totalCount, 0, 'LIKE wildcards in search are literal');
  });

  it('refuses first over 100 or below 0, and a cursor it did not issue, naming the argument', async () => {
    for (const [variables, field] of [
      [{ first: 101 }, 'first'],
      [{ first: -1 }, 'first'],
      [{ after: 'garbage' }, 'after'],
      [{ after: Buffer.from('["2026-01-01T00:00:00.000Z","1; drop table"]').toString('base64url') }, 'after'],
    ] as const) {
      const response = await hub.request(PAGE, variables);
      assert.equal(response.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(variables));
      assert.equal(response.body.errors?.[0]?.extensions?.fields?.[0]?.field, field);
    }
  });
});
