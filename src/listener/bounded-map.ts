/**
 * A Map with a hard entry cap: inserting past the cap evicts the least recently touched entry, so a
 * flood of distinct keys (source IPs, delivery ids) costs bounded memory.
 */

/** Insertion/touch-ordered map that never holds more than `max` entries. */
export class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly max: number) {}

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  /** Set (and mark as most recent); evicts the oldest entry when over the cap. */
  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.map.delete(key);
  }
}
