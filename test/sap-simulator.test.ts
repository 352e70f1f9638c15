import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { startSapSimulator, type RunningSapSimulator } from '../simulators/sap/index.js';

const BASIC = `Basic ${Buffer.from('INTERCHANGE:simulator').toString('base64')}`;
const BP = 'sap/opu/odata/sap/API_BUSINESS_PARTNER';
const SO = 'sap/opu/odata/sap/API_SALES_ORDER_SRV';
const xml = new XMLParser({ removeNSPrefix: true, ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, isArray: (name) => name === 'item' });

let sim: RunningSapSimulator;
let base: string;

before(async () => {
  sim = await startSapSimulator({ idocProcessingDelayMs: 10, systems: [{ id: 'S4H', client: '100' }, { id: 'QAS', client: '200' }] });
  base = sim.systemUrl('S4H');
});
after(async () => {
  await sim?.stop();
});
beforeEach(() => sim.clearFaults());

/** `path` is below the system URL; sap-client=100 is added. */
function url(path: string, client = '100'): string {
  return `${base}/${path}${path.includes('?') ? '&' : '?'}sap-client=${client}`;
}

async function odata(path: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; body: any }> {
  const response = await fetch(url(path), { ...init, headers: { authorization: BASIC, accept: 'application/json', ...init.headers } });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: response.headers.get('content-type')?.includes('json') && text ? JSON.parse(text) : text };
}

/** A CSRF token with its session cookies, as a client fetches it before writing. */
async function csrfSession(): Promise<{ token: string; cookie: string }> {
  const response = await fetch(url(`${BP}/`), { method: 'HEAD', headers: { authorization: BASIC, 'x-csrf-token': 'Fetch' } });
  const cookie = response.headers.getSetCookie().map((entry) => entry.split(';')[0]).join('; ');
  return { token: response.headers.get('x-csrf-token')!, cookie };
}

function envelope(fn: string, inner: string): string {
  return `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:sap-com:document:sap:rfc:functions"><soapenv:Header/><soapenv:Body><urn:${fn}>${inner}</urn:${fn}></soapenv:Body></soapenv:Envelope>`;
}

async function rfc(fn: string, inner: string, options: { query?: string; cookie?: string } = {}): Promise<{ status: number; headers: Headers; result: any; fault: any }> {
  const response = await fetch(url(`sap/bc/soap/rfc${options.query ? `?${options.query}` : ''}`), {
    method: 'POST',
    headers: { authorization: BASIC, 'content-type': 'text/xml; charset=utf-8', ...(options.cookie ? { cookie: options.cookie } : {}) },
    body: envelope(fn, inner),
  });
  const parsed = xml.parse(await response.text());
  const body = parsed.Envelope?.Body ?? {};
  return { status: response.status, headers: response.headers, result: body[`${fn}.Response`], fault: body.Fault };
}

async function readTable(table: string, options: { fields?: string[]; where?: string[]; delimiter?: string; skip?: number; count?: number } = {}) {
  const inner =
    `<QUERY_TABLE>${table}</QUERY_TABLE>` +
    (options.delimiter ? `<DELIMITER>${options.delimiter}</DELIMITER>` : '') +
    (options.skip ? `<ROWSKIPS>${options.skip}</ROWSKIPS>` : '') +
    (options.count ? `<ROWCOUNT>${options.count}</ROWCOUNT>` : '') +
    `<OPTIONS>${(options.where ?? []).map((line) => `<item><TEXT>${line}</TEXT></item>`).join('')}</OPTIONS>` +
    `<FIELDS>${(options.fields ?? []).map((name) => `<item><FIELDNAME>${name}</FIELDNAME></item>`).join('')}</FIELDS><DATA/>`;
  return rfc('RFC_READ_TABLE', inner);
}

/** Rows of an RFC_READ_TABLE result cut by FIELDS OFFSET/LENGTH (no delimiter). */
function cut(result: any): Record<string, string>[] {
  const fields = result.FIELDS.item as { FIELDNAME: string; OFFSET: string; LENGTH: string }[];
  return (result.DATA?.item ?? []).map((row: { WA: string }) =>
    Object.fromEntries(fields.map((field) => [field.FIELDNAME, row.WA.slice(Number(field.OFFSET), Number(field.OFFSET) + Number(field.LENGTH)).trim()])),
  );
}

async function postIdoc(body: string, contentType = 'application/xml') {
  const response = await fetch(url('sap/bc/idoc_xml'), { method: 'POST', headers: { authorization: BASIC, 'content-type': contentType }, body });
  return { status: response.status, text: await response.text() };
}

