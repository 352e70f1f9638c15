import {
  buildItem,
  CHANGE_USER,
  dateOnly,
  DAY_MS,
  decimal,
  emptyAddress,
  emptyCustomer,
  emptyPartner,
  emptyProduct,
  emptySalesOrder,
  emptySupplier,
  timeOfDay,
  type Row,
  type SapDataStore,
} from './sap-data-store.js';

/**
 * The sample data every simulated system starts with: the same on every start (a fixed seed),
 * so that tests and demos can name records.
 *
 * - 200 business partners '0010000001'..'0010000200'; every third is a person (category 1),
 *   the others organisations (category 2). Each has one address.
 * - Customers (A_Customer, KNA1): partners n <= 150 with n % 5 != 0, plus n % 23 == 0 (123 in all).
 *   Of them, n % 25 == 7 are flagged for deletion (BAPIs warn, orders are refused) and
 *   n % 40 == 11 are blocked for orders (block '01').
 * - Suppliers (A_Supplier, LFA1): n % 5 == 0, n > 180 or n % 23 == 0 (62 in all); n % 23 == 0 are both
 *   customer and supplier. Suppliers n % 30 == 0 are blocked for payment.
 * - 50 materials 'MAT-0001'..'MAT-0050'; MAT-0017 and MAT-0034 are flagged for deletion.
 * - 300 sales orders '5000000001'..'5000000300', chronological, with 1 to 5 items each;
 *   the older ones mostly completed (OverallSDProcessStatus C), the newest mostly open (A).
 */
export const SAMPLE = {
  partners: 200,
  products: 50,
  salesOrders: 300,
  /** 2023-01-02T00:00:00Z: the first sample sales order's creation date. */
  firstOrderAt: Date.UTC(2023, 0, 2),
} as const;

export function partnerNumber(n: number): string {
  return String(10_000_000 + n).padStart(10, '0');
}

export function productNumber(n: number): string {
  return `MAT-${String(n).padStart(4, '0')}`;
}

export function isSampleCustomer(n: number): boolean {
  return (n <= 150 && n % 5 !== 0) || n % 23 === 0;
}

export function isSampleSupplier(n: number): boolean {
  return n % 5 === 0 || n > 180 || n % 23 === 0;
}

