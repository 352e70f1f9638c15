import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { eventually } from './support/eventually.js';
import { startTestHub, type TestHub } from './support/hub.js';
import { ANONYMOUS, asRole, withCredentials } from './support/tokens.js';

const CUSTOMER_FIELDS = 'id externalId name email phone customerGroup creditLimit tier createdAt updatedAt';
const CREATE_CUSTOMER = `mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }`;
const PLACE = `mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id createdAt } }`;
const CONFIRM = `mutation ($id: ID!) { updateOrderStatus(id: $id, status: CONFIRMED) { id } }`;
const ORDER_FIELDS = 'id externalId number status currency total cancelReason createdAt updatedAt customer { id } lines { sku description quantity unitPrice lineTotal }';

let hub: TestHub;
let counter = 0;
const unique = (prefix: string) => `${prefix}${++counter}x${Date.now()}`;

/** RFC 4180, as a spreadsheet reads it: quoted cells may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const character = text[i]!;
    if (quoted) {
      if (character === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (character === '"') quoted = false;
      else cell += character;
    } else if (character === '"') quoted = true;
    else if (character === ',') {
      row.push(cell);
      cell = '';
    } else if (character === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 1;
    } else cell += character;
  }
  assert.equal(quoted, false, 'the file ends inside a quoted cell');
  assert.equal(cell + row.join(''), '', 'the last line ends with CRLF');
  return rows;
}

/** The rows as objects keyed by the header row. */
function records(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  return rows.map((row) => Object.fromEntries(header!.map((name, index) => [name, row[index]!])));
}

async function download(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(new URL(path, hub.routerUrl), { headers: await withCredentials(headers) });
}

async function exported(path: string): Promise<Record<string, string>[]> {
  const response = await download(path);
  assert.equal(response.status, 200, await response.clone().text());
  assert.equal(response.headers.get('content-type'), 'text/csv; charset=utf-8');
  return records(await response.text());
}

/** A GraphQL value as its CSV cell: null is empty, numbers are their digits. */
const cell = (value: unknown) => (value === null ? '' : String(value));

async function createCustomer(tag: string, input: Record<string, unknown> = {}): Promise<string> {
  const name = unique(`Customer ${tag} `);
  const data = await hub.query(CREATE_CUSTOMER, { input: { name, email: `${unique('c')}@example.com`, ...input } });
  return data.createCustomer.id;
}

async function listedCustomers(filter: Record<string, unknown>): Promise<Record<string, string>[]> {
  const data = await hub.query(`query ($filter: CustomerFilter) { customers(first: 100, filter: $filter) { edges { node { ${CUSTOMER_FIELDS} } } } }`, { filter });
  return data.customers.edges.map(({ node }: { node: Record<string, unknown> }) => Object.fromEntries(Object.entries(node).map(([name, value]) => [name, cell(value)])));
}

async function listedOrderLines(filter: Record<string, unknown>): Promise<Record<string, string>[]> {
  const data = await hub.query(`query ($filter: OrderFilter) { orders(first: 100, filter: $filter) { edges { node { ${ORDER_FIELDS} } } } }`, { filter });
  return data.orders.edges.flatMap(({ node }: { node: any }) =>
    node.lines.map((line: Record<string, unknown>, index: number) => ({
      number: node.number,
      id: node.id,
      externalId: cell(node.externalId),
      customerId: node.customer.id,
      status: node.status,
      currency: node.currency,
      total: node.total,
      cancelReason: cell(node.cancelReason),
      createdAt: node.createdAt,
      updatedAt: node.updatedAt,
      lineNo: String(index + 1),
      sku: line.sku,
      description: cell(line.description),
      quantity: cell(line.quantity),
      unitPrice: line.unitPrice,
      lineTotal: line.lineTotal,
    })),
  );
}

before(async () => {
  hub = await startTestHub();
});
after(async () => {
  await hub?.stop();
});

