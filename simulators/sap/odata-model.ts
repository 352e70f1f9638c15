import { escapeXml } from './http-helpers.js';
import { alpha, type Row, type SapDataStore } from './sap-data-store.js';

/**
 * The three OData v2 services the simulator serves, as their entity data model: entity types
 * (a realistic subset of the properties of SAP's API_BUSINESS_PARTNER, API_PRODUCT_SRV and
 * API_SALES_ORDER_SRV), navigation properties, and how each entity set finds its rows in a
 * system's SapDataStore. `$metadata` documents are built once, at module load.
 */
export type EdmType = 'Edm.String' | 'Edm.Boolean' | 'Edm.DateTime' | 'Edm.DateTimeOffset' | 'Edm.Decimal' | 'Edm.Time' | 'Edm.Guid';

export interface PropertyDef {
  readonly name: string;
  readonly type: EdmType;
  readonly label: string;
  readonly maxLength?: number;
  readonly precision?: number;
  readonly scale?: number;
  readonly key: boolean;
  /** SAP's ALPHA conversion applies: '10000001' and '0010000001' are the same value. */
  readonly alpha: boolean;
  readonly creatable: boolean;
  readonly updatable: boolean;
  /** Edm.DateTime shown as a date (sap:display-format="Date"). */
  readonly dateOnly: boolean;
  /** The property the ETag is computed from (ConcurrencyMode="Fixed"). */
  readonly concurrency: boolean;
}

export interface NavigationDef {
  readonly name: string;
  /** Name of the target entity set, in the same service. */
  readonly target: string;
  readonly many: boolean;
  readonly multiplicity: '1' | '0..1' | '*';
  resolve(store: SapDataStore, row: Row): Row | readonly Row[] | undefined;
}

export interface EntitySetDef {
  readonly name: string;
  readonly typeName: string;
  readonly label: string;
  readonly properties: readonly PropertyDef[];
  readonly propertyByName: ReadonlyMap<string, PropertyDef>;
  readonly keys: readonly PropertyDef[];
  readonly navigations: readonly NavigationDef[];
  readonly navigationByName: ReadonlyMap<string, NavigationDef>;
  readonly creatable: boolean;
  readonly updatable: boolean;
  readonly deletable: boolean;
  rows(store: SapDataStore): readonly Row[];
  /** The row with these key values (in `keys` order, as strings), or undefined. */
  find(store: SapDataStore, key: readonly string[]): Row | undefined;
  /** The row's current ETag, for sets under optimistic locking. */
  etag?(row: Row): string;
}

export interface ServiceDef {
  readonly name: string;
  readonly sets: ReadonlyMap<string, EntitySetDef>;
  readonly metadataXml: string;
  readonly serviceDocumentXml: string;
}

/**
 * A property as `[name, type, label, flags]`. Types: `S10` Edm.String MaxLength 10, `B` Boolean,
 * `D` DateTime (a date), `DT` DateTime, `DTO` DateTimeOffset, `T` Time, `G` Guid, `N16.3` Decimal
 * Precision 16 Scale 3. Flags (space separated): `key`, `alpha`, `ro` (read-only), `create`
 * (creatable, not updatable), `etag`. Without a flag a property is creatable and updatable.
 */
type PropertySpec = readonly [string, string, string, string?];

function property([name, spec, label, flags = '']: PropertySpec): PropertyDef {
  const flag = new Set(flags.split(' ').filter(Boolean));
  const key = flag.has('key');
  const readOnly = flag.has('ro');
  let type: EdmType;
  let maxLength: number | undefined;
  let precision: number | undefined;
  let scale: number | undefined;
  if (spec.startsWith('S')) [type, maxLength] = ['Edm.String', Number(spec.slice(1))];
  else if (spec.startsWith('N')) {
    type = 'Edm.Decimal';
    [precision, scale] = spec.slice(1).split('.').map(Number);
  } else {
    type = ({ B: 'Edm.Boolean', D: 'Edm.DateTime', DT: 'Edm.DateTime', DTO: 'Edm.DateTimeOffset', T: 'Edm.Time', G: 'Edm.Guid' } as const)[spec as 'B'];
    if (!type) throw new Error(`unknown property type ${spec} of ${name}`);
  }
  return {
    name, type, label, maxLength, precision, scale, key,
    alpha: flag.has('alpha'),
    creatable: !readOnly,
    updatable: !readOnly && !key && !flag.has('create'),
    dateOnly: spec === 'D',
    concurrency: flag.has('etag'),
  };
}

