import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import pg from 'pg';
import { startSapSimulator, type RunningSapSimulator } from '../simulators/sap/index.js';
import { eventually } from './support/eventually.js';
import { startTestHub, type TestHub } from './support/hub.js';
import { asRole } from './support/tokens.js';

/**
 * The sap subgraph on the real path: the router, the sap subgraph with its connector, and the
 * bundled simulator as two SAP systems (S4H the default, ERP a second), over a real PostgreSQL.
 * Counted, not timed: OData requests per federated query, IDoc statuses read back, messages forwarded.
 */

const IDOC_PASSWORD = 'idoc-inbound-test-password';
let simulator: RunningSapSimulator;
let hub: TestHub;
let db: pg.Client;
let counter = 0;
const unique = () => `${Date.now()}-${++counter}`;

const CUSTOMER = 'mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }';
const PLACE = 'mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id number } }';

async function createCustomer(externalId: string | null, name = 'SAP test'): Promise<string> {
  const tag = unique();
  const { createCustomer: created } = await hub.query(CUSTOMER, { input: { name: `${name} ${tag}`, email: `sap-${tag}@example.com`, externalId } });
  return created.id;
}

async function placeOrder(customerId: string, skus: string[]): Promise<{ id: string; number: string }> {
  const { placeOrder: order } = await hub.query(PLACE, { input: { customerId, currency: 'EUR', lines: skus.map((sku) => ({ sku, quantity: 2, unitPrice: '12.50' })) } });
  return order;
}

async function eventTypes(subjectId: string): Promise<string[]> {
  const { rows } = await db.query<{ type: string }>('select type from events.events where subject_id = $1 order by id', [subjectId]);
  return rows.map((row) => row.type);
}

function postIdoc(xml: string, password = IDOC_PASSWORD) {
  return fetch(`${hub.urls.sap.replace(/\/graphql$/, '')}/sap/idoc`, {
    method: 'POST',
    headers: { 'content-type': 'application/xml', authorization: `Basic ${Buffer.from(`sap:${password}`).toString('base64')}` },
    body: xml,
  });
}

function debmas(docnum: string, customer: { number: string; name: string; email?: string }): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<DEBMAS07><IDOC BEGIN="1">
  <EDI_DC40 SEGMENT="1"><TABNAM>EDI_DC40</TABNAM><MANDT>100</MANDT><DOCNUM>${docnum}</DOCNUM><DIRECT>1</DIRECT><IDOCTYP>DEBMAS07</IDOCTYP><MESTYP>DEBMAS</MESTYP><SNDPOR>SAPS4H</SNDPOR><SNDPRT>LS</SNDPRT><SNDPRN>S4HCLNT100</SNDPRN><RCVPOR>INTERCHNG</RCVPOR><RCVPRT>LS</RCVPRT><RCVPRN>INTERCHNG</RCVPRN></EDI_DC40>
  <E1KNA1M SEGMENT="1"><MSGFN>005</MSGFN><KUNNR>${customer.number}</KUNNR><NAME1>${customer.name}</NAME1><LAND1>DE</LAND1><ORT01>Walldorf</ORT01>${customer.email ? `<E1KNA1H SEGMENT="1"/><E1KNVKM SEGMENT="1"><SMTP_ADDR>${customer.email}</SMTP_ADDR></E1KNVKM>` : ''}</E1KNA1M>