function ordersIdoc(partner: string, reference: string, materials: string[]): string {
  const items = materials
    .map((material, index) => `<E1EDP01 SEGMENT="1"><POSEX>${(index + 1) * 10}</POSEX><MENGE>3</MENGE><MENEE>PCE</MENEE><E1EDP19 SEGMENT="1"><QUALF>002</QUALF><IDTNR>${material}</IDTNR></E1EDP19></E1EDP01>`)
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?><ORDERS05><IDOC BEGIN="1"><EDI_DC40 SEGMENT="1"><TABNAM>EDI_DC40</TABNAM><DIRECT>2</DIRECT><IDOCTYP>ORDERS05</IDOCTYP>' +
    '<MESTYP>ORDERS</MESTYP><SNDPOR>INTERCHNG</SNDPOR><SNDPRT>LS</SNDPRT><SNDPRN>INTERCHANGE</SNDPRN></EDI_DC40>' +
    `<E1EDK01 SEGMENT="1"><CURCY>EUR</CURCY><BELNR>${reference}</BELNR></E1EDK01>` +
    `<E1EDKA1 SEGMENT="1"><PARVW>AG</PARVW><PARTN>${partner}</PARTN></E1EDKA1>${items}</IDOC></ORDERS05>`
  );
}

async function idocStatus(docnum: string, wanted: (status: string) => boolean): Promise<{ STATUS: string; STATXT: string }> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const { result } = await readTable('EDIDC', { fields: ['DOCNUM', 'STATUS'], where: [`DOCNUM = '${docnum}'`] });
    const status = cut(result)[0]?.STATUS ?? '';
    if (wanted(status)) {
      const statuses = cut((await readTable('EDIDS', { fields: ['STATUS', 'STATXT'], where: [`DOCNUM = '${docnum}'`] })).result);
      return statuses.at(-1) as { STATUS: string; STATXT: string };
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`IDoc ${docnum} did not reach the wanted status`);
}

