import type { Compilable, CompiledQuery, Kysely } from 'kysely';

/** Stands in for a value while a query is built for compiling (see CompiledQueries). */
class Slot {
  constructor(readonly name: string) {}
}

/**
 * Reads whose SQL Kysely builds and compiles once per shape instead of on every call: the first
 * call of a shape builds the query from placeholders, and every call sends the compiled SQL with
 * its own values in the placeholders' places (the CamelCase plugin still maps the rows).
 *
 * A shape is everything that changes the SQL text: which filters are present, whether a cursor
 * is given. `build` must pass the values it gets straight to Kysely (`eb.val`, `where`,
 * `limit`), never compute with them: it sees placeholders, not values.
 */
export class CompiledQueries<DB> {
  private readonly compiled = new Map<string, { query: CompiledQuery; slots: (string | undefined)[] }>();

  constructor(private readonly db: Kysely<DB>) {}

  async rows<Row, Values extends Record<string, unknown>>(shape: string, values: Values, build: (values: Values) => Compilable<Row>): Promise<Row[]> {
    let entry = this.compiled.get(shape);
    if (!entry) {
      const slots = Object.fromEntries(Object.keys(values).map((name) => [name, new Slot(name)])) as unknown as Values;
      const query = build(slots).compile();
      entry = { query, slots: query.parameters.map((parameter) => (parameter instanceof Slot ? parameter.name : undefined)) };
      const missing = Object.keys(values).filter((name) => !entry!.slots.includes(name));
      if (missing.length > 0) throw new Error(`compiled query ${shape}: ${missing.join(', ')} not used as a parameter`);
      this.compiled.set(shape, entry);
    }
    const { query, slots } = entry;
    const parameters = query.parameters.map((parameter, i) => (slots[i] === undefined ? parameter : values[slots[i]!]));
    return (await this.db.executeQuery<Row>({ ...query, parameters })).rows;
  }
}