/** `2024-05-01T10:11:12.1230000` (SAP's seven fractional digits), URL-encoded as SAP puts it in ETags. */
function etagTimestamp(ms: number, zone: boolean): string {
  const iso = new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000') + (zone ? 'Z' : '');
  return iso.replaceAll(':', '%3A');
}

/** ETag from the record's change stamp: `W/"datetime'2024-05-01T10%3A11%3A12.1230000'"`. */
function stampEtag(row: Row): string {
  return `W/"datetime'${etagTimestamp(Number(row._changedAt ?? 0), false)}'"`;
}

/** ETag from LastChangeDateTime: `W/"datetimeoffset'2024-05-01T10%3A11%3A12.1230000Z'"`. */
function lastChangeEtag(row: Row): string {
  return `W/"datetimeoffset'${etagTimestamp(Number(row.LastChangeDateTime ?? 0), true)}'"`;
}

interface SetSpec {
  name: string;
  label: string;
  properties: readonly PropertySpec[];
  navigations?: readonly NavigationDef[];
  creatable?: boolean;
  updatable?: boolean;
  deletable?: boolean;
  rows(store: SapDataStore): readonly Row[];
  find(store: SapDataStore, key: readonly string[]): Row | undefined;
  etag?(row: Row): string;
}

function entitySet(spec: SetSpec): EntitySetDef {
  const properties = spec.properties.map(property);
  const navigations = spec.navigations ?? [];
  return {
    name: spec.name,
    typeName: `${spec.name}Type`,
    label: spec.label,
    properties,
    propertyByName: new Map(properties.map((entry) => [entry.name, entry])),
    keys: properties.filter((entry) => entry.key),
    navigations,
    navigationByName: new Map(navigations.map((entry) => [entry.name, entry])),
    creatable: spec.creatable ?? false,
    updatable: spec.updatable ?? false,
    deletable: spec.deletable ?? false,
    rows: spec.rows,
    find: spec.find,
    etag: spec.etag,
  };
}

const flat = <T>(map: ReadonlyMap<string, readonly T[]>): T[] => [...map.values()].flat();
const itemNumber = (value: string) => String(Number(value));

