import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { eventually } from './support/eventually.js';
import { startTestHub, type TestHub } from './support/hub.js';
import { asRole } from './support/tokens.js';

const IMPORT = `mutation ($fields: [OrderImportField!]!, $rows: [ImportRowInput!]!, $mode: ImportMode!, $onError: ImportErrorPolicy, $key: String) {
  importOrders(fields: $fields, rows: $rows, mode: $mode, onError: $onError, idempotencyKey: $key) { inserted updated unchanged rejectedRows rejected { row field code message } }
}`;
const CREATE_CUSTOMER = 'mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { id externalId } }';
const PLACE = 'mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id number } }';
const ORDER_FIELDS = 'id number externalId status currency total createdAt updatedAt customer { id } lines { sku description quantity unitPrice lineTotal }';

/** The columns most tests send, in this order. */
const BY_EXTERNAL_ID = ['ORDER_KEY', 'CUSTOMER_EXTERNAL_ID', 'CURRENCY', 'SKU', 'DESCRIPTION', 'QUANTITY', 'UNIT_PRICE'];
const BY_ID = ['ORDER_KEY', 'CUSTOMER_ID', 'CURRENCY', 'SKU', 'QUANTITY', 'UNIT_PRICE'];

let hub: TestHub;
let events: pg.Client;
let counter = 0;
const unique = (prefix: string) => `${prefix}-${++counter}-${Date.now()}`;

interface Customer {
  id: string;
  externalId: string;
}

interface BatchResult {
  inserted: number;
  updated: number;
  unchanged: number;
  rejectedRows: number;
  rejected: { row: number; field: string | null; code: string; message: string }[];
}

async function newCustomer(): Promise<Customer> {
  const tag = unique('imp');
  const data = await hub.query(CREATE_CUSTOMER, { input: { name: `Importer ${tag}`, email: `${tag}@example.com`, externalId: `ERP-${tag}` } });
  return data.createCustomer;
}

/** Rows numbered as a spreadsheet shows them, the header being row 1. */
function rowsOf(cells: (string | null)[][], first = 2): { row: number; values: (string | null)[] }[] {
  return cells.map((values, index) => ({ row: first + index, values }));
}

async function importOrders(variables: { fields?: string[]; cells?: (string | null)[][]; rows?: unknown[]; mode?: string; onError?: string; key?: string }): Promise<BatchResult> {
  const response = await importResponse(variables);
  assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
  return response.body.data.importOrders;
}

function importResponse(variables: { fields?: string[]; cells?: (string | null)[][]; rows?: unknown[]; mode?: string; onError?: string; key?: string }, headers?: Record<string, string>) {
  const { fields = BY_EXTERNAL_ID, cells = [], rows = rowsOf(cells), mode = 'INSERT', onError, key } = variables;
  return hub.request(IMPORT, { fields, rows, mode, ...(onError ? { onError } : {}), ...(key ? { key } : {}) }, headers);
}

async function ordersOf(customerId: string): Promise<any[]> {
  const data = await hub.query(`query ($filter: OrderFilter) { orders(first: 100, filter: $filter) { edges { node { ${ORDER_FIELDS} } } } }`, { filter: { customerId } });
  // Newest first in the list; the file's order is the order of their numbers.
  return data.orders.edges.map(({ node }: { node: any }) => node).sort((a: any, b: any) => (a.number < b.number ? -1 : 1));
}

/** The order.placed events of a customer's orders, oldest first. */
async function placedEvents(customerId: string): Promise<{ subjectId: string; data: any }[]> {
  const { rows } = await events.query(`select subject_id, data from events.events where type = 'order.placed' and data->>'customerId' = $1 order by id`, [customerId]);
  return rows.map((row) => ({ subjectId: row.subject_id, data: row.data }));
}

before(async () => {
  hub = await startTestHub();
  events = new pg.Client({ connectionString: hub.database.url });
  await events.connect();
});
after(async () => {
  await events?.end();
  await hub?.stop();
});

