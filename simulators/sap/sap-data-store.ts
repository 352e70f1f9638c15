import { randomUUID } from 'node:crypto';

/**
 * One SAP system's business data, held in memory, shared by every channel (OData, SOAP-RFC,
 * IDoc) so that a change through one is visible through the others.
 *
 * Records are kept in their OData shape (property name -> value), so the OData layer serves them
 * as they are and the RFC tables (KNA1, VBAK, ...) are projections of them. Fields whose name
 * starts with `_` are the simulator's own (change stamps, prices, contact data) and never appear
 * on the wire. Values: Edm.String/Guid/Time/Decimal as strings (decimals already formatted),
 * Edm.Boolean as booleans, Edm.DateTime/DateTimeOffset as epoch milliseconds.
 *
 * Numbering follows SAP's internal formats: business partners, customers and suppliers are
 * 10 digits with leading zeros ('0010000001'); `alpha()` applies SAP's ALPHA conversion to
 * input so that '10000001' finds the same partner.
 */
export type Value = string | number | boolean | null;
export type Row = Record<string, Value>;

/** A business rule refused a change; the message is SAP-like and ends up in an error body, a RETURN or an IDoc status. */
export class SapDomainError extends Error {
  constructor(
    message: string,
    /** SAP message class and number, e.g. ['V1', '390']. */
    readonly messageId: readonly [string, string] = ['SIM', '001'],
  ) {
    super(message);
  }
}

/** SAP's ALPHA input conversion: an all-digit value is padded with zeros to `length`. */
export function alpha(value: string, length = 10): string {
  const trimmed = value.trim();
  return /^\d+$/.test(trimmed) && trimmed.length < length ? trimmed.padStart(length, '0') : trimmed.toUpperCase();
}

export const DAY_MS = 86_400_000;

/** Midnight UTC of a timestamp: the value of an Edm.DateTime with sap:display-format="Date". */
export function dateOnly(ms: number): number {
  return ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
}

/** An Edm.Time value (ISO 8601 duration, as SAP writes it) for the time of day of a timestamp. */
export function timeOfDay(ms: number): string {
  const seconds = Math.floor((((ms % DAY_MS) + DAY_MS) % DAY_MS) / 1000);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `PT${pad(Math.floor(seconds / 3600))}H${pad(Math.floor(seconds / 60) % 60)}M${pad(seconds % 60)}S`;
}

/** A decimal string with `scale` digits after the point. */
export function decimal(value: number, scale: number): string {
  return value.toFixed(scale);
}

/** A quantity as SAP's OData APIs write it: no trailing zeros ('2', '1.5'). */
export function quantity(value: number): string {
  return String(Number(value.toFixed(3)));
}

/** The user every change made by the simulator is recorded under. */
export const CHANGE_USER = 'INTERCHANGE';

/** Customer master fields a BAPI or a DEBMAS IDoc may change; undefined leaves a field as it is. */
export interface CustomerMasterChange {
  name?: string;
  name2?: string;
  firstName?: string;
  lastName?: string;
  street?: string;
  houseNumber?: string;
  city?: string;
  postalCode?: string;
  country?: string;
  region?: string;
  language?: string;
  phone?: string;
  email?: string;
}

/** Input of createSalesOrder, in A_SalesOrder / A_SalesOrderItem property names. */
export interface SalesOrderInput {
  header: Row;
  items: Row[];
}

export interface IdocStatusRecord {
  status: string;
  text: string;
  at: number;
  /** STAPA1: the message's first variable (the document number of a posted order). */
  parameter: string;
}

/** An inbound IDoc and its status history (EDIDC and EDIDS). */
export interface IdocRecord {
  docnum: string;
  /** Basic type (EDIDC-IDOCTP), e.g. ORDERS05. */
  idocType: string;
  /** Message type (EDIDC-MESTYP), e.g. ORDERS. */
  messageType: string;
  senderPort: string;
  senderPartnerType: string;
  senderPartner: string;
  receiverPort: string;
  receiverPartnerType: string;
  receiverPartner: string;
  createdAt: number;
  updatedAt: number;
  status: string;
  statusText: string;
  statuses: IdocStatusRecord[];
  xml: string;
}

