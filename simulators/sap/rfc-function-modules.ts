import { dats, rfcReadTable } from './rfc-read-table.js';
import {
  returnStructure,
  structureParameter,
  textParameter,
  type RfcCallContext,
  type RfcFunction,
  type RfcOutput,
  type RfcStructure,
} from './rfc-types.js';
import { alpha, SapDomainError, type CustomerMasterChange, type Row } from './sap-data-store.js';

/**
 * The function modules the simulator answers over SOAP-RFC, with the parameters of SAP's own
 * (a realistic subset of each structure's fields):
 *
 * - BAPI_CUSTOMER_GETDETAIL2 (CUSTOMERNO, COMPANYCODE) -> CUSTOMERADDRESS, CUSTOMERGENERALDETAIL,
 *   CUSTOMERCOMPANYDETAIL (when COMPANYCODE is 1010), RETURN (BAPIRET1).
 * - BAPI_VENDOR_GETDETAIL (VENDORNO, COMPANYCODE) -> GENERALDETAIL, COMPANYDETAIL, RETURN (BAPIRET1).
 * - BAPI_MATERIAL_GET_DETAIL (MATERIAL or MATERIAL_LONG, PLANT, VALUATIONAREA) -> MATERIAL_GENERAL_DATA,
 *   MATERIALPLANTDATA, MATERIALVALUATIONDATA (the price, when VALUATIONAREA is given), RETURN (BAPIRETURN).
 * - BAPI_CUSTOMER_CHANGEFROMDATA1 (CUSTOMERNO, PI_COMPANYDATA/PI_COMPANYDATAX for organisations,
 *   PI_PERSONALDATA/PI_PERSONALDATAX for persons, PI_SALESORG, PI_DISTR_CHAN, PI_DIVISION) ->
 *   PE_COMPANYDATA or PE_PERSONALDATA (as they will be), RETURN (BAPIRETURN1). The change waits in the
 *   logical unit of work for BAPI_TRANSACTION_COMMIT; ROLLBACK or the end of the session discards it.
 *   A field changes when its X flag is set; without an X structure, every non-blank field changes.
 * - BAPI_TRANSACTION_COMMIT (WAIT) and BAPI_TRANSACTION_ROLLBACK -> RETURN (BAPIRET2).
 * - RFC_READ_TABLE (see rfc-read-table.ts), RFC_PING, STFC_CONNECTION (REQUTEXT -> ECHOTEXT, RESPTEXT).
 *
 * RETURN is blank on success (TYPE ''), except CHANGEFROMDATA1 which says S. Deterministic
 * messages: E for an unknown number; W for a customer flagged for deletion (0010000007,
 * 0010000032, … : n % 25 == 7), a supplier blocked for payment (n % 30 == 0) and a material
 * flagged for deletion (MAT-0017, MAT-0034).
 */
const COMPANY_CODE = '1010';

function partnerFields(context: RfcCallContext, id: string): { partner: Row; address: Row | undefined } {
  const { store } = context.system;
  return { partner: store.partners.get(id)!, address: store.mainAddress(id) };
}

const flag = (value: unknown) => (value === true ? 'X' : '');