describe('importing orders', () => {
  it('places one order per run of rows with the same key, with its lines, number, status, exact total and order.placed event', async () => {
    const customer = await newCustomer();
    const a = unique('A');
    const b = unique('B');
    const c = unique('C');
    const result = await importOrders({
      cells: [
        [a, customer.externalId, 'EUR', 'BOLT-M8', 'Hex bolt M8', '3', '0.10'],
        [a, customer.externalId, 'EUR', 'NUT-M8', '', '3', '0.20'],
        [b, customer.externalId, 'usd', 'WASHER', null, '10', '0.0125'],
        [b, customer.externalId, 'usd', 'SCREW', 'Wood screw', '999999', '999999999.9999'],
        [b, customer.externalId, 'usd', 'PIN', null, '1', '0'],
        [c, customer.externalId, ' EUR ', ' GLUE ', '  Two-part  ', ' 2 ', ' 7.5 '],
      ],
    });
    assert.deepEqual(result, { inserted: 6, updated: 0, unchanged: 0, rejectedRows: 0, rejected: [] });

    const orders = await ordersOf(customer.id);
    assert.deepEqual(
      orders.map((order) => [order.externalId, order.status, order.currency, order.total, order.customer.id]),
      [
        [a, 'PENDING', 'EUR', '0.9000', customer.id],
        [b, 'PENDING', 'USD', '999998999999900.1251', customer.id],
        [c, 'PENDING', 'EUR', '15.0000', customer.id],
      ],
    );
    for (const order of orders) assert.match(order.number, /^ORD-\d{8}$/);
    assert.deepEqual(orders[0].lines, [
      { sku: 'BOLT-M8', description: 'Hex bolt M8', quantity: 3, unitPrice: '0.1000', lineTotal: '0.3000' },
      { sku: 'NUT-M8', description: null, quantity: 3, unitPrice: '0.2000', lineTotal: '0.6000' },
    ]);
    assert.deepEqual(orders[1].lines.map((line: any) => line.sku), ['WASHER', 'SCREW', 'PIN']);
    assert.deepEqual(orders[2].lines, [{ sku: 'GLUE', description: 'Two-part', quantity: 2, unitPrice: '7.5000', lineTotal: '15.0000' }]);

    const placed = await placedEvents(customer.id);
    assert.deepEqual(placed.map((event) => event.subjectId), orders.map((order) => order.id));
    assert.deepEqual(placed[0]!.data, {
      number: orders[0].number,
      customerId: customer.id,
      currency: 'EUR',
      total: '0.9000',
      status: 'PENDING',
      lines: [
        { sku: 'BOLT-M8', description: 'Hex bolt M8', quantity: 3, unitPrice: '0.10' },
        { sku: 'NUT-M8', description: null, quantity: 3, unitPrice: '0.20' },
      ],
    });
  });

  it('writes order.placed with the data placeOrder writes', async () => {
    const customer = await newCustomer();
    const lines = [{ sku: 'BOLT', description: 'Bolt', quantity: 2, unitPrice: '1.50' }];
    await hub.query(PLACE, { input: { customerId: customer.id, currency: 'EUR', lines } });
    await importOrders({ cells: [[unique('K'), customer.externalId, 'EUR', 'BOLT', 'Bolt', '2', '1.50']] });
    const [placedByApi, placedByImport] = await placedEvents(customer.id);
    const { number: _a, ...api } = placedByApi!.data;
    const { number: _b, ...imported } = placedByImport!.data;
    assert.deepEqual(imported, api);
  });

  it('finds customers by id', async () => {
    const customer = await newCustomer();
    const key = unique('ID');
    const result = await importOrders({ fields: BY_ID, cells: [[key, customer.id, 'EUR', 'SKU-1', '1', '5.00'], [key, ` ${customer.id.toUpperCase()} `, 'EUR', 'SKU-2', '2', '1.25']] });
    assert.deepEqual(result, { inserted: 2, updated: 0, unchanged: 0, rejectedRows: 0, rejected: [] });
    const [order] = await ordersOf(customer.id);
    assert.equal(order.externalId, key);
    assert.equal(order.total, '7.5000');
  });

  it('rejects an order whose customer is unknown, with that reason, and places the others', async () => {
    const customer = await newCustomer();
    const good = unique('G');
    const lost = unique('L');
    const byExternalId = await importOrders({
      cells: [
        [lost, 'ERP-nobody', 'EUR', 'X', null, '1', '1'],
        [lost, 'ERP-nobody', 'EUR', 'Y', null, '1', '1'],
        [good, customer.externalId, 'EUR', 'X', null, '1', '1'],
      ],
    });
    assert.deepEqual(byExternalId, {
      inserted: 1,
      updated: 0,
      unchanged: 0,
      rejectedRows: 2,
      rejected: [{ row: 2, field: 'customerExternalId', code: 'NOT_FOUND', message: 'unknown customer: no customer has externalId ERP-nobody' }],
    });
    const nobody = '00000000-0000-4000-8000-000000000000';
    const byId = await importOrders({ fields: BY_ID, cells: [[unique('L'), nobody, 'EUR', 'X', '1', '1'], [unique('L'), 'not-a-uuid', 'EUR', 'X', '1', '1']] });
    assert.deepEqual(byId.rejected, [
      { row: 2, field: 'customerId', code: 'NOT_FOUND', message: `unknown customer: no customer has id ${nobody}` },
      { row: 3, field: 'customerId', code: 'BAD_USER_INPUT', message: 'must be a customer id' },
    ]);
    assert.deepEqual((await ordersOf(customer.id)).map((order) => order.externalId), [good]);
  });

  it('rejects a whole order for one bad line, reporting each problem at its row and field', async () => {
    const customer = await newCustomer();
    const bad = unique('BAD');
    const good = unique('OK');
    const ext = customer.externalId;
    const result = await importOrders({
      cells: [
        [bad, ext, 'EUR', 'FINE', null, '1', '1.00'],
        [bad, ext, 'EUR', 'TEXT-QTY', null, 'three', '1.00'],
        [bad, ext, 'EUR', 'HALF-QTY', null, '2.5', '1.00'],
        [bad, ext, 'EUR', 'ZERO-QTY', null, '0', '1.00'],
        [bad, ext, 'EUR', 'PRICE', null, '1', '1.00001'],
        [bad, ext, 'EUR', 'WORD-PRICE', null, '1', 'cheap'],
        [bad, ext, 'EUR', '', 'no sku', '1', '1.00'],
        [bad, ext, 'EUR', 'SHORT', '1', '1.00'],
        [good, ext, 'EUR', 'FINE', null, '1', '1.00'],
      ],
    });
    assert.equal(result.inserted, 1);
    assert.equal(result.rejectedRows, 8);
    assert.deepEqual(result.rejected, [
      { row: 3, field: 'quantity', code: 'BAD_USER_INPUT', message: 'must be a whole number' },
      { row: 4, field: 'quantity', code: 'BAD_USER_INPUT', message: 'must be a whole number' },
      { row: 5, field: 'quantity', code: 'BAD_USER_INPUT', message: 'must be greater than 0' },
      { row: 6, field: 'unitPrice', code: 'BAD_USER_INPUT', message: 'may have at most 4 decimal places' },
      { row: 7, field: 'unitPrice', code: 'BAD_USER_INPUT', message: 'Decimal must be a number in plain notation such as "1250.50", got "cheap"' },
      { row: 8, field: 'sku', code: 'BAD_USER_INPUT', message: 'is required' },
      { row: 9, field: null, code: 'BAD_USER_INPUT', message: 'has 6 cells; expected 7' },
    ]);
    assert.deepEqual((await ordersOf(customer.id)).map((order) => order.externalId), [good]);
  });

  it('applies the order rules of placeOrder: currency, and at most 200 lines', async () => {
    const customer = await newCustomer();
    const many = unique('MANY');
    const result = await importOrders({
      cells: [
        [unique('CUR'), customer.externalId, 'EURO', 'X', null, '1', '1'],
        ...Array.from({ length: 201 }, () => [many, customer.externalId, 'EUR', 'X', null, '1', '1']),
      ],
    });
    assert.equal(result.rejectedRows, 202);
    assert.deepEqual(result.rejected, [
      { row: 2, field: 'currency', code: 'BAD_USER_INPUT', message: 'must be an ISO 4217 currency code such as EUR or USD' },
      { row: 3, field: null, code: 'BAD_USER_INPUT', message: `order ${many} must have at most 200 lines` },
    ]);
  });

  it('rejects an order whose lines are not adjacent, counting all of its rows', async () => {
    const customer = await newCustomer();
    const split = unique('SPLIT');
    const between = unique('BETWEEN');
    const ext = customer.externalId;
    const result = await importOrders({
      cells: [
        [split, ext, 'EUR', 'X', null, '1', '1'],
        [between, ext, 'EUR', 'X', null, '1', '1'],
        [split, ext, 'EUR', 'Y', null, '1', '1'],
        [split, ext, 'EUR', 'Z', null, '1', '1'],
      ],
    });
    assert.deepEqual(result, {
      inserted: 1,
      updated: 0,
      unchanged: 0,
      rejectedRows: 3,
      rejected: [{ row: 4, field: 'orderKey', code: 'CONFLICT', message: `the lines of an order must be adjacent; order ${split} began at row 2` }],
    });
    assert.deepEqual((await ordersOf(customer.id)).map((order) => order.externalId), [between]);
  });

  it('rejects an order whose lines give different currencies or customers', async () => {
    const customer = await newCustomer();
    const other = await newCustomer();
    const currencies = unique('CUR');
    const customers = unique('CUS');
    const result = await importOrders({
      cells: [
        [currencies, customer.externalId, 'EUR', 'X', null, '1', '1'],
        [currencies, customer.externalId, 'eur', 'X', null, '1', '1'],
        [currencies, customer.externalId, 'USD', 'X', null, '1', '1'],
        [customers, customer.externalId, 'EUR', 'X', null, '1', '1'],
        [customers, other.externalId, 'EUR', 'X', null, '1', '1'],
        [customers, '', 'EUR', 'X', null, '1', '1'],
      ],
    });
    assert.deepEqual(result, {
      inserted: 0,
      updated: 0,
      unchanged: 0,
      rejectedRows: 6,
      rejected: [
        { row: 4, field: 'currency', code: 'BAD_USER_INPUT', message: `must be the same on every line of order ${currencies}: row 2 has EUR, this row USD` },
        { row: 6, field: 'customerExternalId', code: 'BAD_USER_INPUT', message: `must be the same on every line of order ${customers}: row 5 has ${customer.externalId}, this row ${other.externalId}` },
        { row: 7, field: 'customerExternalId', code: 'BAD_USER_INPUT', message: 'is required' },
      ],
    });
  });
});

