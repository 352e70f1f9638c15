import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, afterEach, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TLSSocket } from 'node:tls';
import { inspect } from 'node:util';
import { GraphQLError } from 'graphql';
import { pino } from 'pino';
import { ConfigError } from '../infra/config.js';
import {
  buildOrders05,
  chunkKeys,
  filterAnyOf,
  normaliseDecimal,
  ODataMetadata,
  odataDateToIso,
  parseIdoc,
  parseIdocs,
  queryString,
  SapConnector,
  sapSystemsFromEnv,
  type SapSystemConfig,
} from '../subgraphs/sap/connector/index.js';
import { startSapSimulator, type RunningSapSimulator } from '../simulators/sap/index.js';
import { CookieJar } from '../subgraphs/sap/connector/cookie-jar.js';
import { bapiMessages, optionRows, parseRfcAnswer, readTableRows, rfcEnvelope } from '../subgraphs/sap/connector/rfc-soap.js';

const logger = pino({ level: 'silent' });

/** The error a promise rejects with, which must be a GraphQLError with `code`. */
async function rejection(promise: Promise<unknown>, code: string): Promise<GraphQLError> {
  const error = await promise.then(
    () => assert.fail(`expected a rejection with ${code}`),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof GraphQLError, `expected a GraphQLError, got ${inspect(error)}`);
  assert.equal(error.extensions.code, code, error.message);
  return error;
}

function thrown(run: () => unknown, code: string): GraphQLError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof GraphQLError, `expected a GraphQLError, got ${inspect(error)}`);
    assert.equal(error.extensions.code, code, error.message);
    return error;
  }
  return assert.fail(`expected ${code}`);
}

// ---------------------------------------------------------------------------------------------
// Recorded SAP payloads (shapes as SAP Gateway, the SOAP-RFC service and IDoc-XML write them).
// ---------------------------------------------------------------------------------------------

const BUSINESS_PARTNER_METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" xmlns:sap="http://www.sap.com/Protocols/SAPData">
  <edmx:Reference Uri="https://host/sap/opu/odata/IWFND/CATALOGSERVICE;v=2/Vocabularies(TechnicalName='%2FIWBEP%2FVOC_COMMON',Version='0001',SAP__Origin='LOCAL')/$value" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
    <edmx:Include Namespace="com.sap.vocabularies.Common.v1" Alias="Common"/>
  </edmx:Reference>
  <edmx:DataServices m:DataServiceVersion="2.0">
    <Schema Namespace="API_BUSINESS_PARTNER" xml:lang="en" sap:schema-version="1" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">
      <EntityType Name="A_BusinessPartnerType" sap:content-version="1">
        <Key><PropertyRef Name="BusinessPartner"/></Key>
        <Property Name="BusinessPartner" Type="Edm.String" Nullable="false" MaxLength="10" sap:display-format="UpperCase" sap:label="Business Partner"/>
        <Property Name="BusinessPartnerFullName" Type="Edm.String" MaxLength="81" sap:label="Name"/>
        <Property Name="CreationDate" Type="Edm.DateTime" Precision="0" sap:display-format="Date" sap:label="Created On"/>
        <Property Name="CreationTime" Type="Edm.Time" Precision="0" sap:label="Created At"/>
        <Property Name="LastChangeDateTime" Type="Edm.DateTimeOffset" Precision="7" sap:label="Last Changed"/>
        <NavigationProperty Name="to_BusinessPartnerAddress" Relationship="API_BUSINESS_PARTNER.assoc_BP_Address" FromRole="FromRole_assoc_BP_Address" ToRole="ToRole_assoc_BP_Address"/>
        <NavigationProperty Name="to_Customer" Relationship="API_BUSINESS_PARTNER.assoc_BP_Customer" FromRole="FromRole_assoc_BP_Customer" ToRole="ToRole_assoc_BP_Customer"/>
      </EntityType>
      <EntityType Name="A_BusinessPartnerAddressType" sap:content-version="1">
        <Key><PropertyRef Name="BusinessPartner"/><PropertyRef Name="AddressID"/></Key>
        <Property Name="BusinessPartner" Type="Edm.String" Nullable="false" MaxLength="10"/>
        <Property Name="AddressID" Type="Edm.String" Nullable="false" MaxLength="10"/>
        <Property Name="ValidityStartDate" Type="Edm.DateTimeOffset" Precision="0"/>
        <Property Name="CityName" Type="Edm.String" MaxLength="40"/>
      </EntityType>
      <EntityType Name="A_CustomerType" sap:content-version="1">
        <Key><PropertyRef Name="Customer"/></Key>
        <Property Name="Customer" Type="Edm.String" Nullable="false" MaxLength="10"/>
        <Property Name="CreationDate" Type="Edm.DateTime" Precision="0" sap:display-format="Date"/>
      </EntityType>
      <Association Name="assoc_BP_Address" sap:content-version="1">
        <End Type="API_BUSINESS_PARTNER.A_BusinessPartnerType" Multiplicity="1" Role="FromRole_assoc_BP_Address"/>
        <End Type="API_BUSINESS_PARTNER.A_BusinessPartnerAddressType" Multiplicity="*" Role="ToRole_assoc_BP_Address"/>
      </Association>
      <Association Name="assoc_BP_Customer" sap:content-version="1">
        <End Type="API_BUSINESS_PARTNER.A_BusinessPartnerType" Multiplicity="1" Role="FromRole_assoc_BP_Customer"/>
        <End Type="API_BUSINESS_PARTNER.A_CustomerType" Multiplicity="0..1" Role="ToRole_assoc_BP_Customer"/>
      </Association>
      <EntityContainer Name="API_BUSINESS_PARTNER_Entities" m:IsDefaultEntityContainer="true" sap:supported-formats="atom json xlsx">
        <EntitySet Name="A_BusinessPartner" EntityType="API_BUSINESS_PARTNER.A_BusinessPartnerType" sap:content-version="1"/>
        <EntitySet Name="A_BusinessPartnerAddress" EntityType="API_BUSINESS_PARTNER.A_BusinessPartnerAddressType" sap:content-version="1"/>
        <EntitySet Name="A_Customer" EntityType="API_BUSINESS_PARTNER.A_CustomerType" sap:content-version="1"/>
        <AssociationSet Name="assoc_BP_Address" Association="API_BUSINESS_PARTNER.assoc_BP_Address" sap:creatable="false" sap:content-version="1">
          <End EntitySet="A_BusinessPartner" Role="FromRole_assoc_BP_Address"/>
          <End EntitySet="A_BusinessPartnerAddress" Role="ToRole_assoc_BP_Address"/>
        </AssociationSet>
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;

const SALES_ORDER_METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" xmlns:sap="http://www.sap.com/Protocols/SAPData">
  <edmx:DataServices m:DataServiceVersion="2.0">
    <Schema Namespace="API_SALES_ORDER_SRV" xml:lang="en" sap:schema-version="1" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">
      <EntityType Name="A_SalesOrderType" sap:content-version="1">
        <Key><PropertyRef Name="SalesOrder"/></Key>
        <Property Name="SalesOrder" Type="Edm.String" Nullable="false" MaxLength="10"/>
        <Property Name="SoldToParty" Type="Edm.String" MaxLength="10"/>
        <Property Name="TotalNetAmount" Type="Edm.Decimal" Precision="16" Scale="3" sap:unit="TransactionCurrency"/>
        <Property Name="TransactionCurrency" Type="Edm.String" MaxLength="5" sap:semantics="currency-code"/>
        <Property Name="CreationDate" Type="Edm.DateTime" Precision="0" sap:display-format="Date"/>
        <Property Name="LastChangeDateTime" Type="Edm.DateTimeOffset" Precision="7"/>
        <Property Name="SalesOrderCount" Type="Edm.Int64"/>
        <NavigationProperty Name="to_Item" Relationship="API_SALES_ORDER_SRV.assoc_SalesOrder_Item" FromRole="FromRole_assoc_SalesOrder_Item" ToRole="ToRole_assoc_SalesOrder_Item"/>
      </EntityType>
      <EntityType Name="A_SalesOrderItemType" sap:content-version="1">
        <Key><PropertyRef Name="SalesOrder"/><PropertyRef Name="SalesOrderItem"/></Key>
        <Property Name="SalesOrder" Type="Edm.String" Nullable="false" MaxLength="10"/>
        <Property Name="SalesOrderItem" Type="Edm.String" Nullable="false" MaxLength="6"/>
        <Property Name="Material" Type="Edm.String" MaxLength="40"/>
        <Property Name="RequestedQuantity" Type="Edm.Decimal" Precision="15" Scale="3" sap:unit="RequestedQuantityUnit"/>
        <Property Name="NetAmount" Type="Edm.Decimal" Precision="16" Scale="3"/>
        <NavigationProperty Name="to_PricingElement" Relationship="API_SALES_ORDER_SRV.assoc_Item_Pricing" FromRole="FromRole_assoc_Item_Pricing" ToRole="ToRole_assoc_Item_Pricing"/>
      </EntityType>
      <EntityType Name="A_SalesOrderItemPrElementType" sap:content-version="1">
        <Key><PropertyRef Name="SalesOrder"/><PropertyRef Name="SalesOrderItem"/><PropertyRef Name="PricingProcedureStep"/><PropertyRef Name="PricingProcedureCounter"/></Key>
        <Property Name="SalesOrder" Type="Edm.String" Nullable="false" MaxLength="10"/>
        <Property Name="SalesOrderItem" Type="Edm.String" Nullable="false" MaxLength="6"/>
        <Property Name="PricingProcedureStep" Type="Edm.String" Nullable="false" MaxLength="3"/>
        <Property Name="PricingProcedureCounter" Type="Edm.String" Nullable="false" MaxLength="3"/>
      </EntityType>
      <Association Name="assoc_SalesOrder_Item" sap:content-version="1">
        <End Type="API_SALES_ORDER_SRV.A_SalesOrderType" Multiplicity="1" Role="FromRole_assoc_SalesOrder_Item"/>
        <End Type="API_SALES_ORDER_SRV.A_SalesOrderItemType" Multiplicity="*" Role="ToRole_assoc_SalesOrder_Item"/>
      </Association>
      <Association Name="assoc_Item_Pricing" sap:content-version="1">
        <End Type="API_SALES_ORDER_SRV.A_SalesOrderItemType" Multiplicity="1" Role="FromRole_assoc_Item_Pricing"/>
        <End Type="API_SALES_ORDER_SRV.A_SalesOrderItemPrElementType" Multiplicity="*" Role="ToRole_assoc_Item_Pricing"/>
      </Association>
      <EntityContainer Name="API_SALES_ORDER_SRV_Entities" m:IsDefaultEntityContainer="true">
        <EntitySet Name="A_SalesOrder" EntityType="API_SALES_ORDER_SRV.A_SalesOrderType"/>
        <EntitySet Name="A_SalesOrderItem" EntityType="API_SALES_ORDER_SRV.A_SalesOrderItemType"/>
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;

const SO_ROOT = 'https://my300000.s4hana.example:443/sap/opu/odata/sap/API_SALES_ORDER_SRV';