const customerGetDetail: RfcFunction = (input, context): RfcOutput => {
  const id = alpha(textParameter(input, 'CUSTOMERNO'));
  const companyCode = textParameter(input, 'COMPANYCODE').trim();
  const customer = context.system.store.customers.get(id);
  if (!customer) {
    return {
      CUSTOMERADDRESS: {}, CUSTOMERGENERALDETAIL: {}, CUSTOMERCOMPANYDETAIL: {}, CUSTOMERBANKDETAIL: [],
      RETURN: returnStructure('BAPIRET1', { type: 'E', id: 'FN', number: '002', message: `Customer ${id || "' '"} does not exist`, variables: [id] }),
    };
  }
  const { partner, address } = partnerFields(context, id);
  const wrongCompany = companyCode !== '' && companyCode !== COMPANY_CODE;
  const message = wrongCompany
    ? returnStructure('BAPIRET1', { type: 'E', id: 'FN', number: '004', message: `Customer ${id} is not created in company code ${companyCode}`, variables: [id, companyCode] })
    : customer.DeletionIndicator === true
      ? returnStructure('BAPIRET1', { type: 'W', id: 'FN', number: '010', message: `Customer ${id} has been flagged for deletion`, variables: [id] })
      : returnStructure('BAPIRET1');
  return {
    CUSTOMERADDRESS: {
      CUSTOMER: id, NAME: context.system.store.name1(partner), NAME_2: String(partner.OrganizationBPName2 ?? ''),
      CITY: String(address?.CityName ?? ''), POSTL_COD1: String(address?.PostalCode ?? ''),
      STREET: [address?.StreetName, address?.HouseNumber].filter(Boolean).join(' '), COUNTRY: String(address?.Country ?? ''),
      COUNTRYISO: String(address?.Country ?? ''), REGION: String(address?.Region ?? ''), LANGU: String(partner.Language).slice(0, 1),
      LANGU_ISO: String(partner.Language), TELEPHONE: String(partner._phone ?? ''), E_MAIL: String(partner._email ?? ''),
      CURRENCY: String(customer._currency ?? ''),
    },
    CUSTOMERGENERALDETAIL: {
      CUSTOMER: id, ACCOUNT_GROUP: String(customer.CustomerAccountGroup), CREATED_ON: isoDate(customer.CreationDate), CREATED_BY: String(customer.CreatedByUser),
      DEL_FLAG: flag(customer.DeletionIndicator), ORDER_BLOCK: String(customer.OrderIsBlockedForCustomer), DELIV_BLOCK: String(customer.DeliveryIsBlocked),
      BILL_BLOCK: String(customer.BillingIsBlockedForCustomer), POSTING_BLOCK: flag(customer.PostingIsBlocked), VAT_REG_NO: String(customer.VATRegistration),
      INDUSTRY: String(customer.Industry), VENDOR: String(customer.Supplier),
    },
    CUSTOMERCOMPANYDETAIL: companyCode === COMPANY_CODE
      ? { CUSTOMER: id, COMP_CODE: COMPANY_CODE, RECON_ACCOUNT: '0012100000', PMNTTRMS: '0001', DELETION_FLAG: flag(customer.DeletionIndicator), POSTING_BLOCK: flag(customer.PostingIsBlocked) }
      : {},
    CUSTOMERBANKDETAIL: [],
    RETURN: message,
  };
};

const vendorGetDetail: RfcFunction = (input, context): RfcOutput => {
  const id = alpha(textParameter(input, 'VENDORNO'));
  const companyCode = textParameter(input, 'COMPANYCODE').trim();
  const supplier = context.system.store.suppliers.get(id);
  if (!supplier) {
    return { GENERALDETAIL: {}, COMPANYDETAIL: {}, BANKDETAIL: [], RETURN: returnStructure('BAPIRET1', { type: 'E', id: 'FN', number: '012', message: `Vendor ${id || "' '"} does not exist`, variables: [id] }) };
  }
  const { partner, address } = partnerFields(context, id);
  return {
    GENERALDETAIL: {
      VENDOR: id, NAME: context.system.store.name1(partner), NAME_2: String(partner.OrganizationBPName2 ?? ''),
      CITY: String(address?.CityName ?? ''), POSTL_CODE: String(address?.PostalCode ?? ''), STREET: [address?.StreetName, address?.HouseNumber].filter(Boolean).join(' '),
      COUNTRY: String(address?.Country ?? ''), COUNTRYISO: String(address?.Country ?? ''), REGION: String(address?.Region ?? ''),
      LANGU: String(partner.Language).slice(0, 1), LANGU_ISO: String(partner.Language), TELEPHONE: String(partner._phone ?? ''),
      ACCOUNT_GROUP: String(supplier.SupplierAccountGroup), CUSTOMER: String(supplier.Customer), VAT_REG_NO: String(supplier.VATRegistration),
      POSTING_BLOCK: flag(supplier.PostingIsBlocked), PURCH_BLOCK: flag(supplier.PurchasingIsBlocked), CURRENCY: String(supplier._currency ?? ''),
    },
    COMPANYDETAIL: companyCode === COMPANY_CODE
      ? { VENDOR: id, COMP_CODE: COMPANY_CODE, RECON_ACCOUNT: '0021100000', PMNTTRMS: '0001', PAYMENT_BLOCK: supplier.PaymentIsBlockedForSupplier === true ? 'A' : '' }
      : {},
    BANKDETAIL: [],
    RETURN: companyCode !== '' && companyCode !== COMPANY_CODE
      ? returnStructure('BAPIRET1', { type: 'E', id: 'FN', number: '014', message: `Vendor ${id} is not created in company code ${companyCode}`, variables: [id, companyCode] })
      : supplier.PaymentIsBlockedForSupplier === true
        ? returnStructure('BAPIRET1', { type: 'W', id: 'FN', number: '016', message: `Vendor ${id} is blocked for payment`, variables: [id] })
        : returnStructure('BAPIRET1'),
  };
};