const businessPartner = entitySet({
  name: 'A_BusinessPartner',
  label: 'Business Partner',
  creatable: true,
  updatable: true,
  rows: (store) => [...store.partners.values()],
  find: (store, [id]) => store.partners.get(alpha(id!)),
  etag: stampEtag,
  properties: [
    ['BusinessPartner', 'S10', 'Business Partner', 'key alpha'],
    ['Customer', 'S10', 'Customer', 'ro alpha'],
    ['Supplier', 'S10', 'Supplier', 'ro alpha'],
    ['AcademicTitle', 'S4', 'Academic Title 1'],
    ['AuthorizationGroup', 'S4', 'Authorization Group'],
    ['BusinessPartnerCategory', 'S1', 'BP Category', 'create'],
    ['BusinessPartnerFullName', 'S81', 'Name of Business Partner', 'ro'],
    ['BusinessPartnerGrouping', 'S4', 'Grouping', 'create'],
    ['BusinessPartnerName', 'S81', 'Name', 'ro'],
    ['BusinessPartnerUUID', 'G', 'BP GUID', 'ro'],
    ['CorrespondenceLanguage', 'S2', 'Correspondence Language'],
    ['CreatedByUser', 'S12', 'Created By', 'ro'],
    ['CreationDate', 'D', 'Created On', 'ro'],
    ['CreationTime', 'T', 'Created At', 'ro'],
    ['FirstName', 'S40', 'First Name'],
    ['FormOfAddress', 'S4', 'Form of Address'],
    ['Industry', 'S10', 'Industry Sector'],
    ['IsFemale', 'B', 'Female'],
    ['IsMale', 'B', 'Male'],
    ['IsNaturalPerson', 'S1', 'Natural Person', 'ro'],
    ['IsSexUnknown', 'B', 'Unknown'],
    ['Language', 'S2', 'Language'],
    ['LastChangeDate', 'D', 'Changed On', 'ro'],
    ['LastChangeTime', 'T', 'Changed At', 'ro'],
    ['LastChangedByUser', 'S12', 'Changed By', 'ro'],
    ['LastName', 'S40', 'Last Name'],
    ['LegalForm', 'S2', 'Legal Form'],
    ['OrganizationBPName1', 'S40', 'Name 1'],
    ['OrganizationBPName2', 'S40', 'Name 2'],
    ['OrganizationFoundationDate', 'D', 'Date Founded'],
    ['SearchTerm1', 'S20', 'Search Term 1'],
    ['SearchTerm2', 'S20', 'Search Term 2'],
    ['BusinessPartnerIsBlocked', 'B', 'Central Block'],
    ['IsMarkedForArchiving', 'B', 'Archiving Flag'],
  ],
  navigations: [
    { name: 'to_BusinessPartnerAddress', target: 'A_BusinessPartnerAddress', many: true, multiplicity: '*', resolve: (store, row) => store.addresses.get(String(row.BusinessPartner)) ?? [] },
    { name: 'to_Customer', target: 'A_Customer', many: false, multiplicity: '0..1', resolve: (store, row) => store.customers.get(String(row.BusinessPartner)) },
    { name: 'to_Supplier', target: 'A_Supplier', many: false, multiplicity: '0..1', resolve: (store, row) => store.suppliers.get(String(row.BusinessPartner)) },
  ],
});

const businessPartnerAddress = entitySet({
  name: 'A_BusinessPartnerAddress',
  label: 'BP Address',
  rows: (store) => flat(store.addresses),
  find: (store, [id, address]) => store.addresses.get(alpha(id!))?.find((row) => row.AddressID === address),
  properties: [
    ['BusinessPartner', 'S10', 'Business Partner', 'key alpha'],
    ['AddressID', 'S10', 'Address Number', 'key'],
    ['ValidityStartDate', 'D', 'Valid From', 'ro'],
    ['CityName', 'S40', 'City'],
    ['Country', 'S3', 'Country/Region Key'],
    ['District', 'S40', 'District'],
    ['HouseNumber', 'S10', 'House Number'],
    ['Language', 'S2', 'Language Key'],
    ['PostalCode', 'S10', 'Postal Code'],
    ['Region', 'S3', 'Region'],
    ['StreetName', 'S60', 'Street'],
    ['AddressTimeZone', 'S6', 'Time Zone'],
  ],
});

const customer = entitySet({
  name: 'A_Customer',
  label: 'Customer',
  updatable: true,
  rows: (store) => [...store.customers.values()],
  find: (store, [id]) => store.customers.get(alpha(id!)),
  etag: stampEtag,
  properties: [
    ['Customer', 'S10', 'Customer', 'key alpha'],
    ['AuthorizationGroup', 'S4', 'Authorization Group'],
    ['BillingIsBlockedForCustomer', 'S2', 'Billing Block'],
    ['CreatedByUser', 'S12', 'Created By', 'ro'],
    ['CreationDate', 'D', 'Created On', 'ro'],
    ['CustomerAccountGroup', 'S4', 'Account Group', 'create'],
    ['CustomerClassification', 'S2', 'Classification'],
    ['CustomerFullName', 'S220', 'Customer Full Name', 'ro'],
    ['CustomerName', 'S80', 'Customer Name', 'ro'],
    ['DeliveryIsBlocked', 'S2', 'Delivery Block'],
    ['NFPartnerIsNaturalPerson', 'S1', 'Natural Person', 'ro'],
    ['OrderIsBlockedForCustomer', 'S2', 'Order Block'],
    ['PostingIsBlocked', 'B', 'Posting Block'],
    ['Supplier', 'S10', 'Supplier', 'ro alpha'],
    ['CustomerCorporateGroup', 'S10', 'Group Key'],
    ['FiscalAddress', 'S10', 'Fiscal Address'],
    ['Industry', 'S4', 'Industry'],
    ['IndustryCode1', 'S10', 'Industry Code 1'],
    ['InternationalLocationNumber1', 'S7', 'Global Location Number 1'],
    ['NielsenRegion', 'S2', 'Nielsen ID'],
    ['ResponsibleType', 'S2', 'Responsibility Type'],
    ['TaxNumber1', 'S16', 'Tax Number 1'],
    ['TaxNumberType', 'S2', 'Tax Number Type'],
    ['VATRegistration', 'S20', 'VAT Registration No.'],
    ['DeletionIndicator', 'B', 'Central Deletion Flag'],
  ],
});