/** The first page of A_SalesOrder with $expand=to_Item and $inlinecount, as SAP Gateway writes it (its host is the one SAP knows itself by). */
const SALES_ORDER_PAGE_1 = JSON.stringify({
  d: {
    __count: '2',
    results: [
      {
        __metadata: { id: `${SO_ROOT}/A_SalesOrder('1')`, uri: `${SO_ROOT}/A_SalesOrder('1')`, type: 'API_SALES_ORDER_SRV.A_SalesOrderType', etag: `W/"datetimeoffset'2023-11-14T22%3A13%3A20.1234560Z'"` },
        SalesOrder: '1',
        SoldToParty: '0010000001',
        TotalNetAmount: '1250.500',
        TransactionCurrency: 'EUR',
        CreationDate: '/Date(1699920000000)/',
        LastChangeDateTime: '/Date(1700000000000+0060)/',
        SalesOrderCount: '9007199254740993',
        to_Item: {
          results: [
            {
              __metadata: { id: `${SO_ROOT}/A_SalesOrderItem(SalesOrder='1',SalesOrderItem='10')`, uri: `${SO_ROOT}/A_SalesOrderItem(SalesOrder='1',SalesOrderItem='10')`, type: 'API_SALES_ORDER_SRV.A_SalesOrderItemType' },
              SalesOrder: '1',
              SalesOrderItem: '10',
              Material: 'TG11',
              RequestedQuantity: '2.000',
              NetAmount: '0001250.500',
              to_PricingElement: { __deferred: { uri: `${SO_ROOT}/A_SalesOrderItem(SalesOrder='1',SalesOrderItem='10')/to_PricingElement` } },
            },
          ],
        },
      },
    ],
    __next: `${SO_ROOT}/A_SalesOrder?$skiptoken=1&$expand=to_Item&$inlinecount=allpages&sap-client=100`,
  },
});

const SALES_ORDER_PAGE_2 = JSON.stringify({
  d: {
    __count: '2',
    results: [
      {
        __metadata: { id: `${SO_ROOT}/A_SalesOrder('2')`, uri: `${SO_ROOT}/A_SalesOrder('2')`, type: 'API_SALES_ORDER_SRV.A_SalesOrderType', etag: `W/"datetimeoffset'2023-11-15T08%3A00%3A00.0000000Z'"` },
        SalesOrder: '2',
        SoldToParty: '0010000002',
        TotalNetAmount: '-0.000',
        TransactionCurrency: 'USD',
        CreationDate: '/Date(-62135596800000)/',
        LastChangeDateTime: null,
        SalesOrderCount: '1',
        to_Item: { results: [] },
      },
    ],
  },
});

const SAP_ERROR_BODY = JSON.stringify({
  error: {
    code: 'SY/530',
    message: { lang: 'en', value: 'Business partner 0099999999 does not exist' },
    innererror: {
      application: { component_id: 'LO-MD-BP-OM', service_namespace: '/SAP/', service_id: 'API_BUSINESS_PARTNER', service_version: '0001' },
      transactionid: '5F3D2A1B8C7E4F00A1B2C3D4E5F60718',
      timestamp: '20231114221320.1234560',
      Error_Resolution: { SAP_Transaction: 'For backend administrators: use ADT feed reader "SAP Gateway Error Log"', SAP_Note: 'See SAP Note 1797736' },
      errordetails: [
        { ContentID: '', code: 'R1/086', message: 'Business partner 0099999999 does not exist', longtext_url: '', propertyref: '', severity: 'error', target: 'BusinessPartner', transition: false },
        { ContentID: '', code: '/IWBEP/CX_MGW_BUSI_EXCEPTION', message: 'Resource not found', longtext_url: '', propertyref: '', severity: 'error', target: '', transition: false },
      ],
    },
  },
});

const SOAP = (body: string) => `<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/"><soap-env:Header/><soap-env:Body>${body}</soap-env:Body></soap-env:Envelope>`;

/** RFC_READ_TABLE of KNA1 without a delimiter: fields back to back; SAP drops the row's trailing blanks. */
const READ_TABLE_KNA1 = SOAP(
  `<n0:RFC_READ_TABLE.Response xmlns:n0="urn:sap-com:document:sap:rfc:functions">` +
    `<DATA><item><WA>1000010000001Müller &amp; Söhne GmbH                DE</WA></item><item><WA>1000010000002  Indented Name                     US</WA></item></DATA>` +
    `<FIELDS>` +
    `<item><FIELDNAME>MANDT</FIELDNAME><OFFSET>000000</OFFSET><LENGTH>000003</LENGTH><TYPE>C</TYPE><FIELDTEXT>Client</FIELDTEXT></item>` +
    `<item><FIELDNAME>KUNNR</FIELDNAME><OFFSET>000003</OFFSET><LENGTH>000010</LENGTH><TYPE>C</TYPE><FIELDTEXT>Customer</FIELDTEXT></item>` +
    `<item><FIELDNAME>NAME1</FIELDNAME><OFFSET>000013</OFFSET><LENGTH>000035</LENGTH><TYPE>C</TYPE><FIELDTEXT>Name</FIELDTEXT></item>` +
    `<item><FIELDNAME>LAND1</FIELDNAME><OFFSET>000048</OFFSET><LENGTH>000003</LENGTH><TYPE>C</TYPE><FIELDTEXT>Country</FIELDTEXT></item>` +
    `</FIELDS>` +
    `<OPTIONS><item><TEXT>LAND1 IN ( 'DE' , 'US' )</TEXT></item></OPTIONS>` +
    `</n0:RFC_READ_TABLE.Response>`,
);

/** RFC_READ_TABLE of EDIDC with DELIMITER '|': one row (still a table), offsets count the delimiters. */
const READ_TABLE_EDIDC = SOAP(
  `<rfc:RFC_READ_TABLE.Response xmlns:rfc="urn:sap-com:document:sap:rfc:functions">` +
    `<DATA><item><WA>0000000000004711|53</WA></item></DATA>` +
    `<FIELDS><item><FIELDNAME>DOCNUM</FIELDNAME><OFFSET>000000</OFFSET><LENGTH>000016</LENGTH><TYPE>N</TYPE><FIELDTEXT>IDoc number</FIELDTEXT></item>` +
    `<item><FIELDNAME>STATUS</FIELDNAME><OFFSET>000017</OFFSET><LENGTH>000002</LENGTH><TYPE>C</TYPE><FIELDTEXT>Status of IDoc</FIELDTEXT></item></FIELDS>` +
    `<OPTIONS/></rfc:RFC_READ_TABLE.Response>`,
);

const BAPI_ERROR_RESPONSE = SOAP(
  `<n0:BAPI_SALESORDER_CREATEFROMDAT2.Response xmlns:n0="urn:sap-com:document:sap:rfc:functions"><SALESDOCUMENT/>` +
    `<RETURN>` +
    `<item><TYPE>W</TYPE><ID>V4</ID><NUMBER>248</NUMBER><MESSAGE>Error in SALES_ITEM_IN 000010</MESSAGE><LOG_NO/><LOG_MSG_NO>000000</LOG_MSG_NO><MESSAGE_V1>VBAPKOM</MESSAGE_V1><MESSAGE_V2>000010</MESSAGE_V2><MESSAGE_V3/><MESSAGE_V4/><PARAMETER>SALES_ITEM_IN</PARAMETER><ROW>1</ROW><FIELD/><SYSTEM>S4HCLNT100</SYSTEM></item>` +
    `<item><TYPE>E</TYPE><ID>V1</ID><NUMBER>382</NUMBER><MESSAGE>Sold-to party 0000099999 not maintained for sales area 1010 10 00</MESSAGE><LOG_NO/><LOG_MSG_NO>000000</LOG_MSG_NO><MESSAGE_V1>0000099999</MESSAGE_V1><MESSAGE_V2>1010</MESSAGE_V2><MESSAGE_V3>10</MESSAGE_V3><MESSAGE_V4>00</MESSAGE_V4><PARAMETER>SALES_HEADER_IN</PARAMETER><ROW>0</ROW><FIELD>PARTN_NUMB</FIELD><SYSTEM>S4HCLNT100</SYSTEM></item>` +
    `</RETURN></n0:BAPI_SALESORDER_CREATEFROMDAT2.Response>`,
);

const SOAP_FAULT = SOAP(
  `<soap-env:Fault><faultcode>soap-env:Client</faultcode><faultstring xml:lang="en">TABLE_NOT_AVAILABLE</faultstring>` +
    `<detail><n0:RFC_READ_TABLE.Exception xmlns:n0="urn:sap-com:document:sap:rfc:functions"><Name>TABLE_NOT_AVAILABLE</Name><Text>Table ZIDOC_X is not available</Text><Message><ID>SY</ID><Number>499</Number></Message></n0:RFC_READ_TABLE.Exception></detail></soap-env:Fault>`,
);

const DEBMAS07 = `<?xml version="1.0" encoding="UTF-8"?>
<DEBMAS07>
  <IDOC BEGIN="1">
    <EDI_DC40 SEGMENT="1">
      <TABNAM>EDI_DC40</TABNAM><MANDT>100</MANDT><DOCNUM>0000000000123456</DOCNUM><DOCREL>757</DOCREL><STATUS>30</STATUS><DIRECT>1</DIRECT><OUTMOD>2</OUTMOD>
      <IDOCTYP>DEBMAS07</IDOCTYP><CIMTYP>ZDEBMAS07</CIMTYP><MESTYP>DEBMAS</MESTYP><SNDPOR>SAPS4H</SNDPOR><SNDPRT>LS</SNDPRT><SNDPRN>S4HCLNT100</SNDPRN>
      <RCVPOR>INTERCHNG</RCVPOR><RCVPRT>LS</RCVPRT><RCVPRN>INTERCHNG</RCVPRN><CREDAT>20240301</CREDAT><CRETIM>101500</CRETIM><SERIAL>20240301101500</SERIAL>
    </EDI_DC40>
    <E1KNA1M SEGMENT="1">
      <MSGFN>005</MSGFN><KUNNR>0010000001</KUNNR><KTOKD>CUST</KTOKD><LAND1>DE</LAND1><NAME1>Müller &amp; Söhne GmbH</NAME1><NAME2/>
      <ORT01>Walldorf</ORT01><PSTLZ>69190</PSTLZ><REGIO>08</REGIO><SPRAS>D</SPRAS><STRAS>Dietmar-Hopp-Allee 16</STRAS><TELF1>+49 6227 7-47474</TELF1><SPRAS_ISO>DE</SPRAS_ISO>
      <E1KNVVM SEGMENT="1"><MSGFN>005</MSGFN><VKORG>1010</VKORG><VTWEG>10</VTWEG><SPART>00</SPART><WAERS>EUR</WAERS></E1KNVVM>
      <_-ACME_-E1KNA1_MAIL SEGMENT="1"><SMTP_ADDR>einkauf@mueller-soehne.example</SMTP_ADDR></_-ACME_-E1KNA1_MAIL>
    </E1KNA1M>
  </IDOC>
</DEBMAS07>`;