describe('orders that were imported before', () => {
  it('INSERT rejects an order whose key is stored (CONFLICT)', async () => {
    const customer = await newCustomer();
    const key = unique('TWICE');
    const cells = [[key, customer.externalId, 'EUR', 'X', null, '1', '1']];
    await importOrders({ cells });
    const [order] = await ordersOf(customer.id);
    const again = await importOrders({ cells });
    assert.deepEqual(again, {
      inserted: 0,
      updated: 0,
      unchanged: 0,
      rejectedRows: 1,
      rejected: [{ row: 2, field: 'orderKey', code: 'CONFLICT', message: `order ${key} was imported before (${order.number})` }],
    });
    assert.equal((await ordersOf(customer.id)).length, 1);
  });

  it('UPSERT leaves an order with the same customer, currency and lines alone, writing no event', async () => {
    const customer = await newCustomer();
    const key = unique('SAME');
    await importOrders({ cells: [[key, customer.externalId, 'EUR', 'X', 'Ex', '2', '1.10'], [key, customer.externalId, 'EUR', 'Y', null, '1', '3']] });
    const [stored] = await ordersOf(customer.id);
    const eventsBefore = (await placedEvents(customer.id)).length;
    // The same contents written otherwise: decimals with other zeros, the currency in lower case, cells padded.
    const result = await importOrders({
      mode: 'UPSERT',
      cells: [[key, customer.externalId, 'eur', 'X', ' Ex ', '2', '1.1000'], [key, customer.externalId, 'eur', 'Y', '', '1', '3.0']],
    });
    assert.deepEqual(result, { inserted: 0, updated: 0, unchanged: 2, rejectedRows: 0, rejected: [] });
    assert.deepEqual(await ordersOf(customer.id), [stored]);
    assert.equal((await placedEvents(customer.id)).length, eventsBefore);
  });

  it('UPSERT rejects an order stored with other contents and changes nothing', async () => {
    const customer = await newCustomer();
    const other = await newCustomer();
    const key = unique('OTHER');
    const fresh = unique('FRESH');
    await importOrders({ cells: [[key, customer.externalId, 'EUR', 'X', null, '2', '1.10']] });
    const [stored] = await ordersOf(customer.id);
    const message = `order ${key} was imported with other contents; an import does not change an existing order`;
    for (const changed of [
      [key, customer.externalId, 'EUR', 'X', null, '3', '1.10'],
      [key, customer.externalId, 'EUR', 'X', null, '2', '1.11'],
      [key, customer.externalId, 'USD', 'X', null, '2', '1.10'],
      [key, customer.externalId, 'EUR', 'X', 'described', '2', '1.10'],
      [key, other.externalId, 'EUR', 'X', null, '2', '1.10'],
    ]) {
      const result = await importOrders({ mode: 'UPSERT', cells: [changed] });
      assert.deepEqual(result.rejected, [{ row: 2, field: 'orderKey', code: 'CONFLICT', message }], JSON.stringify(changed));
    }
    const more = await importOrders({ mode: 'UPSERT', cells: [[key, customer.externalId, 'EUR', 'X', null, '2', '1.10'], [key, customer.externalId, 'EUR', 'Y', null, '1', '1'], [fresh, customer.externalId, 'EUR', 'X', null, '1', '1']] });
    assert.deepEqual(more, { inserted: 1, updated: 0, unchanged: 0, rejectedRows: 2, rejected: [{ row: 2, field: 'orderKey', code: 'CONFLICT', message }] });
    // The cached list is purged by the import's events, which the router follows as they commit.
    const orders = await eventually(() => ordersOf(customer.id), (listed) => listed.length === 2, 'the imported order in the list');
    assert.deepEqual(orders[0], stored);
    assert.deepEqual(orders.map((order) => order.externalId), [key, fresh]);
  });
});