function isoDate(value: unknown): string {
  const text = dats(value);
  return text === '00000000' ? '0000-00-00' : `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}`;
}

const materialGetDetail: RfcFunction = (input, context): RfcOutput => {
  const id = (textParameter(input, 'MATERIAL_LONG') || textParameter(input, 'MATERIAL')).trim().toUpperCase();
  const plant = textParameter(input, 'PLANT').trim();
  const valuationArea = textParameter(input, 'VALUATIONAREA').trim();
  const { store } = context.system;
  const product = store.products.get(id);
  if (!product) {
    return { MATERIAL_GENERAL_DATA: {}, MATERIALPLANTDATA: {}, MATERIALVALUATIONDATA: {}, RETURN: returnStructure('BAPIRETURN', { type: 'E', id: 'M3', number: '305', message: `Material ${id || "' '"} does not exist`, variables: [id] }) };
  }
  return {
    MATERIAL_GENERAL_DATA: {
      MATL_DESC: String(product._description ?? ''), IND_SECTOR: String(product.IndustrySector), MATL_TYPE: String(product.ProductType),
      MATL_GROUP: String(product.ProductGroup), BASE_UOM: String(product.BaseUnit), BASE_UOM_ISO: product.BaseUnit === 'KG' ? 'KGM' : 'PCE',
      CREATED_ON: isoDate(product.CreationDate), CREATED_BY: String(product.CreatedByUser), LAST_CHNGE: isoDate(product.LastChangeDate),
      CHANGED_BY: String(product.LastChangedByUser), DEL_FLAG: flag(product.IsMarkedForDeletion), DIVISION: String(product.Division),
      GROSS_WT: String(product.GrossWeight), NET_WEIGHT: String(product.NetWeight), UNIT_OF_WT: String(product.WeightUnit), EAN_UPC: String(product.ProductStandardID),
    },
    MATERIALPLANTDATA: plant ? { PLANT: plant, PUR_STATUS: '', AVAILCHECK: '02', PROC_TYPE: product.ProductType === 'HAWA' ? 'F' : 'E' } : {},
    MATERIALVALUATIONDATA: valuationArea ? { VAL_AREA: valuationArea, PRICE_CTRL: 'S', STD_PRICE: String(product._price ?? '0.00'), PRICE_UNIT: '1', CURRENCY: 'EUR' } : {},
    RETURN: product.IsMarkedForDeletion === true
      ? returnStructure('BAPIRETURN', { type: 'W', id: 'M3', number: '348', message: `Material ${id} is flagged for deletion`, variables: [id] })
      : returnStructure('BAPIRETURN'),
  };
};

/** The fields of a BAPI structure to change: flagged ones when an X structure is given, else the non-blank ones. */
function flagged(data: RfcStructure | undefined, flags: RfcStructure | undefined): RfcStructure {
  if (!data) return {};
  const out: RfcStructure = {};
  for (const [name, value] of Object.entries(data)) {
    if (flags ? flags[name]?.trim().toUpperCase() === 'X' : value.trim() !== '') out[name] = value.trim();
  }
  return out;
}