const MATMAS05 = `<?xml version="1.0" encoding="UTF-8"?>
<MATMAS05><IDOC BEGIN="1"><EDI_DC40 SEGMENT="1"><TABNAM>EDI_DC40</TABNAM><MANDT>100</MANDT><DOCNUM>987654</DOCNUM><DIRECT>1</DIRECT><IDOCTYP>MATMAS05</IDOCTYP><MESTYP>MATMAS</MESTYP><SNDPOR>SAPS4H</SNDPOR><SNDPRT>LS</SNDPRT><SNDPRN>S4HCLNT100</SNDPRN><CREDAT>20240301</CREDAT><CRETIM>101500</CRETIM></EDI_DC40>
<E1MARAM SEGMENT="1"><MSGFN>005</MSGFN><MATNR>TG11</MATNR><ERSDA>20230101</ERSDA><MTART>HAWA</MTART><MATKL>L001</MATKL><MEINS>PC</MEINS>
<E1MAKTM SEGMENT="1"><MSGFN>005</MSGFN><SPRAS>D</SPRAS><MAKTX>Handelsware 11</MAKTX><SPRAS_ISO>DE</SPRAS_ISO></E1MAKTM>
<E1MAKTM SEGMENT="1"><MSGFN>005</MSGFN><SPRAS>E</SPRAS><MAKTX>Trading Good 11</MAKTX><SPRAS_ISO>EN</SPRAS_ISO></E1MAKTM>
</E1MARAM></IDOC></MATMAS05>`;

// ---------------------------------------------------------------------------------------------

describe('SAP configuration', () => {
  const base = { SAP_SYSTEMS: 'S4H', SAP_S4H_URL: 'https://s4h.example:44300/', SAP_S4H_CLIENT: '100', SAP_S4H_USER: 'INTERCHANGE', SAP_S4H_PASSWORD: 'Very$ecret-Passw0rd' };

  it('reads one system with its defaults, frozen', () => {
    const [system, ...rest] = sapSystemsFromEnv(base);
    assert.equal(rest.length, 0);
    assert.ok(system);
    assert.equal(system.id, 'S4H');
    assert.equal(system.type, 'S4HANA');
    assert.equal(system.url, 'https://s4h.example:44300');
    assert.equal(system.client, '100');
    assert.equal(system.auth.kind, 'basic');
    assert.deepEqual([system.poolSize, system.timeoutMs, system.breakerFailures, system.breakerResetMs, system.maxAttempts], [10, 10_000, 5, 30_000, 3]);
    assert.deepEqual({ ...system.paths }, {
      businessPartner: '/sap/opu/odata/sap/API_BUSINESS_PARTNER',
      product: '/sap/opu/odata/sap/API_PRODUCT_SRV',
      salesOrder: '/sap/opu/odata/sap/API_SALES_ORDER_SRV',
      rfc: '/sap/bc/soap/rfc',
      idoc: '/sap/bc/idoc_xml',
    });
    assert.deepEqual({ ...system.idoc }, { senderPort: 'INTERCHNG', senderPartner: 'INTERCHNG', receiverPort: 'SAPS4H', receiverPartner: 'S4HCLNT100' });
    assert.ok(Object.isFrozen(system) && Object.isFrozen(system.auth) && Object.isFrozen(system.paths));
  });

  it('reads no system without SAP_SYSTEMS, and several in their order', () => {
    assert.deepEqual(sapSystemsFromEnv({}), []);
    const systems = sapSystemsFromEnv({
      ...base,
      SAP_SYSTEMS: 'S4H, ERP',
      SAP_ERP_URL: 'http://erp.example:8000',
      SAP_ERP_TYPE: 'ERP',
      SAP_ERP_CLIENT: '800',
      SAP_ERP_OAUTH_TOKEN_URL: 'http://erp.example:8000/sap/bc/sec/oauth2/token',
      SAP_ERP_OAUTH_CLIENT_ID: 'interchange',
      SAP_ERP_OAUTH_CLIENT_SECRET: 'client-secret',
      SAP_ERP_OAUTH_SCOPE: 'ZAPI_0001',
      SAP_ERP_POOL_SIZE: '4',
      SAP_ERP_RFC_PATH: '/sap/bc/soap/rfc/',
    });
    assert.deepEqual(systems.map((system) => system.id), ['S4H', 'ERP']);
    const erp = systems[1]!;
    assert.equal(erp.type, 'ERP');
    assert.equal(erp.poolSize, 4);
    assert.equal(erp.paths.rfc, '/sap/bc/soap/rfc');
    assert.ok(erp.auth.kind === 'oauth2' && erp.auth.scope === 'ZAPI_0001' && erp.auth.clientSecret.reveal() === 'client-secret');
  });

  it('reads secrets from files, one trailing newline dropped, and never shows them when logged', () => {
    const folder = mkdtempSync(join(tmpdir(), 'sap-config-'));
    try {
      writeFileSync(join(folder, 'password'), 'from-a-file\n');
      const [system] = sapSystemsFromEnv({ ...base, SAP_S4H_PASSWORD: undefined, SAP_S4H_PASSWORD_FILE: join(folder, 'password') });
      assert.ok(system?.auth.kind === 'basic');
      assert.equal(system.auth.password.reveal(), 'from-a-file');
      assert.doesNotMatch(JSON.stringify(system), /from-a-file/);
      assert.doesNotMatch(inspect(system, { depth: 10 }), /from-a-file/);
      assert.doesNotMatch(String(system.auth.password), /from-a-file/);
    } finally {
      rmSync(folder, { recursive: true });
    }
  });

  it('names every bad variable, shows secrets by their length only and URLs without credentials', () => {
    const secret = 'Very$ecret-Passw0rd';
    assert.throws(
      () =>
        sapSystemsFromEnv({
          SAP_SYSTEMS: 'S4H,ERP',
          SAP_S4H_URL: `https://admin:${secret}@s4h.example`,
          SAP_S4H_CLIENT: '1000',
          SAP_S4H_USER: 'INTERCHANGE',
          SAP_S4H_PASSWORD: secret,
          SAP_S4H_POOL_SIZE: '0',
          SAP_ERP_URL: 'http://erp.example',
          SAP_ERP_CLIENT: '800',
          SAP_ERP_PASSWORD: secret,
          SAP_ERP_TYPE: 'R3',
        }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /SAP_S4H_CLIENT="1000": must be three digits/);
        assert.match(error.message, /SAP_S4H_POOL_SIZE="0"/);
        assert.match(error.message, /SAP_ERP_TYPE="R3"/);
        assert.doesNotMatch(error.message, /Passw0rd/);
        return true;
      },
    );
    assert.throws(
      () => sapSystemsFromEnv({ ...base, SAP_S4H_URL: `https://admin:${secret}@s4h.example` }),
      (error: unknown) => error instanceof ConfigError && /SAP_S4H_URL="https:\/\/admin:\(hidden\)@s4h\.example": must not carry credentials/.test(error.message) && !error.message.includes(secret),
    );
    assert.throws(
      () => sapSystemsFromEnv({ ...base, SAP_S4H_USER: undefined }),
      (error: unknown) => error instanceof ConfigError && /SAP_S4H_PASSWORD=\(19 characters, hidden\): is set without SAP_S4H_USER/.test(error.message),
    );
  });

  it('refuses ambiguous or incomplete credentials', () => {
    const oauth = { SAP_S4H_OAUTH_TOKEN_URL: 'https://s4h.example/sap/bc/sec/oauth2/token', SAP_S4H_OAUTH_CLIENT_ID: 'interchange' };
    assert.throws(() => sapSystemsFromEnv({ ...base, ...oauth }), /SAP_S4H_OAUTH_TOKEN_URL=.*must not be set together with SAP_S4H_USER/);
    assert.throws(() => sapSystemsFromEnv({ ...base, SAP_S4H_USER: undefined, SAP_S4H_PASSWORD: undefined, ...oauth }), /SAP_S4H_OAUTH_CLIENT_SECRET=\(unset\): is required/);
    assert.throws(() => sapSystemsFromEnv({ ...base, SAP_S4H_USER: undefined, SAP_S4H_PASSWORD: undefined }), /SAP_S4H_USER=\(unset\): is required unless/);
    assert.throws(() => sapSystemsFromEnv({ ...base, SAP_S4H_PASSWORD_FILE: '/nowhere/password' }), /SAP_S4H_PASSWORD_FILE=.*must not be set together with SAP_S4H_PASSWORD/);
    assert.throws(() => sapSystemsFromEnv({ ...base, SAP_S4H_CERT_FILE: '/nowhere/cert.pem' }), /SAP_S4H_CERT_FILE="\/nowhere\/cert.pem": cannot be read \(ENOENT\)[\s\S]*SAP_S4H_KEY_FILE=\(unset\): is required with SAP_S4H_CERT_FILE/);
    assert.throws(() => sapSystemsFromEnv({ ...base, SAP_SYSTEMS: 's4h' }), /SAP_SYSTEMS="s4h": "s4h" must be upper-case/);
    assert.throws(() => sapSystemsFromEnv({ ...base, SAP_SYSTEMS: 'S4H,S4H' }), /lists a system twice/);
    assert.throws(() => sapSystemsFromEnv({ ...base, SAP_S4H_URL: undefined }), /SAP_S4H_URL=\(unset\): is required/);
  });

  it('names the receiver partner when its default would be too long', () => {
    assert.throws(
      () => sapSystemsFromEnv({ SAP_SYSTEMS: 'LONGSYSTEM', SAP_LONGSYSTEM_URL: 'https://x.example', SAP_LONGSYSTEM_CLIENT: '100', SAP_LONGSYSTEM_USER: 'U', SAP_LONGSYSTEM_PASSWORD: 'p' }),
      /SAP_LONGSYSTEM_IDOC_RECEIVER_PARTNER=\(unset\): is required: the default LONGSYSTEMCLNT100 is longer than 10 characters/,
    );
  });
});

describe('OData values', () => {
  it('turns /Date(…)/ into ISO date-times in UTC, an offset not moving the instant', () => {
    assert.equal(odataDateToIso('/Date(1700000000000)/'), '2023-11-14T22:13:20.000Z');
    assert.equal(odataDateToIso('/Date(1700000000000+0060)/'), '2023-11-14T22:13:20.000Z');
    assert.equal(odataDateToIso('/Date(1700000000000-0300)/'), '2023-11-14T22:13:20.000Z');
    assert.equal(odataDateToIso('/Date(-62135596800000)/'), '0001-01-01T00:00:00.000Z');
    assert.equal(odataDateToIso('/Date(253402214400000)/'), '9999-12-31T00:00:00.000Z');
    assert.equal(odataDateToIso('2023-11-14T23:13:20+01:00'), '2023-11-14T22:13:20.000Z');
    assert.equal(odataDateToIso('PT12H30M00S'), 'PT12H30M00S');
  });

  it('normalises decimals exactly, keeping their scale', () => {
    const cases: Array<[string | number, string]> = [
      ['1250.500', '1250.500'],
      ['0001250.50', '1250.50'],
      ['+12', '12'],
      ['-0.000', '0.000'],
      ['-.5', '-0.5'],
      ['1.5E+2', '150'],
      ['2.50E-3', '0.0025'],
      ['12345678901234.1234567', '12345678901234.1234567'],
      ['1.230000000', '1.230000'],
      ['99999999999999999999.99', '99999999999999999999.99'],
      [0.1, '0.1'],
      ['abc', 'abc'],
    ];
    for (const [input, expected] of cases) assert.equal(normaliseDecimal(input), expected, `normaliseDecimal(${JSON.stringify(input)})`);
  });
});