describe('the customers export', () => {
  it('gives exactly the rows the GraphQL list gives for the same filter, as an attachment', async () => {
    const tag = unique('list');
    await createCustomer(tag, { tier: 'PREMIUM', creditLimit: '1250.50', phone: '+44 20 7946 0000', externalId: unique('ext') });
    await createCustomer(tag, { customerGroup: 'WHOLESALE' });
    await createCustomer(tag);
    const response = await download(`/exports/customers.csv?search=${encodeURIComponent(tag)}`);
    assert.equal(response.headers.get('content-disposition'), 'attachment; filename="customers.csv"');
    const rows = records(await response.text());
    const listed = await listedCustomers({ search: tag });
    assert.equal(rows.length, 3);
    // The phone starts with '+': text people typed is neutralised (see the formula test).
    assert.deepEqual(
      rows.map((row) => ({ ...row, phone: row.phone!.replace(/^'/, '') })),
      listed,
    );
  });

  it('filters by tier and customer group as the GraphQL list does', async () => {
    const tag = unique('filters');
    const premium = await createCustomer(tag, { tier: 'PREMIUM' });
    const wholesale = await createCustomer(tag, { customerGroup: 'WHOLESALE' });
    await createCustomer(tag);
    assert.deepEqual((await exported(`/exports/customers.csv?search=${tag}&tier=PREMIUM`)).map((row) => row.id), [premium]);
    assert.deepEqual((await exported(`/exports/customers.csv?search=${tag}&customerGroup=WHOLESALE`)).map((row) => row.id), [wholesale]);
    assert.deepEqual(await exported(`/exports/customers.csv?search=${tag}&customerGroup=EMPLOYEE`), []);
  });

  it('round-trips a cell with a quote, a comma and a line break', async () => {
    const tag = unique('quotes');
    const name = `He said "hi", ${tag}\nthen left`;
    await createCustomer(tag, { name });
    const [row] = await exported(`/exports/customers.csv?search=${tag}`);
    assert.equal(row!.name, name);
  });

  it('neutralises a cell that a spreadsheet would take for a formula', async () => {
    const tag = unique('formula');
    await createCustomer(tag, { name: `=HYPERLINK("http://evil.example","${tag}")` });
    const text = await (await download(`/exports/customers.csv?search=${tag}`)).text();
    assert.ok(text.includes(`,"'=HYPERLINK(""http://evil.example"",""${tag}"")",`), text);
    assert.equal(records(text)[0]!.name, `'=HYPERLINK("http://evil.example","${tag}")`);
  });

  it('streams a large export in keyset pages, every row arriving', async () => {
    const tag = unique('bulk');
    const client = new pg.Client({ connectionString: hub.database.url });
    await client.connect();
    try {
      await client.query(
        `insert into customers.customers (name, email) select $1::text || ' ' || i, $1::text || '-' || i || '@example.com' from generate_series(1, 5000) as i`,
        [tag],
      );
    } finally {
      await client.end();
    }
    hub.statements.reset();
    const rows = await exported(`/exports/customers.csv?search=${tag}`);
    assert.equal(rows.length, 5000);
    assert.equal(new Set(rows.map((row) => row.id)).size, 5000);
    // 1,000 rows a statement, each reading one more to know that another page follows: five statements, no sixth.
    const pages = hub.statements.list().filter((statement) => /from "customers"/.test(statement) && /limit/.test(statement));
    assert.equal(pages.length, 5, pages.join('\n'));
  });

  it('answers 401 without credentials and 403 without customers:read', async () => {
    const anonymous = await download('/exports/customers.csv', ANONYMOUS);
    assert.equal(anonymous.status, 401);
    assert.equal(((await anonymous.json()) as any).errors[0].extensions.code, 'UNAUTHENTICATED');
    const sap = await download('/exports/customers.csv', await asRole('sap_integration'));
    assert.equal(sap.status, 403);
    assert.equal(((await sap.json()) as any).errors[0].extensions.code, 'FORBIDDEN');
    assert.equal((await download('/exports/customers.csv?search=nobody-at-all', await asRole('readonly'))).status, 200);
  });

  it('answers a bad filter 400 BAD_USER_INPUT naming the parameter', async () => {
    const response = await download('/exports/customers.csv?tier=GOLD');
    assert.equal(response.status, 400);
    const [error] = ((await response.json()) as any).errors;
    assert.equal(error.extensions.code, 'BAD_USER_INPUT');
    assert.deepEqual(error.extensions.fields, [{ field: 'tier', message: 'must be STANDARD, PREMIUM or PLATINUM' }]);
    const unknown = await download('/exports/customers.csv?teir=PREMIUM');
    assert.equal(unknown.status, 400);
    assert.equal(((await unknown.json()) as any).errors[0].extensions.fields[0].field, 'teir');
  });
});

describe('the audit of exports', () => {
  it('records every export, served or refused, with its caller, status and filter names (not their values)', async () => {
    const requestId = `export-audit-${Date.now()}`;
    const served = await download('/exports/customers.csv?tier=PREMIUM&search=someone%40example.com', { 'x-request-id': requestId });
    await served.text();
    const refused = await download('/exports/orders.csv', { ...(await asRole('sap_integration')), 'x-request-id': requestId });
    await refused.text();
    const query = 'query ($filter: AuditRecordFilter) { auditRecords(filter: $filter, first: 20) { edges { node { action principal outcome code clientRequestId detail } } } }';
    const records = await eventually(
      async () => (await hub.query(query, { filter: { action: 'export' } })).auditRecords.edges.map((edge: any) => edge.node).filter((node: any) => node.clientRequestId === requestId),
      (found: any[]) => found.length === 2,
      'the two export audit records',
    );
    const byExport = Object.fromEntries(records.map((record: any) => [record.detail.export, record]));
    assert.equal(byExport['/exports/customers.csv'].outcome, 'ok');
    assert.match(byExport['/exports/customers.csv'].principal, /^user:/);
    assert.deepEqual(byExport['/exports/customers.csv'].detail, { export: '/exports/customers.csv', status: 200, filters: ['tier', 'search'], complete: true });
    assert.doesNotMatch(JSON.stringify(records), /someone/);
    assert.equal(byExport['/exports/orders.csv'].outcome, 'denied');
    assert.equal(byExport['/exports/orders.csv'].code, 'FORBIDDEN');
  });
});

describe('the orders export', () => {
  let customerId: string;
  let first: { id: string; createdAt: string };
  let second: { id: string; createdAt: string };

  before(async () => {
    customerId = await createCustomer(unique('orders'));
    const place = async (lines: Record<string, unknown>[]) => (await hub.query(PLACE, { input: { customerId, currency: 'EUR', lines } })).placeOrder;
    first = await place([
      { sku: 'SKU-1', description: 'Widget, "large"', quantity: 3, unitPrice: '19.99' },
      { sku: 'SKU-2', quantity: 1, unitPrice: '0.0050' },
    ]);
    second = await place([{ sku: '-SKU-3', description: '@sum(A1)', quantity: 2, unitPrice: '100' }]);
    await hub.query(CONFIRM, { id: first.id });
  });

  it('gives one row per order line, exactly as the GraphQL list gives them', async () => {
    const rows = await exported(`/exports/orders.csv?customerId=${customerId}`);
    const listed = await listedOrderLines({ customerId });
    assert.equal(rows.length, 3);
    assert.deepEqual(rows.map((row) => ({ ...row, sku: row.sku!.replace(/^'/, ''), description: row.description!.replace(/^'/, '') })), listed);
    assert.equal(rows[0]!.sku, "'-SKU-3");
    assert.equal(rows[0]!.description, "'@sum(A1)");
    assert.equal(rows[1]!.description, 'Widget, "large"');
    assert.equal(rows[2]!.unitPrice, '0.0050');
  });

  it('filters by status and by creation time as the GraphQL list does', async () => {
    const confirmed = await exported(`/exports/orders.csv?customerId=${customerId}&status=CONFIRMED`);
    assert.deepEqual([...new Set(confirmed.map((row) => row.id))], [first.id]);
    const since = await exported(`/exports/orders.csv?customerId=${customerId}&createdAfter=${encodeURIComponent(second.createdAt)}`);
    assert.deepEqual([...new Set(since.map((row) => row.id))], [second.id]);
    const before = await exported(`/exports/orders.csv?customerId=${customerId}&createdBefore=${encodeURIComponent(second.createdAt)}`);
    assert.deepEqual([...new Set(before.map((row) => row.id))], [first.id]);
  });

  it('answers a bad date-time or status 400 naming each parameter', async () => {
    const response = await download('/exports/orders.csv?createdAfter=yesterday&status=LOST');
    assert.equal(response.status, 400);
    const [error] = ((await response.json()) as any).errors;
    assert.equal(error.extensions.code, 'BAD_USER_INPUT');
    assert.deepEqual(error.extensions.fields.map((field: { field: string }) => field.field).sort(), ['createdAfter', 'status']);
  });

  it('answers 403 without orders:read', async () => {
    const response = await download('/exports/orders.csv', await asRole('sap_integration'));
    assert.equal(response.status, 403);
    assert.equal(((await response.json()) as any).errors[0].extensions.code, 'FORBIDDEN');
  });
});
