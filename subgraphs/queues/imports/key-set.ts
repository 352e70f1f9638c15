/**
 * The set of keys an import job has seen in its file (customers' externalIds, orders' keys), in
 * 8 bytes per key however long the key: a million keys take 16 MiB rather than the ~60 MiB a
 * Set of strings would, so a job's memory stays flat whatever the file's size. Keys are kept as
 * 64-bit hashes (two independent 32-bit FNV-1a variants), in an open-addressing table: two
 * different keys are taken for one with a probability of about n² / 2⁶⁵ (3 in 100 million for a
 * file of a million rows), in which case the second is reported as a duplicate.
 */
export class KeySet {
  private table = new Uint32Array(2 * 1024);
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(key: string): boolean {
    hash(key);
    return this.slot(this.table, hashed.high, hashed.low) < 0;
  }

  /** Adds the key; false when it was there already. */
  add(key: string): boolean {
    hash(key);
    const { high, low } = hashed;
    const slot = this.slot(this.table, high, low);
    if (slot < 0) return false;
    this.table[slot] = high;
    this.table[slot + 1] = low;
    this.count++;
    if (this.count * 4 > this.table.length) this.grow();
    return true;
  }

  /** The free slot where the hash goes, or -1 when it is in the table. */
  private slot(table: Uint32Array, high: number, low: number): number {
    const mask = table.length / 2 - 1;
    for (let index = (high ^ low) & mask; ; index = (index + 1) & mask) {
      const at = index * 2;
      if (table[at] === 0 && table[at + 1] === 0) return at;
      if (table[at] === high && table[at + 1] === low) return -1;
    }
  }

  private grow(): void {
    const old = this.table;
    this.table = new Uint32Array(old.length * 2);
    for (let at = 0; at < old.length; at += 2) {
      if (old[at] === 0 && old[at + 1] === 0) continue;
      const slot = this.slot(this.table, old[at]!, old[at + 1]!);
      this.table[slot] = old[at]!;
      this.table[slot + 1] = old[at + 1]!;
    }
  }
}

/** hash's answer: written in place, so that a million keys make no garbage. */
const hashed = { high: 0, low: 0 };

/** Two 32-bit FNV-1a hashes of the key's UTF-16 code units, with different offsets, into `hashed`; the high one never 0, so no key hashes to the empty slot. */
function hash(key: string): void {
  let high = 0x811c9dc5;
  let low = 0x050c5d1f;
  for (let index = 0; index < key.length; index++) {
    const unit = key.charCodeAt(index);
    high = Math.imul(high ^ unit, 0x01000193);
    low = Math.imul(low ^ unit, 0x01000193) ^ (low >>> 15);
  }
  hashed.high = (high | 1) >>> 0;
  hashed.low = low >>> 0;
}
