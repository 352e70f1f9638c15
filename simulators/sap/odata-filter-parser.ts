import type { EntitySetDef, PropertyDef } from './odata-model.js';
import { alpha, type Row } from './sap-data-store.js';

/**
 * OData v2 `$filter` (and key predicate) parsing, compiled to a predicate over a store row.
 *
 * Supported: eq ne gt ge lt le, and or not, parentheses; literals 'string' ('' escapes a quote),
 * integers and decimals (optional M/m/L/d/f suffix), true/false, null, datetime'…',
 * datetimeoffset'…', guid'…', time'PT…'; functions substringof, startswith, endswith, tolower,
 * toupper, trim, length, indexof, concat, substring, year, month, day, hour, minute, second.
 * Operands are type-checked like SAP Gateway does: comparing an Edm.DateTime with a string, say,
 * is a syntax error (400), so a client that forgets `datetime'…'` finds out here.
 * Keywords are lower case, as OData v2 defines them. Arithmetic operators and navigation paths
 * are not supported (400).
 */
export class ODataSyntaxError extends Error {}

type Kind = 'string' | 'number' | 'boolean' | 'datetime' | 'time' | 'guid' | 'null';
type Scalar = string | number | boolean | null;

interface Node {
  kind: Kind;
  /** The property this node reads, when it is a bare property (for ALPHA conversion of literals). */
  property?: PropertyDef;
  evaluate(row: Row): Scalar;
}

type Token =
  | { type: 'literal'; kind: Kind; value: Scalar; text: string; at: number }
  | { type: 'name'; value: string; at: number }
  | { type: 'punct'; value: '(' | ')' | ',' | '/' | '='; at: number };

const DATETIME = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,7}))?)?$/;
const DATETIMEOFFSET = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,7}))?)?(Z|[+-]\d\d:\d\d)$/;
const TIME = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$/;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function utc(match: RegExpExecArray): number {
  const [, year, month, day, hour, minute, second = '0', fraction = '0'] = match;
  return Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second), Math.floor(Number(`0.${fraction}`) * 1000));
}

/** Milliseconds of `datetime'…'` (no zone: UTC), or undefined when malformed. */
export function parseDateTimeLiteral(text: string): number | undefined {
  const match = DATETIME.exec(text);
  return match ? utc(match) : undefined;
}

/** Milliseconds of `datetimeoffset'…'` (a zone is required), or undefined when malformed. */
export function parseDateTimeOffsetLiteral(text: string): number | undefined {
  const match = DATETIMEOFFSET.exec(text);
  if (!match) return undefined;
  const zone = match[8]!;
  const offset = zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  return utc(match) - offset;
}

/** Seconds of an Edm.Time value (`PT14H30M00S`), or undefined when malformed. */
export function parseTime(text: string): number | undefined {
  const match = TIME.exec(text);
  if (!match || text === 'PT') return undefined;
  return Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    const char = text[index]!;
    if (char === ' ' || char === '\t' || char === '\n' || char === '\r') {
      index++;
      continue;
    }
    const at = index;
    if ('(),/='.includes(char)) {
      tokens.push({ type: 'punct', value: char as '(', at });
      index++;
      continue;
    }
    if (char === "'") {
      const [value, end] = readQuoted(text, index);
      tokens.push({ type: 'literal', kind: 'string', value, text: text.slice(at, end), at });
      index = end;
      continue;
    }
    const number = /^-?\d+(\.\d+)?([eE][+-]?\d+)?([mMlLdDfF])?/.exec(text.slice(index));
    if (number && (char !== '-' || /\d/.test(text[index + 1] ?? ''))) {
      tokens.push({ type: 'literal', kind: 'number', value: Number(number[0].replace(/[mMlLdDfF]$/, '')), text: number[0], at });
      index += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(index));
    if (!name) throw new ODataSyntaxError(`Invalid token detected at position ${index + 1}`);
    index += name[0].length;
    if (text[index] === "'") {
      const [raw, end] = readQuoted(text, index);
      tokens.push(typedLiteral(name[0], raw, text.slice(at, end), at));
      index = end;
    } else if (name[0] === 'true' || name[0] === 'false') {
      tokens.push({ type: 'literal', kind: 'boolean', value: name[0] === 'true', text: name[0], at });
    } else if (name[0] === 'null') {
      tokens.push({ type: 'literal', kind: 'null', value: null, text: name[0], at });
    } else {
      tokens.push({ type: 'name', value: name[0], at });
    }
  }
  return tokens;
}