/** mulberry32: a small deterministic PRNG. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Country {
  country: string;
  currency: string;
  language: string;
  legalForm: string;
  vat: string;
  cities: readonly (readonly [city: string, postalCode: string, region: string])[];
}

const COUNTRIES: readonly Country[] = [
  { country: 'DE', currency: 'EUR', language: 'DE', legalForm: 'GmbH', vat: 'DE', cities: [['Berlin', '10115', 'BE'], ['Hamburg', '20095', 'HH'], ['Munich', '80331', 'BY'], ['Walldorf', '69190', 'BW']] },
  { country: 'US', currency: 'USD', language: 'EN', legalForm: 'Inc.', vat: '', cities: [['New York', '10001', 'NY'], ['Chicago', '60601', 'IL'], ['Palo Alto', '94301', 'CA']] },
  { country: 'FR', currency: 'EUR', language: 'FR', legalForm: 'SA', vat: 'FR', cities: [['Paris', '75001', ''], ['Lyon', '69001', '']] },
  { country: 'GB', currency: 'GBP', language: 'EN', legalForm: 'Ltd', vat: 'GB', cities: [['London', 'EC1A 1BB', ''], ['Manchester', 'M1 1AE', '']] },
  { country: 'NL', currency: 'EUR', language: 'NL', legalForm: 'B.V.', vat: 'NL', cities: [['Amsterdam', '1012 AB', ''], ['Rotterdam', '3011 AA', '']] },
  { country: 'CH', currency: 'CHF', language: 'DE', legalForm: 'AG', vat: 'CHE', cities: [['Zurich', '8001', 'ZH'], ['Basel', '4001', 'BS']] },
];

const ORG_WORDS = ['Alpine', 'Baltic', 'Cedar', 'Delta', 'Everest', 'Fjord', 'Granite', 'Harbor', 'Iris', 'Juniper', 'Keystone', 'Lumen', 'Meridian', 'Nordic', 'Orion', 'Pacific', 'Quartz', 'Riviera', 'Summit', 'Tundra'];
const ORG_KINDS = ['Trading', 'Industries', 'Logistics', 'Foods', 'Systems', 'Retail', 'Pharma', 'Motors', 'Textiles', 'Energy'];
const FIRST_NAMES = [['Anna', 'F'], ['Ben', 'M'], ['Clara', 'F'], ['David', 'M'], ['Emma', 'F'], ['Felix', 'M'], ['Greta', 'F'], ['Hugo', 'M'], ['Ines', 'F'], ['Jonas', 'M'], ['Lena', 'F'], ['Max', 'M']] as const;
const LAST_NAMES = ['Becker', 'Dubois', 'Garcia', 'Hoffmann', 'Jansen', 'Keller', 'Martin', 'Novak', 'Schmidt', 'Smith', 'Weber', 'Wilson'];
const STREETS = ['Main Street', 'Hauptstrasse', 'Rue de la Paix', 'Market Square', 'Dietmar-Hopp-Allee', 'Harbour Road', 'Station Road', 'Industriestrasse'];
const INDUSTRIES = ['RETL', 'MANU', 'SERV', 'WHOL', 'TECH'];
const PRODUCT_NOUNS = ['Bolt', 'Bracket', 'Bearing', 'Cable', 'Controller', 'Drill', 'Filter', 'Gasket', 'Gear', 'Hinge', 'Hose', 'Lamp', 'Motor', 'Nozzle', 'Panel', 'Pump', 'Sensor', 'Spring', 'Switch', 'Valve', 'Fan', 'Relay', 'Clamp', 'Coupling', 'Display'];
const PRODUCT_ADJECTIVES = ['Steel', 'Compact', 'Heavy-Duty', 'Precision', 'Industrial'];

/** Fills a new store with the sample data described above. */
export function seedSampleData(store: SapDataStore): void {
  const rng = random(0x5a9_2024);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
  const baseCreated = Date.UTC(2020, 0, 6, 8);

  for (let n = 1; n <= SAMPLE.partners; n++) {
    const id = partnerNumber(n);
    const place = COUNTRIES[n % COUNTRIES.length]!;
    const [city, postalCode, region] = pick(place.cities);
    const created = baseCreated + Math.floor(rng() * 1000) * DAY_MS + Math.floor(rng() * 36_000) * 1000;
    const changed = created + Math.floor(rng() * 300) * DAY_MS + n;
    const person = n % 3 === 0;
    const partner: Row = { ...emptyPartner(), BusinessPartner: id, BusinessPartnerCategory: person ? '1' : '2', Language: place.language, CorrespondenceLanguage: place.language };
    if (person) {
      const [firstName, sex] = FIRST_NAMES[n % FIRST_NAMES.length]!;
      partner.FirstName = firstName;
      partner.LastName = LAST_NAMES[Math.floor(n / FIRST_NAMES.length) % LAST_NAMES.length]!;
      partner.FormOfAddress = sex === 'F' ? '0001' : '0002';
      partner.IsFemale = sex === 'F';
      partner.IsMale = sex === 'M';
      partner.IsNaturalPerson = 'X';
      partner.SearchTerm1 = String(partner.LastName).toUpperCase();
      partner._email = `${String(firstName).toLowerCase()}.${String(partner.LastName).toLowerCase()}${n}@example.com`;
    } else {
      const word = ORG_WORDS[n % ORG_WORDS.length]!;
      partner.OrganizationBPName1 = `${word} ${ORG_KINDS[Math.floor(n / ORG_WORDS.length) % ORG_KINDS.length]} ${place.legalForm}`;
      partner.OrganizationBPName2 = n % 4 === 1 ? `${city} branch` : '';
      partner.FormOfAddress = '0003';
      partner.LegalForm = '01';
      partner.Industry = pick(INDUSTRIES);
      partner.SearchTerm1 = word.toUpperCase();
      partner.OrganizationFoundationDate = Date.UTC(1950 + (n % 70), n % 12, 1 + (n % 28));
      partner._email = `orders@${word.toLowerCase()}${n}.example.com`;
    }
    partner._phone = `+${10 + (n % 89)} ${100 + n} ${String(1000 + ((n * 37) % 9000))}`;
    partner.CreatedByUser = 'DATAMIGR';
    partner.CreationDate = dateOnly(created);
    partner.CreationTime = timeOfDay(created);
    partner.BusinessPartnerUUID = `fa163e${String(n).padStart(2, '0').slice(-2)}-5a9e-1eda-8b9c-${String(n).padStart(12, '0')}`;
    partner.IsMarkedForArchiving = n === 199;
    partner.BusinessPartnerIsBlocked = n === 198;
    partner.Customer = isSampleCustomer(n) ? id : '';
    partner.Supplier = isSampleSupplier(n) ? id : '';
    store.partners.set(id, partner);
    store.notePartnerNumber(id);
    store.addresses.set(id, [{
      ...emptyAddress(), BusinessPartner: id, AddressID: String(20_000 + n), ValidityStartDate: dateOnly(created), CityName: city,
      Country: place.country, HouseNumber: String(1 + (n % 120)), Language: place.language, PostalCode: postalCode, Region: region,
      StreetName: STREETS[n % STREETS.length]!, AddressTimeZone: place.country === 'US' ? 'EST' : 'CET',
    }]);

    if (isSampleCustomer(n)) {
      store.customers.set(id, {
        ...emptyCustomer(), Customer: id, CreatedByUser: 'DATAMIGR', CreationDate: dateOnly(created),
        CustomerClassification: pick(['A', 'B', 'C']), Industry: String(partner.Industry || ''),
        NFPartnerIsNaturalPerson: person ? 'X' : '', OrderIsBlockedForCustomer: n % 40 === 11 ? '01' : '',
        DeletionIndicator: n % 25 === 7, Supplier: isSampleSupplier(n) ? id : '',
        VATRegistration: place.vat && !person ? `${place.vat}${String(100_000_000 + n * 7919).slice(0, 9)}` : '',
        _currency: place.currency, _changedAt: changed,
      });
    }
    if (isSampleSupplier(n)) {
      store.suppliers.set(id, {
        ...emptySupplier(), Supplier: id, CreatedByUser: 'DATAMIGR', CreationDate: dateOnly(created),
        Customer: isSampleCustomer(n) ? id : '', PaymentIsBlockedForSupplier: n % 30 === 0, Industry: String(partner.Industry || ''),
        VATRegistration: place.vat && !person ? `${place.vat}${String(200_000_000 + n * 104_729).slice(0, 9)}` : '',
        _currency: place.currency, _changedAt: changed,
      });
    }
    store.syncPartnerNames(partner);
    partner.LastChangeDate = dateOnly(changed);
    partner.LastChangeTime = timeOfDay(changed);
    partner.LastChangedByUser = 'DATAMIGR';
    partner._changedAt = changed;
  }

  for (let n = 1; n <= SAMPLE.products; n++) {
    const id = productNumber(n);
    const created = Date.UTC(2019, 5, 3) + n * 3 * DAY_MS;
    const changed = created + (n % 40) * 11 * DAY_MS + n;
    const raw = n % 7 === 0;
    const gross = 0.2 + rng() * 40;
    const description = `${PRODUCT_ADJECTIVES[n % PRODUCT_ADJECTIVES.length]} ${PRODUCT_NOUNS[(n - 1) % PRODUCT_NOUNS.length]}${n > PRODUCT_NOUNS.length ? ' XL' : ''}`;
    store.products.set(id, {
      ...emptyProduct(), Product: id, ProductType: raw ? 'ROH' : n % 5 === 0 ? 'HAWA' : 'FERT', CreationDate: dateOnly(created),
      CreatedByUser: 'DATAMIGR', LastChangeDate: dateOnly(changed), LastChangedByUser: 'DATAMIGR', LastChangeDateTime: changed,
      IsMarkedForDeletion: n % 17 === 0, GrossWeight: decimal(gross, 3), NetWeight: decimal(gross * 0.9, 3), WeightUnit: 'KG',
      ProductGroup: `L${String(1 + (n % 4)).padStart(3, '0')}`, BaseUnit: raw ? 'KG' : 'PC', Division: '00',
      ProductStandardID: `40${String(1_000_000_000 + n * 7_777).padStart(11, '0')}`, CountryOfOrigin: pick(['DE', 'US', 'CN', 'IT']),
      _price: decimal(5 + Math.round(rng() * 49_500) / 100, 2), _description: description, _changedAt: changed,
    });
    store.productDescriptions.set(id, [
      { Product: id, Language: 'EN', ProductDescription: description },
      { Product: id, Language: 'DE', ProductDescription: `${description} (DE)` },
    ]);
  }

  const customerIds = [...store.customers.values()].filter((row) => row.DeletionIndicator !== true && !row.OrderIsBlockedForCustomer).map((row) => String(row.Customer));
  const productIds = [...store.products.values()].filter((row) => row.IsMarkedForDeletion !== true).map((row) => String(row.Product));
  for (let k = 1; k <= SAMPLE.salesOrders; k++) {
    const id = String(5_000_000_000 + k);
    const soldTo = pick(customerIds);
    const customer = store.customers.get(soldTo)!;
    const currency = String(customer._currency);
    const created = SAMPLE.firstOrderAt + (k - 1) * 2 * DAY_MS + Math.floor(rng() * 30_000) * 1000;
    const changed = created + Math.floor(rng() * 20) * DAY_MS + k;
    const roll = rng();
    const status = k <= 180 ? (roll < 0.9 ? 'C' : 'B') : k <= 250 ? (roll < 0.4 ? 'C' : roll < 0.8 ? 'B' : 'A') : roll < 0.75 ? 'A' : 'B';
    const purchaseOrder = `PO-${new Date(created).getUTCFullYear()}-${String(k).padStart(4, '0')}`;
    const items: Row[] = [];
    const itemCount = 1 + Math.floor(rng() * 5);
    for (let i = 1; i <= itemCount; i++) {
      const product = store.products.get(pick(productIds))!;
      items.push(buildItem(id, i * 10, product, 1 + Math.floor(rng() * 20), currency, dateOnly(created), status, purchaseOrder));
    }
    const address = store.mainAddress(soldTo);
    store.salesOrders.set(id, {
      ...emptySalesOrder(), SalesOrder: id, SoldToParty: soldTo, CreationDate: dateOnly(created), CreatedByUser: pick(['SALES01', 'SALES02', CHANGE_USER]),
      LastChangeDate: dateOnly(changed), LastChangeDateTime: changed, PurchaseOrderByCustomer: purchaseOrder,
      CustomerPurchaseOrderDate: dateOnly(created) - DAY_MS, SalesOrderDate: dateOnly(created), PricingDate: dateOnly(created),
      RequestedDeliveryDate: dateOnly(created) + (7 + Math.floor(rng() * 21)) * DAY_MS, TransactionCurrency: currency,
      TotalNetAmount: decimal(items.reduce((sum, item) => sum + Number(item.NetAmount), 0), 2),
      IncotermsClassification: pick(['EXW', 'FCA', 'DAP']), IncotermsLocation1: String(address?.CityName ?? ''),
      OverallSDProcessStatus: status, OverallTotalDeliveryStatus: status, OverallDeliveryStatus: status,
      OverallOrdReltdBillgStatus: status === 'C' ? 'C' : '', _changedAt: changed,
    });
    store.salesOrderItems.set(id, items);
    store.noteSalesOrderNumber(id);
  }
}