const supplier = entitySet({
  name: 'A_Supplier',
  label: 'Supplier',
  rows: (store) => [...store.suppliers.values()],
  find: (store, [id]) => store.suppliers.get(alpha(id!)),
  etag: stampEtag,
  properties: [
    ['Supplier', 'S10', 'Supplier', 'key alpha'],
    ['AlternativePayeeAccountNumber', 'S10', 'Alternative Payee'],
    ['AuthorizationGroup', 'S4', 'Authorization Group'],
    ['CreatedByUser', 'S12', 'Created By', 'ro'],
    ['CreationDate', 'D', 'Created On', 'ro'],
    ['Customer', 'S10', 'Customer', 'ro alpha'],
    ['PaymentIsBlockedForSupplier', 'B', 'Payment Block'],
    ['PostingIsBlocked', 'B', 'Central Posting Block'],
    ['PurchasingIsBlocked', 'B', 'Central Purchasing Block'],
    ['SupplierAccountGroup', 'S4', 'Account Group', 'create'],
    ['SupplierFullName', 'S220', 'Supplier Full Name', 'ro'],
    ['SupplierName', 'S80', 'Supplier Name', 'ro'],
    ['VATRegistration', 'S20', 'VAT Registration No.'],
    ['DeletionIndicator', 'B', 'Central Deletion Flag'],
    ['SupplierCorporateGroup', 'S10', 'Group Key'],
    ['Industry', 'S4', 'Industry'],
  ],
});

const product = entitySet({
  name: 'A_Product',
  label: 'Product',
  rows: (store) => [...store.products.values()],
  find: (store, [id]) => store.products.get(id!.toUpperCase()),
  etag: lastChangeEtag,
  properties: [
    ['Product', 'S40', 'Product', 'key'],
    ['ProductType', 'S4', 'Product Type', 'create'],
    ['CrossPlantStatus', 'S2', 'X-Plant Status'],
    ['CrossPlantStatusValidityDate', 'D', 'Valid From'],
    ['CreationDate', 'D', 'Created On', 'ro'],
    ['CreatedByUser', 'S12', 'Created By', 'ro'],
    ['LastChangeDate', 'D', 'Last Change', 'ro'],
    ['LastChangedByUser', 'S12', 'Changed By', 'ro'],
    ['LastChangeDateTime', 'DTO', 'Time Stamp', 'ro etag'],
    ['IsMarkedForDeletion', 'B', 'DF at Client Level'],
    ['ProductOldID', 'S40', 'Old Product Number'],
    ['GrossWeight', 'N13.3', 'Gross Weight'],
    ['PurchaseOrderQuantityUnit', 'S3', 'Order Unit'],
    ['SourceOfSupply', 'S1', 'Source of Supply'],
    ['WeightUnit', 'S3', 'Weight Unit'],
    ['NetWeight', 'N13.3', 'Net Weight'],
    ['CountryOfOrigin', 'S3', 'Country/Region of Origin'],
    ['ProductGroup', 'S9', 'Product Group'],
    ['BaseUnit', 'S3', 'Base Unit of Measure'],
    ['ItemCategoryGroup', 'S4', 'General Item Category Group'],
    ['ProductHierarchy', 'S18', 'Product Hierarchy'],
    ['Division', 'S2', 'Division'],
    ['VolumeUnit', 'S3', 'Volume Unit'],
    ['MaterialVolume', 'N13.3', 'Volume'],
    ['Brand', 'S4', 'Brand'],
    ['IndustrySector', 'S1', 'Industry Sector'],
    ['ProductStandardID', 'S18', 'GTIN'],
    ['SizeOrDimensionText', 'S32', 'Size/Dimensions'],
  ],
  navigations: [
    { name: 'to_Description', target: 'A_ProductDescription', many: true, multiplicity: '*', resolve: (store, row) => store.productDescriptions.get(String(row.Product)) ?? [] },
  ],
});