/** The value of the quoted literal starting at `start` ('' is a quote), and the index after it. */
function readQuoted(text: string, start: number): [string, number] {
  let value = '';
  let index = start + 1;
  for (;;) {
    const quote = text.indexOf("'", index);
    if (quote < 0) throw new ODataSyntaxError(`Unterminated string literal at position ${start + 1}`);
    value += text.slice(index, quote);
    if (text[quote + 1] === "'") {
      value += "'";
      index = quote + 2;
    } else {
      return [value, quote + 1];
    }
  }
}

function typedLiteral(prefix: string, raw: string, text: string, at: number): Token {
  const fail = () => new ODataSyntaxError(`Invalid ${prefix} literal ${text} at position ${at + 1}`);
  switch (prefix) {
    case 'datetime': {
      const value = parseDateTimeLiteral(raw);
      if (value === undefined) throw fail();
      return { type: 'literal', kind: 'datetime', value, text, at };
    }
    case 'datetimeoffset': {
      const value = parseDateTimeOffsetLiteral(raw);
      if (value === undefined) throw fail();
      return { type: 'literal', kind: 'datetime', value, text, at };
    }
    case 'time': {
      const value = parseTime(raw);
      if (value === undefined) throw fail();
      return { type: 'literal', kind: 'time', value, text, at };
    }
    case 'guid':
      if (!GUID.test(raw)) throw fail();
      return { type: 'literal', kind: 'guid', value: raw.toLowerCase(), text, at };
    default:
      throw new ODataSyntaxError(`Unknown literal type ${prefix} at position ${at + 1}`);
  }
}

const COMPARISONS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);

function kindOf(type: PropertyDef['type']): Kind {
  switch (type) {
    case 'Edm.String':
      return 'string';
    case 'Edm.Decimal':
      return 'number';
    case 'Edm.Boolean':
      return 'boolean';
    case 'Edm.DateTime':
    case 'Edm.DateTimeOffset':
      return 'datetime';
    case 'Edm.Time':
      return 'time';
    case 'Edm.Guid':
      return 'guid';
  }
}

/** How a property's stored value is read for comparison. */
export function propertyReader(entry: PropertyDef): (row: Row) => Scalar {
  const name = entry.name;
  switch (entry.type) {
    case 'Edm.Decimal':
      return (row) => (row[name] === null || row[name] === undefined ? null : Number(row[name]));
    case 'Edm.Time':
      return (row) => (row[name] ? (parseTime(String(row[name])) ?? null) : null);
    case 'Edm.Guid':
      return (row) => (row[name] ? String(row[name]).toLowerCase() : null);
    default:
      return (row) => (row[name] === undefined ? null : row[name]!);
  }
}

