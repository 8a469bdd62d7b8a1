// Identity, serial and hidden row-id values. Allocation is not
// transactional (PostgreSQL's nextval is not either): a counter per sequence
// in memory, seeded from the row store's last high-water mark. A committing
// transaction records the counter's current value for every sequence it
// drew from, so marks only ever move forward in log order and a restart
// never hands out a value a committed row holds. A value handed out to a
// transaction that rolls back is skipped, as in PostgreSQL.

import type { RowStore, SequenceDef } from '../../materializers/index.js';
import { SqlError } from '../types/index.js';

const sequenceLimitExceeded = '2200H';

export class SequenceAllocator {
  private readonly last = new Map<number, bigint>();

  constructor(private readonly rowStore: RowStore) {}

  next(def: SequenceDef): bigint {
    const last = this.last.get(def.id) ?? this.rowStore.sequenceValue(def.id);
    let value = last === undefined ? def.start : last + def.increment;
    if (value > def.max || value < def.min) {
      if (!def.cycle) {
        const bound = def.increment > 0n ? `maximum value of sequence "${def.name}" (${def.max})` : `minimum value of sequence "${def.name}" (${def.min})`;
        throw new SqlError(sequenceLimitExceeded, `nextval: reached ${bound}`);
      }
      value = def.increment > 0n ? def.min : def.max;
    }
    this.last.set(def.id, value);
    return value;
  }

  /** The last value handed out (what a committing transaction records), or undefined if none since start. */
  current(sequenceId: number): bigint | undefined {
    return this.last.get(sequenceId);
  }

  /** A sequence created by a transaction that rolled back: its id may be assigned again, to a new sequence. */
  forget(sequenceId: number): void {
    this.last.delete(sequenceId);
  }

  /** RESTART: the next value is `start` again. Returns the mark that says so. */
  restart(def: SequenceDef): bigint {
    const mark = def.start - def.increment;
    this.last.set(def.id, mark);
    return mark;
  }
}