const productDescription = entitySet({
  name: 'A_ProductDescription',
  label: 'Product Description',
  rows: (store) => flat(store.productDescriptions),
  find: (store, [id, language]) => store.productDescriptions.get(id!.toUpperCase())?.find((row) => row.Language === language),
  properties: [
    ['Product', 'S40', 'Product', 'key'],
    ['Language', 'S2', 'Language Key', 'key'],
    ['ProductDescription', 'S40', 'Product Description'],
  ],
});

const salesOrder = entitySet({
  name: 'A_SalesOrder',
  label: 'Sales Order Header',
  creatable: true,
  updatable: true,
  deletable: true,
  rows: (store) => [...store.salesOrders.values()],
  find: (store, [id]) => store.salesOrders.get(alpha(id!)),
  etag: lastChangeEtag,
  properties: [
    ['SalesOrder', 'S10', 'Sales Order', 'key alpha'],
    ['SalesOrderType', 'S4', 'Sales Order Type', 'create'],
    ['SalesOrganization', 'S4', 'Sales Organization', 'create'],
    ['DistributionChannel', 'S2', 'Distribution Channel', 'create'],
    ['OrganizationDivision', 'S2', 'Division', 'create'],
    ['SalesGroup', 'S3', 'Sales Group'],
    ['SalesOffice', 'S4', 'Sales Office'],
    ['SalesDistrict', 'S6', 'Sales District'],
    ['SoldToParty', 'S10', 'Sold-to Party', 'create alpha'],
    ['CreationDate', 'D', 'Created On', 'ro'],
    ['CreatedByUser', 'S12', 'Created By', 'ro'],
    ['LastChangeDate', 'D', 'Changed On', 'ro'],
    ['LastChangeDateTime', 'DTO', 'Last Changed On', 'ro etag'],
    ['PurchaseOrderByCustomer', 'S35', 'Customer Reference'],
    ['CustomerPurchaseOrderType', 'S4', 'Customer Reference Type'],
    ['CustomerPurchaseOrderDate', 'D', 'Customer Reference Date'],
    ['SalesOrderDate', 'D', 'Document Date'],
    ['TotalNetAmount', 'N16.3', 'Net Value', 'ro'],
    ['TransactionCurrency', 'S5', 'Document Currency', 'create'],
    ['SDDocumentReason', 'S3', 'Order Reason'],
    ['PricingDate', 'D', 'Pricing Date', 'ro'],
    ['RequestedDeliveryDate', 'D', 'Requested Delivery Date'],
    ['ShippingCondition', 'S2', 'Shipping Conditions'],
    ['CompleteDeliveryIsDefined', 'B', 'Complete Delivery'],
    ['ShippingType', 'S2', 'Shipping Type'],
    ['HeaderBillingBlockReason', 'S2', 'Billing Block'],
    ['DeliveryBlockReason', 'S2', 'Delivery Block'],
    ['IncotermsClassification', 'S3', 'Incoterms'],
    ['IncotermsLocation1', 'S70', 'Incoterms Location 1'],
    ['CustomerPaymentTerms', 'S4', 'Terms of Payment'],
    ['PaymentMethod', 'S1', 'Payment Method'],
    ['OverallSDProcessStatus', 'S1', 'Overall Status', 'ro'],
    ['OverallTotalDeliveryStatus', 'S1', 'Total Delivery Status', 'ro'],
    ['OverallDeliveryStatus', 'S1', 'Delivery Status', 'ro'],
    ['OverallOrdReltdBillgStatus', 'S1', 'Order-Related Billing Status', 'ro'],
    ['OverallSDDocumentRejectionSts', 'S1', 'Rejection Status', 'ro'],
    ['TotalBlockStatus', 'S1', 'Block Status', 'ro'],
    ['TotalCreditCheckStatus', 'S1', 'Overall Credit Status', 'ro'],
  ],
  navigations: [
    { name: 'to_Item', target: 'A_SalesOrderItem', many: true, multiplicity: '*', resolve: (store, row) => store.salesOrderItems.get(String(row.SalesOrder)) ?? [] },
  ],
});