describe('OData metadata', () => {
  const bp = ODataMetadata.parse(BUSINESS_PARTNER_METADATA);
  const so = ODataMetadata.parse(SALES_ORDER_METADATA);

  it('learns entity sets, keys, property types and navigation targets', () => {
    assert.deepEqual(bp.entitySets, ['A_BusinessPartner', 'A_BusinessPartnerAddress', 'A_Customer']);
    const partner = bp.entitySet('A_BusinessPartner')!;
    assert.deepEqual(partner.keys, ['BusinessPartner']);
    assert.equal(partner.properties.get('LastChangeDateTime'), 'Edm.DateTimeOffset');
    assert.deepEqual(partner.navigation.get('to_BusinessPartnerAddress'), { target: 'API_BUSINESS_PARTNER.A_BusinessPartnerAddressType', many: true });
    assert.deepEqual(partner.navigation.get('to_Customer'), { target: 'API_BUSINESS_PARTNER.A_CustomerType', many: false });
    assert.deepEqual(so.entitySet('A_SalesOrderItem')!.keys, ['SalesOrder', 'SalesOrderItem']);
  });

  it('decodes a page: dates, decimals, Int64, expanded navigation, ETags, deferred links dropped', () => {
    const row = (JSON.parse(SALES_ORDER_PAGE_1) as { d: { results: Record<string, unknown>[] } }).d.results[0]!;
    const order = so.decodeEntity(row, so.entitySet('A_SalesOrder'));
    assert.equal(order.__etag, `W/"datetimeoffset'2023-11-14T22%3A13%3A20.1234560Z'"`);
    assert.equal(order.CreationDate, '2023-11-14T00:00:00.000Z');
    assert.equal(order.LastChangeDateTime, '2023-11-14T22:13:20.000Z');
    assert.equal(order.TotalNetAmount, '1250.500');
    assert.equal(order.SalesOrderCount, '9007199254740993');
    assert.equal('__metadata' in order, false);
    const items = order.to_Item as Record<string, unknown>[];
    assert.equal(items.length, 1);
    assert.equal(items[0]!.NetAmount, '1250.500');
    assert.equal(items[0]!.RequestedQuantity, '2.000');
    assert.equal('to_PricingElement' in items[0]!, false);
    assert.equal(items[0]!.__etag, null);
  });

  it('writes keys as URI literals by type and refuses a partial compound key', () => {
    assert.equal(bp.keyPredicate("O'Neil & Sons", bp.entitySet('A_BusinessPartner')), "('O''Neil%20%26%20Sons')");
    assert.equal(so.keyPredicate({ SalesOrderItem: '10', SalesOrder: '1' }, so.entitySet('A_SalesOrderItem')), "(SalesOrder='1',SalesOrderItem='10')");
    assert.throws(() => so.keyPredicate('1', so.entitySet('A_SalesOrderItem')), /key of 2 properties/);
    assert.throws(() => so.keyPredicate({ SalesOrder: '1' }, so.entitySet('A_SalesOrderItem')), /lacks SalesOrderItem/);
  });

  it('encodes dates, decimals and deep inserts for writes', () => {
    const body = so.encodeEntity(
      { SalesOrder: '3', CreationDate: new Date('2024-03-01T00:00:00Z'), LastChangeDateTime: '2024-03-01T10:00:00Z', TotalNetAmount: 10.5, __etag: 'W/"x"', to_Item: [{ RequestedQuantity: '0002.000', Material: 'TG11' }] },
      so.entitySet('A_SalesOrder'),
    );
    assert.deepEqual(body, {
      SalesOrder: '3',
      CreationDate: '/Date(1709251200000)/',
      LastChangeDateTime: '/Date(1709287200000+0000)/',
      TotalNetAmount: '10.5',
      to_Item: [{ RequestedQuantity: '2.000', Material: 'TG11' }],
    });
  });

  it('says what is wrong with a malformed $metadata', () => {
    assert.throws(() => ODataMetadata.parse('<edmx:Edmx><edmx:DataServices>'), /not well-formed XML/);
    assert.throws(() => ODataMetadata.parse('<html><body>Logon</body></html>'), /no edmx:Edmx\/edmx:DataServices\/Schema/);
  });
});

describe('OData queries', () => {
  it('writes the system query options, $format=json always', () => {
    assert.equal(
      queryString({ filter: "SoldToParty eq '0010000001'", select: ['SalesOrder', 'to_Item/Material'], expand: ['to_Item'], orderby: ['CreationDate desc'], top: 20, skip: 40, inlineCount: true }),
      "$filter=SoldToParty%20eq%20'0010000001'&$select=SalesOrder,to_Item/Material&$expand=to_Item&$orderby=CreationDate%20desc&$top=20&$skip=40&$inlinecount=allpages&$format=json",
    );
    assert.equal(queryString(), '$format=json');
    assert.throws(() => queryString({ top: -1 }), /\$top must be a non-negative integer/);
  });

  it('filters any of several values, quotes doubled', () => {
    assert.equal(filterAnyOf('BusinessPartner', ['1', "O'Neil"]), "(BusinessPartner eq '1' or BusinessPartner eq 'O''Neil')");
    assert.equal(filterAnyOf('Count', [1, 2]), '(Count eq 1 or Count eq 2)');
    assert.throws(() => filterAnyOf('X', []), RangeError);
  });

  it('batches keys so that each filter stays under its URL budget', () => {
    const fifty = Array.from({ length: 50 }, (_, index) => String(10_000_000 + index).padStart(10, '0'));
    assert.deepEqual(chunkKeys(fifty, { property: 'BusinessPartner' }), [fifty]);
    const many = Array.from({ length: 2_000 }, (_, index) => String(index).padStart(10, '0'));
    const chunks = chunkKeys([...many, ...many], { property: 'BusinessPartner' });
    assert.ok(chunks.length > 1);
    assert.deepEqual(chunks.flat(), many);
    for (const chunk of chunks) assert.ok(encodeURIComponent(filterAnyOf('BusinessPartner', chunk)).length <= 4096);
  });
});

describe('the cookie jar', () => {
  it('keeps cookies by path, honours Max-Age and Expires, and ignores Domain', () => {
    let now = 1_000_000;
    const jar = new CookieJar(() => now);
    jar.store(['SAP_SESSIONID_S4H_100=abc%3d; path=/; secure; HttpOnly', 'sap-usercontext=sap-client=100; path=/', 'sap-contextid=SID%3aANON; path=/sap/bc/soap/rfc; Max-Age=60', 'old=1; Domain=other.example; Expires=Thu, 01 Jan 1970 00:00:00 GMT'], '/sap/bc/soap/rfc');
    assert.equal(jar.header('/sap/opu/odata/sap/API_BUSINESS_PARTNER/'), 'SAP_SESSIONID_S4H_100=abc%3d; sap-usercontext=sap-client=100');
    assert.equal(jar.header('/sap/bc/soap/rfc'), 'SAP_SESSIONID_S4H_100=abc%3d; sap-usercontext=sap-client=100; sap-contextid=SID%3aANON');
    assert.equal(jar.header('/sap/bc/soap/rfcx'), 'SAP_SESSIONID_S4H_100=abc%3d; sap-usercontext=sap-client=100');
    now += 61_000;
    assert.equal(jar.header('/sap/bc/soap/rfc'), 'SAP_SESSIONID_S4H_100=abc%3d; sap-usercontext=sap-client=100');
    jar.store('SAP_SESSIONID_S4H_100=; path=/; Max-Age=0', '/');
    assert.equal(jar.header('/'), 'sap-usercontext=sap-client=100');
  });
});

describe('SOAP-RFC', () => {
  it('writes a call as a SOAP envelope: structures nested, tables as items, flags as X, names with / as _-', () => {
    const xml = rfcEnvelope('/ACME/BAPI_X', {
      importing: { ORDER_HEADER_IN: { DOC_TYPE: 'TA', PURCH_NO_C: 'PO <1> & "2"' }, TESTRUN: true, SIMULATE: false, SKIPPED: null, COUNT: 3 },
      tables: { ORDER_ITEMS_IN: [{ ITM_NUMBER: '000010', MATERIAL: 'TG11' }], RETURN: [] },
    });
    assert.equal(
      xml,
      '<?xml version="1.0" encoding="utf-8"?><soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/"><soap-env:Header/><soap-env:Body>' +
        '<urn:_-ACME_-BAPI_X xmlns:urn="urn:sap-com:document:sap:rfc:functions">' +
        '<ORDER_HEADER_IN><DOC_TYPE>TA</DOC_TYPE><PURCH_NO_C>PO &lt;1&gt; &amp; "2"</PURCH_NO_C></ORDER_HEADER_IN><TESTRUN>X</TESTRUN><SIMULATE></SIMULATE><COUNT>3</COUNT>' +
        '<ORDER_ITEMS_IN><item><ITM_NUMBER>000010</ITM_NUMBER><MATERIAL>TG11</MATERIAL></item></ORDER_ITEMS_IN><RETURN></RETURN>' +
        '</urn:_-ACME_-BAPI_X></soap-env:Body></soap-env:Envelope>',
    );
  });

  it('reads RFC_READ_TABLE rows by offset and length, leading blanks and entities kept right', () => {
    const answer = parseRfcAnswer('RFC_READ_TABLE', READ_TABLE_KNA1, new Set(['OPTIONS', 'FIELDS', 'DATA']));
    assert.equal(answer.kind, 'response');
    assert.ok(answer.kind === 'response');
    assert.deepEqual(readTableRows(answer.result, undefined), [
      { MANDT: '100', KUNNR: '0010000001', NAME1: 'Müller & Söhne GmbH', LAND1: 'DE' },
      { MANDT: '100', KUNNR: '0010000002', NAME1: 'Indented Name', LAND1: 'US' },
    ]);
  });

  it('reads a one-row table as an array, an empty table as an empty one, and splits by the delimiter', () => {
    const answer = parseRfcAnswer('RFC_READ_TABLE', READ_TABLE_EDIDC, new Set(['OPTIONS', 'FIELDS', 'DATA']));
    assert.ok(answer.kind === 'response');
    assert.equal(Array.isArray(answer.result.tables.DATA), true);
    assert.deepEqual(answer.result.tables.OPTIONS, []);
    assert.deepEqual(readTableRows(answer.result, '|'), [{ DOCNUM: '0000000000004711', STATUS: '53' }]);
    assert.deepEqual(readTableRows(answer.result, undefined), [{ DOCNUM: '0000000000004711', STATUS: '53' }]);
  });

  it('splits a WHERE clause into OPTIONS rows of 72 characters between tokens', () => {
    const docnums = Array.from({ length: 8 }, (_, index) => `'${String(index + 1).padStart(16, '0')}'`);
    const rows = optionRows([`DOCNUM IN ( ${docnums.join(' , ')} )`, "STATUS EQ '53'"]);
    for (const row of rows) assert.ok(row.TEXT.length <= 72, row.TEXT);
    assert.equal(rows.map((row) => row.TEXT).join(' '), `( DOCNUM IN ( ${docnums.join(' , ')} ) ) AND ( STATUS EQ '53' )`);
    assert.deepEqual(optionRows(["NAME1 EQ 'A B  C'"]), [{ TEXT: "NAME1 EQ 'A B  C'" }]);
    assert.deepEqual(optionRows([]), []);
    assert.throws(() => optionRows([`NAME1 EQ '${'x'.repeat(80)}'`]), RangeError);
  });

  it('takes a BAPI RETURN table apart: errors, warnings, fields', () => {
    const answer = parseRfcAnswer('BAPI_SALESORDER_CREATEFROMDAT2', BAPI_ERROR_RESPONSE, new Set(['RETURN']));
    assert.ok(answer.kind === 'response');
    assert.equal(answer.result.exporting.SALESDOCUMENT, '');
    assert.deepEqual(bapiMessages(answer.result), [
      { type: 'W', id: 'V4', number: '248', message: 'Error in SALES_ITEM_IN 000010', field: null },
      { type: 'E', id: 'V1', number: '382', message: 'Sold-to party 0000099999 not maintained for sales area 1010 10 00', field: 'PARTN_NUMB' },
    ]);
    const structure = { exporting: { RETURN: { TYPE: '', ID: '', NUMBER: '000', MESSAGE: '' } }, tables: {} };
    assert.deepEqual(bapiMessages(structure), []);
    const old = { exporting: { RETURN: { TYPE: 'E', CODE: 'F2154', MESSAGE: 'Customer not found' } }, tables: {} };
    assert.deepEqual(bapiMessages(old), [{ type: 'E', id: 'F2', number: '154', message: 'Customer not found', field: null }]);
  });

  it('reads a SOAP fault with its exception', () => {
    const answer = parseRfcAnswer('RFC_READ_TABLE', SOAP_FAULT, new Set());
    assert.ok(answer.kind === 'fault');
    assert.equal(answer.fault.code, 'TABLE_NOT_AVAILABLE');
    assert.equal(answer.fault.message, 'Table ZIDOC_X is not available');
    assert.throws(() => parseRfcAnswer('X', '<html>Logon</html>', new Set()), /no SOAP Envelope\/Body/);
    assert.throws(() => parseRfcAnswer('X', '<a><b></a>', new Set()), /not well-formed XML/);
  });
});