describe('concurrent imports', () => {
  it('place each order once when calls with the same orders run at once, in any order', async () => {
    const customer = await newCustomer();
    const cells = Array.from({ length: 20 }, () => unique('RACE')).flatMap((key) => [
      [key, customer.externalId, 'EUR', 'X', null, '1', '1'],
      [key, customer.externalId, 'EUR', 'Y', null, '1', '1'],
    ]);
    const reversed = Array.from({ length: 20 }, (_, index) => cells.slice(2 * (19 - index), 2 * (20 - index))).flat();
    const results = await Promise.all(Array.from({ length: 6 }, (_, index) => importOrders({ cells: index % 2 ? reversed : cells })));
    assert.equal(results.reduce((sum, result) => sum + result.inserted, 0), 40);
    for (const result of results) {
      assert.equal(result.inserted + result.rejectedRows, 40);
      assert.ok(result.rejected.every((problem) => problem.code === 'CONFLICT' && problem.field === 'orderKey'), JSON.stringify(result.rejected));
    }
    assert.equal((await ordersOf(customer.id)).length, 20);
    assert.equal((await placedEvents(customer.id)).length, 20);
  });
});

describe('error policies and modes', () => {
  function threeOrders(customer: Customer) {
    const [first, bad, last] = [unique('FIRST'), unique('BAD'), unique('LAST')];
    const cells = [
      [first, customer.externalId, 'EUR', 'X', null, '1', '1'],
      [first, customer.externalId, 'EUR', 'Y', null, '1', '1'],
      [bad, customer.externalId, 'EUR', 'X', null, '-1', '1'],
      [bad, customer.externalId, 'EUR', 'Y', null, '1', 'x'],
      [last, 'ERP-nobody', 'EUR', 'X', null, '1', '1'],
      [unique('AFTER'), customer.externalId, 'EUR', 'X', null, '1', '1'],
    ];
    return { first, bad, last, cells };
  }

  it('STOP writes the orders before the first rejected one and reports only that order', async () => {
    const customer = await newCustomer();
    const { first, cells } = threeOrders(customer);
    const result = await importOrders({ cells, onError: 'STOP' });
    assert.deepEqual(result, {
      inserted: 2,
      updated: 0,
      unchanged: 0,
      rejectedRows: 2,
      rejected: [
        { row: 4, field: 'quantity', code: 'BAD_USER_INPUT', message: 'must be greater than 0' },
        { row: 5, field: 'unitPrice', code: 'BAD_USER_INPUT', message: 'Decimal must be a number in plain notation such as "1250.50", got "x"' },
      ],
    });
    assert.deepEqual((await ordersOf(customer.id)).map((order) => order.externalId), [first]);
  });

  it('SKIP writes every good order and reports every bad one', async () => {
    const customer = await newCustomer();
    const { first, cells } = threeOrders(customer);
    const result = await importOrders({ cells, onError: 'SKIP' });
    assert.equal(result.inserted, 3);
    assert.equal(result.rejectedRows, 3);
    assert.deepEqual(result.rejected.map((problem) => [problem.row, problem.field, problem.code]), [
      [4, 'quantity', 'BAD_USER_INPUT'],
      [5, 'unitPrice', 'BAD_USER_INPUT'],
      [6, 'customerExternalId', 'NOT_FOUND'],
    ]);
    assert.deepEqual((await ordersOf(customer.id)).map((order) => order.externalId), [first, cells[5]![0]]);
  });

  it('VALIDATE_ONLY counts what would happen, against the database, and writes nothing', async () => {
    const customer = await newCustomer();
    const stored = unique('STORED');
    await importOrders({ cells: [[stored, customer.externalId, 'EUR', 'X', null, '1', '1']] });
    const [before] = await ordersOf(customer.id);
    const { cells } = threeOrders(customer);
    const result = await importOrders({
      mode: 'VALIDATE_ONLY',
      cells: [[stored, customer.externalId, 'EUR', 'X', null, '1', '1'], ...cells],
    });
    assert.deepEqual([result.inserted, result.unchanged, result.rejectedRows, result.rejected.length], [3, 1, 3, 3]);
    const stop = await importOrders({ mode: 'VALIDATE_ONLY', onError: 'STOP', cells: [[stored, customer.externalId, 'EUR', 'X', null, '2', '1'], ...cells] });
    assert.deepEqual([stop.inserted, stop.unchanged, stop.rejectedRows], [0, 0, 1]);
    assert.equal(stop.rejected[0]!.code, 'CONFLICT');
    assert.deepEqual(await ordersOf(customer.id), [before]);
    assert.equal((await placedEvents(customer.id)).length, 1);
    // Nothing was placed and rolled back either: the next order takes the very next number.
    await importOrders({ cells: [[unique('NEXT'), customer.externalId, 'EUR', 'X', null, '1', '1']] });
    // The cached list of the customer's orders is purged when the router's relay sees the import's event.
    const [, next] = await eventually(() => ordersOf(customer.id), (orders) => orders.length === 2, 'the imported order in the list');
    assert.equal(Number(next.number.slice(4)), Number(before.number.slice(4)) + 1);
  });

  it('answers a repeat with the same idempotency key and arguments with the first result, changing nothing', async () => {
    const customer = await newCustomer();
    const key = unique('batch');
    const cells = [
      [unique('ONE'), customer.externalId, 'EUR', 'X', null, '1', '1'],
      [unique('TWO'), customer.externalId, 'EUR', 'X', null, 'many', '1'],
    ];
    const first = await importOrders({ cells, key });
    assert.deepEqual([first.inserted, first.rejectedRows], [1, 1]);
    const eventsBefore = await placedEvents(customer.id);
    const repeat = await importOrders({ cells, key });
    assert.deepEqual(repeat, first);
    assert.equal((await ordersOf(customer.id)).length, 1);
    assert.deepEqual(await placedEvents(customer.id), eventsBefore);

    const other = await importResponse({ cells: cells.slice(0, 1), key });
    assert.equal(other.body.errors?.[0]?.extensions?.code, 'CONFLICT');
    assert.equal(other.body.errors?.[0]?.extensions?.field, 'idempotencyKey');
  });
});