const customerChange: RfcFunction = (input, context): RfcOutput => {
  const id = alpha(textParameter(input, 'CUSTOMERNO'));
  const { store } = context.system;
  const customer = store.customers.get(id);
  const fail = (id2: string, number: string, message: string, variables: string[] = []) => ({
    PE_PERSONALDATA: {}, PE_COMPANYDATA: {},
    RETURN: returnStructure('BAPIRETURN1', { type: 'E', id: id2, number, message, variables }),
  });
  if (!customer) return fail('F2', '163', `Customer ${id || "' '"} does not exist`, [id]);
  const partner = store.partners.get(id)!;
  const person = partner.BusinessPartnerCategory === '1';
  const company = flagged(structureParameter(input, 'PI_COMPANYDATA'), structureParameter(input, 'PI_COMPANYDATAX'));
  const personal = flagged(structureParameter(input, 'PI_PERSONALDATA'), structureParameter(input, 'PI_PERSONALDATAX'));
  if (person && Object.keys(company).length > 0) return fail('F2', '190', `Customer ${id} is a person: change it with PI_PERSONALDATA`, [id]);
  if (!person && Object.keys(personal).length > 0) return fail('F2', '191', `Customer ${id} is an organization: change it with PI_COMPANYDATA`, [id]);
  const data = person ? personal : company;
  const change: CustomerMasterChange = {
    name: data.NAME,
    name2: data.NAME_2,
    firstName: data.FIRSTNAME,
    lastName: data.LASTNAME,
    city: data.CITY,
    postalCode: data.POSTL_COD1,
    street: data.STREET,
    houseNumber: data.HOUSE_NO,
    country: data.COUNTRY,
    region: data.REGION,
    language: data.LANGU_ISO || data.LANGUP_ISO,
    phone: data.TEL1_NUMBR,
    email: data.E_MAIL,
  };
  for (const key of Object.keys(change) as (keyof CustomerMasterChange)[]) if (change[key] === undefined) delete change[key];
  if (Object.keys(change).length === 0) return fail('F2', '192', 'No data was changed: set the X flag of each field to change', []);
  if (change.name === '' || change.lastName === '') return fail('F2', '193', 'The name cannot be blank', []);
  if (change.country !== undefined && !/^[A-Z]{2,3}$/.test(change.country)) return fail('F2', '194', `Country ${change.country} does not exist`, [change.country]);
  context.unit.pending.push({ function: 'BAPI_CUSTOMER_CHANGEFROMDATA1', customer: id, change });

  const address = store.mainAddress(id);
  const after = (value: string | undefined, current: unknown) => value ?? String(current ?? '');
  const common = {
    CITY: after(change.city, address?.CityName), POSTL_COD1: after(change.postalCode, address?.PostalCode), STREET: after(change.street, address?.StreetName),
    HOUSE_NO: after(change.houseNumber, address?.HouseNumber), COUNTRY: after(change.country, address?.Country), REGION: after(change.region, address?.Region),
    TEL1_NUMBR: after(change.phone, partner._phone), E_MAIL: after(change.email, partner._email),
  };
  return {
    PE_PERSONALDATA: person ? { FIRSTNAME: after(change.firstName, partner.FirstName), LASTNAME: after(change.lastName ?? change.name, partner.LastName), ...common } : {},
    PE_COMPANYDATA: person ? {} : { NAME: after(change.name, partner.OrganizationBPName1), NAME_2: after(change.name2, partner.OrganizationBPName2), ...common },
    RETURN: customer.DeletionIndicator === true
      ? returnStructure('BAPIRETURN1', { type: 'W', id: 'F2', number: '184', message: `Customer ${id} is flagged for deletion; the change is kept`, variables: [id] })
      : returnStructure('BAPIRETURN1', { type: 'S', id: 'F2', number: '056', message: `Customer ${id} has been changed`, variables: [id] }),
  };
};

const commit: RfcFunction = (_input, context): RfcOutput => {
  const { store } = context.system;
  for (const pending of context.unit.pending) {
    try {
      store.changeCustomerMaster(pending.customer, pending.change);
    } catch (error) {
      if (!(error instanceof SapDomainError)) throw error;
      context.system.finishUnitOfWork(context.unit, 'rolled-back');
      return { RETURN: returnStructure('BAPIRET2', { type: 'E', id: error.messageId[0], number: error.messageId[1], message: error.message }) };
    }
  }
  context.system.finishUnitOfWork(context.unit, 'committed');
  return { RETURN: returnStructure('BAPIRET2') };
};

const rollback: RfcFunction = (_input, context): RfcOutput => {
  context.system.finishUnitOfWork(context.unit, 'rolled-back');
  return { RETURN: returnStructure('BAPIRET2') };
};

const stfcConnection: RfcFunction = (input, context): RfcOutput => ({
  ECHOTEXT: textParameter(input, 'REQUTEXT'),
  RESPTEXT: `SAP R/3 Rel. 758   Sysid: ${context.system.id}      Date: ${dats(Date.now())}   Time: ${new Date().toISOString().slice(11, 19).replaceAll(':', '')}   Logical dest: NONE`,
});

export const FUNCTION_MODULES: ReadonlyMap<string, RfcFunction> = new Map([
  ['BAPI_CUSTOMER_GETDETAIL2', customerGetDetail],
  ['BAPI_VENDOR_GETDETAIL', vendorGetDetail],
  ['BAPI_MATERIAL_GET_DETAIL', materialGetDetail],
  ['BAPI_CUSTOMER_CHANGEFROMDATA1', customerChange],
  ['BAPI_TRANSACTION_COMMIT', commit],
  ['BAPI_TRANSACTION_ROLLBACK', rollback],
  ['RFC_READ_TABLE', rfcReadTable],
  ['RFC_PING', () => ({})],
  ['STFC_CONNECTION', stfcConnection],
]);
