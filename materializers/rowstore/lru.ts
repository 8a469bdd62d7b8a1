// An intrusive doubly-linked LRU list of cache nodes. Only clean nodes (what
// RocksDB already holds) are linked: those are the only eviction candidates.

export class CacheNode {
  lruPrev: CacheNode | null = null;
  lruNext: CacheNode | null = null;
  linked = false;
  /** Estimated bytes this node keeps alive in memory. */
  sizeBytes = 0;
}

export class LruList {
  private head: CacheNode | null = null;
  private tail: CacheNode | null = null;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Links (or moves) a node to the most recently used end. */
  touch(node: CacheNode): void {
    if (node.linked) {
      if (this.head === node) return;
      this.unlink(node);
    }
    node.lruNext = this.head;
    node.lruPrev = null;
    if (this.head !== null) this.head.lruPrev = node;
    this.head = node;
    if (this.tail === null) this.tail = node;
    node.linked = true;
    this.count++;
  }

  unlink(node: CacheNode): void {
    if (!node.linked) return;
    if (node.lruPrev !== null) node.lruPrev.lruNext = node.lruNext;
    else this.head = node.lruNext;
    if (node.lruNext !== null) node.lruNext.lruPrev = node.lruPrev;
    else this.tail = node.lruPrev;
    node.lruPrev = null;
    node.lruNext = null;
    node.linked = false;
    this.count--;
  }

  /** The least recently used node, if any. */
  oldest(): CacheNode | null {
    return this.tail;
  }
}
