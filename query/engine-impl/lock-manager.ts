// Row, unique-value and table locks with a wait-for graph.
//
// A resource is a string (see lock-keys.ts); an owner is a transaction's
// number. Exclusive locks conflict with everything, shared locks only with
// exclusive ones. Waiters queue FIFO per resource (an upgrade from shared to
// exclusive goes first, since it already holds the resource).
//
// Deadlocks are found when they form: a cycle can only close when an owner
// starts to wait, because every edge a grant could add (a queued waiter now
// blocked by the waiter just granted) already existed as a queue edge. So on
// every new wait the graph is searched from the new waiter; if it reaches
// itself, that waiter (the one that closed the cycle) is refused with 40P01
// and nothing else changes. Edges are computed from the current queues at
// search time, never stored, so they cannot go stale.

import { deadlockDetected, invariant } from './errors.js';

export type LockMode = 'shared' | 'exclusive';

interface Waiter {
  readonly owner: number;
  readonly resource: string;
  readonly mode: LockMode;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

interface LockState {
  readonly holders: Map<number, LockMode>;
  readonly queue: Waiter[];
}

/** What a resource looks like now, for tests and diagnostics. */
export interface LockSnapshot {
  readonly resource: string;
  readonly holders: readonly { readonly owner: number; readonly mode: LockMode }[];
  readonly waiters: readonly { readonly owner: number; readonly mode: LockMode }[];
}

function conflicts(a: LockMode, b: LockMode): boolean {
  return a === 'exclusive' || b === 'exclusive';
}

function covers(held: LockMode, wanted: LockMode): boolean {
  return held === 'exclusive' || wanted === 'shared';
}

export class LockManager {
  private readonly locks = new Map<string, LockState>();
  private readonly held = new Map<number, Set<string>>();
  private readonly waiting = new Map<number, Waiter>();

  /**
   * Takes `resource` in `mode` for `owner`. Returns null when granted at once
   * (the common case costs no promise), else a promise that resolves when
   * granted and rejects if the wait is cancelled. Throws 40P01 when waiting
   * would close a cycle. An owner waits for at most one resource at a time.
   */
  acquire(owner: number, resource: string, mode: LockMode): Promise<void> | null {
    invariant(!this.waiting.has(owner), `owner ${owner} acquires ${resource} while it waits for another lock`);
    let state = this.locks.get(resource);
    if (state === undefined) {
      state = { holders: new Map(), queue: [] };
      this.locks.set(resource, state);
    }
    const current = state.holders.get(owner);
    if (current !== undefined && covers(current, mode)) return null;
    if (this.grantable(state, owner, mode, current !== undefined || state.queue.length === 0)) {
      this.grant(state, owner, resource, mode);
      return null;
    }
    return this.wait(state, owner, resource, mode, current !== undefined);
  }

  /**
   * `acquire` for a caller that cannot wait (the synchronous write path):
   * true when `owner` holds `resource` in `mode` now (granted or already
   * held), false when it would have to queue, in which case nothing changed.
   */
  tryAcquire(owner: number, resource: string, mode: LockMode): boolean {
    if (this.waiting.has(owner)) return false;
    const state = this.locks.get(resource);
    if (state === undefined) {
      const fresh: LockState = { holders: new Map(), queue: [] };
      this.locks.set(resource, fresh);
      this.grant(fresh, owner, resource, mode);
      return true;
    }
    const current = state.holders.get(owner);
    if (current !== undefined && covers(current, mode)) return true;
    if (!this.grantable(state, owner, mode, current !== undefined || state.queue.length === 0)) return false;
    this.grant(state, owner, resource, mode);
    return true;
  }

  /** Releases one resource (DDL releases its table locks before the transaction ends). */
  release(owner: number, resource: string): void {
    const state = this.locks.get(resource);
    if (state === undefined || !state.holders.delete(owner)) return;
    this.held.get(owner)?.delete(resource);
    this.grantWaiters(resource, state);
  }

  /** Releases everything `owner` holds and cancels its wait, if any. */
  releaseAll(owner: number): void {
    // Checked first: building an Error (its stack) for every transaction end showed in profiles.
    if (this.waiting.has(owner)) this.cancelWait(owner, new Error(`owner ${owner} released its locks while waiting`));
    const resources = this.held.get(owner);
    if (resources === undefined) return;
    this.held.delete(owner);
    for (const resource of resources) {
      const state = this.locks.get(resource);
      if (state === undefined) continue;
      state.holders.delete(owner);
      this.grantWaiters(resource, state);
    }
  }