const salesOrderItem = entitySet({
  name: 'A_SalesOrderItem',
  label: 'Sales Order Item',
  rows: (store) => flat(store.salesOrderItems),
  find: (store, [id, item]) => store.salesOrderItems.get(alpha(id!))?.find((row) => row.SalesOrderItem === itemNumber(item!)),
  properties: [
    ['SalesOrder', 'S10', 'Sales Order', 'key alpha'],
    ['SalesOrderItem', 'S6', 'Sales Order Item', 'key'],
    ['HigherLevelItem', 'S6', 'Higher-Level Item', 'ro'],
    ['SalesOrderItemCategory', 'S4', 'Item Category', 'create'],
    ['SalesOrderItemText', 'S40', 'Item Description'],
    ['PurchaseOrderByCustomer', 'S35', 'Customer Reference'],
    ['Material', 'S40', 'Material', 'create'],
    ['MaterialByCustomer', 'S35', 'Customer Material'],
    ['PricingDate', 'D', 'Pricing Date', 'ro'],
    ['RequestedQuantity', 'N15.3', 'Requested Quantity', 'create'],
    ['RequestedQuantityUnit', 'S3', 'Requested Quantity Unit', 'create'],
    ['ItemGrossWeight', 'N15.3', 'Gross Weight', 'ro'],
    ['ItemNetWeight', 'N15.3', 'Net Weight', 'ro'],
    ['ItemWeightUnit', 'S3', 'Unit of Weight', 'ro'],
    ['TransactionCurrency', 'S5', 'Document Currency', 'ro'],
    ['NetAmount', 'N16.3', 'Net Value', 'ro'],
    ['MaterialGroup', 'S9', 'Material Group', 'ro'],
    ['ProductionPlant', 'S4', 'Plant'],
    ['ShippingPoint', 'S4', 'Shipping Point'],
    ['SDProcessStatus', 'S1', 'Overall Status', 'ro'],
    ['DeliveryStatus', 'S1', 'Delivery Status', 'ro'],
    ['OrderRelatedBillingStatus', 'S1', 'Billing Status', 'ro'],
    ['SalesDocumentRjcnReason', 'S2', 'Reason for Rejection'],
    ['ItemBillingBlockReason', 'S2', 'Billing Block for Item'],
  ],
  navigations: [
    { name: 'to_SalesOrder', target: 'A_SalesOrder', many: false, multiplicity: '1', resolve: (store, row) => store.salesOrders.get(String(row.SalesOrder)) },
  ],
});

function association(from: EntitySetDef, navigation: NavigationDef): string {
  return `assoc_${from.name}_${navigation.name}`;
}

function propertyXml(entry: PropertyDef): string {
  const attributes = [`Name="${entry.name}"`, `Type="${entry.type}"`];
  if (entry.key) attributes.push('Nullable="false"');
  if (entry.maxLength !== undefined) attributes.push(`MaxLength="${entry.maxLength}"`);
  if (entry.type === 'Edm.Decimal') attributes.push(`Precision="${entry.precision}"`, `Scale="${entry.scale}"`);
  if (entry.type === 'Edm.DateTime' || entry.type === 'Edm.Time') attributes.push('Precision="0"');
  if (entry.type === 'Edm.DateTimeOffset') attributes.push('Precision="7"');
  if (entry.concurrency) attributes.push('ConcurrencyMode="Fixed"');
  if (entry.dateOnly) attributes.push('sap:display-format="Date"');
  else if (entry.type === 'Edm.String' && (entry.alpha || entry.key)) attributes.push('sap:display-format="UpperCase"');
  attributes.push(`sap:label="${escapeXml(entry.label)}"`);
  if (!entry.creatable) attributes.push('sap:creatable="false"');
  if (!entry.updatable) attributes.push('sap:updatable="false"');
  return `<Property ${attributes.join(' ')}/>`;
}