const SALES_ORDER_START = 5_000_000_000;
const PARTNER_START = 10_000_000;
const DOCNUM_START = 1_000_000;

export class SapDataStore {
  readonly partners = new Map<string, Row>();
  readonly addresses = new Map<string, Row[]>();
  readonly customers = new Map<string, Row>();
  readonly suppliers = new Map<string, Row>();
  readonly products = new Map<string, Row>();
  readonly productDescriptions = new Map<string, Row[]>();
  readonly salesOrders = new Map<string, Row>();
  readonly salesOrderItems = new Map<string, Row[]>();
  readonly idocs = new Map<string, IdocRecord>();

  /** Bumped by every change to business data (each change takes a stamp()): serialized answers cached under an older version are stale. */
  version = 0;

  private lastStamp = 0;
  private nextPartnerNumber = PARTNER_START + 1;
  private nextSalesOrderNumber = SALES_ORDER_START + 1;
  private nextDocnum = DOCNUM_START + 1;
  private nextAddressId = 90_000;

  /** A change timestamp that is never repeated, so that each change gets a new ETag. */
  stamp(ms = Date.now()): number {
    this.version++;
    this.lastStamp = Math.max(ms, this.lastStamp + 1);
    return this.lastStamp;
  }

  /** Takes the next number after the highest one seeded (seeding calls it for every record). */
  notePartnerNumber(number: string): void {
    this.nextPartnerNumber = Math.max(this.nextPartnerNumber, Number(number) + 1);
  }

  noteSalesOrderNumber(number: string): void {
    this.nextSalesOrderNumber = Math.max(this.nextSalesOrderNumber, Number(number) + 1);
  }

  newDocnum(): string {
    return String(this.nextDocnum++).padStart(16, '0');
  }

  /** Records a change on a business partner, customer or supplier row (LastChange* and the ETag stamp). */
  touch(row: Row, at = this.stamp()): void {
    row._changedAt = at;
    if ('LastChangeDate' in row) row.LastChangeDate = dateOnly(at);
    if ('LastChangeTime' in row) row.LastChangeTime = timeOfDay(at);
    if ('LastChangedByUser' in row) row.LastChangedByUser = CHANGE_USER;
    if ('LastChangeDateTime' in row) row.LastChangeDateTime = at;
  }

  /**
   * Derived names follow the partner's own: BusinessPartnerFullName/Name, SearchTerm1 and the
   * names of its customer and supplier rows. Called after every change to a partner's names.
   */
  syncPartnerNames(partner: Row): void {
    const person = partner.BusinessPartnerCategory === '1';
    const name = person
      ? [partner.FirstName, partner.LastName].filter((part) => part).join(' ')
      : [partner.OrganizationBPName1, partner.OrganizationBPName2].filter((part) => part).join(' ');
    partner.BusinessPartnerFullName = name.slice(0, 81);
    partner.BusinessPartnerName = name.slice(0, 81);
    const id = String(partner.BusinessPartner);
    const customer = this.customers.get(id);
    if (customer) {
      customer.CustomerName = name.slice(0, 80);
      customer.CustomerFullName = name.slice(0, 220);
    }
    const supplier = this.suppliers.get(id);
    if (supplier) {
      supplier.SupplierName = name.slice(0, 80);
      supplier.SupplierFullName = name.slice(0, 220);
    }
  }

  /** NAME1 of the customer/supplier master: an organisation's first name line, a person's full name. */
  name1(partner: Row): string {
    return String(partner.BusinessPartnerCategory === '1' ? partner.BusinessPartnerFullName : partner.OrganizationBPName1).slice(0, 35);
  }

  /** The partner's first (standard) address. */
  mainAddress(partner: string): Row | undefined {
    return this.addresses.get(partner)?.[0];
  }