class Parser {
  private position = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly set: EntitySetDef,
  ) {}

  parse(): Node {
    const node = this.or();
    const extra = this.tokens[this.position];
    if (extra) throw new ODataSyntaxError(`Invalid token detected at position ${extra.at + 1}`);
    return node;
  }

  private peekName(value: string): boolean {
    const token = this.tokens[this.position];
    return token?.type === 'name' && token.value === value;
  }

  private expect(value: string): void {
    const token = this.tokens[this.position];
    if (token?.type !== 'punct' || token.value !== value) {
      throw new ODataSyntaxError(token ? `Expected '${value}' at position ${token.at + 1}` : `Expected '${value}' at the end of the expression`);
    }
    this.position++;
  }

  private or(): Node {
    let left = this.and();
    while (this.peekName('or')) {
      this.position++;
      const [a, b] = [boolean(left, 'or'), boolean(this.and(), 'or')];
      left = { kind: 'boolean', evaluate: (row) => a.evaluate(row) === true || b.evaluate(row) === true };
    }
    return left;
  }

  private and(): Node {
    let left = this.not();
    while (this.peekName('and')) {
      this.position++;
      const [a, b] = [boolean(left, 'and'), boolean(this.not(), 'and')];
      left = { kind: 'boolean', evaluate: (row) => a.evaluate(row) === true && b.evaluate(row) === true };
    }
    return left;
  }

  private not(): Node {
    if (this.peekName('not')) {
      this.position++;
      const operand = boolean(this.not(), 'not');
      return { kind: 'boolean', evaluate: (row) => operand.evaluate(row) !== true };
    }
    return this.comparison();
  }

  private comparison(): Node {
    const left = this.primary();
    const token = this.tokens[this.position];
    if (token?.type !== 'name' || !COMPARISONS.has(token.value)) return left;
    this.position++;
    return compare(token.value, left, this.primary());
  }

  private primary(): Node {
    const token = this.tokens[this.position++];
    if (!token) throw new ODataSyntaxError('Unexpected end of the filter expression');
    if (token.type === 'punct') {
      if (token.value !== '(') throw new ODataSyntaxError(`Invalid token detected at position ${token.at + 1}`);
      const inner = this.or();
      this.expect(')');
      return inner;
    }
    if (token.type === 'literal') {
      const value = token.value;
      return { kind: token.kind, evaluate: () => value };
    }
    const next = this.tokens[this.position];
    if (next?.type === 'punct' && next.value === '(') {
      this.position++;
      const args: Node[] = [];
      if (!(this.tokens[this.position]?.type === 'punct' && (this.tokens[this.position] as { value: string }).value === ')')) {
        args.push(this.or());
        while (this.tokens[this.position]?.type === 'punct' && (this.tokens[this.position] as { value: string }).value === ',') {
          this.position++;
          args.push(this.or());
        }
      }
      this.expect(')');
      return callFunction(token.value, args, token.at);
    }
    if (next?.type === 'punct' && next.value === '/') throw new ODataSyntaxError(`Navigation paths are not supported in $filter (position ${token.at + 1})`);
    const entry = this.set.propertyByName.get(token.value);
    if (!entry) throw new ODataSyntaxError(`Property ${token.value} not found in type ${this.set.typeName}`);
    return { kind: kindOf(entry.type), property: entry, evaluate: propertyReader(entry) };
  }
}

function boolean(node: Node, operator: string): Node {
  if (node.kind !== 'boolean') throw new ODataSyntaxError(`Operator '${operator}' needs boolean operands`);
  return node;
}

function compareValues(a: Scalar, b: Scalar): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

function compare(operator: string, left: Node, right: Node): Node {
  if (left.kind !== right.kind && left.kind !== 'null' && right.kind !== 'null') {
    throw new ODataSyntaxError(`Operator '${operator}' incompatible with operand types ${left.kind} and ${right.kind}`);
  }
  if ((left.kind === 'boolean' || left.kind === 'null' || right.kind === 'null') && !['eq', 'ne'].includes(operator)) {
    throw new ODataSyntaxError(`Operator '${operator}' is not defined for ${left.kind === 'null' || right.kind === 'null' ? 'null' : 'boolean'} operands`);
  }
  // An ALPHA-converted property compared with a literal: the literal is converted too, as Gateway does.
  const a = alphaLiteral(left, right);
  const b = alphaLiteral(right, left);
  const test: (order: number) => boolean = {
    eq: (order: number) => order === 0,
    ne: (order: number) => order !== 0,
    gt: (order: number) => order > 0,
    ge: (order: number) => order >= 0,
    lt: (order: number) => order < 0,
    le: (order: number) => order <= 0,
  }[operator as 'eq'];
  return {
    kind: 'boolean',
    evaluate: (row) => {
      const x = a.evaluate(row);
      const y = b.evaluate(row);
      if ((x === null || y === null) && operator !== 'eq' && operator !== 'ne') return false;
      return test(compareValues(x, y));
    },
  };
}

function alphaLiteral(node: Node, other: Node): Node {
  if (!other.property?.alpha || node.property || node.kind !== 'string') return node;
  const value = node.evaluate({});
  const converted = typeof value === 'string' ? alpha(value, other.property.maxLength ?? 10) : value;
  return { kind: 'string', evaluate: () => converted };
}