  /** Ends `owner`'s wait with `error` (cancel, statement timeout). No-op when it is not waiting. */
  cancelWait(owner: number, error: Error): void {
    const waiter = this.waiting.get(owner);
    if (waiter === undefined) return;
    this.waiting.delete(owner);
    const state = this.locks.get(waiter.resource);
    invariant(state !== undefined, `waiter of ${waiter.resource} has no lock state`);
    state.queue.splice(state.queue.indexOf(waiter), 1);
    waiter.reject(error);
    // A cancelled exclusive waiter may have been all that held back shared ones behind it.
    this.grantWaiters(waiter.resource, state);
  }

  holds(owner: number, resource: string): LockMode | undefined {
    return this.locks.get(resource)?.holders.get(owner);
  }

  isWaiting(owner: number): boolean {
    return this.waiting.has(owner);
  }

  /** Resources held by anyone; an empty manager holds none. */
  resourceCount(): number {
    return this.locks.size;
  }

  snapshot(): readonly LockSnapshot[] {
    return [...this.locks].map(([resource, s]) => ({
      resource,
      holders: [...s.holders].map(([owner, mode]) => ({ owner, mode })),
      waiters: s.queue.map((w) => ({ owner: w.owner, mode: w.mode })),
    }));
  }

  /** The owners `owner` waits for right now (empty when it runs). */
  blockersOf(owner: number): readonly number[] {
    const waiter = this.waiting.get(owner);
    if (waiter === undefined) return [];
    const state = this.locks.get(waiter.resource);
    invariant(state !== undefined, `waiter of ${waiter.resource} has no lock state`);
    const out = new Set<number>();
    for (const [holder, mode] of state.holders) if (holder !== owner && conflicts(mode, waiter.mode)) out.add(holder);
    for (const ahead of state.queue) {
      if (ahead === waiter) break;
      if (ahead.owner !== owner && conflicts(ahead.mode, waiter.mode)) out.add(ahead.owner);
    }
    return [...out];
  }

  private grantable(state: LockState, owner: number, mode: LockMode, queueAllows: boolean): boolean {
    if (!queueAllows) return false;
    for (const [holder, held] of state.holders) if (holder !== owner && conflicts(held, mode)) return false;
    return true;
  }

  private grant(state: LockState, owner: number, resource: string, mode: LockMode): void {
    const current = state.holders.get(owner);
    state.holders.set(owner, current === 'exclusive' ? current : mode);
    let set = this.held.get(owner);
    if (set === undefined) {
      set = new Set();
      this.held.set(owner, set);
    }
    set.add(resource);
  }

  private wait(state: LockState, owner: number, resource: string, mode: LockMode, upgrade: boolean): Promise<void> {
    let settle: { resolve: () => void; reject: (error: Error) => void } | undefined;
    const promise = new Promise<void>((resolve, reject) => {
      settle = { resolve, reject };
    });
    invariant(settle !== undefined, 'promise executor runs synchronously');
    const waiter: Waiter = { owner, resource, mode, ...settle };
    // An upgrade already holds the resource: queueing it behind others would deadlock it against them.
    if (upgrade) state.queue.unshift(waiter);
    else state.queue.push(waiter);
    this.waiting.set(owner, waiter);
    const cycle = this.findCycle(owner);
    if (cycle !== null) {
      this.waiting.delete(owner);
      state.queue.splice(state.queue.indexOf(waiter), 1);
      this.grantWaiters(resource, state);
      throw deadlockDetected(cycle.map((o, i) => `Transaction ${o} waits for transaction ${cycle[(i + 1) % cycle.length]}.`).join('\n'));
    }
    return promise;
  }

  /** A path of owners from `start` back to itself through wait-for edges, or null. */
  private findCycle(start: number): number[] | null {
    const parent = new Map<number, number>();
    const stack = [start];
    const seen = new Set<number>([start]);
    while (stack.length > 0) {
      const owner = stack.pop() as number;
      for (const blocker of this.blockersOf(owner)) {
        if (blocker === start) return this.path(parent, owner, start);
        if (seen.has(blocker)) continue;
        seen.add(blocker);
        parent.set(blocker, owner);
        if (this.waiting.has(blocker)) stack.push(blocker);
      }
    }
    return null;
  }

  private path(parent: ReadonlyMap<number, number>, last: number, start: number): number[] {
    const out = [last];
    let at = last;
    while (at !== start) {
      at = parent.get(at) as number;
      out.push(at);
    }
    return out.reverse();
  }

  private grantWaiters(resource: string, state: LockState): void {
    while (state.queue.length > 0) {
      const next = state.queue[0] as Waiter;
      if (!this.grantable(state, next.owner, next.mode, true)) break;
      state.queue.shift();
      this.waiting.delete(next.owner);
      this.grant(state, next.owner, resource, next.mode);
      next.resolve();
    }
    if (state.holders.size === 0 && state.queue.length === 0) this.locks.delete(resource);
  }
}