  /**
   * Creates a business partner (with, optionally, its address and customer/supplier roles).
   * `partner` holds A_BusinessPartner properties; a BusinessPartner number is assigned unless given.
   */
  createBusinessPartner(partner: Row, roles: { addresses?: Row[]; customer?: Row; supplier?: Row } = {}): Row {
    const category = String(partner.BusinessPartnerCategory ?? '');
    if (!['1', '2', '3'].includes(category)) throw new SapDomainError(`Business partner category '${category}' is not valid (1 person, 2 organization, 3 group)`, ['R11', '401']);
    if (category === '1' && !partner.LastName) throw new SapDomainError('Enter a last name for a person', ['R11', '403']);
    if (category !== '1' && !partner.OrganizationBPName1) throw new SapDomainError('Enter a name for an organization', ['R11', '404']);
    const given = partner.BusinessPartner ? alpha(String(partner.BusinessPartner)) : undefined;
    if (given && this.partners.has(given)) throw new SapDomainError(`Business partner ${given} already exists`, ['R11', '124']);
    const id = given ?? String(this.nextPartnerNumber++).padStart(10, '0');
    if (given && /^\d+$/.test(given)) this.notePartnerNumber(given);
    const at = this.stamp();
    const row: Row = {
      ...emptyPartner(),
      ...partner,
      BusinessPartner: id,
      BusinessPartnerUUID: randomUUID(),
      IsNaturalPerson: category === '1' ? 'X' : '',
      CreatedByUser: CHANGE_USER,
      CreationDate: dateOnly(at),
      CreationTime: timeOfDay(at),
      Customer: roles.customer ? id : '',
      Supplier: roles.supplier ? id : '',
    };
    this.partners.set(id, row);
    this.touch(row, at);
    if (roles.addresses?.length) {
      this.addresses.set(id, roles.addresses.map((address) => ({ ...emptyAddress(), ...address, BusinessPartner: id, AddressID: String(this.nextAddressId++) })));
    }
    if (roles.customer) {
      const customer: Row = { ...emptyCustomer(), ...roles.customer, Customer: id, CreatedByUser: CHANGE_USER, CreationDate: dateOnly(at), Supplier: roles.supplier ? id : '' };
      this.customers.set(id, customer);
      this.touch(customer, at);
    }
    if (roles.supplier) {
      const supplier: Row = { ...emptySupplier(), ...roles.supplier, Supplier: id, CreatedByUser: CHANGE_USER, CreationDate: dateOnly(at), Customer: roles.customer ? id : '' };
      this.suppliers.set(id, supplier);
      this.touch(supplier, at);
    }
    this.syncPartnerNames(row);
    return row;
  }

  /** Applies a customer master change (BAPI_CUSTOMER_CHANGEFROMDATA1 on commit, DEBMAS). */
  changeCustomerMaster(customerId: string, change: CustomerMasterChange): void {
    const partner = this.partners.get(customerId);
    if (!partner || !this.customers.has(customerId)) throw new SapDomainError(`Customer ${customerId} does not exist`, ['F2', '163']);
    const person = partner.BusinessPartnerCategory === '1';
    if (person) {
      if (change.firstName !== undefined) partner.FirstName = change.firstName;
      if (change.lastName !== undefined) partner.LastName = change.lastName;
      if (change.name !== undefined) partner.LastName = change.name;
    } else {
      if (change.name !== undefined) partner.OrganizationBPName1 = change.name;
      if (change.name2 !== undefined) partner.OrganizationBPName2 = change.name2;
    }
    if (change.language !== undefined) partner.Language = change.language;
    if (change.phone !== undefined) partner._phone = change.phone;
    if (change.email !== undefined) partner._email = change.email;
    let address = this.mainAddress(customerId);
    if (!address) {
      address = { ...emptyAddress(), BusinessPartner: customerId, AddressID: String(this.nextAddressId++) };
      this.addresses.set(customerId, [address]);
    }
    if (change.street !== undefined) address.StreetName = change.street;
    if (change.houseNumber !== undefined) address.HouseNumber = change.houseNumber;
    if (change.city !== undefined) address.CityName = change.city;
    if (change.postalCode !== undefined) address.PostalCode = change.postalCode;
    if (change.country !== undefined) address.Country = change.country;
    if (change.region !== undefined) address.Region = change.region;
    this.syncPartnerNames(partner);
    const at = this.stamp();
    this.touch(partner, at);
    this.touch(this.customers.get(customerId)!, at);
  }