describe('the SAP simulator over OData v2', () => {
  it('serves $metadata as EDMX with keys, typed properties, navigation and entity sets', async () => {
    const response = await fetch(url(`${BP}/$metadata`), { headers: { authorization: BASIC } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type')!, /application\/xml/);
    const edmx = xml.parse(await response.text());
    const schema = edmx.Edmx.DataServices.Schema;
    assert.equal(edmx.Edmx.DataServices['@m:DataServiceVersion'] ?? edmx.Edmx.DataServices['@DataServiceVersion'], '2.0');
    const partner = schema.EntityType.find((type: any) => type['@Name'] === 'A_BusinessPartnerType');
    assert.equal(partner.Key.PropertyRef['@Name'], 'BusinessPartner');
    assert.ok(partner.NavigationProperty.some((nav: any) => nav['@Name'] === 'to_Customer'));
    const sets = schema.EntityContainer.EntitySet.map((set: any) => set['@Name']);
    assert.deepEqual(sets, ['A_BusinessPartner', 'A_BusinessPartnerAddress', 'A_Customer', 'A_Supplier']);
    const orders = await (await fetch(url(`${SO}/$metadata`), { headers: { authorization: BASIC } })).text();
    assert.match(orders, /<Property Name="TotalNetAmount" Type="Edm.Decimal" Precision="16" Scale="3"/);
    assert.match(orders, /<Property Name="LastChangeDateTime" Type="Edm.DateTimeOffset" Precision="7" ConcurrencyMode="Fixed"/);
  });

  it('pages a collection with __next and $skiptoken, and counts it with $inlinecount=allpages', async () => {
    const first = await odata(`${BP}/A_BusinessPartner?$inlinecount=allpages&$select=BusinessPartner`);
    assert.equal(first.status, 200);
    assert.equal(first.body.d.__count, '200');
    assert.equal(first.body.d.results.length, 100);
    assert.equal(first.body.d.results[0].BusinessPartner, '0010000001');
    assert.match(first.body.d.__next, /\$skiptoken=100/);
    assert.match(first.body.d.__next, /sap-client=100/);
    const second = await fetch(first.body.d.__next, { headers: { authorization: BASIC } }).then((response) => response.json() as Promise<any>);
    assert.equal(second.d.results.length, 100);
    assert.equal(second.d.results[0].BusinessPartner, '0010000101');
    assert.equal(second.d.__next, undefined);
  });

  it('keeps $top and $skip inside server-driven paging, and answers $count', async () => {
    const page = await odata(`${SO}/A_SalesOrder?$top=150&$skip=10&$select=SalesOrder`);
    assert.equal(page.body.d.results.length, 100);
    assert.equal(page.body.d.results[0].SalesOrder, '5000000011');
    const rest = await fetch(page.body.d.__next, { headers: { authorization: BASIC } }).then((response) => response.json() as Promise<any>);
    assert.equal(rest.d.results.length, 50);
    assert.equal(rest.d.results.at(-1).SalesOrder, '5000000160');
    const count = await odata(`${BP}/A_Customer/$count`);
    assert.equal(count.body, '123');
  });

  it('filters by an or-list of keys, with or without leading zeros', async () => {
    const { body } = await odata(`${BP}/A_BusinessPartner?$filter=${encodeURIComponent("BusinessPartner eq '0010000001' or BusinessPartner eq '10000002' or (BusinessPartner eq '0010000003')")}`);
    assert.deepEqual(body.d.results.map((row: any) => row.BusinessPartner), ['0010000001', '0010000002', '0010000003']);
  });

  it('filters with functions, not, datetime literals and orders by several properties', async () => {
    const filter = "startswith(SearchTerm1,'ALP') and not (BusinessPartnerCategory eq '1') and CreationDate ge datetime'2019-01-01T00:00:00'";
    const { body } = await odata(`${BP}/A_BusinessPartner?$filter=${encodeURIComponent(filter)}&$orderby=${encodeURIComponent('Industry asc,BusinessPartner desc')}`);
    assert.ok(body.d.results.length > 0);
    for (const row of body.d.results) {
      assert.ok(row.SearchTerm1.startsWith('ALP'));
      assert.equal(row.BusinessPartnerCategory, '2');
    }
    const industries = body.d.results.map((row: any) => row.Industry);
    assert.deepEqual(industries, [...industries].sort());
    const recent = await odata(`${SO}/A_SalesOrder?$filter=${encodeURIComponent("LastChangeDateTime gt datetimeoffset'2024-06-01T00:00:00Z' and substringof('PO-2024', PurchaseOrderByCustomer)")}&$inlinecount=allpages&$top=1`);
    assert.ok(Number(recent.body.d.__count) > 0);
    assert.match(recent.body.d.results[0].LastChangeDateTime, /^\/Date\(\d+\+0000\)\/$/);
  });

  it('answers a bad filter with 400 and SAP\'s error body', async () => {
    for (const filter of ["BusinessPartner eq 'x", 'NoSuchField eq 1', "CreationDate ge '2023-01-01'"]) {
      const { status, body } = await odata(`${BP}/A_BusinessPartner?$filter=${encodeURIComponent(filter)}`);
      assert.equal(status, 400, filter);
      assert.equal(body.error.message.lang, 'en');
      assert.ok(body.error.code.includes('/'));
      assert.equal(body.error.innererror.errordetails[0].severity, 'error');
    }
  });

  it('reads one entity with its ETag, and answers 404 for an unknown key', async () => {
    const { status, headers, body } = await odata(`${BP}/A_BusinessPartner('0010000003')`);
    assert.equal(status, 200);
    assert.equal(body.d.__metadata.etag, headers.get('etag'));
    assert.equal(body.d.BusinessPartnerCategory, '1');
    assert.deepEqual(Object.keys(body.d.to_Customer), ['__deferred']);
    assert.match(body.d.CreationDate, /^\/Date\(\d+\)\/$/);
    const missing = await odata(`${BP}/A_BusinessPartner('0010999999')`);
    assert.equal(missing.status, 404);
    assert.match(missing.body.error.message.value, /Resource not found/);
  });

  it('expands to-one and to-many navigation and follows navigation segments', async () => {
    const partner = await odata(`${BP}/A_BusinessPartner('0010000001')?$expand=to_Customer,to_BusinessPartnerAddress`);
    assert.equal(partner.body.d.to_Customer.Customer, '0010000001');
    assert.equal(partner.body.d.to_BusinessPartnerAddress.results.length, 1);
    const supplierless = await odata(`${BP}/A_BusinessPartner('0010000001')?$expand=to_Supplier`);
    assert.equal(supplierless.body.d.to_Supplier, null);
    const order = await odata(`${SO}/A_SalesOrder('5000000001')?$expand=to_Item&$select=SalesOrder,TotalNetAmount,to_Item/Material,to_Item/NetAmount`);
    const items = order.body.d.to_Item.results;
    assert.ok(items.length >= 1);
    assert.deepEqual(Object.keys(items[0]).sort(), ['Material', 'NetAmount', '__metadata']);
    const total = items.reduce((sum: number, item: any) => sum + Number(item.NetAmount), 0);
    assert.equal(order.body.d.TotalNetAmount, total.toFixed(2));
    const viaNavigation = await odata(`${SO}/A_SalesOrder('5000000001')/to_Item`);
    assert.equal(viaNavigation.body.d.results.length, items.length);
  });

  it('answers GET parts of a $batch in a multipart answer', async () => {
    const { token, cookie } = await csrfSession();
    const body = [
      '--batch_1', 'Content-Type: application/http', 'Content-Transfer-Encoding: binary', '', "GET A_BusinessPartner('0010000001')?$select=BusinessPartner HTTP/1.1", 'Accept: application/json', '', '',
      '--batch_1', 'Content-Type: application/http', 'Content-Transfer-Encoding: binary', '', "GET A_Customer('0010999999') HTTP/1.1", '', '',
      '--batch_1--', '',
    ].join('\r\n');
    const response = await fetch(url(`${BP}/$batch`), { method: 'POST', headers: { authorization: BASIC, 'x-csrf-token': token, cookie, 'content-type': 'multipart/mixed; boundary=batch_1' }, body });
    assert.equal(response.status, 202);
    const text = await response.text();
    assert.match(text, /HTTP\/1.1 200 OK[\s\S]*"BusinessPartner":"0010000001"[\s\S]*HTTP\/1.1 404 Not Found/);
  });
});

describe('the SAP simulator on writes', () => {
  it('refuses a write without a CSRF token, then accepts it with a fetched one', async () => {
    const input = { BusinessPartnerCategory: '2', OrganizationBPName1: 'Interchange Test GmbH', to_Customer: { CustomerClassification: 'A' } };
    const refused = await odata(`${BP}/A_BusinessPartner`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get('x-csrf-token'), 'Required');
    assert.equal(refused.body, 'CSRF token validation failed');

    const { token, cookie } = await csrfSession();
    assert.match(cookie, /SAP_SESSIONID_S4H_100=/);
    assert.match(cookie, /sap-usercontext=/);
    const created = await odata(`${BP}/A_BusinessPartner`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': token, cookie }, body: JSON.stringify(input) });
    assert.equal(created.status, 201);
    assert.equal(created.body.d.BusinessPartner, '0010000201');
    assert.equal(created.body.d.to_Customer.CustomerName, 'Interchange Test GmbH');
    assert.equal(created.headers.get('location'), created.body.d.__metadata.uri);
    const { result } = await readTable('KNA1', { fields: ['KUNNR', 'NAME1'], where: ["KUNNR = '0010000201'"] });
    assert.deepEqual(cut(result), [{ KUNNR: '0010000201', NAME1: 'Interchange Test GmbH' }]);
  });

  it('makes every issued CSRF token invalid under the expireCsrfTokens fault until one is fetched again', async () => {
    const { token, cookie } = await csrfSession();
    const { headers } = await odata(`${BP}/A_Customer('0010000002')`);
    const patch = (csrf: string, etag: string) =>
      odata(`${BP}/A_Customer('0010000002')`, { method: 'PATCH', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf, cookie, 'if-match': etag }, body: JSON.stringify({ CustomerClassification: 'B' }) });
    sim.setFault('S4H', { expireCsrfTokens: true });
    const refused = await patch(token, headers.get('etag')!);
    assert.equal(refused.status, 403);
    const again = await fetch(url(`${BP}/`), { headers: { authorization: BASIC, 'x-csrf-token': 'fetch', cookie } });
    const fresh = again.headers.get('x-csrf-token')!;
    assert.notEqual(fresh, token);
    assert.equal((await patch(fresh, headers.get('etag')!)).status, 204);
  });

  it('needs If-Match on updates: 428 without, 412 when stale, a new ETag after each change', async () => {
    const { token, cookie } = await csrfSession();
    const read = await odata(`${BP}/A_BusinessPartner('0010000004')`);
    const etag = read.headers.get('etag')!;
    const change = (ifMatch: string | undefined, method = 'PATCH', extra: Record<string, string> = {}) =>
      odata(`${BP}/A_BusinessPartner('0010000004')`, {
        method,
        headers: { 'content-type': 'application/json', 'x-csrf-token': token, cookie, ...(ifMatch ? { 'if-match': ifMatch } : {}), ...extra },
        body: JSON.stringify({ OrganizationBPName1: 'Renamed Partner AG' }),
      });
    assert.equal((await change(undefined)).status, 428);
    const done = await change(etag);
    assert.equal(done.status, 204);
    assert.notEqual(done.headers.get('etag'), etag);
    const stale = await change(etag, 'POST', { 'x-http-method': 'MERGE' });
    assert.equal(stale.status, 412);
    assert.match(stale.body.error.message.value, /ETag/);
    const after = await odata(`${BP}/A_BusinessPartner('0010000004')?$expand=to_Customer`);
    assert.equal(after.body.d.BusinessPartnerFullName, 'Renamed Partner AG');
    assert.equal(after.body.d.to_Customer.CustomerName, 'Renamed Partner AG');
  });

  it('creates a sales order with items and refuses one for an unknown material', async () => {
    const { token, cookie } = await csrfSession();
    const order = (material: string) =>
      odata(`${SO}/A_SalesOrder`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': token, cookie },
        body: JSON.stringify({
          SalesOrderType: 'OR', SalesOrganization: '1010', DistributionChannel: '10', OrganizationDivision: '00', SoldToParty: '10000001',
          PurchaseOrderByCustomer: 'PO-ODATA-1', to_Item: [{ Material: material, RequestedQuantity: '2' }],
        }),
      });
    const created = await order('MAT-0001');
    assert.equal(created.status, 201);
    assert.equal(created.body.d.SoldToParty, '0010000001');
    assert.equal(created.body.d.to_Item.results[0].RequestedQuantity, '2');
    const refused = await order('MAT-9999');
    assert.equal(refused.status, 400);
    assert.match(refused.body.error.message.value, /Material MAT-9999 does not exist/);
  });
});

describe('the SAP simulator over SOAP-RFC', () => {
  it('answers BAPI_CUSTOMER_GETDETAIL2 with blank, W and E RETURN messages', async () => {
    const ok = await rfc('BAPI_CUSTOMER_GETDETAIL2', '<CUSTOMERNO>0010000001</CUSTOMERNO><COMPANYCODE>1010</COMPANYCODE>');
    assert.equal(ok.status, 200);
    assert.equal(ok.result.CUSTOMERADDRESS.CUSTOMER, '0010000001');
    assert.equal(ok.result.CUSTOMERCOMPANYDETAIL.COMP_CODE, '1010');
    assert.equal(ok.result.RETURN.TYPE, '');
    const warned = await rfc('BAPI_CUSTOMER_GETDETAIL2', '<CUSTOMERNO>10000007</CUSTOMERNO>');
    assert.equal(warned.result.RETURN.TYPE, 'W');
    const unknown = await rfc('BAPI_CUSTOMER_GETDETAIL2', '<CUSTOMERNO>0010999999</CUSTOMERNO>');
    assert.equal(unknown.result.RETURN.TYPE, 'E');
    assert.match(unknown.result.RETURN.MESSAGE, /does not exist/);
  });

  it('answers the vendor and material BAPIs with numbers matching OData', async () => {
    const vendor = await rfc('BAPI_VENDOR_GETDETAIL', '<VENDORNO>0010000005</VENDORNO>');
    assert.equal(vendor.result.GENERALDETAIL.VENDOR, '0010000005');
    const material = await rfc('BAPI_MATERIAL_GET_DETAIL', '<MATERIAL>MAT-0001</MATERIAL><VALUATIONAREA>1010</VALUATIONAREA>');
    const product = await odata("sap/opu/odata/sap/API_PRODUCT_SRV/A_Product('MAT-0001')?$expand=to_Description");
    assert.equal(material.result.MATERIAL_GENERAL_DATA.MATL_TYPE, product.body.d.ProductType);
    assert.equal(material.result.MATERIAL_GENERAL_DATA.MATL_DESC, product.body.d.to_Description.results.find((row: any) => row.Language === 'EN').ProductDescription);
    assert.match(material.result.MATERIALVALUATIONDATA.STD_PRICE, /^\d+\.\d\d$/);
    const deleted = await rfc('BAPI_MATERIAL_GET_DETAIL', '<MATERIAL>MAT-0017</MATERIAL>');
    assert.equal(deleted.result.RETURN.TYPE, 'W');
  });

  it('lays out RFC_READ_TABLE rows at the FIELDS offsets, with and without a delimiter', async () => {
    const plain = await readTable('KNA1', { fields: ['KUNNR', 'LAND1', 'NAME1'], skip: 2, count: 3 });
    assert.deepEqual(plain.result.FIELDS.item.map((field: any) => [field.FIELDNAME, field.OFFSET, field.LENGTH, field.TYPE]), [
      ['KUNNR', '000000', '000010', 'C'],
      ['LAND1', '000010', '000003', 'C'],
      ['NAME1', '000013', '000035', 'C'],
    ]);
    const rows = cut(plain.result);
    assert.equal(rows.length, 3);
    assert.equal(rows[0]!.KUNNR, '0010000003');
    const delimited = await readTable('KNA1', { fields: ['KUNNR', 'LAND1', 'NAME1'], delimiter: '|', skip: 2, count: 3 });
    assert.deepEqual(delimited.result.FIELDS.item.map((field: any) => field.OFFSET), ['000000', '000011', '000015']);
    assert.deepEqual(delimited.result.DATA.item.map((row: any) => row.WA.split('|').map((part: string) => part.trim())), rows.map((row) => [row.KUNNR, row.LAND1, row.NAME1]));
  });

  it('applies OPTIONS split over lines with AND, OR, LIKE and IN', async () => {
    const { result } = await readTable('VBAK', { fields: ['VBELN', 'KUNNR', 'GBSTK', 'NETWR'], where: ["KUNNR IN ('0010000001', '0010000002') AND", "( GBSTK = 'A' OR GBSTK LIKE 'C%' )"] });
    const rows = cut(result);
    assert.ok(rows.length > 0);
    for (const row of rows) {
      assert.ok(['0010000001', '0010000002'].includes(row.KUNNR!));
      assert.ok(['A', 'C'].includes(row.GBSTK!));
      assert.match(row.NETWR!, /^\d+\.\d\d$/);
    }
    const odataOrders = await odata(`${SO}/A_SalesOrder?$filter=${encodeURIComponent("(SoldToParty eq '0010000001' or SoldToParty eq '0010000002') and (OverallSDProcessStatus eq 'A' or OverallSDProcessStatus eq 'C')")}&$inlinecount=allpages&$top=0`);
    assert.equal(Number(odataOrders.body.d.__count), rows.length);
  });

  it('raises TABLE_NOT_AVAILABLE, FIELD_NOT_VALID and OPTION_NOT_VALID as SOAP faults', async () => {
    const cases: [string, Parameters<typeof readTable>[1], string][] = [
      ['NOPE', {}, 'TABLE_NOT_AVAILABLE'],
      ['KNA1', { fields: ['NOFIELD'] }, 'FIELD_NOT_VALID'],
      ['KNA1', { where: ["KUNNR = '1"] }, 'OPTION_NOT_VALID'],
      ['KNA1', { where: ["NOFIELD = 'X'"] }, 'OPTION_NOT_VALID'],
    ];
    for (const [table, options, exception] of cases) {
      const { status, fault } = await readTable(table, options);
      assert.equal(status, 500);
      assert.equal(fault.faultstring, exception);
      assert.equal(fault.detail['RFC_READ_TABLE.Exception'].Name, exception);
    }
    const unknown = await rfc('Z_NO_SUCH_FUNCTION', '');
    assert.equal(unknown.fault.faultstring, 'FU_NOT_FOUND');
    const malformed = await fetch(url('sap/bc/soap/rfc'), { method: 'POST', headers: { authorization: BASIC, 'content-type': 'text/xml' }, body: '<soapenv:Envelope><broken>' });
    assert.equal(malformed.status, 500);
    assert.match(await malformed.text(), /<faultcode>SOAP-ENV:Client<\/faultcode>/);
  });

  it('commits a customer change in a stateful session and discards a rolled-back or stateless one', async () => {
    const change = (name: string) => `<CUSTOMERNO>0010000002</CUSTOMERNO><PI_COMPANYDATA><NAME>${name}</NAME><CITY>Leipzig</CITY></PI_COMPANYDATA><PI_COMPANYDATAX><NAME>X</NAME><CITY>X</CITY></PI_COMPANYDATAX>`;
    const name = async () => (await odata(`${BP}/A_Customer('0010000002')`)).body.d.CustomerName as string;
    const before = await name();

    const stateless = await rfc('BAPI_CUSTOMER_CHANGEFROMDATA1', change('Stateless Name'));
    assert.equal(stateless.result.RETURN.TYPE, 'S');
    assert.equal(await name(), before);

    const opened = await rfc('BAPI_CUSTOMER_CHANGEFROMDATA1', change('Rolled Back Name'), { query: 'sap-sessioncmd=open' });
    const cookie = opened.headers.getSetCookie()[0]!.split(';')[0]!;
    assert.match(cookie, /^sap-contextid=/);
    await rfc('BAPI_TRANSACTION_ROLLBACK', '', { cookie });
    await rfc('BAPI_TRANSACTION_COMMIT', '<WAIT>X</WAIT>', { cookie });
    assert.equal(await name(), before);

    const changed = await rfc('BAPI_CUSTOMER_CHANGEFROMDATA1', change('Committed Name'), { cookie });
    assert.equal(changed.result.PE_COMPANYDATA.NAME, 'Committed Name');
    assert.equal(await name(), before, 'not visible before the commit');
    const committed = await rfc('BAPI_TRANSACTION_COMMIT', '<WAIT>X</WAIT>', { cookie, query: 'sap-sessioncmd=close' });
    assert.equal(committed.result.RETURN.TYPE, '');
    assert.match(committed.headers.getSetCookie()[0]!, /expires=Thu, 01 Jan 1970/);
    assert.equal(await name(), 'Committed Name');
    const kna1 = cut((await readTable('KNA1', { fields: ['NAME1', 'ORT01'], where: ["KUNNR = '0010000002'"] })).result);
    assert.deepEqual(kna1, [{ NAME1: 'Committed Name', ORT01: 'Leipzig' }]);
    assert.deepEqual(sim.rfcTransactions('S4H').map((entry) => entry.outcome), ['discarded', 'rolled-back', 'committed']);

    const lost = await rfc('BAPI_TRANSACTION_COMMIT', '', { cookie });
    assert.equal(lost.fault.faultstring, 'SESSION_NOT_FOUND');
  });
});

describe('the SAP simulator on inbound IDocs', () => {
  it('posts an ORDERS05 IDoc: status 64 at once, then 53 and a sales order over OData', async () => {
    const { status, text } = await postIdoc(ordersIdoc('10000001', 'PO-IDOC-4711', ['MAT-0002', 'MAT-0003']));
    assert.equal(status, 200);
    const response = xml.parse(text).IDOC_RESPONSE;
    assert.match(response.DOCNUM, /^\d{16}$/);
    assert.equal(response.STATUS, '64');
    const final = await idocStatus(response.DOCNUM, (value) => value === '53' || value === '51');
    assert.equal(final.STATUS, '53');
    const orderNumber = /Standard Order (\d+) has been saved/.exec(final.STATXT)![1];
    const order = await odata(`${SO}/A_SalesOrder('${orderNumber}')?$expand=to_Item`);
    assert.equal(order.body.d.SoldToParty, '0010000001');
    assert.equal(order.body.d.PurchaseOrderByCustomer, 'PO-IDOC-4711');
    assert.deepEqual(order.body.d.to_Item.results.map((item: any) => item.Material), ['MAT-0002', 'MAT-0003']);
    const received = sim.idocs('S4H').find((idoc) => idoc.docnum === response.DOCNUM)!;
    assert.equal(received.type, 'ORDERS05');
    assert.equal(received.status, '53');
  });

  it('sets status 51 with the reason for an unknown material or a blocked customer', async () => {
    const unknown = xml.parse((await postIdoc(ordersIdoc('0010000001', 'PO-BAD-1', ['MAT-9999']), 'text/xml')).text).IDOC_RESPONSE;
    const failed = await idocStatus(unknown.DOCNUM, (value) => value === '53' || value === '51');
    assert.equal(failed.STATUS, '51');
    assert.match(failed.STATXT, /Material MAT-9999 does not exist/);
    const blocked = xml.parse((await postIdoc(ordersIdoc('0010000011', 'PO-BAD-2', ['MAT-0001']))).text).IDOC_RESPONSE;
    const refused = await idocStatus(blocked.DOCNUM, (value) => value === '51' || value === '53');
    assert.match(refused.STATXT, /blocked for orders/);
  });

  it('answers malformed XML with 400 and a clear message', async () => {
    const broken = await postIdoc('<ORDERS05><IDOC BEGIN="1"><EDI_DC40></IDOC>');
    assert.equal(broken.status, 400);
    assert.match(broken.text, /Malformed IDoc XML/);
    const notIdoc = await postIdoc('<hello/>');
    assert.equal(notIdoc.status, 400);
    assert.match(notIdoc.text, /Not an IDoc-XML document/);
  });
});

describe('the SAP simulator on faults', () => {
  it('delays requests by latencyMs', async () => {
    sim.setFault('S4H', { latencyMs: 150 });
    const started = performance.now();
    assert.equal((await odata(`${BP}/A_Customer('0010000001')`)).status, 200);
    assert.ok(performance.now() - started >= 140);
  });

  it('fails the given share of requests with failStatus, through the HTTP control surface', async () => {
    const set = await fetch(`${sim.origin}/__simulator/S4H/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ failStatus: 503, failRate: 0.5 }) });
    assert.equal(set.status, 200);
    const statuses: number[] = [];
    for (let index = 0; index < 4; index++) statuses.push((await odata(`${BP}/A_Customer('0010000001')`)).status);
    assert.deepEqual(statuses, [200, 503, 200, 503]);
    assert.equal((await fetch(`${sim.origin}/__simulator/S4H/faults`, { method: 'DELETE' })).status, 204);
    assert.equal((await odata(`${BP}/A_Customer('0010000001')`)).status, 200);
    sim.setFault('S4H', { failStatus: 500 });
    const failed = await rfc('RFC_PING', '');
    assert.equal(failed.status, 500);
    assert.equal(failed.fault.faultstring, 'SYSTEM_FAILURE');
    const invalid = await fetch(`${sim.origin}/__simulator/S4H/faults`, { method: 'POST', body: JSON.stringify({ failStatus: 418 }) });
    assert.equal(invalid.status, 400);
  });

  it('resets connections without answering, and leaves other systems alone', async () => {
    sim.setFault('S4H', { resetConnections: true });
    await assert.rejects(fetch(url(`${BP}/$metadata`), { headers: { authorization: BASIC } }));
    const other = await fetch(`${sim.systemUrl('QAS')}/${BP}/$metadata?sap-client=200`, { headers: { authorization: BASIC } });
    assert.equal(other.status, 200);
  });

  it('counts requests per kind', async () => {
    sim.resetCounts();
    await odata(`${BP}/$metadata`);
    await csrfSession();
    await odata(`${BP}/A_Customer('0010000001')`);
    await rfc('RFC_PING', '');
    const counts = (await fetch(`${sim.origin}/__simulator/S4H/counts`).then((response) => response.json())) as Record<string, number>;
    assert.deepEqual(counts, { odata: 2, batch: 0, soap: 1, idoc: 0, metadata: 1, csrfFetch: 1, token: 0, other: 0 });
    assert.deepEqual(sim.counts('S4H'), counts);
  });
});

describe('the SAP simulator on logon', () => {
  it('answers 401 with WWW-Authenticate without credentials or with a wrong password', async () => {
    const none = await fetch(url(`${BP}/$metadata`));
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate')!, /^Basic realm="SAP NetWeaver Application Server \[S4H\/100\]"/);
    const wrong = await fetch(url(`${BP}/$metadata`), { headers: { authorization: `Basic ${Buffer.from('INTERCHANGE:nope').toString('base64')}` } });
    assert.equal(wrong.status, 401);
    const lowerCaseUser = await fetch(url(`${BP}/$metadata`), { headers: { authorization: `Basic ${Buffer.from('interchange:simulator').toString('base64')}` } });
    assert.equal(lowerCaseUser.status, 200);
  });

  it('issues OAuth client-credentials tokens accepted as Bearer, and refuses bad clients and tokens', async () => {
    const token = async (body: string, authorization?: string) =>
      fetch(url('sap/bc/sec/oauth2/token'), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization ? { authorization } : {}) }, body });
    const issued = await token('grant_type=client_credentials', `Basic ${Buffer.from('interchange:simulator-secret').toString('base64')}`);
    assert.equal(issued.status, 200);
    const grant = (await issued.json()) as { access_token: string; token_type: string; expires_in: number };
    assert.equal(grant.token_type, 'Bearer');
    assert.equal(grant.expires_in, 3600);
    const viaForm = await token('grant_type=client_credentials&client_id=interchange&client_secret=simulator-secret');
    assert.equal(viaForm.status, 200);
    const read = await fetch(url(`${BP}/A_Customer('0010000001')`), { headers: { authorization: `Bearer ${grant.access_token}` } });
    assert.equal(read.status, 200);
    assert.equal((await token('grant_type=client_credentials&client_id=interchange&client_secret=wrong')).status, 401);
    assert.equal((await token('grant_type=password', `Basic ${Buffer.from('interchange:simulator-secret').toString('base64')}`)).status, 400);
    const badBearer = await fetch(url(`${BP}/A_Customer('0010000001')`), { headers: { authorization: 'Bearer not-a-token' } });
    assert.equal(badBearer.status, 401);
    assert.match(badBearer.headers.get('www-authenticate')!, /invalid_token/);
  });

  it('refuses a wrong or missing sap-client like a failed logon', async () => {
    const wrong = await fetch(url(`${BP}/$metadata`, '200'), { headers: { authorization: BASIC } });
    assert.equal(wrong.status, 401);
    assert.match(await wrong.text(), /Client 200 is not available in this system/);
    const missing = await fetch(`${base}/${BP}/$metadata`, { headers: { authorization: BASIC } });
    assert.equal(missing.status, 401);
    assert.match(await missing.text(), /sap-client is missing/);
    const header = await fetch(`${base}/${BP}/$metadata`, { headers: { authorization: BASIC, 'sap-client': '100' } });
    assert.equal(header.status, 200);
  });
});
