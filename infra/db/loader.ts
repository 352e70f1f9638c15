import DataLoader from 'dataloader';

/**
 * A per-request DataLoader that fetches rows by key and returns them in key order,
 * with null in the slot of a key that has no row.
 */
export function rowLoader<Row>(fetch: (keys: readonly string[]) => Promise<Row[]>, keyOf: (row: Row) => string): DataLoader<string, Row | null> {
  return new DataLoader(async (keys) => {
    const byKey = new Map((await fetch(keys)).map((row) => [keyOf(row), row]));
    return keys.map((key) => byKey.get(key) ?? null);
  });
}

/** Like rowLoader, for to-many relations: every key gets the (possibly empty) list of its rows. */
export function groupLoader<Row>(fetch: (keys: readonly string[]) => Promise<Row[]>, keyOf: (row: Row) => string): DataLoader<string, Row[]> {
  return new DataLoader(async (keys) => {
    const byKey = groupBy(await fetch(keys), keyOf);
    return keys.map((key) => byKey.get(key) ?? []);
  });
}

/** `items` by `keyOf`, each group in the items' order. */
export function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