  /**
   * Creates a standard order after SAP's checks: the sold-to party is an existing customer that is
   * neither flagged for deletion nor blocked for orders; every item names an existing material
   * not flagged for deletion, with a positive quantity. Prices come from the material.
   */
  createSalesOrder(input: SalesOrderInput): { order: Row; items: Row[] } {
    const soldTo = alpha(String(input.header.SoldToParty ?? ''));
    const customer = this.customers.get(soldTo);
    if (!soldTo || !customer) throw new SapDomainError(`Sold-to party ${soldTo || "' '"} does not exist`, ['V1', '390']);
    if (customer.DeletionIndicator === true) throw new SapDomainError(`Customer ${soldTo} has been flagged for deletion`, ['VP', '203']);
    if (customer.OrderIsBlockedForCustomer) throw new SapDomainError(`Sold-to party ${soldTo} is blocked for orders (block ${customer.OrderIsBlockedForCustomer})`, ['V1', '462']);
    if (input.items.length === 0) throw new SapDomainError('No items were entered: the sales document is incomplete', ['V1', '555']);
    const currency = String(input.header.TransactionCurrency || customer._currency || 'EUR');
    const at = this.stamp();
    const id = String(this.nextSalesOrderNumber);
    const items = input.items.map((item, index) => {
      const material = String(item.Material ?? '').trim().toUpperCase();
      const product = this.products.get(material);
      if (!product) throw new SapDomainError(`Material ${material || "' '"} does not exist`, ['M3', '305']);
      if (product.IsMarkedForDeletion === true) throw new SapDomainError(`Material ${material} is flagged for deletion`, ['M3', '348']);
      const amount = Number(item.RequestedQuantity);
      if (!Number.isFinite(amount) || amount <= 0) throw new SapDomainError(`Item ${(index + 1) * 10}: enter a quantity greater than zero`, ['V1', '334']);
      return buildItem(id, (index + 1) * 10, product, amount, currency, dateOnly(at), 'A', String(item.PurchaseOrderByCustomer ?? input.header.PurchaseOrderByCustomer ?? ''), item);
    });
    this.nextSalesOrderNumber++;
    const total = items.reduce((sum, item) => sum + Number(item.NetAmount), 0);
    const order: Row = {
      ...emptySalesOrder(),
      ...input.header,
      SalesOrder: id,
      SoldToParty: soldTo,
      SalesOrderType: String(input.header.SalesOrderType || 'OR'),
      CreatedByUser: CHANGE_USER,
      CreationDate: dateOnly(at),
      SalesOrderDate: (input.header.SalesOrderDate as number | undefined) ?? dateOnly(at),
      PricingDate: dateOnly(at),
      RequestedDeliveryDate: (input.header.RequestedDeliveryDate as number | undefined) ?? dateOnly(at) + 14 * DAY_MS,
      TotalNetAmount: decimal(total, 2),
      TransactionCurrency: currency,
      OverallSDProcessStatus: 'A',
      OverallTotalDeliveryStatus: 'A',
      OverallDeliveryStatus: 'A',
    };
    this.touch(order, at);
    this.salesOrders.set(id, order);
    this.salesOrderItems.set(id, items);
    return { order, items };
  }

  deleteSalesOrder(id: string): void {
    this.version++;
    this.salesOrders.delete(id);
    this.salesOrderItems.delete(id);
  }