describe('refused calls', () => {
  it('refuses wrong arguments as BAD_USER_INPUT naming them, and writes nothing', async () => {
    const customer = await newCustomer();
    const row = (key: string) => [key, customer.externalId, 'EUR', 'X', null, '1', '1'];
    const cases: [string[], unknown[], { field: string; message: string }[]][] = [
      [[...BY_EXTERNAL_ID, 'SKU'], rowsOf([[...row('D'), 'X']]), [{ field: 'fields', message: 'names SKU more than once' }]],
      [['ORDER_KEY', 'CUSTOMER_EXTERNAL_ID', 'SKU'], rowsOf([['K', customer.externalId, 'X']]), [{ field: 'fields', message: 'must include CURRENCY, QUANTITY, UNIT_PRICE' }]],
      [BY_EXTERNAL_ID.filter((field) => field !== 'CUSTOMER_EXTERNAL_ID'), rowsOf([row('N').slice(1)]), [{ field: 'fields', message: 'must include CUSTOMER_ID or CUSTOMER_EXTERNAL_ID' }]],
      [[...BY_EXTERNAL_ID, 'CUSTOMER_ID'], rowsOf([[...row('B'), customer.id]]), [{ field: 'fields', message: 'must include only one of CUSTOMER_ID and CUSTOMER_EXTERNAL_ID' }]],
      [BY_EXTERNAL_ID, rowsOf(Array.from({ length: 5_001 }, (_, index) => row(`R${index}`))), [{ field: 'rows', message: 'must have at most 5,000 rows' }]],
    ];
    for (const [fields, rows, expected] of cases) {
      const response = await importResponse({ fields, rows });
      const error = response.body.errors?.[0];
      assert.equal(error?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(response.body));
      assert.deepEqual(error?.extensions?.fields, expected);
    }
    const blank = await importResponse({ cells: [row('K')], key: ' ' });
    assert.deepEqual(blank.body.errors?.[0]?.extensions?.fields, [{ field: 'idempotencyKey', message: 'must not be empty' }]);
    assert.deepEqual(await ordersOf(customer.id), []);
  });

  it('refuses a caller without orders:write (FORBIDDEN)', async () => {
    const customer = await newCustomer();
    const response = await importResponse({ cells: [[unique('K'), customer.externalId, 'EUR', 'X', null, '1', '1']] }, await asRole('readonly'));
    assert.equal(response.status, 403);
    assert.equal(response.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    assert.deepEqual(await ordersOf(customer.id), []);
  });
});

describe('cost', () => {
  /** `count` orders of two lines each, as the rows of one call. */
  function ordersFor(customer: Customer, count: number): (string | null)[][] {
    return Array.from({ length: count }, () => unique('N')).flatMap((key) => [
      [key, customer.externalId, 'EUR', 'X', null, '2', '1.25'],
      [key, customer.externalId, 'EUR', 'Y', 'second', '1', '0.5'],
    ]);
  }

  async function statementsFor(cells: (string | null)[][], mode = 'INSERT'): Promise<string[]> {
    hub.statements.reset();
    const result = await importOrders({ cells, mode, key: unique('cost') });
    assert.equal(result.rejectedRows, 0);
    // The queues subgraph's import worker polls for jobs meanwhile; its statements are not this call's.
    return hub.statements.list().filter((statement) => !/"?queues"?\./.test(statement));
  }

  it('sends as many SQL statements for 500 orders as for 5', async () => {
    const customer = await newCustomer();
    for (const mode of ['INSERT', 'VALIDATE_ONLY']) {
      const small = await statementsFor(ordersFor(customer, 5), mode);
      const large = await statementsFor(ordersFor(customer, 500), mode);
      assert.deepEqual(large, small, mode);
      // The events of the whole call in one statement (infra/events/event-store.ts).
      assert.equal(large.filter((statement) => /insert into events\.events/.test(statement)).length, mode === 'INSERT' ? 1 : 0, mode);
      // Customers: one _entities lookup for the whole call, whatever the number of orders.
      assert.equal(large.filter((statement) => /"customers"/.test(statement)).length, 1, mode);
    }
    const { rows } = await events.query(`select count(*)::int as count from orders.orders where customer_id = $1`, [customer.id]);
    assert.equal(rows[0].count, 505);
  });
});

describe('when the customers subgraph is down', () => {
  it('fails the whole call with DEPENDENCY_UNAVAILABLE and writes nothing', async () => {
    const customer = await newCustomer();
    await hub.stopSubgraph('customers');
    try {
      const response = await importResponse({ cells: [[unique('DOWN'), customer.externalId, 'EUR', 'X', null, '1', '1']] });
      const error = response.body.errors?.[0];
      assert.equal(error?.extensions?.code, 'DEPENDENCY_UNAVAILABLE', JSON.stringify(response.body));
      assert.equal(error?.extensions?.service, 'customers');
    } finally {
      await hub.restartSubgraph('customers');
    }
    assert.deepEqual(await placedEvents(customer.id), []);
    const { rows } = await events.query(`select count(*)::int as count from orders.orders where customer_id = $1`, [customer.id]);
    assert.equal(rows[0].count, 0);
  });
});