describe('IDocs', () => {
  const system: Pick<SapSystemConfig, 'client' | 'idoc'> = { client: '100', idoc: { senderPort: 'INTERCHNG', senderPartner: 'INTERCHNG', receiverPort: 'SAPS4H', receiverPartner: 'S4HCLNT100' } };
  const order = {
    docnum: '4711',
    orderNumber: 'ORD-1 & <Co>',
    orderDate: new Date('2024-03-01T09:30:00Z'),
    currency: 'EUR',
    soldTo: '0010000001',
    items: [
      { position: 10, material: 'TG11', quantity: '2', unit: 'PCE', netPrice: '12.50' },
      { position: '20', material: 'TG12', quantity: 1.5, unit: 'KG', netPrice: 3 },
    ],
  };

  it('builds an ORDERS05 IDoc whose control record and segments parse back', () => {
    const xml = buildOrders05(system, order, new Date('2024-03-02T13:14:15Z'));
    assert.match(xml, /<BELNR>ORD-1 &amp; &lt;Co&gt;<\/BELNR>/);
    assert.match(xml, /<EDI_DC40 SEGMENT="1"><TABNAM>EDI_DC40<\/TABNAM><MANDT>100<\/MANDT><DOCNUM>0000000000004711<\/DOCNUM><DIRECT>2<\/DIRECT><IDOCTYP>ORDERS05<\/IDOCTYP><MESTYP>ORDERS<\/MESTYP><SNDPOR>INTERCHNG<\/SNDPOR><SNDPRT>LS<\/SNDPRT><SNDPRN>INTERCHNG<\/SNDPRN><RCVPOR>SAPS4H<\/RCVPOR><RCVPRT>LS<\/RCVPRT><RCVPRN>S4HCLNT100<\/RCVPRN><CREDAT>20240302<\/CREDAT><CRETIM>131415<\/CRETIM><\/EDI_DC40>/);
    const parsed = parseIdoc(xml);
    assert.ok(parsed.type === 'ORDERS');
    assert.equal(parsed.docnum, '0000000000004711');
    assert.equal(parsed.idocType, 'ORDERS05');
    assert.equal(parsed.control.RCVPRN, 'S4HCLNT100');
    assert.deepEqual(parsed.segments.map((segment) => segment.name), ['E1EDK01', 'E1EDKA1', 'E1EDK02', 'E1EDP01', 'E1EDP01']);
    assert.deepEqual(parsed.order, {
      soldTo: '0010000001',
      reference: 'ORD-1 & <Co>',
      orderDate: '2024-03-01',
      currency: 'EUR',
      documentNumber: 'ORD-1 & <Co>',
      partners: [{ role: 'AG', number: '0010000001' }],
      items: [
        { position: '000010', material: 'TG11', quantity: '2', unit: 'PCE', netPrice: '12.50' },
        { position: '000020', material: 'TG12', quantity: '1.5', unit: 'KG', netPrice: '3' },
      ],
    });
    assert.match(parseIdoc(buildOrders05(system, { ...order, docnum: undefined })).docnum, /^\d{16}$/);
  });

  it('refuses an order that does not fit the IDoc fields, naming each field', () => {
    const error = thrown(() => buildOrders05(system, { ...order, currency: 'euro', items: [{ position: 'x', material: '', quantity: '-1', unit: 'PIECES', netPrice: 'free' }] }), 'BAD_USER_INPUT');
    assert.deepEqual(
      (error.extensions.fields as { field: string }[]).map((field) => field.field),
      ['currency', 'items.0.position', 'items.0.material', 'items.0.quantity', 'items.0.unit', 'items.0.netPrice'],
    );
  });

  it('reads a DEBMAS07 customer, its e-mail from an extension segment', () => {
    const parsed = parseIdoc(DEBMAS07);
    assert.ok(parsed.type === 'DEBMAS');
    assert.equal(parsed.docnum, '0000000000123456');
    assert.equal(parsed.idocType, 'DEBMAS07');
    assert.equal(parsed.control.SNDPRN, 'S4HCLNT100');
    assert.deepEqual(parsed.customer, {
      customerNumber: '0010000001',
      name: 'Müller & Söhne GmbH',
      name2: null,
      street: 'Dietmar-Hopp-Allee 16',
      postalCode: '69190',
      city: 'Walldorf',
      country: 'DE',
      region: '08',
      phone: '+49 6227 7-47474',
      email: 'einkauf@mueller-soehne.example',
      language: 'DE',
      deleted: false,
    });
    assert.deepEqual(parsed.segments[0]!.children.map((segment) => segment.name), ['E1KNVVM', '/ACME/E1KNA1_MAIL']);
  });

  it('reads a MATMAS05 material with its English description', () => {
    const parsed = parseIdoc(MATMAS05);
    assert.ok(parsed.type === 'MATMAS');
    assert.equal(parsed.docnum, '0000000000987654');
    assert.deepEqual(parsed.material, {
      materialNumber: 'TG11',
      description: 'Trading Good 11',
      descriptions: [
        { language: 'DE', text: 'Handelsware 11' },
        { language: 'EN', text: 'Trading Good 11' },
      ],
      materialType: 'HAWA',
      baseUnit: 'PC',
      materialGroup: 'L001',
      deleted: false,
    });
  });

  it('refuses bad XML, a missing control record, an unknown type and two IDocs in one', () => {
    assert.match(thrown(() => parseIdoc('<DEBMAS07><IDOC>'), 'IDOC_INVALID').extensions.reason as string, /not well-formed XML/);
    assert.match(thrown(() => parseIdoc('<DEBMAS07><IDOC BEGIN="1"><E1KNA1M SEGMENT="1"><KUNNR>1</KUNNR></E1KNA1M></IDOC></DEBMAS07>'), 'IDOC_INVALID').message, /no control record/);
    const invoice = MATMAS05.replace('<MESTYP>MATMAS</MESTYP>', '<MESTYP>INVOIC</MESTYP>').replace('<IDOCTYP>MATMAS05</IDOCTYP>', '<IDOCTYP>INVOIC02</IDOCTYP>');
    assert.match(thrown(() => parseIdoc(invoice), 'IDOC_INVALID').message, /message type "INVOIC" \(IDoc type INVOIC02\) is not one the hub reads/);
    assert.match(thrown(() => parseIdoc(DEBMAS07.replace(/<KUNNR>.*<\/KUNNR>/, '')), 'IDOC_INVALID').message, /no E1KNA1M segment with a KUNNR/);
    const two = MATMAS05.replace('</IDOC></MATMAS05>', `</IDOC>${/<IDOC BEGIN="1">[\s\S]*<\/IDOC>/.exec(MATMAS05)![0]}</MATMAS05>`);
    assert.equal(parseIdocs(two).length, 2);
    assert.match(thrown(() => parseIdoc(two), 'IDOC_INVALID').message, /holds 2 IDocs/);
  });
});

// ---------------------------------------------------------------------------------------------
// The clients against recorded answers: a small server that answers as SAP did.
// ---------------------------------------------------------------------------------------------

interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

type Route = (req: Recorded, res: ServerResponse) => void;

async function startRecordedSap(route: Route) {
  const requests: Recorded[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const recorded = { method: req.method ?? '', path: decodeURIComponent(url.pathname), query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
    requests.push(recorded);
    route(recorded, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()).closeAllConnections()),
  };
}

function systemConfig(url: string, extra: Record<string, string> = {}): SapSystemConfig {
  const [config] = sapSystemsFromEnv({ SAP_SYSTEMS: 'S4H', SAP_S4H_URL: url, SAP_S4H_CLIENT: '100', SAP_S4H_USER: 'INTERCHANGE', SAP_S4H_PASSWORD: 'simulator', SAP_S4H_TIMEOUT_MS: '2000', ...extra });
  return config!;
}

