import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { isoToODataDate, normaliseDecimal, odataDateToIso, uriLiteral } from './odata-values.js';

/**
 * What the connector learns from an OData v2 service's `$metadata` (EDMX 1.0, CSDL 2.0): entity
 * and complex types with their properties' EDM types, keys and navigation targets, and the
 * entity sets. With it, values are converted by type (see `decodeEntity`, `encodeEntity`) and
 * keys written as the right URI literals.
 */

export interface EdmNavigation {
  /** The qualified name of the target entity type. */
  target: string;
  many: boolean;
}

export interface EdmStructuredType {
  kind: 'entity' | 'complex';
  /** `Namespace.Name`. */
  name: string;
  /** Key property names in key order; empty for complex types. */
  keys: string[];
  /** Property name to EDM type (`Edm.Decimal`) or qualified complex type name. */
  properties: Map<string, string>;
  navigation: Map<string, EdmNavigation>;
}

/** An entity as the connector answers it: converted values, expanded navigation, and its ETag (null when SAP sent none). */
export interface ODataEntity {
  __etag: string | null;
  [property: string]: unknown;
}

type XmlNode = Record<string, unknown>;

const ARRAYS = new Set(['Schema', 'EntityType', 'ComplexType', 'Property', 'PropertyRef', 'NavigationProperty', 'Association', 'End', 'EntityContainer', 'EntitySet']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name, _path, _leaf, isAttribute) => !isAttribute && ARRAYS.has(name),
});

const list = (node: unknown, name: string): XmlNode[] => (((node as XmlNode | undefined)?.[name] as XmlNode[] | undefined) ?? []);
const attr = (node: XmlNode, name: string): string | undefined => node[`@${name}`] as string | undefined;

export class ODataMetadata {
  private constructor(
    private readonly types: Map<string, EdmStructuredType>,
    private readonly sets: Map<string, string>,
  ) {}

  /** Reads `$metadata`; throws an Error whose message says what is wrong with it. */
  static parse(xml: string): ODataMetadata {
    const valid = XMLValidator.validate(xml);
    if (valid !== true) throw new Error(`$metadata is not well-formed XML (${valid.err.msg} at line ${valid.err.line})`);
    const root = parser.parse(xml) as XmlNode;
    const schemas = list((root.Edmx as XmlNode | undefined)?.DataServices, 'Schema');
    if (schemas.length === 0) throw new Error('$metadata has no edmx:Edmx/edmx:DataServices/Schema');

    // Type references may use a schema's alias instead of its namespace.
    const aliases = new Map<string, string>();
    for (const schema of schemas) {
      const alias = attr(schema, 'Alias');
      if (alias) aliases.set(alias, attr(schema, 'Namespace') ?? alias);
    }
    const qualify = (name: string) => {
      const dot = name.lastIndexOf('.');
      const prefix = dot === -1 ? '' : name.slice(0, dot);
      return aliases.has(prefix) ? `${aliases.get(prefix)}${name.slice(dot)}` : name;
    };

    const associations = new Map<string, Map<string, EdmNavigation>>();
    for (const schema of schemas) {
      const namespace = attr(schema, 'Namespace') ?? '';
      for (const association of list(schema, 'Association')) {
        const ends = new Map<string, EdmNavigation>();
        for (const end of list(association, 'End')) {
          ends.set(attr(end, 'Role') ?? '', { target: qualify(attr(end, 'Type') ?? ''), many: attr(end, 'Multiplicity') === '*' });
        }
        associations.set(`${namespace}.${attr(association, 'Name') ?? ''}`, ends);
      }
    }

    const types = new Map<string, EdmStructuredType>();
    const sets = new Map<string, string>();
    for (const schema of schemas) {
      const namespace = attr(schema, 'Namespace') ?? '';
      for (const [kind, nodes] of [['entity', list(schema, 'EntityType')], ['complex', list(schema, 'ComplexType')]] as const) {
        for (const node of nodes) {
          const name = `${namespace}.${attr(node, 'Name') ?? ''}`;
          const properties = new Map<string, string>();
          for (const property of list(node, 'Property')) properties.set(attr(property, 'Name') ?? '', qualify(attr(property, 'Type') ?? 'Edm.String'));
          const navigation = new Map<string, EdmNavigation>();
          for (const nav of list(node, 'NavigationProperty')) {
            const end = associations.get(qualify(attr(nav, 'Relationship') ?? ''))?.get(attr(nav, 'ToRole') ?? '');
            if (end) navigation.set(attr(nav, 'Name') ?? '', end);
          }
          const keys = list(node.Key, 'PropertyRef').map((ref) => attr(ref, 'Name') ?? '');
          if (kind === 'entity' && keys.length === 0) throw new Error(`$metadata: entity type ${name} has no key`);
          types.set(name, { kind, name, keys, properties, navigation });
        }
      }
      for (const container of list(schema, 'EntityContainer')) {
        for (const set of list(container, 'EntitySet')) sets.set(attr(set, 'Name') ?? '', qualify(attr(set, 'EntityType') ?? ''));
      }
    }
    return new ODataMetadata(types, sets);
  }

  /** The entity type of an entity set, or undefined when the service has no such set. */
  entitySet(name: string): EdmStructuredType | undefined {
    const type = this.sets.get(name);
    return type === undefined ? undefined : this.types.get(type);
  }

  type(qualifiedName: string): EdmStructuredType | undefined {
    return this.types.get(qualifiedName);
  }