function callFunction(name: string, args: Node[], at: number): Node {
  const arity = (count: number, ...kinds: Kind[]) => {
    if (args.length !== count && !(name === 'substring' && args.length === 2)) throw new ODataSyntaxError(`Function ${name} takes ${count} arguments (position ${at + 1})`);
    kinds.forEach((kind, index) => {
      const arg = args[index];
      if (arg && arg.kind !== kind && arg.kind !== 'null') throw new ODataSyntaxError(`Function ${name}: argument ${index + 1} must be ${kind} (position ${at + 1})`);
    });
  };
  const str = (node: Node, row: Row) => String(node.evaluate(row) ?? '');
  const [a, b, c] = args as [Node, Node, Node | undefined];
  switch (name) {
    case 'substringof':
      arity(2, 'string', 'string');
      return { kind: 'boolean', evaluate: (row) => str(b, row).includes(str(a, row)) };
    case 'startswith':
      arity(2, 'string', 'string');
      return { kind: 'boolean', evaluate: (row) => str(a, row).startsWith(str(b, row)) };
    case 'endswith':
      arity(2, 'string', 'string');
      return { kind: 'boolean', evaluate: (row) => str(a, row).endsWith(str(b, row)) };
    case 'tolower':
      arity(1, 'string');
      return { kind: 'string', evaluate: (row) => str(a, row).toLowerCase() };
    case 'toupper':
      arity(1, 'string');
      return { kind: 'string', evaluate: (row) => str(a, row).toUpperCase() };
    case 'trim':
      arity(1, 'string');
      return { kind: 'string', evaluate: (row) => str(a, row).trim() };
    case 'length':
      arity(1, 'string');
      return { kind: 'number', evaluate: (row) => str(a, row).length };
    case 'indexof':
      arity(2, 'string', 'string');
      return { kind: 'number', evaluate: (row) => str(a, row).indexOf(str(b, row)) };
    case 'concat':
      arity(2, 'string', 'string');
      return { kind: 'string', evaluate: (row) => str(a, row) + str(b, row) };
    case 'substring':
      arity(3, 'string', 'number', 'number');
      return { kind: 'string', evaluate: (row) => (c ? str(a, row).substr(Number(b.evaluate(row)), Number(c.evaluate(row))) : str(a, row).slice(Number(b.evaluate(row)))) };
    case 'year':
    case 'month':
    case 'day':
    case 'hour':
    case 'minute':
    case 'second': {
      arity(1, 'datetime');
      const part = { year: 'getUTCFullYear', month: 'getUTCMonth', day: 'getUTCDate', hour: 'getUTCHours', minute: 'getUTCMinutes', second: 'getUTCSeconds' }[name] as 'getUTCDate';
      return {
        kind: 'number',
        evaluate: (row) => {
          const value = a.evaluate(row);
          return value === null ? null : new Date(Number(value))[part]() + (name === 'month' ? 1 : 0);
        },
      };
    }
    default:
      throw new ODataSyntaxError(`Unknown function ${name} at position ${at + 1}`);
  }
}

/** Compiles a `$filter` expression for an entity set; throws ODataSyntaxError. */
export function compileFilter(text: string, set: EntitySetDef): (row: Row) => boolean {
  const node = new Parser(tokenize(text), set).parse();
  if (node.kind !== 'boolean') throw new ODataSyntaxError('The filter expression is not a boolean expression');
  return (row) => node.evaluate(row) === true;
}

/**
 * The key values of a key predicate (the text between the parentheses): `'0010000001'` or
 * `SalesOrder='5000000001',SalesOrderItem='10'`, in the order of the set's keys, as strings.
 */
export function parseKeyPredicate(text: string, set: EntitySetDef): string[] {
  const tokens = tokenize(text);
  const literal = (token: Token | undefined): string => {
    if (token?.type !== 'literal' || token.kind === 'null') throw new ODataSyntaxError(`Invalid key predicate (${text})`);
    return String(token.value);
  };
  if (tokens.length === 1) {
    if (set.keys.length !== 1) throw new ODataSyntaxError(`Key predicate (${text}) must name the ${set.keys.length} key properties of ${set.typeName}`);
    return [literal(tokens[0])];
  }
  const values = new Map<string, string>();
  for (let index = 0; index < tokens.length; index += 4) {
    const [name, equals, value, comma] = tokens.slice(index, index + 4);
    if (name?.type !== 'name' || equals?.type !== 'punct' || equals.value !== '=' || (comma && (comma.type !== 'punct' || comma.value !== ','))) {
      throw new ODataSyntaxError(`Invalid key predicate (${text})`);
    }
    values.set(name.value, literal(value));
  }
  return set.keys.map((key) => {
    const value = values.get(key.name);
    if (value === undefined) throw new ODataSyntaxError(`Key predicate (${text}) lacks key property ${key.name}`);
    return value;
  });
}