describe('the OData and RFC clients against recorded answers', () => {
  let sap: Awaited<ReturnType<typeof startRecordedSap>>;
  let connector: SapConnector;
  let etag = `W/"datetimeoffset'2023-11-14T22%3A13%3A20.1234560Z'"`;
  let csrfTokens = 0;
  let refuseNextToken = false;

  before(async () => {
    sap = await startRecordedSap((req, res) => {
      const json = (status: number, body: string, headers: Record<string, string> = {}) => res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', dataserviceversion: '2.0', ...headers }).end(body);
      const so = '/sap/opu/odata/sap/API_SALES_ORDER_SRV';
      if (req.query.get('sap-client') !== '100' || req.query.getAll('sap-client').length !== 1) return json(400, '{"error":{"code":"/IWFND/CM_BEC/026","message":{"value":"sap-client missing"}}}');
      if (req.headers.authorization !== `Basic ${Buffer.from('INTERCHANGE:simulator').toString('base64')}`) return res.writeHead(401, { 'www-authenticate': 'Basic realm="SAP NetWeaver Application Server [S4H/100]"' }).end();
      if (req.path.endsWith('/$metadata')) return res.writeHead(200, { 'content-type': 'application/xml' }).end(req.path.startsWith(so) ? SALES_ORDER_METADATA : BUSINESS_PARTNER_METADATA);
      if (req.method === 'GET' && req.path === `${so}/` && req.headers['x-csrf-token'] === 'Fetch') {
        csrfTokens += 1;
        return json(200, '{"d":{"EntitySets":["A_SalesOrder"]}}', { 'x-csrf-token': `token-${csrfTokens}`, 'set-cookie': `sap-XSRF_S4H_100=cookie-${csrfTokens}; path=/sap/opu/odata/; secure; HttpOnly` });
      }
      if (req.method === 'GET' && req.path === `${so}/A_SalesOrder`) {
        if (req.query.get('$skiptoken') === '1') return json(200, SALES_ORDER_PAGE_2);
        if (req.query.get('$filter') === 'broken') return res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Logon</body></html>');
        if (req.query.get('$filter') === 'nod') return json(200, '{"results":[]}');
        return json(200, SALES_ORDER_PAGE_1);
      }
      if (req.method === 'GET' && req.path === `${so}/A_SalesOrder('404')`) return json(404, SAP_ERROR_BODY);
      if (req.method === 'GET' && req.path === `${so}/A_SalesOrder('400')`) return json(400, SAP_ERROR_BODY);
      if (req.method === 'GET' && req.path === `${so}/A_SalesOrder('1')`) return json(200, JSON.stringify({ d: { __metadata: { type: 'API_SALES_ORDER_SRV.A_SalesOrderType' }, SalesOrder: '1', TotalNetAmount: '5.00' } }), { etag });
      if (req.method === 'PATCH' && req.path === `${so}/A_SalesOrder('1')`) {
        const token = `token-${csrfTokens}`;
        if (refuseNextToken || req.headers['x-csrf-token'] !== token || req.headers.cookie !== `sap-XSRF_S4H_100=cookie-${csrfTokens}`) {
          refuseNextToken = false;
          return res.writeHead(403, { 'x-csrf-token': 'Required', 'content-type': 'text/plain' }).end('CSRF token validation failed');
        }
        if (req.headers['if-match'] !== etag) return json(412, JSON.stringify({ error: { code: '/IWBEP/CM_MGW_RT/020', message: { value: 'Precondition failed' } } }));
        etag = 'W/"changed"';
        return res.writeHead(204, { etag }).end();
      }
      if (req.method === 'POST' && req.path === '/sap/bc/soap/rfc' && req.body.includes('STFC_CONNECTION')) {
        const xml = (body: string) => res.writeHead(body.includes('Fault') ? 500 : 200, { 'content-type': 'text/xml; charset=utf-8', ...(req.query.get('sap-sessioncmd') === 'open' && !req.body.includes('NOSESSION') ? { 'set-cookie': 'sap-contextid=SID%3aANON%3as4h_00%3actx-1-NEW; path=/sap/bc/soap/rfc' } : {}), ...(req.headers.cookie ? { 'set-cookie': 'sap-contextid=; path=/sap/bc/soap/rfc; expires=Thu, 01 Jan 1970 00:00:00 GMT' } : {}) }).end(body);
        if (req.headers.cookie) return xml(SOAP('<soap-env:Fault><faultcode>soap-env:Server</faultcode><faultstring>SESSION_NOT_FOUND</faultstring></soap-env:Fault>'));
        return xml(SOAP('<n0:STFC_CONNECTION.Response xmlns:n0="urn:sap-com:document:sap:rfc:functions"><ECHOTEXT>hello</ECHOTEXT><RESPTEXT>SAP R/3 Rel. 758</RESPTEXT></n0:STFC_CONNECTION.Response>'));
      }
      if (req.method === 'POST' && req.path === '/sap/bc/soap/rfc') {
        const xml = req.body.includes('RFC_READ_TABLE') ? (req.body.includes('ZIDOC_X') ? SOAP_FAULT : READ_TABLE_KNA1) : BAPI_ERROR_RESPONSE;
        return res.writeHead(xml === SOAP_FAULT ? 500 : 200, { 'content-type': 'text/xml; charset=utf-8' }).end(xml);
      }
      json(404, SAP_ERROR_BODY);
    });
    connector = new SapConnector([systemConfig(sap.url)], { logger });
  });

  after(async () => {
    await connector.close();
    await sap.close();
  });

  it('follows __next on its own origin, with sap-client once and $format=json added', async () => {
    const before = sap.requests.length;
    const page = await connector.system('S4H').odata.listAll('salesOrder', 'A_SalesOrder', { expand: ['to_Item'], inlineCount: true });
    assert.deepEqual(page.results.map((order) => order.SalesOrder), ['1', '2']);
    assert.equal(page.count, 2);
    assert.equal(page.next, undefined);
    assert.equal(page.results[1]!.CreationDate, '0001-01-01T00:00:00.000Z');
    assert.equal(page.results[1]!.TotalNetAmount, '0.000');
    assert.deepEqual(page.results[1]!.to_Item, []);
    const paging = sap.requests.slice(before).filter((req) => req.path.endsWith('/A_SalesOrder'));
    assert.equal(paging.length, 2);
    assert.equal(paging[1]!.query.get('$format'), 'json');
    assert.equal(paging[1]!.query.get('$skiptoken'), '1');
  });

  it('stops after maxPages and says more pages wait', async () => {
    const page = await connector.system('S4H').odata.listAll('salesOrder', 'A_SalesOrder', {}, { maxPages: 1 });
    assert.equal(page.results.length, 1);
    assert.match(page.next ?? '', /\$skiptoken=1/);
  });

  it('answers null for a 404 and takes the ETag from the header of a single read', async () => {
    const odata = connector.system('S4H').odata;
    assert.equal(await odata.get('salesOrder', 'A_SalesOrder', '404'), null);
    const order = await odata.get('salesOrder', 'A_SalesOrder', '1');
    assert.equal(order?.__etag, etag);
    assert.equal(order?.TotalNetAmount, '5.00');
  });

  it('turns an SAP error body into SAP_ERROR with its code, message and details', async () => {
    const error = await rejection(connector.system('S4H').odata.get('salesOrder', 'A_SalesOrder', '400'), 'SAP_ERROR');
    assert.equal(error.extensions.system, 'S4H');
    assert.equal(error.extensions.httpStatus, 400);
    assert.deepEqual(error.extensions.sap, {
      code: 'SY/530',
      message: 'Business partner 0099999999 does not exist',
      details: [
        { code: 'R1/086', message: 'Business partner 0099999999 does not exist', severity: 'error', target: 'BusinessPartner' },
        { code: '/IWBEP/CX_MGW_BUSI_EXCEPTION', message: 'Resource not found', severity: 'error', target: null },
      ],
    });
    assert.match(error.message, /SAP system S4H refused GET \/sap\/opu\/odata\/sap\/API_SALES_ORDER_SRV\/A_SalesOrder\('400'\): Business partner 0099999999 does not exist \[SY\/530\]/);
  });

  it('calls a malformed answer SAP_BAD_RESPONSE, naming the system and the request', async () => {
    const odata = connector.system('S4H').odata;
    const html = await rejection(odata.list('salesOrder', 'A_SalesOrder', { filter: 'broken' }), 'SAP_BAD_RESPONSE');
    assert.equal(html.extensions.request, 'GET /sap/opu/odata/sap/API_SALES_ORDER_SRV/A_SalesOrder');
    assert.match(html.message, /S4H.*not JSON \(text\/html\)/);
    await rejection(odata.list('salesOrder', 'A_SalesOrder', { filter: 'nod' }), 'SAP_BAD_RESPONSE');
    assert.match(connector.system('S4H').status().lastError?.message ?? '', /unreadable answer/);
  });

  it('fetches the CSRF token once, sends its cookie along, refetches once when SAP refuses it, and maps 412 to SAP_CONFLICT', async () => {
    const odata = connector.system('S4H').odata;
    const fetches = () => sap.requests.filter((req) => req.headers['x-csrf-token'] === 'Fetch').length;
    assert.deepEqual(await odata.update('salesOrder', 'A_SalesOrder', '1', { TotalNetAmount: 6 }, etag), { etag: 'W/"changed"' });
    const patch = sap.requests.at(-1)!;
    assert.equal(patch.body, '{"TotalNetAmount":"6"}');
    assert.equal(fetches(), 1);
    await odata.update('salesOrder', 'A_SalesOrder', '1', { TotalNetAmount: 7 }, etag);
    assert.equal(fetches(), 1);
    refuseNextToken = true;
    await odata.update('salesOrder', 'A_SalesOrder', '1', { TotalNetAmount: 8 }, etag);
    assert.equal(fetches(), 2);
    const conflict = await rejection(odata.update('salesOrder', 'A_SalesOrder', '1', { TotalNetAmount: 9 }, 'W/"stale"'), 'SAP_CONFLICT');
    assert.equal(conflict.extensions.httpStatus, 412);
  });

  it('reads a table through RFC_READ_TABLE and turns a SOAP fault into SAP_ERROR', async () => {
    const rfc = connector.system('S4H').rfc;
    const rows = await rfc.readTable('KNA1', { fields: ['MANDT', 'KUNNR', 'NAME1', 'LAND1'], where: ["LAND1 IN ( 'DE' , 'US' )"] });
    assert.equal(rows.length, 2);
    const sent = sap.requests.at(-1)!;
    assert.match(sent.body, /<QUERY_TABLE>KNA1<\/QUERY_TABLE>/);
    assert.match(sent.body, /<OPTIONS><item><TEXT>LAND1 IN \( 'DE' , 'US' \)<\/TEXT><\/item><\/OPTIONS>/);
    assert.equal(sent.headers['content-type'], 'text/xml; charset=utf-8');
    const fault = await rejection(rfc.readTable('ZIDOC_X'), 'SAP_ERROR');
    assert.equal((fault.extensions.sap as { code: string }).code, 'TABLE_NOT_AVAILABLE');
    assert.equal(fault.extensions.httpStatus, 500);
  });

  it('rejects a BAPI with an error message with SAP_ERROR carrying every message', async () => {
    const error = await rejection(connector.system('S4H').rfc.call('BAPI_SALESORDER_CREATEFROMDAT2', { tables: { RETURN: [] } }), 'SAP_ERROR');
    const sap = error.extensions.sap as { code: string; messages: unknown[]; function: string };
    assert.equal(sap.code, 'V1/382');
    assert.equal(sap.function, 'BAPI_SALESORDER_CREATEFROMDAT2');
    assert.equal(sap.messages.length, 2);
    assert.match(error.message, /Sold-to party 0000099999 not maintained/);
  });

  it('never commits outside its stateful session: not when SAP opened none, not when it ended', async () => {
    const rfc = connector.system('S4H').rfc;
    const functions = (from: number) => sap.requests.slice(from).map((req) => /<urn:(\w+)/.exec(req.body)?.[1] ?? `(${req.query.get('sap-sessioncmd')})`);
    let from = sap.requests.length;
    const unopened = await rejection(rfc.transaction((session) => session.call('STFC_CONNECTION', { importing: { REQUTEXT: 'NOSESSION' } })), 'SAP_BAD_RESPONSE');
    assert.match(unopened.message, /did not open a stateful session/);
    assert.deepEqual(functions(from), ['STFC_CONNECTION']);

    from = sap.requests.length;
    const ended = await rejection(
      rfc.transaction(async (session) => {
        await session.call('STFC_CONNECTION', { importing: { REQUTEXT: 'first' } });
        await session.call('STFC_CONNECTION', { importing: { REQUTEXT: 'second' } });
      }),
      'SAP_ERROR',
    );
    assert.equal((ended.extensions.sap as { code: string }).code, 'SESSION_NOT_FOUND');
    // The session's cookie was cleared with the fault: neither a rollback nor a close is sent into nowhere.
    assert.deepEqual(functions(from), ['STFC_CONNECTION', 'STFC_CONNECTION']);
  });

  it('names an unknown system as BAD_USER_INPUT on the field system', () => {
    const error = thrown(() => connector.system('ERP'), 'BAD_USER_INPUT');
    assert.deepEqual(error.extensions.fields, [{ field: 'system', message: 'must be one of S4H' }]);
  });
});