  /** Creates or changes a material (MATMAS). */
  upsertProduct(product: string, fields: Row, description?: { language: string; text: string }): Row {
    let row = this.products.get(product);
    const at = this.stamp();
    if (!row) {
      row = { ...emptyProduct(), Product: product, CreatedByUser: CHANGE_USER, CreationDate: dateOnly(at), _price: '10.00' };
      this.products.set(product, row);
    }
    Object.assign(row, fields);
    if (description) {
      const descriptions = this.productDescriptions.get(product) ?? [];
      const existing = descriptions.find((entry) => entry.Language === description.language);
      if (existing) existing.ProductDescription = description.text;
      else descriptions.push({ Product: product, Language: description.language, ProductDescription: description.text });
      this.productDescriptions.set(product, descriptions);
      if (description.language === 'EN' || !row._description) row._description = description.text;
    }
    this.touch(row, at);
    return row;
  }

}

/** Builds a sales order item priced from its material (`_price`), described by its `_description`. */
export function buildItem(
  order: string,
  itemNumber: number,
  product: Row,
  amount: number,
  currency: string,
  pricingDate: number,
  status: string,
  purchaseOrder: string,
  extra: Row = {},
): Row {
  const price = Number(product._price ?? 0);
  const gross = Number(product.GrossWeight ?? 0) * amount;
  const net = Number(product.NetWeight ?? 0) * amount;
  return {
    ...emptySalesOrderItem(),
    MaterialByCustomer: String(extra.MaterialByCustomer ?? ''),
    SalesOrder: order,
    SalesOrderItem: String(itemNumber),
    SalesOrderItemText: String(extra.SalesOrderItemText || product._description || ''),
    PurchaseOrderByCustomer: purchaseOrder,
    Material: String(product.Product),
    PricingDate: pricingDate,
    RequestedQuantity: quantity(amount),
    RequestedQuantityUnit: String(extra.RequestedQuantityUnit || product.BaseUnit || 'PC'),
    ItemGrossWeight: decimal(gross, 3),
    ItemNetWeight: decimal(net, 3),
    ItemWeightUnit: String(product.WeightUnit ?? 'KG'),
    TransactionCurrency: currency,
    NetAmount: decimal(price * amount, 2),
    MaterialGroup: String(product.ProductGroup ?? ''),
    SDProcessStatus: status,
    DeliveryStatus: status,
  };
}

export function emptyPartner(): Row {
  return {
    BusinessPartner: '', Customer: '', Supplier: '', AcademicTitle: '', AuthorizationGroup: '', BusinessPartnerCategory: '',
    BusinessPartnerFullName: '', BusinessPartnerGrouping: '0001', BusinessPartnerName: '', BusinessPartnerUUID: '',
    CorrespondenceLanguage: '', CreatedByUser: '', CreationDate: null, CreationTime: 'PT00H00M00S', FirstName: '', FormOfAddress: '',
    Industry: '', IsFemale: false, IsMale: false, IsNaturalPerson: '', IsSexUnknown: false, Language: 'EN', LastChangeDate: null,
    LastChangeTime: 'PT00H00M00S', LastChangedByUser: '', LastName: '', LegalForm: '', OrganizationBPName1: '', OrganizationBPName2: '',
    OrganizationFoundationDate: null, SearchTerm1: '', SearchTerm2: '', BusinessPartnerIsBlocked: false, IsMarkedForArchiving: false,
    _phone: '', _email: '',
  };
}

export function emptyAddress(): Row {
  return {
    BusinessPartner: '', AddressID: '', ValidityStartDate: null, CityName: '', Country: '', District: '', HouseNumber: '',
    Language: 'EN', PostalCode: '', Region: '', StreetName: '', AddressTimeZone: 'UTC',
  };
}

export function emptyCustomer(): Row {
  return {
    Customer: '', AuthorizationGroup: '', BillingIsBlockedForCustomer: '', CreatedByUser: '', CreationDate: null,
    CustomerAccountGroup: 'CUST', CustomerClassification: '', CustomerFullName: '', CustomerName: '', DeliveryIsBlocked: '',
    NFPartnerIsNaturalPerson: '', OrderIsBlockedForCustomer: '', PostingIsBlocked: false, Supplier: '', CustomerCorporateGroup: '',
    FiscalAddress: '', Industry: '', IndustryCode1: '', InternationalLocationNumber1: '', NielsenRegion: '', ResponsibleType: '',
    TaxNumber1: '', TaxNumberType: '', VATRegistration: '', DeletionIndicator: false, _currency: 'EUR',
  };
}