</IDOC></DEBMAS07>`;
}

before(async () => {
  simulator = await startSapSimulator({ port: 0, systems: [{ id: 'S4H', client: '100' }, { id: 'ERP', client: '200' }, { id: 'BRK', client: '300' }], user: 'HUB', password: 'sap-test-password', idocProcessingDelayMs: 10 });
  hub = await startTestHub({
    env: {
      SAP_SYSTEMS: 'S4H,ERP,BRK',
      SAP_S4H_URL: simulator.systemUrl('S4H'),
      SAP_S4H_CLIENT: '100',
      SAP_S4H_USER: 'HUB',
      SAP_S4H_PASSWORD: 'sap-test-password',
      SAP_ERP_URL: simulator.systemUrl('ERP'),
      SAP_ERP_TYPE: 'ERP',
      SAP_ERP_CLIENT: '200',
      SAP_ERP_USER: 'HUB',
      SAP_ERP_PASSWORD: 'sap-test-password',
      SAP_ERP_TIMEOUT_MS: '300',
      SAP_ERP_MAX_ATTEMPTS: '1',
      // BRK is for the circuit breaker's test: its circuit stays open for the rest of the run.
      SAP_BRK_URL: simulator.systemUrl('BRK'),
      SAP_BRK_CLIENT: '300',
      SAP_BRK_USER: 'HUB',
      SAP_BRK_PASSWORD: 'sap-test-password',
      SAP_BRK_BREAKER_FAILURES: '3',
      SAP_BRK_BREAKER_RESET_MS: '600000',
      SAP_IDOC_INBOUND_PASSWORD: IDOC_PASSWORD,
      SAP_IDOC_STATUS_POLL_MS: '100',
      PROCESSORS: 'customer_updated',
    },
  });
  db = new pg.Client({ connectionString: hub.database.url });
  await db.connect();
});

after(async () => {
  await db?.end();
  await hub?.stop();
  await simulator?.stop();
});

beforeEach(() => {
  simulator.clearFaults();
});

describe('SAP systems', () => {
  it('lists every configured system with its state, S4H as the default', async () => {
    await hub.query('{ businessPartner(id: "10000001") { id } }');
    const { sapSystems } = await hub.query('{ sapSystems { id type client baseUrl reachable circuit poolSize poolInUse lastError isDefault } }');
    const s4h = sapSystems.find((system: any) => system.id === 'S4H');
    assert.deepEqual(
      sapSystems.map((system: any) => [system.id, system.type, system.client, system.isDefault]),
      [
        ['S4H', 'S4HANA', '100', true],
        ['ERP', 'ERP', '200', false],
        ['BRK', 'S4HANA', '300', false],
      ],
    );
    assert.equal(s4h.reachable, true);
    assert.equal(s4h.circuit, 'CLOSED');
    assert.equal(s4h.poolSize, 10);
    assert.equal(s4h.poolInUse, 0);
    assert.doesNotMatch(s4h.baseUrl, /sap-test-password|HUB@/);
  });

  it('names an unknown system as bad input on `system`', async () => {
    const { body } = await hub.request('{ businessPartner(system: "NOPE", id: "1") { id } }');
    assert.equal(body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.equal(body.errors?.[0]?.extensions?.fields?.[0]?.field, 'system');
  });

  it('needs sap:read to read SAP and admin to call function modules', async () => {
    const reader = await asRole('api_user');
    const denied = await hub.request('{ businessPartner(id: "10000001") { id } }', {}, reader);
    assert.equal(denied.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const integration = await asRole('sap_integration');
    const call = await hub.request('mutation { callSapFunction(name: "BAPI_CUSTOMER_GETDETAIL2", importing: { CUSTOMERNO: "0010000001" }) { exporting } }', {}, integration);
    assert.equal(call.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
  });
});

describe('OData reads', () => {
  it('reads a business partner by an unpadded number, with its customer role, from the default system', async () => {
    const { businessPartner } = await hub.query('{ businessPartner(id: "10000003") { system id category fullName isBlocked createdAt etag customer { id name postingIsBlocked } supplier { id } } }');
    assert.equal(businessPartner.system, 'S4H');
    assert.equal(businessPartner.id, '0010000003');
    assert.equal(businessPartner.category, 'PERSON');
    assert.ok(businessPartner.fullName);
    assert.match(businessPartner.createdAt, /^\d{4}-\d{2}-\d{2}T/);
    assert.ok(businessPartner.etag);
    assert.equal(businessPartner.customer.id, '0010000003');
    assert.equal(businessPartner.supplier, null);
  });

  it('pages through business partners with SAP\'s total count', async () => {
    const page = 'query ($after: String) { businessPartners(first: 30, after: $after, category: ORGANIZATION) { totalCount pageInfo { hasNextPage endCursor } edges { node { id category } } } }';
    const first = (await hub.query(page)).businessPartners;
    assert.equal(first.edges.length, 30);
    assert.ok(first.totalCount > 100);
    assert.ok(first.edges.every((edge: any) => edge.node.category === 'ORGANIZATION'));
    const second = (await hub.query(page, { after: first.pageInfo.endCursor })).businessPartners;
    assert.equal(second.edges.length, 30);
    assert.equal(new Set([...first.edges, ...second.edges].map((edge: any) => edge.node.id)).size, 60);
    const bad = await hub.request('{ businessPartners(after: "garbage") { totalCount } }');
    assert.equal(bad.body.errors?.[0]?.extensions?.fields?.[0]?.field, 'after');
  });

  it('reads products with exact decimals and sales orders with their items', async () => {
    const { product } = await hub.query('{ product(id: "MAT-0001") { id type baseUnit grossWeight weightUnit isMarkedForDeletion } }');
    assert.equal(product.id, 'MAT-0001');
    assert.match(product.grossWeight, /^\d+(\.\d+)?$/);
    const { salesOrders } = await hub.query('{ salesOrders(first: 5) { totalCount edges { node { id soldToParty totalNetAmount currency processingStatus items { position material quantity netAmount } } } } }');
    assert.equal(salesOrders.edges.length, 5);
    assert.ok(salesOrders.totalCount >= 300);
    const [order] = salesOrders.edges.map((edge: any) => edge.node);
    assert.ok(order.items.length >= 1);
    assert.match(order.totalNetAmount, /^\d+(\.\d+)?$/);
  });

  it('answers the same question from another system by its id', async () => {
    const { businessPartner } = await hub.query('{ businessPartner(system: "ERP", id: "0010000002") { system id } }');
    assert.deepEqual(businessPartner, { system: 'ERP', id: '0010000002' });
  });
});

describe('federated queries', () => {
  it('answers 50 hub customers with their business partners in one OData request', async () => {
    const batch = `fed-${unique()}`;
    for (let n = 1; n <= 50; n++) await createCustomer(String(10_000_100 + n), batch);
    simulator.resetCounts();
    const data = await hub.query('query ($search: String) { customers(first: 50, filter: { search: $search }) { edges { node { id externalId sapBusinessPartner { id fullName } } } } }', { search: batch });
    const customers = data.customers.edges.map((edge: any) => edge.node);
    const linked = customers.filter((customer: any) => customer.externalId);
    assert.equal(linked.length, 50);
    for (const customer of linked) assert.equal(customer.sapBusinessPartner?.id, customer.externalId.padStart(10, '0'));
    assert.equal(simulator.counts('S4H').odata, 1, 'one OData request for the page of business partners');
  });

  it('keeps the rest of the answer when SAP is down, with SAP_UNAVAILABLE on its fields', async () => {
    const customerId = await createCustomer('10000003');
    simulator.setFault('ERP', { failStatus: 503 });
    const response = await hub.request('query ($id: ID!) { customer(id: $id) { id name sapBusinessPartner(system: "ERP") { id } } }', { id: customerId });
    assert.equal(response.body.data.customer.id, customerId);
    assert.ok(response.body.data.customer.name);
    assert.equal(response.body.data.customer.sapBusinessPartner, null);
    assert.equal(response.body.errors?.[0]?.extensions?.code, 'SAP_UNAVAILABLE');
    assert.equal(response.body.errors?.[0]?.extensions?.system, 'ERP');
  });
});

describe('faults', () => {
  it('opens the circuit after repeated failures and then answers without asking SAP', async () => {
    simulator.setFault('BRK', { resetConnections: true });
    for (let attempt = 0; attempt < 3; attempt++) {
      const { body } = await hub.request('{ businessPartner(system: "BRK", id: "10000004") { id } }');
      assert.equal(body.errors?.[0]?.extensions?.code, 'SAP_UNAVAILABLE');
    }
    const { sapSystems } = await hub.query('{ sapSystems { id circuit reachable lastError } }');
    const broken = sapSystems.find((system: any) => system.id === 'BRK');
    assert.equal(broken.circuit, 'OPEN');
    assert.ok(broken.lastError);
    simulator.clearFaults();
    simulator.resetCounts();
    const { body } = await hub.request('{ businessPartner(system: "BRK", id: "10000004") { id } }');
    assert.equal(body.errors?.[0]?.extensions?.code, 'SAP_UNAVAILABLE');
    assert.equal(simulator.counts('BRK').odata ?? 0, 0, 'an open circuit sends nothing');
  });

  it('gives up on a system slower than its timeout', async () => {
    simulator.setFault('ERP', { latencyMs: 1_000 });
    const { body } = await hub.request('{ product(system: "ERP", id: "MAT-0002") { id } }');
    assert.equal(body.errors?.[0]?.extensions?.code, 'SAP_UNAVAILABLE');
  });
});

describe('OData writes', () => {
  it('changes a business partner with its ETag, and refuses a stale ETag with SAP_CONFLICT', async () => {
    const read = await hub.query('{ businessPartner(system: "ERP", id: "10000010") { etag searchTerm } }');
    const etag = read.businessPartner.etag;
    const term = `T${counter++}`;
    const changed = await hub.query('mutation ($etag: String) { updateBusinessPartner(system: "ERP", id: "10000010", input: { searchTerm: "' + term + '" }, etag: $etag) { searchTerm etag } }', { etag });
    assert.equal(changed.updateBusinessPartner.searchTerm, term);
    assert.notEqual(changed.updateBusinessPartner.etag, etag);
    const stale = await hub.request('mutation ($etag: String) { updateBusinessPartner(system: "ERP", id: "10000010", input: { searchTerm: "X" }, etag: $etag) { searchTerm } }', { etag });
    assert.equal(stale.body.errors?.[0]?.extensions?.code, 'SAP_CONFLICT');
  });

  it('fetches a new CSRF token once when SAP says the old one expired', async () => {
    await hub.query('mutation { updateBusinessPartner(system: "ERP", id: "10000011", input: { searchTerm: "FIRST" }) { id } }');
    simulator.setFault('ERP', { expireCsrfTokens: true });
    const { updateBusinessPartner } = await hub.query('mutation { updateBusinessPartner(system: "ERP", id: "10000011", input: { searchTerm: "SECOND" }) { searchTerm } }');
    assert.equal(updateBusinessPartner.searchTerm, 'SECOND');
  });

  it('says which input is wrong', async () => {
    const { body } = await hub.request('mutation { updateBusinessPartner(id: "10000010", input: {}) { id } }');
    assert.equal(body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.equal(body.errors?.[0]?.extensions?.fields?.[0]?.field, 'input');
  });
});

describe('BAPI and RFC', () => {
  it('calls a BAPI and returns its exporting parameters', async () => {
    const { callSapFunction } = await hub.query('mutation { callSapFunction(name: "BAPI_CUSTOMER_GETDETAIL2", importing: { CUSTOMERNO: "0010000001" }) { exporting tables warnings { type message } } }');
    assert.ok(callSapFunction.exporting.CUSTOMERADDRESS);
  });

  it('turns a RETURN message of type E into SAP_ERROR with every message', async () => {
    const { body } = await hub.request('mutation { callSapFunction(name: "BAPI_CUSTOMER_GETDETAIL2", importing: { CUSTOMERNO: "0099999999" }) { exporting } }');
    assert.equal(body.errors?.[0]?.extensions?.code, 'SAP_ERROR');
    assert.ok(JSON.stringify(body.errors?.[0]?.extensions).includes('E'));
  });

  it('refuses importing that is not an object, naming the argument', async () => {
    const { body } = await hub.request('mutation { callSapFunction(name: "RFC_READ_TABLE", importing: [1, 2]) { exporting } }');
    assert.equal(body.errors?.[0]?.extensions?.fields?.[0]?.field, 'importing');
  });
});

describe('IDocs out', () => {
  it('sends an order as ORDERS05, follows it to posted, and links the sales order', async () => {
    const customerId = await createCustomer('10000021');
    const order = await placeOrder(customerId, ['MAT-0001', 'MAT-0002']);
    const { sendOrderToSap } = await hub.query('mutation ($id: ID!) { sendOrderToSap(orderId: $id) { id docnum status statusCode orderNumber system } }', { id: order.id });
    assert.equal(sendOrderToSap.status, 'SENT');
    assert.equal(sendOrderToSap.statusCode, '03');
    assert.equal(sendOrderToSap.orderNumber, order.number);
    assert.match(sendOrderToSap.docnum, /^\d{16}$/);
    const posted = await eventually(
      () => hub.query('query ($id: ID!) { sapIdocs(orderId: $id) { status statusCode } }', { id: order.id }),
      (data) => data.sapIdocs[0].status !== 'SENT',
      'the IDoc to be posted',
    );
    assert.deepEqual(posted.sapIdocs[0], { status: 'POSTED', statusCode: '53' });
    assert.deepEqual(await eventTypes(sendOrderToSap.id), ['sap.idoc_sent', 'sap.idoc_posted']);
    const { order: linked } = await hub.query('query ($id: ID!) { order(id: $id) { number sapStatus sapSalesOrder { purchaseOrderByCustomer soldToParty items { material } } } }', { id: order.id });
    assert.equal(linked.sapStatus, 'OPEN');
    assert.equal(linked.sapSalesOrder.purchaseOrderByCustomer, order.number);
    assert.equal(linked.sapSalesOrder.soldToParty, '0010000021');
    assert.deepEqual(linked.sapSalesOrder.items.map((item: any) => item.material).sort(), ['MAT-0001', 'MAT-0002']);
  });

  it('records an IDoc SAP could not post as FAILED, with its event', async () => {
    const customerId = await createCustomer('10000022');
    const order = await placeOrder(customerId, ['NO-SUCH-MATERIAL']);
    const { sendOrderToSap } = await hub.query('mutation ($id: ID!) { sendOrderToSap(orderId: $id) { id } }', { id: order.id });
    const failed = await eventually(
      () => hub.query('query ($id: ID!) { order(id: $id) { sapStatus } sapIdocs(orderId: $id) { status statusText } }', { id: order.id }),
      (data) => data.sapIdocs[0].status !== 'SENT',
      'the IDoc to fail',
    );
    assert.equal(failed.sapIdocs[0].status, 'FAILED');
    assert.ok(failed.sapIdocs[0].statusText);
    assert.equal(failed.order.sapStatus, 'FAILED');
    assert.deepEqual(await eventTypes(sendOrderToSap.id), ['sap.idoc_sent', 'sap.idoc_failed']);
  });

  it('refuses an order whose customer has no SAP number, and one that does not exist', async () => {
    const order = await placeOrder(await createCustomer(null), ['MAT-0001']);
    const missing = await hub.request('mutation ($id: ID!) { sendOrderToSap(orderId: $id) { id } }', { id: order.id });
    assert.equal(missing.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.equal(missing.body.errors?.[0]?.extensions?.fields?.[0]?.field, 'orderId');
    const unknown = await hub.request('mutation { sendOrderToSap(orderId: "00000000-0000-4000-8000-000000000000") { id } }');
    assert.equal(unknown.body.errors?.[0]?.extensions?.code, 'NOT_FOUND');
  });

  it('shows NOT_SENT for an order never sent', async () => {
    const order = await placeOrder(await createCustomer('10000002'), ['MAT-0003']);
    const { order: read } = await hub.query('query ($id: ID!) { order(id: $id) { sapStatus sapSalesOrder { id } } }', { id: order.id });
    assert.deepEqual(read, { sapStatus: 'NOT_SENT', sapSalesOrder: null });
  });
});

describe('IDocs in', () => {
  it('turns a DEBMAS into a customer_updated message that the processor applies', async () => {
    const number = String(20_000_000 + (Date.now() % 1_000_000));
    const email = `debmas-${unique()}@example.com`;
    const response = await postIdoc(debmas(`00000000${number}`, { number, name: 'Walldorf Motors GmbH', email }));
    assert.equal(response.status, 202);
    const accepted = (await response.json()) as { id: string; messageType: string };
    assert.equal(accepted.messageType, 'DEBMAS');
    const customer = await eventually(
      () => hub.query('query ($search: String) { customers(first: 5, filter: { search: $search }) { edges { node { externalId name email } } } }', { search: email }),
      (data) => data.customers.edges.length > 0,
      'the DEBMAS customer to be upserted',
    );
    assert.deepEqual(customer.customers.edges[0].node, { externalId: number, name: 'Walldorf Motors GmbH', email });
    const { inboundIdocs } = await hub.query('{ inboundIdocs(first: 5) { edges { node { id messageType status raw } } } }');
    const row = inboundIdocs.edges.find((edge: any) => edge.node.id === accepted.id).node;
    assert.equal(row.status, 'PROCESSED');
    assert.match(row.raw, /DEBMAS07/);
  });

  it('refuses bad XML and an unknown IDoc type with IDOC_INVALID, keeping the document', async () => {
    for (const body of ['<DEBMAS07><IDOC>', '<?xml version="1.0"?><INVOIC02><IDOC BEGIN="1"><EDI_DC40 SEGMENT="1"><DOCNUM>1</DOCNUM><MESTYP>INVOIC</MESTYP><IDOCTYP>INVOIC02</IDOCTYP></EDI_DC40></IDOC></INVOIC02>']) {
      const response = await postIdoc(body);
      assert.equal(response.status, 400);
      const refused = (await response.json()) as { error: { code: string; message: string; id: string } };
      assert.equal(refused.error.code, 'IDOC_INVALID');
      const { rows } = await db.query('select status, raw, error from sap.inbound_idocs where id = $1', [refused.error.id]);
      assert.equal(rows[0].status, 'REJECTED');
      assert.equal(rows[0].raw, body);
      assert.ok(rows[0].error);
    }
  });

  it('refuses a DEBMAS without an e-mail address, which no hub customer can lack', async () => {
    const response = await postIdoc(debmas('0000000000000777', { number: '30000001', name: 'No Mail AG' }));
    assert.equal(response.status, 400);
  });

  it('asks for the inbound password', async () => {
    const response = await postIdoc(debmas('0000000000000778', { number: '30000002', name: 'X', email: 'x@example.com' }), 'wrong');
    assert.equal(response.status, 401);
  });
});
