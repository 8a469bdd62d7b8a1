// The listener-wide table of running sessions by (process id, secret key),
// so a CancelRequest arriving on a fresh connection can reach its session.
// A process id is a counter, the key 32 random bits: guessing the key is
// what stands between another client and cancelling your statement.
import { randomBytes } from 'node:crypto';

/** What a CancelRequest reaches: the session's "cancel what you are running". */
export interface CancelTarget {
  cancel(): void;
}

/** BackendKeyData's two Int32s. */
export interface BackendKey {
  readonly processId: number;
  readonly secretKey: number;
}

/** Process ids are positive Int32s on the wire; after the largest we wrap to the first. */
export const processIdFirst = 1;
export const processIdMax = 0x7fff_ffff;

export class CancelRegistry {
  private readonly targets = new Map<number, { readonly secretKey: number; readonly target: CancelTarget }>();
  private nextProcessId = processIdFirst;

  constructor(private readonly randomInt32: () => number = () => randomBytes(4).readInt32BE(0)) {}

  /** Sessions registered now. */
  get size(): number {
    return this.targets.size;
  }

  register(target: CancelTarget): BackendKey {
    // Skip ids still in use after a wrap (needs 2^31 connections in one process; cheap to be right).
    while (this.targets.has(this.nextProcessId)) this.advance();
    const processId = this.nextProcessId;
    this.advance();
    const secretKey = this.randomInt32();
    this.targets.set(processId, { secretKey, target });
    return { processId, secretKey };
  }

  unregister(key: BackendKey): void {
    const entry = this.targets.get(key.processId);
    if (entry !== undefined && entry.secretKey === key.secretKey) this.targets.delete(key.processId);
  }

  /** Cancels if both numbers match; a wrong key is ignored silently, as PostgreSQL does. */
  cancel(processId: number, secretKey: number): boolean {
    const entry = this.targets.get(processId);
    if (entry === undefined || entry.secretKey !== secretKey) return false;
    entry.target.cancel();
    return true;
  }

  private advance(): void {
    this.nextProcessId = this.nextProcessId >= processIdMax ? processIdFirst : this.nextProcessId + 1;
  }
}