export function emptySupplier(): Row {
  return {
    Supplier: '', AlternativePayeeAccountNumber: '', AuthorizationGroup: '', CreatedByUser: '', CreationDate: null, Customer: '',
    PaymentIsBlockedForSupplier: false, PostingIsBlocked: false, PurchasingIsBlocked: false, SupplierAccountGroup: 'SUPL',
    SupplierFullName: '', SupplierName: '', VATRegistration: '', DeletionIndicator: false, SupplierCorporateGroup: '', Industry: '',
    _currency: 'EUR',
  };
}

export function emptyProduct(): Row {
  return {
    Product: '', ProductType: 'FERT', CrossPlantStatus: '', CrossPlantStatusValidityDate: null, CreationDate: null, CreatedByUser: '',
    LastChangeDate: null, LastChangedByUser: '', LastChangeDateTime: null, IsMarkedForDeletion: false, ProductOldID: '',
    GrossWeight: '0.000', PurchaseOrderQuantityUnit: '', SourceOfSupply: '', WeightUnit: 'KG', NetWeight: '0.000', CountryOfOrigin: '',
    ProductGroup: '', BaseUnit: 'PC', ItemCategoryGroup: 'NORM', ProductHierarchy: '', Division: '00', VolumeUnit: '',
    MaterialVolume: '0.000', Brand: '', IndustrySector: 'M', ProductStandardID: '', SizeOrDimensionText: '',
  };
}

export function emptySalesOrder(): Row {
  return {
    SalesOrder: '', SalesOrderType: 'OR', SalesOrganization: '1010', DistributionChannel: '10', OrganizationDivision: '00',
    SalesGroup: '', SalesOffice: '', SalesDistrict: '', SoldToParty: '', CreationDate: null, CreatedByUser: '', LastChangeDate: null,
    LastChangeDateTime: null, PurchaseOrderByCustomer: '', CustomerPurchaseOrderType: '', CustomerPurchaseOrderDate: null,
    SalesOrderDate: null, TotalNetAmount: '0.00', TransactionCurrency: 'EUR', SDDocumentReason: '', PricingDate: null,
    RequestedDeliveryDate: null, ShippingCondition: '01', CompleteDeliveryIsDefined: false, ShippingType: '', HeaderBillingBlockReason: '',
    DeliveryBlockReason: '', IncotermsClassification: 'EXW', IncotermsLocation1: '', CustomerPaymentTerms: '0001', PaymentMethod: '',
    OverallSDProcessStatus: 'A', OverallTotalDeliveryStatus: 'A', OverallDeliveryStatus: 'A', OverallOrdReltdBillgStatus: '',
    OverallSDDocumentRejectionSts: 'A', TotalBlockStatus: '', TotalCreditCheckStatus: '',
  };
}

export function emptySalesOrderItem(): Row {
  return {
    SalesOrder: '', SalesOrderItem: '', HigherLevelItem: '0', SalesOrderItemCategory: 'TAN', SalesOrderItemText: '',
    PurchaseOrderByCustomer: '', Material: '', MaterialByCustomer: '', PricingDate: null, RequestedQuantity: '0',
    RequestedQuantityUnit: 'PC', ItemGrossWeight: '0.000', ItemNetWeight: '0.000', ItemWeightUnit: 'KG', TransactionCurrency: 'EUR',
    NetAmount: '0.00', MaterialGroup: '', ProductionPlant: '1010', ShippingPoint: '1010', SDProcessStatus: 'A', DeliveryStatus: 'A',
    OrderRelatedBillingStatus: '', SalesDocumentRjcnReason: '', ItemBillingBlockReason: '',
  };
}