  get entitySets(): string[] {
    return [...this.sets.keys()];
  }

  /**
   * An entity of JSON verbose as the connector answers it: `__metadata` becomes `__etag`,
   * `__deferred` navigation is dropped, expanded navigation (`{ results: [...] }` or an object)
   * is decoded with its target type, and values are converted by their EDM type:
   * Edm.DateTime and Edm.DateTimeOffset to ISO 8601 UTC strings, Edm.Decimal to exact decimal
   * strings, Edm.Int64 to strings; Edm.Time (`PT12H30M00S`) and the rest as they are. The
   * type in `__metadata.type` wins over `type` (a navigation may point at a base type).
   */
  decodeEntity(raw: XmlNode, type: EdmStructuredType | undefined): ODataEntity {
    const meta = raw.__metadata as { type?: unknown; etag?: unknown } | undefined;
    const actual = (typeof meta?.type === 'string' ? this.types.get(meta.type) : undefined) ?? type;
    const entity: ODataEntity = { __etag: typeof meta?.etag === 'string' ? meta.etag : null };
    for (const [name, value] of Object.entries(raw)) {
      if (name === '__metadata') continue;
      const decoded = this.decodeValue(value, actual?.properties.get(name), actual?.navigation.get(name));
      if (decoded !== undefined) entity[name] = decoded;
    }
    return entity;
  }

  /**
   * The reverse for a create or an update: Date objects and ISO strings of date-time
   * properties to `/Date(ms)/`, decimals and Int64 numbers to strings, navigation (deep
   * inserts) by its target type. `__etag` is left out; unknown properties pass as they are.
   */
  encodeEntity(values: Readonly<Record<string, unknown>>, type: EdmStructuredType | undefined): Record<string, unknown> {
    const body: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(values)) {
      if (name === '__etag' || value === undefined) continue;
      const nav = type?.navigation.get(name);
      const target = nav ? this.types.get(nav.target) : undefined;
      if (nav && Array.isArray(value)) body[name] = value.map((item: Record<string, unknown>) => this.encodeEntity(item, target));
      else if (nav && value !== null && typeof value === 'object') body[name] = this.encodeEntity(value as Record<string, unknown>, target);
      else body[name] = this.encodeValue(value, type?.properties.get(name));
    }
    return body;
  }

  /** `(BusinessPartner='1000042')` or `(SalesOrder='1',SalesOrderItem='10')` for `key` of an entity of `type`. */
  keyPredicate(key: string | number | Readonly<Record<string, string | number | boolean>>, type: EdmStructuredType | undefined): string {
    if (typeof key !== 'object') {
      const name = type?.keys[0];
      if (type && type.keys.length !== 1) throw new RangeError(`${type.name} has a key of ${type.keys.length} properties (${type.keys.join(', ')}): pass them by name`);
      return `(${encodeURIComponent(uriLiteral(key, name === undefined ? undefined : type?.properties.get(name)))})`;
    }
    if (type) {
      const missing = type.keys.filter((name) => key[name] === undefined);
      if (missing.length > 0) throw new RangeError(`the key of ${type.name} lacks ${missing.join(', ')}`);
    }
    const names = type?.keys ?? Object.keys(key);
    const parts = names.map((name) => `${name}=${encodeURIComponent(uriLiteral(key[name]!, type?.properties.get(name)))}`);
    return `(${parts.join(',')})`;
  }

  private decodeValue(value: unknown, edmType: string | undefined, nav: EdmNavigation | undefined): unknown {
    if (value === null) return null;
    if (typeof value === 'object') {
      const node = value as XmlNode;
      if ('__deferred' in node) return undefined;
      const target = nav ? this.types.get(nav.target) : edmType ? this.types.get(edmType) : undefined;
      if (Array.isArray(node.results)) return node.results.map((item: XmlNode) => this.decodeEntity(item, target));
      if (Array.isArray(value)) return value.map((item: XmlNode) => this.decodeEntity(item, target));
      const decoded = this.decodeEntity(node, target);
      // A complex value has no ETag of its own.
      if (target?.kind === 'complex' || (!nav && decoded.__etag === null)) delete (decoded as Partial<ODataEntity>).__etag;
      return decoded;
    }
    switch (edmType) {
      case 'Edm.DateTime':
      case 'Edm.DateTimeOffset':
        return typeof value === 'string' ? odataDateToIso(value) : value;
      case 'Edm.Decimal':
        return typeof value === 'string' || typeof value === 'number' ? normaliseDecimal(value) : value;
      case 'Edm.Int64':
        return typeof value === 'number' ? String(value) : value;
      default:
        return value;
    }
  }

  private encodeValue(value: unknown, edmType: string | undefined): unknown {
    if (value === null) return null;
    switch (edmType) {
      case 'Edm.DateTime':
      case 'Edm.DateTimeOffset':
        if (typeof value === 'string' && value.startsWith('/Date(')) return value;
        return value instanceof Date || typeof value === 'string' ? isoToODataDate(value, edmType === 'Edm.DateTimeOffset') : value;
      case 'Edm.Decimal':
        return typeof value === 'number' || typeof value === 'string' ? normaliseDecimal(value) : value;
      case 'Edm.Int64':
        return typeof value === 'number' ? String(value) : value;
      default: {
        const complex = edmType ? this.types.get(edmType) : undefined;
        return complex && typeof value === 'object' ? this.encodeEntity(value as Record<string, unknown>, complex) : value instanceof Date ? value.toISOString() : value;
      }
    }
  }
}
