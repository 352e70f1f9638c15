import { randomInt } from 'node:crypto';
import { badUserInput, type FieldError } from '../../../infra/errors.js';
import { normaliseDecimal } from './odata-values.js';
import type { SapSystemConfig } from './sap-config.js';

/** A sales order for SAP, as the hub knows it. */
export interface Orders05Input {
  /** The IDoc number of the control record, up to 16 digits; default a new one (time and chance). */
  docnum?: string;
  /** The customer's order number (E1EDK02 QUALF 001, and E1EDK01 BELNR), up to 35 characters. */
  orderNumber: string;
  orderDate: Date;
  /** ISO 4217 code, three letters. */
  currency: string;
  /** The sold-to party's customer number in SAP (E1EDKA1 PARVW AG), as SAP stores it (`0010000001`). */
  soldTo: string;
  items: readonly Orders05Item[];
}

export interface Orders05Item {
  /** The item number (POSEX), up to 6 digits: `10`, `000010`. */
  position: string | number;
  /** SAP's material number (E1EDP19 QUALF 002). */
  material: string;
  /** Decimal, more than 0. */
  quantity: string | number;
  /** Unit of measure (MENEE), up to 3 characters: `EA`, `PCE`, `KG`. */
  unit: string;
  /** Net price per unit (VPREI, price unit 1), a decimal. */
  netPrice: string | number;
}

/** MENGE and VPREI are 15 characters of plain decimal text. */
const fitsDecimal = (value: string) => /^\d+(\.\d+)?$/.test(value) && value.length <= 15;

/** Element text escaped: only `&`, `<` and `>` need it (quotes stay readable for SAP's logs). */
function escapeXml(text: string): string {
  return text.replace(/[&<>]/g, (char) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt' }[char]};`);
}

/** A new IDoc number: the time in milliseconds and three random digits, 16 digits. */
export function newDocnum(now = Date.now()): string {
  return `${String(now).padStart(13, '0').slice(-13)}${String(randomInt(1000)).padStart(3, '0')}`;
}

const yyyymmdd = (date: Date) => date.toISOString().slice(0, 10).replace(/-/g, '');
const hhmmss = (date: Date) => date.toISOString().slice(11, 19).replace(/:/g, '');

function segment(name: string, fields: readonly [string, string][], children = ''): string {
  const values = fields.map(([field, value]) => `<${field}>${escapeXml(value)}</${field}>`).join('');
  return `<${name} SEGMENT="1">${values}${children}</${name}>`;
}

/**
 * An ORDERS05 IDoc (message type ORDERS) in SAP's IDoc-XML: the EDI_DC40 control record
 * (inbound, DIRECT 2, the system's client and partner settings, created now in UTC), E1EDK01
 * (currency, document number), E1EDKA1 (sold-to party), E1EDK02 (QUALF 001: the customer's
 * order number and date) and per item E1EDP01 (POSEX, MENGE, MENEE, VPREI, PEINH 1) with E1EDP19
 * (QUALF 002: the material). Segments and fields in the order of the IDoc type's definition.
 * Throws BAD_USER_INPUT naming each field that does not fit its IDoc field.
 */
export function buildOrders05(system: Pick<SapSystemConfig, 'client' | 'idoc'>, input: Orders05Input, now = new Date()): string {
  const problems: FieldError[] = [];
  const check = (ok: boolean, field: string, message: string) => {
    if (!ok) problems.push({ field, message });
  };
  const docnum = input.docnum ?? newDocnum(now.getTime());
  check(/^\d{1,16}$/.test(docnum), 'docnum', 'must be 1 to 16 digits');
  check(input.orderNumber.length >= 1 && input.orderNumber.length <= 35, 'orderNumber', 'must be 1 to 35 characters');
  check(!Number.isNaN(input.orderDate.getTime()), 'orderDate', 'must be a valid date');
  check(/^[A-Z]{3}$/.test(input.currency), 'currency', 'must be a three-letter ISO 4217 code');
  check(input.soldTo.length >= 1 && input.soldTo.length <= 17, 'soldTo', 'must be 1 to 17 characters');
  check(input.items.length > 0, 'items', 'must hold at least one item');
  const items = input.items.map((item, index) => {
    const at = `items.${index}`;
    const position = String(item.position);
    const quantity = normaliseDecimal(item.quantity);
    const price = normaliseDecimal(item.netPrice);
    check(/^\d{1,6}$/.test(position), `${at}.position`, 'must be 1 to 6 digits');
    check(item.material.length >= 1 && item.material.length <= 35, `${at}.material`, 'must be 1 to 35 characters');
    check(fitsDecimal(quantity) && /[1-9]/.test(quantity), `${at}.quantity`, 'must be a decimal greater than 0 that fits 15 characters');
    check(item.unit.length >= 1 && item.unit.length <= 3, `${at}.unit`, 'must be 1 to 3 characters');
    check(fitsDecimal(price), `${at}.netPrice`, 'must be a decimal of 0 or more that fits 15 characters');
    return { position: position.padStart(6, '0'), material: item.material, quantity, unit: item.unit, price };
  });
  if (problems.length > 0) throw badUserInput(problems);

  const control = segment('EDI_DC40', [
    ['TABNAM', 'EDI_DC40'],
    ['MANDT', system.client],
    ['DOCNUM', docnum.padStart(16, '0')],
    ['DIRECT', '2'],
    ['IDOCTYP', 'ORDERS05'],
    ['MESTYP', 'ORDERS'],
    ['SNDPOR', system.idoc.senderPort],
    ['SNDPRT', 'LS'],
    ['SNDPRN', system.idoc.senderPartner],
    ['RCVPOR', system.idoc.receiverPort],
    ['RCVPRT', 'LS'],
    ['RCVPRN', system.idoc.receiverPartner],
    ['CREDAT', yyyymmdd(now)],
    ['CRETIM', hhmmss(now)],
  ]);
  const segments = [
    control,
    segment('E1EDK01', [
      ['CURCY', input.currency],
      ['BELNR', input.orderNumber],
    ]),
    segment('E1EDKA1', [
      ['PARVW', 'AG'],
      ['PARTN', input.soldTo],
    ]),
    segment('E1EDK02', [
      ['QUALF', '001'],
      ['BELNR', input.orderNumber],
      ['DATUM', yyyymmdd(input.orderDate)],
    ]),
    ...items.map((item) =>
      segment(
        'E1EDP01',
        [
          ['POSEX', item.position],
          ['MENGE', item.quantity],
          ['MENEE', item.unit],
          ['VPREI', item.price],
          ['PEINH', '1'],
        ],
        segment('E1EDP19', [
          ['QUALF', '002'],
          ['IDTNR', item.material],
        ]),
      ),
    ),
  ];
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ORDERS05>\n<IDOC BEGIN="1">\n${segments.join('\n')}\n</IDOC>\n</ORDERS05>\n`;
}