describe('OAuth2 client credentials against a recorded token endpoint', () => {
  let sap: Awaited<ReturnType<typeof startRecordedSap>>;
  let connector: SapConnector;
  let issued = 0;
  const valid = new Set<string>();
  const lines: string[] = [];

  before(async () => {
    sap = await startRecordedSap((req, res) => {
      if (req.path === '/sap/bc/sec/oauth2/token') {
        const client = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
        const form = new URLSearchParams(req.body);
        if (client !== 'interchange:simulator-secret' || form.get('grant_type') !== 'client_credentials') {
          return res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client","error_description":"Client authentication failed"}');
        }
        issued += 1;
        valid.add(`token-${issued}`);
        // SAP's NetWeaver OAuth server writes expires_in as a string.
        return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: `token-${issued}`, token_type: 'Bearer', expires_in: '3600', scope: form.get('scope') ?? '' }));
      }
      if (!valid.has((req.headers.authorization ?? '').replace(/^Bearer /, ''))) return res.writeHead(401).end();
      res.writeHead(200, { 'content-type': 'application/xml' }).end(BUSINESS_PARTNER_METADATA);
    });
    const oauth = (secret: string) => ({
      SAP_S4H_USER: '',
      SAP_S4H_PASSWORD: '',
      SAP_S4H_OAUTH_TOKEN_URL: `${sap.url}/sap/bc/sec/oauth2/token`,
      SAP_S4H_OAUTH_CLIENT_ID: 'interchange',
      SAP_S4H_OAUTH_CLIENT_SECRET: secret,
    });
    const captured = pino({ level: 'trace' }, new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) }));
    connector = new SapConnector([systemConfig(sap.url, oauth('simulator-secret')), { ...systemConfig(sap.url, oauth('wrong-secret-value')), id: 'BAD' }], { logger: captured });
  });

  after(async () => {
    await connector.close();
    await sap.close();
  });

  it('fetches a token once, shares it, and fetches a new one once when SAP refuses it', async () => {
    const odata = connector.system('S4H').odata;
    await Promise.all([odata.metadata('/sap/opu/odata/sap/A'), odata.metadata('/sap/opu/odata/sap/B')]);
    assert.equal(issued, 1);
    valid.clear();
    await odata.metadata('/sap/opu/odata/sap/C');
    assert.equal(issued, 2);
    const calls = sap.requests.filter((req) => req.path === '/sap/opu/odata/sap/C/$metadata');
    assert.deepEqual(calls.map((req) => req.headers.authorization), ['Bearer token-1', 'Bearer token-2']);
  });

  it('reports a refused client as SAP_ERROR without its secret', async () => {
    const error = await rejection(connector.system('BAD').odata.metadata('/sap/opu/odata/sap/D'), 'SAP_ERROR');
    assert.equal(error.extensions.httpStatus, 401);
    assert.match(error.message, /the OAuth2 token endpoint refused the client \(HTTP 401\): Client authentication failed/);
    assert.doesNotMatch(JSON.stringify(error) + error.message, /wrong-secret-value/);
  });

  it('logs neither secrets nor tokens nor Authorization headers', () => {
    assert.ok(lines.some((line) => /refused the OAuth2 token/.test(line)));
    assert.doesNotMatch(lines.join(''), /simulator-secret|wrong-secret-value|token-\d|Bearer|Basic |authorization/i);
  });
});

