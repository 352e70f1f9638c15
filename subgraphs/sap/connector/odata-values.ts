/**
 * OData v2 values as SAP Gateway writes them in JSON verbose, and back: `/Date(…)/` date-times,
 * decimals and 64-bit integers as strings, URI literals for keys and filters.
 */

const ODATA_DATE = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/;

/**
 * `/Date(1700000000000)/` (Edm.DateTime) or `/Date(1700000000000+0060)/` (Edm.DateTimeOffset)
 * as an ISO 8601 UTC date-time. The ticks are milliseconds since the epoch in UTC already; the
 * offset (in minutes) only says where the value was written, so it does not move the instant.
 * An ISO string (some services write them) is normalised to UTC; anything else comes back as is.
 */
export function odataDateToIso(value: string): string {
  const match = ODATA_DATE.exec(value);
  if (match) {
    const date = new Date(Number(match[1]));
    return Number.isNaN(date.getTime()) ? value : date.toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    const time = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? value : `${value}Z`);
    if (!Number.isNaN(time)) return new Date(time).toISOString();
  }
  return value;
}

/** A Date or an ISO date-time (UTC when it has no zone) as `/Date(ms)/`, or `/Date(ms+0000)/` for Edm.DateTimeOffset. */
export function isoToODataDate(value: Date | string, withOffset: boolean): string {
  const time = value instanceof Date ? value.getTime() : Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(value) || !value.includes('T') ? value : `${value}Z`);
  if (Number.isNaN(time)) throw new RangeError(`${JSON.stringify(String(value))} is not a date-time`);
  return `/Date(${time}${withOffset ? '+0000' : ''})/`;
}

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
/** The hub's Decimal scalar takes at most 6 fraction digits. */
const MAX_FRACTION = 6;

/**
 * A decimal in plain notation, exactly: no exponent, no `+`, no leading zeros, `-0` as `0`.
 * The scale SAP wrote is kept (`12.50` stays `12.50`), except that trailing zeros beyond six
 * fraction digits are dropped; an exponent form loses its trailing fraction zeros. Never goes
 * through a float. Text that is not a number comes back unchanged.
 */
export function normaliseDecimal(value: string | number): string {
  const text = String(value).trim();
  const match = DECIMAL_TEXT.exec(text);
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) return String(value);
  const [, sign = '', whole = '', fraction = '', exponent] = match;
  let integer = whole;
  let decimals = fraction;
  if (exponent !== undefined) {
    const digits = whole + fraction;
    const point = whole.length + Number(exponent);
    if (point <= 0) {
      integer = '0';
      decimals = '0'.repeat(-point) + digits;
    } else if (point >= digits.length) {
      integer = digits + '0'.repeat(point - digits.length);
      decimals = '';
    } else {
      integer = digits.slice(0, point);
      decimals = digits.slice(point);
    }
    decimals = decimals.replace(/0+$/, '');
  }
  integer = integer.replace(/^0+(?=\d)/, '') || '0';
  if (decimals.length > MAX_FRACTION) decimals = decimals.slice(0, MAX_FRACTION) + decimals.slice(MAX_FRACTION).replace(/0+$/, '');
  const zero = /^0*$/.test(integer) && /^0*$/.test(decimals);
  return `${sign === '-' && !zero ? '-' : ''}${integer}${decimals ? `.${decimals}` : ''}`;
}

/** A string as an OData string literal: quoted, `'` doubled. */
export function stringLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * A value as an OData v2 URI literal for a property of `edmType` (key predicates, filters).
 * Without a type, strings are quoted and numbers and booleans are written as they are.
 */
export function uriLiteral(value: string | number | boolean | Date, edmType?: string): string {
  const text = value instanceof Date ? value.toISOString() : String(value);
  switch (edmType) {
    case 'Edm.Guid':
      return `guid'${text}'`;
    case 'Edm.DateTime':
      return `datetime'${odataDateToIso(text).replace(/(\.000)?Z$/, '')}'`;
    case 'Edm.DateTimeOffset':
      return `datetimeoffset'${odataDateToIso(text)}'`;
    case 'Edm.Time':
      return `time'${text}'`;
    case 'Edm.Decimal':
      return `${normaliseDecimal(text)}M`;
    case 'Edm.Int64':
      return `${text}L`;
    case 'Edm.Double':
      return `${text}d`;
    case 'Edm.Single':
      return `${text}f`;
    case 'Edm.Binary':
      return `binary'${text}'`;
    case 'Edm.Boolean':
    case 'Edm.Byte':
    case 'Edm.SByte':
    case 'Edm.Int16':
    case 'Edm.Int32':
      return text;
    case 'Edm.String':
      return stringLiteral(text);
    default:
      return typeof value === 'string' || value instanceof Date ? stringLiteral(text) : text;
  }
}
