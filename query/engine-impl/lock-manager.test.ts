import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LockManager, type LockMode, type LockSnapshot } from './lock-manager.js';

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function conflicts(a: LockMode, b: LockMode): boolean {
  return a === 'exclusive' || b === 'exclusive';
}

/** An independent wait-for check: does `owner`, queued for `resource`, reach itself? */
function wouldCycle(locks: readonly LockSnapshot[], owner: number, resource: string, mode: LockMode): boolean {
  const queued = locks.map((l) => {
    if (l.resource !== resource) return l;
    const upgrade = l.holders.some((h) => h.owner === owner);
    const me = { owner, mode };
    return { ...l, waiters: upgrade ? [me, ...l.waiters] : [...l.waiters, me] };
  });
  if (!queued.some((l) => l.resource === resource)) return false;
  const edges = new Map<number, Set<number>>();
  for (const l of queued) {
    l.waiters.forEach((w, i) => {
      const out = edges.get(w.owner) ?? new Set<number>();
      for (const h of l.holders) if (h.owner !== w.owner && conflicts(h.mode, w.mode)) out.add(h.owner);
      for (const e of l.waiters.slice(0, i)) if (e.owner !== w.owner && conflicts(e.mode, w.mode)) out.add(e.owner);
      edges.set(w.owner, out);
    });
  }
  const seen = new Set<number>();
  const stack = [...(edges.get(owner) ?? [])];
  while (stack.length > 0) {
    const next = stack.pop() as number;
    if (next === owner) return true;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(edges.get(next) ?? []));
  }
  return false;
}

describe('LockManager', () => {
  it('grants compatible locks at once and queues conflicting ones in order', async () => {
    const locks = new LockManager();
    expect(locks.acquire(1, 'r', 'shared')).toBeNull();
    expect(locks.acquire(2, 'r', 'shared')).toBeNull();
    const order: number[] = [];
    void locks.acquire(3, 'r', 'exclusive')?.then(() => order.push(3));
    // A shared request behind a queued exclusive one waits (no starvation of writers).
    void locks.acquire(4, 'r', 'shared')?.then(() => order.push(4));
    locks.releaseAll(1);
    await flush();
    expect(order).toEqual([]);
    locks.releaseAll(2);
    await flush();
    expect(order).toEqual([3]);
    locks.releaseAll(3);
    await flush();
    expect(order).toEqual([3, 4]);
    locks.releaseAll(4);
    expect(locks.resourceCount()).toBe(0);
  });

  it('re-entrant and upgrading requests', async () => {
    const locks = new LockManager();
    expect(locks.acquire(1, 'r', 'exclusive')).toBeNull();
    expect(locks.acquire(1, 'r', 'shared')).toBeNull();
    expect(locks.holds(1, 'r')).toBe('exclusive');
    locks.releaseAll(1);
    expect(locks.acquire(1, 'r', 'shared')).toBeNull();
    expect(locks.acquire(1, 'r', 'exclusive')).toBeNull(); // sole holder upgrades at once
    locks.releaseAll(1);
    expect(locks.acquire(1, 'r', 'shared')).toBeNull();
    expect(locks.acquire(2, 'r', 'shared')).toBeNull();
    let upgraded = false;
    void locks.acquire(1, 'r', 'exclusive')?.then(() => {
      upgraded = true;
    });
    locks.releaseAll(2);
    await flush();
    expect(upgraded).toBe(true);
    expect(locks.holds(1, 'r')).toBe('exclusive');
  });

  it('refuses the waiter that closes a cycle with 40P01 and leaves the others waiting', async () => {
    const locks = new LockManager();
    locks.acquire(1, 'a', 'exclusive');
    locks.acquire(2, 'b', 'exclusive');
    locks.acquire(3, 'c', 'exclusive');
    const w1 = locks.acquire(1, 'b', 'exclusive');
    const w2 = locks.acquire(2, 'c', 'exclusive');
    expect(w1).not.toBeNull();
    expect(w2).not.toBeNull();
    expect(() => locks.acquire(3, 'a', 'exclusive')).toThrow(expect.objectContaining({ sqlState: '40P01', message: 'deadlock detected' }));
    expect(locks.isWaiting(3)).toBe(false);
    expect(locks.isWaiting(1)).toBe(true);
    locks.releaseAll(3);
    await w2;
    locks.releaseAll(2);
    await w1;
    locks.releaseAll(1);
    expect(locks.resourceCount()).toBe(0);
  });

  it('finds the deadlock of two shared holders upgrading', () => {
    const locks = new LockManager();
    locks.acquire(1, 'r', 'shared');
    locks.acquire(2, 'r', 'shared');
    expect(locks.acquire(1, 'r', 'exclusive')).not.toBeNull();
    expect(() => locks.acquire(2, 'r', 'exclusive')).toThrow(expect.objectContaining({ sqlState: '40P01' }));
  });

  it('cancels a wait and lets the queue behind it move', async () => {
    const locks = new LockManager();
    locks.acquire(1, 'r', 'shared');
    const exclusive = locks.acquire(2, 'r', 'exclusive');
    let sharedGranted = false;
    void locks.acquire(3, 'r', 'shared')?.then(() => {
      sharedGranted = true;
    });
    const cancelled = exclusive?.catch((e: Error) => e.message);
    locks.cancelWait(2, new Error('cancelled'));
    expect(await cancelled).toBe('cancelled');
    await flush();
    expect(sharedGranted).toBe(true);
  });

  it('random schedules never deadlock silently, and every refusal is a real cycle', async () => {
    const step = fc.record({ resource: fc.integer({ min: 0, max: 3 }), mode: fc.constantFrom<LockMode>('shared', 'exclusive') });
    await fc.assert(fc.asyncProperty(
      fc.array(fc.array(step, { minLength: 1, maxLength: 4 }), { minLength: 2, maxLength: 5 }),
      fc.array(fc.nat(), { minLength: 1, maxLength: 50 }),
      async (scripts, choices) => {
        const locks = new LockManager();
        const owners = scripts.map((script, i) => ({ id: i + 1, script, next: 0, waiting: false, done: false }));
        for (let turn = 0; owners.some((o) => !o.done); turn++) {
          const runnable = owners.filter((o) => !o.done && !o.waiting);
          // Every unfinished owner waits and nothing can wake them: an undetected deadlock.
          expect(runnable.length).toBeGreaterThan(0);
          const owner = runnable[(choices[turn % choices.length] ?? 0) % runnable.length];
          if (owner === undefined) break;
          const wanted = owner.script[owner.next];
          if (wanted === undefined) {
            locks.releaseAll(owner.id);
            owner.done = true;
          } else {
            const resource = `r${wanted.resource}`;
            const cycle = wouldCycle(locks.snapshot(), owner.id, resource, wanted.mode);
            let wait: Promise<void> | null;
            try {
              wait = locks.acquire(owner.id, resource, wanted.mode);
            } catch (error) {
              expect((error as { sqlState?: string }).sqlState).toBe('40P01');
              expect(cycle).toBe(true);
              locks.releaseAll(owner.id);
              owner.done = true;
              await flush();
              continue;
            }
            if (wait === null) {
              owner.next++;
            } else {
              expect(cycle).toBe(false);
              owner.waiting = true;
              void wait.then(() => {
                owner.waiting = false;
                owner.next++;
              });
            }
          }
          await flush();
        }
        expect(locks.resourceCount()).toBe(0);
      },
    ), { numRuns: 300 });
  });
});