function metadataXml(name: string, sets: readonly EntitySetDef[]): string {
  const types: string[] = [];
  const associations: string[] = [];
  const associationSets: string[] = [];
  for (const set of sets) {
    const navigations = set.navigations.map((navigation) => {
      const assoc = association(set, navigation);
      const target = sets.find((candidate) => candidate.name === navigation.target)!;
      associations.push(
        `<Association Name="${assoc}" sap:content-version="1"><End Type="${name}.${set.typeName}" Multiplicity="${navigation.multiplicity === '1' ? '*' : '1'}" Role="FromRole_${assoc}"/>` +
          `<End Type="${name}.${target.typeName}" Multiplicity="${navigation.multiplicity}" Role="ToRole_${assoc}"/></Association>`,
      );
      associationSets.push(
        `<AssociationSet Name="${assoc}" Association="${name}.${assoc}" sap:creatable="false" sap:updatable="false" sap:deletable="false" sap:content-version="1">` +
          `<End EntitySet="${set.name}" Role="FromRole_${assoc}"/><End EntitySet="${target.name}" Role="ToRole_${assoc}"/></AssociationSet>`,
      );
      return `<NavigationProperty Name="${navigation.name}" Relationship="${name}.${assoc}" FromRole="FromRole_${assoc}" ToRole="ToRole_${assoc}"/>`;
    });
    types.push(
      `<EntityType Name="${set.typeName}" sap:label="${escapeXml(set.label)}" sap:content-version="1">` +
        `<Key>${set.keys.map((key) => `<PropertyRef Name="${key.name}"/>`).join('')}</Key>` +
        set.properties.map(propertyXml).join('') +
        navigations.join('') +
        '</EntityType>',
    );
  }
  const entitySets = sets.map(
    (set) =>
      `<EntitySet Name="${set.name}" EntityType="${name}.${set.typeName}" sap:creatable="${set.creatable}" sap:updatable="${set.updatable}" sap:deletable="${set.deletable}" sap:content-version="1"/>`,
  );
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" xmlns:sap="http://www.sap.com/Protocols/SAPData">' +
    '<edmx:DataServices m:DataServiceVersion="2.0">' +
    `<Schema Namespace="${name}" xml:lang="en" sap:schema-version="1" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">` +
    types.join('') +
    associations.join('') +
    `<EntityContainer Name="${name}_Entities" m:IsDefaultEntityContainer="true" sap:supported-formats="atom json xlsx">` +
    entitySets.join('') +
    associationSets.join('') +
    '</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>'
  );
}

function serviceDocumentXml(sets: readonly EntitySetDef[]): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<app:service xmlns:app="http://www.w3.org/2007/app" xmlns:atom="http://www.w3.org/2005/Atom"><app:workspace><atom:title type="text">Data</atom:title>' +
    sets.map((set) => `<app:collection href="${set.name}"><atom:title type="text">${set.name}</atom:title></app:collection>`).join('') +
    '</app:workspace></app:service>'
  );
}

function service(name: string, sets: readonly EntitySetDef[]): ServiceDef {
  return { name, sets: new Map(sets.map((set) => [set.name, set])), metadataXml: metadataXml(name, sets), serviceDocumentXml: serviceDocumentXml(sets) };
}

/** The services by their technical name, upper case (as SAP matches them). */
export const ODATA_SERVICES: ReadonlyMap<string, ServiceDef> = new Map(
  [
    service('API_BUSINESS_PARTNER', [businessPartner, businessPartnerAddress, customer, supplier]),
    service('API_PRODUCT_SRV', [product, productDescription]),
    service('API_SALES_ORDER_SRV', [salesOrder, salesOrderItem]),
  ].map((entry) => [entry.name, entry]),
);