describe('a system that does not answer', () => {
  it('answers SAP_UNAVAILABLE and shows it in status()', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const connector = new SapConnector([systemConfig(`http://127.0.0.1:${port}`, { SAP_S4H_MAX_ATTEMPTS: '2' })], { logger });
    try {
      const system = connector.system('S4H');
      assert.equal(system.status().reachable, null);
      const error = await rejection(system.odata.metadata('businessPartner'), 'SAP_UNAVAILABLE');
      assert.equal(error.extensions.retriable, true);
      assert.equal(error.extensions.reason, 'ECONNREFUSED');
      const status = system.status();
      assert.equal(status.reachable, false);
      assert.equal(status.circuit, 'closed');
      assert.equal(status.poolInUse, 0);
      assert.match(status.lastError?.message ?? '', /ECONNREFUSED \(GET \/sap\/opu\/odata\/sap\/API_BUSINESS_PARTNER\/\$metadata\)/);
      assert.equal(status.lastSuccessAt, null);
    } finally {
      await connector.close();
    }
  });
});

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('an X.509 client certificate', { skip: !hasOpenssl && 'openssl is not installed' }, () => {
  let folder: string;
  let server: ReturnType<typeof createHttpsServer>;
  let url: string;
  const seen: { subject: string | undefined; authorization: string | undefined }[] = [];

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'sap-tls-'));
    const file = (name: string) => join(folder, name);
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: folder, stdio: 'ignore' });
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=Interchange Test CA');
    writeFileSync(file('server.ext'), 'subjectAltName=IP:127.0.0.1\n');
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
    openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', 'server.ext');
    openssl('req', '-newkey', 'rsa:2048', '-keyout', 'client.key', '-passout', 'pass:key-passphrase', '-out', 'client.csr', '-subj', '/CN=INTERCHANGE');
    openssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.pem', '-days', '1');
    server = createHttpsServer({ key: readFileSync(file('server.key')), cert: readFileSync(file('server.pem')), ca: readFileSync(file('ca.pem')), requestCert: true, rejectUnauthorized: true }, (req, res) => {
      seen.push({ subject: String((req.socket as TLSSocket).getPeerCertificate().subject?.CN), authorization: req.headers.authorization });
      res.writeHead(200, { 'content-type': 'application/xml' }).end(BUSINESS_PARTNER_METADATA);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()).closeAllConnections());
    rmSync(folder, { recursive: true });
  });

  it('identifies the hub by its certificate alone, an encrypted key opened by its passphrase', async () => {
    const [config] = sapSystemsFromEnv({
      SAP_SYSTEMS: 'S4H',
      SAP_S4H_URL: url,
      SAP_S4H_CLIENT: '100',
      SAP_S4H_CERT_FILE: join(folder, 'client.pem'),
      SAP_S4H_KEY_FILE: join(folder, 'client.key'),
      SAP_S4H_CA_FILE: join(folder, 'ca.pem'),
      SAP_S4H_KEY_PASSPHRASE: 'key-passphrase',
    });
    assert.equal(config!.auth.kind, 'certificate');
    assert.doesNotMatch(JSON.stringify(config) + inspect(config, { depth: 10 }), /PRIVATE KEY|key-passphrase/);
    const connector = new SapConnector([config!], { logger });
    try {
      const metadata = await connector.system('S4H').odata.metadata('businessPartner');
      assert.ok(metadata.entitySet('A_BusinessPartner'));
      assert.deepEqual(seen.at(-1), { subject: 'INTERCHANGE', authorization: undefined });
    } finally {
      await connector.close();
    }
  });

  it('answers SAP_UNAVAILABLE when the server refuses a client without a certificate', async () => {
    const [config] = sapSystemsFromEnv({ SAP_SYSTEMS: 'S4H', SAP_S4H_URL: url, SAP_S4H_CLIENT: '100', SAP_S4H_USER: 'INTERCHANGE', SAP_S4H_PASSWORD: 'simulator', SAP_S4H_CA_FILE: join(folder, 'ca.pem'), SAP_S4H_MAX_ATTEMPTS: '1' });
    const connector = new SapConnector([config!], { logger });
    try {
      await rejection(connector.system('S4H').odata.metadata('businessPartner'), 'SAP_UNAVAILABLE');
    } finally {
      await connector.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Against the bundled SAP simulator (simulators/sap): real HTTP, SAP's wire formats, faults.
// ---------------------------------------------------------------------------------------------

describe('the connector against the SAP simulator', () => {
  let simulator: RunningSapSimulator;
  let connector: SapConnector;
  const ids = ['S4H', 'ERP', 'RTY', 'TMO', 'BRK'] as const;
  const partners = Array.from({ length: 200 }, (_, index) => String(10_000_001 + index).padStart(10, '0'));

  before(async () => {
    simulator = await startSapSimulator({ port: 0, systems: ids.map((id) => ({ id, client: '100' })), tokenLifetimeSeconds: 1, idocProcessingDelayMs: 10 });
    const env: Record<string, string> = { SAP_SYSTEMS: ids.join(',') };
    for (const id of ids) {
      Object.assign(env, { [`SAP_${id}_URL`]: simulator.systemUrl(id), [`SAP_${id}_CLIENT`]: '100', [`SAP_${id}_USER`]: 'INTERCHANGE', [`SAP_${id}_PASSWORD`]: 'simulator' });
    }
    Object.assign(env, {
      SAP_ERP_USER: '',
      SAP_ERP_PASSWORD: '',
      SAP_ERP_TYPE: 'ERP',
      SAP_ERP_OAUTH_TOKEN_URL: `${simulator.systemUrl('ERP')}/sap/bc/sec/oauth2/token`,
      SAP_ERP_OAUTH_CLIENT_ID: 'interchange',
      SAP_ERP_OAUTH_CLIENT_SECRET: 'simulator-secret',
      SAP_RTY_BREAKER_FAILURES: '100',
      SAP_TMO_TIMEOUT_MS: '200',
      SAP_TMO_MAX_ATTEMPTS: '1',
      SAP_BRK_BREAKER_FAILURES: '3',
      SAP_BRK_BREAKER_RESET_MS: '60000',
      SAP_BRK_MAX_ATTEMPTS: '1',
    });
    connector = new SapConnector(sapSystemsFromEnv(env), { logger });
  });

  afterEach(() => simulator.clearFaults());

  after(async () => {
    await connector.close();
    await simulator.stop();
  });

  /** Requests of `kind` the simulator received for `id` while `run` ran. */
  async function counted<T>(id: string, kind: string, run: () => Promise<T>): Promise<{ result: T; requests: number }> {
    const before = simulator.counts(id)[kind] ?? 0;
    const result = await run();
    return { result, requests: (simulator.counts(id)[kind] ?? 0) - before };
  }

  it('follows __next through every page and converts the values by $metadata', async () => {
    const odata = connector.system('S4H').odata;
    await odata.metadata('businessPartner');
    // The simulator pages at 100 rows, as SAP Gateway's default server-driven paging might.
    const { result, requests } = await counted('S4H', 'odata', () => odata.listAll('businessPartner', 'A_BusinessPartner', { select: ['BusinessPartner', 'CreationDate', 'LastChangeDate'], inlineCount: true }));
    assert.equal(requests, 2);
    assert.equal(result.count, 200);
    assert.deepEqual(result.results.map((partner) => partner.BusinessPartner), partners);
    const first = result.results[0]!;
    assert.match(String(first.CreationDate), /^\d{4}-\d{2}-\d{2}T00:00:00\.000Z$/);
    assert.match(String(first.__etag), /^W\/"datetime'/);
    const page = await odata.list('businessPartner', 'A_BusinessPartner', { top: 5, skip: 10, orderby: 'BusinessPartner desc' });
    assert.deepEqual(page.results.map((partner) => partner.BusinessPartner), partners.slice(-15, -10).reverse());
  });

  it('asks for 50 business partners in one request', async () => {
    const odata = connector.system('S4H').odata;
    const wanted = partners.filter((_, index) => index % 4 === 0).slice(0, 50);
    const { result, requests } = await counted('S4H', 'odata', () => odata.listAnyOf('businessPartner', 'A_BusinessPartner', 'BusinessPartner', [...wanted, 'NO-SUCH-ONE'], { select: ['BusinessPartner'] }));
    assert.equal(requests, 1);
    assert.deepEqual(result.map((partner) => partner.BusinessPartner).sort(), wanted);
  });

  it('decodes decimals and expanded items of sales orders', async () => {
    const order = await connector.system('S4H').odata.get('salesOrder', 'A_SalesOrder', '5000000001', { expand: ['to_Item'] });
    assert.ok(order);
    assert.match(String(order.TotalNetAmount), /^-?\d+(\.\d+)?$/);
    const items = order.to_Item as Record<string, unknown>[];
    assert.ok(items.length >= 1);
    assert.match(String(items[0]!.RequestedQuantity), /^\d+(\.\d+)?$/);
    assert.equal(await connector.system('S4H').odata.get('salesOrder', 'A_SalesOrder', '9999999999'), null);
  });

  it('reuses the CSRF token, fetches a new one once after SAP expired it, and maps a stale ETag to SAP_CONFLICT', async () => {
    const odata = connector.system('S4H').odata;
    const partner = await odata.get('businessPartner', 'A_BusinessPartner', '0010000002');
    assert.ok(partner?.__etag);
    const first = await counted('S4H', 'csrfFetch', () => odata.update('businessPartner', 'A_BusinessPartner', '0010000002', { SearchTerm1: 'FIRST' }, partner.__etag));
    assert.ok(first.result.etag);
    await sleep(2);
    const second = await counted('S4H', 'csrfFetch', () => odata.update('businessPartner', 'A_BusinessPartner', '0010000002', { SearchTerm1: 'SECOND' }, first.result.etag));
    assert.deepEqual([first.requests, second.requests], [1, 0]);

    simulator.setFault('S4H', { expireCsrfTokens: true });
    await sleep(2);
    const before = simulator.counts('S4H');
    const third = await odata.update('businessPartner', 'A_BusinessPartner', '0010000002', { SearchTerm1: 'THIRD' }, second.result.etag);
    const after = simulator.counts('S4H');
    assert.equal(after.csrfFetch! - before.csrfFetch!, 1);
    // The refused PATCH, the token fetch, the PATCH again.
    assert.equal(after.odata! - before.odata!, 3);
    assert.equal((await odata.get('businessPartner', 'A_BusinessPartner', '0010000002'))?.SearchTerm1, 'THIRD');

    const conflict = await rejection(odata.update('businessPartner', 'A_BusinessPartner', '0010000002', { SearchTerm1: 'STALE' }, partner.__etag), 'SAP_CONFLICT');
    assert.equal(conflict.extensions.system, 'S4H');
    assert.ok(third.etag);
  });

  it('creates an entity with a deep insert and answers it decoded', async () => {
    const created = await connector.system('S4H').odata.create('salesOrder', 'A_SalesOrder', {
      SalesOrderType: 'OR',
      SalesOrganization: '1010',
      DistributionChannel: '10',
      OrganizationDivision: '00',
      SoldToParty: '0010000001',
      PurchaseOrderByCustomer: 'HUB-DEEP-1',
      to_Item: [{ Material: 'MAT-0001', RequestedQuantity: '2', RequestedQuantityUnit: 'PC' }],
    });
    assert.ok(created?.SalesOrder);
    assert.equal(created.PurchaseOrderByCustomer, 'HUB-DEEP-1');
  });

  it('speaks OAuth2: one token while it lives, a new one after it expired', async () => {
    const odata = connector.system('ERP').odata;
    const first = await counted('ERP', 'token', async () => {
      await odata.list('product', 'A_Product', { top: 1 });
      await odata.list('product', 'A_Product', { top: 1 });
    });
    assert.equal(first.requests, 1);
    await sleep(1_100);
    const second = await counted('ERP', 'token', () => odata.list('product', 'A_Product', { top: 1 }));
    assert.equal(second.requests, 1);
    assert.equal(connector.system('ERP').status().reachable, true);
  });

  it('retries a read on 503 but never a write', async () => {
    const odata = connector.system('RTY').odata;
    const partner = await odata.get('businessPartner', 'A_BusinessPartner', '0010000004');
    const { result: changed } = await counted('RTY', 'odata', () => odata.update('businessPartner', 'A_BusinessPartner', '0010000004', { SearchTerm1: 'WARM' }, partner!.__etag));

    simulator.setFault('RTY', { failStatus: 503 });
    const read = await counted('RTY', 'odata', () => rejection(odata.list('businessPartner', 'A_BusinessPartner', { top: 1 }), 'SAP_UNAVAILABLE'));
    assert.equal(read.requests, 3);
    assert.equal(read.result.extensions.httpStatus, 503);
    const write = await counted('RTY', 'odata', () => rejection(odata.update('businessPartner', 'A_BusinessPartner', '0010000004', { SearchTerm1: 'COLD' }, changed.etag), 'SAP_UNAVAILABLE'));
    assert.equal(write.requests, 1);

    simulator.setFault('RTY', { failStatus: 503, failRate: 0.5 });
    const flaky = await counted('RTY', 'odata', () => odata.list('businessPartner', 'A_BusinessPartner', { top: 1 }));
    assert.equal(flaky.result.results.length, 1);
    assert.ok(flaky.requests >= 1 && flaky.requests <= 2);
  });

  it('answers SAP_UNAVAILABLE when connections are reset, after retrying the read', async () => {
    const odata = connector.system('RTY').odata;
    simulator.setFault('RTY', { resetConnections: true });
    const { result: error, requests } = await counted('RTY', 'odata', () => rejection(odata.list('businessPartner', 'A_BusinessPartner', { top: 1 }), 'SAP_UNAVAILABLE'));
    assert.equal(requests, 3);
    assert.match(String(error.extensions.reason), /UND_ERR_SOCKET|ECONNRESET|other side closed/);
  });

  it('gives up on a slow system after its timeout', async () => {
    simulator.setFault('TMO', { latencyMs: 1_000 });
    const error = await rejection(connector.system('TMO').odata.metadata('businessPartner'), 'SAP_UNAVAILABLE');
    assert.match(String(error.extensions.reason), /^timeout after 200 ms$/);
    assert.equal(connector.system('TMO').status().poolInUse, 0);
  });

  it('opens the circuit after repeated failures and then answers without a request', async () => {
    const system = connector.system('BRK');
    simulator.setFault('BRK', { failStatus: 502 });
    for (let attempt = 0; attempt < 3; attempt++) await rejection(system.odata.metadata('businessPartner'), 'SAP_UNAVAILABLE');
    assert.equal(system.status().circuit, 'open');
    simulator.clearFaults('BRK');
    const { result: error, requests } = await counted('BRK', 'metadata', () => rejection(system.odata.metadata('businessPartner'), 'SAP_UNAVAILABLE'));
    assert.equal(requests, 0);
    assert.match(String(error.extensions.reason), /circuit open/);
    const status = system.status();
    assert.equal(status.reachable, false);
    assert.match(status.lastError?.message ?? '', /HTTP 502/);
  });

  it("commits a BAPI's change in a stateful session, and rolls it back when the work fails", async () => {
    const rfc = connector.system('S4H').rfc;
    const change = (name: string) => ({
      importing: { CUSTOMERNO: '0010000008', PI_COMPANYDATA: { NAME: name }, PI_COMPANYDATAX: { NAME: 'X' }, PI_SALESORG: '1010', PI_DISTR_CHAN: '10', PI_DIVISION: '00' },
    });
    const name = async () => (await rfc.readTable('KNA1', { fields: ['KUNNR', 'NAME1'], where: ["KUNNR EQ '0010000008'"] }))[0]?.NAME1;
    const original = await name();

    const { result: committed, requests } = await counted('S4H', 'soap', () => rfc.transaction(async (session) => session.call('BAPI_CUSTOMER_CHANGEFROMDATA1', change('Committed Name AG'))));
    // The change (opening the session), the commit, the close.
    assert.equal(requests, 3);
    assert.equal(committed.exporting.PE_COMPANYDATA && (committed.exporting.PE_COMPANYDATA as Record<string, string>).NAME, 'Committed Name AG');
    assert.equal(await name(), 'Committed Name AG');

    await assert.rejects(
      rfc.transaction(async (session) => {
        await session.call('BAPI_CUSTOMER_CHANGEFROMDATA1', change('Never Saved AG'));
        throw new Error('the hub changed its mind');
      }),
      /the hub changed its mind/,
    );
    assert.equal(await name(), 'Committed Name AG');
    assert.deepEqual(simulator.rfcTransactions('S4H').slice(-2).map((record) => record.outcome), ['committed', 'rolled-back']);
    const failing = await counted('S4H', 'soap', () =>
      rejection(rfc.transaction((session) => session.call('BAPI_CUSTOMER_CHANGEFROMDATA1', { importing: { CUSTOMERNO: '0099999999', PI_COMPANYDATA: { NAME: 'X' }, PI_COMPANYDATAX: { NAME: 'X' } } })), 'SAP_ERROR'),
    );
    assert.match(failing.result.message, /Customer 0099999999 does not exist/);
    // The refused change, the rollback, the close: no commit.
    assert.equal(failing.requests, 3);
    assert.notEqual(original, 'Committed Name AG');
  });

  it('sends an ORDERS05 IDoc and reads its status 53 from EDIDC and EDIDS', async () => {
    const system = connector.system('S4H');
    const order = (soldTo: string, orderNumber: string) =>
      buildOrders05(system.config, { orderNumber, orderDate: new Date('2024-03-01T00:00:00Z'), currency: 'EUR', soldTo, items: [{ position: 10, material: 'MAT-0001', quantity: 2, unit: 'PC', netPrice: '12.50' }] });
    const { result: sent, requests } = await counted('S4H', 'idoc', () => system.idoc.send(order('0010000001', 'HUB-IDOC-1')));
    assert.equal(requests, 1);
    assert.match(sent.docnum, /^\d{16}$/);
    const refused = await system.idoc.send(order('0099999999', 'HUB-IDOC-2'));

    let statuses = await system.idoc.status([sent.docnum, refused.docnum, '42']);
    for (let round = 0; round < 50 && statuses.some((status) => status.status !== '53' && status.status !== '51'); round++) {
      await sleep(20);
      statuses = await system.idoc.status([sent.docnum, refused.docnum]);
    }
    assert.deepEqual(statuses.map((status) => [status.docnum, status.status]), [[sent.docnum, '53'], [refused.docnum, '51']]);
    assert.ok(statuses[0]!.statusText.length > 0);
    assert.equal(simulator.idocs('S4H').find((idoc) => idoc.docnum === sent.docnum)?.status, '53');
  });

  it('reports each system\'s health', () => {
    const status = connector.system('S4H').status();
    assert.equal(status.id, 'S4H');
    assert.equal(status.type, 'S4HANA');
    assert.equal(status.reachable, true);
    assert.equal(status.circuit, 'closed');
    assert.equal(status.poolSize, 10);
    assert.equal(status.poolInUse, 0);
    assert.ok(status.lastSuccessAt instanceof Date);
    assert.deepEqual(connector.systems().map((system) => system.id), [...ids]);
  });
});
