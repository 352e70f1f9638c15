const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Entity ids are UUIDs; anything else names no entity and must never reach SQL as a uuid. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
